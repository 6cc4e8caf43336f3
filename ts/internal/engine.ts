// What a LoadBalancerHandle needs from the client that made it: the native context, operation
// budgets, the per-frontend queue, features (with probes) and backend resolution. An interface so
// ts/load-balancer-handle.ts does not import the client.
import type { FeatureName, Features } from '../features';
import type { NativeContext } from '../native';
import type { LoadBalancerSpec } from '../schema/models';
import type { LoadBalancerSource } from './lb-doc';
import type { KeyedQueue } from './keyed-queue';
import type { CallOptions, Operation } from './operation';

export interface Engine {
  /** Throws HcnError HCN_CLOSED when the client is closed. */
  context(): NativeContext;
  /** Starts an operation with the caller's signal and deadline (or the client's default deadline). */
  operation(name: string, options: CallOptions | undefined): Operation;
  readonly queue: KeyedQueue;
  /** The client's cached features, loaded within `op`'s budget on first use. */
  features(op: Operation): Promise<Features>;
  /** Records a runtime probe result (e.g. E_NOTIMPL from modify → false) for this client. */
  probe(feature: FeatureName, supported: boolean): void;
  /** Endpoint IDs of the spec's backends; IPs are looked up in HNS (HcnNotFoundError naming backends[i]). */
  resolveBackends(spec: LoadBalancerSpec, op: Operation): Promise<string[]>;
  /** Remembers which frontend an ID serves, so operations by ID queue behind the right frontend. */
  remember(lb: LoadBalancerSource): void;
  forget(id: string): void;
  /** Queue keys known for an ID (its frontend, when this client has seen it, and the ID itself). */
  keysOf(id: string): string[];
}
