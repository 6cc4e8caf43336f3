/**
 * The typed SDK for the Windows Host Compute Network (HCN/HNS) API: load balancers with Direct Server
 * Return, their endpoints and networks, on the real HNS or the embedded simulator.
 * @module hcn-sdk
 */
// The public API of hcn-sdk: the client and its load balancer handles, the simulator controls,
// errors, features, the HNS schema types and models (v1 policy lists included), the builders, the IP
// helpers, reconcile, and verification (DSR, single load balancers, VFP rules).
export * from './client';
export * from './load-balancer-handle';
export * from './simulator';
export * from './errors';
export * from './features';
export * from './schema';
export * from './builders';
export * from './net/ip';
export * from './reconcile';
export * from './verify';
export * from './explain';
export { NativeLoadError } from './native';
export type { NativeError, NativeErrorCode, NativePoolStats } from './native';
