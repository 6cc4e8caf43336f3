// Shared helpers of the native-layer tests: opening simulator contexts through ts/native.ts,
// simulator control, live handle/string accounting, and child Node processes for lifecycle tests.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { loadBinding, isNativeError } from '../../ts/native';
import type { NativeContext, NativeError, NativeErrorCode, NativeFamily } from '../../ts/native';

export const PROPS = '{"SchemaVersion":{"Major":2,"Minor":0}}';
export const TIMEOUT = 10_000;
export const NULL_GUID = '00000000-0000-0000-0000-000000000000';
export const DISCONNECT = 0x01000000;

/** IDs of the simulator's default topology (src/sim/README.md): network vxlan0 and its two pods. */
export const NET = '6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001';
export const EP14 = '3F8E6B21-5C7D-4E19-A0B4-0A000000000E';
export const EP15 = '3F8E6B21-5C7D-4E19-A0B4-0A000000000F';

/** HRESULTs the native tests expect, unsigned. */
export const E_INVALIDARG = 0x80070057;
export const E_FAIL = 0x80004005;
export const E_HANDLE = 0x80070006;
export const NOT_FOUND = 0x80070490;
export const PORT_IN_USE = 0x803b0013;

/** Every family with the export names its seven verbs use. */
export const FAMILIES: Array<{ family: NativeFamily; singular: string; plural: string }> = [
  { family: 'network', singular: 'Network', plural: 'Networks' },
  { family: 'endpoint', singular: 'Endpoint', plural: 'Endpoints' },
  { family: 'loadBalancer', singular: 'LoadBalancer', plural: 'LoadBalancers' },
  { family: 'namespace', singular: 'Namespace', plural: 'Namespaces' },
];

/**
 * The backend the native tests drive: the embedded simulator, or with HCN_TEST_BACKEND=hcn the
 * real loader path (the Windows-ABI lane sets it: computenetwork.dll there is the simulator DLL).
 */
export const TEST_BACKEND: 'hcn' | 'simulated' = process.env.HCN_TEST_BACKEND === 'hcn' ? 'hcn' : 'simulated';

export function openSim(threads?: number): NativeContext {
  const backend = TEST_BACKEND;
  return loadBinding().open(threads === undefined ? { backend } : { backend, threads });
}

/** Sends a control request and returns the parsed response (throws on a refused request). */
export function sim<T = Record<string, unknown>>(ctx: NativeContext, request: Record<string, unknown>): T {
  return JSON.parse(ctx.simControl(JSON.stringify(request))) as T;
}

export interface SimStats {
  ok: boolean;
  liveHandles: number;
  liveStrings: number | null;
  liveCallbacks: number;
  stateReads: { views: number; wholeLoads: number };
  hung: number;
  calls: Record<string, number>;
}

export function simStats(ctx: NativeContext): SimStats {
  return sim<SimStats>(ctx, { op: 'stats' });
}

export function calls(ctx: NativeContext, operation: string): number {
  return simStats(ctx).calls[operation] ?? 0;
}

/** Polls until `predicate` holds (no timing is asserted; the deadline only bounds a broken run). */
export async function waitFor(predicate: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Asserts that no handle, string or callback registration of the simulator is left alive. */
export async function assertClean(t: ExecutionContext, ctx: NativeContext): Promise<void> {
  // Strings of calls written off by a timeout are freed when those threads return.
  await waitFor(() => ctx.stats().stuck === 0, 'stuck threads to rejoin').catch(() => undefined);
  const s = simStats(ctx);
  t.is(s.liveHandles, 0, 'live HCN handles');
  if (s.liveStrings !== null) t.is(s.liveStrings, 0, "live strings");
  t.is(s.liveCallbacks, 0, 'live service callbacks');
}

/** Awaits a rejection and checks it is a NativeError with the given code. */
export async function rejectsWith(
  t: ExecutionContext,
  promise: Promise<unknown>,
  code: NativeErrorCode,
): Promise<NativeError> {
  const err = await t.throwsAsync(promise);
  if (!isNativeError(err)) {
    t.fail(`not a NativeError: ${String(err)}`);
    throw err;
  }
  t.is(err.code, code, err.message);
  return err;
}

export function throwsWith(t: ExecutionContext, fn: () => unknown, code: NativeErrorCode): NativeError {
  const err = t.throws(fn);
  if (!isNativeError(err)) {
    t.fail(`not a NativeError: ${String(err)}`);
    throw err;
  }
  t.is(err.code, code, err.message);
  return err;
}

/** IDs of the default topology: the vxlan0 network and its two local endpoints. */
export async function topology(ctx: NativeContext): Promise<{ network: string; endpoints: string[] }> {
  const networks = JSON.parse(await ctx.enumerate('network', PROPS, TIMEOUT)) as string[];
  const endpoints = JSON.parse(await ctx.enumerate('endpoint', PROPS, TIMEOUT)) as string[];
  return { network: networks[0]!, endpoints };
}

export function lbSettings(endpoints: string[], vip = '13.0.0.13', port = 8000): string {
  return JSON.stringify({
    HostComputeEndpoints: endpoints,
    FrontendVIPs: [vip],
    PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: port }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 1,
  });
}

export function idOf(properties: string): string {
  return (JSON.parse(properties) as { ID: string }).ID;
}

/** The compiled ts/native.js, for child processes and worker threads. */
export const NATIVE_MODULE = path.join(__dirname, '..', '..', 'ts', 'native.js');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` in a fresh Node process with `NATIVE` bound to the path of ts/native.js. A child
 * that does not exit on its own is killed after `limitMs` (and reported with its signal). The limit
 * is a hang guard, not a timing check: lanes that run many times slower (ASan) scale it with
 * HCN_TEST_HANG_SCALE.
 */
const HANG_SCALE = Math.max(1, Number(process.env['HCN_TEST_HANG_SCALE'] ?? '1') || 1);

export function runNode(script: string, limitMs = 30_000): Promise<ChildResult> {
  limitMs *= HANG_SCALE;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', `const NATIVE = ${JSON.stringify(NATIVE_MODULE)};\n${script}`], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The simulated HNS a state file holds (the snapshot plus its journal), as another process loads it:
 * a child process attaches a fresh simulator instance to the file and dumps it, so nothing this
 * process has cached can stand in for what is on disk. The state document of the `dump` control.
 */
export async function fileState(file: string): Promise<Record<string, unknown>> {
  const r = await runNode(`
    (async () => {
      const fresh = require(NATIVE).loadBinding().open({ backend: 'simulated', simulator: 'isolated', threads: 1 });
      try {
        await fresh.simAttach(${JSON.stringify(file)}, false, ${TIMEOUT});
        process.stdout.write(await fresh.simControlAsync('{"op":"dump"}', ${TIMEOUT}));
      } finally {
        fresh.close();
      }
    })().catch((e) => { console.error(e); process.exitCode = 1; });`);
  if (r.code !== 0) throw new Error(`loading ${file} in another process failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { state: Record<string, unknown> }).state;
}
