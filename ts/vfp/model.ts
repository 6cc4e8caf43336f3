// The typed VFP model shared by the parser, the renderer, the simulator's listing and the trace: ports,
// layers, groups and rules as vfpctrl shows them, plus what a rule's Conditions and Rule Data say in
// structured form (the parts a DSR check and a packet trace need).

/**
 * A backend address and port from an lbnat rule's `DIP Range(s)` list (`{ 10.0.0.14 : 80 }`).
 * @example
 * const d: VfpDip = { ip: '10.0.0.14', port: 80 };
 */
export interface VfpDip {
  /** The backend (DIP) address as printed. */
  ip: string;
  /** The backend port. */
  port: number;
}

/**
 * What a rule's `Conditions:` section matches, read from its `Protocols :`, `Source IP :`,
 * `Destination IP :`, `Source ports :` and `Destination ports :` lines (comma- or space-separated
 * lists). An empty list means the rule does not condition on it.
 * @example
 * rule.match.destinationIps.includes('13.0.0.13') && rule.match.destinationPorts.includes(8000);
 */
export interface VfpRuleMatch {
  /** IP protocol numbers (TCP 6, UDP 17). */
  protocols: number[];
  /** Source addresses (or `a-b` ranges) as printed. */
  sourceIps: string[];
  /** Destination addresses (or `a-b` ranges) as printed. */
  destinationIps: string[];
  /** Source ports. */
  sourcePorts: number[];
  /** Destination ports. */
  destinationPorts: number[];
}

/**
 * One `RULE : <id>` block of vfpctrl output (or one rule of its JSON listing).
 * @example
 * const [rule] = parseVfpRules(text);
 * if (rule?.type === 'lbnat') console.log(rule.name, rule.priority, rule.dips);
 */
export interface VfpRule {
  /** The rule ID (`RULE : <id>`; `Id` in the JSON listing). */
  name: string;
  /** `Friendly name`, when printed. */
  friendlyName: string | undefined;
  /** The layer the rule is listed under (the last `LAYER :` before it, else the `layer` option). */
  layer: string | undefined;
  /** The group the rule is listed under (the last `GROUP :` before it, else the `group` option). */
  group: string | undefined;
  /** `Priority`, when it is a number. */
  priority: number | undefined;
  /** `Type` (`lbnat`, `paroute`, `encap`, ...), when printed. */
  type: string | undefined;
  /** The number of `Flags : 1 terminating` (decimal or 0x hex), when printed. */
  flags: number | undefined;
  /** The words after the flags number (`['terminating']`). */
  flagNames: string[];
  /** Lines of the `Conditions:` section, trimmed (empty for `<none>`). */
  conditions: string[];
  /** Lines of the `Rule Data:` section, trimmed. */
  data: string[];
  /** Backends of the `DIP Range(s)` list in the rule data (lbnat rules). */
  dips: VfpDip[];
  /** The Conditions section in structured form. */
  match: VfpRuleMatch;
  /** `VIP :` of the rule data, when printed. */
  vip: string | undefined;
  /** `VIP port :` of the rule data, when printed. */
  vipPort: number | undefined;
  /** `Flow TTL`, when it is a number. */
  flowTtl: number | undefined;
  /** Every top-level `Key : value` line of the block, keys as printed (first one wins). */
  fields: Record<string, string>;
}

/**
 * One `GROUP : <name>` block: a group of rules in a layer, applied in one direction.
 * @example
 * const out = listing.groups.filter((g) => g.direction === 'OUT');
 */
export interface VfpGroup {
  /** The group name. */
  name: string;
  /** The layer it belongs to, when known. */
  layer: string | undefined;
  /** `Friendly name`, when printed. */
  friendlyName: string | undefined;
  /** `Priority`, when it is a number. */
  priority: number | undefined;
  /** `Direction` (`IN` or `OUT`), when printed. */
  direction: string | undefined;
  /** `Type` (`IPv4`, `IPv6`), when printed. */
  type: string | undefined;
  /** Every top-level `Key : value` line of the block, keys as printed. */
  fields: Record<string, string>;
}

/**
 * One `LAYER : <name>` block of a port.
 * @example
 * listing.layers.map((l) => `${l.name} (${l.priority})`);
 */
export interface VfpLayer {
  /** The layer name (`LB_DSR`, `SLB_NAT_LAYER`, ...). */
  name: string;
  /** `Friendly name`, when printed. */
  friendlyName: string | undefined;
  /** `Priority`, when it is a number. */
  priority: number | undefined;
  /** `Flags` number, when printed. */
  flags: number | undefined;
  /** Every top-level `Key : value` line of the block, keys as printed. */
  fields: Record<string, string>;
}

/**
 * Layers, groups and rules of one listing (one port, or a capture).
 * @example
 * const { layers, groups, rules } = parseVfpListing(text);
 */
export interface VfpListing {
  /** The layers, in listing order. */
  layers: VfpLayer[];
  /** The groups, in listing order (each names its layer). */
  groups: VfpGroup[];
  /** The rules, in listing order (each names its layer and group). */
  rules: VfpRule[];
}

/**
 * A VFP switch port: a local endpoint's port or the host vNIC's.
 * @example
 * const pods = (await hcn.vfp.ports()).filter((p) => p.kind === 'endpoint');
 */
export interface VfpPort {
  /** The port GUID (vfpctrl's `/port` argument; HNS shows it as the endpoint's `EndpointPortGuid`), lower-case. */
  id: string;
  /** The port's friendly name as vfpctrl lists it (`Id` in `/list-vmswitch-port /format 1`). */
  name: string;
  /** MAC address in dash form, lower case (`00-15-5d-0a-00-0e`), when known. */
  mac: string | undefined;
  /** `endpoint` for a container endpoint's port, `host` for the host vNIC, `other` otherwise. */
  kind: 'endpoint' | 'host' | 'other';
  /** The HNS endpoint ID (lower-case) when the port belongs to one and it is known. */
  endpointId: string | undefined;
  /** The endpoint's IP addresses, when known. */
  ipAddresses: string[];
}

/**
 * What {@link vfpRule} needs to build a rule; everything else is derived the way the parser derives it.
 * @example
 * const init: VfpRuleInit = { name: 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6', type: 'lbnat', conditions: ['Protocols : 6'] };
 */
export interface VfpRuleInit {
  /** Rule ID. */
  name: string;
  /** Friendly name (defaults to none). */
  friendlyName?: string | undefined;
  /** Layer. */
  layer?: string | undefined;
  /** Group. */
  group?: string | undefined;
  /** Priority. */
  priority?: number | undefined;
  /** Type (`lbnat`, ...). */
  type?: string | undefined;
  /** Flags number. */
  flags?: number | undefined;
  /** Words after the flags number. */
  flagNames?: readonly string[] | undefined;
  /** Conditions lines (`Protocols : 6`). */
  conditions?: readonly string[] | undefined;
  /** Flow TTL. */
  flowTtl?: number | undefined;
  /** Rule Data lines (`DIP Range(s) : { 10.0.0.14 : 80 }`). */
  data?: readonly string[] | undefined;
}

const DIP = /\{\s*([^{}\s]+)\s*:\s*(\d{1,5})\s*\}/g;

/** Backends named in one Rule Data line (`DIP Range(s) : { a : p } ...` or a continuation line `{ a : p }`). */
export function dipsInLine(line: string): VfpDip[] {
  return [...line.matchAll(DIP)].map((m) => ({ ip: m[1]!, port: Number(m[2]) }));
}

function listValues(value: string): string[] {
  return value
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function numbers(value: string): number[] {
  return listValues(value)
    .filter((v) => /^\d{1,5}$/.test(v))
    .map(Number);
}

/** The structured form of a Conditions section. */
export function matchOf(conditions: readonly string[]): VfpRuleMatch {
  const match: VfpRuleMatch = { protocols: [], sourceIps: [], destinationIps: [], sourcePorts: [], destinationPorts: [] };
  for (const line of conditions) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!;
    if (key === 'protocols' || key === 'protocol') match.protocols.push(...numbers(value));
    else if (key === 'source ip' || key === 'source ips') match.sourceIps.push(...listValues(value));
    else if (key === 'destination ip' || key === 'destination ips') match.destinationIps.push(...listValues(value));
    else if (key === 'source ports' || key === 'source port') match.sourcePorts.push(...numbers(value));
    else if (key === 'destination ports' || key === 'destination port') match.destinationPorts.push(...numbers(value));
  }
  return match;
}

function dataValue(data: readonly string[], key: string): string | undefined {
  for (const line of data) {
    const m = /^([^:{]+?)\s*:\s*(.*)$/.exec(line.trim());
    if (m && m[1]!.toLowerCase() === key) return m[2]!.trim();
  }
  return undefined;
}

function leadingNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(0x[0-9a-f]+|\d+)\b/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Fills a rule's derived parts (`dips`, `match`, `vip`, `vipPort`) from its Conditions and Rule Data
 * lines, in place; the parser and {@link vfpRule} both use it so the two always agree.
 */
export function deriveRuleParts(rule: VfpRule): VfpRule {
  rule.dips = rule.data.flatMap(dipsInLine);
  rule.match = matchOf(rule.conditions);
  rule.vip = dataValue(rule.data, 'vip');
  rule.vipPort = leadingNumber(dataValue(rule.data, 'vip port'));
  return rule;
}

/** An empty rule of that name, layer and group. */
export function emptyRule(name: string, layer: string | undefined, group: string | undefined): VfpRule {
  return {
    name,
    friendlyName: undefined,
    layer,
    group,
    priority: undefined,
    type: undefined,
    flags: undefined,
    flagNames: [],
    conditions: [],
    data: [],
    dips: [],
    match: { protocols: [], sourceIps: [], destinationIps: [], sourcePorts: [], destinationPorts: [] },
    vip: undefined,
    vipPort: undefined,
    flowTtl: undefined,
    fields: {},
  };
}

/**
 * Builds a typed rule the way the parser would read it back from {@link renderVfpRules}'s text:
 * `fields` holds the printed key lines (Friendly name, Priority, Flags, Type, Flow TTL) and the
 * structured parts are derived from the Conditions and Rule Data lines.
 * @example
 * const rule = vfpRule({ name: 'NAT_E5B0F_13.0.0.13_8000_6', type: 'lbnat', priority: 100, flags: 1, flagNames: ['terminating'],
 *   conditions: ['Protocols : 6', 'Destination IP : 13.0.0.13', 'Destination ports : 8000'], data: ['DIP Range(s) : { 10.0.0.14 : 80 }'] });
 */
export function vfpRule(init: VfpRuleInit): VfpRule {
  const rule = emptyRule(init.name, init.layer, init.group);
  if (init.friendlyName !== undefined) {
    rule.friendlyName = init.friendlyName;
    rule.fields['Friendly name'] = init.friendlyName;
  }
  if (init.priority !== undefined) {
    rule.priority = init.priority;
    rule.fields.Priority = String(init.priority);
  }
  if (init.flags !== undefined) {
    rule.flags = init.flags;
    rule.flagNames = [...(init.flagNames ?? [])];
    rule.fields.Flags = [String(init.flags), ...rule.flagNames].join(' ');
  }
  if (init.type !== undefined) {
    rule.type = init.type;
    rule.fields.Type = init.type;
  }
  rule.conditions = [...(init.conditions ?? [])];
  if (init.flowTtl !== undefined) {
    rule.flowTtl = init.flowTtl;
    rule.fields['Flow TTL'] = String(init.flowTtl);
  }
  rule.data = [...(init.data ?? [])];
  return deriveRuleParts(rule);
}

/** Parses a `Key : value` field into the rule's typed members (first occurrence wins). */
export function setRuleField(rule: VfpRule, key: string, value: string): void {
  if (key in rule.fields) return;
  rule.fields[key] = value;
  switch (key.toLowerCase()) {
    case 'friendly name':
      rule.friendlyName = value;
      break;
    case 'priority':
      rule.priority = leadingNumber(value);
      break;
    case 'type':
      rule.type = value;
      break;
    case 'flow ttl':
      rule.flowTtl = leadingNumber(value);
      break;
    case 'flags': {
      rule.flags = leadingNumber(value);
      rule.flagNames = value
        .trim()
        .split(/\s+/)
        .slice(rule.flags === undefined ? 0 : 1)
        .filter((w) => w !== '');
      break;
    }
  }
}

/** Reads the number at the start of a field value (`100`, `0x0`, `1 terminating`). */
export function fieldNumber(text: string | undefined): number | undefined {
  return leadingNumber(text);
}
