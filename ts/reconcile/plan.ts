// planLoadBalancers(): one listing of HNS compared with the desired load balancers, matched by frontend
// (VIP, protocol, external port) and compared in full (every VIP, flag, mapping and backend ID; never
// counts, kubernetes#113524). Backends given as IPs are resolved against one endpoint listing.
import { HcnNetworkNotFoundError, HcnValidationError, networkNotFoundError } from '../errors';
import { normalizeGuid } from '../schema/guid';
import { givenBackendIds, pickBackendIds } from '../internal/backend-resolve';
import { HcnBackendNotFoundError } from '../load-balancer-handle';
import type { Hcn } from '../client';
import { sameLoadBalancerSpec, validateLoadBalancerSpec } from '../builders/load-balancer-builder';
import { frontendKeys, infoMatchesSpec } from '../internal/lb-match';
import { loadBalancerToHns, parseLoadBalancer } from '../schema/load-balancer-json';
import type { LoadBalancerInfo, LoadBalancerSpec } from '../schema/models';
import { ownership } from './scope';
import type {
  PlanConflict,
  PlanCreate,
  PlanDelete,
  PlanKeep,
  PlanLeftAlone,
  PlanOptions,
  PlanUpdate,
  ReconcilePlan,
  SpecField,
} from './types';

const OPERATION = 'planLoadBalancers';
const FIELDS: readonly SpecField[] = ['frontendVips', 'sourceVip', 'backends', 'ports', 'dsr', 'ipv6'];

/** One desired spec on its way through the plan. */
interface Want {
  index: number;
  shape: LoadBalancerSpec;
  keys: string[];
  /** Has a conflict of its own: it claims its frontends (nothing there is deleted) but gets no action. */
  blocked: boolean;
  spec?: LoadBalancerSpec;
  backendIds?: string[];
  match?: LoadBalancerInfo;
  equal?: boolean;
}

/** The spec with its backends as endpoint IDs, so apply sends it without listing endpoints again. */
function withBackendIds(spec: LoadBalancerSpec, ids: readonly string[]): LoadBalancerSpec {
  if (spec.backends.every((b) => b.kind === 'id')) return spec;
  return validateLoadBalancerSpec({
    frontendVips: spec.frontendVips,
    sourceVip: spec.sourceVip,
    backends: ids.map((id) => ({ kind: 'id', id })),
    ports: spec.ports,
    dsr: spec.dsr,
    ipv6: spec.ipv6,
  });
}

/** Which fields of `info` differ from the spec: each field of the desired document swapped for the live one, compared by infoMatchesSpec. */
function differences(info: LoadBalancerInfo, spec: LoadBalancerSpec, backendIds: readonly string[]): SpecField[] {
  const wanted = parseLoadBalancer({ ...loadBalancerToHns(spec, backendIds), ID: info.id });
  const out: SpecField[] = [];
  for (const f of FIELDS) {
    const probe: LoadBalancerInfo =
      f === 'backends' ? { ...wanted, backendIds: info.backendIds } : ({ ...wanted, [f]: info[f] } as LoadBalancerInfo);
    if (!infoMatchesSpec(probe, spec, backendIds)) out.push(f);
  }
  return out;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((k) => s.has(k));
}

/**
 * Compares the desired load balancers with what HNS holds, in one listing, and says what to create,
 * update, delete and keep. Nothing is changed in HNS.
 *
 * Each desired spec is identified by its frontends (every VIP × (protocol, external port); no VIP = all
 * node IPs, its own identity). A live load balancer on those frontends that equals the spec is kept;
 * otherwise one the scope owns is updated (same frontends preferred); other live load balancers on
 * the desired frontends are stale duplicates, deleted when owned. Live load balancers on no desired
 * frontend are deleted only when the scope owns them; the rest are `leftAlone`. The default scope
 * `'desired-frontends-only'` owns only what sits on a desired frontend, so it never deletes anything
 * else. Per-item problems (invalid spec, a feature the host lacks, an unknown backend IP, two desired
 * specs on one frontend, a frontend held by a load balancer outside the scope, a `network` HNS does
 * not have) become `conflicts`
 * and leave the live load balancers on that frontend as they are; they never fail the whole plan.
 * @example
 * const plan = await planLoadBalancers(hcn, desired, { scope: { vips: ['10.96.0.0/12'] } });
 * console.log(plan.summary);
 * for (const u of plan.update) console.log(u.id, u.reason);
 */
export async function planLoadBalancers(hcn: Hcn, desired: readonly LoadBalancerSpec[], options: PlanOptions = {}): Promise<ReconcilePlan> {
  if (!Array.isArray(desired)) throw new TypeError(`${OPERATION}: desired must be an array of load balancer specs`);
  const scopeOwns = ownership(options.scope, OPERATION);
  // Asked once per live load balancer: a caller's predicate may be costly.
  const owned = new Map<LoadBalancerInfo, boolean>();
  const owns = (info: LoadBalancerInfo, onDesired: boolean): boolean => {
    let yes = owned.get(info);
    if (yes === undefined) owned.set(info, (yes = scopeOwns(info, onDesired)));
    return yes;
  };
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  // Shapes first (no HNS needed): they say whether any backend is given as an IP, and then the
  // endpoint listing runs alongside the load-balancer listing instead of after it.
  const shapes = desired.map((raw): LoadBalancerSpec | HcnValidationError => {
    try {
      return validateLoadBalancerSpec(raw);
    } catch (err) {
      if (!(err instanceof HcnValidationError)) throw err;
      return err;
    }
  });
  const ipShapes = shapes.filter((s): s is LoadBalancerSpec => !(s instanceof HcnValidationError) && s.backends.some((b) => b.kind === 'ip'));
  const [handles, features, endpoints, networks] = await Promise.all([
    hcn.loadBalancers.list(call),
    hcn.features(call),
    ipShapes.length > 0 ? hcn.endpoints.list(call) : undefined,
    ipShapes.some((s) => s.network !== undefined) ? hcn.networks.list(call) : undefined,
  ]);
  const live = handles.map((h) => h.info);

  const conflicts: PlanConflict[] = [];
  const wants: Want[] = [];
  const wantOfKey = new Map<string, Want>();
  shapes.forEach((shape, index) => {
    if (shape instanceof HcnValidationError) {
      conflicts.push({ kind: 'invalid', index, message: `desired[${index}]: ${shape.message}`, liveIds: [], error: shape });
      return;
    }
    const keys = frontendKeys(shape);
    const clash = keys.find((k) => wantOfKey.has(k));
    if (clash !== undefined) {
      const other = wantOfKey.get(clash)!;
      const duplicate = sameLoadBalancerSpec(other.shape, shape);
      conflicts.push({
        kind: duplicate ? 'desired-duplicate' : 'desired-overlap',
        index,
        other: other.index,
        frontend: clash,
        liveIds: [],
        message: duplicate
          ? `desired[${index}] repeats desired[${other.index}]`
          : `desired[${index}] shares frontend ${clash} with desired[${other.index}], which wins`,
      });
      return;
    }
    const want: Want = { index, shape, keys, blocked: false };
    for (const k of keys) wantOfKey.set(k, want);
    wants.push(want);
    try {
      validateLoadBalancerSpec(shape, { features });
    } catch (err) {
      if (!(err instanceof HcnValidationError)) throw err;
      want.blocked = true;
      conflicts.push({ kind: 'invalid', index, message: `desired[${index}]: ${err.message}`, liveIds: [], error: err });
    }
  });

  // Backends given as IPs: one endpoint listing for the whole plan (made above, in parallel with
  // the load balancers), not one per load balancer; resolved within one network as the client does.
  for (const w of wants) {
    if (w.blocked) continue;
    let ids: string[];
    try {
      const given = givenBackendIds(w.shape);
      if (given) ids = given;
      else {
        const ref = w.shape.network;
        let network: { id: string; ref: string } | undefined;
        if (ref !== undefined) {
          // As the client resolves it: a GUID is an ID (any case), anything else a name.
          const id = normalizeGuid(ref);
          const net = id !== null ? networks!.find((n) => n.id === id) : networks!.find((n) => n.name === ref);
          if (!net) throw networkNotFoundError(OPERATION, 'network', ref);
          network = { id: net.id, ref };
        }
        ids = pickBackendIds(w.shape, endpoints!, OPERATION, network);
      }
    } catch (err) {
      w.blocked = true;
      if (err instanceof HcnNetworkNotFoundError) {
        conflicts.push({
          kind: 'network-not-found',
          index: w.index,
          field: err.field,
          liveIds: [],
          message: `desired[${w.index}]: no network in HNS has the ID or name ${JSON.stringify(err.network)} (${err.field})`,
          error: err,
        });
        continue;
      }
      if (err instanceof HcnBackendNotFoundError) {
        conflicts.push({
          kind: 'backend-not-found',
          index: w.index,
          field: err.field,
          ip: err.ip,
          liveIds: [],
          message: `desired[${w.index}]: no endpoint ${w.shape.network === undefined ? 'in HNS' : `of network ${JSON.stringify(w.shape.network)}`} has ${err.field} ${err.ip}`,
        });
        continue;
      }
      if (!(err instanceof HcnValidationError)) throw err;
      conflicts.push({ kind: 'invalid', index: w.index, message: `desired[${w.index}]: ${err.message}`, liveIds: [], error: err });
      continue;
    }
    w.backendIds = ids;
    w.spec = withBackendIds(w.shape, ids);
  }

  const keysOf = new Map<LoadBalancerInfo, string[]>();
  const liveOfKey = new Map<string, LoadBalancerInfo[]>();
  for (const info of live) {
    const keys = frontendKeys(info);
    keysOf.set(info, keys);
    for (const k of keys) {
      const list = liveOfKey.get(k);
      if (list) list.push(info);
      else liveOfKey.set(k, [info]);
    }
  }
  const candidatesOf = (w: Want): LoadBalancerInfo[] => {
    const seen = new Set<LoadBalancerInfo>();
    for (const k of w.keys) for (const info of liveOfKey.get(k) ?? []) seen.add(info);
    return [...seen];
  };
  const candidates = new Map<Want, LoadBalancerInfo[]>(wants.map((w) => [w, candidatesOf(w)]));

  // Live load balancers on the frontends of a conflicted desired spec stay as they are.
  const held = new Set<LoadBalancerInfo>();
  for (const w of wants) if (w.blocked) for (const info of candidates.get(w)!) held.add(info);
  const claimed = new Set<LoadBalancerInfo>();
  const active = wants.filter((w) => !w.blocked);
  const claim = (w: Want, pick: (info: LoadBalancerInfo) => boolean, equal: boolean): void => {
    if (w.match) return;
    const found = candidates.get(w)!.find((info) => !claimed.has(info) && !held.has(info) && pick(info));
    if (!found) return;
    w.match = found;
    w.equal = equal;
    claimed.add(found);
  };
  // Equal ones first (kept whatever the scope: adopting changes nothing), then owned ones on exactly
  // the same frontends, then owned ones that share some.
  for (const w of active) claim(w, (info) => infoMatchesSpec(info, w.spec!, w.backendIds!), true);
  for (const w of active) claim(w, (info) => owns(info, true) && sameKeys(keysOf.get(info)!, w.keys), false);
  for (const w of active) claim(w, (info) => owns(info, true), false);

  const deletes: PlanDelete[] = [];
  const leftAlone: PlanLeftAlone[] = [];
  const deleting = new Set<LoadBalancerInfo>();
  for (const info of live) {
    if (claimed.has(info) || held.has(info)) continue;
    const onDesired = keysOf.get(info)!.some((k) => wantOfKey.has(k));
    if (owns(info, onDesired)) {
      deletes.push({ id: info.id, info, reason: onDesired ? 'duplicate' : 'not-desired' });
      deleting.add(info);
    } else {
      leftAlone.push({ id: info.id, info, reason: 'out-of-scope', onDesiredFrontend: onDesired });
    }
  }
  for (const w of wants) {
    if (!w.blocked) continue;
    const ids = candidates.get(w)!.map((i) => i.id);
    const c = conflicts.find((x) => x.index === w.index && x.liveIds.length === 0);
    if (c && ids.length > 0) conflicts[conflicts.indexOf(c)] = { ...c, liveIds: ids };
  }

  const keep: PlanKeep[] = [];
  const update: PlanUpdate[] = [];
  const create: PlanCreate[] = [];
  const updating = new Set(active.filter((w) => w.match && !w.equal).map((w) => w.match!));
  // Every other live load balancer on a want's frontends must be deleted or moved off them first; one
  // that stays (outside the scope, or an update that cannot run) holds the frontend. Repeated until
  // stable, since a held update frees nothing for the wants that waited on it.
  const heldBy = new Map<Want, LoadBalancerInfo[]>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of active) {
      if ((w.match && w.equal) || heldBy.has(w)) continue;
      const stuck = candidates.get(w)!.filter((info) => info !== w.match && !deleting.has(info) && !updating.has(info));
      if (stuck.length === 0) continue;
      heldBy.set(w, stuck);
      if (w.match) updating.delete(w.match);
      changed = true;
    }
  }
  for (const w of active) {
    if (w.match && w.equal) {
      keep.push({ index: w.index, id: w.match.id, info: w.match });
      continue;
    }
    const stuck = heldBy.get(w);
    if (stuck) {
      conflicts.push({
        kind: 'frontend-held',
        index: w.index,
        frontend: w.keys.find((k) => stuck.some((info) => keysOf.get(info)!.includes(k))),
        liveIds: candidates.get(w)!.map((i) => i.id),
        message: `desired[${w.index}]: ${stuck.map((i) => i.id).join(', ')} holds its frontend and stays (outside the scope or itself held)`,
      });
      continue;
    }
    const after = candidates.get(w)!.filter((info) => info !== w.match).map((i) => i.id);
    if (w.match) {
      const diff = differences(w.match, w.spec!, w.backendIds!);
      update.push({
        index: w.index,
        id: w.match.id,
        info: w.match,
        spec: w.spec!,
        desired: w.shape,
        differences: diff,
        reason: `differs in ${diff.join(', ')}`,
        frontends: w.keys,
        after,
      });
    } else {
      create.push({ index: w.index, spec: w.spec!, desired: w.shape, frontends: w.keys, after });
    }
  }
  conflicts.sort((a, b) => a.index - b.index);

  return Object.freeze({
    create: Object.freeze(create),
    update: Object.freeze(update),
    delete: Object.freeze(deletes),
    keep: Object.freeze(keep),
    leftAlone: Object.freeze(leftAlone),
    conflicts: Object.freeze(conflicts),
    summary: Object.freeze({
      create: create.length,
      update: update.length,
      delete: deletes.length,
      keep: keep.length,
      leftAlone: leftAlone.length,
      conflicts: conflicts.length,
      live: live.length,
    }),
  });
}
