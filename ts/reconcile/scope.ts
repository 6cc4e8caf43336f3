// Ownership for a reconcile: turns a ReconcileScope into "may this plan update or delete that live
// load balancer?". HNS load balancers carry no owner (user-pain §6.4), so this is the only guard
// between a reconciler and someone else's load balancers.
import { HcnValidationError, type ValidationIssue } from '../errors';
import { canonicalIp, ipInPrefix, parsePrefix } from '../net/ip';
import { normalizeGuid } from '../schema/guid';
import type { LoadBalancerInfo } from '../schema/models';
import type { ReconcileScope } from './types';

/** `onDesired` = the load balancer shares a frontend key with a desired spec. */
export type OwnsFn = (info: LoadBalancerInfo, onDesired: boolean) => boolean;

/** Checks `scope` and returns its ownership test; a malformed scope throws HcnValidationError naming the field. */
export function ownership(scope: ReconcileScope | undefined, operation: string): OwnsFn {
  if (scope === undefined || scope === 'desired-frontends-only') return (_info, onDesired) => onDesired;
  if (typeof scope === 'function') {
    return (info) => {
      const owned: unknown = scope(info);
      if (typeof owned !== 'boolean') throw new TypeError(`${operation}: scope(info) must return a boolean (got ${typeof owned} for ${info.id})`);
      return owned;
    };
  }
  if (typeof scope !== 'object' || scope === null) {
    throw new HcnValidationError({
      operation,
      issues: [{ field: 'scope', rule: 'type', message: "must be 'desired-frontends-only', a function or { vips, ids }", value: scope }],
    });
  }
  const issues: ValidationIssue[] = [];
  const addresses = new Set<string>();
  const prefixes: string[] = [];
  const vips = scope.vips ?? [];
  if (!Array.isArray(vips)) issues.push({ field: 'scope.vips', rule: 'type', message: 'must be an array of addresses or prefixes', value: vips });
  else {
    vips.forEach((v: unknown, i) => {
      const text = typeof v === 'string' ? v : '';
      const ip = canonicalIp(text);
      if (ip !== null) addresses.add(ip);
      else if (parsePrefix(text) !== null) prefixes.push(text);
      else issues.push({ field: `scope.vips[${i}]`, rule: 'ip', message: 'must be an IP address or a prefix like 10.96.0.0/12', value: v });
    });
  }
  const ids = new Set<string>();
  let i = 0;
  for (const id of scope.ids ?? []) {
    const g = normalizeGuid(id);
    if (g === null) issues.push({ field: `scope.ids[${i}]`, rule: 'guid', message: 'must be a load balancer GUID', value: id });
    else ids.add(g);
    i++;
  }
  if (issues.length > 0) throw new HcnValidationError({ operation, issues });
  const vipOwned = (vip: string): boolean => addresses.has(vip) || prefixes.some((p) => ipInPrefix(vip, p));
  return (info) => ids.has(info.id) || (info.frontendVips.length > 0 && info.frontendVips.every((v) => vipOwned(canonicalIp(v) ?? v)));
}
