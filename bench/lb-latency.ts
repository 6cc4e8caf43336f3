// Latency of create, query and delete of one load balancer while N others exist (N = 0, 1000,
// 5000), against the embedded simulator, through the raw binding and through the client. A
// bridge round trip with almost no simulator work (HNSCall GET /globals/version) is the floor;
// the growth of create/query/delete with N is the simulator's own cost scaling.
// Run: npx tsc -p tsconfig.json && node dist-test/bench/lb-latency.js [--quick]
import { loadavg } from 'node:os';
import { LoadBalancer } from '../ts/builders';
import {
  Q,
  TIMEOUT,
  createMany,
  defaultEndpoints,
  flags,
  histogram,
  lbSettings,
  machine,
  now,
  openClientSim,
  printTable,
  sim,
  simStats,
  writeResults,
} from './common';
import type { Histogram } from './common';

/** Times one awaited call: wall µs, and process CPU µs (all threads; sequential calls only). */
async function timed<T>(fn: () => Promise<T>, wall: number[], cpu: number[]): Promise<T> {
  const c = process.cpuUsage();
  const t = now();
  const value = await fn();
  wall.push(Number(now() - t) / 1e3);
  const used = process.cpuUsage(c);
  cpu.push(used.user + used.system);
  return value;
}

async function main(): Promise<void> {
  const { quick } = flags();
  const sizes = quick ? [0, 1000] : [0, 1000, 5000];
  const samples = quick ? 60 : 300;
  const warmup = 30;
  const info = machine();
  const { hcn, ctx } = await openClientSim(4);
  sim(ctx, { op: 'reset' });
  const backends = await defaultEndpoints(ctx);
  await hcn.features(); // read once; every create after this uses the cached version

  // Indices for lbSettings: the existing N use 0..N-1, measured ones far above (no collisions).
  let next = 1_000_000;
  const spec = (index: number) =>
    LoadBalancer.builder()
      .frontend(`12.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`)
      .backends(backends)
      .port({ protocol: 'tcp', external: 80, internal: 8080 })
      .dsr()
      .build();

  const ops = ['floor (HNSCall version)', 'create', 'query', 'delete'] as const;
  type Series = { wall: number[]; cpu: number[] };
  const rows: Array<Record<string, string | number>> = [];
  const results: Array<Record<string, unknown>> = [];
  const p50: Record<string, Record<number, number>> = {};
  let have = 0;
  for (const n of sizes) {
    await createMany(ctx, backends, have, n);
    have = n;
    const series: Record<string, Series> = {};
    for (const layer of ['raw', 'client']) for (const op of ops) series[`${layer} ${op}`] = { wall: [], cpu: [] };
    const s = (key: string): Series => series[key]!;

    for (let i = 0; i < warmup + samples; i++) {
      const keep = i >= warmup;
      const sink: Series = { wall: [], cpu: [] };
      const pick = (key: string): Series => (keep ? s(key) : sink);
      // Raw binding: what the native layer and the simulator cost.
      await timed(() => ctx.hnsCall('GET', '/globals/version', '', TIMEOUT), pick('raw floor (HNSCall version)').wall, pick('raw floor (HNSCall version)').cpu);
      const props = await timed(() => ctx.create('loadBalancer', null, lbSettings(backends, next++), Q, TIMEOUT), pick('raw create').wall, pick('raw create').cpu);
      const id = (JSON.parse(props) as { ID: string }).ID;
      await timed(() => ctx.query('loadBalancer', id, Q, TIMEOUT), pick('raw query').wall, pick('raw query').cpu);
      await timed(() => ctx.remove('loadBalancer', id, TIMEOUT), pick('raw delete').wall, pick('raw delete').cpu);
      // Client: validation, serialisation, per-frontend queue, error mapping and parsing on top.
      await timed(() => hcn.hnsCall('GET', '/globals/version'), pick('client floor (HNSCall version)').wall, pick('client floor (HNSCall version)').cpu);
      const lb = await timed(() => hcn.loadBalancers.create(spec(next++)), pick('client create').wall, pick('client create').cpu);
      await timed(() => hcn.loadBalancers.get(lb.id), pick('client query').wall, pick('client query').cpu);
      const gone = await timed(() => hcn.loadBalancers.delete(lb.id), pick('client delete').wall, pick('client delete').cpu);
      if (!gone) throw new Error('client delete found nothing to delete');
    }
    const count = (sim<{ counts: { loadBalancers: number } }>(ctx, { op: 'status' })).counts.loadBalancers;
    if (count !== n) throw new Error(`expected ${n} load balancers after the run, found ${count}`);

    for (const [key, v] of Object.entries(series)) {
      const h: Histogram = histogram(v.wall);
      const cpuMean = v.cpu.reduce((a, b) => a + b, 0) / v.cpu.length;
      (p50[key] ??= {})[n] = h.p50;
      rows.push({ N: n, operation: key, 'p50 µs': h.p50, 'p90 µs': h.p90, 'p99 µs': h.p99, 'max µs': h.max, 'CPU µs (mean)': Math.round(cpuMean) });
      results.push({ n, operation: key, wallMicros: h, cpuMicrosMean: Math.round(cpuMean) });
    }
    console.error(`N=${n}: ${samples} samples per operation done`);
  }
  printTable(`create/query/delete latency with N load balancers present (${samples} sequential samples each; wall clock)`, rows);

  // Cost per existing load balancer: slope of p50 between the two largest N.
  const [a, b] = sizes.slice(-2) as [number, number];
  const slopes = Object.entries(p50).map(([key, byN]) => ({
    operation: key,
    [`p50 at ${a}`]: byN[a]!,
    [`p50 at ${b}`]: byN[b]!,
    'µs per 1000 existing LBs': ((byN[b]! - byN[a]!) / (b - a)) * 1000,
  }));
  printTable('Scaling: growth of p50 with N', slopes);
  console.log(`load average at start ${JSON.stringify(info.loadavgAtStart)}, at end ${JSON.stringify(loadavg())}`);

  // Counted on the client's own simulator while it is still open (its context closes with it).
  const leak = simStats(ctx);
  await hcn.close();
  const file = writeResults(quick ? 'lb-latency-quick' : 'lb-latency', {
    bench: 'lb-latency',
    machine: info,
    loadavgAtEnd: loadavg(),
    samplesPerOperation: samples,
    results,
    scaling: slopes,
    liveHandles: leak.liveHandles,
    liveStrings: leak.liveStrings,
  });
  console.log(`\nresults: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
