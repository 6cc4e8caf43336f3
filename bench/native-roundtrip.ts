// Round trips through the native bridge against the embedded simulator: ops/s of `query`
// (open + query + close of one endpoint) at concurrency 1 and 64. Prints numbers; not a test.
// Run: npx tsc -p tsconfig.json && node dist-test/bench/native-roundtrip.js [seconds per run]
import { loadBinding } from '../ts/native';

const PROPS = '{"SchemaVersion":{"Major":2,"Minor":0}}';

async function run(concurrency: number, seconds: number, threads: number): Promise<void> {
  const ctx = loadBinding().open({ backend: 'simulated', threads });
  ctx.simControl('{"op":"reset"}');
  const ids = JSON.parse(await ctx.enumerate('endpoint', PROPS, 10_000)) as string[];
  const id = ids[0]!;
  // Warm-up: threads started, code paths hot.
  await Promise.all(Array.from({ length: 1000 }, () => ctx.query('endpoint', id, PROPS, 10_000)));

  let ops = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  async function lane(): Promise<void> {
    while (process.hrtime.bigint() < end) {
      await ctx.query('endpoint', id, PROPS, 10_000);
      ops++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = ops / elapsed;
  console.log(
    `query  concurrency ${String(concurrency).padStart(2)}  threads ${threads}  ` +
      `${Math.round(perSecond).toLocaleString('en-US').padStart(9)} ops/s  ` +
      `${((1e6 / perSecond) as number).toFixed(2).padStart(7)} µs/op  (${ops} ops in ${elapsed.toFixed(2)} s)`,
  );
  ctx.close();
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? '2');
  console.log(`node ${process.version}, addon ${loadBinding().version}`);
  await run(1, seconds, 4);
  await run(64, seconds, 4);
}

void main();
