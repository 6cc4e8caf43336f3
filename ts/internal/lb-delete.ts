// Deleting a load balancer by ID with the SDK's contract: true = deleted, false = it was not there;
// "could not ask" (HNS unavailable, timeout) throws and is never reported as gone (kubernetes#139519).
import { HcnNotFoundError } from '../errors';
import type { Engine } from './engine';
import type { Operation } from './operation';

/** HcnDeleteLoadBalancer by ID: true = deleted, false = it did not exist. Other failures throw. */
export async function deleteLoadBalancer(engine: Engine, id: string, op: Operation): Promise<boolean> {
  try {
    await op.native('HcnDeleteLoadBalancer', (t) => engine.context().remove('loadBalancer', id, t));
    engine.forget(id);
    return true;
  } catch (err) {
    if (err instanceof HcnNotFoundError) {
      engine.forget(id);
      return false;
    }
    throw err;
  }
}
