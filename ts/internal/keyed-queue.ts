// Per-key FIFO serialisation inside one client: operations that touch the same load balancer
// frontend (VIP, protocol, external port) run one after another, in the order they were called
// (kube-proxy's re-create races, user-pain 17). Different keys run concurrently.

/** Releases the keys taken by {@link KeyedQueue.enter}. Calling it twice is harmless. */
export type Release = () => void;

/**
 * A FIFO queue per string key. `enter(keys)` takes every key at once: the caller's turn comes when
 * everyone who entered any of those keys before it has released. Entering happens synchronously at
 * the call, so call order is turn order even when the caller then awaits.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Number of keys with an operation queued or running (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }

  /**
   * Enters the queues of `keys` now and returns a promise of the turn. `giveUp`, when it settles
   * first (abort, deadline), rejects the turn with its reason; the keys are then released as soon
   * as the earlier holders are done, so later callers keep their order and never overtake them.
   */
  enter(keys: Iterable<string>, giveUp?: Promise<never>): Promise<Release> {
    const unique = [...new Set(keys)];
    const before = unique.map((k) => this.tails.get(k)).filter((p): p is Promise<void> => p !== undefined);
    let markDone!: () => void;
    const done = new Promise<void>((resolve) => {
      markDone = resolve;
    });
    for (const k of unique) this.tails.set(k, done);
    const predecessors = before.length === 0 ? Promise.resolve() : Promise.all(before).then(() => undefined);

    let released = false;
    const release: Release = () => {
      if (released) return;
      released = true;
      for (const k of unique) if (this.tails.get(k) === done) this.tails.delete(k);
      markDone();
    };
    if (!giveUp) return predecessors.then(() => release);
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
      giveUp.catch((reason: unknown) => {
        if (settled) return;
        settled = true;
        reject(reason);
      });
    });
  }
}
