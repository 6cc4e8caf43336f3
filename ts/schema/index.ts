// The HNS JSON schema: document types, enums, SDK models, and (de)serialisation.
export * from './hns-types';
export * from './enums';
export * from './models';
export * from './guid';
export * from './query';
export * from './load-balancer-json';
export * from './endpoint';
export * from './network';
export * from './policy-list';
