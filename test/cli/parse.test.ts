// In-process tests of the `hcn` command line: usage errors (exit 2, naming the argument) and help,
// none of which may open a backend.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { runCli } from '../../ts/cli/run';
import type { CliIo } from '../../ts/cli/context';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  opened: boolean;
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Captured> {
  const out = { stdout: '', stderr: '', opened: false };
  const io: CliIo = {
    stdout: { write: (s: string) => ((out.stdout += s), true), isTTY: false },
    stderr: { write: (s: string) => ((out.stderr += s), true), isTTY: false },
    env,
    platform: 'linux',
    homedir: '/nonexistent-home',
    openHcn: async () => {
      out.opened = true;
      throw new Error('a usage error must not open a backend');
    },
  };
  const code = await runCli(args, io);
  return { code, ...out };
}

const CREATE: string[] = ['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:8000:80', '--dsr'];

test('unknown flag: exit 2, names the flag, suggests', async (t) => {
  const r = await run(['lb', 'list', '--vipp', '1.2.3.4']);
  t.is(r.code, 2);
  t.regex(r.stderr, /usage error: unknown option '--vipp'/);
  t.regex(r.stderr, /--vip/);
  t.false(r.opened);
});

test('unknown flag in JSON mode gives the JSON error shape', async (t) => {
  const r = await run(['lb', 'list', '--json', '--bogus']);
  t.is(r.code, 2);
  const doc = JSON.parse(r.stderr) as { error: Record<string, unknown> };
  t.is(doc.error.code, 'HCN_USAGE');
  t.is(doc.error.argument, '--bogus');
  t.is(doc.error.hresult, null);
  t.is(doc.error.operation, 'hcn lb list');
  t.is(doc.error.exitCode, 2);
  t.is(r.stdout, '');
});

test('bad IP, bad port, bad ID, bad affinity: exit 2 naming each', async (t) => {
  const cases: [string[], string][] = [
    [['lb', 'create', '--vip', '13.0.0.300', '--backend', '10.0.0.14', '--port', 'tcp:8000:80'], '--vip'],
    [['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:70000:80'], '--port'],
    [['lb', 'create', '--vip', '13.0.0.13', '--backend', 'web1', '--port', 'tcp:80'], '--backend'],
    [['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:80', '--affinity', 'x'], '--affinity'],
    [['lb', 'show', 'not-a-guid'], 'ID'],
    [['lb', 'delete', '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'nope'], 'ID'],
    [['endpoint', 'show', '42'], 'ID'],
    [['lb', 'list', '--port', 'http'], '--port'],
    [['lb', 'list', '--timeout', 'soon'], '--timeout'],
    [['--backend', 'docker', 'lb', 'list'], '--backend'],
    [['sim', 'version', 'fifteen'], 'MAJOR.MINOR'],
  ];
  for (const [args, argument] of cases) {
    const r = await run([...args, '--json']);
    t.is(r.code, 2, args.join(' '));
    const doc = JSON.parse(r.stderr) as { error: { argument: string; code: string } };
    t.is(doc.error.argument, argument, args.join(' '));
    t.is(doc.error.code, 'HCN_USAGE');
  }
});

test('missing --port and --backend are named', async (t) => {
  const noPort = await run(['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14']);
  t.is(noPort.code, 2);
  t.regex(noPort.stderr, /--port/);
  const noBackend = await run(['lb', 'create', '--vip', '13.0.0.13', '--port', 'tcp:80']);
  t.is(noBackend.code, 2);
  t.regex(noBackend.stderr, /--backend/);
});

test('lb update needs something to do, and not both kinds', async (t) => {
  const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
  const nothing = await run(['lb', 'update', id]);
  t.is(nothing.code, 2);
  t.regex(nothing.stderr, /nothing to update/);
  const both = await run(['lb', 'update', id, '--add-backend', '10.0.0.16', '--vip', '13.0.0.13']);
  t.is(both.code, 2);
  t.regex(both.stderr, /cannot be combined/);
});

test('lb delete argument rules', async (t) => {
  const none = await run(['lb', 'delete']);
  t.is(none.code, 2);
  const allNoYes = await run(['lb', 'delete', '--all']);
  t.is(allNoYes.code, 2);
  t.regex(allNoYes.stderr, /--yes/);
  const filterNoAll = await run(['lb', 'delete', '--vip', '13.0.0.13']);
  t.is(filterNoAll.code, 2);
  t.regex(filterNoAll.stderr, /add --all/);
});

test('--state with --backend hcn is a usage error; sim refuses --backend hcn', async (t) => {
  const r = await run(['--backend', 'hcn', 'lb', 'list', '--state', '/x.json']);
  t.is(r.code, 2);
  t.regex(r.stderr, /--state/);
  const s = await run(['sim', 'status', '--backend', 'hcn']);
  t.is(s.code, 2);
  t.regex(s.stderr, /simulated backend only/);
});

test('help, version and a bare hcn exit 0 on stdout; a bare group prints help and exits 2', async (t) => {
  const help = await run(['--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /Usage: hcn/);
  t.regex(help.stdout, /Exit codes: 0 ok, 1/);
  const createHelp = await run(['lb', 'create', '--help']);
  t.is(createHelp.code, 0);
  t.regex(createHelp.stdout, /--dsr/);
  t.regex(createHelp.stdout, /Global options:/);
  const version = await run(['--version']);
  t.is(version.code, 0, 'the version query succeeds even where HNS cannot be opened');
  t.regex(version.stdout, /^hcn-sdk: +\d+\.\d+\.\d+$/m);
  t.regex(version.stdout, /^HNS version: +\S/m);
  const bare = await run(['lb']);
  t.is(bare.code, 2);
  t.regex(bare.stderr, /Usage: hcn lb/);
  const unknown = await run(['frobnicate']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command 'frobnicate'/);
  const none = await run([]);
  t.is(none.code, 0, 'a bare hcn prints help and succeeds');
  t.regex(none.stdout, /^Usage: hcn/);
  t.false(none.opened);
});

test('the quick-start command parses and only then opens the backend', async (t) => {
  const dir = path.join(os.tmpdir(), `hcn-parse-test-${process.pid}`);
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = await run(CREATE, { HCN_SIM_STATE: path.join(dir, 'state.json') });
  // openHcn throws: that proves parsing and validation passed and the backend was asked for (exit 1).
  t.true(r.opened);
  t.is(r.code, 1);
  t.regex(r.stderr, /must not open a backend/);
});

test('spec rules are checked before the backend is opened, naming the flag', async (t) => {
  // --preserve-dip without --dsr is accepted (kube-proxy's health-check load balancer); a source VIP of
  // the wrong family is a spec rule that names its flag.
  const srcVip = await run(['lb', 'create', '--vip', '13.0.0.13', '--source-vip', 'fd00::97', '--backend', '10.0.0.14', '--port', 'tcp:80', '--json']);
  t.is(srcVip.code, 2);
  t.false(srcVip.opened);
  const doc = JSON.parse(srcVip.stderr) as { error: { code: string; argument: string } };
  t.is(doc.error.code, 'HCN_VALIDATION');
  t.is(doc.error.argument, '--source-vip');
  // SCTP: HNS has no such protocol.
  const sctp = await run(['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'sctp:80']);
  t.is(sctp.code, 2);
  t.false(sctp.opened);
  t.regex(sctp.stderr, /SCTP is not supported by HNS/);
  const family = await run(['lb', 'create', '--vip', 'fd00::13', '--backend', '10.0.0.14', '--port', 'tcp:80']);
  t.is(family.code, 2);
  t.false(family.opened);
  t.regex(family.stderr, /family/);
  const dup = await run(['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:80', '--port', 'tcp:80:81']);
  t.is(dup.code, 2);
  t.regex(dup.stderr, /--port/);
});
