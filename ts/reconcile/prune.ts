// A plan without its deletes: `hcn apply` without --prune, and a reconciler with `prune: false`,
// create and update but never delete. Items that had to wait for a left-out delete (`after`) are
// then skipped by applyPlan as 'blocked', naming the load balancer that holds their frontend.
import type { ReconcilePlan } from './types';

/** `plan` with an empty delete list (and its summary to match). */
export function withoutDeletes(plan: ReconcilePlan): ReconcilePlan {
  if (plan.delete.length === 0) return plan;
  return Object.freeze({
    ...plan,
    delete: Object.freeze([]),
    summary: Object.freeze({ ...plan.summary, delete: 0 }),
  });
}
