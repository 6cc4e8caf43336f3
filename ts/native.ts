// The one module that loads the native binding (through node-gyp-build) and the typed, private
// boundary to it. Nothing else in the SDK touches the binding; tests may inject a fake one.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The HCN object families the native layer speaks for. */
export type NativeFamily = 'network' | 'endpoint' | 'loadBalancer' | 'namespace';

/** Which HNS the native layer drives. */
export type NativeBackendName = 'hcn' | 'simulated';

/**
 * `code` of an error raised by the native layer (the TS layer turns these into typed classes; the
 * native error stays reachable as the SDK error's `cause`):
 * - `HCN_HRESULT`: an HCN function failed (or returned S_OK with a non-empty ErrorRecord);
 *   `hresult`, `operation` and `errorRecord` say which and why.
 * - `HCN_TIMEOUT`: the call passed its deadline; its thread was written off. The outcome in HNS is unknown.
 * - `HCN_BUSY`: every pool thread is stuck in a call that passed its deadline; nothing was sent to HNS.
 * - `HCN_NOT_AVAILABLE`: the backend cannot be used on this host (missing DLL or export, named).
 * - `HCN_INVALID_ARGUMENT`: the binding was misused (bad GUID string, wrong type); nothing was sent.
 * - `HCN_CLOSED`: the context was closed.
 * @example
 * const outcomeUnknown = (code: NativeErrorCode) => code === 'HCN_TIMEOUT';
 */
export type NativeErrorCode =
  | 'HCN_HRESULT'
  | 'HCN_TIMEOUT'
  | 'HCN_BUSY'
  | 'HCN_NOT_AVAILABLE'
  | 'HCN_INVALID_ARGUMENT'
  | 'HCN_CLOSED';

/**
 * Shape of every error the binding throws or rejects with. The SDK maps it to an {@link HcnError}
 * subclass (or an HcnArgumentError) and keeps it as that error's `cause`.
 * @example
 * catch (err) {
 *   const native = (err as HcnError).cause as NativeError | undefined;
 *   if (native?.errorRecord) console.error('raw ErrorRecord:', native.errorRecord);
 * }
 */
export interface NativeError extends Error {
  /** Which kind of failure (see {@link NativeErrorCode}). */
  code: NativeErrorCode;
  /** The HRESULT as an unsigned 32-bit number (HCN_HRESULT only). */
  hresult?: number;
  /** The HCN function, e.g. `HcnCreateLoadBalancer`, or the binding method. */
  operation: string;
  /** The raw ErrorRecord JSON the function returned, when it returned one. */
  errorRecord?: string;
  /** For HCN_NOT_AVAILABLE: the DLL or export that is missing. */
  missing?: string;
}

/**
 * Counters of the native worker pool, for tests and diagnostics ({@link Hcn.poolStats}).
 * @example
 * const { busy, stuck, queued } = hcn.poolStats();
 * if (stuck > 0) console.warn(`${stuck} thread(s) inside HNS calls past their deadline, ${queued} queued, ${busy} busy`);
 */
export interface NativePoolStats {
  /** Threads that can run calls (idle or busy), not counting written-off ones. */
  threads: number;
  /** Threads running a call right now (within deadline). */
  busy: number;
  /** Threads written off: still inside a call that passed its deadline. */
  stuck: number;
  /** Calls waiting for a thread. */
  queued: number;
  /** Calls completed since the context opened (any outcome). */
  completed: number;
  /**
   * Deliveries of completions to the JS thread so far. One delivery settles at most 16 calls,
   * and the event loop turns between two deliveries (timers and I/O run in between).
   */
  deliveries: number;
  /** The most calls one delivery settled (at most 16). */
  largestDelivery: number;
}

/** Notification from HNS (HCN_NOTIFICATIONS), delivered on the JS thread. */
export type NativeNotificationListener = (type: number, status: number, data: string | null) => void;

/**
 * One open connection to a backend. Every async method runs on the SDK's own native thread pool,
 * never on libuv's, and rejects with {@link NativeError}. `timeoutMs` is the deadline for the whole
 * call including its time in the queue; it must be a positive integer.
 *
 * Queries are HostComputeQuery JSON strings (e.g. `{"SchemaVersion":{"Major":2,"Minor":0}}`).
 */
export interface NativeContext {
  readonly backend: NativeBackendName;

  /** HcnEnumerate*: returns the raw JSON the function returned (an array of GUID strings). */
  enumerate(family: NativeFamily, query: string, timeoutMs: number): Promise<string>;

  /**
   * Enumerate, then Open + Query(propertiesQuery) + Close each ID: one hop for N objects, results
   * in enumerate order. From 16 IDs on, the IDs are shared in chunks with idle pool threads (the
   * deadline covers all of them; on timeout every thread inside the list is written off). Objects
   * that vanish between enumerate and open are skipped; any other failure fails the whole list
   * (the first error wins). Resolves with one properties JSON string per object.
   */
  list(family: NativeFamily, query: string, propertiesQuery: string, timeoutMs: number): Promise<string[]>;

  /**
   * HcnCreate* with the given ID (or GUID_NULL when `id` is null), then Query(propertiesQuery) and
   * Close. For endpoints `networkId` is required: the network is opened and closed around the create.
   * Resolves with the created object's properties JSON.
   */
  create(
    family: NativeFamily,
    id: string | null,
    settings: string,
    propertiesQuery: string,
    timeoutMs: number,
    networkId?: string,
  ): Promise<string>;

  /** Open + Query + Close. */
  query(family: NativeFamily, id: string, query: string, timeoutMs: number): Promise<string>;

  /**
   * Open + HcnModify* + (Query when `propertiesQuery` is non-empty) + Close. Resolves with the
   * properties JSON, or '' when no query was asked for.
   */
  modify(family: NativeFamily, id: string, settings: string, propertiesQuery: string, timeoutMs: number): Promise<string>;

  /** HcnDelete*. */
  remove(family: NativeFamily, id: string, timeoutMs: number): Promise<void>;

  /** vmcompute.dll!HNSCall (HNS v1). Resolves with the raw response envelope JSON. */
  hnsCall(method: string, path: string, request: string, timeoutMs: number): Promise<string>;

  /**
   * Simulator control, synchronous on the JS thread, JSON in and out (see src/sim/README.md for
   * the requests); a state file's lock is waited for at most 10 s. For tests and benches only: the
   * SDK uses {@link simControlAsync}. Throws HCN_NOT_AVAILABLE when the backend is the real HNS.
   */
  simControl(request: string): string;

  /**
   * Simulator control on the pool with a deadline (a state file's lock is waited for there, never
   * on the JS thread). Resolves with the response JSON; a refused request rejects HCN_HRESULT
   * E_INVALIDARG with the response as `errorRecord`.
   */
  simControlAsync(request: string, timeoutMs: number): Promise<string>;

  /**
   * Embedded simulator only: binds this context to the simulated HNS of the state file
   * `statePath` (shared with every context of the same canonical path; loaded or created on the
   * pool, waiting for the file's lock until the deadline), or with null to a private in-memory copy
   * of its current one. On failure nothing changes. `recoverCorrupt` moves a state file that does
   * not parse aside (`<path>.corrupt-<time>`) and starts fresh. Rejects HCN_INVALID_ARGUMENT while
   * subscribed, and HCN_NOT_AVAILABLE on another backend.
   */
  simAttach(statePath: string | null, recoverCorrupt: boolean, timeoutMs: number): Promise<void>;

  /** True when simControl is available (the embedded simulator, or a simulator DLL under Wine). */
  readonly hasSimControl: boolean;

  /**
   * Registers the HCN service callback (HcnRegisterServiceCallback) on a pool thread, within
   * `timeoutMs` like any call, and from then on delivers every notification to `listener` on the JS
   * thread. Resolves once registered; when already registered only the listener is replaced. A
   * registration that completes after its deadline (or after close) is ended again by the pool
   * thread. Rejects with HCN_INVALID_ARGUMENT while another subscribe/unsubscribe of this context is
   * still running (callers serialise them). The registration does not keep the process alive.
   */
  subscribe(listener: NativeNotificationListener, timeoutMs: number): Promise<void>;

  /**
   * HcnUnregisterServiceCallback on a pool thread within `timeoutMs`; notifications stop reaching
   * the listener at once. Resolves at once when not subscribed.
   */
  unsubscribe(timeoutMs: number): Promise<void>;

  /** Pool counters. */
  stats(): NativePoolStats;

  /**
   * Closes the context: pending and queued calls reject with HCN_CLOSED, idle threads are joined,
   * stuck ones are left to finish and clean up after themselves. A registration still in place is
   * ended here, waiting at most 2 s for HcnUnregisterServiceCallback (unsubscribe first to wait
   * for none). Idempotent.
   */
  close(): void;
}

/** Options of {@link NativeBinding.open}. */
export interface NativeOpenOptions {
  backend: NativeBackendName;
  /** Worker threads of this context's pool (1–64, default 4). */
  threads?: number;
  /**
   * Simulated backend: `'isolated'` gives the context a simulated HNS of its own (in memory until
   * {@link NativeContext.simAttach}); `'default'` (or absent) the process's default one, shared by
   * every such context (as the stand-alone simulator DLL is).
   */
  simulator?: 'default' | 'isolated';
}

/** What the compiled addon exports. */
export interface NativeBinding {
  open(options: NativeOpenOptions): NativeContext;
  /** Version of the addon's native code, for diagnostics. */
  readonly version: string;
}

let injected: NativeBinding | undefined;
let loaded: NativeBinding | undefined;

/** Finds the package root (the folder of the package.json named hcn-sdk) above this file. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
        if (pkg.name === 'hcn-sdk') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('hcn-sdk: cannot find the package root above ' + __dirname);
    dir = parent;
  }
}

/**
 * Error thrown (by {@link Hcn.open}) when the compiled addon cannot be loaded: its message says where
 * it looked and how to build the addon.
 * @example
 * try { await Hcn.open(); }
 * catch (err) { if (err instanceof NativeLoadError) console.error(err.message, err.searched); }
 */
export class NativeLoadError extends Error {
  /** Always `'HCN_ADDON_NOT_FOUND'`. */
  readonly code = 'HCN_ADDON_NOT_FOUND';
  /** `message` says what failed, where it looked and how to build. */
  constructor(
    message: string,
    /** The paths tried: the `HCN_SDK_ADDON` file, or node-gyp-build's folders (prebuilds/<platform>-<arch>, build/Release, build/Debug). */
    readonly searched: string[],
    /** The loader's own error (from `require` or node-gyp-build). */
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'NativeLoadError';
  }
}

/**
 * Loads the addon once: the file named by `HCN_SDK_ADDON` when set, else node-gyp-build's search
 * (prebuilds/<platform>-<arch>/, then build/Release, build/Debug). A failure says where it looked
 * and how to build.
 */
export function loadBinding(): NativeBinding {
  if (injected) return injected;
  if (loaded) return loaded;
  const override = process.env.HCN_SDK_ADDON;
  if (override) {
    // A specific build (cmake-js, sanitizer, cross build): used as given, never silently replaced.
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(path.resolve(override)) as NativeBinding;
      return loaded;
    } catch (err) {
      throw new NativeLoadError(
        `hcn-sdk: HCN_SDK_ADDON names ${override}, which did not load: ${err instanceof Error ? err.message : String(err)}`,
        [path.resolve(override)],
        err,
      );
    }
  }
  const root = packageRoot();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeBinding;
  try {
    loaded = nodeGypBuild(root);
    return loaded;
  } catch (err) {
    const tag = `${process.platform}-${process.arch}`;
    const searched = [
      path.join(root, 'prebuilds', tag),
      path.join(root, 'build', 'Release'),
      path.join(root, 'build', 'Debug'),
    ];
    const why = err instanceof Error ? err.message : String(err);
    throw new NativeLoadError(
      `hcn-sdk: no native addon for ${tag} (napi).\n` +
        `Looked in:\n  ${searched.join('\n  ')}\n` +
        `Cause: ${why.split('\n')[0]}\n` +
        'To build it from source (needs Python 3 and a C++ toolchain):\n' +
        '  npm install-scripts approve hcn-sdk && npm rebuild hcn-sdk\n' +
        'or, in a clone of hcn-sdk: npm run build:native',
      searched,
      err,
    );
  }
}

/** Where the addon that {@link loadBinding} loads comes from (for `hcn version`). */
export interface AddonOrigin {
  /** The `.node` file. */
  file: string;
  /** `prebuild` (prebuilds/ in the package), `build` (compiled here, build/), `override` (HCN_SDK_ADDON). */
  kind: 'prebuild' | 'build' | 'override';
}

/** The file the addon is (or would be) loaded from, or throws like {@link loadBinding}. */
export function addonOrigin(): AddonOrigin {
  const override = process.env.HCN_SDK_ADDON;
  if (override) return { file: path.resolve(override), kind: 'override' };
  const root = packageRoot();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  const file = nodeGypBuild.resolve(root);
  return { file, kind: path.relative(root, file).split(path.sep)[0] === 'prebuilds' ? 'prebuild' : 'build' };
}

/** Replaces the binding (tests only); pass undefined to restore the real one. */
export function injectBinding(binding: NativeBinding | undefined): void {
  injected = binding;
}

/** True when `err` came from the native layer. */
export function isNativeError(err: unknown): err is NativeError {
  return (
    err instanceof Error &&
    typeof (err as Partial<NativeError>).code === 'string' &&
    (err as Partial<NativeError>).code!.startsWith('HCN_') &&
    typeof (err as Partial<NativeError>).operation === 'string'
  );
}
