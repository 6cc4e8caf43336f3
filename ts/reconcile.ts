// Plan/apply of many desired load balancers against the live HNS: planLoadBalancers (one listing, a
// full comparison, an ownership scope), applyPlan (bounded concurrency, a record per item) and
// reconcileLoadBalancers (both, then a fresh plan to check that HNS now matches).
import type { Hcn } from './client';
import type { LoadBalancerSpec } from './schema/models';
import { applyPlan } from './reconcile/apply';
import { planLoadBalancers } from './reconcile/plan';
import type { ReconcileOptions, ReconcilePlan, ReconcileResult } from './reconcile/types';

export { planLoadBalancers } from './reconcile/plan';
export { applyPlan } from './reconcile/apply';
export { LoadBalancerReconciler } from './reconcile/reconciler';
export type { ReconcilerEvents, ReconcilerOptions, ReconcilerPass } from './reconcile/reconciler';
export type * from './reconcile/types';

function inSync(plan: ReconcilePlan): boolean {
  const s = plan.summary;
  return s.create === 0 && s.update === 0 && s.delete === 0 && s.conflicts === 0;
}

/**
 * Plans, applies, then plans again to verify: the residual plan is what still differs (an item that
 * failed or had an unknown outcome, a conflict, or a change someone made meanwhile). HNS has no
 * load balancer notifications, so run it periodically and on the client's `'serviceDisconnect'`
 * instead of trusting a cache (kubernetes#110674, #135802).
 * @example
 * const { inSync, residual, result } = await reconcileLoadBalancers(hcn, desired, { scope: { vips: ['10.96.0.0/12'] } });
 * if (!inSync) console.warn('still differs:', residual?.summary, result.counts);
 */
export async function reconcileLoadBalancers(hcn: Hcn, desired: readonly LoadBalancerSpec[], options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const plan = await planLoadBalancers(hcn, desired, options);
  const result = await applyPlan(hcn, plan, options);
  // After an abort the caller wants to stop, not to wait for another listing.
  if (options.signal?.aborted) return Object.freeze({ plan, result, residual: undefined, inSync: false });
  try {
    const residual = await planLoadBalancers(hcn, desired, options);
    return Object.freeze({ plan, result, residual, inSync: inSync(residual) });
  } catch (err) {
    // The apply's records must not be lost because the check could not list (HNS down again).
    return Object.freeze({ plan, result, residual: undefined, inSync: false, verifyError: err });
  }
}
