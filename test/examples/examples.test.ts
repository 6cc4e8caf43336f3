// Runs every compiled example in examples/ as its own process against the embedded simulator (in
// memory) and requires exit code 0 — the examples check their own results and exit 1 on failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';

// This file compiles to <outDir>/test/examples/; the examples to <outDir>/examples/.
const examplesDir = path.resolve(__dirname, '..', '..', 'examples');
const EXPECTED = ['create-dsr-lb', 'remote-backends', 'update-backends', 'verify-dsr', 'handle-errors'];

test('every example in examples/ is covered here', (t) => {
  const found = fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.replace(/\.js$/, ''))
    .sort();
  t.deepEqual(found, [...EXPECTED].sort());
});

for (const name of EXPECTED) {
  test(`example ${name} runs and exits 0 on the simulator`, (t) => {
    const env = { ...process.env };
    delete env.HCN_BACKEND;
    const r = spawnSync(process.execPath, [path.join(examplesDir, `${name}.js`)], { encoding: 'utf8', env, timeout: 60_000 });
    t.log(r.stdout.trim());
    if (r.status !== 0) t.log(r.stderr);
    t.is(r.status, 0, `${name} exited ${r.status} (signal ${r.signal})`);
    t.not(r.stdout.trim(), '', 'the example says what it did');
  });
}
