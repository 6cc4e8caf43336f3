// IP address parsing, canonical text (RFC 5952 for IPv6), prefix membership, and kube-proxy's
// remote-endpoint MAC. Our own strict parser rather than node:net: isIP accepts zone IDs
// ('fe80::1%eth0'), which HNS cannot take, and gives no bytes or canonical form, which we need for
// duplicate detection and for comparing what we sent with what HNS returns. The property tests check
// that this parser agrees with node:net isIP on everything without a zone ID.

/**
 * A parsed address: canonical text and family.
 * @example
 * const p: ParsedIp = { address: '2001:db8::1', family: 6 };
 */
export interface ParsedIp {
  /** Canonical form: dotted quad without leading zeros, or RFC 5952 IPv6 text. */
  address: string;
  /** Address family. */
  family: 4 | 6;
}

const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/**
 * Scans a dotted quad by character codes (the hot path of every create and list: no split, no
 * regex, no garbage). Decimal octets 0–255 without leading zeros ('010' is octal to inet_aton and
 * decimal to others, so it is refused). Pushes the four octets to `out` when given.
 */
function scanV4(text: string, out: number[] | null): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let octets = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 46; // a '.' after the end closes the last octet
    if (c === 46) {
      if (digits === 0 || value > 255 || ++octets > 4) return false;
      if (out) out.push(value);
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // a leading zero
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else {
      return false;
    }
  }
  return octets === 4;
}

function parseV4Bytes(text: string): number[] | null {
  const out: number[] = [];
  return scanV4(text, out) ? out : null;
}

function parseV6Bytes(text: string): number[] | null {
  if (text.length < 2 || text.length > 45) return null;
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return null;
  const parseGroups = (s: string, allowV4Tail: boolean): number[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && allowV4Tail && g.includes('.')) {
        const v4 = parseV4Bytes(g);
        if (!v4) return null;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!HEXTET.test(g)) return null;
        words.push(parseInt(g, 16));
      }
    }
    return words;
  };
  let words: number[];
  if (doubleColon === -1) {
    const w = parseGroups(text, true);
    if (!w || w.length !== 8) return null;
    words = w;
  } else {
    const head = parseGroups(text.slice(0, doubleColon), false);
    const tail = parseGroups(text.slice(doubleColon + 2), true);
    // '::' stands for at least one zero group (RFC 4291 §2.2).
    if (!head || !tail || head.length + tail.length > 7) return null;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

function formatV4(bytes: readonly number[], offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

function formatV6(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  const mapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
  const hexWords = mapped ? 6 : 8;
  // Longest run of two or more zero words, the first on a tie (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < hexWords; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < hexWords && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => words.slice(from, to).map((w) => w.toString(16)).join(':');
  let text: string;
  if (bestStart === -1) text = hex(0, hexWords);
  else text = `${hex(0, bestStart)}::${hex(bestStart + bestLen, hexWords)}`;
  if (mapped) text += (text.endsWith(':') ? '' : ':') + formatV4(bytes, 12);
  return text;
}

/**
 * The address bytes (4 or 16) of an IPv4 or IPv6 text, or `null` when it is not one.
 * @example
 * ipToBytes('10.0.0.14'); // Uint8Array [10, 0, 0, 14]
 */
export function ipToBytes(text: string): Uint8Array | null {
  if (typeof text !== 'string') return null;
  const bytes = text.includes(':') ? parseV6Bytes(text) : parseV4Bytes(text);
  return bytes ? Uint8Array.from(bytes) : null;
}

/**
 * Canonical text of 4 or 16 address bytes.
 * @example
 * bytesToIp(Uint8Array.from([10, 0, 0, 14])); // '10.0.0.14'
 */
export function bytesToIp(bytes: Uint8Array | readonly number[]): string {
  const b = Array.from(bytes);
  if (b.length === 4) return formatV4(b);
  if (b.length === 16) return formatV6(b);
  throw new RangeError(`an IP address has 4 or 16 bytes, not ${b.length}`);
}

/**
 * Parses an IPv4 dotted quad (no leading zeros) or any RFC 4291 IPv6 text (including `::` and an
 * embedded IPv4 tail); zone IDs, brackets, prefixes and surrounding spaces are refused.
 * @example
 * parseIp('2001:DB8:0:0:0:0:0:1'); // { address: '2001:db8::1', family: 6 }
 * parseIp('010.0.0.1');            // null
 */
export function parseIp(text: string): ParsedIp | null {
  if (typeof text !== 'string') return null;
  if (text.includes(':')) {
    const b = parseV6Bytes(text);
    return b ? { address: formatV6(b), family: 6 } : null;
  }
  // A valid dotted quad (no leading zeros) is already canonical.
  return scanV4(text, null) ? { address: text, family: 4 } : null;
}

/**
 * Canonical text of an address, or `null` when it is not one.
 * @example
 * canonicalIp('::FFFF:10.0.0.1'); // '::ffff:10.0.0.1'
 */
export function canonicalIp(text: string): string | null {
  return parseIp(text)?.address ?? null;
}

/**
 * Address family of a text: 4, 6, or `null` when it is not an address.
 * @example
 * ipFamily('13.0.0.13'); // 4
 */
export function ipFamily(text: string): 4 | 6 | null {
  return parseIp(text)?.family ?? null;
}

/**
 * True when the text is an IPv4 or IPv6 address (strict, see {@link parseIp}).
 * @example
 * isIp('10.0.0.256'); // false
 */
export function isIp(text: string): boolean {
  return parseIp(text) !== null;
}

/**
 * A parsed `address/length` prefix.
 * @example
 * const p: ParsedPrefix = { address: '10.244.3.0', family: 4, length: 24 };
 */
export interface ParsedPrefix extends ParsedIp {
  /** Prefix length in bits. */
  length: number;
}

/**
 * Parses `a.b.c.d/n` or `v6/n` (host bits may be set); `null` when malformed.
 * @example
 * parsePrefix('10.244.3.0/24'); // { address: '10.244.3.0', family: 4, length: 24 }
 */
export function parsePrefix(text: string): ParsedPrefix | null {
  if (typeof text !== 'string') return null;
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const ip = parseIp(text.slice(0, slash));
  const len = text.slice(slash + 1);
  if (!ip || !/^(?:0|[1-9]\d{0,2})$/.test(len)) return null;
  const length = Number(len);
  if (length > (ip.family === 4 ? 32 : 128)) return null;
  return { ...ip, length };
}

/**
 * True when `ip` lies in `prefix` (same family, first `n` bits equal). Malformed input gives false.
 * @example
 * ipInPrefix('10.244.3.7', '10.244.3.0/24'); // true
 * ipInPrefix('10.244.4.7', '10.244.3.0/24'); // false
 */
export function ipInPrefix(ip: string, prefix: string): boolean {
  const a = ipToBytes(ip);
  const p = parsePrefix(prefix);
  if (!a || !p) return false;
  const b = ipToBytes(p.address)!;
  if (a.length !== b.length) return false;
  let bits = p.length;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/**
 * The MAC kube-proxy gives a remote endpoint: `02-11-` + the IPv4 bytes in hex (IPv6: bytes 15, 14,
 * 13, 12; an IPv4-mapped IPv6 address counts as IPv4, as Go's To4 does). Throws TypeError for a non-address.
 * @example
 * macForRemoteEndpoint('10.244.3.7'); // '02-11-0a-f4-03-07'
 */
export function macForRemoteEndpoint(ip: string): string {
  const bytes = ipToBytes(ip);
  if (!bytes) throw new TypeError(`macForRemoteEndpoint: not an IP address: ${JSON.stringify(ip)}`);
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const four = bytes.length === 4 ? [...bytes] : mapped ? [...bytes.subarray(12)] : [bytes[15]!, bytes[14]!, bytes[13]!, bytes[12]!];
  return ['02', '11', ...four.map((x) => x.toString(16).padStart(2, '0'))].join('-');
}

/**
 * Why an address cannot be a VIP, source VIP or provider address: `'unspecified'` (0.0.0.0/8, ::),
 * `'loopback'` (127.0.0.0/8, ::1), `'multicast'` (224.0.0.0/4, ff00::/8), `'broadcast'`
 * (255.255.255.255), `'link-local'` (169.254.0.0/16, fe80::/10) or `'ipv4-mapped'` (::ffff:0:0/96,
 * an IPv4 address in IPv6 form: it would make an IPv6 load balancer for an IPv4 address).
 * @example
 * const kind: SpecialAddress = 'loopback';
 */
export type SpecialAddress = 'unspecified' | 'loopback' | 'multicast' | 'broadcast' | 'link-local' | 'ipv4-mapped';

/**
 * The special-purpose block an address falls in (see {@link SpecialAddress}), or `null` for an
 * ordinary unicast address (and for text that is not an address). Private, shared and reserved
 * unicast blocks (10/8, 100.64/10, 240/4, fc00::/7) are ordinary here: HNS setups use them as VIPs
 * (the SDN health checks use 250.0.0.10).
 * @example
 * specialAddress('127.0.0.1');        // 'loopback'
 * specialAddress('::ffff:13.0.0.60'); // 'ipv4-mapped'
 * specialAddress('13.0.0.13');        // null
 */
export function specialAddress(text: string): SpecialAddress | null {
  const b = ipToBytes(text);
  if (!b) return null;
  if (b.length === 4) {
    if (b[0] === 0) return 'unspecified';
    if (b[0] === 127) return 'loopback';
    if (b[0]! >= 224 && b[0]! <= 239) return 'multicast';
    if (b.every((x) => x === 255)) return 'broadcast';
    if (b[0] === 169 && b[1] === 254) return 'link-local';
    return null;
  }
  const zeroTo = (n: number): boolean => b.subarray(0, n).every((x) => x === 0);
  if (zeroTo(16)) return 'unspecified';
  if (zeroTo(15) && b[15] === 1) return 'loopback';
  if (b[0] === 0xff) return 'multicast';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local';
  if (zeroTo(10) && b[10] === 0xff && b[11] === 0xff) return 'ipv4-mapped';
  return null;
}

const SPECIAL_TEXT: Readonly<Record<SpecialAddress, string>> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  'link-local': 'a link-local address',
  'ipv4-mapped': 'an IPv4-mapped IPv6 address (write the IPv4 address itself)',
};

/**
 * A phrase for an error message, e.g. "a loopback address".
 * @example
 * describeSpecialAddress('broadcast'); // 'the broadcast address'
 */
export function describeSpecialAddress(kind: SpecialAddress): string {
  return SPECIAL_TEXT[kind];
}
