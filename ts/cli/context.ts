// What every `hcn` subcommand gets: the resolved global options (--json, --backend, --state,
// --timeout, --progress, --color), the output streams, and a way to open the SDK client once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendName, Hcn } from '../client';
import { parseBackendNameArg, parseTimeoutArg } from './args';
import { readAll } from './desired-file';
import { makeStyle, shouldColor, type Style } from './format';
import { renderErrorText, type CliErrorJson } from './report-error';
import { defaultStatePath } from './state-path';
import { CliOperationError, UsageError } from './usage-error';

/** A stream the command writes to. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The process around the command; injected so parsing and output are testable in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Only used to pick the default backend and the default state directory. */
  platform: NodeJS.Platform;
  homedir: string;
  /** Reads all of standard input (`-f -`); defaults to the process's stdin. */
  readStdin?: () => Promise<string>;
  /** Opens the SDK client (tests may pass a fake); defaults to `Hcn.open`. */
  openHcn?: (options: { backend: BackendName; statePath?: string | null; timeoutMs?: number; recoverCorruptState?: boolean }) => Promise<Hcn>;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    readStdin: () => readAll(process.stdin),
  };
}

/** Global options as commander hands them over (merged from `hcn` and the subcommand). */
export interface RawGlobals {
  json?: boolean;
  backend?: string;
  state?: string;
  timeout?: string;
  progress?: boolean;
  color?: boolean;
}

/** Resolved global options. */
export interface Globals {
  json: boolean;
  backend: BackendName;
  /** Where the backend was chosen: the flag, HCN_BACKEND, or the platform default. */
  backendSource: 'flag' | 'env' | 'default';
  /** The simulator state file (simulated backend only). */
  statePath: string | undefined;
  timeoutMs: number | undefined;
  progress: boolean;
  out: Style;
  err: Style;
}

/** The default backend: the real HNS on Windows, the simulator everywhere else. */
export function defaultBackend(platform: NodeJS.Platform): BackendName {
  return platform === 'win32' ? 'hcn' : 'simulated';
}

/**
 * Resolves the global options. `forceBackend` is used by `hcn sim`, which always drives the simulator
 * unless --backend says otherwise (then it is a usage error).
 */
export function resolveGlobals(raw: RawGlobals, io: CliIo, forceBackend?: BackendName): Globals {
  let backend: BackendName;
  let backendSource: Globals['backendSource'];
  if (raw.backend !== undefined) {
    backend = parseBackendNameArg('--backend', raw.backend);
    backendSource = 'flag';
  } else if (io.env.HCN_BACKEND && !forceBackend) {
    backend = parseBackendNameArg('HCN_BACKEND', io.env.HCN_BACKEND);
    backendSource = 'env';
  } else {
    backend = forceBackend ?? defaultBackend(io.platform);
    backendSource = 'default';
  }
  if (forceBackend && backend !== forceBackend) {
    throw new UsageError('--backend', `--backend ${backend}: this command works with the ${forceBackend} backend only`);
  }
  let statePath: string | undefined;
  if (backend === 'simulated') {
    statePath = raw.state ?? defaultStatePath({ env: io.env, platform: io.platform, homedir: io.homedir });
    if (statePath.trim() === '') throw new UsageError('--state', '--state must name a file');
    if (statePath.includes('\0')) {
      throw new UsageError(raw.state !== undefined ? '--state' : 'HCN_SIM_STATE', 'the simulator state path contains a NUL byte');
    }
    statePath = path.resolve(statePath);
  } else if (raw.state !== undefined) {
    throw new UsageError('--state', '--state names the simulator state file; it has no meaning with --backend hcn');
  }
  const timeoutMs = raw.timeout === undefined ? undefined : parseTimeoutArg('--timeout', raw.timeout);
  const colorAllowed = raw.color !== false;
  return {
    json: raw.json === true,
    backend,
    backendSource,
    statePath,
    timeoutMs,
    progress: raw.progress ?? io.stderr.isTTY === true,
    out: makeStyle(colorAllowed && shouldColor(io.stdout, io.env)),
    err: makeStyle(colorAllowed && shouldColor(io.stderr, io.env)),
  };
}

/** Per-invocation context handed to each command. */
export class CommandContext {
  private client: Hcn | undefined;

  constructor(
    readonly io: CliIo,
    readonly globals: Globals,
    /** The command as typed, e.g. `hcn lb create`, for messages. */
    readonly command: string,
  ) {}

  /** Reads all of standard input (for `-f -`). */
  readStdin = (): Promise<string> => (this.io.readStdin ?? (() => readAll(process.stdin)))();

  /** Writes text to stdout. */
  print(text: string): void {
    this.io.stdout.write(text);
  }

  /** Writes a JSON document (2-space indented, newline-terminated) to stdout. */
  printJson(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** Writes a note to stderr (never in --json mode, so scripts see only the document). */
  note(text: string): void {
    if (!this.globals.json) this.io.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  /**
   * Says that a list is empty: on stderr, and only when stderr is a terminal (and not --json), so
   * stdout stays empty for scripts.
   */
  emptyNote(text: string): void {
    if (!this.globals.json && this.io.stderr.isTTY === true) this.io.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** Writes an error to stderr: the JSON shape with --json, else the human form. */
  reportError(described: CliErrorJson): void {
    if (this.globals.json) this.io.stderr.write(JSON.stringify(described) + '\n');
    else this.io.stderr.write(renderErrorText(described, this.globals.err));
  }

  /**
   * Opens the SDK client on first use (creating the state file's folder for the simulator, 0700).
   * `recoverCorruptState` moves a corrupt state file aside (`hcn sim reset --force`).
   */
  async hcn(how: { recoverCorruptState?: boolean } = {}): Promise<Hcn> {
    if (this.client) return this.client;
    const { backend, statePath, timeoutMs } = this.globals;
    if (statePath) {
      if (fs.existsSync(statePath) && fs.statSync(statePath).isDirectory()) {
        throw new UsageError('--state', `the simulator state file ${statePath} is a directory`, 'name a file, e.g. --state ' + path.join(statePath, 'sim-state.json'));
      }
      try {
        // The simulated HNS is the user's own: a folder the CLI creates is theirs only.
        fs.mkdirSync(path.dirname(statePath), { recursive: true, mode: 0o700 });
      } catch (err) {
        throw new CliOperationError(
          'HCN_STATE_PATH',
          'hcn',
          `cannot create the folder of the simulator state file ${statePath}: ${(err as Error).message}`,
          'pick a writable place with --state PATH or HCN_SIM_STATE',
        );
      }
    }
    const options: { backend: BackendName; statePath?: string | null; timeoutMs?: number; recoverCorruptState?: boolean } = { backend };
    // The real HNS has no state file; null keeps the SDK from reading HCN_SIM_STATE a second time.
    options.statePath = statePath ?? null;
    if (how.recoverCorruptState) options.recoverCorruptState = true;
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    const open = this.io.openHcn ?? (await defaultOpen());
    this.client = await open(options);
    return this.client;
  }

  /** Closes the client if it was opened. */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.close();
  }
}

// Loaded lazily so that `hcn --help` and usage errors work even when the addon cannot load.
async function defaultOpen(): Promise<NonNullable<CliIo['openHcn']>> {
  const { Hcn } = await import('../client');
  return (options) => Hcn.open(options);
}
