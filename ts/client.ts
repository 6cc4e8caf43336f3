// Hcn: the SDK client. Opens a backend (the real HNS or the simulator), reads features, and offers
// networks, endpoints and load balancers with a deadline and an AbortSignal on every call, typed
// errors, per-frontend serialisation, and HNS service notifications as events.
import { EventEmitter } from 'node:events';
import {
  HcnAbortError,
  HcnAccessDeniedError,
  HcnAlreadyExistsError,
  HcnError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnBusyError,
  HcnNotFoundError,
  HcnValidationError,
  notFoundError,
  toHcnError,
} from './errors';
import { featuresForVersion, parseVersionResponse, withProbeResult, type FeatureName, type Features, type HnsVersion } from './features';
import { loadBinding, type NativeContext, type NativePoolStats } from './native';
import { validateLoadBalancerSpec } from './builders/load-balancer';
import { canonicalIp, macForRemoteEndpoint, parseIp } from './net/ip';
import { isGuid, normalizeGuid } from './schema/guid';
import { query } from './schema/query';
import { parseLoadBalancer, protocolNumber, serializeLoadBalancer } from './schema/load-balancer';
import { parseEndpoint, remoteEndpointToHns } from './schema/endpoint';
import { parseNetwork, providerAddressFor } from './schema/network';
import type { EndpointInfo, LoadBalancerInfo, LoadBalancerSpec, NetworkInfo, Protocol } from './schema/models';
import type { HostComputeEndpoint, HostComputeNetwork } from './schema/hns-types';
import { HcnBackendNotFoundError, LoadBalancerHandle } from './load-balancer';
import { deleteLoadBalancer } from './internal/lb-delete';
import { runUpdateInTurn } from './internal/handle-access';
import { Simulator, type SimulatorChange } from './simulator';
import type { Engine } from './internal/engine';
import { KeyedQueue } from './internal/keyed-queue';
import { frontendKeys, idKey, infoMatchesSpec } from './internal/lb-match';
import { Operation, checkTimeout, type CallOptions } from './internal/operation';

export type { CallOptions } from './internal/operation';

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
   * Simulator only: a state file shared by every process that uses it (as HNS is machine-wide).
   * The embedded simulator is process-wide, so this applies to every simulated client in the process.
   */
  statePath?: string | undefined;
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

/**
 * A notification from HNS (HCN_NOTIFICATIONS), emitted as `'notification'`.
 * @example
 * hcn.on('notification', (n: HcnNotification) => console.log(n.type.toString(16), n.data));
 */
export interface HcnNotification {
  /** HCN_NOTIFICATIONS value, e.g. 0x01000000 = ServiceDisconnect (see {@link HcnNotificationType}). */
  type: number;
  /** The notification's HRESULT status. */
  status: number;
  /** Notification data (JSON text for most types), or null. */
  data: string | null;
}

/**
 * HCN_NOTIFICATIONS values. There is no load balancer notification; ServiceDisconnect (HNS stopped or
 * restarted) is the only hook for "re-check your load balancers".
 * @example
 * hcn.on('notification', (n) => { if (n.type === HcnNotificationType.NetworkCreate) refreshNetworks(); });
 */
export const HcnNotificationType = Object.freeze({
  /** `HcnNotificationNetworkPreCreate` (0x1): a network is about to be created. */
  NetworkPreCreate: 0x1,
  /** `HcnNotificationNetworkCreate` (0x2): a network was created. */
  NetworkCreate: 0x2,
  /** `HcnNotificationNetworkPreDelete` (0x3): a network is about to be deleted. */
  NetworkPreDelete: 0x3,
  /** `HcnNotificationNetworkDelete` (0x4): a network was deleted. */
  NetworkDelete: 0x4,
  /** `HcnNotificationNamespaceCreate` (0x5): a namespace was created. */
  NamespaceCreate: 0x5,
  /** `HcnNotificationNamespaceDelete` (0x6): a namespace was deleted. */
  NamespaceDelete: 0x6,
  /** `HcnNotificationGuestNetworkServiceCreate` (0x7): a guest network service was created. */
  GuestNetworkServiceCreate: 0x7,
  /** `HcnNotificationGuestNetworkServiceDelete` (0x8): a guest network service was deleted. */
  GuestNetworkServiceDelete: 0x8,
  /** `HcnNotificationNetworkEndpointAttached` (0x9): an endpoint was attached to a network. */
  NetworkEndpointAttached: 0x9,
  /** `HcnNotificationNetworkEndpointDetached` (0x10, i.e. 16, not 10): an endpoint was detached from a network. */
  NetworkEndpointDetached: 0x10,
  /** `HcnNotificationGuestNetworkServiceStateChanged` (0x11): a guest network service changed state. */
  GuestNetworkServiceStateChanged: 0x11,
  /** `HcnNotificationGuestNetworkServiceInterfaceStateChanged` (0x12): a guest network service interface changed state. */
  GuestNetworkServiceInterfaceStateChanged: 0x12,
  /** `HcnNotificationServiceDisconnect` (0x01000000): HNS stopped or restarted; the client also emits `'serviceDisconnect'`. */
  ServiceDisconnect: 0x01000000,
} as const);

const NOTIFICATION_FLAGS = 0xf0000000;

/**
 * Events of {@link Hcn}.
 * @example
 * const onDisconnect: HcnEvents['serviceDisconnect'] = () => resyncAll();
 * hcn.on('serviceDisconnect', onDisconnect);
 */
export interface HcnEvents {
  /** HNS stopped or restarted: cached IDs may be stale and HNS may have rehydrated objects. */
  serviceDisconnect: (notification: HcnNotification) => void;
  /** Every notification HNS sends, ServiceDisconnect included. */
  notification: (notification: HcnNotification) => void;
}

/**
 * Filter of `endpoints.list`.
 * @example
 * await hcn.endpoints.list({ network: 'vxlan0', ip: '10.0.0.14' });
 */
export interface EndpointFilter extends CallOptions {
  /** Network ID or name. */
  network?: string | undefined;
  /** Endpoints with this address (any of their IP configurations). */
  ip?: string | undefined;
}

/**
 * Options of `endpoints.createRemote`.
 * @example
 * await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.1.7' }); // PA from the RemoteSubnetRoute
 */
export interface RemoteEndpointRequest extends CallOptions {
  /** Network ID or name. */
  network: string;
  /** The remote backend's (pod's) IP address. */
  ip: string;
  /**
   * Underlay address of the node that owns `ip`. When omitted it comes from the network's
   * RemoteSubnetRoute whose prefix contains `ip` (required on an overlay network when none does).
   */
  providerAddress?: string | undefined;
  /** Default: kube-proxy's `02-11-<ip bytes in hex>`. */
  mac?: string | undefined;
  /** Optional endpoint name. */
  name?: string | undefined;
}

/**
 * A load balancer frontend: VIP, protocol and external port.
 * @example
 * const lb = await hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'tcp', port: 8000 });
 */
export interface Frontend {
  /** The frontend VIP (IPv4 or IPv6; compared in canonical form). */
  vip: string;
  /** The port mapping's protocol. */
  protocol: Protocol;
  /** The external (frontend) port, 1–65535. */
  port: number;
}

/**
 * Filter of `loadBalancers.list` (all given parts must match; protocol and port within one mapping).
 * @example
 * const handles = await hcn.loadBalancers.list({ vip: '13.0.0.13' });
 */
export interface LoadBalancerFilter extends CallOptions {
  /** Load balancers with this frontend VIP (any of their VIPs; compared in canonical form). */
  vip?: string | undefined;
  /** Load balancers with a port mapping of this protocol. */
  protocol?: Protocol | undefined;
  /** External (frontend) port. */
  port?: number | undefined;
}

/**
 * `hcn.networks`.
 * @example
 * const net = await hcn.networks.findByName('vxlan0');
 */
export interface NetworksApi {
  /**
   * Every network, in one native hop.
   * @example
   * for (const n of await hcn.networks.list()) console.log(n.name, n.type);
   */
  list(options?: CallOptions): Promise<NetworkInfo[]>;
  /**
   * One network by ID; HcnNotFoundError when it does not exist.
   * @example
   * const net = await hcn.networks.get('6c1f8a2e-0c1b-4c55-9f2a-000000000001');
   */
  get(id: string, options?: CallOptions): Promise<NetworkInfo>;
  /**
   * The network with this name (server-side Name filter), or undefined.
   * @example
   * const overlay = await hcn.networks.findByName('vxlan0');
   */
  findByName(name: string, options?: CallOptions): Promise<NetworkInfo | undefined>;
  /**
   * Creates a network from an HCN network document as given (HNS assigns the ID). For tools and
   * test fixtures; most hosts get their networks from the CNI.
   * @example
   * const net = await hcn.networks.create({ Name: 'test', Type: 'NAT', Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '192.168.100.0/24' }] }], SchemaVersion: { Major: 2, Minor: 0 } });
   */
  create(settings: HostComputeNetwork, options?: CallOptions): Promise<NetworkInfo>;
  /**
   * Deletes a network: true = deleted, false = it was already gone.
   * @example
   * await hcn.networks.delete(net.id);
   */
  delete(id: string, options?: CallOptions): Promise<boolean>;
}

/**
 * `hcn.endpoints`.
 * @example
 * const eps = await hcn.endpoints.list({ network: 'vxlan0' });
 */
export interface EndpointsApi {
  /**
   * Endpoints, optionally of one network (ID or name) and/or with one IP.
   * @example
   * const local = (await hcn.endpoints.list({ network: 'vxlan0' })).filter((e) => !e.remote);
   */
  list(filter?: EndpointFilter): Promise<EndpointInfo[]>;
  /**
   * One endpoint by ID; HcnNotFoundError when it does not exist.
   * @example
   * const ep = await hcn.endpoints.get(lb.info.backendIds[0]!);
   */
  get(id: string, options?: CallOptions): Promise<EndpointInfo>;
  /**
   * The endpoint with this IP (a local one when HNS holds both a local and a remote one), or undefined.
   * @example
   * const ep = await hcn.endpoints.findByIp('10.0.0.14');
   */
  findByIp(ip: string, options?: CallOptions): Promise<EndpointInfo | undefined>;
  /**
   * Creates a remote endpoint for an off-node backend the way kube-proxy does: Flags 1 (remote), MAC
   * `02-11-<ip hex>`, and on overlay networks a ProviderAddress policy.
   * @example
   * const ep = await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.1.7' });
   * ep.providerAddress; // '10.231.111.98' from the network's RemoteSubnetRoute 10.0.1.0/24
   */
  createRemote(request: RemoteEndpointRequest): Promise<EndpointInfo>;
  /**
   * Creates an endpoint from an HCN endpoint document as given, in `network` (ID or name).
   * @example
   * const ep = await hcn.endpoints.create('vxlan0', { Name: 'pod-a', IpConfigurations: [{ IpAddress: '10.0.0.20' }], SchemaVersion: { Major: 2, Minor: 0 } });
   */
  create(network: string, settings: HostComputeEndpoint, options?: CallOptions): Promise<EndpointInfo>;
  /**
   * Deletes an endpoint. Resolves true when deleted, false when it was already gone.
   * @example
   * await hcn.endpoints.delete(ep.id);
   */
  delete(id: string, options?: CallOptions): Promise<boolean>;
}

/**
 * `hcn.loadBalancers`.
 * @example
 * const lb = await hcn.loadBalancers.create(spec);
 */
export interface LoadBalancersApi {
  /**
   * Creates a load balancer. The spec is validated against the host's features first (nothing
   * known-invalid reaches HNS); backends given as IPs are resolved to endpoint IDs (an unknown IP
   * throws {@link HcnBackendNotFoundError} naming `backends[i]`). When HNS answers ERROR_ALREADY_EXISTS
   * (it rehydrated the load balancer after a restart) an identical load balancer on the same frontend
   * is adopted (`handle.adopted`); otherwise the error is thrown.
   * @example
   * const spec = LoadBalancer.builder().frontend('13.0.0.13').sourceVip('10.231.111.97')
   *   .backends(['10.0.0.14', '10.0.0.15']).port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build();
   * await using lb = await hcn.loadBalancers.create(spec);
   */
  create(spec: LoadBalancerSpec, options?: CallOptions): Promise<LoadBalancerHandle>;
  /**
   * One load balancer by ID; HcnNotFoundError when it does not exist.
   * @example
   * const lb = await hcn.loadBalancers.get(id);
   */
  get(id: string, options?: CallOptions): Promise<LoadBalancerHandle>;
  /**
   * Every load balancer (one native hop), optionally filtered by frontend.
   * @example
   * const onVip = await hcn.loadBalancers.list({ vip: '13.0.0.13', protocol: 'tcp' });
   */
  list(filter?: LoadBalancerFilter): Promise<LoadBalancerHandle[]>;
  /**
   * The load balancer serving (VIP, protocol, external port), or undefined.
   * @example
   * const existing = await hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'tcp', port: 8000 });
   */
  findByFrontend(frontend: Frontend, options?: CallOptions): Promise<LoadBalancerHandle | undefined>;
  /**
   * Updates a load balancer by ID (see {@link LoadBalancerHandle.update}); resolves with its handle,
   * whose `id` is the new ID when it had to be replaced.
   * @example
   * const lb = await hcn.loadBalancers.update(id, spec);
   * console.log(lb.lastUpdate?.strategy);
   */
  update(id: string, spec: LoadBalancerSpec, options?: CallOptions): Promise<LoadBalancerHandle>;
  /**
   * Deletes a load balancer by ID: true = deleted, false = it was already gone. An unreachable or
   * slow HNS throws (never reported as gone).
   * @example
   * const deleted = await hcn.loadBalancers.delete(id);
   */
  delete(id: string, options?: CallOptions): Promise<boolean>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const Q = query();

function checkGuid(id: unknown, operation: string, field = 'id'): string {
  const g = normalizeGuid(id);
  if (g !== null) return g;
  throw new HcnValidationError({
    operation,
    issues: [{ field, rule: 'guid', message: `must be a 36-character GUID (got ${JSON.stringify(id)})`, value: id }],
  });
}

function checkIp(ip: unknown, operation: string, field: string): string {
  const parsed = typeof ip === 'string' ? parseIp(ip) : null;
  if (parsed) return parsed.address;
  throw new HcnValidationError({
    operation,
    issues: [{ field, rule: 'ip', message: `is not a valid IPv4 or IPv6 address (got ${JSON.stringify(ip)})`, value: ip }],
  });
}

/** Local endpoints first: WS2019/2022 can hold a local and a remote endpoint with the same IP. */
function preferLocal(a: EndpointInfo, b: EndpointInfo): number {
  return Number(a.remote) - Number(b.remote);
}

function matchesFilter(info: LoadBalancerInfo, filter: { vip?: string | undefined; protocol?: Protocol | undefined; port?: number | undefined }): boolean {
  if (filter.vip !== undefined) {
    const vip = canonicalIp(filter.vip) ?? filter.vip;
    if (!info.frontendVips.some((v) => (canonicalIp(v) ?? v) === vip)) return false;
  }
  if (filter.protocol === undefined && filter.port === undefined) return true;
  return info.ports.some(
    (p) => (filter.protocol === undefined || p.protocol === filter.protocol) && (filter.port === undefined || p.external === filter.port),
  );
}

/**
 * The SDK client. Every method takes `{ signal, timeoutMs }`; errors are {@link HcnError} subclasses.
 * Emits `'serviceDisconnect'` and `'notification'` (the HNS service callback is registered when the
 * first such listener is added and unregistered when the last is removed).
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
   * if (hcn.backend === 'simulated') hcn.simulator!.reset();
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
   * hcn.simulator?.setVersion(15, 5);
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

  #ctx: NativeContext;
  #closed = false;
  #subscribed = false;
  #overrides: Partial<Record<FeatureName, boolean>> | undefined;
  #probes = new Map<FeatureName, boolean>();
  #features: Promise<Features> | undefined;
  #featuresValue: Features | undefined;
  #featuresGeneration = 0;
  /** Frontend queue keys of the load balancers this client has seen, by ID. */
  #lbKeys = new Map<string, string[]>();
  readonly #queue = new KeyedQueue();
  readonly #engine: Engine;

  private constructor(ctx: NativeContext, backend: BackendName, options: OpenOptions) {
    super();
    this.#ctx = ctx;
    this.backend = backend;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#overrides = options.features ? { ...options.features } : undefined;
    this.simulator = ctx.hasSimControl
      ? new Simulator(
          (request) => this.#context('SimControl').simControl(request),
          (what) => this.#simulatorChanged(what),
        )
      : undefined;
    this.#engine = this.#makeEngine();
    this.networks = this.#makeNetworks();
    this.endpoints = this.#makeEndpoints();
    this.loadBalancers = this.#makeLoadBalancers();
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
    if (event === 'serviceDisconnect' || event === 'notification') this.#subscribe();
  };

  #onRemoveListener = (event: string | symbol): void => {
    if ((event === 'serviceDisconnect' || event === 'notification') && this.listenerCount('serviceDisconnect') + this.listenerCount('notification') === 0) {
      this.#unsubscribe();
    }
  };

  #installListenerHooks(): void {
    if (!this.listeners('newListener').includes(this.#onNewListener)) super.on('newListener', this.#onNewListener);
    if (!this.listeners('removeListener').includes(this.#onRemoveListener)) super.on('removeListener', this.#onRemoveListener);
    if (this.listenerCount('serviceDisconnect') + this.listenerCount('notification') === 0) this.#unsubscribe();
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
    if (options.statePath !== undefined && (typeof options.statePath !== 'string' || options.statePath === '')) {
      throw new TypeError('Hcn.open: statePath must be a non-empty string');
    }
    const binding = loadBinding();
    let ctx: NativeContext;
    try {
      ctx = binding.open(options.threads === undefined ? { backend } : { backend, threads: options.threads });
    } catch (err) {
      throw toHcnError(err, 'Hcn.open');
    }
    const hcn = new Hcn(ctx, backend, options);
    if (options.statePath !== undefined) {
      if (!hcn.simulator) {
        ctx.close();
        throw new HcnValidationError({
          operation: 'Hcn.open',
          issues: [
            {
              field: 'statePath',
              rule: 'requires-simulator',
              message: `names a simulator state file, but the ${backend} backend has no simulator`,
              value: options.statePath,
            },
          ],
        });
      }
      try {
        hcn.simulator.configure(options.statePath);
      } catch (err) {
        ctx.close();
        throw err;
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
    const op = this.#operation('Hcn.features', options);
    try {
      if (options.refresh) this.#dropFeatures();
      return await this.#loadFeatures(op);
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
    const op = this.#operation('Hcn.hnsCall', options);
    try {
      return await op.native('HNSCall', (t) => this.#context('HNSCall').hnsCall(method, path, request, t));
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
    return this.#context('stats').stats();
  }

  /**
   * True after {@link close}.
   * @example
   * if (!hcn.closed) await hcn.close();
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Unregisters the service callback and closes the native context: calls still pending reject with
   * HcnError `HCN_CLOSED`, later calls too. Idempotent.
   * @example
   * await hcn.close();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#unsubscribe();
    } finally {
      this.#ctx.close();
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

  #context(operation: string): NativeContext {
    if (this.#closed) throw new HcnError({ code: 'HCN_CLOSED', operation, detail: 'the client was closed' });
    return this.#ctx;
  }

  #operation(name: string, options: CallOptions | undefined): Operation {
    this.#context(name);
    const timeoutMs = options?.timeoutMs === undefined ? this.timeoutMs : checkTimeout(options.timeoutMs, `${name}: timeoutMs`);
    return new Operation(name, options?.signal, timeoutMs);
  }

  #simulatorChanged(what: SimulatorChange): void {
    if (what === 'version' || what === 'reset' || what === 'restart' || what === 'configure') this.#dropFeatures();
  }

  #dropFeatures(): void {
    this.#features = undefined;
    this.#featuresValue = undefined;
    this.#featuresGeneration++;
  }

  /** The cached features; one shared read of /globals/version, which each caller waits for within its own budget. */
  async #loadFeatures(op: Operation): Promise<Features> {
    if (!this.#features) {
      const generation = this.#featuresGeneration;
      const loading = this.#readFeatures();
      this.#features = loading;
      loading.then(
        (f) => {
          if (this.#featuresGeneration === generation) this.#featuresValue = f;
        },
        () => {
          if (this.#features === loading) this.#features = undefined;
        },
      );
    }
    return op.wait(this.#features);
  }

  async #readFeatures(): Promise<Features> {
    // Its own budget: one caller's abort must not fail the others waiting for the same read.
    const op = new Operation('Hcn.features', undefined, this.timeoutMs);
    let version: HnsVersion | undefined;
    try {
      version = parseVersionResponse(await op.native('HNSCall', (t) => this.#context('HNSCall').hnsCall('GET', '/globals/version', '', t)));
    } catch (err) {
      // "Could not ask" must not be cached as "no features".
      if (
        err instanceof HcnTimeoutError ||
        err instanceof HcnBusyError ||
        err instanceof HcnAbortError ||
        err instanceof HcnServiceUnavailableError ||
        err instanceof HcnAccessDeniedError ||
        !(err instanceof HcnError) ||
        err.code === 'HCN_CLOSED'
      ) {
        throw err;
      }
      // An HNS without /globals/version (pre-1803) or without HNSCall: the version is unknown.
      version = undefined;
    } finally {
      op.dispose();
    }
    let f = featuresForVersion(version, this.#overrides);
    for (const [name, supported] of this.#probes) f = withProbeResult(f, name, supported);
    return f;
  }

  #probe(feature: FeatureName, supported: boolean): void {
    this.#probes.set(feature, supported);
    if (this.#featuresValue) {
      this.#featuresValue = withProbeResult(this.#featuresValue, feature, supported);
      this.#features = Promise.resolve(this.#featuresValue);
    } else if (this.#features) {
      this.#features = this.#features.then((f) => withProbeResult(f, feature, supported));
      this.#features.catch(() => undefined);
    }
  }

  #subscribe(): void {
    if (this.#subscribed || this.#closed) return;
    try {
      this.#ctx.subscribe((type, status, data) => this.#onNotification(type, status, data));
    } catch (err) {
      throw toHcnError(err, 'HcnRegisterServiceCallback');
    }
    this.#subscribed = true;
  }

  #unsubscribe(): void {
    if (!this.#subscribed) return;
    this.#subscribed = false;
    try {
      this.#ctx.unsubscribe();
    } catch (err) {
      throw toHcnError(err, 'HcnUnregisterServiceCallback');
    }
  }

  #onNotification(type: number, status: number, data: string | null): void {
    const n: HcnNotification = Object.freeze({ type: type >>> 0, status: status >>> 0, data: data ?? null });
    if (((type >>> 0) & ~NOTIFICATION_FLAGS) >>> 0 === HcnNotificationType.ServiceDisconnect) {
      // HNS restarted: it may be another version now, and it may have rehydrated objects.
      this.#dropFeatures();
      this.emit('serviceDisconnect', n);
    }
    this.emit('notification', n);
  }

  #makeEngine(): Engine {
    return {
      context: () => this.#context('hcn'),
      operation: (name, options) => this.#operation(name, options),
      queue: this.#queue,
      features: (op) => this.#loadFeatures(op),
      probe: (feature, supported) => this.#probe(feature, supported),
      resolveBackends: (spec, op) => this.#resolveBackends(spec, op),
      remember: (info) => {
        if (info.id) this.#lbKeys.set(info.id, frontendKeys(info));
      },
      forget: (id) => {
        this.#lbKeys.delete(id.toLowerCase());
      },
      keysOf: (id) => [...(this.#lbKeys.get(id.toLowerCase()) ?? []), idKey(id)],
    };
  }

  async #listEndpoints(op: Operation, filter: Record<string, string> | undefined): Promise<EndpointInfo[]> {
    const q = filter ? query(filter) : Q;
    const docs = await op.native('HcnEnumerateEndpoints', (t) => this.#context('HcnEnumerateEndpoints').list('endpoint', q, Q, t));
    return docs.map((d) => parseEndpoint(d));
  }

  async #resolveBackends(spec: LoadBalancerSpec, op: Operation): Promise<string[]> {
    if (spec.backends.every((b) => b.kind === 'id')) return spec.backends.map((b) => (b.kind === 'id' ? b.id : ''));
    const byIp = new Map<string, EndpointInfo>();
    for (const ep of (await this.#listEndpoints(op, undefined)).sort(preferLocal)) {
      for (const ip of ep.ipAddresses) {
        const key = canonicalIp(ip) ?? ip;
        if (!byIp.has(key)) byIp.set(key, ep);
      }
    }
    return spec.backends.map((b, i) => {
      if (b.kind === 'id') return b.id;
      const ep = byIp.get(b.ip);
      if (ep) return ep.id;
      throw new HcnBackendNotFoundError({
        code: 'ERROR_NOT_FOUND',
        operation: op.name,
        hresult: 0x80070490,
        detail: `backends[${i}]: no endpoint in HNS has IP ${b.ip} (create it first, e.g. endpoints.createRemote for an off-node backend)`,
        field: `backends[${i}]`,
        ip: b.ip,
      });
    });
  }

  async #resolveNetwork(ref: string, op: Operation, field: string): Promise<NetworkInfo> {
    if (typeof ref !== 'string' || ref === '') {
      throw new HcnValidationError({
        operation: op.name,
        issues: [{ field, rule: 'required', message: 'must name a network (ID or name)', value: ref }],
      });
    }
    if (isGuid(ref)) {
      const json = await op.native('HcnQueryNetworkProperties', (t) => this.#context('HcnQueryNetworkProperties').query('network', ref.toLowerCase(), Q, t));
      return parseNetwork(json);
    }
    const found = await this.#findNetworkByName(ref, op);
    if (!found) throw notFoundError(op.name, `${field}: no network named ${JSON.stringify(ref)}`);
    return found;
  }

  async #findNetworkByName(name: string, op: Operation): Promise<NetworkInfo | undefined> {
    const docs = await op.native('HcnEnumerateNetworks', (t) => this.#context('HcnEnumerateNetworks').list('network', query({ Name: name }), Q, t));
    // Filtered again here: the Name filter is HNS's, this is the SDK's promise.
    return docs.map((d) => parseNetwork(d)).find((n) => n.name === name);
  }

  async #run<T>(name: string, options: CallOptions | undefined, body: (op: Operation) => Promise<T>): Promise<T> {
    const op = this.#operation(name, options);
    try {
      return await body(op);
    } finally {
      op.dispose();
    }
  }

  #makeNetworks(): NetworksApi {
    return {
      list: (options) =>
        this.#run('networks.list', options, async (op) => {
          const docs = await op.native('HcnEnumerateNetworks', (t) => this.#context('HcnEnumerateNetworks').list('network', Q, Q, t));
          return docs.map((d) => parseNetwork(d));
        }),
      get: (id, options) =>
        this.#run('networks.get', options, async (op) => {
          const gid = checkGuid(id, op.name);
          return parseNetwork(await op.native('HcnQueryNetworkProperties', (t) => this.#context('HcnQueryNetworkProperties').query('network', gid, Q, t)));
        }),
      findByName: (name, options) => this.#run('networks.findByName', options, (op) => this.#findNetworkByName(name, op)),
      create: (settings, options) =>
        this.#run('networks.create', options, async (op) => {
          const { ID: _id, ...doc } = settings;
          void _id;
          const json = await op.native('HcnCreateNetwork', (t) =>
            this.#context('HcnCreateNetwork').create('network', null, JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 }, ...doc }), Q, t),
          );
          return parseNetwork(json);
        }),
      delete: (id, options) =>
        this.#run('networks.delete', options, async (op) => {
          const gid = checkGuid(id, op.name);
          return this.#removeIfPresent(op, 'HcnDeleteNetwork', (t) => this.#context('HcnDeleteNetwork').remove('network', gid, t));
        }),
    };
  }

  #makeEndpoints(): EndpointsApi {
    return {
      list: (filter = {}) =>
        this.#run('endpoints.list', filter, async (op) => {
          const ip = filter.ip === undefined ? undefined : checkIp(filter.ip, op.name, 'ip');
          let networkId: string | undefined;
          if (filter.network !== undefined) networkId = (await this.#resolveNetwork(filter.network, op, 'network')).id;
          const eps = await this.#listEndpoints(op, networkId ? { HostComputeNetwork: networkId } : undefined);
          return eps.filter(
            (e) => (networkId === undefined || e.networkId === networkId) && (ip === undefined || e.ipAddresses.some((a) => (canonicalIp(a) ?? a) === ip)),
          );
        }),
      get: (id, options) =>
        this.#run('endpoints.get', options, async (op) => {
          const gid = checkGuid(id, op.name);
          return parseEndpoint(await op.native('HcnQueryEndpointProperties', (t) => this.#context('HcnQueryEndpointProperties').query('endpoint', gid, Q, t)));
        }),
      findByIp: (ip, options) =>
        this.#run('endpoints.findByIp', options, async (op) => {
          const want = checkIp(ip, op.name, 'ip');
          const eps = (await this.#listEndpoints(op, undefined)).sort(preferLocal);
          return eps.find((e) => e.ipAddresses.some((a) => (canonicalIp(a) ?? a) === want));
        }),
      createRemote: (request) =>
        this.#run('endpoints.createRemote', request, async (op) => {
          const ip = checkIp(request.ip, op.name, 'ip');
          let pa = request.providerAddress === undefined ? undefined : checkIp(request.providerAddress, op.name, 'providerAddress');
          let mac = request.mac;
          if (mac !== undefined) {
            if (typeof mac !== 'string' || !/^[0-9a-f]{2}([-:][0-9a-f]{2}){5}$/i.test(mac)) {
              throw new HcnValidationError({
                operation: op.name,
                issues: [{ field: 'mac', rule: 'mac', message: `must be a MAC address like 02-11-0a-00-01-07 (got ${JSON.stringify(mac)})`, value: mac }],
              });
            }
            mac = mac.replace(/:/g, '-');
          }
          const net = await this.#resolveNetwork(request.network, op, 'network');
          // An explicit PA wins; otherwise kube-proxy's lookup: the RemoteSubnetRoute covering the IP.
          pa ??= providerAddressFor(net, ip);
          if (pa === undefined && net.type.toLowerCase() === 'overlay') {
            throw new HcnValidationError({
              operation: op.name,
              issues: [
                {
                  field: 'providerAddress',
                  rule: 'required',
                  message: `is needed: no RemoteSubnetRoute of overlay network ${net.name || net.id} contains ${ip}`,
                  value: undefined,
                },
              ],
            });
          }
          const doc = remoteEndpointToHns({ networkId: net.id, ip, providerAddress: pa, mac: mac ?? macForRemoteEndpoint(ip), name: request.name });
          const json = await op.native('HcnCreateEndpoint', (t) =>
            this.#context('HcnCreateEndpoint').create('endpoint', null, JSON.stringify(doc), Q, t, net.id),
          );
          return parseEndpoint(json);
        }),
      create: (network, settings, options) =>
        this.#run('endpoints.create', options, async (op) => {
          const net = await this.#resolveNetwork(network, op, 'network');
          const { ID: _id, ...doc } = settings;
          void _id;
          const body = JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 }, ...doc, HostComputeNetwork: net.id });
          const json = await op.native('HcnCreateEndpoint', (t) => this.#context('HcnCreateEndpoint').create('endpoint', null, body, Q, t, net.id));
          return parseEndpoint(json);
        }),
      delete: (id, options) =>
        this.#run('endpoints.delete', options, async (op) => {
          const gid = checkGuid(id, op.name);
          return this.#removeIfPresent(op, 'HcnDeleteEndpoint', (t) => this.#context('HcnDeleteEndpoint').remove('endpoint', gid, t));
        }),
    };
  }

  /** A delete: true = deleted, false = not found; anything else (unavailable, timeout) throws. */
  async #removeIfPresent(op: Operation, operation: string, call: (timeoutMs: number) => Promise<void>): Promise<boolean> {
    try {
      await op.native(operation, call);
      return true;
    } catch (err) {
      if (err instanceof HcnNotFoundError) return false;
      throw err;
    }
  }

  #handle(info: LoadBalancerInfo, adopted = false): LoadBalancerHandle {
    return new LoadBalancerHandle(this.#engine, info, adopted);
  }

  async #listLoadBalancers(op: Operation): Promise<LoadBalancerInfo[]> {
    const docs = await op.native('HcnEnumerateLoadBalancers', (t) => this.#context('HcnEnumerateLoadBalancers').list('loadBalancer', Q, Q, t));
    return docs.map((d) => parseLoadBalancer(d));
  }

  #makeLoadBalancers(): LoadBalancersApi {
    return {
      create: async (spec, options) => {
        const op = this.#operation('loadBalancers.create', options);
        try {
          // Shape-validated and queued before the first await: same-frontend calls keep call order.
          const shape = validateLoadBalancerSpec(spec);
          const release = await this.#queue.enter(frontendKeys(shape), op.interrupt);
          try {
            const features = await this.#loadFeatures(op);
            const valid = validateLoadBalancerSpec(shape, { features });
            const backendIds = await this.#resolveBackends(valid, op);
            const settings = serializeLoadBalancer(valid, backendIds);
            try {
              const json = await op.native('HcnCreateLoadBalancer', (t) =>
                this.#context('HcnCreateLoadBalancer').create('loadBalancer', null, settings, Q, t),
              );
              return this.#handle(parseLoadBalancer(json));
            } catch (err) {
              if (!(err instanceof HcnAlreadyExistsError)) throw err;
              // HNS rehydrated it after a restart (kubernetes#139519): adopt an identical one on this frontend.
              const same = (await this.#listLoadBalancers(op)).find((info) => infoMatchesSpec(info, valid, backendIds));
              if (!same) throw err;
              return this.#handle(same, true);
            }
          } finally {
            release();
          }
        } finally {
          op.dispose();
        }
      },
      get: (id, options) =>
        this.#run('loadBalancers.get', options, async (op) => {
          const gid = checkGuid(id, op.name);
          const json = await op.native('HcnQueryLoadBalancerProperties', (t) =>
            this.#context('HcnQueryLoadBalancerProperties').query('loadBalancer', gid, Q, t),
          );
          return this.#handle(parseLoadBalancer(json));
        }),
      list: (filter = {}) =>
        this.#run('loadBalancers.list', filter, async (op) => {
          const f = this.#checkFrontendFilter(filter, op.name);
          return (await this.#listLoadBalancers(op)).filter((info) => matchesFilter(info, f)).map((info) => this.#handle(info));
        }),
      findByFrontend: (frontend, options) =>
        this.#run('loadBalancers.findByFrontend', options, async (op) => {
          const f = this.#checkFrontendFilter(frontend ?? {}, op.name, true);
          const found = (await this.#listLoadBalancers(op)).find((info) => matchesFilter(info, f));
          return found && this.#handle(found);
        }),
      update: async (id, spec, options) => {
        const op = this.#operation('loadBalancers.update', options);
        try {
          const gid = checkGuid(id, op.name);
          // Queued before the first await (see create); the old frontend is known when this client saw the ID.
          const shape = validateLoadBalancerSpec(spec);
          const release = await this.#queue.enter([...this.#engine.keysOf(gid), ...frontendKeys(shape)], op.interrupt);
          try {
            const json = await op.native('HcnQueryLoadBalancerProperties', (t) =>
              this.#context('HcnQueryLoadBalancerProperties').query('loadBalancer', gid, Q, t),
            );
            const handle = this.#handle(parseLoadBalancer(json));
            await runUpdateInTurn(handle, shape, op);
            return handle;
          } finally {
            release();
          }
        } finally {
          op.dispose();
        }
      },
      delete: async (id, options) => {
        const op = this.#operation('loadBalancers.delete', options);
        try {
          const gid = checkGuid(id, op.name);
          const release = await this.#queue.enter(this.#engine.keysOf(gid), op.interrupt);
          try {
            return await deleteLoadBalancer(this.#engine, gid, op);
          } finally {
            release();
          }
        } finally {
          op.dispose();
        }
      },
    };
  }

  #checkFrontendFilter(
    filter: { vip?: string | undefined; protocol?: Protocol | undefined; port?: number | undefined },
    operation: string,
    required = false,
  ): { vip?: string; protocol?: Protocol; port?: number } {
    const issues: { field: string; rule: string; message: string; value: unknown }[] = [];
    const out: { vip?: string; protocol?: Protocol; port?: number } = {};
    if (filter.vip !== undefined || required) {
      const ip = typeof filter.vip === 'string' ? parseIp(filter.vip) : null;
      if (ip) out.vip = ip.address;
      else issues.push({ field: 'vip', rule: filter.vip === undefined ? 'required' : 'ip', message: 'must be an IP address', value: filter.vip });
    }
    if (filter.protocol !== undefined || required) {
      const p = filter.protocol;
      let known = false;
      try {
        known = typeof p === 'string' && protocolNumber(p) >= 0;
      } catch {
        known = false;
      }
      if (known) out.protocol = p!;
      else issues.push({ field: 'protocol', rule: p === undefined ? 'required' : 'protocol', message: 'must be tcp, udp, sctp or any', value: p });
    }
    if (filter.port !== undefined || required) {
      const port = filter.port;
      if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) out.port = port;
      else issues.push({ field: 'port', rule: port === undefined ? 'required' : 'range', message: 'must be an integer from 1 to 65535', value: port });
    }
    if (issues.length > 0) throw new HcnValidationError({ operation, issues });
    return out;
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
