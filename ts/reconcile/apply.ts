// applyPlan(): runs a ReconcilePlan through the client with bounded concurrency: deletes first (they
// free frontends), then updates, then creates. Every item ends with exactly one record; an HNS that
// was unreachable or slow gives 'unknown' (re-plan to find out), never "failed and gone".
import {
  HcnAbortError,
  HcnArgumentError,
  HcnError,
  HcnNotFoundError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnValidationError,
} from '../errors';
import type { Hcn } from '../client';
import type { CallOptions } from '../internal/operation';
import type {
  ApplyItemResult,
  ApplyOptions,
  ApplyResult,
  ApplyStatus,
  PlanCreate,
  PlanDelete,
  PlanUpdate,
  ReconcilePlan,
  SkipReason,
} from './types';

const OPERATION = 'applyPlan';
const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 256;

type Task =
  | { slot: number; action: 'delete'; item: PlanDelete }
  | { slot: number; action: 'update'; item: PlanUpdate }
  | { slot: number; action: 'create'; item: PlanCreate };

/** HNS may or may not have done it: unreachable, timed out, aborted in flight, or the client closed under it. */
function outcomeUnknown(err: unknown): boolean {
  return (
    err instanceof HcnTimeoutError ||
    err instanceof HcnServiceUnavailableError ||
    err instanceof HcnAbortError ||
    (err instanceof HcnError && err.code === 'HCN_CLOSED')
  );
}

/** Refused before anything was sent or changed: invalid input, or the load balancer / a backend did not exist. */
function refusedUpFront(err: unknown): boolean {
  return err instanceof HcnValidationError || err instanceof HcnArgumentError || err instanceof HcnNotFoundError;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Applies a plan from {@link planLoadBalancers}: deletes, then updates, then creates, at most
 * `concurrency` at a time (the client still serialises calls on one frontend). An item waits for the
 * deletes and updates that free its frontends (`after`) and is skipped as `'blocked'` when one of them
 * did not succeed. Never throws for an item: each gets a record in `results`.
 *
 * Outcomes: `'ok'`; `'failed'` (HNS refused, nothing changed); `'unknown'` (HNS unavailable, a timeout,
 * an abort in flight, and any update that failed after it may have started a replace: plan again to
 * see what HNS holds); `'skipped'` (not started: aborted, stopped, or blocked).
 * @example
 * const result = await applyPlan(hcn, plan, { concurrency: 16, onProgress: (p) => log(p.done, p.total) });
 * for (const r of result.results) if (r.status !== 'ok') console.warn(r.action, r.status, r.error?.message);
 */
export async function applyPlan(hcn: Hcn, plan: ReconcilePlan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new RangeError(`${OPERATION}: concurrency must be an integer from 1 to ${MAX_CONCURRENCY} (got ${String(concurrency)})`);
  }
  if (typeof plan !== 'object' || plan === null || !Array.isArray(plan.create) || !Array.isArray(plan.update) || !Array.isArray(plan.delete)) {
    throw new TypeError(`${OPERATION}: plan must come from planLoadBalancers`);
  }
  const { signal, onProgress, stopOnError = false } = options;
  const call: CallOptions = { signal, timeoutMs: options.timeoutMs };

  let slot = 0;
  const phases: Task[][] = [
    plan.delete.map((item) => ({ slot: slot++, action: 'delete' as const, item })),
    plan.update.map((item) => ({ slot: slot++, action: 'update' as const, item })),
    plan.create.map((item) => ({ slot: slot++, action: 'create' as const, item })),
  ];
  const total = slot;
  const results: ApplyItemResult[] = new Array<ApplyItemResult>(total);
  const counts = { ok: 0, failed: 0, unknown: 0, skipped: 0 };
  /** Status of each live ID this apply deleted or updated, for the items that wait on them. */
  const settled = new Map<string, ApplyStatus>();
  const created: string[] = [];
  const removed: string[] = [];
  let stopped: ApplyResult['stopped'];
  let done = 0;

  const stop = (reason: 'aborted' | 'error' | 'callback', error?: unknown): void => {
    if (stopped === undefined) stopped = error === undefined ? { reason } : { reason, error };
  };
  const onAbort = (): void => stop('aborted', signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const record = (task: Task, result: ApplyItemResult): void => {
    results[task.slot] = result;
    counts[result.status]++;
    done++;
    if (task.action !== 'create') settled.set(task.item.id, result.status);
    if (result.status === 'ok') {
      if (task.action === 'create' && result.id !== undefined) created.push(result.id);
      if (task.action === 'update' && result.id !== undefined && result.id !== result.previousId) {
        created.push(result.id);
        removed.push(result.previousId!);
      }
      if (task.action === 'delete' && result.deleted) removed.push(task.item.id);
    } else if (stopOnError && (result.status === 'failed' || result.status === 'unknown')) {
      stop('error', result.error);
    }
    if (onProgress) {
      try {
        onProgress({ done, total, result });
      } catch (err) {
        stop('callback', err);
      }
    }
  };

  const base = (task: Task) => ({
    action: task.action,
    item: task.item,
    index: task.action === 'delete' ? undefined : task.item.index,
  });
  const skip = (task: Task, skipReason: SkipReason, blockedBy?: string[]): ApplyItemResult => ({
    ...base(task),
    status: 'skipped',
    id: task.action === 'create' ? undefined : task.item.id,
    skipReason,
    blockedBy,
  });

  const run = async (task: Task): Promise<ApplyItemResult> => {
    try {
      switch (task.action) {
        case 'delete': {
          const deleted = await hcn.loadBalancers.delete(task.item.id, call);
          return { ...base(task), status: 'ok', id: task.item.id, deleted };
        }
        case 'update': {
          const handle = await hcn.loadBalancers.update(task.item.id, task.item.spec, call);
          return { ...base(task), status: 'ok', id: handle.id, previousId: task.item.id, strategy: handle.lastUpdate?.strategy };
        }
        case 'create': {
          const handle = await hcn.loadBalancers.create(task.item.spec, call);
          return { ...base(task), status: 'ok', id: handle.id, adopted: handle.adopted };
        }
      }
    } catch (err) {
      // A replace (create-then-delete / delete-then-create) can fail half way, so a failed update is
      // 'unknown' unless it was refused before anything changed.
      const unknown = outcomeUnknown(err) || (task.action === 'update' && !refusedUpFront(err));
      return {
        ...base(task),
        status: unknown ? 'unknown' : 'failed',
        id: task.action === 'create' ? undefined : task.item.id,
        previousId: task.action === 'update' ? task.item.id : undefined,
        error: asError(err),
      };
    }
  };

  const runPhase = async (tasks: Task[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < tasks.length; i = next++) {
        const task = tasks[i]!;
        if (stopped !== undefined) {
          record(task, skip(task, stopped.reason === 'aborted' ? 'aborted' : 'stopped'));
          continue;
        }
        const after = task.action === 'delete' ? [] : task.item.after;
        const blockedBy = after.filter((id) => settled.get(id) !== 'ok');
        if (blockedBy.length > 0) {
          record(task, skip(task, 'blocked', blockedBy));
          continue;
        }
        record(task, await run(task));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  };

  try {
    for (const tasks of phases) await runPhase(tasks);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }

  return Object.freeze({
    results: Object.freeze(results),
    counts: Object.freeze(counts),
    complete: counts.ok === total,
    stopped,
    created: Object.freeze(created),
    removed: Object.freeze(removed),
  });
}
