// The performance targets of issue 8, each measured against its floor in the same run:
//   (1) 10k create+delete at concurrency 64: client and raw binding ÷ the C++ floor (bench/floor/)
//   (2) create p50 at concurrency 1: client and raw ÷ the C++ floor
//   (3) event-loop delay p99/max during a 10k-create burst at concurrency 64 (client; raw for reference)
//   (4) loadBalancers.list() of 10k ÷ the native one-hop list
//   (5) kube-proxy scale from empty: remote endpoints, then plan + apply of DSR services (÷ C++ floor)
//   (6) the same with 2 ms per HNS call: wall time over the ideal (calls × 2 ms ÷ pool threads)
//   (7) client heap when load balancers it has seen are created and deleted by another client
//   (8) CLI start-up: `hcn lb list` on an empty state ÷ bare `node -e 0`
// Each of (1)–(6) runs 3 times (interleaved with its floor) and reports the median; (7) runs once.
// Run: npx tsc -p tsconfig.json && node --expose-gc dist-test/bench/targets.js [--quick] [--out name]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LoadBalancer } from '../ts/builders';
import { Hcn } from '../ts/client';
import { packageRoot, type NativeContext } from '../ts/native';
import { coreOf } from '../ts/client/core';
import { applyPlan, planLoadBalancers } from '../ts/reconcile';
import { Q, TIMEOUT, callDelta, flags, machine, median, now, printTable, sim, simStats, writeResults } from './common';
import { runFloor } from './floor';

const NETWORK = '6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001';
const PODS = ['3F8E6B21-5C7D-4E19-A0B4-0A000000000E', '3F8E6B21-5C7D-4E19-A0B4-0A000000000F'];
const PA = '10.231.111.98';

const { quick } = flags();
const outName = (() => {
  const i = process.argv.indexOf('--out');
  return i >= 0 ? process.argv[i + 1]! : quick ? 'targets-quick' : 'targets';
})();
const REPEATS = 3;
const SIZES = quick
  ? { burst: 5000, seq: 150, kubeEndpoints: 1000, kubeServices: 400, latEndpoints: 300, latServices: 120, memTotal: 5000 }
  : { burst: 10_000, seq: 500, kubeEndpoints: 5000, kubeServices: 2000, latEndpoints: 5000, latServices: 2000, memTotal: 100_000 };
const KUBE_THREADS = 16;
const LATENCY_MS = 2;

const gc: () => void = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc as () => void;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const vip = (first: number, i: number): string => `${first}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const remoteIp = (i: number): string => `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const spec = (i: number, backends: string[] = PODS) =>
  LoadBalancer.builder().frontend(vip(11, i)).backends(backends).port({ protocol: 'tcp', external: 80, internal: 8080 }).dsr().build();

/** Runs `body(i)` for i in [0, count) with `width` calls in flight. */
async function inFlight(count: number, width: number, body: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await body(i);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

const ms = (from: bigint): number => Number(now() - from) / 1e6;
/** Process CPU ms (all threads) since `from`: steadier than wall time on a loaded machine. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e3;
};

/**
 * The client's own native context: raw binding calls on the same (private, in-memory) simulated
 * HNS, past the client's code; "another client" for the memory measure.
 */
function rawOf(hcn: Hcn): NativeContext {
  return coreOf.get(hcn)!.rawContext;
}

async function openClient(threads = 4): Promise<Hcn> {
  const hcn = await Hcn.open({ backend: 'simulated', statePath: null, timeoutMs: TIMEOUT, threads });
  await hcn.features();
  return hcn;
}

// ------------------------------------------------------------------ (1) create+delete at 64

async function createDelete(): Promise<Record<string, number>> {
  const n = SIZES.burst;
  const hcn = await openClient();
  const ctx = rawOf(hcn);
  let c0 = process.cpuUsage();
  let t = now();
  await inFlight(n, 64, async (i) => {
    const h = await hcn.loadBalancers.create(spec(i));
    await hcn.loadBalancers.delete(h.id);
  });
  const client = ms(t);
  const clientCpu = cpuMs(c0);
  const settings = (i: number): string =>
    JSON.stringify({ HostComputeEndpoints: PODS, FrontendVIPs: [vip(11, i)], PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1 });
  c0 = process.cpuUsage();
  t = now();
  await inFlight(n, 64, async (i) => {
    const props = await ctx.create('loadBalancer', null, settings(i), Q, TIMEOUT);
    await ctx.remove('loadBalancer', (JSON.parse(props) as { ID: string }).ID, TIMEOUT);
  });
  const raw = ms(t);
  const rawCpu = cpuMs(c0);
  await hcn.close();
  // The floor's best of 1 and 4 threads: on 2 loaded cores, 4 threads on the simulator's one
  // state lock can be slower than one.
  const f4 = runFloor(['create-delete', n, 4]);
  const f1 = runFloor(['create-delete', n, 1]);
  const floor = Math.min(f4.wallMs!, f1.wallMs!);
  const floorCpu = Math.min(f4.cpuMs!, f1.cpuMs!);
  return {
    clientMs: client,
    rawMs: raw,
    floorMs: floor,
    clientRatio: client / floor,
    rawRatio: raw / floor,
    clientCpuMs: clientCpu,
    rawCpuMs: rawCpu,
    floorCpuMs: floorCpu,
    clientCpuRatio: clientCpu / floorCpu,
    rawCpuRatio: rawCpu / floorCpu,
  };
}

// ------------------------------------------------------------------ (2) create p50 at 1

async function createSequential(): Promise<Record<string, number>> {
  const n = SIZES.seq;
  const hcn = await openClient();
  const ctx = rawOf(hcn);
  const client: number[] = [];
  const raw: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push((await hcn.loadBalancers.create(spec(900_000 + i))).id); // warm-up
  let clientCpu = 0;
  let rawCpu = 0;
  for (let i = 0; i < n; i++) {
    let c = process.cpuUsage();
    let t = now();
    const h = await hcn.loadBalancers.create(spec(i));
    client.push(Number(now() - t) / 1e3);
    clientCpu += cpuMs(c) * 1e3;
    ids.push(h.id);
    const settings = JSON.stringify({ HostComputeEndpoints: PODS, FrontendVIPs: [vip(13, i)], PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1 });
    c = process.cpuUsage();
    t = now();
    const props = await ctx.create('loadBalancer', null, settings, Q, TIMEOUT);
    raw.push(Number(now() - t) / 1e3);
    rawCpu += cpuMs(c) * 1e3;
    ids.push((JSON.parse(props) as { ID: string }).ID);
  }
  await inFlight(ids.length, 16, (i) => ctx.remove('loadBalancer', ids[i]!, TIMEOUT));
  await hcn.close();
  const floor = runFloor(['create-seq', n]).p50Us!;
  const c = median(client);
  const r = median(raw);
  return { clientP50Us: c, rawP50Us: r, floorP50Us: floor, clientRatio: c / floor, rawRatio: r / floor, clientCpuUs: clientCpu / n, rawCpuUs: rawCpu / n };
}

// ------------------------------------------------------------------ (3) loop delay, (4) list

async function burstAndList(): Promise<Record<string, number>> {
  const n = SIZES.burst;
  const hcn = await openClient();
  const ctx = rawOf(hcn);
  const ids: string[] = [];
  // The machine's own delay for an idle process right now (other load on the box shows up here).
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 500));
  idle.disable();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let t = now();
  await inFlight(n, 64, async (i) => {
    ids.push((await hcn.loadBalancers.create(spec(i))).id);
  });
  const burstMs = ms(t);
  h.disable();
  const client = { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };

  // (4) with the n load balancers present: the client's list against the native one-hop list.
  const clientList: number[] = [];
  const nativeList: number[] = [];
  for (let k = 0; k < 3; k++) {
    t = now();
    const a = await ctx.list('loadBalancer', Q, Q, TIMEOUT);
    nativeList.push(ms(t));
    t = now();
    const b = await hcn.loadBalancers.list();
    clientList.push(ms(t));
    if (a.length !== n || b.length !== n) throw new Error(`list: expected ${n}, got ${a.length} / ${b.length}`);
  }
  await inFlight(ids.length, 16, (i) => ctx.remove('loadBalancer', ids[i]!, TIMEOUT));

  // The raw binding's own delay under the same burst, for reference.
  const settings = (i: number): string =>
    JSON.stringify({ HostComputeEndpoints: PODS, FrontendVIPs: [vip(11, i)], PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1 });
  const rawIds: string[] = [];
  const h2 = monitorEventLoopDelay({ resolution: 1 });
  h2.enable();
  await inFlight(n, 64, async (i) => {
    rawIds.push((JSON.parse(await ctx.create('loadBalancer', null, settings(i), Q, TIMEOUT)) as { ID: string }).ID);
  });
  h2.disable();
  await inFlight(rawIds.length, 16, (i) => ctx.remove('loadBalancer', rawIds[i]!, TIMEOUT));
  const { deliveries, largestDelivery } = hcn.poolStats() as { deliveries?: number; largestDelivery?: number };
  await hcn.close();
  const cl = median(clientList);
  const nl = median(nativeList);
  return {
    burstMs,
    loopDelayP99Ms: client.p99,
    loopDelayMaxMs: client.max,
    rawLoopDelayP99Ms: h2.percentile(99) / 1e6,
    rawLoopDelayMaxMs: h2.max / 1e6,
    idleLoopDelayP99Ms: idle.percentile(99) / 1e6,
    deliveries: deliveries ?? NaN,
    largestDelivery: largestDelivery ?? NaN,
    clientListMs: cl,
    nativeListMs: nl,
    listRatio: cl / nl,
  };
}

// ------------------------------------------------------------------ (5), (6) kube-proxy scale

async function kube(endpoints: number, services: number, latencyMs: number): Promise<Record<string, number>> {
  const hcn = await openClient(KUBE_THREADS);
  const ctx = rawOf(hcn);
  if (latencyMs > 0) sim(ctx, { op: 'latency', operation: '*', ms: latencyMs });
  const s0 = simStats(ctx);
  const t0 = now();
  await inFlight(endpoints, 64, (i) => hcn.endpoints.createRemote({ network: NETWORK, ip: remoteIp(i), providerAddress: PA }));
  const createRemoteMs = ms(t0);
  const s1 = simStats(ctx);
  const desired = Array.from({ length: services }, (_, i) =>
    LoadBalancer.builder()
      .frontend(vip(12, i))
      .backends([0, 1, 2].map((k) => remoteIp((i * 3 + k) % endpoints)))
      .port({ protocol: 'tcp', external: 80, internal: 8080 })
      .dsr()
      .build(),
  );
  let t = now();
  const plan = await planLoadBalancers(hcn, desired);
  const planMs = ms(t);
  const s2 = simStats(ctx);
  t = now();
  const result = await applyPlan(hcn, plan, { concurrency: KUBE_THREADS });
  const applyMs = ms(t);
  const wallMs = ms(t0);
  const s3 = simStats(ctx);
  if (!result.complete || plan.create.length !== services) {
    const bad = result.results.find((r) => r.status !== 'ok');
    throw new Error(`kube: plan.create ${plan.create.length}, counts ${JSON.stringify(result.counts)}: ${String((bad as { error?: unknown } | undefined)?.error)}`);
  }
  sim(ctx, { op: 'latency', operation: '*', ms: 0 });
  await hcn.close();
  const count = (a: ReturnType<typeof simStats>, b: ReturnType<typeof simStats>): number =>
    Object.entries(callDelta(a, b))
      .filter(([op]) => op.startsWith('Hcn') || op === 'HNSCall')
      .reduce((x, [, v]) => x + v, 0);
  const calls = { remote: count(s0, s1), plan: count(s1, s2), apply: count(s2, s3) };
  const out: Record<string, number> = {
    createRemoteMs,
    planMs,
    applyMs,
    wallMs,
    callsPerEndpoint: calls.remote / endpoints,
    planCalls: calls.plan,
    applyCalls: calls.apply,
  };
  if (latencyMs > 0) {
    const ideal = (c: number): number => (c * latencyMs) / KUBE_THREADS;
    out.idealMs = ideal(calls.remote + calls.plan + calls.apply);
    out.overallOverPct = (wallMs / out.idealMs - 1) * 100;
    out.applyOverPct = (applyMs / ideal(calls.apply) - 1) * 100;
    // What this machine makes of the same sleeps: the C++ floor with the same latency and threads
    // (on a loaded box a 2 ms sleep overshoots; the floor pays that too).
    const floor = runFloor(['kube', endpoints, services, KUBE_THREADS, latencyMs]);
    out.floorMs = floor.wallMs!;
    out.floorOverPct = (floor.wallMs! / ideal(endpoints * 5 + services * 3) - 1) * 100;
    out.ratio = wallMs / floor.wallMs!;
  } else {
    const floor = Math.min(runFloor(['kube', endpoints, services, KUBE_THREADS]).wallMs!, runFloor(['kube', endpoints, services, 1]).wallMs!);
    out.floorMs = floor;
    out.ratio = wallMs / floor;
  }
  return out;
}

// ------------------------------------------------------------------ (7) memory

async function memory(): Promise<Record<string, number | number[]>> {
  const hcn = await openClient();
  const ctx = rawOf(hcn);
  const cycle = 1000;
  const cycles = SIZES.memTotal / cycle;
  const settings = (i: number): string =>
    JSON.stringify({ HostComputeEndpoints: PODS, FrontendVIPs: [vip(11, i)], PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1 });
  const heap: number[] = [];
  for (let c = 0; c < cycles; c++) {
    // Another client (the raw context) creates them; this client lists them (and so knows their
    // frontends); the other client deletes them; this client lists again.
    const ids: string[] = [];
    await inFlight(cycle, 16, async (i) => {
      ids.push((JSON.parse(await ctx.create('loadBalancer', null, settings(c * cycle + i), Q, TIMEOUT)) as { ID: string }).ID);
    });
    if ((await hcn.loadBalancers.list()).length !== cycle) throw new Error('memory: list');
    await inFlight(ids.length, 16, (i) => ctx.remove('loadBalancer', ids[i]!, TIMEOUT));
    await hcn.loadBalancers.list();
    gc();
    gc();
    heap.push(process.memoryUsage().heapUsed);
  }
  await hcn.close();
  // Growth per deleted load balancer over the second half (the first fills V8's working set).
  const half = Math.floor(cycles / 2);
  const perLb = (heap[cycles - 1]! - heap[half]!) / ((cycles - 1 - half) * cycle);
  return { total: SIZES.memTotal, heapStartMiB: heap[0]! / 2 ** 20, heapEndMiB: heap[cycles - 1]! / 2 ** 20, bytesPerDeletedLb: perLb };
}

// ------------------------------------------------------------------ (8) CLI start-up

function cliStartup(): Record<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-bench-'));
  const env = { ...process.env, HCN_SIM_STATE: path.join(dir, 'state.json') };
  const main = path.join(packageRoot(), 'dist', 'cli', 'main.js');
  const time = (args: string[]): number => {
    const t = now();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cli: ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms(t);
  };
  time([main, 'lb', 'list']); // creates the state file
  const bare: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < 7; i++) {
    bare.push(time(['-e', '0']));
    cli.push(time([main, 'lb', 'list']));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const c = median(cli);
  const b = median(bare);
  return { cliMs: c, bareNodeMs: b, ratio: c / b };
}

// ------------------------------------------------------------------ main

function medians(runs: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(runs[0]!)) out[k] = median(runs.map((r) => r[k]!));
  return out;
}

async function repeat(name: string, fn: () => Promise<Record<string, number>>): Promise<{ median: Record<string, number>; runs: Array<Record<string, number>> }> {
  const runs: Array<Record<string, number>> = [];
  for (let k = 0; k < REPEATS; k++) {
    runs.push(await fn());
    process.stdout.write(`  ${name} run ${k + 1}/${REPEATS}\n`);
  }
  return { median: medians(runs), runs };
}

async function main(): Promise<void> {
  const info = machine();
  const started = now();
  const cd = await repeat('create+delete', createDelete);
  const seq = await repeat('create p50', createSequential);
  const burst = await repeat('burst+list', burstAndList);
  const kube0 = await repeat('kube', () => kube(SIZES.kubeEndpoints, SIZES.kubeServices, 0));
  const kube2 = await repeat('kube 2ms', () => kube(SIZES.latEndpoints, SIZES.latServices, LATENCY_MS));
  const mem = await memory();
  const cli = cliStartup();
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const rows: Array<Record<string, string>> = [
    { measure: `${SIZES.burst / 1000}k create+delete, concurrency 64: client ÷ C++ floor`, value: `${f(cd.median.clientRatio!)}×`, detail: `client ${f(cd.median.clientMs!, 0)} ms, raw ${f(cd.median.rawMs!, 0)} ms (${f(cd.median.rawRatio!)}×), floor ${f(cd.median.floorMs!, 0)} ms; CPU: client ${f(cd.median.clientCpuMs!, 0)}, raw ${f(cd.median.rawCpuMs!, 0)}, floor ${f(cd.median.floorCpuMs!, 0)} ms (client ${f(cd.median.clientCpuRatio!)}×, raw ${f(cd.median.rawCpuRatio!)}×)`, target: '≤ 2×' },
    { measure: 'create p50, concurrency 1', value: `${f(seq.median.clientP50Us!, 1)} µs`, detail: `raw ${f(seq.median.rawP50Us!, 1)} µs, floor ${f(seq.median.floorP50Us!, 1)} µs; client ÷ floor ${f(seq.median.clientRatio!)}×; CPU per create (all threads): client ${f(seq.median.clientCpuUs!, 1)} µs, raw ${f(seq.median.rawCpuUs!, 1)} µs`, target: '< 50 µs' },
    { measure: `event-loop delay p99, ${SIZES.burst / 1000}k-create burst at 64`, value: `${f(burst.median.loopDelayP99Ms!)} ms`, detail: `max ${f(burst.median.loopDelayMaxMs!)} ms; idle process p99 ${f(burst.median.idleLoopDelayP99Ms!)} ms; raw binding p99 ${f(burst.median.rawLoopDelayP99Ms!)} ms, max ${f(burst.median.rawLoopDelayMaxMs!)} ms; burst ${f(burst.median.burstMs!, 0)} ms`, target: '< 10 ms' },
    { measure: `loadBalancers.list() of ${SIZES.burst / 1000}k ÷ native list`, value: `${f(burst.median.listRatio!)}×`, detail: `client ${f(burst.median.clientListMs!, 1)} ms, native ${f(burst.median.nativeListMs!, 1)} ms`, target: '≤ 1.5×' },
    { measure: `kube-proxy scale: ${SIZES.kubeEndpoints} remote endpoints + plan/apply ${SIZES.kubeServices} services`, value: `${f(kube0.median.wallMs!, 0)} ms`, detail: `createRemote ${f(kube0.median.createRemoteMs!, 0)}, plan ${f(kube0.median.planMs!, 0)}, apply ${f(kube0.median.applyMs!, 0)} ms; ${f(kube0.median.callsPerEndpoint!, 1)} calls/endpoint; C++ floor ${f(kube0.median.floorMs!, 0)} ms (${f(kube0.median.ratio!)}×)`, target: '< 2000 ms' },
    { measure: `same (${SIZES.latEndpoints}/${SIZES.latServices}) at ${LATENCY_MS} ms per HNS call: wall over ideal`, value: `${f(kube2.median.overallOverPct!, 1)} %`, detail: `apply ${f(kube2.median.applyOverPct!, 1)} %; wall ${f(kube2.median.wallMs!, 0)} ms, ideal ${f(kube2.median.idealMs!, 0)} ms (calls × ${LATENCY_MS} ms ÷ ${KUBE_THREADS} threads); C++ floor with the same latency ${f(kube2.median.floorMs!, 0)} ms (${f(kube2.median.floorOverPct!, 1)} % over its ideal; SDK ÷ floor ${f(kube2.median.ratio!)}×)`, target: '< 10 % (apply < 5 %)' },
    { measure: `client heap, ${mem.total} LBs created+deleted by another client`, value: `${f(mem.bytesPerDeletedLb as number, 1)} B/LB`, detail: `heap ${f(mem.heapStartMiB as number)} → ${f(mem.heapEndMiB as number)} MiB`, target: 'flat (≈ 0)' },
    { measure: 'CLI `hcn lb list` (empty state) ÷ `node -e 0`', value: `${f(cli.ratio!)}×`, detail: `${f(cli.cliMs!, 0)} ms vs ${f(cli.bareNodeMs!, 0)} ms`, target: 'lazy loading' },
  ];
  printTable(`Issue 8 targets (median of ${REPEATS}; ${quick ? 'quick sizes' : 'full sizes'}; load average at start ${(info.loadavgAtStart as number[]).join(' ')})`, rows);
  const file = writeResults(outName, {
    machine: info,
    quick,
    sizes: SIZES,
    repeats: REPEATS,
    seconds: Number(now() - started) / 1e9,
    loadavgAtEnd: os.loadavg(),
    createDelete: cd,
    createSequential: seq,
    burstAndList: burst,
    kube: kube0,
    kubeLatency: kube2,
    memory: mem,
    cli,
  });
  console.log(`\nwritten to ${file} (${f(Number(now() - started) / 1e9, 0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
