// Shared helpers of the benchmarks: clock, summary statistics, the machine description, a plain
// text table, JSON results under bench/results/, and simulator set-up (N load balancers).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBinding, packageRoot } from '../ts/native';
import type { NativeContext } from '../ts/native';
import { Hcn } from '../ts/client';
import { coreOf } from '../ts/client/core';

export const Q = '{"SchemaVersion":{"Major":2,"Minor":0}}';
/** Generous deadline: benchmarks measure speed, they must not time out on a loaded machine. */
export const TIMEOUT = 120_000;

/** Nanoseconds since an arbitrary origin. */
export function now(): bigint {
  return process.hrtime.bigint();
}

/** Microseconds between two `now()` readings. */
export function micros(from: bigint, to: bigint = now()): number {
  return Number(to - from) / 1e3;
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in 0..1) of unsorted values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface Histogram {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** p50/p90/p99 (and min/max/mean) of latencies in microseconds, rounded to 0.1 µs. */
export function histogram(values: number[]): Histogram {
  const r = (x: number): number => Math.round(x * 10) / 10;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    samples: values.length,
    p50: r(quantile(values, 0.5)),
    p90: r(quantile(values, 0.9)),
    p99: r(quantile(values, 0.99)),
    min: r(Math.min(...values)),
    max: r(Math.max(...values)),
    mean: r(mean),
  };
}

/** What the numbers were measured on. Load average matters: other work on the box skews them. */
export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    loadavgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    addon: loadBinding().version,
    addonPath: process.env.HCN_SDK_ADDON ? path.basename(path.dirname(path.dirname(process.env.HCN_SDK_ADDON))) : 'node-gyp-build',
  };
}

/** Prints rows as an aligned text table (numbers right-aligned). */
export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const text = rows.map((r) => cols.map((c) => fmt(r[c])));
  const width = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  const line = (cells: string[], numeric: boolean[]): string =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(width[i]!) : cell.padEnd(width[i]!))).join('  ');
  const isNum = cols.map((c) => typeof rows[0]![c] === 'number');
  console.log(line(cols, isNum));
  console.log(width.map((w) => '-'.repeat(w)).join('  '));
  for (const t of text) console.log(line(t, isNum));
}

function fmt(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 2);
}

/** Writes bench/results/<name>.json in the source tree (not the compiled output folder). */
export function writeResults(name: string, data: Record<string, unknown>): string {
  const dir = path.join(packageRoot(), 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return path.relative(process.cwd(), file);
}

/** Command-line flags shared by every bench: `--quick` (fewer samples, for smoke runs). */
export function flags(): { quick: boolean } {
  return { quick: process.argv.includes('--quick') };
}

// ---------------------------------------------------------------- simulator set-up

export function openSim(threads = 4): NativeContext {
  return loadBinding().open({ backend: 'simulated', threads });
}

/**
 * A client on its own in-memory simulator (never the user's default state file) and the raw binding
 * context of that same simulator, so the raw rows and the client rows see the same load balancers.
 */
export async function openClientSim(threads = 4): Promise<{ hcn: Hcn; ctx: NativeContext }> {
  const hcn = await Hcn.open({ backend: 'simulated', statePath: null, threads, timeoutMs: TIMEOUT });
  return { hcn, ctx: coreOf.get(hcn)!.rawContext };
}

export function sim<T = Record<string, unknown>>(ctx: NativeContext, request: Record<string, unknown>): T {
  return JSON.parse(ctx.simControl(JSON.stringify(request))) as T;
}

export interface SimStats {
  liveHandles: number;
  liveStrings: number | null;
  liveCallbacks: number;
  calls: Record<string, number>;
}

export function simStats(ctx: NativeContext): SimStats {
  return sim<SimStats>(ctx, { op: 'stats' });
}

/** Difference of per-operation call counters (only the ones that moved). */
export function callDelta(before: SimStats, after: SimStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[op] ?? 0);
    if (d !== 0) out[op] = d;
  }
  return out;
}

/** The two local endpoints of the simulator's default topology. */
export async function defaultEndpoints(ctx: NativeContext): Promise<string[]> {
  return JSON.parse(await ctx.enumerate('endpoint', Q, TIMEOUT)) as string[];
}

/**
 * A DSR load balancer on a VIP unique to `index` (11.0.0.0/8 holds 16M of them), TCP 80→8080, so
 * no two collide. The shape of a kube-proxy ClusterIP service.
 */
export function lbSettings(backends: string[], index: number): string {
  const vip = `11.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  return JSON.stringify({
    HostComputeEndpoints: backends,
    FrontendVIPs: [vip],
    PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 1,
  });
}

/** Creates load balancers `from`..`to-1` (indices for lbSettings), `width` at a time. Returns their IDs. */
export async function createMany(
  ctx: NativeContext,
  backends: string[],
  from: number,
  to: number,
  width = 16,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = from; start < to; start += width) {
    const end = Math.min(to, start + width);
    const batch = await Promise.all(
      Array.from({ length: end - start }, (_, k) =>
        ctx.create('loadBalancer', null, lbSettings(backends, start + k), Q, TIMEOUT),
      ),
    );
    for (const props of batch) ids.push((JSON.parse(props) as { ID: string }).ID);
  }
  return ids;
}

/** Deletes the given load balancers, `width` at a time. */
export async function deleteMany(ctx: NativeContext, ids: string[], width = 16): Promise<void> {
  for (let start = 0; start < ids.length; start += width) {
    await Promise.all(ids.slice(start, start + width).map((id) => ctx.remove('loadBalancer', id, TIMEOUT)));
  }
}

/** Yields to the event loop (lets GC and pending completions settle between phases). */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
