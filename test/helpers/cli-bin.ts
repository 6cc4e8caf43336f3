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

/** Runs `hcn --backend simulated ...args` in `dir` with `dir/state.json` as the simulator state. */
export function hcnIn(dir: string, args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; simulated?: boolean } = {}): Promise<BinResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HCN_SIM_STATE: path.join(dir, 'state.json'), NO_COLOR: '1', ...options.env };
  if (options.env?.HCN_BACKEND === undefined) delete env.HCN_BACKEND;
  delete env.FORCE_COLOR;
  const pre = options.simulated === false ? [] : ['--backend', 'simulated'];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...pre, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.stdin ?? '');
  });
}
