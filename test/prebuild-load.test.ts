// The shipped prebuild for this platform loads the way an installed package loads it: node-gyp-build
// with PREBUILDS_ONLY=1 and no HCN_SDK_ADDON, in a fresh process, and drives the embedded simulator.
// `npm run prebuild` makes the prebuilds; the Windows-ABI lane runs this file inside Windows node.exe
// (prebuilds/win32-x64) with HCN_REQUIRE_PREBUILD=1, so a missing prebuild fails instead of skipping.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { packageRoot } from '../ts/native';

const root = packageRoot();
const tag = `${process.platform}-${process.arch}`;
const folder = path.join(root, 'prebuilds', tag);
const prebuilds = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.node')) : [];
const required = process.env.HCN_REQUIRE_PREBUILD === '1';

interface ChildReport {
  resolved: string;
  version: string;
  backend: string;
  networkIds: string[];
  pool: { threads: number; busy: number; stuck: number; queued: number };
}

// Runs in the child: resolve and load exactly as ts/native.ts does without an override.
const childScript = `
const native = require(process.argv[1]);
const resolved = require('node-gyp-build').resolve(process.argv[2]);
const binding = native.loadBinding();
const ctx = binding.open({ backend: 'simulated', threads: 2 });
ctx.enumerate('network', JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 } }), 30000).then(
  (ids) => {
    const report = { resolved, version: binding.version, backend: ctx.backend, networkIds: JSON.parse(ids), pool: ctx.stats() };
    ctx.close();
    process.stdout.write(JSON.stringify(report));
  },
  (err) => { console.error(err); process.exitCode = 1; },
);
`;

function loadInChild(): ChildReport {
  const env: NodeJS.ProcessEnv = { ...process.env, PREBUILDS_ONLY: '1' };
  delete env.HCN_SDK_ADDON;
  delete env.HCN_SDK_PREBUILD; // node-gyp-build's per-package folder override
  const nativeModule = require.resolve('../ts/native');
  const out = execFileSync(process.execPath, ['-e', childScript, nativeModule, root], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out) as ChildReport;
}

const title = `the ${tag} prebuild loads with PREBUILDS_ONLY=1 and drives the simulator`;

if (prebuilds.length === 0 && !required) {
  test.skip(`${title} (skipped: no prebuilds/${tag}/*.node here; run npm run prebuild)`, () => {});
} else {
  test(title, (t) => {
    t.true(prebuilds.length > 0, `prebuilds/${tag}/ holds no .node file (run npm run prebuild)`);
    const report = loadInChild();
    t.is(path.dirname(path.resolve(report.resolved)), folder, 'node-gyp-build picked a file outside the prebuild folder');
    t.true(prebuilds.includes(path.basename(report.resolved)));
    t.is(report.backend, 'simulated');
    t.is(typeof report.version, 'string');
    t.true(report.version.length > 0);
    // The default topology has the overlay network vxlan0 and nothing else.
    t.is(report.networkIds.length, 1);
    t.regex(report.networkIds[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    t.is(report.pool.busy, 0);
    t.is(report.pool.queued, 0);
  });
}
