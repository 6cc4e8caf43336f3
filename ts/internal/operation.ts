// One client operation's budget: the caller's AbortSignal and a deadline that covers every native hop
// and every wait in a per-frontend queue. Native calls get the time that is left; an abort rejects at
// once even though the native call it interrupts may still complete in HNS.
import { HcnError, HcnTimeoutError, abortError, toHcnError } from '../errors';

/**
 * Options every client call takes.
 * @example
 * const ac = new AbortController();
 * await hcn.loadBalancers.list({ signal: ac.signal, timeoutMs: 5000 });
 */
export interface CallOptions {
  /**
   * Aborting rejects the call at once with `HcnAbortError`. A native call already handed to HNS is
   * not cancelled (HCN has no cancellation): it may still complete, and its result is then discarded.
   */
  signal?: AbortSignal | undefined;
  /**
   * Deadline for the whole call in milliseconds (every HNS call it makes and any wait behind other
   * calls on the same frontend); defaults to the client's `timeoutMs`. Passing it rejects with
   * `HcnTimeoutError` (the outcome in HNS is then unknown).
   */
  timeoutMs?: number | undefined;
}

/** Largest delay setTimeout accepts. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Throws RangeError unless `value` is a usable timeout (a positive integer number of milliseconds). */
export function checkTimeout(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new RangeError(`${name} must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got ${String(value)})`);
  }
  return value;
}

export class Operation {
  readonly deadline: number;
  /** Rejects when the signal aborts or the deadline passes; never resolves. */
  readonly interrupt: Promise<never>;
  /** The HCN call running now, for the error raised when the operation is interrupted. */
  private current: string;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort: (() => void) | undefined;
  private failure: unknown;

  constructor(
    readonly name: string,
    private readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.current = name;
    this.deadline = performance.now() + timeoutMs;
    let fail!: (reason: unknown) => void;
    this.interrupt = new Promise<never>((_, reject) => {
      fail = reject;
    });
    // Nobody may be racing it when it fires; the failure is reported through check() then.
    this.interrupt.catch(() => undefined);
    const stop = (reason: unknown): void => {
      if (this.failure !== undefined) return;
      this.failure = reason;
      this.dispose();
      fail(reason);
    };
    if (signal?.aborted) {
      this.failure = abortError(name, signal.reason);
      fail(this.failure);
      return;
    }
    if (signal) {
      this.onAbort = () => stop(abortError(this.current, signal.reason));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    this.timer = setTimeout(() => stop(this.timeoutError()), timeoutMs);
  }

  /** Milliseconds left before the deadline (at least 1 while it has not passed). */
  remaining(): number {
    return Math.max(0, Math.ceil(this.deadline - performance.now()));
  }

  /** Throws the abort or timeout error when the operation can no longer go on. */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.remaining() <= 0) {
      this.failure = this.timeoutError();
      throw this.failure;
    }
  }

  /**
   * Runs one native call with the time that is left, rejecting at once on abort or deadline, and
   * maps whatever it throws to the SDK's error classes.
   */
  async native<T>(operation: string, call: (timeoutMs: number) => Promise<T>): Promise<T> {
    this.check();
    this.current = operation;
    let pending: Promise<T>;
    try {
      pending = call(this.remaining());
    } catch (err) {
      throw toHcnError(err, operation);
    }
    // When we stop waiting (abort, deadline) the call still completes; its outcome is dropped here.
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, this.interrupt]);
    } catch (err) {
      throw toHcnError(err, operation);
    } finally {
      this.current = this.name;
    }
  }

  /** Waits for `promise` unless the operation is interrupted first. */
  async wait<T>(promise: Promise<T>): Promise<T> {
    this.check();
    promise.catch(() => undefined);
    return Promise.race([promise, this.interrupt]);
  }

  /** Stops the deadline timer and the abort listener. Idempotent. */
  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
  }

  private timeoutError(): HcnError {
    return new HcnTimeoutError({
      code: 'HCN_TIMEOUT',
      operation: this.current,
      detail: `${this.name} passed its deadline of ${this.timeoutMs} ms; the outcome in HNS is unknown`,
    });
  }
}
