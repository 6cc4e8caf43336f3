// Throughput of a no-fault query of one load balancer at concurrency 1, 8, 64 and 256, through the
// raw binding (ctx.query), the raw binding plus JSON.parse, and the client
// (hcn.loadBalancers.get: deadline, abort wiring, error mapping, parsing into LoadBalancerInfo,
// a handle). At high concurrency completions arrive in batches, so per-op cost should fall;
// the gap between the rows is what the TypeScript layer adds.
// Run: npx tsc -p tsconfig.json && node dist-test/bench/completion-batching.js [--quick]
import { loadavg } from 'node:os';
import { LoadBalancer } from '../ts/builders';
import { Q, TIMEOUT, flags, machine, median, now, openClientSim, printTable, sim, simStats, writeResults } from './common';

interface Run {
  ops: number;
  seconds: number;
  cpuSeconds: number;
}

/** `concurrency` lanes each awaiting `call` in a loop until the time is up. */
async function drive(call: () => Promise<unknown>, concurrency: number, seconds: number): Promise<Run> {
  let ops = 0;
  const c = process.cpuUsage();
  const start = now();
  const end = start + BigInt(Math.round(seconds * 1e9));
  const lane = async (): Promise<void> => {
    while (now() < end) {
      await call();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = Number(now() - start) / 1e9;
  const used = process.cpuUsage(c);
  return { ops, seconds: elapsed, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const { quick } = flags();
  const seconds = quick ? 0.3 : 1;
  const reps = quick ? 2 : 5;
  const levels = [1, 8, 64, 256];
  const threads = 4;
  const info = machine();

  const { hcn, ctx } = await openClientSim(threads);
  sim(ctx, { op: 'reset' });
  const backends = JSON.parse(await ctx.enumerate('endpoint', Q, TIMEOUT)) as string[];
  const lb = await hcn.loadBalancers.create(
    LoadBalancer.builder().frontend('13.0.0.13').backends(backends).port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build(),
  );
  const id = lb.id;

  const layers: Array<{ name: string; call: () => Promise<unknown> }> = [
    { name: 'raw ctx.query', call: () => ctx.query('loadBalancer', id, Q, TIMEOUT) },
    { name: 'raw ctx.query + JSON.parse', call: async () => JSON.parse(await ctx.query('loadBalancer', id, Q, TIMEOUT)) as unknown },
    { name: 'client loadBalancers.get', call: () => hcn.loadBalancers.get(id) },
  ];

  // Warm-up: threads started, JIT hot.
  for (const l of layers) await drive(l.call, 64, quick ? 0.2 : 0.5);

  const rows: Array<Record<string, string | number>> = [];
  const results: Array<Record<string, unknown>> = [];
  for (const concurrency of levels) {
    const perLayer: Record<string, Run[]> = Object.fromEntries(layers.map((l) => [l.name, []]));
    for (let r = 0; r < reps; r++) {
      for (const l of r % 2 === 0 ? layers : [...layers].reverse()) perLayer[l.name]!.push(await drive(l.call, concurrency, seconds));
    }
    const rate = (runs: Run[]): number => median(runs.map((x) => x.ops / x.seconds));
    const cpuPerOp = (runs: Run[]): number => median(runs.map((x) => (x.cpuSeconds / x.ops) * 1e6));
    const rawRate = rate(perLayer['raw ctx.query']!);
    const rawCpu = cpuPerOp(perLayer['raw ctx.query']!);
    for (const l of layers) {
      const runs = perLayer[l.name]!;
      const opsPerSecond = rate(runs);
      const cpu = cpuPerOp(runs);
      rows.push({
        concurrency,
        path: l.name,
        'ops/s': Math.round(opsPerSecond),
        'wall µs/op': 1e6 / opsPerSecond,
        'CPU µs/op': cpu,
        'ops/s ÷ raw': opsPerSecond / rawRate,
        'CPU − raw µs': cpu - rawCpu,
      });
      results.push({
        concurrency,
        path: l.name,
        opsPerSecond: Math.round(opsPerSecond),
        wallMicrosPerOp: 1e6 / opsPerSecond,
        cpuMicrosPerOp: cpu,
        ratioToRaw: opsPerSecond / rawRate,
        runs: runs.map((x) => ({ ops: x.ops, seconds: Math.round(x.seconds * 1000) / 1000, cpuSeconds: Math.round(x.cpuSeconds * 1000) / 1000 })),
      });
    }
    console.error(`concurrency ${concurrency}: done`);
  }
  printTable(`query of one load balancer, ${threads} pool threads (median of ${reps} runs of ${seconds} s; CPU = process, all threads)`, rows);
  console.log(`load average at start ${JSON.stringify(info.loadavgAtStart)}, at end ${JSON.stringify(loadavg())}`);

  await lb.delete();
  // Counted on the client's own simulator while it is still open (its context closes with it).
  const leak = simStats(ctx);
  await hcn.close();
  const file = writeResults(quick ? 'completion-batching-quick' : 'completion-batching', {
    bench: 'completion-batching',
    machine: info,
    loadavgAtEnd: loadavg(),
    poolThreads: threads,
    secondsPerRun: seconds,
    repetitions: reps,
    results,
    liveHandles: leak.liveHandles,
    liveStrings: leak.liveStrings,
  });
  console.log(`\nresults: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
