// LoadBalancerReconciler: keeps HNS converged on a desired set of load balancers. HNS sends no load
// balancer events (kubernetes#110674: they vanish; #139519: HNS restarts rehydrate or lose them), so it
// re-plans on an interval and at once on the client's 'serviceDisconnect' (HNS restarted), applies
// the difference, and reports every change as an event. `hcn apply --watch` is this object.
import { EventEmitter } from 'node:events';
import type { Hcn } from '../client';
import type { LoadBalancerSpec } from '../schema/models';
import { applyPlan } from './apply';
import { planLoadBalancers } from './plan';
import { withoutDeletes } from './prune';
import type { ApplyItemResult, ApplyResult, ReconcilePlan, ReconcileScope } from './types';

/**
 * Options of {@link LoadBalancerReconciler}.
 * @example
 * new LoadBalancerReconciler(hcn, desired, { scope: { vips: ['10.96.0.0/12'] }, intervalMs: 10_000 });
 */
export interface ReconcilerOptions {
  /** Which live load balancers it may update or delete (see {@link ReconcileScope}); default `'desired-frontends-only'`. */
  scope?: ReconcileScope | undefined;
  /** Delete in-scope load balancers the desired set lacks (default true, as {@link reconcileLoadBalancers}); false = create and update only. */
  prune?: boolean | undefined;
  /** Milliseconds between passes (default 30000, at least 10). A ServiceDisconnect starts a pass at once. */
  intervalMs?: number | undefined;
  /** Items in flight at once in a pass (default 8). */
  concurrency?: number | undefined;
}

/**
 * One pass of a {@link LoadBalancerReconciler}: the plan and what applying it did.
 * @example
 * reconciler.on('sync', (p: ReconcilerPass) => console.log(p.reason, p.plan.summary, p.result.counts));
 */
export interface ReconcilerPass {
  /** Why the pass ran: the first one, the interval, a ServiceDisconnect, or `syncNow()`. */
  readonly reason: 'start' | 'interval' | 'service-disconnect' | 'manual';
  /** The plan (without deletes when `prune` is false). */
  readonly plan: ReconcilePlan;
  /** What applying it did. */
  readonly result: ApplyResult;
}

/**
 * The events of a {@link LoadBalancerReconciler}.
 * @example
 * const onChange: ReconcilerEvents['change'] = (r) => console.log(r.action, r.status, r.id);
 */
export interface ReconcilerEvents {
  /** An item of a pass finished: a load balancer created (restored), updated or deleted, or failed. */
  change: (result: ApplyItemResult, pass: ReconcilerPass['reason']) => void;
  /** A pass finished (also when it changed nothing). */
  sync: (pass: ReconcilerPass) => void;
  /** A pass could not plan (HNS unavailable, timeout ...); the next interval tries again. */
  error: (err: unknown) => void;
}

/**
 * Keeps HNS holding the desired load balancers: a pass plans and applies the difference at start,
 * every `intervalMs`, and at once when HNS restarts (`'serviceDisconnect'`); so load balancers that
 * vanish (HNS lost its state, another process deleted them) or drift are restored. Passes never
 * overlap. Its timer keeps the process alive until {@link LoadBalancerReconciler.close}.
 * @example
 * const reconciler = new LoadBalancerReconciler(hcn, desired, { scope: { vips: ['10.96.0.0/12'] } });
 * reconciler.on('change', (r) => console.log(`${r.action} ${r.id}: ${r.status}`));
 * reconciler.on('error', (err) => console.warn('pass failed, will retry:', err));
 * reconciler.start();
 * // ... later
 * await reconciler.close();
 */
export class LoadBalancerReconciler extends EventEmitter {
  readonly #hcn: Hcn;
  #desired: readonly LoadBalancerSpec[];
  readonly #options: ReconcilerOptions;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReconcilerPass | undefined> | undefined;
  #again: ReconcilerPass['reason'] | undefined;
  #closed = false;
  readonly #abort = new AbortController();
  readonly #onDisconnect = (): void => void this.#run('service-disconnect');

  /**
   * @param hcn The client (its `'serviceDisconnect'` event triggers a pass).
   * @param desired The load balancers HNS should hold (validated by the plan; invalid ones are conflicts).
   * @param options Scope, prune, interval, concurrency.
   */
  constructor(hcn: Hcn, desired: readonly LoadBalancerSpec[], options: ReconcilerOptions = {}) {
    super();
    const interval = options.intervalMs ?? 30_000;
    if (!Number.isFinite(interval) || interval < 10) throw new RangeError(`LoadBalancerReconciler: intervalMs must be at least 10 (got ${interval})`);
    this.#hcn = hcn;
    this.#desired = [...desired];
    this.#options = options;
    this.#intervalMs = interval;
  }

  /** Starts: a pass now, then one every `intervalMs` and one on each ServiceDisconnect. */
  start(): this {
    if (this.#closed) throw new Error('LoadBalancerReconciler: closed');
    if (this.#timer !== undefined || this.#running) return this;
    this.#hcn.on('serviceDisconnect', this.#onDisconnect);
    void this.#run('start');
    return this;
  }

  /** Replaces the desired load balancers; the next pass uses them. */
  setDesired(desired: readonly LoadBalancerSpec[]): void {
    this.#desired = [...desired];
  }

  /** Runs a pass now (after the one in progress, if any); resolves with it, or undefined once closed. */
  syncNow(): Promise<ReconcilerPass | undefined> {
    return this.#run('manual');
  }

  /** Stops the timer and the ServiceDisconnect trigger, interrupts a pass in progress and waits for it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#hcn.off('serviceDisconnect', this.#onDisconnect);
    this.#abort.abort(new Error('LoadBalancerReconciler closed'));
    await this.#running?.catch(() => undefined);
  }

  #run(reason: ReconcilerPass['reason']): Promise<ReconcilerPass | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#running) {
      // One more pass after the current one (a disconnect during a pass must not be lost).
      this.#again ??= reason;
      // When the current pass settles, its `finally` has already started the next one.
      return this.#running.then(() => this.#running);
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#pass(reason).finally(() => {
      this.#running = undefined;
      if (this.#closed) return;
      const again = this.#again;
      this.#again = undefined;
      if (again !== undefined) void this.#run(again);
      else this.#timer = setTimeout(() => void this.#run('interval'), this.#intervalMs);
    });
    return this.#running;
  }

  async #pass(reason: ReconcilerPass['reason']): Promise<ReconcilerPass | undefined> {
    const signal = this.#abort.signal;
    try {
      const full = await planLoadBalancers(this.#hcn, this.#desired, { scope: this.#options.scope, signal });
      const plan = this.#options.prune === false ? withoutDeletes(full) : full;
      const result = await applyPlan(this.#hcn, plan, {
        concurrency: this.#options.concurrency,
        signal,
        onProgress: (p) => {
          if (!this.#closed) this.emit('change', p.result, reason);
        },
      });
      const pass: ReconcilerPass = Object.freeze({ reason, plan, result });
      if (!this.#closed) this.emit('sync', pass);
      return pass;
    } catch (err) {
      if (!this.#closed && this.listenerCount('error') > 0) this.emit('error', err);
      return undefined;
    }
  }
}
