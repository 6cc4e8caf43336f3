// The client, one module per family: the Hcn class (hcn.ts), networks, endpoints, load balancers, VFP,
// and the events it emits. The families' factories and core.ts (shared internals) are not public.
export * from './hcn';
export * from './events';
export type { NetworksApi } from './networks';
export type { EndpointsApi, EndpointFilter, RemoteEndpointRequest } from './endpoints';
export type { LoadBalancersApi, LoadBalancerFilter, Frontend } from './load-balancers';
export type { VfpApi, VfpPortRule, VfpRulesFilter } from './vfp';
