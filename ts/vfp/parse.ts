// Parser of `vfpctrl /list-rule` text output (also /list-group and /list-layer listings that contain
// rules): LAYER / GROUP / RULE blocks with their `Key : value` fields and the Conditions / Rule Data
// sections, so captured output can be checked without scraping it by regex.

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
 * One `RULE : <name>` block of vfpctrl output.
 * @example
 * const [rule] = parseVfpRules(text);
 * if (rule?.type === 'lbnat') console.log(rule.name, rule.priority, rule.dips);
 */
export interface VfpRule {
  /** The rule name (`RULE : <name>`). */
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
  /** Every top-level `Key : value` line of the block, keys as printed (first one wins). */
  fields: Record<string, string>;
}

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
const FIELD = /^(\s*)([^:]+?)\s*:\s*(.*?)\s*$/;
const SECTIONS: Record<string, 'conditions' | 'data'> = { conditions: 'conditions', 'rule data': 'data' };
/** Keys printed at the level of the rule itself: one of them ends a section even when it is not outdented. */
const BLOCK_KEYS = new Set(['friendly name', 'priority', 'flags', 'type', 'direction', 'match type', 'flow ttl', 'conditions', 'rule data']);
const DIP = /\{\s*([^{}\s]+)\s*:\s*(\d{1,5})\s*\}/g;

function leadingNumber(text: string): number | undefined {
  const m = /^(0x[0-9a-f]+|\d+)\b/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

function newRule(name: string, layer: string | undefined, group: string | undefined): VfpRule {
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
    fields: {},
  };
}

function setField(rule: VfpRule, key: string, value: string): void {
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
    case 'flags': {
      rule.flags = leadingNumber(value);
      rule.flagNames = value.trim().split(/\s+/).slice(rule.flags === undefined ? 0 : 1).filter((w) => w !== '');
      break;
    }
  }
}

/**
 * Parses vfpctrl listing text into its rules. Lines that are neither headers, fields nor section
 * lines (`ITEM LIST`, `=====`, `Command list-rule succeeded!`) are ignored; `GROUP`/`LAYER` blocks
 * only set the context of the rules after them. Tolerant of CRLF, tabs and indentation differences.
 * @example
 * const rules = parseVfpRules(fs.readFileSync('list-rule.txt', 'utf8'));
 * const dsr = rules.filter((r) => r.name.startsWith('LB_DSR_'));
 */
export function parseVfpRules(text: string, options: VfpParseOptions = {}): VfpRule[] {
  const rules: VfpRule[] = [];
  let layer = options.layer;
  let group = options.group;
  let rule: VfpRule | undefined;
  let section: { kind: 'conditions' | 'data'; indent: number } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\t/g, '    ');
    if (line.trim() === '') {
      section = undefined;
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      section = undefined;
      const [, , kind, name] = header;
      if (kind === 'LAYER') {
        layer = name;
        group = undefined;
        rule = undefined;
      } else if (kind === 'GROUP') {
        group = name;
        rule = undefined;
      } else if (kind === 'RULE') {
        rule = newRule(name!, layer, group);
        rules.push(rule);
      } else rule = undefined;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const f = FIELD.exec(line);
    const key = f?.[2]?.toLowerCase();
    if (section && (indent > section.indent || (indent === section.indent && !(key !== undefined && BLOCK_KEYS.has(key))))) {
      if (rule) {
        const text = line.trim();
        if (section.kind === 'conditions') {
          if (text !== '<none>') rule.conditions.push(text);
        } else {
          rule.data.push(text);
          for (const m of text.matchAll(DIP)) rule.dips.push({ ip: m[1]!, port: Number(m[2]) });
        }
      }
      continue;
    }
    section = undefined;
    if (!f || !rule) continue;
    const kindOfSection = SECTIONS[key!];
    if (kindOfSection && f[3] === '') {
      section = { kind: kindOfSection, indent };
      continue;
    }
    setField(rule, f[2]!, f[3]!);
    // `DIP Range(s) : { ip : port } ...` may sit at rule level in some builds: keep its backends too.
    if (/^dip range/i.test(f[2]!)) for (const m of f[3]!.matchAll(DIP)) rule.dips.push({ ip: m[1]!, port: Number(m[2]) });
  }
  return rules;
}
