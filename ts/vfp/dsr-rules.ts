// The VFP rules a DSR load balancer should program on each local pod port (layer LB_DSR, group
// LB_DSR_IPv4_OUT / LB_DSR_IPv6_OUT), named LB_DSR_<id>_<mgmtIP>_<VIP>_<ext>_<int>_<proto> as
// Microsoft's SDN scripts match them, and the check of a listing against them: name, type, VIP, ports,
// protocol and the DIP set, not only the name.
import { HcnArgumentError } from '../errors';
import { canonicalIp, ipFamily } from '../net/ip';
import { ProtocolNumbers } from '../schema/enums';
import type { LoadBalancerInfo, LoadBalancerSpec } from '../schema/models';
import type { VfpRule } from './model';
import { parseVfpJson, parseVfpRules } from './parse';

/**
 * The layer that holds the DSR rules of a local pod port.
 * @example
 * `vfpctrl /list-rule /port ${portGuid} /layer ${VFP_DSR_LAYER}`;
 */
export const VFP_DSR_LAYER = 'LB_DSR';

/**
 * What stands for the `<id>` part of a rule name in the patterns {@link expectedDsrRuleNames}
 * returns. HNS derives that part from its own allocator state (the walkthrough shows `E5B0F`); it
 * cannot be computed from the load balancer, so it matches any run of letters, digits and `_`.
 * @example
 * expectedDsrRuleNames(lb, '10.231.111.97')[0]!.includes(VFP_RULE_ID_WILDCARD); // true
 */
export const VFP_RULE_ID_WILDCARD = '*';

function checkManagementIp(managementIp: string, operation: string): string {
  const ip = typeof managementIp === 'string' ? canonicalIp(managementIp) : null;
  if (ip === null) throw new HcnArgumentError(operation, `managementIp must be an IPv4 or IPv6 address (got ${JSON.stringify(managementIp)})`);
  return ip;
}

interface ExpectedRule {
  pattern: string;
  vip: string;
  external: number;
  internal: number;
  protocol: number;
}

function expectedRules(lb: LoadBalancerInfo | LoadBalancerSpec, mgmt: string): ExpectedRule[] {
  const vips = lb.frontendVips.length > 0 ? lb.frontendVips.map((v) => canonicalIp(v) ?? v) : [mgmt];
  const out: ExpectedRule[] = [];
  for (const vip of vips) {
    for (const p of lb.ports) {
      const protocol = ProtocolNumbers[p.protocol];
      const pattern = `LB_DSR_${VFP_RULE_ID_WILDCARD}_${mgmt}_${vip}_${p.external}_${p.internal}_${protocol}`;
      if (!out.some((e) => e.pattern === pattern)) out.push({ pattern, vip, external: p.external, internal: p.internal, protocol });
    }
  }
  return out;
}

/**
 * The name patterns of the DSR rules `lb` should have in the `LB_DSR` layer of each local pod port:
 * `LB_DSR_*_<mgmtIP>_<VIP>_<ext>_<int>_<proto>`, one per frontend VIP and port mapping (a load
 * balancer without VIPs, NodePort style, uses the management IP as VIP). `*` is
 * {@link VFP_RULE_ID_WILDCARD}; the protocol is its number (TCP 6). Match names with
 * {@link vfpRuleNameMatches}. Throws HcnArgumentError when `managementIp` is not an address.
 * @example
 * expectedDsrRuleNames(lb, '10.231.111.97');
 * // ['LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6']
 */
export function expectedDsrRuleNames(lb: LoadBalancerInfo | LoadBalancerSpec, managementIp: string): string[] {
  return expectedRules(lb, checkManagementIp(managementIp, 'expectedDsrRuleNames')).map((e) => e.pattern);
}

/**
 * Whether a VFP rule name fits a pattern from {@link expectedDsrRuleNames}: `*` matches any run of
 * letters, digits and `_`; everything else literally (case-insensitive for IPv6 hex digits); and a
 * suffix after the protocol such as `_1` (real rule IDs carry one when HNS programs a rule twice) is
 * accepted.
 * @example
 * vfpRuleNameMatches('LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'); // true
 * vfpRuleNameMatches('LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6_1'); // true
 */
export function vfpRuleNameMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split(VFP_RULE_ID_WILDCARD)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\w*');
  return new RegExp(`^${source}(?:_[A-Za-z0-9]+)?$`, 'i').test(name.trim());
}

/**
 * One expected DSR rule, the rules of the listing that carry its name, and how they differ from it.
 * @example
 * const r: VfpExpectedRule = { pattern: 'LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', present: true, ok: true,
 *   matches: ['LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'], differences: [], dipsCompared: true };
 */
export interface VfpExpectedRule {
  /** The expected name pattern. */
  pattern: string;
  /** At least one rule carries the name (on its RULE line or its Friendly name line). */
  present: boolean;
  /** A rule with the name also has the right type, protocol, VIP, port and DIP set. */
  ok: boolean;
  /** IDs of the rules that carry the name. */
  matches: string[];
  /** How the closest of those rules differs (`DIP set ...`, `protocol ...`); empty when ok or absent. */
  differences: string[];
  /** Whether the DIP set could be compared (false when the listing shows no DIPs, as vfpctrl's JSON, or no `backendIps` were given). */
  dipsCompared: boolean;
}

/**
 * Result of {@link checkVfpDsrRules}: which expected DSR rules a vfpctrl listing holds, and whether
 * they say the right thing.
 * @example
 * const check: VfpDsrCheck = checkVfpDsrRules(lb, '10.231.111.97', text, { backendIps: ['10.0.0.14', '10.0.0.15'] });
 * if (!check.ok) console.error('DSR not programmed in VFP:', check.missing, check.different);
 */
export interface VfpDsrCheck {
  /** Every expected rule is present and right. */
  ok: boolean;
  /** The management IP used, canonical. */
  managementIp: string;
  /** Each expected rule pattern with its matches and differences. */
  rules: VfpExpectedRule[];
  /** The patterns without a rule of that name. */
  missing: string[];
  /** The patterns whose rules all differ from what the load balancer says (see `rules[].differences`). */
  different: string[];
  /** How many rules the listing held in all. */
  rulesInListing: number;
}

/**
 * Options of {@link checkVfpDsrRules}.
 * @example
 * checkVfpDsrRules(lb, '10.231.111.97', text, { backendIps: ['10.0.0.14', '10.0.0.15'] });
 */
export interface VfpDsrCheckOptions {
  /**
   * The IPs of the load balancer's backend endpoints: each rule's DIP set must be exactly those of
   * these addresses that are of the VIP's family, at the mapping's internal port. Without them the DIP set is not compared (and
   * `dipsCompared` says so).
   */
  backendIps?: readonly string[] | undefined;
}

function dipKey(ip: string, port: number): string {
  return `${canonicalIp(ip) ?? ip} : ${port}`;
}

function sameIp(a: string, b: string): boolean {
  return (canonicalIp(a) ?? a) === (canonicalIp(b) ?? b);
}

function differences(rule: VfpRule, e: ExpectedRule, expectedDips: string[] | undefined): { diffs: string[]; dipsCompared: boolean } {
  const diffs: string[] = [];
  if (rule.type !== undefined && rule.type.toLowerCase() !== 'lbnat') diffs.push(`type ${rule.type}, expected lbnat`);
  if (rule.match.protocols.length > 0 && !rule.match.protocols.includes(e.protocol)) diffs.push(`protocol ${rule.match.protocols.join(',')}, expected ${e.protocol}`);
  const vips = rule.match.destinationIps.length > 0 ? rule.match.destinationIps : rule.vip !== undefined ? [rule.vip] : [];
  if (vips.length > 0 && !vips.some((v) => sameIp(v, e.vip))) diffs.push(`VIP ${vips.join(',')}, expected ${e.vip}`);
  const ports = rule.match.destinationPorts.length > 0 ? rule.match.destinationPorts : rule.vipPort !== undefined ? [rule.vipPort] : [];
  if (ports.length > 0 && !ports.includes(e.external)) diffs.push(`port ${ports.join(',')}, expected ${e.external}`);
  let dipsCompared = false;
  if (expectedDips !== undefined && rule.dips.length > 0) {
    dipsCompared = true;
    const have = [...new Set(rule.dips.map((d) => dipKey(d.ip, d.port)))];
    const extra = have.filter((d) => !expectedDips.includes(d));
    const lacking = expectedDips.filter((d) => !have.includes(d));
    if (extra.length > 0 || lacking.length > 0) {
      const parts = [lacking.length > 0 ? `lacks { ${lacking.join(' } { ')} }` : '', extra.length > 0 ? `has other { ${extra.join(' } { ')} }` : ''].filter(Boolean);
      diffs.push(`DIP set ${parts.join(' and ')}`);
    }
  } else if (expectedDips !== undefined && rule.type?.toLowerCase() === 'lbnat' && rule.dips.length === 0 && rule.data.length > 0) {
    // Rule data printed but no DIP in it: an lbnat rule that balances to nobody.
    dipsCompared = true;
    diffs.push('DIP set is empty');
  }
  return { diffs, dipsCompared };
}

function toRules(vfp: string | readonly VfpRule[]): readonly VfpRule[] {
  if (typeof vfp !== 'string') return vfp;
  const trimmed = vfp.trimStart().replace(/^\uFEFF/, '');
  return trimmed.startsWith('{') || trimmed.startsWith('[') ? parseVfpJson(vfp) : parseVfpRules(vfp);
}

/**
 * Checks a vfpctrl listing of a local pod port (`vfpctrl /list-rule /port <guid> /layer LB_DSR`, a
 * wider listing, or the JSON of `/format 1`) for the DSR rules of `lb`. Pass the text (JSON is
 * recognised by its leading `{` or `[`), or rules already parsed. For each VIP and port mapping a rule
 * of the `LB_DSR` layer must carry the expected name (on its RULE line or its Friendly name line; a
 * suffix after the protocol is accepted) and also say the right thing: type `lbnat`, the protocol,
 * the VIP and external port (in its conditions, else its rule data), and, with `backendIps`, exactly
 * those backends at the internal port as DIP ranges. Rules under another layer do not count.
 * @example
 * const text = execFileSync(vfpctrl, ['/list-rule', '/port', portGuid, '/layer', 'LB_DSR'], { encoding: 'utf8' });
 * const check = checkVfpDsrRules(lb.info, '10.231.111.97', text, { backendIps: ['10.0.0.14', '10.0.0.15'] });
 * console.log(JSON.stringify(check, null, 2));
 */
export function checkVfpDsrRules(
  lb: LoadBalancerInfo | LoadBalancerSpec,
  managementIp: string,
  vfp: string | readonly VfpRule[],
  options: VfpDsrCheckOptions = {},
): VfpDsrCheck {
  const mgmt = checkManagementIp(managementIp, 'checkVfpDsrRules');
  let backendIps: string[] | undefined;
  if (options.backendIps !== undefined) {
    backendIps = options.backendIps.map((ip, i) => {
      const c = typeof ip === 'string' ? canonicalIp(ip) : null;
      if (c === null) throw new HcnArgumentError('checkVfpDsrRules', `backendIps[${i}] must be an IP address (got ${JSON.stringify(ip)})`);
      return c;
    });
  }
  const rules = toRules(vfp);
  const candidates = rules.filter((r) => r.layer === undefined || r.layer.toUpperCase() === VFP_DSR_LAYER);
  const expected = expectedRules(lb, mgmt).map((e): VfpExpectedRule => {
    const named = candidates.filter((r) => vfpRuleNameMatches(e.pattern, r.name) || (r.friendlyName !== undefined && vfpRuleNameMatches(e.pattern, r.friendlyName)));
    // A rule balances to the backends of its VIP's family only.
    const family = ipFamily(e.vip);
    const dips = backendIps ? [...new Set(backendIps.filter((ip) => ipFamily(ip) === family).map((ip) => dipKey(ip, e.internal)))] : undefined;
    const judged = named.map((r) => differences(r, e, dips));
    const good = judged.find((j) => j.diffs.length === 0);
    const closest = good ?? judged.slice().sort((a, b) => a.diffs.length - b.diffs.length)[0];
    return {
      pattern: e.pattern,
      present: named.length > 0,
      ok: good !== undefined,
      matches: named.map((r) => r.name),
      differences: good || !closest ? [] : closest.diffs,
      dipsCompared: closest?.dipsCompared ?? false,
    };
  });
  const missing = expected.filter((r) => !r.present).map((r) => r.pattern);
  const different = expected.filter((r) => r.present && !r.ok).map((r) => r.pattern);
  return { ok: missing.length === 0 && different.length === 0, managementIp: mgmt, rules: expected, missing, different, rulesInListing: rules.length };
}
