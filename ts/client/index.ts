// The client, one module per family: the Hcn class (hcn.ts), networks, endpoints, load balancers,
// and the events it emits. core.ts (shared internals) is not part of the public API.
export * from './hcn';
export * from './events';
export * from './networks';
export * from './endpoints';
export * from './load-balancers';
