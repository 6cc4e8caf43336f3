// SDK-shaped models (camelCase, IDs lower-case, IPs canonical) read from HNS documents, and the
// validated load balancer spec the builders produce and the client sends.
import type { HostComputeEndpoint, HostComputeLoadBalancer, HostComputeNetwork } from './hns-types';

/**
 * Protocol of a port mapping: TCP 6, UDP 17, any 0. `'sctp'` (132) names read-back documents only: HNS has no
 * SCTP protocol and the builder refuses it.
 * @example
 * const p: Protocol = 'tcp';
 */
export type Protocol = 'tcp' | 'udp' | 'sctp' | 'any';

/**
 * How flows are spread over backends. `'none'` = per connection (5-tuple); the others are session
 * affinity (HNS ≥ 12.0). HNS has no affinity timeout.
 * @example
 * const clientIp: Distribution = 'sourceIp';
 */
export type Distribution = 'none' | 'sourceIpProtocol' | 'sourceIp';

/**
 * One port mapping, with every port-mapping flag as a boolean.
 * @example
 * const pm: PortMapping = { protocol: 'tcp', external: 8000, internal: 80, distribution: 'none',
 *   ilb: false, localRoutedVip: false, useMux: false, preserveDip: false, vipExternalIp: false };
 */
export interface PortMapping {
  /** Protocol of the mapping. */
  readonly protocol: Protocol;
  /** Frontend port (VIP side). */
  readonly external: number;
  /** Backend (target) port. */
  readonly internal: number;
  /** Flow distribution (session affinity). */
  readonly distribution: Distribution;
  /** EnableInternalLoadBalancer (1). */
  readonly ilb: boolean;
  /** LocalRoutedVip (2). */
  readonly localRoutedVip: boolean;
  /** UseMux (4); DSR or not (kube-proxy's health-check load balancer sends it without DSR). */
  readonly useMux: boolean;
  /** EnablePreserveDip (8); DSR or not (kube-proxy's health-check load balancer sends it without DSR). */
  readonly preserveDip: boolean;
  /** VipExternalIP (16, kube-proxy's flag). */
  readonly vipExternalIp: boolean;
}

/**
 * A backend of a spec: an endpoint ID (GUID, lower-case) or an IP address (canonical) that the client
 * resolves to an endpoint before sending.
 * @example
 * const byId: BackendSpec = { kind: 'id', id: '3599612c-54b4-4b9d-9258-4fc5e2100549' };
 * const byIp: BackendSpec = { kind: 'ip', ip: '10.0.0.14' };
 */
export type BackendSpec =
  | {
      /** An endpoint by ID. */
      readonly kind: 'id';
      /** Endpoint GUID, lower-case. */
      readonly id: string;
    }
  | {
      /** An IP address to resolve to an endpoint. */
      readonly kind: 'ip';
      /** Canonical address. */
      readonly ip: string;
    };

/**
 * A validated, deeply frozen load balancer description (from `LoadBalancer.builder().build()` or
 * `validateLoadBalancerSpec`). Nothing in it has been sent to HNS.
 * @example
 * const spec: LoadBalancerSpec = LoadBalancer.builder()
 *   .frontend('13.0.0.13').backend('10.0.0.14').port({ protocol: 'tcp', external: 8000, internal: 80 })
 *   .dsr().build();
 */
export interface LoadBalancerSpec {
  /** VIPs, canonical; empty = every node IP (NodePort style). */
  readonly frontendVips: readonly string[];
  /** Source VIP, canonical; `undefined` when not set. */
  readonly sourceVip: string | undefined;
  /** Backends: endpoint IDs or IP addresses to resolve. */
  readonly backends: readonly BackendSpec[];
  /** Port mappings. */
  readonly ports: readonly PortMapping[];
  /** Direct Server Return (LoadBalancerFlags.DSR). */
  readonly dsr: boolean;
  /** IPv6 load balancer (LoadBalancerFlags.IPv6). */
  readonly ipv6: boolean;
  /**
   * The network (ID, lower-cased, or name) in which backends given as IPs are looked up; absent =
   * the network of the other backends. Only used to resolve IPs: it is not sent to HNS.
   */
  readonly network?: string | undefined;
}

/**
 * A load balancer as read back from HNS.
 * @example
 * const info: LoadBalancerInfo = parseLoadBalancer(json);
 * if (!info.dsr) console.warn(`${info.id} is not DSR`);
 */
export interface LoadBalancerInfo {
  /** Lower-case GUID. */
  id: string;
  /** Frontend VIPs, canonical; empty = every node IP. */
  frontendVips: string[];
  /** Source VIP, canonical; `undefined` when not set. */
  sourceVip: string | undefined;
  /** Backend endpoint IDs, lower-case. */
  backendIds: string[];
  /** Port mappings. */
  ports: PortMapping[];
  /** Direct Server Return (LoadBalancerFlags.DSR). */
  dsr: boolean;
  /** IPv6 load balancer (LoadBalancerFlags.IPv6). */
  ipv6: boolean;
  /** LoadBalancerFlags as a number. */
  flags: number;
  /** The document as HNS returned it. */
  raw: HostComputeLoadBalancer;
}

/**
 * One IP configuration of an endpoint (address canonical).
 * @example
 * const c: EndpointIpConfig = { ipAddress: '10.0.0.14', prefixLength: 24 };
 */
export interface EndpointIpConfig {
  /** Canonical address. */
  ipAddress: string;
  /** Prefix length, when HNS gave one. */
  prefixLength: number | undefined;
}

/**
 * An endpoint as read back from HNS.
 * @example
 * const ep: EndpointInfo = parseEndpoint(json);
 * console.log(ep.ipAddresses[0], ep.remote ? 'remote' : 'local');
 */
export interface EndpointInfo {
  /** Lower-case GUID. */
  id: string;
  /** Friendly name. */
  name: string;
  /** Lower-case GUID of the network ('' when HNS did not say). */
  networkId: string;
  /** Canonical addresses of every IP configuration (dual-stack endpoints have two). */
  ipAddresses: string[];
  /** Every IP configuration. */
  ipConfigurations: EndpointIpConfig[];
  /** MAC address in lower case, dash-separated (`00-15-5d-0a-00-0e`); `raw.MacAddress` is as HNS reports it. */
  macAddress: string | undefined;
  /** Flags has RemoteEndpoint (1). */
  remote: boolean;
  /** From the endpoint's ProviderAddress policy. */
  providerAddress: string | undefined;
  /** Lower-case namespace GUID when attached. */
  namespaceId: string | undefined;
  /** EndpointFlags as a number. */
  flags: number;
  /** The document as HNS returned it. */
  raw: HostComputeEndpoint;
}

/**
 * A `RemoteSubnetRoute` policy of an overlay network.
 * @example
 * const r: RemoteSubnetRouteInfo = { prefix: '10.244.3.0/24', providerAddress: '192.168.1.23', isolationId: 4096 };
 */
export interface RemoteSubnetRouteInfo {
  /** Remote subnet prefix, `a.b.c.d/n`. */
  prefix: string;
  /** Provider (underlay) address for that subnet. */
  providerAddress: string;
  /** VSID of the remote subnet. */
  isolationId?: number;
  /** Distributed router MAC in lower case, when set. */
  distributedRouterMac?: string;
}

/**
 * A network as read back from HNS.
 * @example
 * const net: NetworkInfo = parseNetwork(json);
 * if (net.type.toLowerCase() === 'overlay') console.log(net.remoteSubnetRoutes);
 */
export interface NetworkInfo {
  /** Lower-case GUID. */
  id: string;
  /** Friendly name. */
  name: string;
  /** As HNS names it: 'Overlay', 'L2Bridge', 'NAT', ... */
  type: string;
  /** Every IPAM subnet prefix. */
  subnets: string[];
  /** Host management IP, when HNS reports one. */
  managementIp?: string;
  /** Network-level ProviderAddress policy, when present. */
  providerAddress?: string;
  /** RemoteSubnetRoute policies (overlay). */
  remoteSubnetRoutes: RemoteSubnetRouteInfo[];
  /** Flags as a number. */
  flags: number;
  /** The document as HNS returned it. */
  raw: HostComputeNetwork;
}
