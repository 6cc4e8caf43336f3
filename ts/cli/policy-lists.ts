// Reads HNS v1 policy lists (`GET /policylists/`) — the view `Get-HnsPolicyList` and the DSR
// walkthrough check ("IsDSR on every policy") use — and matches them to v2 load balancers.
import type { LoadBalancerInfo, Protocol } from '../schema/models';
import { ProtocolNumbers } from '../schema/enums';
import { parseIp } from '../net/ip';

/** One ELB policy of a v1 policy list, as far as DSR verification needs it. */
export interface ElbPolicyView {
  isDsr: boolean;
  vips: string[];
  protocol: number | undefined;
  internalPort: number | undefined;
  externalPort: number | undefined;
}

/** A v1 policy list with its ELB policies. */
export interface PolicyListView {
  id: string;
  elb: ElbPolicyView[];
}

function canonical(ip: unknown): string | undefined {
  if (typeof ip !== 'string') return undefined;
  return parseIp(ip)?.address ?? ip;
}

function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Parses the `GET /policylists/` response: the v1 envelope `{"Success":true,"Output":[...]}` (or a
 * bare array). Throws an Error with the HNS message when `Success` is false.
 */
export function parsePolicyLists(json: string): PolicyListView[] {
  const doc: unknown = JSON.parse(json);
  let items: unknown;
  if (Array.isArray(doc)) items = doc;
  else if (doc && typeof doc === 'object') {
    const env = doc as Record<string, unknown>;
    if (env.Success === false) throw new Error(`GET /policylists/ failed: ${typeof env.Error === 'string' ? env.Error.trim() : 'HNS said Success:false'}`);
    items = env.Output ?? [];
  }
  if (!Array.isArray(items)) throw new Error('GET /policylists/: Output is not an array');
  const out: PolicyListView[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const policies = Array.isArray(o.Policies) ? o.Policies : [];
    const elb: ElbPolicyView[] = [];
    for (const p of policies) {
      const pol = (typeof p === 'string' ? safeParse(p) : p) as Record<string, unknown> | undefined;
      if (!pol || typeof pol !== 'object' || String(pol.Type).toUpperCase() !== 'ELB') continue;
      elb.push({
        isDsr: pol.IsDSR === true,
        vips: Array.isArray(pol.VIPs) ? (pol.VIPs.map(canonical).filter((v) => v !== undefined) as string[]) : [],
        protocol: asNumber(pol.Protocol),
        internalPort: asNumber(pol.InternalPort),
        externalPort: asNumber(pol.ExternalPort),
      });
    }
    out.push({ id: typeof o.ID === 'string' ? o.ID.toLowerCase() : '', elb });
  }
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const protocolNumber = (p: Protocol): number => ProtocolNumbers[p];

function sameFrontend(lb: LoadBalancerInfo, e: ElbPolicyView): boolean {
  const vipsMatch = e.vips.length === lb.frontendVips.length && e.vips.every((v) => lb.frontendVips.includes(v));
  return (
    vipsMatch &&
    lb.ports.some(
      (p) =>
        (e.externalPort === undefined || e.externalPort === p.external) &&
        (e.internalPort === undefined || e.internalPort === p.internal) &&
        (e.protocol === undefined || e.protocol === protocolNumber(p.protocol)),
    )
  );
}

/**
 * IsDSR of `lb` as the v1 view shows it: the policy list with the same ID (else the ELB policies with
 * the same VIPs and ports). True only when every matching ELB policy has IsDSR; null when the v1 view
 * has no policy for this load balancer.
 */
export function v1IsDsr(lb: LoadBalancerInfo, lists: readonly PolicyListView[]): boolean | null {
  const byId = lists.find((l) => l.id === lb.id.toLowerCase() && l.elb.length > 0);
  const policies = byId ? byId.elb : lists.flatMap((l) => l.elb.filter((e) => sameFrontend(lb, e)));
  if (policies.length === 0) return null;
  return policies.every((p) => p.isDsr);
}
