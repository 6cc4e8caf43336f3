// HostComputeNetwork parsing: type, subnets, management IP and overlay RemoteSubnetRoute policies.
import type { HostComputeNetwork } from './hns-types';
import type { NetworkInfo, RemoteSubnetRouteInfo } from './models';
import { normalizeGuid } from './guid';
import { arr, field, ipOrRaw, num, obj, policiesOfType, str, toObject } from './read';
import { canonicalIp, ipInPrefix } from '../net/ip';

// Windows Server docs give numbers only for these three.
const NETWORK_TYPE_BY_NUMBER: readonly string[] = ['NAT', 'ICS', 'Transparent'];

/**
 * Reads a network document (JSON text or object). Throws HcnError `HCN_INVALID_RESPONSE` for text
 * that is not a JSON object.
 * @example
 * const net = parseNetwork('{"ID":"...","Name":"vxlan0","Type":"Overlay"}');
 * net.type; // 'Overlay'
 */
export function parseNetwork(jsonOrObject: string | object): NetworkInfo {
  const o = toObject(jsonOrObject, 'parseNetwork');
  const typeValue = field(o, 'Type');
  const type =
    typeof typeValue === 'string' ? typeValue : typeof typeValue === 'number' ? (NETWORK_TYPE_BY_NUMBER[typeValue] ?? String(typeValue)) : '';
  const subnets: string[] = [];
  for (const ipam of arr(o, 'Ipams')) {
    const io = obj(ipam);
    if (!io) continue;
    for (const s of arr(io, 'Subnets')) {
      const prefix = obj(s) && str(obj(s)!, 'IpAddressPrefix');
      if (prefix) subnets.push(prefix);
    }
  }
  // v1 documents list subnets at the top level.
  for (const s of arr(o, 'Subnets')) {
    const prefix = obj(s) && str(obj(s)!, 'AddressPrefix');
    if (prefix && !subnets.includes(prefix)) subnets.push(prefix);
  }
  const remoteSubnetRoutes: RemoteSubnetRouteInfo[] = [];
  for (const s of policiesOfType(o, 'RemoteSubnetRoute')) {
    const prefix = str(s, 'DestinationPrefix');
    const pa = str(s, 'ProviderAddress');
    if (!prefix || !pa) continue;
    const route: RemoteSubnetRouteInfo = { prefix, providerAddress: ipOrRaw(pa) };
    const isolationId = num(s, 'IsolationId');
    if (isolationId !== undefined) route.isolationId = isolationId;
    const drMac = str(s, 'DistributedRouterMacAddress');
    if (drMac) route.distributedRouterMac = drMac.toLowerCase();
    remoteSubnetRoutes.push(route);
  }
  const idText = str(o, 'ID') ?? '';
  const info: NetworkInfo = {
    id: normalizeGuid(idText) ?? idText.toLowerCase(),
    name: str(o, 'Name') ?? '',
    type,
    subnets,
    remoteSubnetRoutes,
    flags: num(o, 'Flags') ?? 0,
    raw: o as HostComputeNetwork,
  };
  const mgmt = str(o, 'ManagementIP') ?? str(o, 'ManagementIPv4');
  if (mgmt) info.managementIp = ipOrRaw(mgmt);
  const pa = policiesOfType(o, 'ProviderAddress').map((s) => str(s, 'ProviderAddress')).find((x) => x !== undefined && x !== '');
  if (pa) info.providerAddress = ipOrRaw(pa);
  return info;
}

/**
 * The provider address (PA) for a remote backend IP on an overlay network, as kube-proxy's winkernel
 * proxier looks it up (`findRemoteSubnetProviderAddress`): every RemoteSubnetRoute whose prefix contains
 * the IP, or whose provider address is the IP itself (a pod on another node's host network), overwrites
 * the answer, so the last match wins; `undefined` when none matches (kube-proxy then uses the node's own
 * IP, see {@link nodeAddressOf}).
 * @example
 * providerAddressFor(net, '10.244.3.7'); // '192.168.1.23'
 */
export function providerAddressFor(network: Pick<NetworkInfo, 'remoteSubnetRoutes'>, ip: string): string | undefined {
  const want = canonicalIp(ip) ?? ip;
  let found: string | undefined;
  for (const r of network.remoteSubnetRoutes) {
    if (ipInPrefix(ip, r.prefix)) found = r.providerAddress;
    if ((canonicalIp(r.providerAddress) ?? r.providerAddress) === want) found = r.providerAddress;
  }
  return found;
}

/**
 * This node's own address on a network: its ProviderAddress policy, else its ManagementIP; what
 * kube-proxy uses as the provider address of a remote backend that no RemoteSubnetRoute covers
 * ("assuming it is a public IP"). `undefined` when the network names neither.
 * @example
 * nodeAddressOf(net); // '10.231.111.97'
 */
export function nodeAddressOf(network: Pick<NetworkInfo, 'providerAddress' | 'managementIp'>): string | undefined {
  return network.providerAddress ?? network.managementIp;
}
