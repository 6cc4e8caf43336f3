// Runs the REAL compiled `hcn` bin (dist/cli/main.js, built by `npm run build:ts`) as a user would,
// against a simulator state file of its own, with optional standard input.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';

// <root>/<outDir>/test/helpers → <root>
export const root = path.resolve(__dirname, '..', '..', '..');
export const bin = path.join(root, 'dist', 'cli', 'main.js');

/** What a run of the bin printed and its exit code. */
export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary folder for one test (its simulator state lives in `state.json` inside it). */
export function workdir(t: ExecutionContext, prefix = 'hcn-bin-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh simulator state file path for one test, in a folder removed when the test ends. */
export function stateFile(t: ExecutionContext, prefix = 'hcn-bin-test-'): string {
  return path.join(workdir(t, prefix), 'state.json');
}

/** How to run the bin: its standard input, extra environment (an `undefined` value removes a variable), working folder. */
export interface HcnOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** Prepend `--backend simulated` (the default); `false` runs the bin with only `args`. */
  simulated?: boolean;
  cwd?: string;
}

/**
 * Runs the bin with `state` as its simulator state file (`HCN_SIM_STATE`), `NO_COLOR`, and neither
 * `HCN_BACKEND` nor `FORCE_COLOR` from the test's own environment unless `options.env` sets them.
 */
export function hcn(state: string, args: readonly string[], options: HcnOptions = {}): Promise<BinResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HCN_BACKEND: undefined, FORCE_COLOR: undefined, HCN_SIM_STATE: state, NO_COLOR: '1', ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const pre = options.simulated === false ? [] : ['--backend', 'simulated'];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...pre, ...args], { env, cwd: options.cwd, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.stdin ?? '');
  });
}

/** Runs `hcn --backend simulated ...args` in `dir` with `dir/state.json` as the simulator state. */
export function hcnIn(dir: string, args: readonly string[], options: HcnOptions = {}): Promise<BinResult> {
  return hcn(path.join(dir, 'state.json'), args, { cwd: dir, ...options });
}

/** The JSON a successful run printed (the test fails, showing stderr, if the run did not exit 0). */
export function json<T = Record<string, unknown>>(t: ExecutionContext, r: BinResult): T {
  t.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}
