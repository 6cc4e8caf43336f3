// What `npm pack` puts in the package: the prebuilds, dist/ with the TypeScript sources its maps
// name (ts/), the docs the CLI and README point to (docs/*.md, docs/guides/), the C++ sources and the
// build files needed to compile them (binding.gyp for node-gyp, CMakeLists.txt + cmake/ for cmake-js),
// and nothing else: no tests, no build folders or caches, no generated API site.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { packageRoot } from '../ts/native';

const root = packageRoot();

// npm is found through the shell so the same line works wherever npm is installed; where there is
// none (Windows node.exe under Wine has no npm), the test says so instead of failing.
const npmProbe = spawnSync('npm --version', { shell: true, cwd: root, encoding: 'utf8' });
const hasNpm = npmProbe.status === 0;

const allowedTopLevel = new Set(['package.json', 'README.md', 'LICENSE', 'binding.gyp', 'CMakeLists.txt']);
const allowedFolders = ['dist/', 'ts/', 'prebuilds/', 'src/', 'cmake/', 'docs/'];

function packedFiles(): string[] {
  // --ignore-scripts: `prepare` would rebuild dist/ first; the test looks at what is there.
  const r = spawnSync('npm pack --dry-run --json --ignore-scripts', {
    shell: true,
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
  return parsed[0]!.files.map((f) => f.path.split(path.sep).join('/'));
}

function localFiles(dir: string, suffix: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
    .filter((f) => f.endsWith(suffix));
}

const title = 'npm pack holds the prebuilds, dist/ and its sources, the docs, the C++ sources and build files, and nothing else';

if (!hasNpm) {
  test.skip(`${title} (skipped: no npm on PATH in this environment)`, () => {});
} else {
  test(title, (t) => {
    const files = packedFiles();
    const outside = files.filter((f) => !allowedTopLevel.has(f) && !allowedFolders.some((d) => f.startsWith(d)));
    t.deepEqual(outside, [], 'files outside the allowlist');
    t.deepEqual(
      files.filter((f) => f.endsWith('.tsbuildinfo') || /(^|\/)test\//.test(f) || f.endsWith('.test.js')),
      [],
      'tests or build metadata in the package',
    );

    t.deepEqual(files.filter((f) => f.startsWith('docs/') && !f.endsWith('.md')), [], 'only markdown from docs/ (not the generated API site)');
    for (const f of ['package.json', 'binding.gyp', 'CMakeLists.txt', 'cmake/windows.cmake', 'src/hcn/hcn_api.h', 'src/hcn/loader_win.cc', 'src/sim/sim.h', 'docs/cli.md', 'docs/guides/reconcile.md', 'ts/index.ts']) {
      t.true(files.includes(f), `${f} is missing from the package`);
    }
    const sources = localFiles('src', '.cc');
    t.true(sources.length > 0);
    t.deepEqual(sources.filter((f) => !files.includes(f)), [], 'C++ sources missing from the package');

    // Whatever has been built locally ships: every prebuild and the compiled SDK.
    const nodeFiles = localFiles('prebuilds', '.node');
    t.deepEqual(nodeFiles.filter((f) => !files.includes(f)), [], 'prebuilds missing from the package');
    if (process.env.HCN_REQUIRE_PREBUILD === '1') {
      // After `npm run prebuild` (CI): both shipped platforms must be in the package.
      for (const tag of ['linux-x64', 'win32-x64']) {
        t.true(files.some((f) => f.startsWith(`prebuilds/${tag}/`) && f.endsWith('.node')), `no prebuilds/${tag}/*.node in the package`);
      }
    }
    if (fs.existsSync(path.join(root, 'dist', 'index.js'))) {
      t.true(files.includes('dist/index.js'));
      t.true(files.includes('dist/index.d.ts'));
    } else {
      t.log('dist/ is not built here (npm run build:ts); only the allowlist was checked for it');
    }
  });
}
