// Hcn: the SDK client. Opens a backend (the real HNS or the simulator), reads features, and offers
// networks, endpoints and load balancers with a deadline and an AbortSignal on every call, typed
// errors, per-frontend serialisation, and HNS service notifications as events.
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { HcnValidationError, toHcnError, type HcnError } from '../errors';
import type { FeatureName, Features } from '../features';
import { isNativeError, loadBinding, type NativeContext, type NativeOpenOptions, type NativePoolStats } from '../native';
import { Simulator, attachError, checkStatePath, defaultSimulatorStatePath, type SimulatorChange } from '../simulator';
import { vfpApi, type VfpApi } from './vfp';
import { checkTimeout, type CallOptions } from '../internal/operation';
import { ClientCore, coreOf } from './core';
import { endpointsApi, type EndpointsApi } from './endpoints';
import { HcnNotificationType, NOTIFICATION_FLAGS, type HcnEvents, type HcnNotification } from './events';
import { loadBalancersApi, resolveBackends, type LoadBalancersApi } from './load-balancers';
import { networksApi, type NetworksApi } from './networks';

export type { CallOptions } from '../internal/operation';

/**
 * Which HNS a client drives: `'hcn'` = the real one (computenetwork.dll, Windows), `'simulated'` = the
 * embedded simulator (every OS).
 * @example
 * const hcn = await Hcn.open({ backend: 'simulated' });
 */
export type BackendName = 'hcn' | 'simulated';

/**
 * Options of {@link Hcn.open}.
 * @example
 * const hcn = await Hcn.open({ backend: 'simulated', statePath: path.join(os.tmpdir(), 'hns.json'), timeoutMs: 10_000 });
 */
export interface OpenOptions {
  /** Default: `'hcn'` on Windows, `'simulated'` elsewhere (the only platform check in the SDK). */
  backend?: BackendName | undefined;
  /**
   * Simulator only: the state file of the simulated HNS, shared by every client and process that
   * names the same file (as HNS is machine-wide); created with the default topology when absent.
   * `null`: a private in-memory HNS. Absent: the file named by `HCN_SIM_STATE` when that is set and
   * non-empty (so a script and the `hcn` command see the same HNS), else a private in-memory HNS.
   * A path with a NUL byte is a TypeError; an unusable one (missing folder, a directory or FIFO, a
   * corrupt file) makes `open` throw without touching any other client.
   */
  statePath?: string | null | undefined;
  /**
   * Simulator only: when the state file does not parse, move it aside to
   * `<statePath>.corrupt-<time>` and start from the default topology instead of failing
   * (what `hcn sim reset --force` does).
   */
  recoverCorruptState?: boolean | undefined;
  /** Default deadline of every call in milliseconds (30000). */
  timeoutMs?: number | undefined;
  /** Worker threads of this client's native pool (1–64, default 4). */
  threads?: number | undefined;
  /** Forces features on or off (their `source` is then 'override'), e.g. `{ modifyLoadBalancer: false }`. */
  features?: Partial<Record<FeatureName, boolean>> | undefined;
}

/**
 * Options of {@link Hcn.features}.
 * @example
 * const f = await hcn.features({ refresh: true });
 */
export interface FeaturesOptions extends CallOptions {
  /** Read `/globals/version` again instead of using the client's cached features (probe results are kept). */
  refresh?: boolean | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The SDK client. Every method takes `{ signal, timeoutMs }`; errors are {@link HcnError} subclasses.
 * Emits `'serviceDisconnect'` and `'notification'`: the HNS service callback is registered in the
 * background when the first such listener is added and unregistered when the last is removed, on
 * the client's own threads within its deadline (a hung HNS never blocks the event loop). A
 * background registration that fails is emitted as `'error'`; `await hcn.subscribe()` reports it
 * as a rejection instead.
 * @example
 * await using hcn = await Hcn.open();
 * const f = await hcn.features();
 * const spec = LoadBalancer.builder().frontend('13.0.0.13').sourceVip('10.231.111.97')
 *   .backends(['10.0.0.14', '10.0.0.15']).port({ protocol: 'tcp', external: 8000, internal: 80 })
 *   .dsr().build({ features: f });
 * await using lb = await hcn.loadBalancers.create(spec);
 */
export class Hcn extends EventEmitter {
  /**
   * The backend this client drives.
   * @example
   * if (hcn.backend === 'simulated') await hcn.simulator!.reset();
   */
  readonly backend: BackendName;
  /**
   * Default deadline of every call, in milliseconds.
   * @example
   * console.log(hcn.timeoutMs); // 30000
   */
  readonly timeoutMs: number;
  /**
   * Simulator controls when the backend has them (the embedded simulator, or a simulator DLL under
   * Wine); undefined on a real HNS.
   * @example
   * await hcn.simulator?.setVersion(15, 5);
   */
  readonly simulator: Simulator | undefined;
  /**
   * Networks.
   * @example
   * const nets = await hcn.networks.list();
   */
  readonly networks: NetworksApi;
  /**
   * Endpoints (local and remote).
   * @example
   * const ep = await hcn.endpoints.findByIp('10.0.0.14');
   */
  readonly endpoints: EndpointsApi;
  /**
   * Load balancers.
   * @example
   * const all = await hcn.loadBalancers.list();
   */
  readonly loadBalancers: LoadBalancersApi;
  /**
   * The node's VFP ports, layers, groups and rules (the simulator's model, or vfpctrl.exe on Windows).
   * @example
   * const rules = await hcn.vfp.rules({ layer: 'LB_DSR' });
   */
  readonly vfp: VfpApi;

  readonly #core: ClientCore;
  /** The native registration is in place (as the last finished step left it). */
  #registered = false;
  /** Listener changes made by unsubscribe() itself start no background step. */
  #quiet = false;
  /** Registration steps run one at a time, in order. */
  #chain: Promise<void> = Promise.resolve();

  private constructor(ctx: NativeContext, backend: BackendName, options: OpenOptions) {
    super();
    this.backend = backend;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const core = new ClientCore(ctx, this.timeoutMs, options.features, resolveBackends);
    this.#core = core;
    coreOf.set(this, core);
    const embedded = backend === 'simulated';
    this.simulator = ctx.hasSimControl
      ? new Simulator(
          (request) => core.context('SimControl').simControlAsync(request, this.timeoutMs),
          (request) => core.context('SimControl').simControl(request),
          (what) => this.#simulatorChanged(what),
          embedded ? (statePath) => core.context('simAttach').simAttach(statePath === null ? null : path.resolve(statePath), false, this.timeoutMs) : undefined,
        )
      : undefined;
    this.networks = networksApi(core);
    this.endpoints = endpointsApi(core);
    this.loadBalancers = loadBalancersApi(core);
    this.vfp = vfpApi(core, this.simulator);
    this.#installListenerHooks();
  }

  /**
   * Like EventEmitter's; the client's own subscription hooks stay installed, so adding a
   * 'serviceDisconnect' or 'notification' listener later still registers the HNS callback.
   * @example
   * hcn.removeAllListeners(); // also unregisters the HNS service callback
   */
  override removeAllListeners(event?: string | symbol): this {
    if (event === undefined) super.removeAllListeners();
    else super.removeAllListeners(event);
    this.#installListenerHooks();
    return this;
  }

  #onNewListener = (event: string | symbol): void => {
    // Runs before the listener is added; the step runs after it is.
    if (event === 'serviceDisconnect' || event === 'notification') this.#syncInBackground();
  };

  #onRemoveListener = (event: string | symbol): void => {
    if (event === 'serviceDisconnect' || event === 'notification') this.#syncInBackground();
  };

  #installListenerHooks(): void {
    if (!this.listeners('newListener').includes(this.#onNewListener)) super.on('newListener', this.#onNewListener);
    if (!this.listeners('removeListener').includes(this.#onRemoveListener)) super.on('removeListener', this.#onRemoveListener);
    if (this.#eventListeners() === 0) this.#syncInBackground();
  }

  /**
   * Opens a client. `backend` defaults to `'hcn'` on Windows and `'simulated'` elsewhere. Nothing is
   * sent to HNS yet (features are read on first use). A host without HCN fails here or on first call
   * with {@link HcnNotAvailableError}.
   * @example
   * const hcn = await Hcn.open({ backend: 'simulated', timeoutMs: 5000 });
   * try { console.log(await hcn.networks.list()); } finally { await hcn.close(); }
   */
  static async open(options: OpenOptions = {}): Promise<Hcn> {
    const backend = options.backend ?? (process.platform === 'win32' ? 'hcn' : 'simulated');
    if (backend !== 'hcn' && backend !== 'simulated') {
      throw new TypeError(`Hcn.open: backend must be 'hcn' or 'simulated' (got ${JSON.stringify(backend)})`);
    }
    if (options.timeoutMs !== undefined) checkTimeout(options.timeoutMs, 'Hcn.open: timeoutMs');
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > 64)) {
      throw new RangeError(`Hcn.open: threads must be an integer from 1 to 64 (got ${String(options.threads)})`);
    }
    if (options.statePath !== undefined && options.statePath !== null) checkStatePath(options.statePath, 'Hcn.open');
    const fromEnv = backend === 'simulated' && options.statePath === undefined ? defaultSimulatorStatePath() : undefined;
    if (fromEnv !== undefined) checkStatePath(fromEnv, 'Hcn.open: HCN_SIM_STATE');
    const statePath = options.statePath ?? fromEnv;
    const binding = loadBinding();
    let ctx: NativeContext;
    try {
      const nativeOptions: NativeOpenOptions = { backend };
      if (options.threads !== undefined) nativeOptions.threads = options.threads;
      // Every simulated client has a simulated HNS of its own until it attaches to a state file.
      if (backend === 'simulated') nativeOptions.simulator = 'isolated';
      ctx = binding.open(nativeOptions);
    } catch (err) {
      throw toHcnError(err, 'Hcn.open');
    }
    const hcn = new Hcn(ctx, backend, options);
    if (statePath !== undefined && statePath !== null) {
      if (!hcn.simulator) {
        ctx.close();
        throw new HcnValidationError({
          operation: 'Hcn.open',
          issues: [
            {
              field: 'statePath',
              rule: 'requires-simulator',
              message: `names a simulator state file, but the ${backend} backend has no simulator`,
              value: statePath,
            },
          ],
        });
      }
      try {
        if (backend === 'simulated') {
          await ctx.simAttach(path.resolve(statePath), options.recoverCorruptState === true, hcn.timeoutMs);
        } else {
          await hcn.simulator.configure(statePath);
        }
      } catch (err) {
        ctx.close();
        throw attachError(err, 'Hcn.open');
      }
    }
    return hcn;
  }

  /**
   * What the connected HNS supports: from `GET /globals/version` and the version table, cached per
   * client, with `OpenOptions.features` overrides, refined by runtime probes (an E_NOTIMPL from
   * modify turns `modifyLoadBalancer` off with source 'probe'). When the version cannot be read
   * (old host), `version` is undefined and every feature reads false unless overridden.
   * @example
   * const f = await hcn.features();
   * console.log(f.version, f.supported.dsr, f.source.modifyLoadBalancer);
   */
  async features(options: FeaturesOptions = {}): Promise<Features> {
    const op = this.#core.operation('Hcn.features', options);
    try {
      if (options.refresh) this.#core.dropFeatures();
      return await this.#core.loadFeatures(op);
    } finally {
      op.dispose();
    }
  }

  /**
   * Raw HNS v1 call (`vmcompute.dll!HNSCall`), e.g. `GET /policylists/`; resolves with the response
   * envelope JSON (`{"Success":...,"Output":...}`) as HNS returned it.
   * @example
   * const env = JSON.parse(await hcn.hnsCall('GET', '/globals/version'));
   */
  async hnsCall(method: string, path: string, request = '', options?: CallOptions): Promise<string> {
    const op = this.#core.operation('Hcn.hnsCall', options);
    try {
      return await op.native('HNSCall', (t) => this.#core.context('HNSCall').hnsCall(method, path, request, t));
    } finally {
      op.dispose();
    }
  }

  /**
   * Counters of this client's native worker pool (threads, busy, stuck, queued, completed).
   * @example
   * if (hcn.poolStats().stuck > 0) console.warn('HNS calls are hanging');
   */
  poolStats(): NativePoolStats {
    return this.#core.context('stats').stats();
  }

  /**
   * True after {@link close}.
   * @example
   * if (!hcn.closed) await hcn.close();
   */
  get closed(): boolean {
    return this.#core.closed;
  }

  /**
   * Waits until the HNS service callback that the `'serviceDisconnect'` and `'notification'`
   * listeners need is registered (registering it now if the background registration failed) and
   * resolves once HNS confirmed it. Rejects with the typed error ({@link HcnTimeoutError} when HNS
   * does not answer within the deadline, {@link HcnNotAvailableError} when the host lacks the
   * export, ...) instead of the `'error'` event a background registration uses; calling it again
   * retries. Add a listener first: without one there is nothing to register
   * ({@link HcnValidationError}, field `listeners`). Runs on the client's threads: the event loop
   * keeps running while HNS takes its time.
   * @example
   * hcn.on('serviceDisconnect', () => resyncAll());
   * await hcn.subscribe(); // throws if HNS refused the registration
   */
  async subscribe(options?: CallOptions): Promise<void> {
    const op = this.#core.operation('Hcn.subscribe', options);
    try {
      if (this.#eventListeners() === 0) {
        throw new HcnValidationError({
          operation: op.name,
          issues: [
            {
              field: 'listeners',
              rule: 'required',
              message: "has no 'serviceDisconnect' or 'notification' listener: add one with hcn.on() first",
              value: 0,
            },
          ],
        });
      }
      await op.wait(this.#sync(() => op.remaining()));
    } finally {
      op.dispose();
    }
  }

  /**
   * Removes every `'serviceDisconnect'` and `'notification'` listener and unregisters the HNS
   * service callback, resolving once HNS confirmed it (at once when nothing was registered).
   * Notifications stop at once either way; a rejection (typed, like {@link subscribe}'s) means HNS
   * did not confirm.
   * @example
   * await hcn.unsubscribe();
   */
  async unsubscribe(options?: CallOptions): Promise<void> {
    const op = this.#core.operation('Hcn.unsubscribe', options);
    try {
      this.#quiet = true;
      try {
        super.removeAllListeners('serviceDisconnect');
        super.removeAllListeners('notification');
      } finally {
        this.#quiet = false;
      }
      await op.wait(this.#sync(() => op.remaining()));
    } finally {
      op.dispose();
    }
  }

  /**
   * Closes the client: a service-callback registration is ended first (on the client's threads,
   * waiting at most `timeoutMs` for HNS, so a hung HNS delays close by that much and never blocks
   * the event loop), then the native context is closed: calls still pending reject with HcnError
   * `HCN_CLOSED`, later calls too. Never rejects because HNS failed to unregister. Idempotent.
   * @example
   * await hcn.close();
   */
  async close(): Promise<void> {
    if (this.#core.closed) return;
    this.#core.closed = true;
    const ctx = this.#core.rawContext;
    try {
      if (this.#registered) {
        this.#registered = false;
        // Refused at once while a registration step still runs: close() then ends that step's
        // registration through the native close.
        await ctx.unsubscribe(this.timeoutMs).catch(() => undefined);
      }
    } finally {
      ctx.close();
    }
  }

  /**
   * `await using hcn = await Hcn.open()` closes the client at scope end.
   * @example
   * { await using hcn = await Hcn.open(); await hcn.networks.list(); }
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---------------------------------------------------------------- internals

  #simulatorChanged(what: SimulatorChange): void {
    if (what === 'version' || what === 'reset' || what === 'restart' || what === 'configure') this.#core.dropFeatures();
  }

  #eventListeners(): number {
    return this.listenerCount('serviceDisconnect') + this.listenerCount('notification');
  }

  /**
   * Queues a step that brings the native registration in line with the listeners (registered while
   * there is one); resolves or rejects with that step's outcome. `budget` gives its deadline.
   */
  #sync(budget: () => number): Promise<void> {
    const step = this.#chain.then(() => this.#step(budget));
    this.#chain = step.catch(() => undefined);
    return step;
  }

  #syncInBackground(): void {
    if (this.#quiet || this.#core.closed) return;
    this.#sync(() => this.timeoutMs).catch((err: unknown) => {
      // Nobody awaits a background step: its failure is the 'error' event (an unhandled one
      // throws, as with any EventEmitter). After close() nothing is reported.
      if (!this.#core.closed) this.emit('error', err as HcnError);
    });
  }

  async #step(budget: () => number): Promise<void> {
    if (this.#core.closed) return;
    const want = this.#eventListeners() > 0;
    if (want === this.#registered) return;
    const ctx = this.#core.rawContext;
    const timeoutMs = Math.max(1, budget());
    if (want) {
      try {
        await ctx.subscribe((type, status, data) => this.#onNotification(type, status, data), timeoutMs);
      } catch (err) {
        throw toHcnError(err, 'HcnRegisterServiceCallback');
      }
      this.#registered = true;
    } else {
      // Notifications stop at once, whatever HNS answers.
      this.#registered = false;
      try {
        await ctx.unsubscribe(timeoutMs);
      } catch (err) {
        // HNS refused: the registration is still in place (the native context took it back), and
        // the next step tries again.
        if (isNativeError(err) && err.code === 'HCN_HRESULT') this.#registered = true;
        throw toHcnError(err, 'HcnUnregisterServiceCallback');
      }
    }
  }

  #onNotification(type: number, status: number, data: string | null): void {
    const n: HcnNotification = Object.freeze({ type: type >>> 0, status: status >>> 0, data: data ?? null });
    if (((type >>> 0) & ~NOTIFICATION_FLAGS) >>> 0 === HcnNotificationType.ServiceDisconnect) {
      // HNS restarted: it may be another version now, and it may have rehydrated objects.
      this.#core.dropFeatures();
      this.emit('serviceDisconnect', n);
    }
    this.emit('notification', n);
  }
}

// Typed events on top of EventEmitter's untyped ones.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Hcn {
  /**
   * Adds a listener of an {@link HcnEvents} event. The first `'serviceDisconnect'` or
   * `'notification'` listener registers the HNS service callback.
   * @example
   * hcn.on('serviceDisconnect', () => resyncAll());
   */
  on<E extends keyof HcnEvents>(event: E, listener: HcnEvents[E]): this;
  /**
   * EventEmitter's untyped form, for any other event.
   * @example
   * hcn.on('newListener', (event) => console.log('listening to', event));
   */
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  /**
   * Like {@link on}, for one event only.
   * @example
   * hcn.once('serviceDisconnect', (n) => console.warn('HNS restarted', n.status));
   */
  once<E extends keyof HcnEvents>(event: E, listener: HcnEvents[E]): this;
  /**
   * EventEmitter's untyped form, for any other event.
   * @example
   * hcn.once('newListener', (event) => console.log('first listener added:', event));
   */
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  /**
   * Removes a listener. When the last `'serviceDisconnect'` or `'notification'` listener goes, the
   * HNS service callback is unregistered.
   * @example
   * hcn.off('serviceDisconnect', onDisconnect);
   */
  off<E extends keyof HcnEvents>(event: E, listener: HcnEvents[E]): this;
  /**
   * EventEmitter's untyped form, for any other event.
   * @example
   * hcn.off('newListener', onNewListener);
   */
  off(event: string | symbol, listener: (...args: any[]) => void): this;
  /**
   * Same as {@link on}.
   * @example
   * hcn.addListener('notification', (n) => console.log(n.type));
   */
  addListener<E extends keyof HcnEvents>(event: E, listener: HcnEvents[E]): this;
  /**
   * EventEmitter's untyped form, for any other event.
   * @example
   * hcn.addListener('newListener', onNewListener);
   */
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /**
   * Same as {@link off}.
   * @example
   * hcn.removeListener('notification', onNotification);
   */
  removeListener<E extends keyof HcnEvents>(event: E, listener: HcnEvents[E]): this;
  /**
   * EventEmitter's untyped form, for any other event.
   * @example
   * hcn.removeListener('newListener', onNewListener);
   */
  removeListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /**
   * Calls the listeners of an {@link HcnEvents} event (the client does this for HNS notifications;
   * tests may do it to simulate one). Returns true when there were listeners.
   * @example
   * hcn.emit('serviceDisconnect', { type: HcnNotificationType.ServiceDisconnect, status: 0, data: null });
   */
  emit<E extends keyof HcnEvents>(event: E, ...args: Parameters<HcnEvents[E]>): boolean;
  /**
   * EventEmitter's untyped form, for any other event.
   * @example
   * hcn.emit('my-app-event', 42); // an event of your own
   */
  emit(event: string | symbol, ...args: any[]): boolean;
}
