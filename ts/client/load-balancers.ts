// hcn.loadBalancers: create (validated against the host's features, backends resolved, serialised
// per frontend, rehydrated duplicates adopted), get, list and find by frontend, update and delete.
import { HcnAlreadyExistsError, HcnError, HcnNotFoundError, HcnValidationError, type HcnErrorOptions } from '../errors';
import { validateLoadBalancerSpec } from '../builders/load-balancer-builder';
import { canonicalIp, parseIp } from '../net/ip';
import { parseLoadBalancer, protocolNumber, serializeLoadBalancer } from '../schema/load-balancer-json';
import type { LoadBalancerInfo, LoadBalancerSpec, Protocol } from '../schema/models';
import { LoadBalancerHandle, type HcnBackendNotFoundError } from '../load-balancer-handle';
import { deleteLoadBalancer } from '../internal/lb-delete';
import { runUpdateInTurn } from '../internal/handle-access';
import { LoadBalancerDoc, type LoadBalancerSource } from '../internal/lb-doc';
import { frontendKeys, infoMatchesSpec } from '../internal/lb-match';
import type { CallOptions, Operation } from '../internal/operation';
import { givenBackendIds, pickBackendIds } from '../internal/backend-resolve';
import { ClientCore, Q, checkGuid } from './core';

/**
 * A load balancer frontend: VIP, protocol and external port.
 * @example
 * const lb = await hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'tcp', port: 8000 });
 */
export interface Frontend {
  /** The frontend VIP (IPv4 or IPv6; compared in canonical form). */
  vip: string;
  /** The port mapping's protocol. */
  protocol: Protocol;
  /** The external (frontend) port, 1–65535. */
  port: number;
}

/**
 * Filter of `loadBalancers.list` (all given parts must match; protocol and port within one mapping).
 * @example
 * const handles = await hcn.loadBalancers.list({ vip: '13.0.0.13' });
 */
export interface LoadBalancerFilter extends CallOptions {
  /** Load balancers with this frontend VIP (any of their VIPs; compared in canonical form). */
  vip?: string | undefined;
  /** Load balancers with a port mapping of this protocol. */
  protocol?: Protocol | undefined;
  /** External (frontend) port. */
  port?: number | undefined;
}

/**
 * `hcn.loadBalancers`.
 * @example
 * const lb = await hcn.loadBalancers.create(spec);
 */
export interface LoadBalancersApi {
  /**
   * Creates a load balancer. The spec is validated against the host's features first (nothing
   * known-invalid reaches HNS); backends given as IPs are resolved to endpoint IDs within one network,
   * as kube-proxy does: the spec's `network` (ID or name) when given, else the network of the other
   * backends; an IP on several networks that neither settles is refused (HcnValidationError, rule
   * `ambiguous`); an unknown network throws HcnNotFoundError naming `network`; an unknown IP throws
   * {@link HcnBackendNotFoundError} naming `backends[i]`. When HNS answers ERROR_ALREADY_EXISTS
   * (it rehydrated the load balancer after a restart) an identical load balancer on the same frontend
   * is adopted (`handle.adopted`); otherwise the error is thrown.
   * @example
   * const spec = LoadBalancer.builder().frontend('13.0.0.13').sourceVip('10.231.111.97')
   *   .backends(['10.0.0.14', '10.0.0.15']).port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build();
   * await using lb = await hcn.loadBalancers.create(spec);
   */
  create(spec: LoadBalancerSpec, options?: CallOptions): Promise<LoadBalancerHandle>;
  /**
   * One load balancer by ID; HcnNotFoundError when it does not exist.
   * @example
   * const lb = await hcn.loadBalancers.get(id);
   */
  get(id: string, options?: CallOptions): Promise<LoadBalancerHandle>;
  /**
   * Every load balancer (one native hop), optionally filtered by frontend.
   * @example
   * const onVip = await hcn.loadBalancers.list({ vip: '13.0.0.13', protocol: 'tcp' });
   */
  list(filter?: LoadBalancerFilter): Promise<LoadBalancerHandle[]>;
  /**
   * The load balancer serving (VIP, protocol, external port), or undefined.
   * @example
   * const existing = await hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'tcp', port: 8000 });
   */
  findByFrontend(frontend: Frontend, options?: CallOptions): Promise<LoadBalancerHandle | undefined>;
  /**
   * Updates a load balancer by ID (see {@link LoadBalancerHandle.update}); resolves with its handle,
   * whose `id` is the new ID when it had to be replaced (HNS before 15.5 cannot modify in place);
   * `lastUpdate.previousId` is the ID given here. Chain later updates on the returned `id`.
   * @example
   * const lb = await hcn.loadBalancers.update(id, spec);
   * console.log(lb.lastUpdate?.strategy);
   */
  update(id: string, spec: LoadBalancerSpec, options?: CallOptions): Promise<LoadBalancerHandle>;
  /**
   * Deletes a load balancer by ID: true = deleted, false = it was already gone. An unreachable or
   * slow HNS throws (never reported as gone).
   * @example
   * const deleted = await hcn.loadBalancers.delete(id);
   */
  delete(id: string, options?: CallOptions): Promise<boolean>;
}

function matchesFilter(info: LoadBalancerInfo, filter: { vip?: string | undefined; protocol?: Protocol | undefined; port?: number | undefined }): boolean {
  if (filter.vip !== undefined) {
    const vip = canonicalIp(filter.vip) ?? filter.vip;
    if (!info.frontendVips.some((v) => (canonicalIp(v) ?? v) === vip)) return false;
  }
  if (filter.protocol === undefined && filter.port === undefined) return true;
  return info.ports.some(
    (p) => (filter.protocol === undefined || p.protocol === filter.protocol) && (filter.port === undefined || p.external === filter.port),
  );
}

function checkFrontendFilter(
  filter: { vip?: string | undefined; protocol?: Protocol | undefined; port?: number | undefined },
  operation: string,
  required = false,
): { vip?: string; protocol?: Protocol; port?: number } {
  const issues: { field: string; rule: string; message: string; value: unknown }[] = [];
  const out: { vip?: string; protocol?: Protocol; port?: number } = {};
  if (filter.vip !== undefined || required) {
    const ip = typeof filter.vip === 'string' ? parseIp(filter.vip) : null;
    if (ip) out.vip = ip.address;
    else issues.push({ field: 'vip', rule: filter.vip === undefined ? 'required' : 'ip', message: 'must be an IP address', value: filter.vip });
  }
  if (filter.protocol !== undefined || required) {
    const p = filter.protocol;
    let known = false;
    try {
      known = typeof p === 'string' && protocolNumber(p) >= 0;
    } catch {
      known = false;
    }
    if (known) out.protocol = p!;
    else issues.push({ field: 'protocol', rule: p === undefined ? 'required' : 'protocol', message: 'must be tcp, udp, sctp or any', value: p });
  }
  if (filter.port !== undefined || required) {
    const port = filter.port;
    if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) out.port = port;
    else issues.push({ field: 'port', rule: port === undefined ? 'required' : 'range', message: 'must be an integer from 1 to 65535', value: port });
  }
  if (issues.length > 0) throw new HcnValidationError({ operation, issues });
  return out;
}

/**
 * Endpoint IDs of the spec's backends; IPs are looked up in HNS within one network (see
 * pickBackendIds): the spec's `network` when it names one, else the network of the other backends.
 */
export async function resolveBackends(core: ClientCore, spec: LoadBalancerSpec, op: Operation): Promise<string[]> {
  const given = givenBackendIds(spec);
  if (given) return given;
  const network = spec.network === undefined ? undefined : { id: (await core.resolveNetwork(spec.network, op, 'network')).id, ref: spec.network };
  const all = await core.listEndpoints(op, undefined);
  return pickBackendIds(spec, all, op.name, network);
}

/** Builds `hcn.loadBalancers` over the client's core. */
export function loadBalancersApi(core: ClientCore): LoadBalancersApi {
  const handle = (info: LoadBalancerSource, adopted = false): LoadBalancerHandle => new LoadBalancerHandle(core.engine, info, adopted);
  // Each document is read on first use (JSON and ID now): a listing of thousands parses only what is asked for.
  const listAll = async (op: Operation): Promise<LoadBalancerDoc[]> => {
    const seen = core.startLoadBalancerListing();
    const texts = await op.native('HcnEnumerateLoadBalancers', (t) => core.context('HcnEnumerateLoadBalancers').list('loadBalancer', Q, Q, t));
    const docs = texts.map((d) => new LoadBalancerDoc(d));
    // A full listing: what the client remembered about IDs that are gone now is dropped.
    seen(docs.map((doc) => doc.id));
    return docs;
  };
  const readBackCreated = async (op: Operation, valid: LoadBalancerSpec, backendIds: string[], queryErr: HcnError): Promise<LoadBalancerInfo> => {
    let found: LoadBalancerInfo | undefined;
    try {
      found = (await listAll(op)).find((doc) => infoMatchesSpec(doc.info, valid, backendIds))?.info;
    } catch {
      found = undefined;
    }
    if (found) return found;
    const Class = queryErr.constructor as new (o: HcnErrorOptions) => HcnError;
    throw new Class({
      code: queryErr.code,
      operation: queryErr.operation,
      hresult: queryErr.hresult,
      detail: `the load balancer was created, but reading it back failed and it could not be found on its frontend yet: find it with loadBalancers.findByFrontend before creating it again (${queryErr.message})`,
      cause: queryErr,
    });
  };
  return {
    create: async (spec, options) => {
      const op = core.operation('loadBalancers.create', options);
      try {
        // Validated and queued before the first await: same-frontend calls keep call order. With
        // the features already read (the usual case) one validation does both checks, and an
        // uncontended frontend is entered without a promise or a deadline timer.
        const known = core.cachedFeatures;
        const shape = validateLoadBalancerSpec(spec, known && { features: known });
        const keys = frontendKeys(shape);
        const entered = core.queue.enterNow(keys, () => op.interrupt);
        const release = typeof entered === 'function' ? entered : await entered;
        try {
          const valid = known ? shape : validateLoadBalancerSpec(shape, { features: await core.loadFeatures(op) });
          // IDs only (the usual case): no await for a lookup that has nothing to do.
          const backendIds = givenBackendIds(valid) ?? (await resolveBackends(core, valid, op));
          const settings = serializeLoadBalancer(valid, backendIds);
          try {
            const json = await op.native('HcnCreateLoadBalancer', (t) => core.context('HcnCreateLoadBalancer').create('loadBalancer', null, settings, Q, t));
            // Read on first use: the caller often needs only the ID (issue 8). Its frontend keys
            // are the ones this create was queued under.
            return handle(new LoadBalancerDoc(json, keys));
          } catch (err) {
            // Created, but the follow-up query failed: it exists and holds its frontend. Find it there
            // (calls on this frontend are serialised here, and HNS allows one holder) instead of
            // throwing without an ID and orphaning it.
            if (err instanceof HcnError && err.operation === 'HcnQueryLoadBalancerProperties') return handle(await readBackCreated(op, valid, backendIds, err));
            if (!(err instanceof HcnAlreadyExistsError)) throw err;
            // HNS rehydrated it after a restart (kubernetes#139519): adopt an identical one on this frontend.
            const same = (await listAll(op)).find((doc) => infoMatchesSpec(doc.info, valid, backendIds));
            if (!same) throw err;
            return handle(same, true);
          }
        } finally {
          release();
        }
      } finally {
        op.dispose();
      }
    },
    get: (id, options) =>
      core.run('loadBalancers.get', options, async (op) => {
        const gid = checkGuid(id, op.name);
        let json: string;
        try {
          json = await op.native('HcnQueryLoadBalancerProperties', (t) => core.context('HcnQueryLoadBalancerProperties').query('loadBalancer', gid, Q, t));
        } catch (err) {
          if (err instanceof HcnNotFoundError) core.engine.forget(gid); // gone: its frontend keys too
          throw err;
        }
        return handle(parseLoadBalancer(json));
      }),
    list: (filter = {}) =>
      core.run('loadBalancers.list', filter, async (op) => {
        const f = checkFrontendFilter(filter, op.name);
        const docs = await listAll(op);
        const all = f.vip === undefined && f.protocol === undefined && f.port === undefined;
        return (all ? docs : docs.filter((doc) => matchesFilter(doc.info, f))).map((doc) => handle(doc));
      }),
    findByFrontend: (frontend, options) =>
      core.run('loadBalancers.findByFrontend', options, async (op) => {
        const f = checkFrontendFilter(frontend ?? {}, op.name, true);
        const found = (await listAll(op)).find((doc) => matchesFilter(doc.info, f));
        return found && handle(found);
      }),
    update: async (id, spec, options) => {
      const op = core.operation('loadBalancers.update', options);
      try {
        const gid = checkGuid(id, op.name);
        // Queued before the first await (see create); the old frontend is known when this client saw the ID.
        const shape = validateLoadBalancerSpec(spec);
        const release = await core.queue.enter([...core.engine.keysOf(gid), ...frontendKeys(shape)], op.interrupt);
        try {
          const json = await op.native('HcnQueryLoadBalancerProperties', (t) => core.context('HcnQueryLoadBalancerProperties').query('loadBalancer', gid, Q, t));
          const h = handle(parseLoadBalancer(json));
          await runUpdateInTurn(h, shape, op);
          return h;
        } finally {
          release();
        }
      } finally {
        op.dispose();
      }
    },
    delete: async (id, options) => {
      const op = core.operation('loadBalancers.delete', options);
      try {
        const gid = checkGuid(id, op.name);
        const entered = core.queue.enterNow(core.engine.keysOf(gid), () => op.interrupt);
        const release = typeof entered === 'function' ? entered : await entered;
        try {
          return await deleteLoadBalancer(core.engine, gid, op);
        } finally {
          release();
        }
      } finally {
        op.dispose();
      }
    },
  };
}
