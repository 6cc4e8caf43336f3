// `prepack` never lets a package out without current prebuilds for linux-x64 and win32-x64. These tests
// run scripts/prepack.js in a scratch copy of the package's build inputs with HCN_PREPACK_BUILD=0 (check
// only): the refusal names what is missing or stale; complete, current prebuilds pass. The real build
// path (`npm run prebuild`, then `npm pack`) runs in the prebuilds lane of .ci/run.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const prepack = path.join(root, 'scripts', 'prepack.js');
const hashScript = path.join(root, 'scripts', 'source-hash.js');

function scratch(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-prepack-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of ['package.json', 'binding.gyp', 'CMakeLists.txt']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
  for (const d of ['src', 'cmake', 'scripts']) fs.cpSync(path.join(root, d), path.join(dir, d), { recursive: true });
  return dir;
}

function run(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [prepack], { cwd: dir, encoding: 'utf8', env: { ...process.env, HCN_PREPACK_BUILD: '0' } });
  return { code: r.status, out: r.stdout + r.stderr };
}

function addPrebuild(dir: string, tag: string): void {
  fs.mkdirSync(path.join(dir, 'prebuilds', tag), { recursive: true });
  fs.writeFileSync(path.join(dir, 'prebuilds', tag, 'hcn-sdk.node'), 'not a real addon');
}

function stamp(dir: string): void {
  const r = spawnSync(process.execPath, [hashScript, dir], { encoding: 'utf8' });
  fs.writeFileSync(path.join(dir, 'prebuilds', 'SOURCES.sha256'), r.stdout);
}

test('prepack refuses without prebuilds, naming both missing platforms', (t) => {
  const dir = scratch(t);
  const r = run(dir);
  t.is(r.code, 1);
  t.regex(r.out, /refusing to pack/);
  t.regex(r.out, /prebuilds\/linux-x64\/ holds no \.node file/);
  t.regex(r.out, /prebuilds\/win32-x64\/ holds no \.node file/);
  t.regex(r.out, /npm run prebuild/);
});

test('prepack refuses with only the linux prebuild (the win32 cross build is missing)', (t) => {
  const dir = scratch(t);
  addPrebuild(dir, 'linux-x64');
  const r = run(dir);
  t.is(r.code, 1);
  t.regex(r.out, /prebuilds\/win32-x64\/ holds no \.node file/);
  t.notRegex(r.out, /linux-x64\/ holds no/);
});

test('prepack refuses prebuilds of other sources, and passes current ones', (t) => {
  const dir = scratch(t);
  addPrebuild(dir, 'linux-x64');
  addPrebuild(dir, 'win32-x64');
  t.regex(run(dir).out, /SOURCES\.sha256 is missing/);
  stamp(dir);
  const ok = run(dir);
  t.is(ok.code, 0, ok.out);
  t.regex(ok.out, /prebuilds for linux-x64 and win32-x64 are current/);
  fs.appendFileSync(path.join(dir, 'src', 'addon.cc'), '\n// changed after the prebuild\n');
  const stale = run(dir);
  t.is(stale.code, 1);
  t.regex(stale.out, /the prebuilds are stale/);
});
