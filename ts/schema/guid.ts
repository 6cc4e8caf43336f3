// GUID strings as HCN uses them: 36 characters, no braces, compared case-insensitively.

const GUID = /^[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$/;

/**
 * True for a 36-character GUID without braces (the form HCN's JSON uses).
 * @example
 * isGuid('3599612C-54B4-4B9D-9258-4FC5E2100549'); // true
 * isGuid('{3599612c-54b4-4b9d-9258-4fc5e2100549}'); // false
 */
export function isGuid(text: unknown): text is string {
  return typeof text === 'string' && GUID.test(text);
}

/**
 * Lower-case form of a GUID, or `null` when the text is not one.
 * @example
 * normalizeGuid('3599612C-54B4-4B9D-9258-4FC5E2100549'); // '3599612c-54b4-4b9d-9258-4fc5e2100549'
 */
export function normalizeGuid(text: unknown): string | null {
  return isGuid(text) ? text.toLowerCase() : null;
}

/**
 * True when two GUID strings name the same object (case-insensitive).
 * @example
 * sameGuid('ABC00000-0000-0000-0000-000000000000', 'abc00000-0000-0000-0000-000000000000'); // true
 */
export function sameGuid(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The all-zero GUID (HCN assigns the ID when a create passes it).
 * @example
 * GUID_NULL; // '00000000-0000-0000-0000-000000000000'
 */
export const GUID_NULL = '00000000-0000-0000-0000-000000000000';
