// Parsers of vfpctrl output: the text of `/list-rule`, `/list-group` and `/list-layer` (LAYER / GROUP /
// RULE blocks with their `Key : value` fields and the Conditions / Rule Data sections), and the JSON
// vfpctrl prints with `/format 1` (`{"Rules":[...]}`, `{"Layers":[...]}`, `{"Ports":[...]}`), so captured
// output can be checked without scraping it by regex.
import { HcnArgumentError } from '../errors';
import { normalizeGuid } from '../schema/guid';
import {
  deriveRuleParts,
  dipsInLine,
  emptyRule,
  fieldNumber,
  setRuleField,
  vfpRule,
  type VfpGroup,
  type VfpLayer,
  type VfpListing,
  type VfpPort,
  type VfpRule,
} from './model';

export type { VfpDip, VfpRule } from './model';

/**
 * Where rules of a listing belong when the text itself has no `LAYER :` / `GROUP :` lines (output of
 * `/list-rule /port <guid> /layer <L> /group <G>` prints only the rules).
 * @example
 * parseVfpRules(text, { layer: 'LB_DSR', group: 'LB_DSR_IPv4_OUT' });
 */
export interface VfpParseOptions {
  /** Layer of rules listed before any `LAYER :` line. */
  layer?: string | undefined;
  /** Group of rules listed before any `GROUP :` line. */
  group?: string | undefined;
}

const HEADER = /^(\s*)(LAYER|GROUP|RULE|PORT)\s*:\s*(.*?)\s*$/;
const FIELD = /^(\s*)([^:{]+?)\s*:\s*(.*?)\s*$/;
const SECTIONS: Record<string, 'conditions' | 'data'> = { conditions: 'conditions', 'rule data': 'data' };
/** Keys printed at the level of the rule itself: one of them ends a section even when it is not outdented. */
const BLOCK_KEYS = new Set(['friendly name', 'priority', 'flags', 'type', 'direction', 'match type', 'flow ttl', 'conditions', 'rule data']);

function newGroup(name: string, layer: string | undefined): VfpGroup {
  return { name, layer, friendlyName: undefined, priority: undefined, direction: undefined, type: undefined, fields: {} };
}

function newLayer(name: string): VfpLayer {
  return { name, friendlyName: undefined, priority: undefined, flags: undefined, fields: {} };
}

function setBlockField(block: VfpGroup | VfpLayer, key: string, value: string): void {
  if (key in block.fields) return;
  block.fields[key] = value;
  const k = key.toLowerCase();
  if (k === 'friendly name') block.friendlyName = value;
  else if (k === 'priority') block.priority = fieldNumber(value);
  else if (k === 'flags' && 'flags' in block) block.flags = fieldNumber(value);
  else if (k === 'direction' && 'direction' in block) block.direction = value;
  else if (k === 'type' && 'type' in block) block.type = value;
}

/**
 * Parses vfpctrl listing text into its layers, groups and rules. Lines that are neither headers,
 * fields nor section lines (`ITEM LIST`, `=====`, `Command list-rule succeeded!`) are ignored.
 * Tolerant of CRLF, tabs and indentation differences; never throws on text.
 * @example
 * const { layers, groups, rules } = parseVfpListing(fs.readFileSync('list-rule.txt', 'utf8'));
 */
export function parseVfpListing(text: string, options: VfpParseOptions = {}): VfpListing {
  const listing: VfpListing = { layers: [], groups: [], rules: [] };
  let layer = options.layer;
  let group = options.group;
  let block: VfpRule | VfpGroup | VfpLayer | undefined;
  let rule: VfpRule | undefined;
  let section: { kind: 'conditions' | 'data'; indent: number } | undefined;
  for (const raw of String(text).split(/\r?\n/)) {
    const line = raw.replace(/\t/g, '    ');
    if (line.trim() === '') {
      section = undefined;
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      section = undefined;
      rule = undefined;
      const [, , kind, name] = header;
      if (kind === 'LAYER') {
        layer = name;
        group = undefined;
        const l = newLayer(name!);
        listing.layers.push(l);
        block = l;
      } else if (kind === 'GROUP') {
        group = name;
        const g = newGroup(name!, layer);
        listing.groups.push(g);
        block = g;
      } else if (kind === 'RULE') {
        rule = emptyRule(name!, layer, group);
        listing.rules.push(rule);
        block = rule;
      } else block = undefined;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const f = FIELD.exec(line);
    const key = f?.[2]?.toLowerCase();
    if (section && (indent > section.indent || (indent === section.indent && !(key !== undefined && BLOCK_KEYS.has(key))))) {
      const content = line.trim();
      if (rule) {
        if (section.kind === 'conditions') {
          if (content !== '<none>') rule.conditions.push(content);
        } else rule.data.push(content);
      }
      continue;
    }
    section = undefined;
    if (!f || !block) continue;
    const kindOfSection = SECTIONS[key!];
    if (kindOfSection && f[3] === '') {
      section = { kind: kindOfSection, indent };
      continue;
    }
    if (block === rule) {
      setRuleField(rule, f[2]!, f[3]!);
      // `DIP Range(s) : { ip : port } ...` may sit at rule level in some builds: keep it as rule data.
      if (/^dip range/i.test(f[2]!) && dipsInLine(f[3]!).length > 0) rule.data.push(line.trim());
    } else setBlockField(block as VfpGroup | VfpLayer, f[2]!, f[3]!);
  }
  for (const r of listing.rules) deriveRuleParts(r);
  return listing;
}

/**
 * Parses vfpctrl listing text into its rules (see {@link parseVfpListing}); `GROUP`/`LAYER` blocks
 * only set the context of the rules after them.
 * @example
 * const rules = parseVfpRules(fs.readFileSync('list-rule.txt', 'utf8'));
 * const dsr = rules.filter((r) => r.name.startsWith('LB_DSR_'));
 */
export function parseVfpRules(text: string, options: VfpParseOptions = {}): VfpRule[] {
  return parseVfpListing(text, options).rules;
}

// ---- JSON (`/format 1`) ----
// Public Microsoft scripts read these shapes (microsoft/wcnscripts networkhealth.ps1 and
// cleanup-stale-lb-rules.ps1): `/list-vmswitch-port /format 1` → {Ports:[{Name: port GUID, Id: friendly
// name, MacAddress: "00155D..."}]}; `/list-rule` or `/get-rule-counter` with `/layer /group /format 1`
// → {Rules:[{Id, Name, Conditions:[{ConditionType, ProtocolList, DestinationIPv4RangeList:[{L,H}],
// DestinationPortList}]}]}; without them {Layers:[{Name, Groups:[{Name, Rules:[...]}]}]}. Those
// scripts read DIP ranges from the text of `/get-rule-info`, so the JSON is not known to carry them.

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function prop(o: Json, ...names: string[]): unknown {
  for (const n of names) if (n in o) return o[n];
  const lower = new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
  for (const n of names) {
    const k = lower.get(n.toLowerCase());
    if (k !== undefined) return o[k];
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return typeof v === 'string' ? fieldNumber(v) : undefined;
}

function ranges(v: unknown): string[] {
  return arr(v).flatMap((r) => {
    const o = obj(r);
    if (!o) return str(r) !== undefined ? [str(r)!] : [];
    const lo = str(prop(o, 'L', 'Low'));
    const hi = str(prop(o, 'H', 'High'));
    if (lo === undefined) return [];
    return [hi === undefined || hi === lo ? lo : `${lo}-${hi}`];
  });
}

/** JSON conditions → the text lines the parser reads, so both sources give the same typed rule. */
function jsonConditions(v: unknown): string[] {
  const lines: string[] = [];
  for (const c of arr(v)) {
    const o = obj(c);
    if (!o) continue;
    const protocols = arr(prop(o, 'ProtocolList')).map(str).filter((x): x is string => x !== undefined);
    if (protocols.length > 0) lines.push(`Protocols : ${protocols.join(', ')}`);
    const src = [...ranges(prop(o, 'SourceIPv4RangeList')), ...ranges(prop(o, 'SourceIPv6RangeList'))];
    if (src.length > 0) lines.push(`Source IP : ${src.join(', ')}`);
    const dst = [...ranges(prop(o, 'DestinationIPv4RangeList')), ...ranges(prop(o, 'DestinationIPv6RangeList'))];
    if (dst.length > 0) lines.push(`Destination IP : ${dst.join(', ')}`);
    const sp = arr(prop(o, 'SourcePortList')).map(str).filter((x): x is string => x !== undefined);
    if (sp.length > 0) lines.push(`Source ports : ${sp.join(', ')}`);
    const dp = arr(prop(o, 'DestinationPortList')).map(str).filter((x): x is string => x !== undefined);
    if (dp.length > 0) lines.push(`Destination ports : ${dp.join(', ')}`);
  }
  return lines;
}

function jsonRule(v: unknown, layer: string | undefined, group: string | undefined): VfpRule | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const id = str(prop(o, 'Id', 'ID'));
  const name = str(prop(o, 'Name'));
  // The scripts take Id and fall back to Name when Id is empty or short.
  const ruleId = id !== undefined && id.length >= 5 ? id : (name ?? id);
  if (ruleId === undefined || ruleId === '') return undefined;
  const type = str(prop(o, 'TypeName')) ?? (typeof prop(o, 'Type') === 'string' ? (prop(o, 'Type') as string) : undefined);
  return vfpRule({
    name: ruleId,
    friendlyName: name !== undefined && name !== ruleId ? name : undefined,
    layer,
    group,
    priority: num(prop(o, 'Priority')),
    type,
    conditions: jsonConditions(prop(o, 'Conditions')),
  });
}

/**
 * Parses vfpctrl's JSON listing (`/format 1`): `{"Rules":[...]}` (a `/layer /group` listing; pass the
 * layer and group in `options`), `{"Layers":[{"Name","Groups":[{"Name","Rules":[...]}]}]}`, or a bare
 * array of rules. Each rule's `Id` (or `Name` when `Id` is empty) is its name, `Name` its friendly
 * name, and its conditions (protocols, IP range lists, port lists) become `conditions`/`match`. The
 * JSON is not known to carry DIP ranges, so `dips` stays empty. Throws HcnArgumentError when the text
 * is not JSON or not one of these shapes.
 * @example
 * const rules = parseVfpJson(execFileSync(vfpctrl, ['/port', id, '/layer', 'LB_DSR', '/group', 'LB_DSR_IPv4_OUT', '/list-rule', '/format', '1'], { encoding: 'utf8' }),
 *   { layer: 'LB_DSR', group: 'LB_DSR_IPv4_OUT' });
 */
export function parseVfpJson(text: string, options: VfpParseOptions = {}): VfpRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(String(text).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new HcnArgumentError('parseVfpJson', `text is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const rules: VfpRule[] = [];
  const push = (list: unknown, layer: string | undefined, group: string | undefined): void => {
    for (const r of arr(list)) {
      const rule = jsonRule(r, layer, group);
      if (rule) rules.push(rule);
    }
  };
  const root = obj(doc);
  if (Array.isArray(doc)) push(doc, options.layer, options.group);
  else if (root && Array.isArray(prop(root, 'Layers'))) {
    for (const l of arr(prop(root, 'Layers'))) {
      const lo = obj(l);
      if (!lo) continue;
      const layer = str(prop(lo, 'Name')) ?? options.layer;
      push(prop(lo, 'Rules'), layer, options.group);
      for (const g of arr(prop(lo, 'Groups'))) {
        const go = obj(g);
        if (go) push(prop(go, 'Rules'), layer, str(prop(go, 'Name')) ?? options.group);
      }
    }
  } else if (root && Array.isArray(prop(root, 'Groups'))) {
    for (const g of arr(prop(root, 'Groups'))) {
      const go = obj(g);
      if (go) push(prop(go, 'Rules'), options.layer, str(prop(go, 'Name')) ?? options.group);
    }
  } else if (root && Array.isArray(prop(root, 'Rules'))) push(prop(root, 'Rules'), options.layer, options.group);
  else throw new HcnArgumentError('parseVfpJson', 'JSON is not a vfpctrl listing: expected {"Rules":[...]}, {"Layers":[...]}, {"Groups":[...]} or an array of rules');
  return rules;
}

/** `00155D0A000E` or `00-15-5D-0A-00-0E` → `00-15-5d-0a-00-0e` (the one case of every MAC the SDK prints); anything else as given. */
function dashMac(mac: string | undefined): string | undefined {
  if (mac === undefined) return undefined;
  const hex = mac.replace(/[-:]/g, '');
  return /^[0-9a-f]{12}$/i.test(hex) ? hex.toLowerCase().replace(/(..)(?!$)/g, '$1-') : mac;
}

/**
 * Parses `vfpctrl /list-vmswitch-port /format 1` (`{"Ports":[{"Name":"<port GUID>","Id":"<friendly
 * name>","MacAddress":"00155D0A000E"}]}`) into ports. A friendly name starting with `Container NIC`
 * is the host vNIC (as microsoft/wcnscripts networkhealth.ps1 tells them apart); a friendly name that
 * is a GUID is taken as the endpoint's ID. Throws HcnArgumentError when the text is not that JSON.
 * @example
 * const ports = parseVfpPortsJson(execFileSync(vfpctrl, ['/list-vmswitch-port', '/format', '1'], { encoding: 'utf8' }));
 */
export function parseVfpPortsJson(text: string): VfpPort[] {
  let doc: unknown;
  try {
    doc = JSON.parse(String(text).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new HcnArgumentError('parseVfpPortsJson', `text is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const root = obj(doc);
  const list = root ? prop(root, 'Ports') : undefined;
  if (!Array.isArray(list)) throw new HcnArgumentError('parseVfpPortsJson', 'JSON is not a vfpctrl port listing: expected {"Ports":[...]}');
  const ports: VfpPort[] = [];
  for (const p of list) {
    const o = obj(p);
    if (!o) continue;
    const id = str(prop(o, 'Name'));
    if (id === undefined || id === '') continue;
    const name = str(prop(o, 'Id')) ?? '';
    const endpointId = normalizeGuid(name) ?? undefined;
    const kind = /^container nic/i.test(name) ? 'host' : endpointId !== undefined ? 'endpoint' : 'other';
    ports.push({ id: normalizeGuid(id) ?? id.toLowerCase(), name, mac: dashMac(str(prop(o, 'MacAddress'))), kind, endpointId, ipAddresses: [] });
  }
  return ports;
}
