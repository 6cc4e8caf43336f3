// Renders typed VFP rules (and the layers and groups around them) in vfpctrl's `/list-rule` text
// layout, so the simulator's model reads like a capture from a Windows node and parseVfpListing reads
// it back to the same rules.
import type { VfpGroup, VfpLayer, VfpRule } from './model';

/**
 * Layer and group blocks to print around the rules of {@link renderVfpRules}: a layer or group
 * named by a rule and found here is printed with its fields, otherwise as a bare header line.
 * @example
 * renderVfpRules(listing.rules, { layers: listing.layers, groups: listing.groups });
 */
export interface VfpRenderOptions {
  /** Layer blocks (by name). */
  layers?: readonly VfpLayer[] | undefined;
  /** Group blocks (by layer and name). */
  groups?: readonly VfpGroup[] | undefined;
  /** The closing line (default `Command list-rule succeeded!`); `null` prints none. */
  trailer?: string | null | undefined;
}

function fieldLine(pad: string, key: string, value: string): string {
  return value === '' ? `${pad}${key} :` : `${pad}${key} : ${value}`;
}

function renderRule(rule: VfpRule, pad: string): string[] {
  const inner = pad + '   ';
  const section = inner + '    ';
  const lines = [`${pad}RULE : ${rule.name}`];
  for (const [key, value] of Object.entries(rule.fields)) if (key !== 'Flow TTL') lines.push(fieldLine(inner, key, value));
  lines.push(`${inner}Conditions:`);
  if (rule.conditions.length === 0) lines.push(`${section}<none>`);
  else for (const c of rule.conditions) lines.push(section + c);
  if ('Flow TTL' in rule.fields) lines.push(`${inner}Flow TTL: ${rule.fields['Flow TTL']}`);
  if (rule.data.length > 0) {
    lines.push(`${inner}Rule Data:`);
    for (const d of rule.data) lines.push(section + d);
  }
  lines.push('');
  return lines;
}

function renderBlock(kind: 'LAYER' | 'GROUP', name: string, fields: Record<string, string> | undefined, pad: string): string[] {
  const lines = [`${pad}${kind} : ${name}`];
  for (const [key, value] of Object.entries(fields ?? {})) {
    // A group's Conditions are printed as a section, as vfpctrl does.
    lines.push(fieldLine(pad + '   ', key, value));
  }
  lines.push('');
  return lines;
}

/**
 * vfpctrl's text layout for `rules`: `ITEM LIST`, then for each rule (in the given order) a `LAYER :`
 * and `GROUP :` header whenever its layer or group changes, the `RULE :` block with its fields, the
 * `Conditions:` section (`<none>` when empty), `Flow TTL` and the `Rule Data:` section. Reading the
 * text back with {@link parseVfpRules} gives the same rules (the round trip is property-tested).
 * @example
 * process.stdout.write(renderVfpRules(await hcn.vfp.rules({ layer: 'LB_DSR' })));
 */
export function renderVfpRules(rules: readonly VfpRule[], options: VfpRenderOptions = {}): string {
  const lines = ['ITEM LIST', '===========', ''];
  let layer: string | undefined;
  let group: string | undefined;
  let first = true;
  for (const rule of rules) {
    const layerChanged = first ? rule.layer !== undefined : rule.layer !== layer;
    if (layerChanged && rule.layer !== undefined) {
      const block = options.layers?.find((l) => l.name === rule.layer);
      lines.push(...renderBlock('LAYER', rule.layer, block?.fields, ''));
      group = undefined;
    }
    if ((layerChanged || first || rule.group !== group) && rule.group !== undefined) {
      const block = options.groups?.find((g) => g.name === rule.group && (g.layer === undefined || g.layer === rule.layer));
      lines.push(...renderBlock('GROUP', rule.group, block?.fields, '   '));
    }
    layer = rule.layer;
    group = rule.group;
    first = false;
    lines.push(...renderRule(rule, '      '));
  }
  if (options.trailer !== null) lines.push(options.trailer ?? 'Command list-rule succeeded!');
  return lines.join('\n') + '\n';
}
