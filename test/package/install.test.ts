// The package as a consumer gets it: `npm pack` (prepack checks the prebuilds, prepare builds dist/),
// then in a new project whose PATH holds only node, npm and sh (no compiler, no make, no Python)
// `npm install <tarball>`, and `npx hcn lb create ...` drives the simulator through the shipped
// linux-x64 prebuild. CommonJS and ESM consumers load it, and the shipped source maps resolve.
// Heavy (packs, installs from the npm registry): runs in the prebuilds lane of .ci/run, after
// `npm run prebuild`, with HCN_PACKAGE_TEST=1.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const enabled = process.env.HCN_PACKAGE_TEST === '1';
const title = 'npm pack ships both prebuilds, and the tarball installs and runs with no compiler on PATH';

/** The environment without npm's per-script variables (they would point the child npm at this repo). */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'HCN_SDK_ADDON' && k !== 'HCN_BACKEND') env[k] = v;
  return { ...env, ...extra };
}

/** Which program names `PATH` resolves (run by an absolute /bin/sh, so the PATH under test is all it searches). */
function found(names: string[], pathVar: string): string[] {
  return names.filter((n) => spawnSync('/bin/sh', ['-c', `command -v ${n}`], { env: { PATH: pathVar } }).status === 0);
}

if (!enabled) {
  test.skip(`${title} (skipped: set HCN_PACKAGE_TEST=1 after \`npm run prebuild\`; the prebuilds lane of .ci/run does)`, () => {});
} else if (process.platform !== 'linux' || process.arch !== 'x64') {
  test.skip(`${title} (skipped: the no-compiler install uses the linux-x64 prebuild)`, () => {});
} else {
  test(title, (t) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-install-test-'));
    t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

    // 1. Pack, the way a release is made (lifecycle scripts on: prepack and prepare run).
    const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', env: cleanEnv({}), shell: process.platform === 'win32', maxBuffer: 64 << 20 });
    t.is(packed.status, 0, packed.stderr);
    const jsonStart = packed.stdout.indexOf('[');
    const info = JSON.parse(packed.stdout.slice(jsonStart)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info[0]!.files.map((f) => f.path);
    for (const tag of ['linux-x64', 'win32-x64']) {
      t.true(files.some((f) => f.startsWith(`prebuilds/${tag}/`) && f.endsWith('.node')), `no prebuilds/${tag}/*.node in the tarball`);
    }
    for (const f of ['docs/cli.md', 'docs/guides/reconcile.md', 'ts/index.ts', 'dist/index.js.map', 'dist/cli/main.js', 'LICENSE']) {
      t.true(files.includes(f), `${f} is not in the tarball`);
    }
    const tarball = path.join(work, path.basename(info[0]!.filename));

    // 2. A PATH with node, npm and sh only.
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync(execFileSync('/bin/sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim(), path.join(bin, 'npm'));
    fs.symlinkSync(execFileSync('/bin/sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).trim(), path.join(bin, 'npx'));
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
    t.deepEqual(found(['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python'], bin), [], 'a compiler is reachable on the test PATH');

    // 3. A new project installs the tarball.
    const project = path.join(work, 'consumer');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    const env = cleanEnv({ PATH: bin, HCN_SIM_STATE: path.join(work, 'state.json'), NO_COLOR: '1' });
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: project, encoding: 'utf8', env });
    t.is(install.status, 0, install.stdout + install.stderr);
    t.notRegex(install.stdout + install.stderr, /gyp (info|ERR)/, 'the install compiled instead of using the prebuild');
    t.log(`npm ${execFileSync(path.join(bin, 'npm'), ['--version'], { encoding: 'utf8', env }).trim()} install said:\n${(install.stdout + install.stderr).trim()}`);

    // 4. The bin of the local install works, on the shipped prebuild.
    const create = spawnSync('npx', ['hcn', 'lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--backend', '10.0.0.15', '--port', 'tcp:8000:80', '--dsr'], { cwd: project, encoding: 'utf8', env });
    t.is(create.status, 0, create.stdout + create.stderr);
    t.regex(create.stdout, /^DSR:\s+yes$/m);
    const version = spawnSync('npx', ['hcn', 'version', '--json'], { cwd: project, encoding: 'utf8', env });
    t.is(version.status, 0, version.stderr);
    const v = JSON.parse(version.stdout) as { addon: { kind: string; file: string } };
    t.is(v.addon.kind, 'prebuild');
    t.true(v.addon.file.includes(path.join('node_modules', 'hcn-sdk', 'prebuilds', 'linux-x64')), v.addon.file);
    t.false(fs.existsSync(path.join(project, 'node_modules', 'hcn-sdk', 'build')), 'a build/ folder means it compiled');

    // 5. CommonJS and ESM consumers; the package resolves its own name.
    const cjs = spawnSync('node', ['-e', "const m = require('hcn-sdk'); if (typeof m.Hcn.open !== 'function') process.exit(1); console.log(require('hcn-sdk/package.json').version)"], { cwd: project, encoding: 'utf8', env });
    t.is(cjs.status, 0, cjs.stderr);
    const esm = spawnSync('node', ['--input-type=module', '-e', "import { Hcn, LoadBalancer, planLoadBalancers } from 'hcn-sdk'; const hcn = await Hcn.open({ backend: 'simulated' }); console.log(typeof LoadBalancer.builder, typeof planLoadBalancers, (await hcn.loadBalancers.list()).length >= 0); await hcn.close();"], { cwd: project, encoding: 'utf8', env });
    t.is(esm.status, 0, esm.stderr);
    t.is(esm.stdout.trim(), 'function function true');
    const pkgDir = path.join(project, 'node_modules', 'hcn-sdk');
    const self = spawnSync('node', ['-e', "console.log(require.resolve('hcn-sdk'))"], { cwd: pkgDir, encoding: 'utf8', env });
    t.is(self.status, 0, self.stderr);
    t.is(fs.realpathSync(self.stdout.trim()), fs.realpathSync(path.join(pkgDir, 'dist', 'index.js')));

    // 6. Source maps point at files that ship.
    const map = JSON.parse(fs.readFileSync(path.join(pkgDir, 'dist', 'index.js.map'), 'utf8')) as { sources: string[] };
    for (const s of map.sources) t.true(fs.existsSync(path.resolve(pkgDir, 'dist', s)), `source map names ${s}, which is not shipped`);
  });
}
