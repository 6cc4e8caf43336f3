// The VFP rules a DSR load balancer should program on each local pod port (layer LB_DSR, group
// LB_DSR_IPv4_OUT), named LB_DSR_<id>_<mgmtIP>_<VIP>_<ext>_<int>_<proto> as Microsoft's SDN scripts
// match them, and the check of captured vfpctrl output against them.
import { HcnArgumentError } from '../errors';
import { canonicalIp } from '../net/ip';
import { ProtocolNumbers } from '../schema/enums';
import type { LoadBalancerInfo, LoadBalancerSpec } from '../schema/models';
import { parseVfpRules, type VfpRule } from './parse';

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
  const mgmt = checkManagementIp(managementIp, 'expectedDsrRuleNames');
  const vips = lb.frontendVips.length > 0 ? lb.frontendVips.map((v) => canonicalIp(v) ?? v) : [mgmt];
  const names: string[] = [];
  for (const vip of vips) {
    for (const p of lb.ports) {
      const name = `LB_DSR_${VFP_RULE_ID_WILDCARD}_${mgmt}_${vip}_${p.external}_${p.internal}_${ProtocolNumbers[p.protocol]}`;
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

/**
 * Whether a VFP rule name fits a pattern from {@link expectedDsrRuleNames} (`*` matches any run of
 * letters, digits and `_`; everything else literally, case-insensitive for IPv6 hex digits).
 * @example
 * vfpRuleNameMatches('LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'); // true
 */
export function vfpRuleNameMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split(VFP_RULE_ID_WILDCARD)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\w*');
  return new RegExp(`^${source}$`, 'i').test(name.trim());
}

/**
 * One expected DSR rule and the rules of the listing that fit it.
 * @example
 * const r: VfpExpectedRule = { pattern: 'LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', present: true,
 *   matches: ['LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'] };
 */
export interface VfpExpectedRule {
  /** The expected name pattern. */
  pattern: string;
  /** At least one rule fits it. */
  present: boolean;
  /** Names of the rules that fit it. */
  matches: string[];
}

/**
 * Result of {@link checkVfpDsrRules}: which expected DSR rules a vfpctrl listing holds.
 * @example
 * const check: VfpDsrCheck = checkVfpDsrRules(lb, '10.231.111.97', text);
 * if (!check.ok) console.error('DSR not programmed in VFP:', check.missing);
 */
export interface VfpDsrCheck {
  /** Every expected rule is present. */
  ok: boolean;
  /** The management IP used, canonical. */
  managementIp: string;
  /** Each expected rule pattern with its matches. */
  rules: VfpExpectedRule[];
  /** The patterns without a match. */
  missing: string[];
  /** How many rules the listing held in all. */
  rulesInListing: number;
}

/**
 * Checks captured vfpctrl output of a local pod port (`vfpctrl /list-rule /port <guid> /layer LB_DSR`,
 * or a wider listing) for the DSR rules of `lb`. Pass the text, or rules already parsed with
 * {@link parseVfpRules}. Rules listed under a layer other than `LB_DSR` do not count. A pod port only
 * carries rules of load balancers that have a backend on it, so check the port of a local backend.
 * @example
 * const text = execFileSync('vfpctrl', ['/list-rule', '/port', portGuid, '/layer', 'LB_DSR'], { encoding: 'utf8' });
 * const check = checkVfpDsrRules(lb.info, '10.231.111.97', text);
 * console.log(JSON.stringify(check, null, 2));
 */
export function checkVfpDsrRules(lb: LoadBalancerInfo | LoadBalancerSpec, managementIp: string, vfp: string | readonly VfpRule[]): VfpDsrCheck {
  const mgmt = checkManagementIp(managementIp, 'checkVfpDsrRules');
  const rules = typeof vfp === 'string' ? parseVfpRules(vfp) : vfp;
  const candidates = rules.filter((r) => r.layer === undefined || r.layer.toUpperCase() === VFP_DSR_LAYER);
  const expected = expectedDsrRuleNames(lb, mgmt).map((pattern): VfpExpectedRule => {
    const matches = candidates.filter((r) => vfpRuleNameMatches(pattern, r.name)).map((r) => r.name);
    return { pattern, present: matches.length > 0, matches };
  });
  const missing = expected.filter((r) => !r.present).map((r) => r.pattern);
  return { ok: missing.length === 0, managementIp: mgmt, rules: expected, missing, rulesInListing: rules.length };
}
