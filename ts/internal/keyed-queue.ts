// Per-key FIFO serialisation inside one client: operations that touch the same load balancer
// frontend (VIP, protocol, external port) run one after another, in the order they were called
// (kube-proxy's re-create races, user-pain 17). Different keys run concurrently.

/** Releases the keys taken by {@link KeyedQueue.enter}. Calling it twice is harmless. */
export type Release = () => void;

/** One holder's turn on its keys. Its promise is made only when someone has to wait for it. */
class Turn {
  done = false;
  private promise: Promise<void> | undefined;
  private resolve: (() => void) | undefined;

  finished(): Promise<void> {
    if (this.done) return Promise.resolve();
    if (!this.promise) {
      this.promise = new Promise<void>((resolve) => {
        this.resolve = resolve;
      });
    }
    return this.promise;
  }

  finish(): void {
    this.done = true;
    this.resolve?.();
  }
}

/**
 * A FIFO queue per string key. `enter(keys)` takes every key at once: the caller's turn comes when
 * everyone who entered any of those keys before it has released. Entering happens synchronously at
 * the call, so call order is turn order even when the caller then awaits.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Turn>();

  /** Number of keys with an operation queued or running (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }

  /**
   * Enters the queues of `keys` now and returns a promise of the turn. `giveUp`, when it settles
   * first (abort, deadline), rejects the turn with its reason; the keys are then released as soon
   * as the earlier holders are done, so later callers keep their order and never overtake them.
   */
  enter(keys: Iterable<string>, giveUp?: Promise<never> | (() => Promise<never>)): Promise<Release> {
    const turn = this.enterNow(keys, giveUp);
    return typeof turn === 'function' ? Promise.resolve(turn) : turn;
  }

  /**
   * Like {@link enter}, but when no earlier holder has any of the keys the turn is returned at once
   * (no promise, no microtask): the common, uncontended case. `giveUp` may be a function, called
   * only when the caller has to wait (so an unneeded deadline timer is never armed).
   */
  enterNow(keys: Iterable<string>, giveUp?: Promise<never> | (() => Promise<never>)): Release | Promise<Release> {
    const unique = Array.isArray(keys) && keys.length === 1 ? (keys as string[]) : [...new Set(keys)];
    let before: Turn[] | undefined;
    for (const k of unique) {
      const t = this.tails.get(k);
      if (t !== undefined) (before ??= []).push(t);
    }
    const turn = new Turn();
    for (const k of unique) this.tails.set(k, turn);
    const release: Release = () => {
      if (turn.done) return;
      for (const k of unique) if (this.tails.get(k) === turn) this.tails.delete(k);
      turn.finish();
    };
    if (before === undefined) return release;

    const predecessors = before.length === 1 ? before[0]!.finished() : Promise.all(before.map((t) => t.finished())).then(() => undefined);
    if (!giveUp) return predecessors.then(() => release);
    const quit = typeof giveUp === 'function' ? giveUp() : giveUp;
    return new Promise<Release>((resolve, reject) => {
      let settled = false;
      predecessors.then(() => {
        if (settled) {
          // We gave up while waiting; pass the turn on only now, after the earlier holders.
          release();
          return;
        }
        settled = true;
        resolve(release);
      });
      quit.catch((reason: unknown) => {
        if (settled) return;
        settled = true;
        reject(reason);
      });
    });
  }
}
