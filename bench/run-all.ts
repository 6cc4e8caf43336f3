// Runs every benchmark, each in its own Node process (the simulator is process-wide, and memory
// numbers must not carry over), one after another. Extra arguments (--quick) are passed on.
// Run: npx tsc -p tsconfig.json && node dist-test/bench/run-all.js [--quick]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const benches: Array<{ file: string; nodeArgs: string[] }> = [
  { file: 'targets.js', nodeArgs: ['--expose-gc'] },
  { file: 'list.js', nodeArgs: [] },
  { file: 'lb-latency.js', nodeArgs: [] },
  { file: 'completion-batching.js', nodeArgs: [] },
  { file: 'memory.js', nodeArgs: ['--expose-gc'] },
];

let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b.file.replace(/\.js$/, '')} ===`);
  const r = spawnSync(process.execPath, [...b.nodeArgs, path.join(__dirname, b.file), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${b.file} failed (${r.status ?? r.signal})`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
