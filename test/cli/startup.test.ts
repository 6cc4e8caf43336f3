// CLI start-up: scripts run `hcn` in loops, so a command loads the modules it needs and no others
// (issue 8). Each test runs the REAL compiled bin in a child process and reads which of the package's
// modules it loaded (require.cache at exit); nothing here is timed.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';

// <root>/<outDir>/test/cli → <root>
const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'dist', 'cli', 'main.js');

interface Loaded {
  code: number;
  stderr: string;
  /** Loaded files, relative to the package root with forward slashes (e.g. `dist/verify.js`, `node_modules/yaml/...`). */
  modules: string[];
}

/** Runs `hcn args...` on a fresh simulator state and lists the files it required. */
async function modulesOf(t: ExecutionContext, args: string[], files: Record<string, string> = {}): Promise<Loaded> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-cli-startup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const out = path.join(dir, 'modules.json');
  const script = [
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));`,
    `process.argv = [process.argv[0], ${JSON.stringify(bin)}, ...process.argv.slice(1)];`,
    `require(${JSON.stringify(bin)});`,
  ].join('\n');
  const env: NodeJS.ProcessEnv = { ...process.env, HCN_SIM_STATE: path.join(dir, 'state.json'), NO_COLOR: '1' };
  delete env.HCN_BACKEND;
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, ['-e', script, '--', ...args], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
    });
  });
  const modules = (JSON.parse(fs.readFileSync(out, 'utf8')) as string[]).map((f) => path.relative(root, f).split(path.sep).join('/'));
  return { code, stderr, modules };
}

const ON_DEMAND = ['dist/reconcile.js', 'dist/reconcile/plan.js', 'dist/reconcile/reconciler.js', 'dist/verify.js', 'dist/vfp/index.js', 'dist/explain.js'];

test.before(() => {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build:ts\` first`);
});

test('hcn lb list loads the client but not reconcile, the verifier, the VFP parsers, the explainer or yaml', async (t) => {
  const r = await modulesOf(t, ['--backend', 'simulated', 'lb', 'list']);
  t.is(r.code, 0, r.stderr);
  t.true(r.modules.includes('dist/client/load-balancers.js'), 'the command did run against the client');
  t.deepEqual(
    r.modules.filter((m) => ON_DEMAND.includes(m) || m.startsWith('node_modules/yaml/')),
    [],
  );
});

test('hcn apply and hcn verify dsr load what they use when they run', async (t) => {
  const file = JSON.stringify([{ frontendVips: ['13.0.0.13'], backends: ['10.0.0.14'], ports: [{ protocol: 'tcp', external: 8000, internal: 80 }], dsr: true }]);
  const apply = await modulesOf(t, ['--backend', 'simulated', 'apply', '-f', 'lbs.json', '--dry-run'], { 'lbs.json': file });
  t.is(apply.code, 0, apply.stderr);
  t.true(apply.modules.includes('dist/reconcile.js'));
  t.true(apply.modules.includes('dist/reconcile/prune.js'));
  // An empty state has nothing to verify: exit 3 (verification failed), after the verifier ran.
  const verify = await modulesOf(t, ['--backend', 'simulated', 'verify', 'dsr']);
  t.is(verify.code, 3, verify.stderr);
  t.true(verify.modules.includes('dist/verify.js'));
});
