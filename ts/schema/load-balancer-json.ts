// HostComputeLoadBalancer <-> SDK models: serialisation the way hcsshim does it (PascalCase, zero
// values omitted, SchemaVersion 2.0) and tolerant parsing of what HNS returns.
import type { HostComputeLoadBalancer, LoadBalancerPortMapping } from './hns-types';
import type { Distribution, LoadBalancerInfo, LoadBalancerSpec, PortMapping, Protocol } from './models';
import { ENUM_NAMES, LoadBalancerDistribution, LoadBalancerFlags, PortMappingFlags, ProtocolNumbers, parseEnumValue } from './enums';
import { arr, field, ipOrRaw, num, obj, str, strings, toObject, type JsonObject } from './read';

/**
 * IP protocol number of a protocol name.
 * @example
 * protocolNumber('udp'); // 17
 */
export function protocolNumber(protocol: Protocol): number {
  return ProtocolNumbers[protocol];
}

/**
 * Protocol name of an IP protocol number, `undefined` for one the SDK does not know.
 * @example
 * protocolFromNumber(6);  // 'tcp'
 * protocolFromNumber(58); // undefined
 */
export function protocolFromNumber(value: number): Protocol | undefined {
  switch (value) {
    case 0:
      return 'any';
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 132:
      return 'sctp';
    default:
      return undefined;
  }
}

const DISTRIBUTION_BY_NUMBER: readonly Distribution[] = ['none', 'sourceIpProtocol', 'sourceIp'];

/**
 * LoadBalancerDistribution number of a distribution name.
 * @example
 * distributionNumber('sourceIp'); // 2
 */
export function distributionNumber(distribution: Distribution): number {
  switch (distribution) {
    case 'sourceIpProtocol':
      return LoadBalancerDistribution.SourceIPProtocol;
    case 'sourceIp':
      return LoadBalancerDistribution.SourceIP;
    default:
      return LoadBalancerDistribution.None;
  }
}

/**
 * Distribution name of a LoadBalancerDistribution number, `undefined` for an unknown one.
 * @example
 * distributionFromNumber(1); // 'sourceIpProtocol'
 */
export function distributionFromNumber(value: number): Distribution | undefined {
  return DISTRIBUTION_BY_NUMBER[value];
}

/**
 * PortMappingFlags bits of a port mapping's booleans.
 * @example
 * portMappingFlagsOf({ ilb: false, localRoutedVip: false, useMux: true, preserveDip: true, vipExternalIp: true }); // 28
 */
export function portMappingFlagsOf(pm: Pick<PortMapping, 'ilb' | 'localRoutedVip' | 'useMux' | 'preserveDip' | 'vipExternalIp'>): number {
  return (
    (pm.ilb ? PortMappingFlags.ILB : 0) |
    (pm.localRoutedVip ? PortMappingFlags.LocalRoutedVIP : 0) |
    (pm.useMux ? PortMappingFlags.UseMux : 0) |
    (pm.preserveDip ? PortMappingFlags.PreserveDIP : 0) |
    (pm.vipExternalIp ? PortMappingFlags.VipExternalIP : 0)
  );
}

/**
 * LoadBalancerFlags bits of a spec.
 * @example
 * loadBalancerFlagsOf({ dsr: true, ipv6: false }); // 1
 */
export function loadBalancerFlagsOf(spec: Pick<LoadBalancerSpec, 'dsr' | 'ipv6'>): number {
  return (spec.dsr ? LoadBalancerFlags.DSR : 0) | (spec.ipv6 ? LoadBalancerFlags.IPv6 : 0);
}

/**
 * The HNS port mapping of an SDK one, zero fields omitted (Go `omitempty`).
 * @example
 * portMappingToHns({ protocol: 'tcp', external: 8000, internal: 80, distribution: 'none', ilb: false,
 *   localRoutedVip: false, useMux: false, preserveDip: false, vipExternalIp: false });
 * // { Protocol: 6, InternalPort: 80, ExternalPort: 8000 }
 */
export function portMappingToHns(pm: PortMapping): LoadBalancerPortMapping {
  const out: LoadBalancerPortMapping = {};
  const protocol = protocolNumber(pm.protocol);
  if (protocol !== 0) out.Protocol = protocol;
  if (pm.internal !== 0) out.InternalPort = pm.internal;
  if (pm.external !== 0) out.ExternalPort = pm.external;
  const distribution = distributionNumber(pm.distribution);
  if (distribution !== 0) out.DistributionType = distribution;
  const flags = portMappingFlagsOf(pm);
  if (flags !== 0) out.Flags = flags;
  return out;
}

/**
 * The HostComputeLoadBalancer document to send for a spec (`Flags`, `SourceVIP`, empty lists omitted;
 * SchemaVersion 2.0). `backendIds` are the endpoint IDs the backends resolved to; when omitted the
 * spec's ID backends are used, and IP backends are an error (the client resolves them first).
 * @example
 * loadBalancerToHns(spec, ['3599612c-54b4-4b9d-9258-4fc5e2100549']);
 * // { HostComputeEndpoints: [...], FrontendVIPs: ['13.0.0.13'], PortMappings: [...], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1 }
 */
export function loadBalancerToHns(spec: LoadBalancerSpec, backendIds?: readonly string[]): HostComputeLoadBalancer {
  let ids: readonly string[];
  if (backendIds !== undefined) {
    ids = backendIds;
  } else {
    const unresolved = spec.backends.find((b) => b.kind === 'ip');
    if (unresolved !== undefined) {
      throw new TypeError(
        `loadBalancerToHns: backend ${unresolved.kind === 'ip' ? unresolved.ip : ''} is an IP address; resolve it to an endpoint ID and pass backendIds`,
      );
    }
    ids = spec.backends.map((b) => (b.kind === 'id' ? b.id : ''));
  }
  const out: HostComputeLoadBalancer = {};
  if (ids.length > 0) out.HostComputeEndpoints = [...ids];
  if (spec.sourceVip !== undefined && spec.sourceVip !== '') out.SourceVIP = spec.sourceVip;
  if (spec.frontendVips.length > 0) out.FrontendVIPs = [...spec.frontendVips];
  if (spec.ports.length > 0) out.PortMappings = spec.ports.map(portMappingToHns);
  out.SchemaVersion = { Major: 2, Minor: 0 };
  const flags = loadBalancerFlagsOf(spec);
  if (flags !== 0) out.Flags = flags;
  return out;
}

/**
 * JSON text of {@link loadBalancerToHns}.
 * @example
 * const settings = serializeLoadBalancer(spec, backendIds);
 * // '{"HostComputeEndpoints":[...],"FrontendVIPs":["13.0.0.13"],"PortMappings":[{"Protocol":6,"InternalPort":80,"ExternalPort":8000}],"SchemaVersion":{"Major":2,"Minor":0},"Flags":1}'
 */
export function serializeLoadBalancer(spec: LoadBalancerSpec, backendIds?: readonly string[]): string {
  return JSON.stringify(loadBalancerToHns(spec, backendIds));
}

/** @internal The `id` {@link parseLoadBalancer} gives a document: its `ID` (any case) lower-cased, '' when absent. */
export function loadBalancerIdOf(o: JsonObject): string {
  // Lower-casing is all normalizeGuid would do to a GUID, and what is kept for anything else.
  return (str(o, 'ID') ?? '').toLowerCase();
}

/**
 * @internal One queue key of the client: a (VIP, protocol number, external port) a load balancer
 * answers on, `*` for the VIP of one that answers on every node IP.
 */
export function frontendKey(vip: string, protocol: number, external: number): string {
  return `fe:${vip}|${protocol}|${external}`;
}

/**
 * @internal The client's queue keys of a document (`fe:<vip>|<protocol number>|<external port>`, as
 * internal/lb-match's frontendKeys gives for `parseLoadBalancer` of it), read without the rest of the
 * document: a listing remembers them for every load balancer.
 */
export function loadBalancerFrontendKeysOf(o: JsonObject): string[] {
  const ports: Array<[number, number]> = [];
  for (const x of arr(o, 'PortMappings')) {
    const p = obj(x);
    if (p === undefined) continue;
    const protocol = protocolFromNumber(parseEnumValue(field(p, 'Protocol'), ENUM_NAMES.protocol) ?? 0) ?? 'any';
    ports.push([protocolNumber(protocol), num(p, 'ExternalPort') ?? 0]);
  }
  const vips = strings(o, 'FrontendVIPs');
  const keys: string[] = [];
  for (const vip of vips.length > 0 ? vips.map(ipOrRaw) : ['*']) for (const [protocol, external] of ports) keys.push(frontendKey(vip, protocol, external));
  return keys;
}

function portMappingFromHns(o: JsonObject): PortMapping {
  const protocolValue = parseEnumValue(field(o, 'Protocol'), ENUM_NAMES.protocol) ?? 0;
  const flags = parseEnumValue(field(o, 'Flags'), ENUM_NAMES.portMappingFlags) ?? 0;
  const distributionValue = parseEnumValue(field(o, 'DistributionType'), ENUM_NAMES.distribution) ?? 0;
  return {
    // A protocol the SDK does not name reads as 'any'; `raw` keeps the number.
    protocol: protocolFromNumber(protocolValue) ?? 'any',
    external: num(o, 'ExternalPort') ?? 0,
    internal: num(o, 'InternalPort') ?? 0,
    distribution: distributionFromNumber(distributionValue) ?? 'none',
    ilb: (flags & PortMappingFlags.ILB) !== 0,
    localRoutedVip: (flags & PortMappingFlags.LocalRoutedVIP) !== 0,
    useMux: (flags & PortMappingFlags.UseMux) !== 0,
    preserveDip: (flags & PortMappingFlags.PreserveDIP) !== 0,
    vipExternalIp: (flags & PortMappingFlags.VipExternalIP) !== 0,
  };
}

/**
 * Reads a load balancer document (JSON text or object) as HNS returns it: `ID` in any case (lower-cased),
 * missing fields defaulted, flags as numbers or enum names, IPs canonicalised. Throws HcnError
 * `HCN_INVALID_RESPONSE` for text that is not a JSON object.
 * @example
 * const info = parseLoadBalancer('{"ID":"3599612C-54B4-4B9D-9258-4FC5E2100549","FrontendVIPs":["13.0.0.13"],"Flags":1}');
 * info.id;  // '3599612c-54b4-4b9d-9258-4fc5e2100549'
 * info.dsr; // true
 */
export function parseLoadBalancer(jsonOrObject: string | object): LoadBalancerInfo {
  const o = toObject(jsonOrObject, 'parseLoadBalancer');
  const flags = parseEnumValue(field(o, 'Flags'), ENUM_NAMES.loadBalancerFlags) ?? 0;
  const sourceVip = str(o, 'SourceVIP');
  return {
    id: loadBalancerIdOf(o),
    frontendVips: strings(o, 'FrontendVIPs').map(ipOrRaw),
    sourceVip: sourceVip === undefined || sourceVip === '' ? undefined : ipOrRaw(sourceVip),
    backendIds: strings(o, 'HostComputeEndpoints').map((id) => id.toLowerCase()),
    ports: arr(o, 'PortMappings')
      .map(obj)
      .filter((x): x is JsonObject => x !== undefined)
      .map(portMappingFromHns),
    dsr: (flags & LoadBalancerFlags.DSR) !== 0,
    ipv6: (flags & LoadBalancerFlags.IPv6) !== 0,
    flags,
    raw: o as HostComputeLoadBalancer,
  };
}
