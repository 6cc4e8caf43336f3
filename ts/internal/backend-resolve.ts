// Backends given as IPs, resolved to endpoint IDs within ONE network, as kube-proxy's winkernel proxier
// matches only the endpoints of its own network: the network the spec names first; else the network
// the other backends are on; an IP held on several networks with nothing to decide is refused.
// Pure (no HNS): the client and the reconcile plan call it with their own endpoint listing.
import { HcnValidationError, type ValidationIssue } from '../errors';
import { canonicalIp } from '../net/ip';
import type { EndpointInfo, LoadBalancerSpec } from '../schema/models';
import { HcnBackendNotFoundError } from '../load-balancer-handle';

/** The network the spec names, resolved by the caller: its ID and how the spec named it. */
export interface NamedNetwork {
  id: string;
  ref: string;
}

function localFirst(a: EndpointInfo, b: EndpointInfo): number {
  // WS2019/2022 can hold a local and a remote endpoint with the same IP: the local one wins.
  return Number(a.remote) - Number(b.remote);
}

interface EndpointIndex {
  /** Endpoints by canonical IP, local ones first, each endpoint once per IP. */
  byIp: Map<string, EndpointInfo[]>;
  /** The first endpoint (local ones first) with each lower-case ID. */
  byId: Map<string, EndpointInfo>;
}

// One index per endpoint listing: the reconcile plan resolves thousands of specs against one listing
// (issue 8: scanning and re-sorting every endpoint per backend IP made a 2,000-service plan over
// 5,000 endpoints take seconds). Keyed by the listing array, which callers do not change.
const indexes = new WeakMap<readonly EndpointInfo[], EndpointIndex>();

function indexOf(endpoints: readonly EndpointInfo[]): EndpointIndex {
  let index = indexes.get(endpoints);
  if (index !== undefined) return index;
  index = { byIp: new Map(), byId: new Map() };
  for (const ep of [...endpoints].sort(localFirst)) {
    if (!index.byId.has(ep.id)) index.byId.set(ep.id, ep);
    for (const a of ep.ipAddresses) {
      const ip = canonicalIp(a) ?? a;
      const list = index.byIp.get(ip);
      if (list === undefined) index.byIp.set(ip, [ep]);
      else if (list[list.length - 1] !== ep) list.push(ep);
    }
  }
  indexes.set(endpoints, index);
  return index;
}

/** The backends' endpoint IDs when the spec gives every backend by ID (nothing to look up), else undefined. */
export function givenBackendIds(spec: Pick<LoadBalancerSpec, 'backends'>): string[] | undefined {
  return spec.backends.every((b) => b.kind === 'id') ? spec.backends.map((b) => (b.kind === 'id' ? b.id : '')) : undefined;
}

/**
 * Endpoint IDs for the spec's backends. Throws HcnBackendNotFoundError naming `backends[i]` for an IP
 * with no endpoint (in the named network, when one is named), HcnValidationError rule `ambiguous` for
 * an IP on several networks that neither `network` nor the other backends settle, and rule
 * `duplicate` when two backends name the same endpoint.
 */
export function pickBackendIds(spec: LoadBalancerSpec, endpoints: readonly EndpointInfo[], operation: string, network?: NamedNetwork): string[] {
  const { byIp, byId } = indexOf(endpoints);
  const holders = (ip: string): EndpointInfo[] => {
    const eps = byIp.get(ip) ?? [];
    return network === undefined ? eps : eps.filter((ep) => ep.networkId === network.id);
  };
  const networksOf = (eps: readonly EndpointInfo[]): string[] => [...new Set(eps.map((ep) => ep.networkId))];
  // Without a named network: the networks the other backends (IDs, and IPs held on one network only) are on.
  const anchors = new Set<string>();
  if (network === undefined) {
    for (const b of spec.backends) {
      if (b.kind === 'id') {
        const ep = byId.get(b.id.toLowerCase());
        if (ep) anchors.add(ep.networkId);
      } else {
        const nets = networksOf(holders(b.ip));
        if (nets.length === 1) anchors.add(nets[0]!);
      }
    }
  }
  const ids = spec.backends.map((b, i) => {
    if (b.kind === 'id') return b.id;
    const found = holders(b.ip);
    if (found.length === 0) {
      throw new HcnBackendNotFoundError({
        code: 'ERROR_NOT_FOUND',
        operation,
        hresult: 0x80070490,
        detail:
          network === undefined
            ? `backends[${i}]: no endpoint in HNS has IP ${b.ip} (create it first, e.g. endpoints.createRemote for an off-node backend)`
            : `backends[${i}]: no endpoint of network ${JSON.stringify(network.ref)} (${network.id}) has IP ${b.ip} (create it there first, e.g. endpoints.createRemote for an off-node backend)`,
        field: `backends[${i}]`,
        ip: b.ip,
      });
    }
    const nets = networksOf(found);
    if (nets.length === 1) return found[0]!.id;
    const inAnchors = found.filter((ep) => anchors.has(ep.networkId));
    if (networksOf(inAnchors).length === 1) return inAnchors[0]!.id;
    throw new HcnValidationError({
      operation,
      issues: [
        {
          field: `backends[${i}]`,
          rule: 'ambiguous',
          message: `IP ${b.ip} has endpoints on several networks (${nets.join(', ')}) and the other backends do not settle which: name the network (spec field network) or give that backend as an endpoint ID`,
          value: b.ip,
        },
      ],
    });
  });
  // The spec has no duplicate IP or ID, but an IP and an ID (or two IPs of one endpoint) can name
  // the same endpoint: HNS would get it twice.
  const seen = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  ids.forEach((id, i) => {
    const key = id.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    const name = (n: number): string => {
      const b = spec.backends[n]!;
      return b.kind === 'ip' ? `${b.ip} (endpoint ${key})` : `endpoint ${key}`;
    };
    issues.push({
      field: `backends[${i}]`,
      rule: 'duplicate',
      message: `is ${name(i)}, which backends[${first}] already names as ${name(first)}`,
      value: spec.backends[i]!.kind === 'ip' ? (spec.backends[i] as { ip: string }).ip : key,
    });
  });
  if (issues.length > 0) throw new HcnValidationError({ operation, issues });
  return ids;
}
