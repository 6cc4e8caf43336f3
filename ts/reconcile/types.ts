// The data of a load balancer reconcile: what planLoadBalancers() found (create / update / delete /
// keep / left alone / conflicts) and what applyPlan() did with each item. Plain data, so a plan can be
// logged, inspected, or shown as a dry run before it is applied.
import type { HcnError } from '../errors';
import type { CallOptions } from '../internal/operation';
import type { UpdateStrategy } from '../load-balancer-handle';
import type { LoadBalancerInfo, LoadBalancerSpec } from '../schema/models';

/**
 * Which live load balancers a reconcile may update or delete. HNS has no owner field, so ownership is
 * the caller's to state:
 * - `'desired-frontends-only'` (default): only load balancers that sit on a frontend (VIP, protocol,
 *   external port) of a desired one: stale duplicates there are deleted, nothing else is.
 * - a predicate: true = owned.
 * - `{ vips, ids }`: owned when every frontend VIP of the load balancer is one of `vips` (an address or
 *   a prefix such as `'10.96.0.0/12'`), or its ID is in `ids` (a client-side ownership registry, e.g.
 *   the IDs earlier applies created). A VIP-less (all node IPs) load balancer is owned only through `ids`.
 *
 * A live load balancer that equals a desired one is kept (adopted) whatever the scope.
 * @example
 * await planLoadBalancers(hcn, desired, { scope: { vips: ['10.96.0.0/12'] } });
 * await planLoadBalancers(hcn, desired, { scope: (info) => registry.has(info.id) });
 */
export type ReconcileScope =
  | 'desired-frontends-only'
  | ((info: LoadBalancerInfo) => boolean)
  | {
      /** Owned VIPs: addresses or prefixes (`'10.96.0.0/12'`, `'fd00::/64'`). */
      readonly vips?: readonly string[] | undefined;
      /** Owned load balancer IDs (any case). */
      readonly ids?: Iterable<string> | undefined;
    };

/**
 * Options of {@link planLoadBalancers}: the scope, plus `signal` and `timeoutMs` for each HNS read.
 * @example
 * const plan = await planLoadBalancers(hcn, desired, { scope: 'desired-frontends-only', timeoutMs: 10_000 });
 */
export interface PlanOptions extends CallOptions {
  /** Default `'desired-frontends-only'`. */
  scope?: ReconcileScope | undefined;
}

/**
 * A field of a load balancer that differs between HNS and the desired spec.
 * @example
 * const f: SpecField = 'backends';
 */
export type SpecField = 'frontendVips' | 'sourceVip' | 'backends' | 'ports' | 'dsr' | 'ipv6';

/**
 * A load balancer to create.
 * @example
 * for (const c of plan.create) console.log(`create desired[${c.index}] on ${c.frontends.join(', ')}`);
 */
export interface PlanCreate {
  /** Index in the desired array. */
  readonly index: number;
  /** The desired spec with its backends resolved to endpoint IDs (what apply sends). */
  readonly spec: LoadBalancerSpec;
  /** The desired spec as given (validated). */
  readonly desired: LoadBalancerSpec;
  /** Its frontend keys (`fe:<vip>|<protocol number>|<external port>`). */
  readonly frontends: readonly string[];
  /** IDs of live load balancers this plan deletes or updates that hold one of its frontends now: they go first. */
  readonly after: readonly string[];
}

/**
 * A live load balancer to change to the desired spec.
 * @example
 * for (const u of plan.update) console.log(u.id, u.reason); // '… differs in backends'
 */
export interface PlanUpdate {
  /** Index in the desired array. */
  readonly index: number;
  /** The live load balancer's ID. */
  readonly id: string;
  /** The live load balancer as listed. */
  readonly info: LoadBalancerInfo;
  /** Desired spec with backends resolved to endpoint IDs. */
  readonly spec: LoadBalancerSpec;
  /** The desired spec as given (validated). */
  readonly desired: LoadBalancerSpec;
  /** What differs, field by field (full comparison, never counts). */
  readonly differences: readonly SpecField[];
  /** Human-readable: `differs in backends, sourceVip`. */
  readonly reason: string;
  /** Its frontend keys (`fe:<vip>|<protocol number>|<external port>`). */
  readonly frontends: readonly string[];
  /** IDs of other live load balancers on its frontends that this plan deletes or updates: they go first. */
  readonly after: readonly string[];
}

/**
 * Why a live load balancer is deleted: `'duplicate'` = another load balancer is kept or updated on
 * the same desired frontend; `'not-desired'` = it is in scope and no desired spec claims its frontends.
 * @example
 * const stale = plan.delete.filter((d) => d.reason === 'duplicate');
 */
export type DeleteReason = 'duplicate' | 'not-desired';

/**
 * A live load balancer to delete.
 * @example
 * for (const d of plan.delete) console.log(d.id, d.reason, d.info.frontendVips);
 */
export interface PlanDelete {
  /** The live load balancer's ID. */
  readonly id: string;
  /** The live load balancer as listed. */
  readonly info: LoadBalancerInfo;
  /** Why it goes. */
  readonly reason: DeleteReason;
}

/**
 * A live load balancer that already equals desired[index].
 * @example
 * const keptIds = plan.keep.map((k) => k.id);
 */
export interface PlanKeep {
  /** Index in the desired array. */
  readonly index: number;
  /** The live load balancer's ID. */
  readonly id: string;
  /** The live load balancer as listed. */
  readonly info: LoadBalancerInfo;
}

/**
 * A live load balancer the plan does not touch because the scope does not own it.
 * `onDesiredFrontend` = it shares a frontend with a desired load balancer (see the conflicts).
 * @example
 * for (const a of plan.leftAlone) console.log(`not mine: ${a.id}`);
 */
export interface PlanLeftAlone {
  /** The live load balancer's ID. */
  readonly id: string;
  /** The live load balancer as listed. */
  readonly info: LoadBalancerInfo;
  /** Always `'out-of-scope'`: the scope does not own it. */
  readonly reason: 'out-of-scope';
  /** It shares a frontend with a desired load balancer (that desired item then has a conflict). */
  readonly onDesiredFrontend: boolean;
}

/**
 * Something the plan cannot do; the desired item named by `index` gets no create or update:
 * - `'invalid'`: the spec fails validation (also against the host's features), or has a backend IP
 *   on several networks that nothing settles; `error` (HcnValidationError or
 *   HcnFeatureNotSupportedError) says why.
 * - `'network-not-found'`: the spec's `network` (`field`) names no network HNS has; `error` is the
 *   `HcnNetworkNotFoundError` that `loadBalancers.create` throws for the same spec (the desired
 *   state refers to something missing, like `'backend-not-found'`, rather than being malformed).
 * - `'desired-overlap'`: it shares a frontend with an earlier desired spec (`other`), which wins.
 * - `'desired-duplicate'`: it is the same load balancer as an earlier desired spec (`other`).
 * - `'backend-not-found'`: backend `field` (`backends[i]`) is an IP no endpoint in HNS has (in the
 *   spec's `network`, when it names one).
 * - `'frontend-held'`: a live load balancer the scope does not own (`liveIds`) holds one of its
 *   frontends, so creating or updating it would collide (HCN_E_PORT_ALREADY_EXISTS).
 * `liveIds` lists the live load balancers on its frontends, which are left as they are.
 * @example
 * for (const c of plan.conflicts) console.warn(c.kind, c.index, c.message);
 */
export interface PlanConflict {
  /** What kind of conflict (see above). */
  readonly kind: 'invalid' | 'desired-overlap' | 'desired-duplicate' | 'backend-not-found' | 'network-not-found' | 'frontend-held';
  /** Index in the desired array of the item that gets no action. */
  readonly index: number;
  /** Human-readable, starting with `desired[<index>]: `. */
  readonly message: string;
  /** IDs of the live load balancers on its frontends; the plan leaves them as they are. */
  readonly liveIds: readonly string[];
  /** The earlier desired index it collides with (overlap / duplicate). */
  readonly other?: number | undefined;
  /** The frontend key in question (overlap / held). */
  readonly frontend?: string | undefined;
  /** `backends[i]` (backend-not-found), `network` (network-not-found). */
  readonly field?: string | undefined;
  /** The unresolved backend IP (backend-not-found). */
  readonly ip?: string | undefined;
  /** The error behind it: the validation error (invalid), the HcnNetworkNotFoundError (network-not-found). */
  readonly error?: HcnError | undefined;
}

/**
 * The result of {@link planLoadBalancers}: one listing of HNS compared with the desired specs.
 * @example
 * const plan = await planLoadBalancers(hcn, desired);
 * console.log(plan.summary); // { create: 3, update: 1, delete: 0, keep: 996, leftAlone: 2, conflicts: 0, live: 999 }
 */
export interface ReconcilePlan {
  /** Desired load balancers to create. */
  readonly create: readonly PlanCreate[];
  /** Live load balancers to change to a desired spec. */
  readonly update: readonly PlanUpdate[];
  /** Live load balancers to delete (stale duplicates, and unclaimed ones the scope owns). */
  readonly delete: readonly PlanDelete[];
  /** Live load balancers that already equal a desired spec. */
  readonly keep: readonly PlanKeep[];
  /** Live load balancers outside the scope, not touched. */
  readonly leftAlone: readonly PlanLeftAlone[];
  /** Desired items the plan cannot act on, sorted by desired index. */
  readonly conflicts: readonly PlanConflict[];
  /** The length of each list above, plus how many load balancers HNS listed. */
  readonly summary: {
    /** `create.length`. */
    readonly create: number;
    /** `update.length`. */
    readonly update: number;
    /** `delete.length`. */
    readonly delete: number;
    /** `keep.length`. */
    readonly keep: number;
    /** `leftAlone.length`. */
    readonly leftAlone: number;
    /** `conflicts.length`. */
    readonly conflicts: number;
    /** Load balancers HNS listed. */
    readonly live: number;
  };
}

/**
 * Progress of {@link applyPlan}, after each item.
 * @example
 * onProgress: (p) => console.log(`${p.done}/${p.total}`, p.result.action, p.result.status)
 */
export interface ApplyProgress {
  /** Items finished so far, skipped ones included. */
  readonly done: number;
  /** Items in the plan (creates + updates + deletes). */
  readonly total: number;
  /** The outcome of the item that just finished. */
  readonly result: ApplyItemResult;
}

/**
 * Options of {@link applyPlan}.
 * @example
 * const ac = new AbortController();
 * await applyPlan(hcn, plan, { concurrency: 16, signal: ac.signal, onProgress: (p) => bar.update(p.done / p.total) });
 */
export interface ApplyOptions {
  /** Items in flight at once (1–256, default 8). The client still serialises items on one frontend. */
  concurrency?: number | undefined;
  /**
   * Stops launching items; items in flight are interrupted (their outcome is `'unknown'`: HNS may
   * still complete them), the rest are `'skipped'`. applyPlan resolves; it does not throw.
   */
  signal?: AbortSignal | undefined;
  /** Deadline of each item's HNS calls in milliseconds (default: the client's). */
  timeoutMs?: number | undefined;
  /** Called after each item (skipped ones included). If it throws, no further items are launched. */
  onProgress?: ((progress: ApplyProgress) => void) | undefined;
  /** Stop launching items after the first `'failed'` or `'unknown'` one (default false). */
  stopOnError?: boolean | undefined;
}

/**
 * What happened to one plan item:
 * - `'ok'`: done (a delete of a load balancer already gone counts, with `deleted: false`).
 * - `'failed'`: HNS refused it; nothing changed for this item (`error` says why).
 * - `'unknown'`: HNS was unavailable, the call timed out or was aborted in flight: it may or may not
 *   have happened. Plan again to find out; never treat it as done or as not done.
 * - `'skipped'`: not started (`skipReason`).
 * @example
 * const retry = result.results.filter((r) => r.status !== 'ok');
 */
export type ApplyStatus = 'ok' | 'failed' | 'unknown' | 'skipped';

/**
 * Why an item was not started: the signal aborted, `stopOnError` or a throwing `onProgress` stopped
 * the run, or a load balancer it had to wait for (`after`) was not deleted or updated.
 * @example
 * if (r.skipReason === 'blocked') console.log(`${r.action} waits for ${r.blockedBy?.join(', ')}`);
 */
export type SkipReason = 'aborted' | 'stopped' | 'blocked';

/**
 * One plan item's outcome. Every item of the plan gets exactly one.
 * @example
 * for (const r of result.results) if (r.status === 'unknown') console.warn(r.action, r.error?.message);
 */
export interface ApplyItemResult {
  /** Which list of the plan the item came from. */
  readonly action: 'create' | 'update' | 'delete';
  /** What happened (see {@link ApplyStatus}). */
  readonly status: ApplyStatus;
  /** The plan item. */
  readonly item: PlanCreate | PlanUpdate | PlanDelete;
  /** Desired index (create, update). */
  readonly index?: number | undefined;
  /**
   * The load balancer's ID after the item: the new ID of a create or of an update that replaced it,
   * the ID of the one updated in place or deleted. Undefined for a create that did not succeed.
   */
  readonly id?: string | undefined;
  /** Update: the ID before (differs from `id` when it was replaced). */
  readonly previousId?: string | undefined;
  /** Update: how it was done. */
  readonly strategy?: UpdateStrategy | undefined;
  /** Create: HNS already held an identical load balancer (rehydrated after a restart) and it was adopted. */
  readonly adopted?: boolean | undefined;
  /** Delete: false when it was already gone. */
  readonly deleted?: boolean | undefined;
  /** `'failed'` / `'unknown'`: an HcnError for HNS failures. */
  readonly error?: Error | undefined;
  /** `'skipped'`: why it was not started. */
  readonly skipReason?: SkipReason | undefined;
  /** `skipReason: 'blocked'`: the live IDs whose delete or update did not succeed. */
  readonly blockedBy?: readonly string[] | undefined;
}

/**
 * The result of {@link applyPlan}.
 * @example
 * const r = await applyPlan(hcn, plan);
 * if (!r.complete) console.warn(r.counts); // { ok: 998, failed: 1, unknown: 1, skipped: 0 }
 */
export interface ApplyResult {
  /** One per plan item: deletes, then updates, then creates, each in plan order. */
  readonly results: readonly ApplyItemResult[];
  /** How many results have each status; they add up to `results.length`. */
  readonly counts: {
    /** Results with status `'ok'`. */
    readonly ok: number;
    /** Results with status `'failed'`. */
    readonly failed: number;
    /** Results with status `'unknown'`. */
    readonly unknown: number;
    /** Results with status `'skipped'`. */
    readonly skipped: number;
  };
  /** Every item is `'ok'`. */
  readonly complete: boolean;
  /** Why items were not launched, when something stopped the run. */
  readonly stopped?:
    | {
        /** `'aborted'`: the signal fired; `'error'`: `stopOnError` and an item failed or is unknown; `'callback'`: `onProgress` threw. */
        readonly reason: 'aborted' | 'error' | 'callback';
        /** The signal's reason, the item's error, or what `onProgress` threw. */
        readonly error?: unknown;
      }
    | undefined;
  /** IDs this apply created or adopted (creates, and the new ID of a replacing update): add them to an ownership registry. */
  readonly created: readonly string[];
  /** IDs that no longer exist because of it (deletes and replaced load balancers). */
  readonly removed: readonly string[];
}

/**
 * Options of {@link reconcileLoadBalancers}: plan options plus apply options.
 * @example
 * await reconcileLoadBalancers(hcn, desired, { scope: { ids: registry }, concurrency: 16 });
 */
export interface ReconcileOptions extends PlanOptions, Omit<ApplyOptions, 'signal' | 'timeoutMs'> {}

/**
 * The result of {@link reconcileLoadBalancers}.
 * @example
 * const { inSync, residual } = await reconcileLoadBalancers(hcn, desired);
 * if (!inSync) console.warn(residual?.summary);
 */
export interface ReconcileResult {
  /** The plan that was applied. */
  readonly plan: ReconcilePlan;
  /** What the apply did with each item of `plan`. */
  readonly result: ApplyResult;
  /** A fresh plan after the apply (undefined when the signal aborted or the check failed): what still differs. */
  readonly residual: ReconcilePlan | undefined;
  /** Why the check after the apply could not list HNS (e.g. HcnServiceUnavailableError); the apply's records are still in `result`. */
  readonly verifyError?: unknown;
  /** The residual plan has nothing to create, update or delete, and no conflicts. */
  readonly inSync: boolean;
}
