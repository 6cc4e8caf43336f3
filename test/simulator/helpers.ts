// Shared helpers of the simulator-instance and state-file tests: temporary folders, the real `hcn`
// bin, a lock held by another process, and the walkthrough load balancer through the public API.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { LoadBalancer } from '../../ts/builders';
import type { Hcn } from '../../ts/client';

// <root>/<outDir>/test/simulator → <root>
const root = path.resolve(__dirname, '..', '..', '..');
export const bin = path.join(root, 'dist', 'cli', 'main.js');

/**
 * A fresh folder for one test, removed after it (registered first, so it outlives the clients'
 * teardown). Removal retries: a call written off by its deadline may still finish later (e.g. a
 * timed-out open creates its state file once the lock is free) while the folder is being removed.
 */
export function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-sim-state-'));
  t.teardown(async () => {
    // Each attempt lists the folder again, so a file created after the previous one goes too.
    for (let attempt = 0; ; attempt++) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  return dir;
}

/** The walkthrough's DSR load balancer on frontend 13.0.0.<n>. */
export function spec(n = 13) {
  return LoadBalancer.builder()
    .frontend(`13.0.0.${n}`)
    .backends(['10.0.0.14', '10.0.0.15'])
    .port({ protocol: 'tcp', external: 8000, internal: 80 })
    .dsr()
    .build();
}

/**
 * Runs `body` in a new process, on a fresh simulator instance attached to the state file `file`
 * (the native context is `ctx` there; `body` is the inside of an async function whose result is
 * printed as JSON), and resolves with that result. What another process sees of the file, never
 * this process's cached copy (clients here on the same file share one instance). Rejects with the
 * child's stderr, after `what`.
 */
export function inAnotherProcess<T>(file: string, body: string, what: string): Promise<T> {
  const script = `
    const native = require(${JSON.stringify(path.join(__dirname, '..', '..', 'ts', 'native.js'))});
    (async () => {
      const ctx = native.loadBinding().open({ backend: 'simulated', simulator: 'isolated', threads: 1 });
      try {
        await ctx.simAttach(${JSON.stringify(file)}, false, 30000);
        const out = await (async () => {${body}})();
        process.stdout.write(JSON.stringify(out));
      } finally {
        ctx.close();
      }
    })().catch((e) => { console.error(e); process.exitCode = 1; });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${what} ${file} in another process failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

/**
 * The simulated HNS a state file holds (its snapshot plus its journal), as another process loads
 * it (see inAnotherProcess): the `dump` control's state document.
 */
export function fileState(file: string): Promise<{ LoadBalancers?: Array<{ ID: string }>; [key: string]: unknown }> {
  return inAnotherProcess(file, `return JSON.parse(await ctx.simControlAsync('{"op":"dump"}', 30000)).state;`, 'loading');
}

/** Load balancer IDs (lower case) in a state file, as a fresh instance loads it (see fileState). */
export async function fileLbIds(file: string): Promise<string[]> {
  return ((await fileState(file)).LoadBalancers ?? []).map((lb) => lb.ID.toLowerCase());
}

export async function lbIds(hcn: Hcn): Promise<string[]> {
  return (await hcn.loadBalancers.list()).map((lb) => lb.id).sort();
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `hcn` bin (simulated backend) with `--state file`. */
export function hcnCli(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete full.HCN_BACKEND;
  delete full.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, '--backend', 'simulated', '--state', file, ...args], { env: full, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The first line of `--json` error output. */
export function cliError(r: CliResult): { code: string; message: string; hint: string | null; exitCode: number } {
  return (JSON.parse(r.stderr.trim().split('\n')[0]!) as { error: ReturnType<typeof cliError> }).error;
}

/**
 * Holds the exclusive lock on `lockFile` from another process (flock(1), as a stopped `hcn` would)
 * until released. Resolves once the lock is held.
 */
export async function holdLock(t: ExecutionContext, lockFile: string): Promise<() => void> {
  // Its own process group: releasing kills flock and the command under it (which holds the lock too).
  const child: ChildProcess = spawn('flock', ['--exclusive', lockFile, 'sh', '-c', 'echo held; exec sleep 120'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  t.teardown(release);
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`flock exited (${String(code)}) before holding the lock`)));
    child.stdout!.once('data', () => resolve());
  });
  return release;
}

/** Counts timer ticks while `start()`'s promise is pending (started after the timer): > 0 means the event loop kept running. */
export async function ticksWhile<T>(start: () => Promise<T>): Promise<{ ticks: number; result: PromiseSettledResult<T> }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  try {
    const [result] = await Promise.allSettled([start()]);
    return { ticks, result: result! };
  } finally {
    clearInterval(timer);
  }
}
