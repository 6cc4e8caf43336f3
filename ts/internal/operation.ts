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
  /** The HCN call running now, for the error raised when the operation is interrupted. */
  private current: string;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;
  private failure: unknown;
  private interruptPromise: Promise<never> | undefined;
  private fail: ((reason: unknown) => void) | undefined;
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.current = name;
    this.deadline = performance.now() + timeoutMs;
    if (signal?.aborted) {
      this.failure = abortError(name, signal.reason);
      return;
    }
    // With a signal the interrupt is armed now (an abort must reject at once); without one it is
    // armed only when something waits on it (a turn in a frontend queue, a shared read). A native
    // call alone needs no timer: the native layer enforces the same deadline (`remaining()` is its
    // timeout) and rejects with HCN_TIMEOUT.
    if (signal) this.arm();
  }

  /**
   * Rejects when the signal aborts or the deadline passes; never resolves. Created (with its
   * deadline timer) on first use.
   */
  get interrupt(): Promise<never> {
    if (!this.interruptPromise) this.arm();
    return this.interruptPromise!;
  }

  private arm(): void {
    this.interruptPromise = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    // Nobody may be racing it when it fires; the failure is reported through check() then.
    this.interruptPromise.catch(() => undefined);
    if (this.failure !== undefined) {
      this.fail!(this.failure);
      return;
    }
    if (this.disposed) return; // finished: it never fires
    const stop = (reason: unknown): void => {
      if (this.failure !== undefined) return;
      this.failure = reason;
      this.dispose();
      this.fail!(reason);
    };
    const signal = this.signal;
    if (signal && !this.onAbort) {
      this.onAbort = () => stop(abortError(this.current, signal.reason));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    this.timer = setTimeout(() => stop(this.timeoutError()), Math.max(0, this.deadline - performance.now()));
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
    try {
      if (!this.interruptPromise) return await pending; // the native deadline covers it
      // When we stop waiting (abort, deadline) the call still completes; its outcome is dropped here.
      pending.catch(() => undefined);
      return await Promise.race([pending, this.interruptPromise]);
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
    this.disposed = true;
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
