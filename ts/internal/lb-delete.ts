// Deleting a load balancer by ID with the SDK's contract: true = deleted, false = it was not there;
// "could not ask" (HNS unavailable, timeout) throws and is never reported as gone (kubernetes#139519).
import { HcnError } from '../errors';
import type { Engine } from './engine';
import type { Operation } from './operation';

/**
 * Whether a failed delete means the load balancer itself is absent. Only ERROR_NOT_FOUND (0x80070490)
 * says so (hnslib `IsNotFoundError`); other not-found codes name something else the delete needed, such
 * as HCN_E_PORT_NOT_FOUND for a backend's switch port (hcsshim#1043): the load balancer is still there.
 */
export function isLoadBalancerGone(err: unknown): boolean {
  return err instanceof HcnError && err.hresult === 0x80070490;
}

/** HcnDeleteLoadBalancer by ID: true = deleted, false = it did not exist. Other failures throw. */
export async function deleteLoadBalancer(engine: Engine, id: string, op: Operation): Promise<boolean> {
  try {
    await op.native('HcnDeleteLoadBalancer', (t) => engine.context().remove('loadBalancer', id, t));
    engine.forget(id);
    return true;
  } catch (err) {
    if (isLoadBalancerGone(err)) {
      engine.forget(id);
      return false;
    }
    throw err;
  }
}
