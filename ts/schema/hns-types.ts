// The JSON documents HNS speaks (HCN v2 schema and the v1 ELB policy), as TypeScript types.
// Field names are HNS's own (PascalCase, `ID` upper-case); the SDK-shaped models are in models.ts.

/**
 * `SchemaVersion` of an HCN document.
 * @example
 * const v: SchemaVersion = { Major: 2, Minor: 0 };
 */
export interface SchemaVersion {
  /** Major version. */
  Major: number;
  /** Minor version. */
  Minor: number;
}

/**
 * An enum field as HNS may return it: a number (what hcsshim and the SDK send) or, as HNS_Schema.md
 * allows, the enum name(s) as a string (e.g. `"EnableDirectServerReturn"` or `"SourceIP"`).
 * @example
 * const flags: HnsEnumValue = 1;
 * const named: HnsEnumValue = 'EnableDirectServerReturn';
 */
export type HnsEnumValue = number | string;

/**
 * One port mapping of a {@link HostComputeLoadBalancer}.
 * @example
 * const pm: LoadBalancerPortMapping = { Protocol: 6, InternalPort: 80, ExternalPort: 8000 };
 */
export interface LoadBalancerPortMapping {
  /** IP protocol number: TCP 6, UDP 17, SCTP 132, 0 = any. */
  Protocol?: number;
  /** Backend (target) port. */
  InternalPort?: number;
  /** Frontend (VIP or node) port. */
  ExternalPort?: number;
  /** LoadBalancerDistribution: None 0, SourceIPProtocol 1, SourceIP 2. */
  DistributionType?: HnsEnumValue;
  /** LoadBalancerPortMappingFlags bits. */
  Flags?: HnsEnumValue;
}

/**
 * HCN v2 load balancer document (what `HcnCreateLoadBalancer` takes and `HcnQueryLoadBalancerProperties` returns).
 * @example
 * const lb: HostComputeLoadBalancer = {
 *   HostComputeEndpoints: ['3599612c-54b4-4b9d-9258-4fc5e2100549'],
 *   FrontendVIPs: ['13.0.0.13'],
 *   PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 8000 }],
 *   SchemaVersion: { Major: 2, Minor: 0 },
 *   Flags: 1,
 * };
 */
export interface HostComputeLoadBalancer {
  /** Object GUID (output; omitted on create). */
  ID?: string;
  /** Backend endpoint GUIDs (DIPs); HNS rejects an empty list. */
  HostComputeEndpoints?: string[];
  /** SNAT source address for non-DSR / overlay traffic. */
  SourceVIP?: string;
  /** VIPs; empty means every node IP (NodePort style). */
  FrontendVIPs?: string[];
  /** Port mappings; kube-proxy always sends exactly one. */
  PortMappings?: LoadBalancerPortMapping[];
  /** Schema version of the document (the SDK sends 2.0). */
  SchemaVersion?: SchemaVersion;
  /** LoadBalancerFlags bits: DSR 1, IPv6 2. */
  Flags?: HnsEnumValue;
  /** Schema 2.5+; not sent by the SDK. */
  HostComputeNetwork?: string;
}

/**
 * An endpoint or network policy: `{ Type, Settings }`.
 * @example
 * const pa: HcnPolicy = { Type: 'ProviderAddress', Settings: { ProviderAddress: '192.168.1.23' } };
 */
export interface HcnPolicy<TSettings = Record<string, unknown>> {
  /** Type name. */
  Type: string;
  /** Type-specific settings. */
  Settings?: TSettings;
}

/**
 * Settings of a `ProviderAddress` policy (endpoint or network).
 * @example
 * const s: ProviderAddress = { ProviderAddress: '192.168.1.23' };
 */
export interface ProviderAddress {
  /** Provider (underlay) address of the host owning the customer address. */
  ProviderAddress: string;
}

/**
 * Settings of a `RemoteSubnetRoute` network policy (overlay).
 * @example
 * const r: RemoteSubnetRoute = { DestinationPrefix: '10.244.3.0/24', IsolationId: 4096, ProviderAddress: '192.168.1.23' };
 */
export interface RemoteSubnetRoute {
  /** Destination prefix, `a.b.c.d/n`. */
  DestinationPrefix: string;
  /** VSID of the remote subnet. */
  IsolationId?: number;
  /** Provider (underlay) address of the host owning the customer address. */
  ProviderAddress: string;
  /** MAC of the distributed router. */
  DistributedRouterMacAddress?: string;
}

/**
 * Settings of an `OutBoundNAT` endpoint policy.
 * @example
 * const o: OutBoundNAT = { Exceptions: ['10.0.0.0/8'] };
 */
export interface OutBoundNAT {
  /** NAT source address. */
  VirtualIP?: string;
  /** Destinations excluded from NAT. */
  Exceptions?: string[];
  /** Destinations NAT applies to. */
  Destinations?: string[];
  /** Flag bits (number, or enum names as HNS may return them). */
  Flags?: HnsEnumValue;
  /** Cap on the NAT port pool. */
  MaxPortPoolUsage?: number;
}

/**
 * Settings of an `SDNRoute` endpoint policy.
 * @example
 * const r: SDNRoute = { DestinationPrefix: '10.96.0.0/12', NeedEncap: true };
 */
export interface SDNRoute {
  /** Destination prefix, `a.b.c.d/n`. */
  DestinationPrefix?: string;
  /** Next hop address. */
  NextHop?: string;
  /** Whether traffic is encapsulated. */
  NeedEncap?: boolean;
}

/**
 * Settings of a `PortMapping` endpoint policy (NAT).
 * @example
 * const p: PortMappingPolicy = { Protocol: 6, InternalPort: 80, ExternalPort: 8080 };
 */
export interface PortMappingPolicy {
  /** IP protocol number. */
  Protocol?: number;
  /** Backend port. */
  InternalPort?: number;
  /** Frontend port. */
  ExternalPort?: number;
  /** Address the mapping listens on. */
  VIP?: string;
  /** Flag bits (number, or enum names as HNS may return them). */
  Flags?: HnsEnumValue;
}

/**
 * Settings of a `VxlanPort` network policy.
 * @example
 * const v: VxlanPort = { Port: 4789 };
 */
export interface VxlanPort {
  /** UDP port of VXLAN. */
  Port: number;
}

/**
 * One IP configuration of an endpoint.
 * @example
 * const c: IpConfig = { IpAddress: '10.0.0.14', PrefixLength: 24 };
 */
export interface IpConfig {
  /** The address. */
  IpAddress: string;
  /** Prefix length of the subnet. */
  PrefixLength?: number;
  /** IP subnet ID (schema 2.3). */
  IpSubnetId?: string;
}

/**
 * DNS settings of an endpoint or network.
 * @example
 * const d: HcnDns = { ServerList: ['10.96.0.10'], Search: ['svc.cluster.local'] };
 */
export interface HcnDns {
  /** DNS domain. */
  Domain?: string;
  /** Search suffixes. */
  Search?: string[];
  /** DNS servers. */
  ServerList?: string[];
  /** Resolver options. */
  Options?: string[];
}

/**
 * A route of an endpoint or subnet.
 * @example
 * const r: HcnRoute = { NextHop: '10.0.0.1', DestinationPrefix: '0.0.0.0/0' };
 */
export interface HcnRoute {
  /** Next hop address. */
  NextHop?: string;
  /** Destination prefix, `a.b.c.d/n`. */
  DestinationPrefix?: string;
  /** Route metric. */
  Metric?: number;
}

/**
 * HCN v2 endpoint document.
 * @example
 * const remote: HostComputeEndpoint = {
 *   IpConfigurations: [{ IpAddress: '10.244.3.7' }], MacAddress: '02-11-0a-f4-03-07', Flags: 1,
 *   Policies: [{ Type: 'ProviderAddress', Settings: { ProviderAddress: '192.168.1.23' } }],
 *   SchemaVersion: { Major: 2, Minor: 0 }, HostComputeNetwork: '3599612c-54b4-4b9d-9258-4fc5e2100549',
 * };
 */
export interface HostComputeEndpoint {
  /** Object GUID (output; omitted on create). */
  ID?: string;
  /** Friendly name. */
  Name?: string;
  /** GUID of the network. */
  HostComputeNetwork?: string;
  /** GUID of the namespace the endpoint is attached to (read-only). */
  HostComputeNamespace?: string;
  /** Policies `{ Type, Settings }`. */
  Policies?: HcnPolicy[];
  /** Addresses of the endpoint (two for dual stack). */
  IpConfigurations?: IpConfig[];
  /** DNS settings. */
  Dns?: HcnDns;
  /** Routes. */
  Routes?: HcnRoute[];
  /** MAC address, dash format (`00-15-5D-...`). */
  MacAddress?: string;
  /** EndpointFlags bits: RemoteEndpoint 1, ... */
  Flags?: HnsEnumValue;
  /** Schema version of the document (the SDK sends 2.0). */
  SchemaVersion?: SchemaVersion;
}

/**
 * A subnet of a network's IPAM.
 * @example
 * const s: HcnSubnet = { IpAddressPrefix: '10.0.0.0/24', Routes: [{ NextHop: '10.0.0.1', DestinationPrefix: '0.0.0.0/0' }] };
 */
export interface HcnSubnet {
  /** Subnet prefix, `a.b.c.d/n`. */
  IpAddressPrefix?: string;
  /** Policies `{ Type, Settings }`. */
  Policies?: HcnPolicy[];
  /** Routes. */
  Routes?: HcnRoute[];
  /** Flag bits (number, or enum names as HNS may return them). */
  Flags?: HnsEnumValue;
}

/**
 * One IPAM of a network.
 * @example
 * const ipam: HcnIpam = { Type: 'Static', Subnets: [{ IpAddressPrefix: '10.0.0.0/24' }] };
 */
export interface HcnIpam {
  /** Type name. */
  Type?: string;
  /** Subnets of this IPAM. */
  Subnets?: HcnSubnet[];
}

/**
 * HCN v2 network document.
 * @example
 * const n: HostComputeNetwork = { Name: 'vxlan0', Type: 'Overlay', SchemaVersion: { Major: 2, Minor: 0 } };
 */
export interface HostComputeNetwork {
  /** Object GUID (output; omitted on create). */
  ID?: string;
  /** Friendly name. */
  Name?: string;
  /** 'NAT', 'ICS', 'Transparent', 'L2Bridge', 'L2Tunnel', 'Overlay', 'Private', 'Internal', ... */
  Type?: HnsEnumValue;
  /** Policies `{ Type, Settings }`. */
  Policies?: HcnPolicy[];
  /** MAC address pool. */
  MacPool?: {
    /** MAC ranges. */
    Ranges?: {
      /** First MAC of the range. */
      StartMacAddress?: string;
      /** Last MAC of the range. */
      EndMacAddress?: string;
    }[];
  };
  /** DNS settings. */
  Dns?: HcnDns;
  /** IP address management: subnets. */
  Ipams?: HcnIpam[];
  /** Flag bits (number, or enum names as HNS may return them). */
  Flags?: HnsEnumValue;
  /** Schema version of the document (the SDK sends 2.0). */
  SchemaVersion?: SchemaVersion;
  /** Host management IP; not in the published v2 schema, read when present. */
  ManagementIP?: string;
}

/**
 * HostComputeQuery: the query string every HcnEnumerate / HcnQuery call takes. `Filter` is itself a JSON string.
 * @example
 * const q: HostComputeQuery = { SchemaVersion: { Major: 2, Minor: 0 }, Filter: '{"Name":"vxlan0"}' };
 */
export interface HostComputeQuery {
  /** Schema version of the document (the SDK sends 2.0). */
  SchemaVersion: SchemaVersion;
  /** HostComputeQueryFlags: None 0, Detailed 1. */
  Flags?: number;
  /** Filter object, JSON-encoded into a string. */
  Filter?: string;
}

/**
 * The ErrorRecord HCN returns with a failure (parsed).
 * @example
 * const r: ErrorRecord = { Success: false, Error: 'The specified port already exists. ', ErrorCode: 2151350291 };
 */
export interface ErrorRecord {
  /** True when the call succeeded. */
  Success: boolean;
  /** Text, often with a trailing space. */
  Error: string;
  /** The HRESULT as an unsigned number. */
  ErrorCode: number;
  /** Extra data HNS attached. */
  Data?: unknown;
}

/**
 * HNS v1 `ELB` policy of a policy list (`/policylists`), for reading v1 state.
 * @example
 * const p: ElbPolicy = { Type: 'ELB', Protocol: 6, InternalPort: 80, ExternalPort: 8000, VIPs: ['13.0.0.13'], IsDSR: true };
 */
export interface ElbPolicy {
  /** Type name. */
  Type: 'ELB';
  /** IP protocol number. */
  Protocol?: number;
  /** Backend port. */
  InternalPort: number;
  /** Frontend port. */
  ExternalPort: number;
  /** SNAT source address for non-DSR / overlay traffic. */
  SourceVIP?: string;
  /** Frontend addresses. */
  VIPs?: string[];
  /** Internal load balancer. */
  ILB?: boolean;
  /** Direct Server Return. */
  IsDSR?: boolean;
}

/**
 * HNS v1 response envelope of `HNSCall`.
 * @example
 * const r: HnsV1Response<{ Major: number; Minor: number }> = { Success: true, Output: { Major: 15, Minor: 5 } };
 */
export interface HnsV1Response<T = unknown> {
  /** True when the call succeeded. */
  Success: boolean;
  /** Error text, when it failed. */
  Error?: string;
  /** The result. */
  Output?: T;
}
