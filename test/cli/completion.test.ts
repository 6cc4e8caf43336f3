// `hcn completion`: the bash script is sourced into a real bash and asked for completions the way
// bash asks (COMP_WORDS/COMP_CWORD, then _hcn): subcommands, options, and load balancer IDs from the
// simulator. zsh, fish and PowerShell are not installed here: their scripts are checked for the
// command tree they must carry (the zsh one is the bash one under bashcompinit).
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bin, hcnIn, workdir } from '../helpers/cli-bin';

/** A PATH folder with an `hcn` that runs the compiled bin (the scripts call it for IDs). */
function hcnOnPath(dir: string): string {
  const folder = path.join(dir, 'bin');
  if (!fs.existsSync(folder)) {
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'hcn'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" --backend simulated "$@"\n`, { mode: 0o755 });
  }
  return folder;
}

function complete(t: ExecutionContext, dir: string, script: string, words: string[]): string[] {
  const file = path.join(dir, 'hcn.bash');
  fs.writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source '${file}' && COMP_WORDS=(${array}) && COMP_CWORD=${words.length - 1} && _hcn && printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${hcnOnPath(dir)}:${process.env.PATH}`, HCN_SIM_STATE: path.join(dir, 'state.json'), NO_COLOR: '1' },
  });
  t.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('bash completion: subcommands, options and load balancer IDs', async (t) => {
  const dir = workdir(t, 'hcn-completion-');
  const gen = await hcnIn(dir, ['completion', 'bash']);
  t.is(gen.code, 0, gen.stderr);
  const script = gen.stdout;
  t.deepEqual(complete(t, dir, script, ['hcn', '']).filter((w) => ['lb', 'apply', 'endpoint', 'network', 'features', 'verify', 'sim', 'version', 'completion'].includes(w)).sort(), ['apply', 'completion', 'endpoint', 'features', 'lb', 'network', 'sim', 'verify', 'version']);
  t.deepEqual(complete(t, dir, script, ['hcn', 'a']), ['apply']);
  t.true(['create', 'list', 'show', 'update', 'delete'].every((w) => complete(t, dir, script, ['hcn', 'lb', '']).includes(w)));
  const createOpts = complete(t, dir, script, ['hcn', 'lb', 'create', '--vip', '13.0.0.13', '--']);
  for (const o of ['--vip', '--backend', '--port', '--dsr', '--file', '--json']) t.true(createOpts.includes(o), `lb create --: ${o} missing`);
  t.deepEqual(complete(t, dir, script, ['hcn', 'apply', '--pru']), ['--prune']);

  const created = await hcnIn(dir, ['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:80', '--json']);
  t.is(created.code, 0, created.stderr);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  t.deepEqual(complete(t, dir, script, ['hcn', 'lb', 'show', id.slice(0, 4)]), [id]);
  t.true(complete(t, dir, script, ['hcn', 'endpoint', 'show', '']).includes('3f8e6b21-5c7d-4e19-a0b4-0a000000000e'));
});

test('zsh, fish and PowerShell scripts carry the command tree; an unknown shell is a usage error', async (t) => {
  const dir = workdir(t, 'hcn-completion-');
  const zsh = await hcnIn(dir, ['completion', 'zsh']);
  t.is(zsh.code, 0);
  t.regex(zsh.stdout, /^#compdef hcn$/m);
  t.regex(zsh.stdout, /bashcompinit/);
  t.regex(zsh.stdout, /complete -F _hcn hcn/);
  const fish = await hcnIn(dir, ['completion', 'fish']);
  t.is(fish.code, 0);
  t.regex(fish.stdout, /complete -c hcn -n 'test \(__hcn_path\) = \\'hcn lb\\'' -a 'create/);
  t.regex(fish.stdout, /-l prune/);
  const ps = await hcnIn(dir, ['completion', 'powershell']);
  t.is(ps.code, 0);
  t.regex(ps.stdout, /Register-ArgumentCompleter -Native -CommandName hcn/);
  t.regex(ps.stdout, /'hcn lb create' = '.*--vip.*'/);
  t.regex(ps.stdout, /'hcn lb show' = 'lb'/);
  const bad = await hcnIn(dir, ['completion', 'tcsh']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /unknown shell 'tcsh'/);
});
