// LoadBalancer.builder() and validateLoadBalancerSpec(): every rule is checked before anything reaches
// HNS, all problems are collected, and the first one names the field and rule of the thrown error.
// The rules come from what users were hurt by (reference/user-pain.md): mixed address families
// (kubernetes#136240), > 1024 backends, duplicate mappings, DSR-only flags without DSR, and features
// the host lacks (refused here with the minimum version rather than by HNS with a bare HRESULT).
import { HcnFeatureNotSupportedError, HcnValidationError, featureMessage, type ValidationIssue } from '../errors';
import { featureTitle, formatVersion, minVersionOf, supportedVersions, type FeatureName, type Features } from '../features';
import { describeSpecialAddress, parseIp, specialAddress } from '../net/ip';
import { normalizeGuid } from '../schema/guid';
import type { BackendSpec, Distribution, LoadBalancerInfo, LoadBalancerSpec, PortMapping, Protocol } from '../schema/models';
import { protocolFromNumber } from '../schema/load-balancer-json';

/**
 * A backend: an endpoint GUID or an IP address (which the client resolves to an endpoint), or any
 * object with an `id` (an {@link EndpointInfo} works).
 * @example
 * const refs: BackendRef[] = ['10.0.0.14', '3599612c-54b4-4b9d-9258-4fc5e2100549', { id: '9b5b1c3e-0000-4000-8000-000000000001' }];
 */
export type BackendRef =
  | string
  | {
      /** Endpoint GUID (any case). */
      readonly id: string;
    };

/**
 * Session affinity mode; sets the distribution of every port mapping.
 * @example
 * const a: Affinity = 'sourceIp';
 */
export type Affinity = Distribution;

/**
 * One port mapping as given to the builder.
 * @example
 * const web: PortOptions = { protocol: 'tcp', external: 8000, internal: 80 };
 */
export interface PortOptions {
  /** A protocol name or its number (6, 17, 0). SCTP (132) is refused: HNS has no such protocol. */
  protocol: Protocol | number;
  /** Frontend port, 1–65535. */
  external: number;
  /** Backend port, 1–65535; defaults to `external`. */
  internal?: number;
  /** Defaults to 'none' (or the builder's `affinity`). */
  distribution?: Distribution;
  /** EnableInternalLoadBalancer flag. */
  ilb?: boolean;
  /** LocalRoutedVip flag. */
  localRoutedVip?: boolean;
  /** Needs DSR. */
  useMux?: boolean;
  /** Needs DSR. */
  preserveDip?: boolean;
  /** VipExternalIP flag (kube-proxy). */
  vipExternalIp?: boolean;
}

/**
 * Options of `build()` and {@link validateLoadBalancerSpec}.
 * @example
 * builder.build({ features: await hcn.features() });
 */
export interface BuildOptions {
  /** When given, features the host lacks (DSR, session affinity, IPv6) are refused with HcnFeatureNotSupportedError. */
  features?: Features | undefined;
}

/**
 * Most backends one load balancer may have (Windows' limit per Service).
 * @example
 * if (ips.length > MAX_BACKENDS) splitIntoSeveralLoadBalancers(ips);
 */
export const MAX_BACKENDS = 1024;

/**
 * Rule names a validation issue can carry.
 * @example
 * const r: ValidationRule = 'unsupported';
 */
export type ValidationRule =
  | 'ip'
  | 'address'
  | 'sparse'
  | 'guid'
  | 'ref'
  | 'family'
  | 'range'
  | 'integer'
  | 'protocol'
  | 'unsupported'
  | 'ambiguous'
  | 'enum'
  | 'type'
  | 'required'
  | 'duplicate'
  | 'max'
  /** No longer raised: UseMux and PreserveDIP are accepted without DSR (kube-proxy's health-check load balancer). */
  | 'requires-dsr'
  | 'unknown'
  | 'feature';

interface Draft {
  /** Frontend VIPs, canonical; empty = every node IP. */
  frontendVips: unknown[];
  /** Source VIP, canonical; `undefined` when not set. */
  sourceVip: unknown;
  /** Backends: endpoint IDs or IP addresses to resolve. */
  backends: unknown[];
  /** Port mappings. */
  ports: unknown[];
  /** Direct Server Return (LoadBalancerFlags.DSR). */
  dsr: unknown;
  /** undefined = decided by the address family. */
  ipv6: unknown;
  affinity: unknown;
  /** Network (ID or name) in which backend IPs are resolved; undefined = not named. */
  network: unknown;
}

type Issue = { field: string; rule: ValidationRule; message: string; value: unknown };

const PROTOCOL_NAMES: Readonly<Record<string, Protocol>> = { tcp: 'tcp', udp: 'udp', sctp: 'sctp', any: 'any' };
const DISTRIBUTIONS: readonly Distribution[] = ['none', 'sourceIpProtocol', 'sourceIp'];
const PORT_FLAGS = ['ilb', 'localRoutedVip', 'useMux', 'preserveDip', 'vipExternalIp'] as const;
const PORT_KEYS = new Set<string>(['protocol', 'external', 'internal', 'distribution', ...PORT_FLAGS]);
const SPEC_KEYS = new Set<string>(['frontendVips', 'sourceVip', 'backends', 'ports', 'dsr', 'ipv6', 'affinity', 'network']);
/** Longest network name accepted (HNS names are short; this only bounds what an error repeats). */
const MAX_NETWORK_NAME = 256;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPort(issues: Issue[], field: string, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.push({ field, rule: 'integer', message: `must be an integer port from 1 to 65535 (got ${describe(value)})`, value });
    return undefined;
  }
  if (value < 1 || value > 65535) {
    issues.push({ field, rule: 'range', message: `must be from 1 to 65535 (got ${value})`, value });
    return undefined;
  }
  return value;
}

function readProtocol(issues: Issue[], field: string, value: unknown): Protocol | undefined {
  if (value === undefined) {
    issues.push({ field, rule: 'required', message: 'is required (tcp, udp or any)', value });
    return undefined;
  }
  const p =
    // No trimming: ' tcp' is refused like any other text that is not a protocol name.
    typeof value === 'string' ? PROTOCOL_NAMES[value.toLowerCase()] : typeof value === 'number' ? protocolFromNumber(value) : undefined;
  if (p === undefined) {
    issues.push({ field, rule: 'protocol', message: `must be tcp, udp or any (or 6, 17, 0) (got ${describe(value)})`, value });
  } else if (p === 'sctp') {
    // HNS's ProtocolType has no SCTP; Kubernetes documents SCTP as unsupported on Windows.
    issues.push({ field, rule: 'unsupported', message: 'SCTP is not supported by HNS (its load balancers take TCP, UDP or any)', value });
    return undefined;
  }
  return p;
}

function readDistribution(issues: Issue[], field: string, value: unknown): Distribution | undefined {
  if (typeof value === 'string' && (DISTRIBUTIONS as readonly string[]).includes(value)) return value as Distribution;
  issues.push({ field, rule: 'enum', message: `must be one of ${DISTRIBUTIONS.join(', ')} (got ${describe(value)})`, value });
  return undefined;
}

function readBoolean(issues: Issue[], field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  issues.push({ field, rule: 'type', message: `must be a boolean (got ${describe(value)})`, value });
  return false;
}

function readBackend(issues: Issue[], field: string, value: unknown): BackendSpec | undefined {
  if (typeof value === 'string') {
    const ip = parseIp(value);
    if (ip) return { kind: 'ip', ip: ip.address };
    const id = normalizeGuid(value);
    if (id) return { kind: 'id', id };
    issues.push({ field, rule: 'ref', message: `is neither an endpoint ID (GUID) nor an IP address (got ${describe(value)})`, value });
    return undefined;
  }
  if (isRecord(value)) {
    if (value.kind === 'ip' || (value.kind === undefined && 'ip' in value && !('id' in value))) {
      const ip = typeof value.ip === 'string' ? parseIp(value.ip) : null;
      if (ip) return { kind: 'ip', ip: ip.address };
      issues.push({ field: `${field}.ip`, rule: 'ip', message: `is not a valid IPv4 or IPv6 address (got ${describe(value.ip)})`, value: value.ip });
      return undefined;
    }
    if (value.kind === 'id' || value.kind === undefined) {
      const id = normalizeGuid(value.id);
      if (id) return { kind: 'id', id };
      issues.push({
        field: `${field}.id`,
        rule: 'guid',
        message: `is not an endpoint ID (36-character GUID) (got ${describe(value.id)})`,
        value: value.id,
      });
      return undefined;
    }
  }
  issues.push({ field, rule: 'ref', message: `must be an endpoint ID, an IP address or an object with an id (got ${describe(value)})`, value });
  return undefined;
}

/**
 * A VIP or source VIP must be an ordinary unicast address: unspecified, loopback, multicast,
 * broadcast, link-local and IPv4-mapped IPv6 addresses are refused (the last one would silently
 * make an IPv6 load balancer for an IPv4 address). Returns false after recording the issue.
 */
function checkUnicast(issues: Issue[], field: string, address: string, value: unknown): boolean {
  const kind = specialAddress(address);
  if (kind === null) return true;
  issues.push({ field, rule: 'address', message: `is ${describeSpecialAddress(kind)} (${address}); it must be a unicast address clients can reach`, value });
  return false;
}

/**
 * Specs this module validated and froze (deeply: nothing in them can change afterwards). Validating
 * one of them again (the builder's spec handed to `loadBalancers.create`) only checks the features.
 */
const VALIDATED = new WeakSet<LoadBalancerSpec>();

/** Throws HcnFeatureNotSupportedError for what the spec uses and the host lacks (DSR, session affinity, IPv6). */
function checkFeatures(
  spec: Pick<LoadBalancerSpec, 'dsr' | 'ipv6' | 'ports'>,
  affinity: Affinity | undefined,
  features: Features,
  operation: string,
): void {
  const { dsr, ipv6, ports } = spec;
  const missing: Array<{ field: string; feature: FeatureName; value: unknown }> = [];
  if (dsr && !features.supported.dsr) missing.push({ field: 'dsr', feature: 'dsr', value: true });
  ports.forEach((p, i) => {
    if (p.distribution !== 'none' && !features.supported.sessionAffinity) {
      missing.push({ field: affinity !== undefined ? 'affinity' : `ports[${i}].distribution`, feature: 'sessionAffinity', value: p.distribution });
    }
  });
  if (ipv6 && !features.supported.ipv6DualStack) missing.push({ field: 'ipv6', feature: 'ipv6DualStack', value: true });
  const unique = missing.filter((m, i) => missing.findIndex((x) => x.field === m.field) === i);
  if (unique.length > 0) {
    const host = features.version && formatVersion(features.version);
    const featureIssues: ValidationIssue[] = unique.map((m) => {
      const minVersion = minVersionOf(m.feature, features.version);
      return { field: m.field, rule: 'feature', message: featureMessage(featureTitle(m.feature), minVersion, host, supportedVersions(m.feature)), value: m.value, feature: m.feature, minVersion };
    });
    const first = featureIssues[0]!;
    throw new HcnFeatureNotSupportedError({
      operation,
      feature: first.feature!,
      title: featureTitle(first.feature!),
      minVersion: first.minVersion!,
      versions: supportedVersions(first.feature!),
      hostVersion: host,
      field: first.field,
      value: first.value,
      issues: featureIssues,
    });
  }
}

/** Validates a draft and returns the frozen spec, or throws the first issue with all of them listed. */
function finish(draft: Draft, operation: string, options: BuildOptions | undefined): LoadBalancerSpec {
  const issues: Issue[] = [];
  const families: Array<{ field: string; family: 4 | 6; value: string }> = [];
  // Checked as each address is read so the issues stay in field order.
  const addFamily = (field: string, family: 4 | 6, value: string): void => {
    const first = families[0];
    if (first !== undefined && first.family !== family) {
      issues.push({
        field,
        rule: 'family',
        message: `is IPv${family} (${value}) but ${first.field} is IPv${first.family} (${first.value}); one load balancer has one address family`,
        value,
      });
      return;
    }
    families.push({ field, family, value });
  };

  const frontendVips: string[] = [];
  draft.frontendVips.forEach((vip, i) => {
    const field = `frontendVips[${i}]`;
    const ip = typeof vip === 'string' ? parseIp(vip) : null;
    if (!ip) {
      issues.push({ field, rule: 'ip', message: `is not a valid IPv4 or IPv6 address (got ${describe(vip)})`, value: vip });
      return;
    }
    if (!checkUnicast(issues, field, ip.address, vip)) return;
    if (frontendVips.includes(ip.address)) {
      issues.push({ field, rule: 'duplicate', message: `repeats VIP ${ip.address}`, value: vip });
      return;
    }
    frontendVips.push(ip.address);
    addFamily(field, ip.family, ip.address);
  });

  let sourceVip: string | undefined;
  if (draft.sourceVip !== undefined && draft.sourceVip !== null) {
    const ip = typeof draft.sourceVip === 'string' ? parseIp(draft.sourceVip) : null;
    if (!ip) {
      issues.push({
        field: 'sourceVip',
        rule: 'ip',
        message: `is not a valid IPv4 or IPv6 address (got ${describe(draft.sourceVip)})`,
        value: draft.sourceVip,
      });
    } else if (checkUnicast(issues, 'sourceVip', ip.address, draft.sourceVip)) {
      sourceVip = ip.address;
      addFamily('sourceVip', ip.family, ip.address);
    }
  }

  const backends: BackendSpec[] = [];
  const seenBackends = new Set<string>();
  if (draft.backends.length === 0) {
    issues.push({ field: 'backends', rule: 'required', message: 'needs at least one backend (HNS rejects an empty list)', value: [] });
  } else if (draft.backends.length > MAX_BACKENDS) {
    issues.push({
      field: 'backends',
      rule: 'max',
      message: `has ${draft.backends.length} backends; at most ${MAX_BACKENDS} are allowed`,
      value: draft.backends.length,
    });
  }
  draft.backends.forEach((ref, i) => {
    const field = `backends[${i}]`;
    const b = readBackend(issues, field, ref);
    if (!b) return;
    const key = b.kind === 'id' ? `id:${b.id}` : `ip:${b.ip}`;
    if (seenBackends.has(key)) {
      issues.push({ field, rule: 'duplicate', message: `repeats backend ${b.kind === 'id' ? b.id : b.ip}`, value: ref });
      return;
    }
    seenBackends.add(key);
    backends.push(b);
    if (b.kind === 'ip') addFamily(field, parseIp(b.ip)!.family, b.ip);
  });

  const dsr = readBoolean(issues, 'dsr', draft.dsr);
  let affinity: Distribution | undefined;
  if (draft.affinity !== undefined && draft.affinity !== null) affinity = readDistribution(issues, 'affinity', draft.affinity);

  const ports: PortMapping[] = [];
  const seenPorts = new Set<string>();
  if (draft.ports.length === 0) {
    issues.push({ field: 'ports', rule: 'required', message: 'needs at least one port mapping', value: [] });
  }
  draft.ports.forEach((raw, i) => {
    const base = `ports[${i}]`;
    if (!isRecord(raw)) {
      issues.push({ field: base, rule: 'type', message: `must be an object { protocol, external, internal? } (got ${describe(raw)})`, value: raw });
      return;
    }
    const before = issues.length;
    for (const key of Object.keys(raw)) {
      if (!PORT_KEYS.has(key)) issues.push({ field: `${base}.${key}`, rule: 'unknown', message: 'is not a port mapping field', value: raw[key] });
    }
    const protocol = readProtocol(issues, `${base}.protocol`, raw.protocol);
    const external = checkPort(issues, `${base}.external`, raw.external);
    const internal = raw.internal === undefined || raw.internal === null ? external : checkPort(issues, `${base}.internal`, raw.internal);
    let distribution: Distribution | undefined = 'none';
    if (affinity !== undefined) distribution = affinity;
    else if (raw.distribution !== undefined && raw.distribution !== null) distribution = readDistribution(issues, `${base}.distribution`, raw.distribution);
    const flags = {} as Record<(typeof PORT_FLAGS)[number], boolean>;
    for (const f of PORT_FLAGS) flags[f] = readBoolean(issues, `${base}.${f}`, raw[f]);
    // UseMux and PreserveDIP are accepted without DSR: kube-proxy's health-check load balancer sends them
    // with isDSR false (port flags 12, LB flags 0).
    if (issues.length !== before || protocol === undefined || external === undefined || internal === undefined || distribution === undefined) return;
    const key = `${protocol}/${external}`;
    if (seenPorts.has(key)) {
      issues.push({ field: base, rule: 'duplicate', message: `repeats the mapping ${protocol} ${external}`, value: raw });
      return;
    }
    seenPorts.add(key);
    ports.push({ protocol, external, internal, distribution, ...flags });
  });

  let network: string | undefined;
  if (draft.network !== undefined && draft.network !== null) {
    if (typeof draft.network !== 'string') {
      issues.push({ field: 'network', rule: 'type', message: `must be a network ID or name (got ${describe(draft.network)})`, value: draft.network });
    } else if (draft.network.trim() === '' || draft.network.length > MAX_NETWORK_NAME) {
      issues.push({
        field: 'network',
        rule: draft.network.trim() === '' ? 'required' : 'max',
        message: draft.network.trim() === '' ? 'must name a network (ID or name), not be empty' : `is longer than ${MAX_NETWORK_NAME} characters`,
        value: draft.network,
      });
    } else {
      network = normalizeGuid(draft.network) ?? draft.network;
    }
  }

  const family = families[0]?.family;
  let ipv6 = family === 6;
  if (draft.ipv6 !== undefined && draft.ipv6 !== null) {
    if (typeof draft.ipv6 !== 'boolean') {
      issues.push({ field: 'ipv6', rule: 'type', message: `must be a boolean (got ${describe(draft.ipv6)})`, value: draft.ipv6 });
    } else if (family !== undefined && draft.ipv6 !== (family === 6)) {
      issues.push({
        field: 'ipv6',
        rule: 'family',
        message: draft.ipv6 ? `is set but the addresses are IPv4 (${families[0]!.value})` : `is off but the addresses are IPv6 (${families[0]!.value})`,
        value: draft.ipv6,
      });
    } else {
      ipv6 = draft.ipv6;
    }
  }

  if (issues.length > 0) throw new HcnValidationError({ operation, issues });

  if (options?.features !== undefined) checkFeatures({ dsr, ipv6, ports }, affinity, options.features, operation);

  const spec: LoadBalancerSpec = Object.freeze({
    frontendVips: Object.freeze(frontendVips),
    sourceVip,
    backends: Object.freeze(backends.map((b) => Object.freeze(b))),
    ports: Object.freeze(ports.map((p) => Object.freeze(p))),
    dsr,
    ipv6,
    // Present only when named, so specs without it keep their shape.
    ...(network === undefined ? {} : { network }),
  });
  VALIDATED.add(spec);
  return spec;
}

function isInfo(from: LoadBalancerSpec | LoadBalancerInfo): from is LoadBalancerInfo {
  return 'backendIds' in from;
}

/**
 * Collects a load balancer description call by call; `build()` validates it and returns a fresh,
 * deeply frozen {@link LoadBalancerSpec}. The builder can be built again after more calls.
 * @example
 * const spec = LoadBalancer.builder()
 *   .frontend('13.0.0.13').sourceVip('10.231.111.97')
 *   .backends(['10.0.0.14', '10.0.0.15'])
 *   .port({ protocol: 'tcp', external: 8000, internal: 80 })
 *   .dsr()
 *   .build();
 */
export class LoadBalancerBuilder {
  readonly #draft: Draft = { frontendVips: [], sourceVip: undefined, backends: [], ports: [], dsr: false, ipv6: undefined, affinity: undefined, network: undefined };

  /**
   * Starts a builder, optionally from an existing spec or a load balancer read back from HNS.
   * @example
   * const next = new LoadBalancerBuilder(current).clearBackends().backends(newIps).build();
   */
  constructor(from?: LoadBalancerSpec | LoadBalancerInfo) {
    if (from === undefined) return;
    const d = this.#draft;
    d.frontendVips = [...from.frontendVips];
    d.sourceVip = from.sourceVip;
    d.backends = isInfo(from) ? [...from.backendIds] : from.backends.map((b) => (b.kind === 'id' ? b.id : b.ip));
    d.ports = from.ports.map((p) => ({ ...p }));
    d.dsr = from.dsr;
    // An explicit ipv6 flag is carried over only when set; the family decides otherwise.
    d.ipv6 = from.ipv6 ? true : undefined;
    if (!isInfo(from)) d.network = from.network;
  }

  /**
   * Adds frontend VIPs (none = every node IP, NodePort style).
   * @example
   * LoadBalancer.builder().frontend('13.0.0.13', '13.0.0.14');
   */
  frontend(...vips: string[]): this {
    this.#draft.frontendVips.push(...vips);
    return this;
  }

  /**
   * Adds one frontend VIP.
   * @example
   * LoadBalancer.builder().vip('13.0.0.13');
   */
  vip(ip: string): this {
    this.#draft.frontendVips.push(ip);
    return this;
  }

  /**
   * Sets the source VIP (SNAT source for overlay / hairpin); `undefined` clears it.
   * @example
   * LoadBalancer.builder().sourceVip('10.231.111.97');
   */
  sourceVip(ip: string | undefined): this {
    this.#draft.sourceVip = ip;
    return this;
  }

  /**
   * Adds a backend: endpoint ID, IP address, or an object with an `id` (an EndpointInfo).
   * @example
   * LoadBalancer.builder().backend('10.0.0.14').backend(endpointInfo);
   */
  backend(ref: BackendRef): this {
    this.#draft.backends.push(snapshotRef(ref));
    return this;
  }

  /**
   * Adds several backends.
   * @example
   * LoadBalancer.builder().backends(await hcn.endpoints.list({ network: 'vxlan0' }));
   */
  backends(refs: Iterable<BackendRef>): this {
    for (const ref of refs) this.#draft.backends.push(snapshotRef(ref));
    return this;
  }

  /**
   * Removes every backend added so far (to replace them when starting from an existing spec).
   * @example
   * LoadBalancer.builder(spec).clearBackends().backend('10.0.0.16');
   */
  clearBackends(): this {
    this.#draft.backends = [];
    return this;
  }

  /**
   * Adds a port mapping; `internal` defaults to `external`.
   * @example
   * LoadBalancer.builder().port({ protocol: 'tcp', external: 8000, internal: 80 });
   */
  port(opts: PortOptions): this {
    this.#draft.ports.push(isRecord(opts) ? { ...opts } : opts);
    return this;
  }

  /**
   * Removes every port mapping added so far.
   * @example
   * LoadBalancer.builder(spec).clearPorts().port({ protocol: 'udp', external: 53 });
   */
  clearPorts(): this {
    this.#draft.ports = [];
    return this;
  }

  /**
   * Removes every frontend VIP added so far.
   * @example
   * LoadBalancer.builder(spec).clearFrontends().frontend('13.0.0.14');
   */
  clearFrontends(): this {
    this.#draft.frontendVips = [];
    return this;
  }

  /**
   * Names the network (ID or name) in which backends given as IPs are resolved to endpoints, for an IP
   * that several networks hold; `undefined` clears it. Without it, an IP resolves on the network of
   * the other backends, and one held on several networks with nothing to decide is refused. Only used
   * for that resolution: not sent to HNS.
   * @example
   * LoadBalancer.builder().network('vxlan0').backends(['10.0.0.14', '10.0.0.15']);
   */
  network(ref: string | undefined): this {
    this.#draft.network = ref;
    return this;
  }

  /**
   * Turns Direct Server Return on (default) or off.
   * @example
   * LoadBalancer.builder().dsr();
   */
  dsr(on: boolean = true): this {
    this.#draft.dsr = on;
    return this;
  }

  /**
   * Sets the IPv6 flag explicitly. Without this call it follows the addresses (set when they are IPv6);
   * a value that contradicts the addresses is refused.
   * @example
   * LoadBalancer.builder().frontend('fd00::10').ipv6();
   */
  ipv6(on: boolean = true): this {
    this.#draft.ipv6 = on;
    return this;
  }

  /**
   * Session affinity: sets the distribution of every port mapping (also ones added later). 'none' = per connection.
   * @example
   * LoadBalancer.builder().affinity('sourceIp');
   */
  affinity(mode: Affinity): this {
    this.#draft.affinity = mode;
    return this;
  }

  /**
   * Validates and returns a fresh, deeply frozen spec. Throws {@link HcnValidationError} naming the first
   * field and rule (all problems in `issues`), or {@link HcnFeatureNotSupportedError} when `features`
   * says the host lacks DSR, session affinity or IPv6.
   * @example
   * const spec = builder.build({ features: await hcn.features() });
   */
  build(options?: BuildOptions): LoadBalancerSpec {
    const d = this.#draft;
    return finish(
      { ...d, frontendVips: [...d.frontendVips], backends: [...d.backends], ports: [...d.ports] },
      'LoadBalancerBuilder.build',
      options,
    );
  }
}

function snapshotRef(ref: BackendRef): unknown {
  // Keep only the id of an object (an EndpointInfo may be mutated or large).
  return isRecord(ref) ? { id: ref.id } : ref;
}

/**
 * Entry point of the builder API.
 * @example
 * const spec = LoadBalancer.builder().frontend('13.0.0.13').backend('10.0.0.14')
 *   .port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build();
 */
export class LoadBalancer {
  private constructor() {}

  /**
   * A new builder, optionally seeded from a spec or a load balancer read back from HNS.
   * @example
   * const updated = LoadBalancer.builder(lb.info).backend('10.0.0.16').build();
   */
  static builder(from?: LoadBalancerSpec | LoadBalancerInfo): LoadBalancerBuilder {
    return new LoadBalancerBuilder(from);
  }
}

/**
 * Validates a spec from an untyped source (JSON file, CLI flags) by the same rules as the builder and
 * returns it frozen and normalised (canonical IPs, lower-case IDs, defaults filled). Accepts
 * `{ frontendVips?, sourceVip?, backends, ports, dsr?, ipv6?, affinity?, network? }` where backends are
 * {@link BackendRef}s or `{ kind, id | ip }` and ports are {@link PortOptions}; unknown keys are refused.
 * @example
 * const spec = validateLoadBalancerSpec(JSON.parse(fs.readFileSync('lb.json', 'utf8')));
 */
export function validateLoadBalancerSpec(spec: unknown, options?: BuildOptions): LoadBalancerSpec {
  const operation = 'validateLoadBalancerSpec';
  // Already validated here and deeply frozen: the same spec again, with the features checked if asked.
  if (VALIDATED.has(spec as LoadBalancerSpec)) {
    if (options?.features !== undefined) checkFeatures(spec as LoadBalancerSpec, undefined, options.features, operation);
    return spec as LoadBalancerSpec;
  }
  if (!isRecord(spec)) {
    throw new HcnValidationError({
      operation,
      issues: [{ field: '', rule: 'type', message: `a load balancer spec must be an object (got ${describe(spec)})`, value: spec }],
    });
  }
  const issues: Issue[] = [];
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) issues.push({ field: key, rule: 'unknown', message: 'is not a load balancer spec field', value: spec[key] });
  }
  const list = (key: 'frontendVips' | 'backends' | 'ports'): unknown[] => {
    const v = spec[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) {
      // forEach and friends skip holes: [, '13.0.0.13'] would pass as one VIP.
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) issues.push({ field: `${key}[${i}]`, rule: 'sparse', message: 'is a hole in a sparse array; give every element', value: undefined });
      }
      return v;
    }
    issues.push({ field: key, rule: 'type', message: `must be an array (got ${describe(v)})`, value: v });
    return [];
  };
  const draft: Draft = {
    frontendVips: list('frontendVips'),
    sourceVip: spec.sourceVip,
    backends: list('backends'),
    ports: list('ports'),
    dsr: spec.dsr,
    ipv6: spec.ipv6,
    affinity: spec.affinity,
    network: spec.network,
  };
  if (issues.length > 0) {
    // Report shape problems together with the rule problems of the rest.
    try {
      finish(draft, operation, undefined);
    } catch (err) {
      if (err instanceof HcnValidationError) {
        for (const i of err.issues as Issue[]) if (!issues.some((x) => x.field === i.field)) issues.push(i);
      }
    }
    throw new HcnValidationError({ operation, issues });
  }
  return finish(draft, operation, options);
}

/**
 * True when two specs describe the same load balancer: same VIPs (in order), source VIP, flags, port
 * mappings (in order), the same set of backends and the same `network` for resolving backend IPs.
 * @example
 * if (!sameLoadBalancerSpec(desired, current)) await lb.update(desired);
 */
export function sameLoadBalancerSpec(a: LoadBalancerSpec, b: LoadBalancerSpec): boolean {
  if (a.dsr !== b.dsr || a.ipv6 !== b.ipv6 || a.sourceVip !== b.sourceVip || a.network !== b.network) return false;
  if (a.frontendVips.length !== b.frontendVips.length || a.frontendVips.some((v, i) => v !== b.frontendVips[i])) return false;
  if (a.ports.length !== b.ports.length) return false;
  const portKey = (p: PortMapping): string => JSON.stringify([p.protocol, p.external, p.internal, p.distribution, ...PORT_FLAGS.map((f) => p[f])]);
  if (a.ports.some((p, i) => portKey(p) !== portKey(b.ports[i]!))) return false;
  const backendKey = (x: BackendSpec): string => (x.kind === 'id' ? `id:${x.id}` : `ip:${x.ip}`);
  const setA = new Set(a.backends.map(backendKey));
  return a.backends.length === b.backends.length && setA.size === new Set(b.backends.map(backendKey)).size && b.backends.every((x) => setA.has(backendKey(x)));
}
