// Builders: validated, immutable load balancer specs without a connection.
export * from './load-balancer-builder';
