// What every family of the client shares: the native context (and its closed state), operation
// budgets, the per-frontend queue with the frontend keys of IDs this client has seen, the cached
// features with runtime probes, and the look-ups several families make (networks by name or ID,
// endpoint listing). Internal: not exported from the package.
import {
  HcnAbortError,
  HcnAccessDeniedError,
  HcnBusyError,
  HcnError,
  HcnNotFoundError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnValidationError,
  networkNotFoundError,
} from '../errors';
import { featuresForVersion, parseVersionResponse, withProbeResult, type FeatureName, type Features, type HnsVersion } from '../features';
import type { NativeContext } from '../native';
import { describeSpecialAddress, parseIp, specialAddress } from '../net/ip';
import { isGuid, normalizeGuid } from '../schema/guid';
import { query } from '../schema/query';
import { parseEndpoint } from '../schema/endpoint';
import { parseNetwork } from '../schema/network';
import type { EndpointInfo, LoadBalancerSpec, NetworkInfo } from '../schema/models';
import type { Engine } from '../internal/engine';
import { KeyedQueue } from '../internal/keyed-queue';
import { LoadBalancerDoc } from '../internal/lb-doc';
import { frontendKeys, idKey } from '../internal/lb-match';
import { Operation, checkTimeout, type CallOptions } from '../internal/operation';

/** The empty HostComputeQuery, serialised once. */
export const Q = query();

/** A canonical lower-case GUID, or HcnValidationError naming `field`. */
export function checkGuid(id: unknown, operation: string, field = 'id'): string {
  const g = normalizeGuid(id);
  if (g !== null) return g;
  throw new HcnValidationError({
    operation,
    issues: [{ field, rule: 'guid', message: `must be a 36-character GUID (got ${JSON.stringify(id)})`, value: id }],
  });
}

/** A canonical IP address, or HcnValidationError naming `field`. */
export function checkIp(ip: unknown, operation: string, field: string): string {
  const parsed = typeof ip === 'string' ? parseIp(ip) : null;
  if (parsed) return parsed.address;
  throw new HcnValidationError({
    operation,
    issues: [{ field, rule: 'ip', message: `is not a valid IPv4 or IPv6 address (got ${JSON.stringify(ip)})`, value: ip }],
  });
}

/**
 * A provider address (underlay address of a node): a valid unicast IP, not unspecified, loopback,
 * multicast, broadcast, link-local or IPv4-mapped IPv6.
 */
export function checkUnicastIp(ip: unknown, operation: string, field: string): string {
  const address = checkIp(ip, operation, field);
  const kind = specialAddress(address);
  if (kind === null) return address;
  throw new HcnValidationError({
    operation,
    issues: [{ field, rule: 'address', message: `is ${describeSpecialAddress(kind)} (${address}); it must be a unicast address`, value: ip }],
  });
}

// A surrogate half without its other half: JSON.stringify writes it as an escape that HNS refuses
// (HCN_E_INVALID_JSON), after the request was sent.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** An optional object name: undefined, or a string of well-formed UTF-16 without NUL. */
export function checkName(name: unknown, operation: string, field: string): string | undefined {
  if (name === undefined) return undefined;
  let problem: { rule: string; message: string } | undefined;
  if (typeof name !== 'string') {
    let shown: string;
    try {
      shown = JSON.stringify(name) ?? typeof name;
    } catch {
      shown = typeof name;
    }
    problem = { rule: 'type', message: `must be a string (got ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown})` };
  } else {
    const lone = LONE_SURROGATE.exec(name);
    if (lone) {
      problem = { rule: 'text', message: `has a lone UTF-16 surrogate (U+${lone[0].charCodeAt(0).toString(16).toUpperCase()} at index ${lone.index}); HNS would refuse it as invalid JSON` };
    } else if (name.includes('\u0000')) {
      problem = { rule: 'text', message: `has a NUL character at index ${name.indexOf('\u0000')}` };
    }
  }
  if (problem === undefined) return name as string;
  throw new HcnValidationError({ operation, issues: [{ field, rule: problem.rule, message: problem.message, value: name }] });
}

/** Local endpoints first: WS2019/2022 can hold a local and a remote endpoint with the same IP. */
export function preferLocal(a: EndpointInfo, b: EndpointInfo): number {
  return Number(a.remote) - Number(b.remote);
}

/** Backend resolution lives with the load balancer family; the core only forwards to it. */
export type ResolveBackends = (core: ClientCore, spec: LoadBalancerSpec, op: Operation) => Promise<string[]>;

/** The core behind each client, for the SDK's own tests and diagnostics (not exported publicly). */
export const coreOf = new WeakMap<object, ClientCore>();

export class ClientCore {
  closed = false;
  readonly queue = new KeyedQueue();
  readonly engine: Engine;
  readonly #ctx: NativeContext;
  readonly #overrides: Partial<Record<FeatureName, boolean>> | undefined;
  readonly #probes = new Map<FeatureName, boolean>();
  #features: Promise<Features> | undefined;
  #featuresValue: Features | undefined;
  #featuresGeneration = 0;
  /**
   * Frontend queue keys of the load balancers this client has seen, by lower-case ID, with the
   * listing generation they were last seen in. Forgotten when a delete, get or list shows the ID
   * gone (see {@link pruneLoadBalancers}), so load balancers deleted by someone else do not stay
   * here for good.
   */
  readonly #lbKeys = new Map<string, { keys: readonly string[]; seen: number }>();
  #listGeneration = 0;

  constructor(
    ctx: NativeContext,
    readonly timeoutMs: number,
    overrides: Partial<Record<FeatureName, boolean>> | undefined,
    resolveBackends: ResolveBackends,
  ) {
    this.#ctx = ctx;
    this.#overrides = overrides ? { ...overrides } : undefined;
    this.engine = {
      context: () => this.context('hcn'),
      operation: (name, options) => this.operation(name, options),
      queue: this.queue,
      features: (op) => this.loadFeatures(op),
      probe: (feature, supported) => this.probe(feature, supported),
      resolveBackends: (spec, op) => resolveBackends(this, spec, op),
      remember: (lb) => {
        const keys = lb instanceof LoadBalancerDoc ? lb.frontendKeys : frontendKeys(lb);
        if (lb.id) this.#lbKeys.set(lb.id.toLowerCase(), { keys, seen: this.#listGeneration });
      },
      forget: (id) => {
        this.#lbKeys.delete(id.toLowerCase());
      },
      keysOf: (id) => {
        const known = this.#lbKeys.get(id.toLowerCase());
        return known ? [...known.keys, idKey(id)] : [idKey(id)];
      },
    };
  }

  /** How many load balancer IDs the client keeps frontend keys for (tests, diagnostics). */
  get knownLoadBalancers(): number {
    return this.#lbKeys.size;
  }

  /**
   * Starts a full listing of load balancers; the returned function takes the IDs it found and
   * forgets every remembered ID that was known before the listing started and is not among them
   * (deleted by someone else). IDs remembered while the listing ran are kept: they may have been
   * created after HNS enumerated.
   */
  startLoadBalancerListing(): (listedIds: Iterable<string>) => void {
    const generation = ++this.#listGeneration;
    return (listedIds) => {
      const listed = new Set<string>();
      for (const id of listedIds) listed.add(id.toLowerCase());
      for (const [id, entry] of this.#lbKeys) {
        if (entry.seen < generation && !listed.has(id)) this.#lbKeys.delete(id);
      }
    };
  }

  /** The features when they are already read (no await, no timer), else undefined. */
  get cachedFeatures(): Features | undefined {
    return this.#featuresValue;
  }

  /** The native context; HcnError HCN_CLOSED once the client is closed. */
  context(operation: string): NativeContext {
    if (this.closed) throw new HcnError({ code: 'HCN_CLOSED', operation, detail: 'the client was closed' });
    return this.#ctx;
  }

  /** The context even when closed, for the client's own close path. */
  get rawContext(): NativeContext {
    return this.#ctx;
  }

  operation(name: string, options: CallOptions | undefined): Operation {
    this.context(name);
    const timeoutMs = options?.timeoutMs === undefined ? this.timeoutMs : checkTimeout(options.timeoutMs, `${name}: timeoutMs`);
    return new Operation(name, options?.signal, timeoutMs);
  }

  async run<T>(name: string, options: CallOptions | undefined, body: (op: Operation) => Promise<T>): Promise<T> {
    const op = this.operation(name, options);
    try {
      return await body(op);
    } finally {
      op.dispose();
    }
  }

  // ------------------------------------------------------------------ features

  dropFeatures(): void {
    this.#features = undefined;
    this.#featuresValue = undefined;
    this.#featuresGeneration++;
  }

  /** The cached features; one shared read of /globals/version, which each caller waits for within its own budget. */
  async loadFeatures(op: Operation): Promise<Features> {
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
      version = parseVersionResponse(await op.native('HNSCall', (t) => this.context('HNSCall').hnsCall('GET', '/globals/version', '', t)));
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

  probe(feature: FeatureName, supported: boolean): void {
    this.#probes.set(feature, supported);
    if (this.#featuresValue) {
      this.#featuresValue = withProbeResult(this.#featuresValue, feature, supported);
      this.#features = Promise.resolve(this.#featuresValue);
    } else if (this.#features) {
      this.#features = this.#features.then((f) => withProbeResult(f, feature, supported));
      this.#features.catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------ shared look-ups

  async listEndpoints(op: Operation, filter: Record<string, string> | undefined): Promise<EndpointInfo[]> {
    const q = filter ? query(filter) : Q;
    const docs = await op.native('HcnEnumerateEndpoints', (t) => this.context('HcnEnumerateEndpoints').list('endpoint', q, Q, t));
    return docs.map((d) => parseEndpoint(d));
  }

  /** A network by ID or name; `field` names the argument in errors. */
  async resolveNetwork(ref: string, op: Operation, field: string): Promise<NetworkInfo> {
    if (typeof ref !== 'string' || ref === '') {
      throw new HcnValidationError({
        operation: op.name,
        issues: [{ field, rule: 'required', message: 'must name a network (ID or name)', value: ref }],
      });
    }
    // Not found, by ID or by name: one HcnNetworkNotFoundError naming `field` (the reconcile plan
    // reports the same error for the same spec).
    if (isGuid(ref)) {
      let json: string;
      try {
        json = await op.native('HcnQueryNetworkProperties', (t) => this.context('HcnQueryNetworkProperties').query('network', ref.toLowerCase(), Q, t));
      } catch (err) {
        if (err instanceof HcnNotFoundError) throw networkNotFoundError(op.name, field, ref, err);
        throw err;
      }
      return parseNetwork(json);
    }
    const found = await this.findNetworkByName(ref, op);
    if (!found) throw networkNotFoundError(op.name, field, ref);
    return found;
  }

  async findNetworkByName(name: string, op: Operation): Promise<NetworkInfo | undefined> {
    const docs = await op.native('HcnEnumerateNetworks', (t) => this.context('HcnEnumerateNetworks').list('network', query({ Name: name }), Q, t));
    // Filtered again here: the Name filter is HNS's, this is the SDK's promise.
    return docs.map((d) => parseNetwork(d)).find((n) => n.name === name);
  }

  /** A delete: true = deleted, false = not found; anything else (unavailable, timeout) throws. */
  async removeIfPresent(op: Operation, operation: string, call: (timeoutMs: number) => Promise<void>): Promise<boolean> {
    try {
      await op.native(operation, call);
      return true;
    } catch (err) {
      if (err instanceof HcnNotFoundError) return false;
      throw err;
    }
  }
}
