// A private door into LoadBalancerHandle for the client: `loadBalancers.update(id, spec)` queues on
// the frontend before it reads the load balancer, then runs the handle's update inside that turn.
import type { LoadBalancerHandle } from '../load-balancer-handle';
import type { LoadBalancerSpec } from '../schema/models';
import type { Operation } from './operation';

type UpdateInTurn = (handle: LoadBalancerHandle, shape: LoadBalancerSpec, op: Operation) => Promise<void>;

let updateInTurn: UpdateInTurn | undefined;

/** Called once by LoadBalancerHandle's static initialiser. */
export function registerUpdateInTurn(fn: UpdateInTurn): void {
  updateInTurn = fn;
}

/** Runs a handle's update without queueing (the caller already holds the frontend's turn). */
export function runUpdateInTurn(handle: LoadBalancerHandle, shape: LoadBalancerSpec, op: Operation): Promise<void> {
  if (!updateInTurn) throw new Error('hcn-sdk: LoadBalancerHandle is not loaded');
  return updateInTurn(handle, shape, op);
}
