// Listing N load balancers against the embedded simulator: the one-hop native `list` (enumerate,
// then open/query/close each ID, shared across the pool's threads) against the paths a caller without it would
// take: enumerate + N×query (N+1 JS↔native hops, one after another or all at once), and a model of
// a binding that exposes open, query and close separately (3N+1 hops). Also the client's
// `loadBalancers.list()`, which adds parsing into LoadBalancerInfo. At the smallest N, the same
// again with a fixed latency added to every simulated HCN call.
// Run: npx tsc -p tsconfig.json && node dist-test/bench/list.js [--quick]
import { loadavg } from 'node:os';
import type { NativeContext } from '../ts/native';
import {
  Q,
  TIMEOUT,
  callDelta,
  createMany,
  defaultEndpoints,
  flags,
  machine,
  median,
  now,
  openClientSim,
  printTable,
  sim,
  simStats,
  writeResults,
} from './common';

const LATENCY_MS = 1;

type Method = { name: string; hops: (n: number) => number; run: () => Promise<number> };

async function main(): Promise<void> {
  const { quick } = flags();
  const sizes = quick ? [100, 1000] : [100, 1000, 5000];
  const reps = quick ? 2 : 5;
  const info = machine();
  const { hcn, ctx } = await openClientSim(4);
  sim(ctx, { op: 'reset' });
  const backends = await defaultEndpoints(ctx);

  const ids = async (c: NativeContext): Promise<string[]> => JSON.parse(await c.enumerate('loadBalancer', Q, TIMEOUT)) as string[];
  // The cheapest round trip the binding has: HNSCall GET /globals/version, no object lookup.
  const hop = (): Promise<string> => ctx.hnsCall('GET', '/globals/version', '', TIMEOUT);
  const methods: Method[] = [
    { name: 'native list', hops: () => 1, run: async () => (await ctx.list('loadBalancer', Q, Q, TIMEOUT)).length },
    {
      name: 'enumerate + N×query, sequential',
      hops: (n) => n + 1,
      run: async () => {
        let count = 0;
        for (const id of await ids(ctx)) {
          await ctx.query('loadBalancer', id, Q, TIMEOUT);
          count++;
        }
        return count;
      },
    },
    {
      name: 'enumerate + N×query, Promise.all',
      hops: (n) => n + 1,
      run: async () => (await Promise.all((await ids(ctx)).map((id) => ctx.query('loadBalancer', id, Q, TIMEOUT)))).length,
    },
    {
      name: 'model: enumerate + N×(open, query, close), sequential',
      hops: (n) => 3 * n + 1,
      run: async () => {
        let count = 0;
        for (const id of await ids(ctx)) {
          await hop(); // stands for HcnOpenLoadBalancer as its own hop
          await ctx.query('loadBalancer', id, Q, TIMEOUT);
          await hop(); // stands for HcnCloseLoadBalancer as its own hop
          count++;
        }
        return count;
      },
    },
    { name: 'client loadBalancers.list()', hops: () => 1, run: async () => (await hcn.loadBalancers.list()).length },
  ];

  const rows: Array<Record<string, string | number>> = [];
  const results: Array<Record<string, unknown>> = [];
  const latencyRows: Array<Record<string, string | number>> = [];

  // Real HNS calls are RPCs to the HNS service: every one costs time the simulator does not spend.
  // With a fixed per-call latency, one serial hop competes with N calls spread over the pool.
  const withLatency = async (n: number): Promise<void> => {
    sim(ctx, { op: 'latency', operation: '*', ms: LATENCY_MS });
    const timesL: Record<string, number[]> = {};
    const chosen = methods.filter((m) => !m.name.startsWith('model'));
    for (let r = 0; r < 3; r++) {
      for (const m of chosen) {
        const t = now();
        await m.run();
        (timesL[m.name] ??= []).push(Number(now() - t) / 1e6);
      }
    }
    sim(ctx, { op: 'latency', operation: '*', ms: 0 });
    const base = median(timesL['native list']!);
    for (const m of chosen) {
      const ms = median(timesL[m.name]!);
      latencyRows.push({ N: n, method: m.name, 'wall ms': ms, 'wall ÷ list': ms / base });
      results.push({ n, latencyPerHcnCallMs: LATENCY_MS, method: m.name, medianWallMs: ms, wallMs: timesL[m.name], wallRatioToList: ms / base });
    }
  };
  let have = 0;
  for (const n of sizes) {
    const setupStart = now();
    await createMany(ctx, backends, have, n);
    const setupMs = Number(now() - setupStart) / 1e6;
    have = n;

    // Warm-up, and the HCN calls each method makes (from the simulator's counters).
    const hcnCalls: Record<string, Record<string, number>> = {};
    for (const m of methods) {
      const before = simStats(ctx);
      const got = await m.run();
      if (got !== n) throw new Error(`${m.name}: listed ${got} of ${n} load balancers`);
      hcnCalls[m.name] = callDelta(before, simStats(ctx));
    }

    // Repetitions interleave the methods, so a burst of outside load hits them alike.
    const times: Record<string, number[]> = Object.fromEntries(methods.map((m) => [m.name, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(methods.map((m) => [m.name, []]));
    for (let r = 0; r < reps; r++) {
      for (const m of r % 2 === 0 ? methods : [...methods].reverse()) {
        const c = process.cpuUsage();
        const t = now();
        await m.run();
        times[m.name]!.push(Number(now() - t) / 1e6);
        const used = process.cpuUsage(c);
        cpu[m.name]!.push((used.user + used.system) / 1e3);
      }
    }
    const base = median(times['native list']!);
    const baseCpu = median(cpu['native list']!);
    for (const m of methods) {
      const ms = median(times[m.name]!);
      const cpuMs = median(cpu[m.name]!);
      const calls = Object.values(hcnCalls[m.name]!).reduce((a, b) => a + b, 0);
      rows.push({
        N: n,
        method: m.name,
        'JS↔native hops': m.hops(n),
        'HCN calls': calls,
        'wall ms': ms,
        'CPU ms': cpuMs,
        'wall µs/LB': (ms * 1000) / n,
        'wall ÷ list': ms / base,
        'CPU ÷ list': cpuMs / baseCpu,
      });
      results.push({
        n,
        method: m.name,
        hops: m.hops(n),
        hcnCalls: hcnCalls[m.name],
        medianWallMs: ms,
        medianCpuMs: cpuMs,
        wallMs: times[m.name],
        cpuMs: cpu[m.name],
        wallRatioToList: ms / base,
        cpuRatioToList: cpuMs / baseCpu,
      });
    }
    if (n === sizes[0]) await withLatency(n);
    results.push({ n, setupMs, note: `creating load balancers ${n === sizes[0] ? 0 : sizes[sizes.indexOf(n) - 1]}..${n - 1}` });
    console.error(`N=${n}: set-up ${setupMs.toFixed(0)} ms, ${reps} repetitions done`);
  }
  printTable('Listing N load balancers (median of repetitions; CPU = process user+system, all threads; ratios within this run)', rows);
  printTable(`Listing with ${LATENCY_MS} ms added to every HCN call (an assumed RPC cost; 3 repetitions)`, latencyRows);
  console.log(`load average at start ${JSON.stringify(info.loadavgAtStart)}, at end ${JSON.stringify(loadavg())}`);

  // Counted on the client's own simulator while it is still open (its context closes with it).
  const leak = simStats(ctx);
  await hcn.close();
  const file = writeResults(quick ? 'list-quick' : 'list', {
    bench: 'list',
    machine: info,
    repetitions: reps,
    modelNote: 'the 3N+1 model uses HNSCall GET /globals/version as the stand-in hop for open and for close',
    loadavgAtEnd: loadavg(),
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
