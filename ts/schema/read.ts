// Tolerant readers shared by the HNS document parsers: JSON-or-object input, case-insensitive keys,
// defaults for missing fields.
import { HcnError } from '../errors';
import { canonicalIp } from '../net/ip';

/** A JSON object as read from HNS. */
export type JsonObject = Record<string, unknown>;

/** The object form of a document given as JSON text or an object; throws HcnError HCN_INVALID_RESPONSE. */
export function toObject(input: unknown, operation: string): JsonObject {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation, detail: `not JSON: ${input.slice(0, 200)}` });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation, detail: 'expected a JSON object' });
  }
  return value as JsonObject;
}

/** Field by exact name, else by case-insensitive name (HNS versions differ in ID/Id casing). */
export function field(o: JsonObject, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

export function str(o: JsonObject, name: string): string | undefined {
  const v = field(o, name);
  return typeof v === 'string' ? v : undefined;
}

export function num(o: JsonObject, name: string): number | undefined {
  const v = field(o, name);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

export function arr(o: JsonObject, name: string): unknown[] {
  const v = field(o, name);
  return Array.isArray(v) ? v : [];
}

export function obj(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

export function strings(o: JsonObject, name: string): string[] {
  return arr(o, name).filter((x): x is string => typeof x === 'string');
}

/** Canonical IP when the text is one, else the text unchanged (never loses what HNS said). */
export function ipOrRaw(text: string): string {
  return canonicalIp(text) ?? text;
}

/** Policies of a given Type (case-insensitive), with their Settings objects. */
export function policiesOfType(o: JsonObject, type: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (const p of arr(o, 'Policies')) {
    const po = obj(p);
    if (!po) continue;
    const t = str(po, 'Type');
    if (t === undefined || t.toLowerCase() !== type.toLowerCase()) continue;
    out.push(obj(field(po, 'Settings')) ?? {});
  }
  return out;
}
