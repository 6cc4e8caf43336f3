// HostComputeQuery JSON (the Filter is itself a JSON string) and the enumerate response.
import type { HostComputeQuery } from './hns-types';
import { normalizeGuid } from './guid';

/**
 * HostComputeQuery JSON: SchemaVersion 2.0, `Flags` 1 when detailed, and the filter object
 * JSON-encoded into the `Filter` string. Zero flags and an empty filter are omitted, as hcsshim does.
 * @example
 * query();                   // '{"SchemaVersion":{"Major":2,"Minor":0}}'
 * query({ Name: 'vxlan0' }); // '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\"Name\":\"vxlan0\"}"}'
 */
export function query(filter?: Record<string, string>, detailed?: boolean): string {
  const q: HostComputeQuery = { SchemaVersion: { Major: 2, Minor: 0 } };
  if (detailed) q.Flags = 1;
  if (filter !== undefined && Object.keys(filter).length > 0) q.Filter = JSON.stringify(filter);
  return JSON.stringify(q);
}

/**
 * Reads an HcnEnumerate* result (a JSON array of GUID strings) into lower-case IDs. An empty or
 * `null` result is an empty list; anything that is not a GUID is skipped.
 * @example
 * parseEnumerateResponse('["3599612C-54B4-4B9D-9258-4FC5E2100549"]'); // ['3599612c-54b4-4b9d-9258-4fc5e2100549']
 */
export function parseEnumerateResponse(json: string): string[] {
  if (json.trim() === '') return [];
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    const id = normalizeGuid(typeof item === 'object' && item !== null ? (item as { ID?: unknown }).ID : item);
    if (id !== null) out.push(id);
  }
  return out;
}
