// Load balancer identity helpers for the client: the frontend keys that serialise operations, and
// comparing what HNS holds with a spec by content (every VIP, flag, mapping and backend ID), never by
// counts (kubernetes#113524: a stale LB with the same endpoint count was taken as current).
import { canonicalIp } from '../net/ip';
import { frontendKey, protocolNumber } from '../schema/load-balancer-json';
import type { LoadBalancerInfo, LoadBalancerSpec, PortMapping } from '../schema/models';

type HasFrontend = Pick<LoadBalancerSpec, 'frontendVips' | 'ports'>;

/** Queue keys of every (VIP, protocol, external port) a load balancer answers on; no VIP = every node IP. */
export function frontendKeys(lb: HasFrontend): string[] {
  const vips = lb.frontendVips.length > 0 ? lb.frontendVips.map((v) => canonicalIp(v) ?? v) : ['*'];
  const keys: string[] = [];
  for (const vip of vips) for (const p of lb.ports) keys.push(frontendKey(vip, protocolNumber(p.protocol), p.external));
  return keys;
}

/** Queue key of one load balancer ID. */
export function idKey(id: string): string {
  return `id:${id.toLowerCase()}`;
}

/** True when the two frontends share a (VIP, protocol, port); a VIP-less frontend overlaps every VIP. */
export function frontendsOverlap(a: HasFrontend, b: HasFrontend): boolean {
  const ka = frontendKeys(a);
  const kb = new Set(frontendKeys(b));
  if (ka.some((k) => kb.has(k))) return true;
  const wild = (keys: Iterable<string>) => [...keys].filter((k) => k.startsWith('fe:*|')).map((k) => k.slice(k.indexOf('|')));
  const tails = (keys: Iterable<string>) => new Set([...keys].map((k) => k.slice(k.indexOf('|'))));
  const ta = tails(ka);
  const tb = tails(kb);
  return wild(ka).some((t) => tb.has(t)) || wild(kb).some((t) => ta.has(t));
}

function portKey(p: PortMapping): string {
  return [p.protocol, p.external, p.internal, p.distribution, p.ilb, p.localRoutedVip, p.useMux, p.preserveDip, p.vipExternalIp].join('|');
}

// The documented port-mapping flags only (ILB 1, LocalRoutedVip 2, UseMux 4, PreserveDIP 8: hcsshim/hnslib,
// HNS schema). VipExternalIP (16) is kube-proxy's own bit, in no schema: HNS may leave it out of a read-back.
function documentedPortKey(p: PortMapping): string {
  return [p.protocol, p.external, p.internal, p.distribution, p.ilb, p.localRoutedVip, p.useMux, p.preserveDip].join('|');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

/**
 * True when `info` (read back from HNS) is exactly `spec` with its backends resolved to `backendIds`:
 * same VIPs, source VIP, DSR and IPv6 flags, port mappings (every flag) and backend ID set. With
 * `readBack` (checking an in-place modify) only what matters is compared: the undocumented
 * VipExternalIP bit is left out, so HNS dropping it does not turn modify off.
 */
export function infoMatchesSpec(info: LoadBalancerInfo, spec: LoadBalancerSpec, backendIds: readonly string[], options: { readBack?: boolean } = {}): boolean {
  if (info.dsr !== spec.dsr || info.ipv6 !== spec.ipv6) return false;
  const canon = (v: string) => canonicalIp(v) ?? v;
  if ((info.sourceVip === undefined ? '' : canon(info.sourceVip)) !== (spec.sourceVip === undefined ? '' : canon(spec.sourceVip))) return false;
  if (!sameSet(info.frontendVips.map(canon), spec.frontendVips.map(canon))) return false;
  const key = options.readBack ? documentedPortKey : portKey;
  if (!sameSet(info.ports.map(key), spec.ports.map(key))) return false;
  return sameSet(
    info.backendIds.map((id) => id.toLowerCase()),
    backendIds.map((id) => id.toLowerCase()),
  );
}
