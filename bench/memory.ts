// Memory after creating and deleting 10,000 load balancers through the client against the embedded
// simulator: RSS, V8 heap and external memory after each cycle (GC forced), and the simulator's
// live handle and string counters, which must be back to 0. Flat RSS across cycles = no native
// leak per call. By default 10 cycles of 1,000; `--hold` creates all 10,000 first, then deletes them.
// Run: npx tsc -p tsconfig.json && node --expose-gc dist-test/bench/memory.js [--quick] [--hold] [--total N]
import { loadavg } from 'node:os';
import { LoadBalancer } from '../ts/builders';
import { Hcn } from '../ts/client';
import type { LoadBalancerHandle } from '../ts/load-balancer-handle';
import { TIMEOUT, flags, machine, now, printTable, settle, writeResults } from './common';

interface Sample {
  phase: string;
  lbsCreated: number;
  lbsPresent: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  liveHandles: number;
  liveStrings: number | null;
}

const MiB = 2 ** 20;

async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    await settle(10);
    gc();
  }
  await settle(10);
}

async function main(): Promise<void> {
  const { quick } = flags();
  const hold = process.argv.includes('--hold');
  const totalArg = process.argv.indexOf('--total');
  const total = totalArg > 0 ? Number(process.argv[totalArg + 1]) : quick ? 2000 : 10_000;
  const cycle = hold ? total : quick ? 500 : 1000;
  const width = 16;
  const info = machine();
  if (!(globalThis as { gc?: unknown }).gc) console.error('note: run with node --expose-gc for stable heap numbers');

  // Its own in-memory simulator: never the user's default state file.
  const hcn = await Hcn.open({ backend: 'simulated', statePath: null, timeoutMs: TIMEOUT });
  const sim = hcn.simulator!;
  sim.reset();
  const backends = (await hcn.endpoints.list({ network: 'vxlan0' })).map((e) => e.id);
  const spec = (i: number) =>
    LoadBalancer.builder()
      .frontend(`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
      .backends(backends)
      .port({ protocol: 'tcp', external: 80, internal: 8080 })
      .dsr()
      .build();

  const samples: Sample[] = [];
  let created = 0;
  const sample = async (phase: string): Promise<Sample> => {
    await collect();
    const m = process.memoryUsage();
    const st = sim.stats();
    const s: Sample = {
      phase,
      lbsCreated: created,
      lbsPresent: (await sim.status()).counts.loadBalancers,
      rssMiB: Math.round((m.rss / MiB) * 10) / 10,
      heapUsedMiB: Math.round((m.heapUsed / MiB) * 10) / 10,
      externalMiB: Math.round((m.external / MiB) * 10) / 10,
      liveHandles: st.liveHandles,
      liveStrings: st.liveStrings,
    };
    samples.push(s);
    return s;
  };

  const createDelete = async (count: number, tag: string): Promise<void> => {
    const handles: LoadBalancerHandle[] = [];
    for (let start = 0; start < count; start += width) {
      const batch = Array.from({ length: Math.min(width, count - start) }, (_, k) => hcn.loadBalancers.create(spec(created + start + k)));
      handles.push(...(await Promise.all(batch)));
    }
    created += count;
    await sample(`${tag}: ${count} present`);
    for (let start = 0; start < handles.length; start += width) {
      const done = await Promise.all(handles.slice(start, start + width).map((h) => h.delete()));
      if (done.some((d) => !d)) throw new Error('a load balancer was already gone');
    }
    handles.length = 0;
  };

  await sample('start');
  // Warm-up: JIT, allocator arenas, simulator containers at their working size.
  await createDelete(200, 'warm-up');
  created = 0;
  const base = await sample('after warm-up');

  const t = now();
  const cycles = total / cycle;
  for (let c = 1; c <= cycles; c++) {
    await createDelete(cycle, `cycle ${c}`);
    await sample(`after cycle ${c}`);
    console.error(`cycle ${c}/${cycles}: ${created} created and deleted`);
  }
  const seconds = Number(now() - t) / 1e9;
  const end = samples[samples.length - 1]!;

  // Growth per cycle over the second half of the cycles: the first ones still grow the allocator's
  // arenas and V8's code space to their working size; a leak keeps growing after that.
  const after = samples.filter((s) => s.phase.startsWith('after cycle'));
  const half = Math.floor(after.length / 2);
  const slope = (key: 'rssMiB' | 'heapUsedMiB'): number =>
    after.length < 4 ? NaN : (after[after.length - 1]![key] - after[half - 1]![key]) / (after.length - half);

  printTable(`memory through the client, ${total} load balancers created and deleted in cycles of ${cycle} (GC forced before each sample)`, samples.map((s) => ({ ...s, liveStrings: s.liveStrings ?? 'n/a' })));
  console.log(
    `\nRSS ${base.rssMiB} → ${end.rssMiB} MiB (${(end.rssMiB - base.rssMiB).toFixed(1)}), heap ${base.heapUsedMiB} → ${end.heapUsedMiB} MiB; ` +
      `growth per cycle over the second half: RSS ${slope('rssMiB').toFixed(2)} MiB, heap ${slope('heapUsedMiB').toFixed(2)} MiB; ` +
      `${((created * 2) / seconds).toFixed(0)} create+delete calls/s`,
  );
  console.log(`load average at start ${JSON.stringify(info.loadavgAtStart)}, at end ${JSON.stringify(loadavg())}`);

  await hcn.close();
  const clean = end.liveHandles === 0 && (end.liveStrings === null || end.liveStrings === 0) && end.lbsPresent === 0;
  console.log(`liveHandles ${end.liveHandles}, liveStrings ${end.liveStrings}, load balancers left ${end.lbsPresent}: ${clean ? 'clean' : 'LEAK'}`);
  const name = quick ? 'memory-quick' : `memory${hold ? '-hold' : ''}${total === 10_000 ? '' : `-${total}`}`;
  const file = writeResults(name, {
    bench: 'memory',
    machine: info,
    loadavgAtEnd: loadavg(),
    gcExposed: Boolean((globalThis as { gc?: unknown }).gc),
    total,
    cycle,
    seconds: Math.round(seconds * 10) / 10,
    growthPerCycleSecondHalfMiB: { rss: slope('rssMiB'), heapUsed: slope('heapUsedMiB') },
    clean,
    samples,
  });
  console.log(`\nresults: ${file}`);
  if (!clean) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
