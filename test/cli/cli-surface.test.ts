// The command's surface as a script author meets it: repeatable filters mean OR, `hcn version`,
// examples in every --help, a bare `hcn`, and empty lists. Spawns the REAL bin where the process
// matters (exit codes, streams); walks the command tree in-process for the help texts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { Command } from 'commander';
import { buildProgram, runCli } from '../../ts/cli/run';
import type { CliIo } from '../../ts/cli/context';
import { ExitCode } from '../../ts/cli/exit-codes';
import { hcnIn, root, workdir } from '../helpers/cli-bin';

interface LbJson {
  id: string;
  frontendVips: string[];
}

async function create(t: import('ava').ExecutionContext, dir: string, vip: string, port: string): Promise<string> {
  const r = await hcnIn(dir, ['lb', 'create', '--vip', vip, '--backend', '10.0.0.14', '--port', port, '--dsr', '--json']);
  t.is(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as LbJson).id;
}

test('repeated --vip/--port/--protocol filters are alternatives in lb list, verify dsr and lb delete --all', async (t) => {
  const dir = workdir(t);
  const a = await create(t, dir, '13.0.0.13', 'tcp:8000:80');
  const b = await create(t, dir, '13.0.0.14', 'udp:9:9');
  const c = await create(t, dir, '13.0.0.15', 'tcp:80:80');
  const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as LbJson[]).map((x) => x.id).sort();

  t.deepEqual(ids(await hcnIn(dir, ['lb', 'list', '--port', '8000', '--port', '9', '--json'])), [a, b].sort());
  t.deepEqual(ids(await hcnIn(dir, ['lb', 'list', '--protocol', 'udp', '--protocol', 'tcp', '--port', '9', '--port', '80', '--json'])), [b, c].sort());
  t.deepEqual(ids(await hcnIn(dir, ['lb', 'list', '--vip', '13.0.0.13', '--vip', '13.0.0.15', '--port', '80', '--json'])), [c], 'different options still all apply');

  const verify = await hcnIn(dir, ['verify', 'dsr', '--vip', '13.0.0.13', '--vip', '13.0.0.14', '--json']);
  t.is(verify.code, 0, verify.stdout + verify.stderr);
  t.deepEqual(((JSON.parse(verify.stdout) as { loadBalancers: { id: string }[] }).loadBalancers.map((x) => x.id)).sort(), [a, b].sort());

  const del = await hcnIn(dir, ['lb', 'delete', '--all', '--vip', '13.0.0.13', '--vip', '13.0.0.14', '--json']);
  t.is(del.code, 0, del.stderr);
  t.deepEqual((JSON.parse(del.stdout) as { deleted: string[] }).deleted.sort(), [a, b].sort());
  t.deepEqual(ids(await hcnIn(dir, ['lb', 'list', '--json'])), [c]);
});

test('repeated endpoint list --ip filters are alternatives', async (t) => {
  const dir = workdir(t);
  const r = await hcnIn(dir, ['endpoint', 'list', '--ip', '10.0.0.14', '--ip', '10.0.0.15', '--json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual((JSON.parse(r.stdout) as { ipAddresses: string[] }[]).map((e) => e.ipAddresses[0]).sort(), ['10.0.0.14', '10.0.0.15']);
});

test('empty lists print nothing on stdout, and [] with --json', async (t) => {
  const dir = workdir(t);
  for (const args of [['lb', 'list'], ['lb', 'list', '--vip', '1.2.3.4'], ['endpoint', 'list', '--ip', '1.2.3.4']]) {
    const text = await hcnIn(dir, args);
    t.is(text.code, 0, text.stderr);
    t.is(text.stdout, '', `${args.join(' ')}: nothing on stdout`);
    const json = await hcnIn(dir, [...args, '--json']);
    t.is(json.stdout, '[]\n', `${args.join(' ')} --json`);
  }
});

test('hcn version and hcn --version print the SDK, addon, backend and HNS version', async (t) => {
  const dir = workdir(t);
  const r = await hcnIn(dir, ['version', '--json']);
  t.is(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as {
    sdk: string;
    node: { napi: number };
    addon: { version: string; napi: number; platform: string; arch: string; kind: string; error: string | null };
    backend: { name: string; hnsVersion: string };
  };
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  t.is(v.sdk, pkg.version);
  t.is(v.addon.error, null);
  t.regex(v.addon.version, /^\d+\.\d+\.\d+/);
  t.is(v.addon.napi, 8);
  t.is(`${v.addon.platform}-${v.addon.arch}`, `${process.platform}-${process.arch}`);
  t.true(['prebuild', 'build', 'override'].includes(v.addon.kind));
  t.like(v.backend, { name: 'simulated', hnsVersion: '13.2' });

  const text = await hcnIn(dir, ['version']);
  t.regex(text.stdout, /^hcn-sdk: +\d+\.\d+\.\d+$/m);
  t.regex(text.stdout, /^Addon: +\S+, N-API 8, /m);
  t.regex(text.stdout, /^Backend: +simulated/m);
  t.regex(text.stdout, /^HNS version: +13\.2$/m);
  const flag = await hcnIn(dir, ['--version']);
  t.is(flag.code, 0);
  t.is(flag.stdout, text.stdout, '--version says the same as hcn version');
  t.is((await hcnIn(dir, ['-V', '--json'])).stdout, r.stdout);
});

test('a bare hcn prints help on stdout and exits 0', async (t) => {
  const r = await hcnIn(workdir(t), [], { simulated: false });
  t.is(r.code, 0);
  t.regex(r.stdout, /^Usage: hcn /m);
  t.regex(r.stdout, /apply/);
  t.is(r.stderr, '');
});

function leaves(cmd: Command, at: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => (c.commands.length > 0 ? leaves(c, [...at, c.name()]) : [[...at, c.name()]]));
}

function captureIo(): { io: CliIo; out: () => string } {
  let out = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    env: { NO_COLOR: '1' },
    platform: 'linux',
    homedir: '/nonexistent',
  };
  return { io, out: () => out };
}

test('every subcommand\'s --help has an example', async (t) => {
  const program = buildProgram({ io: captureIo().io, exitCode: ExitCode.Ok, context: undefined, commandPath: 'hcn' }, { text: '' });
  const all = leaves(program);
  t.true(all.length >= 15, `found ${all.length} subcommands`);
  for (const at of all) {
    const { io, out } = captureIo();
    t.is(await runCli([...at, '--help'], io), ExitCode.Ok);
    t.regex(out(), /\nExamples?\b[^\n]*:\n(?: {2}.*\n)*? {2}.*\bhcn /, `hcn ${at.join(' ')} --help has no example`);
  }
});
