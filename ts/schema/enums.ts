// Numeric enums of the HCN schema as const objects plus union types, and the name tables used to
// read enum values HNS may return as strings.

/**
 * LoadBalancerFlags bits.
 * @example
 * const flags = LoadBalancerFlags.DSR | LoadBalancerFlags.IPv6; // 3
 */
export const LoadBalancerFlags = {
  /** No flags. */
  None: 0,
  /** EnableDirectServerReturn. */
  DSR: 1,
  /** IPv6 load balancer (schema 2.8). */
  IPv6: 2,
} as const;
/**
 * One LoadBalancerFlags value.
 * @example
 * const f: LoadBalancerFlags = LoadBalancerFlags.DSR;
 */
export type LoadBalancerFlags = (typeof LoadBalancerFlags)[keyof typeof LoadBalancerFlags];

/**
 * LoadBalancerPortMappingFlags bits (`VipExternalIP` is kube-proxy's; `UseMux` is "NotUsed" in the schema doc).
 * @example
 * const ingress = PortMappingFlags.UseMux | PortMappingFlags.PreserveDIP | PortMappingFlags.VipExternalIP; // 28
 */
export const PortMappingFlags = {
  /** No flags. */
  None: 0,
  /** EnableInternalLoadBalancer. */
  ILB: 1,
  /** LocalRoutedVip. */
  LocalRoutedVIP: 2,
  /** UseMux ("NotUsed" in the schema doc); DSR for NodePort access of the VIP. */
  UseMux: 4,
  /** EnablePreserveDip (with or without DSR). */
  PreserveDIP: 8,
  /** VipExternalIP (kube-proxy's flag). */
  VipExternalIP: 16,
} as const;
/**
 * One PortMappingFlags value.
 * @example
 * const f: PortMappingFlags = PortMappingFlags.ILB;
 */
export type PortMappingFlags = (typeof PortMappingFlags)[keyof typeof PortMappingFlags];

/**
 * LoadBalancerDistribution (schema 2.7): how a flow picks a backend. Anything but None is session affinity.
 * @example
 * const clientIpAffinity = LoadBalancerDistribution.SourceIP; // 2
 */
export const LoadBalancerDistribution = {
  /** Per connection (5-tuple). */
  None: 0,
  /** Affinity by source IP and protocol. */
  SourceIPProtocol: 1,
  /** Affinity by source IP (ClientIP). */
  SourceIP: 2,
} as const;
/**
 * One LoadBalancerDistribution value.
 * @example
 * const d: LoadBalancerDistribution = LoadBalancerDistribution.None;
 */
export type LoadBalancerDistribution = (typeof LoadBalancerDistribution)[keyof typeof LoadBalancerDistribution];

/**
 * IP protocol numbers of port mappings, by SDK protocol name.
 * @example
 * ProtocolNumbers.tcp; // 6
 */
export const ProtocolNumbers = {
  /** TCP. */
  tcp: 6,
  /** UDP. */
  udp: 17,
  /** SCTP. */
  sctp: 132,
  /** Any protocol. */
  any: 0,
} as const;
/**
 * A protocol number the SDK knows (0, 6, 17, 132).
 * @example
 * const n: ProtocolNumber = 17;
 */
export type ProtocolNumber = (typeof ProtocolNumbers)[keyof typeof ProtocolNumbers];

/**
 * EndpointFlags bits.
 * @example
 * const remote = EndpointFlags.RemoteEndpoint; // 1
 */
export const EndpointFlags = {
  /** No flags. */
  None: 0,
  /** The endpoint lives on another host. */
  RemoteEndpoint: 1,
  /** DisableICC. */
  DisableInterComputeCommunication: 2,
  /** Port mirroring. */
  EnableMirroring: 4,
  /** Low interface metric. */
  EnableLowInterfaceMetric: 8,
  /** Override the DNS server order. */
  OverrideDNSServerOrder: 16,
  /** DHCP. */
  EnableDhcp: 32,
} as const;
/**
 * One EndpointFlags value.
 * @example
 * const f: EndpointFlags = EndpointFlags.RemoteEndpoint;
 */
export type EndpointFlags = (typeof EndpointFlags)[keyof typeof EndpointFlags];

/**
 * HostComputeQueryFlags.
 * @example
 * const detailed = HostComputeQueryFlags.Detailed; // 1
 */
export const HostComputeQueryFlags = {
  /** Normal output. */
  None: 0,
  /** Detailed output. */
  Detailed: 1,
} as const;
/**
 * One HostComputeQueryFlags value.
 * @example
 * const f: HostComputeQueryFlags = HostComputeQueryFlags.None;
 */
export type HostComputeQueryFlags = (typeof HostComputeQueryFlags)[keyof typeof HostComputeQueryFlags];

/**
 * Enum-name → value tables for reading enum fields that HNS returned as strings (schema names and
 * SDK aliases; compared case-insensitively). Flag strings may list several names separated by `,` or `|`.
 * @example
 * ENUM_NAMES.loadBalancerFlags['enabledirectserverreturn']; // 1
 */
export const ENUM_NAMES: {
  /** LoadBalancerFlags names. */
  readonly loadBalancerFlags: Readonly<Record<string, number>>;
  /** LoadBalancerPortMappingFlags names. */
  readonly portMappingFlags: Readonly<Record<string, number>>;
  /** LoadBalancerDistribution names. */
  readonly distribution: Readonly<Record<string, number>>;
  /** EndpointFlags names. */
  readonly endpointFlags: Readonly<Record<string, number>>;
  /** Protocol names. */
  readonly protocol: Readonly<Record<string, number>>;
} = Object.freeze({
  loadBalancerFlags: Object.freeze({ none: 0, enabledirectserverreturn: 1, dsr: 1, ipv6: 2 }),
  portMappingFlags: Object.freeze({
    none: 0,
    enableinternalloadbalancer: 1,
    ilb: 1,
    localroutedvip: 2,
    usemux: 4,
    notused: 4,
    enablepreservedip: 8,
    preservedip: 8,
    vipexternalip: 16,
  }),
  distribution: Object.freeze({ none: 0, sourceipprotocol: 1, sourceip: 2 }),
  endpointFlags: Object.freeze({
    none: 0,
    remoteendpoint: 1,
    disableicc: 2,
    disableintercomputecommunication: 2,
    enablemirroring: 4,
    enablelowinterfacemetric: 8,
    overridednsserverorder: 16,
    enabledhcp: 32,
  }),
  protocol: Object.freeze({ any: 0, unknown: 0, tcp: 6, udp: 17, sctp: 132 }),
});

/**
 * Reads an enum or flags value that may be a number or enum name(s); `undefined` when it is neither.
 * @example
 * parseEnumValue('EnableDirectServerReturn, IPv6', ENUM_NAMES.loadBalancerFlags); // 3
 * parseEnumValue(28, ENUM_NAMES.portMappingFlags); // 28
 */
export function parseEnumValue(value: unknown, names: Readonly<Record<string, number>>): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  let result = 0;
  for (const part of text.split(/[,|]/)) {
    const key = part.trim().toLowerCase();
    if (key === '') continue;
    const v = names[key];
    if (v === undefined) return undefined;
    result |= v;
  }
  return result >>> 0;
}
