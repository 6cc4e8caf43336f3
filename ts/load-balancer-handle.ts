// LoadBalancerHandle: a load balancer that exists in HNS, with refresh, update (in place where HNS can,
// else a replace that keeps the frontend served as long as HNS allows), idempotent delete and
// `await using` cleanup. The update strategy follows kube-proxy's: modify when the features say so,
// turn modify off for the client on E_NOTIMPL, and fall back to create + delete.
import { inspect, type InspectOptionsStylized } from 'node:util';
import {
  HcnError,
  HcnNotAvailableError,
  HcnNotFoundError,
  HcnNotImplementedError,
  HcnPortInUseError,
  type HcnErrorOptions,
} from './errors';
import { validateLoadBalancerSpec } from './builders/load-balancer-builder';
import { query } from './schema/query';
import { loadBalancerToHns, parseLoadBalancer } from './schema/load-balancer-json';
import type { HostComputeLoadBalancer } from './schema/hns-types';
import type { LoadBalancerInfo, LoadBalancerSpec } from './schema/models';
import type { Engine } from './internal/engine';
import { frontendKeys, frontendsOverlap, infoMatchesSpec } from './internal/lb-match';
import type { CallOptions, Operation } from './internal/operation';
import { deleteLoadBalancer, isLoadBalancerGone } from './internal/lb-delete';
import { registerUpdateInTurn } from './internal/handle-access';
import { LoadBalancerDoc, type LoadBalancerSource } from './internal/lb-doc';

/**
 * How {@link LoadBalancerHandle.update} changed the load balancer:
 * - `'modify'`: `HcnModifyLoadBalancer` in place; the ID is unchanged and traffic never stopped.
 * - `'create-then-delete'`: a new load balancer was created, then the old one deleted; the ID changed.
 *   Used when the host cannot modify and the new frontend does not collide with the old one.
 * - `'delete-then-create'`: the old one was deleted first because the new one needs the same
 *   (VIP, protocol, port) and HNS refused a second one (HCN_E_PORT_ALREADY_EXISTS); the frontend is
 *   briefly unserved and the ID changed.
 * @example
 * await lb.update(spec);
 * if (lb.lastUpdate?.strategy !== 'modify') console.log(`replaced ${lb.lastUpdate?.previousId} by ${lb.id}`);
 */
export type UpdateStrategy = 'modify' | 'create-then-delete' | 'delete-then-create';

/**
 * What the last {@link LoadBalancerHandle.update} did.
 * @example
 * const { strategy, previousId, id, reason } = (await lb.update(spec)).lastUpdate!;
 */
export interface UpdateResult {
  /** How the load balancer was changed: in place, or replaced (see {@link UpdateStrategy}). */
  readonly strategy: UpdateStrategy;
  /** The ID before the update. */
  readonly previousId: string;
  /** The ID after it (equal to `previousId` for 'modify'). */
  readonly id: string;
  /**
   * Why modify was not used: 'feature' (the host's version lacks it or a probe turned it off),
   * 'E_NOTIMPL' (this call found out), 'not-available' (no HcnModifyLoadBalancer export),
   * 'read-back-mismatch' (HNS accepted the modify but kept other settings, kubernetes#131466).
   */
  readonly reason?: 'feature' | 'E_NOTIMPL' | 'not-available' | 'read-back-mismatch';
}

/**
 * A backend given as an IP address that no endpoint in HNS has. `field` is `backends[i]`.
 * @example
 * try { await hcn.loadBalancers.create(spec); }
 * catch (err) { if (err instanceof HcnBackendNotFoundError) console.error(`${err.field}: no endpoint with IP ${err.ip}`); }
 */
export class HcnBackendNotFoundError extends HcnNotFoundError {
  /** `backends[i]`: which backend of the spec. */
  readonly field: string;
  /** The IP address that matched no endpoint. */
  readonly ip: string;
  constructor(options: HcnErrorOptions & { field: string; ip: string }) {
    super(options);
    this.field = options.field;
    this.ip = options.ip;
  }
}

const LB_QUERY = query();

/** Inside #replace: the new load balancer was created, but neither its query nor a listing found it. */
class CreatedUnreadable {
  constructor(
    readonly queryErr: HcnError,
    readonly previousId: string,
    readonly oldDeleted: boolean,
  ) {}

  /** The caller's error: the query's class and code, saying what exists now. */
  toError(): HcnError {
    const e = this.queryErr;
    const Class = e.constructor as new (o: HcnErrorOptions) => HcnError;
    const old = this.oldDeleted
      ? `the previous load balancer ${this.previousId} was deleted first (the new one needed its frontend), so this handle is marked deleted`
      : `the previous load balancer ${this.previousId} was left in place and this handle still names it`;
    return new Class({
      code: e.code,
      operation: e.operation,
      hresult: e.hresult,
      detail: `the replacing load balancer was created, but reading it back failed and it could not be found on its frontend yet; ${old}: find the new one with loadBalancers.findByFrontend before updating again (${e.message})`,
      cause: e,
    });
  }
}

/**
 * A load balancer that exists in HNS. `info` is what HNS returned last (create, refresh or update).
 * Get one from `hcn.loadBalancers.create/get/list/findByFrontend`.
 * @example
 * await using lb = await hcn.loadBalancers.create(spec);   // deleted when the scope ends
 * console.log(lb.id, lb.info.dsr, lb.info.backendIds);
 */
export class LoadBalancerHandle {
  #engine: Engine;
  // The document HNS returned, read on first use (see internal/lb-doc.ts), or the info read from it.
  #info: LoadBalancerSource;
  #deleted = false;
  #lastUpdate: UpdateResult | undefined;
  #adopted: boolean;

  static {
    registerUpdateInTurn((handle, shape, op) => handle.#update(shape, op));
  }

  /** @internal Handles come from the client; constructing one does not touch HNS. */
  constructor(engine: Engine, info: LoadBalancerSource, adopted = false) {
    this.#engine = engine;
    this.#info = info;
    this.#adopted = adopted;
    engine.remember(info);
  }

  /**
   * Lower-case GUID of the load balancer. It changes when an update had to replace it.
   * @example
   * console.log(lb.id); // '3599612c-54b4-4b9d-9258-4fc5e2100549'
   */
  get id(): string {
    return this.#info.id;
  }

  /**
   * The load balancer as HNS last returned it (VIPs, source VIP, backend IDs, port mappings, DSR).
   * @example
   * if (!lb.info.dsr) throw new Error('expected DSR');
   */
  get info(): LoadBalancerInfo {
    const info = this.#info;
    if (info instanceof LoadBalancerDoc) return (this.#info = info.info);
    return info;
  }

  /**
   * True after `delete()` (or `await using`) removed it, or found it already gone.
   * @example
   * await lb.delete(); lb.deleted; // true
   */
  get deleted(): boolean {
    return this.#deleted;
  }

  /**
   * True when `create` found HNS already holding an identical load balancer on the same frontend
   * (ERROR_ALREADY_EXISTS after HNS rehydrated it on restart) and returned that one.
   * @example
   * const lb = await hcn.loadBalancers.create(spec);
   * if (lb.adopted) console.log('HNS already had it:', lb.id);
   */
  get adopted(): boolean {
    return this.#adopted;
  }

  /**
   * What the last `update()` did, including its {@link UpdateStrategy}; undefined before any update.
   * @example
   * await lb.update(spec);
   * console.log(lb.lastUpdate?.strategy); // 'modify' on HNS 15.5+, else a replace
   */
  get lastUpdate(): UpdateResult | undefined {
    return this.#lastUpdate;
  }

  /**
   * Reads the load balancer from HNS again. Throws HcnNotFoundError when it no longer exists.
   * @example
   * const info = await lb.refresh();
   * console.log(info.backendIds.length);
   */
  async refresh(options?: CallOptions): Promise<LoadBalancerInfo> {
    const op = this.#engine.operation('LoadBalancerHandle.refresh', options);
    try {
      const id = this.id;
      const json = await op.native('HcnQueryLoadBalancerProperties', (t) =>
        this.#engine.context().query('loadBalancer', id, LB_QUERY, t),
      );
      this.#set(parseLoadBalancer(json));
      return this.info;
    } finally {
      op.dispose();
    }
  }

  /**
   * Changes the load balancer to `spec`. With `modifyLoadBalancer` in the client's features (HNS 15.5+)
   * it is modified in place with the full HostComputeLoadBalancer document and read back; an E_NOTIMPL
   * turns modify off for this client. Otherwise it is replaced (see {@link UpdateStrategy}) and this
   * handle follows the new ID. Backends given as IPs are resolved first; the spec is validated against
   * the host's features before anything is sent. Resolves with this handle; `lastUpdate` says what ran.
   *
   * A replace gives the load balancer a NEW ID: `lb.id` follows it and `lastUpdate.previousId` keeps the
   * old one, so chained updates by ID must use `lb.id` afterwards.
   *
   * When HNS creates the replacing load balancer but the query that follows fails, it is looked up on
   * its frontend and the replace completes with it (the old one is deleted, `lastUpdate` as usual). If
   * that lookup fails too, the error (the query's class and code) says the new one was created and
   * names the previous ID: with create-then-delete the old one is left in place and this handle still
   * names it; with delete-then-create the old one is already gone and this handle is marked deleted.
   * Nothing is deleted blindly, since the new one's ID is unknown. Aborting or passing the deadline
   * between the steps of a replace can leave both the old and the new load balancer, or
   * (delete-then-create) neither; `hcn.loadBalancers.findByFrontend` tells which.
   * @example
   * const next = LoadBalancer.builder(lb.info).clearBackends().backends(['10.0.0.14']).dsr().build();
   * await lb.update(next);
   */
  async update(spec: LoadBalancerSpec, options?: CallOptions): Promise<this> {
    const engine = this.#engine;
    const op = engine.operation('LoadBalancerHandle.update', options);
    try {
      // Validated and queued before the first await, so calls on one frontend keep their call order.
      const shape = validateLoadBalancerSpec(spec);
      const release = await engine.queue.enter(
        [...frontendKeys(this.info), ...frontendKeys(shape), ...engine.keysOf(this.id)],
        op.interrupt,
      );
      try {
        await this.#update(shape, op);
        return this;
      } finally {
        release();
      }
    } finally {
      op.dispose();
    }
  }

  async #update(shape: LoadBalancerSpec, op: Operation): Promise<void> {
    const engine = this.#engine;
    const features = await engine.features(op);
    const valid = validateLoadBalancerSpec(shape, { features });
    const backendIds = await engine.resolveBackends(valid, op);
    const doc = loadBalancerToHns(valid, backendIds);
    const previousId = this.id;
    let reason: UpdateResult['reason'] = 'feature';

    if (features.supported.modifyLoadBalancer) {
      try {
        const settings = JSON.stringify({ ID: previousId, ...doc });
        const json = await op.native('HcnModifyLoadBalancer', (t) =>
          engine.context().modify('loadBalancer', previousId, settings, LB_QUERY, t),
        );
        const info = parseLoadBalancer(json === '' ? { ...doc, ID: previousId } : json);
        if (infoMatchesSpec(info, valid, backendIds, { readBack: true })) {
          this.#set(info);
          this.#lastUpdate = Object.freeze({ strategy: 'modify' as const, previousId, id: previousId });
          return;
        }
        // HNS said yes but kept something else (HNS 15.4 kept the old backends): stop trusting modify.
        reason = 'read-back-mismatch';
        engine.probe('modifyLoadBalancer', false);
      } catch (err) {
        if (err instanceof HcnNotImplementedError) reason = 'E_NOTIMPL';
        else if (err instanceof HcnNotAvailableError) reason = 'not-available';
        else throw err;
        engine.probe('modifyLoadBalancer', false);
      }
    }
    await this.#replace(doc, previousId, reason, op, valid, backendIds);
  }

  async #replace(
    doc: HostComputeLoadBalancer,
    previousId: string,
    reason: UpdateResult['reason'],
    op: Operation,
    valid: LoadBalancerSpec,
    backendIds: readonly string[],
  ): Promise<void> {
    const engine = this.#engine;
    const settings = JSON.stringify(doc);
    // HcnCreateLoadBalancer then its query: when the query fails the new load balancer exists and
    // holds its frontend. It is found there (calls on these frontends are queued behind this one) and
    // the replace goes on with it; when it cannot be found either, the error says it was created and
    // what became of the old one, instead of throwing as if nothing had happened.
    const create = async (oldDeleted: boolean): Promise<LoadBalancerInfo> => {
      try {
        return parseLoadBalancer(await op.native('HcnCreateLoadBalancer', (t) => engine.context().create('loadBalancer', null, settings, LB_QUERY, t)));
      } catch (err) {
        if (!(err instanceof HcnError) || err.operation !== 'HcnQueryLoadBalancerProperties') throw err;
        let found: LoadBalancerInfo | undefined;
        try {
          const docs = await op.native('HcnEnumerateLoadBalancers', (t) => engine.context().list('loadBalancer', LB_QUERY, LB_QUERY, t));
          found = docs.map((d) => parseLoadBalancer(d)).find((info) => info.id !== previousId && infoMatchesSpec(info, valid, backendIds));
        } catch {
          found = undefined;
        }
        if (found) return found;
        throw new CreatedUnreadable(err, previousId, oldDeleted);
      }
    };
    const old = this.info;
    let created: LoadBalancerInfo;
    try {
      created = await create(false);
    } catch (err) {
      if (err instanceof CreatedUnreadable) throw err.toError();
      // Only the old load balancer's own frontend justifies taking it down first; a third party's
      // port is the caller's problem.
      const wanted = parseLoadBalancer({ ...doc, ID: previousId });
      if (!(err instanceof HcnPortInUseError) || !frontendsOverlap(old, wanted)) throw err;
      await this.#deleteOld(previousId, op);
      try {
        created = await create(true);
      } catch (createErr) {
        if (createErr instanceof CreatedUnreadable) {
          // The new one holds the frontend: putting the old one back would collide with it.
          this.#deleted = true;
          engine.forget(previousId);
          throw createErr.toError();
        }
        await this.#restore(old, op);
        throw createErr;
      }
      this.#set(created);
      engine.forget(previousId);
      this.#lastUpdate = Object.freeze({ strategy: 'delete-then-create' as const, previousId, id: created.id, reason });
      return;
    }
    // Follow the new load balancer before deleting the old one, so a failed delete never leaves this
    // handle pointing at the stale ID.
    this.#set(created);
    this.#lastUpdate = Object.freeze({ strategy: 'create-then-delete' as const, previousId, id: created.id, reason });
    await this.#deleteOld(previousId, op);
    engine.forget(previousId);
  }

  /** Deletes the replaced load balancer; ERROR_NOT_FOUND is fine, one retry as kube-proxy does (WS2019). */
  async #deleteOld(id: string, op: Operation): Promise<void> {
    const remove = () => op.native('HcnDeleteLoadBalancer', (t) => this.#engine.context().remove('loadBalancer', id, t));
    try {
      await remove();
    } catch (err) {
      if (isLoadBalancerGone(err)) return;
      if (!(err instanceof HcnError) || err.code === 'HCN_TIMEOUT' || err.code === 'HCN_ABORTED') throw err;
      try {
        await remove();
      } catch (again) {
        if (!isLoadBalancerGone(again)) throw again;
      }
    }
  }

  /** After delete-then-create failed at the create: put the old load balancer back, best effort. */
  async #restore(old: LoadBalancerInfo, op: Operation): Promise<void> {
    const { ID: _id, ...raw } = old.raw;
    void _id;
    try {
      const json = await op.native('HcnCreateLoadBalancer', (t) =>
        this.#engine.context().create('loadBalancer', null, JSON.stringify(raw), LB_QUERY, t),
      );
      this.#engine.forget(old.id);
      this.#set(parseLoadBalancer(json));
    } catch {
      // The original error is what the caller needs; the handle keeps the old (now deleted) ID.
      this.#deleted = true;
    }
  }

  /**
   * Deletes the load balancer. Resolves true when it was deleted, false when it was already gone
   * (not found). HNS being unreachable or slow (HcnServiceUnavailableError, HcnTimeoutError) throws:
   * "could not ask" is never reported as "gone".
   * @example
   * if (!(await lb.delete())) console.log('someone else deleted it already');
   */
  async delete(options?: CallOptions): Promise<boolean> {
    const engine = this.#engine;
    const op = engine.operation('LoadBalancerHandle.delete', options);
    try {
      const release = await engine.queue.enter([...frontendKeys(this.info), ...engine.keysOf(this.id)], op.interrupt);
      try {
        const gone = await deleteLoadBalancer(engine, this.id, op);
        this.#deleted = true;
        return gone;
      } finally {
        release();
      }
    } finally {
      op.dispose();
    }
  }

  /**
   * `await using lb = ...` deletes the load balancer when the scope ends (already gone is fine).
   * @example
   * {
   *   await using lb = await hcn.loadBalancers.create(spec);
   *   await probe(lb.info.frontendVips[0]);
   * } // deleted here
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#deleted) return;
    await this.delete();
  }

  /**
   * JSON form: the {@link LoadBalancerInfo} (so `JSON.stringify(lb)` prints what HNS holds).
   * @example
   * console.log(JSON.stringify(lb, null, 2));
   */
  toJSON(): LoadBalancerInfo {
    return this.info;
  }

  /**
   * What `console.log(lb)` and `util.inspect(lb)` show: the load balancer as last read back (its
   * fields are private, so without this a handle prints as an empty object).
   * @example
   * console.log(lb); // LoadBalancerHandle { id: '…', frontendVips: [ '13.0.0.13' ], … }
   */
  [inspect.custom](_depth: number, options: InspectOptionsStylized, nested: typeof inspect): string {
    // Everything but `raw` (the HNS document), which `toJSON()` and `info.raw` still give.
    const { id, frontendVips, sourceVip, backendIds, ports, dsr, ipv6, flags } = this.info;
    const shown = { id, frontendVips, sourceVip, backendIds, ports, dsr, ipv6, flags, ...(this.#deleted ? { deleted: true } : {}) };
    return `LoadBalancerHandle ${nested(shown, { ...options, depth: options.depth === null ? null : Math.max(0, (options.depth ?? 2) - 1) })}`;
  }

  #set(info: LoadBalancerInfo): void {
    this.#info = info;
    this.#deleted = false;
    this.#engine.remember(info);
  }
}
