// Typed controls of the HNS simulator (the SimControl JSON protocol): reset, version, fault injection,
// restart, counters. Available as `hcn.simulator` when the backend is the embedded simulator (or the
// simulator DLL under Wine); failures are HcnErrors. Every control runs on the client's native pool
// with the client's deadline (a state file's lock is never waited for on the JS thread).
import { HcnError, HcnTimeoutError, errorClassForHresult, formatHresult, hresultName, toHcnError } from './errors';
import type { HnsVersion } from './features';
import { isNativeError } from './native';

/**
 * Object counts in the simulated HNS.
 * @example
 * const { loadBalancers } = (await hcn.simulator!.status()).counts;
 */
export interface SimulatorCounts {
  /** Networks in the simulated HNS. */
  networks: number;
  /** Endpoints, local and remote. */
  endpoints: number;
  /** Load balancers. */
  loadBalancers: number;
  /** Namespaces. */
  namespaces: number;
}

/**
 * `Simulator.status()`.
 * @example
 * const s = await hcn.simulator!.status();
 * console.log(`${s.version.major}.${s.version.minor}`, s.statePath ?? '(in memory)');
 */
export interface SimulatorStatus {
  /** The HNS version `/globals/version` reports (feature gates follow it). */
  version: HnsVersion;
  /** The state file, or null when the state is in memory. */
  statePath: string | null;
  /** How many objects of each family the simulated HNS holds. */
  counts: SimulatorCounts;
}

/**
 * `Simulator.stats()`: leak counters and per-operation call counts.
 * @example
 * const { liveHandles, liveStrings } = hcn.simulator!.stats();
 */
export interface SimulatorStats {
  /** HCN handles opened and not yet closed. */
  liveHandles: number;
  /** Strings handed out and not yet freed; null when they come from CoTaskMemAlloc (DLL build). */
  liveStrings: number | null;
  /** Service callbacks registered and not yet unregistered. */
  liveCallbacks: number;
  /** Calls per HCN export name since the last reset. */
  calls: Record<string, number>;
  /** Calls waiting in a {@link Simulator.hang} right now. */
  hung: number;
}

/**
 * An HCN export name the simulator can fault (or `'*'` where the protocol allows every operation).
 * @example
 * const op: SimulatorOperation = 'HcnCreateLoadBalancer';
 */
export type SimulatorOperation =
  | `Hcn${'Enumerate' | 'Create' | 'Open' | 'Modify' | 'Delete' | 'Close'}${'LoadBalancer' | 'Network' | 'Endpoint' | 'Namespace'}${'' | 's'}`
  | `HcnQuery${'LoadBalancer' | 'Network' | 'Endpoint' | 'Namespace'}Properties`
  | 'HNSCall'
  | 'HcnRegisterServiceCallback'
  | 'HcnUnregisterServiceCallback'
  | '*'
  | (string & {});

/**
 * What a state-changing control did, so the client can drop cached knowledge (features).
 * @example
 * const onChange = (what: SimulatorChange) => { if (what === 'version') console.log('HNS version changed'); };
 */
export type SimulatorChange = 'reset' | 'version' | 'restart' | 'configure';

/**
 * The simulator refuses a control request by failing SimControl (E_INVALIDARG) with its response,
 * `{"ok":false,"error":"..."}`, as the ErrorRecord. That is not an HNS ErrorRecord, so the generic
 * mapping would only say "The parameter is incorrect"; this keeps the simulator's own reason.
 */
function refusal(err: unknown, operation: string): HcnError | undefined {
  if (!isNativeError(err) || err.code !== 'HCN_HRESULT' || typeof err.errorRecord !== 'string') return undefined;
  let response: unknown;
  try {
    response = JSON.parse(err.errorRecord);
  } catch {
    return undefined;
  }
  if (typeof response !== 'object' || response === null) return undefined;
  const r = response as Record<string, unknown>;
  if (r.ok !== false || typeof r.error !== 'string' || r.error === '') return undefined;
  const hresult = (err.hresult ?? 0x80070057) >>> 0;
  const Class = errorClassForHresult(hresult);
  return new Class({ code: hresultName(hresult) ?? formatHresult(hresult), operation, hresult, detail: r.error, cause: err });
}

/**
 * Checks a simulator state path before anything is opened: a non-empty string without a NUL byte
 * (the OS would cut the path there, and lock and state would become one file).
 * @example
 * checkStatePath(process.env.HCN_SIM_STATE ?? '', 'HCN_SIM_STATE');
 */
export function checkStatePath(statePath: unknown, where: string): asserts statePath is string {
  if (typeof statePath !== 'string' || statePath === '') throw new TypeError(`${where}: statePath must be a non-empty string`);
  if (statePath.includes('\0')) throw new TypeError(`${where}: statePath contains a NUL byte (the OS would cut the path there)`);
}

/**
 * Where a simulated client keeps its state when `Hcn.open` is given no `statePath`: the file named
 * by the environment variable `HCN_SIM_STATE` when it is set and non-empty (as the `hcn` command
 * does), else nothing (a private in-memory HNS). The `hcn` command falls back to
 * `<user data dir>/sim-state.json` instead, so separate commands share one HNS.
 * @example
 * const file = defaultSimulatorStatePath(); // undefined unless HCN_SIM_STATE is set
 */
export function defaultSimulatorStatePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.HCN_SIM_STATE;
  return v !== undefined && v !== '' ? v : undefined;
}

/**
 * The error of a failed attach to a state file (`Hcn.open({ statePath })`, `Simulator.configure`): the
 * simulator's reason (which names the file and, for a corrupt one, how to recover) as the detail.
 * @internal
 */
export function attachError(err: unknown, operation: string): unknown {
  if (isNativeError(err) && err.code === 'HCN_HRESULT' && typeof err.errorRecord !== 'string') {
    const hresult = (err.hresult ?? 0x80004005) >>> 0;
    if (hresult === 0x800705b4) {
      // The state file's lock was still held at the deadline: the same error as the bridge's own timeout.
      const detail = err.message.replace(/^simAttach failed with HRESULT 0x[0-9A-Fa-f]+: /, '');
      return new HcnTimeoutError({ code: 'HCN_TIMEOUT', operation, detail, cause: err });
    }
    const Class = errorClassForHresult(hresult);
    const detail = err.message.replace(/^simAttach failed with HRESULT 0x[0-9A-Fa-f]+: /, '');
    return new Class({ code: hresultName(hresult) ?? formatHresult(hresult), operation, hresult, detail, cause: err });
  }
  return toHcnError(err, operation);
}

function parseResponse(text: string, operation: string): Record<string, unknown> {
  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation, detail: `not JSON: ${text.slice(0, 200)}` });
  }
  const r = (typeof response === 'object' && response !== null ? response : {}) as Record<string, unknown>;
  if (r.ok !== true) {
    throw new HcnError({
      code: 'E_INVALIDARG',
      operation,
      hresult: 0x80070057,
      detail: typeof r.error === 'string' ? r.error : `simulator refused the request: ${text.slice(0, 200)}`,
    });
  }
  return r;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * Binds the client to another simulated HNS: the one of a state file, or (null) a private in-memory
 * copy of the current one. Resolves when done; on failure nothing changed.
 */
export type SimulatorAttach = (statePath: string | null) => Promise<void>;

/**
 * Controls of the simulated HNS the client is bound to. Clients opened on the same state file share
 * one simulated HNS (and these controls affect all of them); every in-memory client has its own.
 * The controls that read or change the state (`reset`, `configure`, `status`, `setVersion`,
 * `restart`, `dump`, `control`) return promises: they run on the client's native pool within its
 * deadline, because a state file's lock may be held by another process. The fault and counter
 * controls (`failNext`, `latency`, `hang`, `release`, `stats`) never wait for that lock and stay
 * synchronous, so a fault is in place before the next call is made.
 * @example
 * const sim = hcn.simulator!;
 * await sim.setVersion(15, 5);                          // in-place modify available
 * sim.failNext('HcnCreateLoadBalancer', 0x803b0013);   // next create: port in use
 * await sim.restart({ keepState: true });               // fires 'serviceDisconnect'
 */
export class Simulator {
  readonly #send: (request: string) => Promise<string>;
  readonly #sendNow: (request: string) => string;
  readonly #changed: (what: SimulatorChange) => void;
  readonly #attach: SimulatorAttach | undefined;

  /**
   * @internal The client creates it; `send` is the context's SimControl, `attach` rebinds the client
   * (embedded simulator only).
   */
  constructor(
    send: (request: string) => Promise<string>,
    sendNow: (request: string) => string,
    changed: (what: SimulatorChange) => void = () => undefined,
    attach?: SimulatorAttach,
  ) {
    this.#send = send;
    this.#sendNow = sendNow;
    this.#changed = changed;
    this.#attach = attach;
  }

  /**
   * Sends a raw SimControl request and returns the parsed response (`ok` true). For requests this
   * class has no method for; a refused request throws HcnError `E_INVALIDARG` whose message carries
   * the simulator's reason (operation `SimControl <op>`).
   * @example
   * const state = (await hcn.simulator!.control({ op: 'dump' })).state;
   */
  async control(request: { op: string; [key: string]: unknown }): Promise<Record<string, unknown>> {
    const operation = `SimControl ${request.op}`;
    let text: string;
    try {
      text = await this.#send(JSON.stringify(request));
    } catch (err) {
      throw refusal(err, operation) ?? toHcnError(err, operation);
    }
    return parseResponse(text, operation);
  }

  /** The bounded controls: no state file lock, answered on the calling thread. */
  #controlNow(request: { op: string; [key: string]: unknown }): Record<string, unknown> {
    const operation = `SimControl ${request.op}`;
    let text: string;
    try {
      text = this.#sendNow(JSON.stringify(request));
    } catch (err) {
      throw refusal(err, operation) ?? toHcnError(err, operation);
    }
    return parseResponse(text, operation);
  }

  /**
   * Back to the default node (network vxlan0, endpoints 10.0.0.14 and 10.0.0.15, no load balancers),
   * HNS 13.2, no faults, hung calls released. Keeps the state path.
   * @example
   * await hcn.simulator!.reset();
   */
  async reset(): Promise<void> {
    await this.control({ op: 'reset' });
    this.#changed('reset');
  }

  /**
   * Binds this client to the simulated HNS of the state file `statePath` (created with the default
   * topology if absent; shared with every client and process on the same file), or with `null` to
   * a private in-memory copy of the current one. Only this client moves; on failure (bad path,
   * corrupt file, lock held past the deadline) it throws and nothing changes.
   * `Hcn.open({ statePath })` does this for you. Under the simulator DLL (Wine), the DLL's one
   * simulated HNS switches files instead.
   * @example
   * await hcn.simulator!.configure(path.join(os.tmpdir(), 'hns.json'));
   */
  async configure(statePath: string | null): Promise<void> {
    if (statePath !== null) checkStatePath(statePath, 'Simulator.configure');
    if (this.#attach) {
      try {
        await this.#attach(statePath);
      } catch (err) {
        throw attachError(err, 'Simulator.configure');
      }
    } else {
      await this.control({ op: 'configure', statePath });
    }
    this.#changed('configure');
  }

  /**
   * Version, state path and object counts.
   * @example
   * console.log((await hcn.simulator!.status()).counts.loadBalancers);
   */
  async status(): Promise<SimulatorStatus> {
    const r = await this.control({ op: 'status' });
    const v = (r.version ?? {}) as Record<string, unknown>;
    const c = (r.counts ?? {}) as Record<string, unknown>;
    return {
      version: { major: num(v.Major ?? v.major), minor: num(v.Minor ?? v.minor) },
      statePath: typeof r.statePath === 'string' ? r.statePath : null,
      counts: { networks: num(c.networks), endpoints: num(c.endpoints), loadBalancers: num(c.loadBalancers), namespaces: num(c.namespaces) },
    };
  }

  /**
   * Sets the HNS version `/globals/version` reports; feature gates (DSR ≥ 10.2, affinity ≥ 12.0,
   * modify 15.5+) follow it. The owning client re-reads its features on next use.
   * @example
   * await hcn.simulator!.setVersion(15, 5);
   * (await hcn.features()).supported.modifyLoadBalancer; // true
   */
  async setVersion(major: number, minor: number): Promise<void> {
    await this.control({ op: 'setVersion', major, minor });
    this.#changed('version');
  }

  /**
   * The next `count` calls of `operation` fail with `hresult` (unsigned or signed; e.g.
   * 0x803B0013 port in use, 0x800700B7 already exists, 0x803B0020 HNS stopped) and an ErrorRecord
   * carrying `message` when given. Nothing changes in the state.
   * @example
   * hcn.simulator!.failNext('HcnCreateLoadBalancer', 0x80070005); // access denied
   */
  failNext(operation: SimulatorOperation, hresult: number, count = 1, message?: string): void {
    const request: { op: string; [key: string]: unknown } = { op: 'failNext', operation, count, hresult: hresult >>> 0 };
    if (message !== undefined) request.message = message;
    this.#controlNow(request);
  }

  /**
   * The next `count` calls of an `HcnModify*` operation answer S_OK and change nothing, as HNS
   * 15.4's HcnModifyLoadBalancer did with a new backend list (kubernetes#131466); 0 clears it.
   * @example
   * hcn.simulator!.ignoreNext('HcnModifyLoadBalancer'); // the client's read-back must notice
   */
  ignoreNext(operation: SimulatorOperation, count = 1): void {
    this.#controlNow({ op: 'ignoreNext', operation, count });
  }

  /**
   * Every call of `operation` (or `'*'`) sleeps `ms` first; 0 clears it.
   * @example
   * hcn.simulator!.latency('*', 5);
   */
  latency(operation: SimulatorOperation, ms: number): void {
    this.#controlNow({ op: 'latency', operation, ms });
  }

  /**
   * Calls of `operation` block until {@link release} or {@link reset} (HNS hangs users report).
   * @example
   * hcn.simulator!.hang('HcnQueryLoadBalancerProperties');
   * await hcn.loadBalancers.get(id, { timeoutMs: 100 }).catch((e) => e.code); // 'HCN_TIMEOUT'
   * hcn.simulator!.release();
   */
  hang(operation: SimulatorOperation): void {
    this.#controlNow({ op: 'hang', operation });
  }

  /**
   * Releases every hung call and clears the hang settings; the calls then run normally.
   * @example
   * hcn.simulator!.release();
   */
  release(): void {
    this.#controlNow({ op: 'release' });
  }

  /**
   * Simulated HNS restart: every registered service callback gets ServiceDisconnect (the client emits
   * 'serviceDisconnect'). `keepState: false` also goes back to the default topology.
   * @example
   * hcn.once('serviceDisconnect', () => resync());
   * await hcn.simulator!.restart({ keepState: true });
   */
  async restart(options: { keepState?: boolean } = {}): Promise<void> {
    await this.control({ op: 'restart', keepState: options.keepState ?? true });
    this.#changed('restart');
  }

  /**
   * Leak counters (live handles, strings, callbacks) and call counts.
   * @example
   * const s = hcn.simulator!.stats();
   * assert.equal(s.liveHandles, 0);
   */
  stats(): SimulatorStats {
    const r = this.#controlNow({ op: 'stats' });
    const calls: Record<string, number> = {};
    const rc = (r.calls ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(rc)) calls[k] = num(v);
    return {
      liveHandles: num(r.liveHandles),
      liveStrings: r.liveStrings === null ? null : num(r.liveStrings),
      liveCallbacks: num(r.liveCallbacks),
      calls,
      hung: num(r.hung),
    };
  }

  /**
   * The whole simulated HNS state, as the simulator persists it.
   * @example
   * console.log(JSON.stringify(await hcn.simulator!.dump(), null, 2));
   */
  async dump(): Promise<unknown> {
    return (await this.control({ op: 'dump' })).state;
  }

  /**
   * Removes one rule from a VFP port of the simulated node, as `vfpctrl /remove-rule` would (the rule
   * stays away until a reset or a topology reset; the state file keeps the removal). For testing
   * what the DSR check says about a missing rule. A port without that rule is refused (E_INVALIDARG).
   * @example
   * const [{ port, rule }] = await hcn.vfp.rules({ layer: 'LB_DSR' });
   * await hcn.simulator!.removeVfpRule(port, rule.name);
   */
  async removeVfpRule(port: string, rule: string): Promise<void> {
    await this.control({ op: 'vfpRemoveRule', port, rule });
  }
}
