// Parsers for the `hcn` command's argument values. Each returns the SDK-shaped value or throws a
// UsageError that names the argument, so a bad IP or port never reaches HNS.
import { parseIp } from '../net/ip';
import type { Distribution, Protocol } from '../schema/models';
import { echo } from './format';
import { UsageError } from './usage-error';

/** A parsed `--port PROTO:EXT[:INT]`. */
export interface PortArg {
  protocol: Protocol;
  external: number;
  internal: number;
}

/** A parsed `--backend IP|ID`. */
export type BackendArg = { kind: 'ip'; ip: string } | { kind: 'id'; id: string };

const PROTOCOLS: Record<string, Protocol> = { tcp: 'tcp', udp: 'udp', sctp: 'sctp', any: 'any', '6': 'tcp', '17': 'udp', '132': 'sctp', '0': 'any' };

const GUID_BODY = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// Braces both or neither: '{guid' and 'guid}' are typos, not IDs.
const GUID_RE = new RegExp(`^(?:\\{(${GUID_BODY})\\}|(${GUID_BODY}))$`, 'i');

// Nothing is trimmed (a no-break space pasted around an address is not silently dropped); a
// value with spaces around it is refused with a message that says so.
function spaced(value: string): string {
  return /^\s|\s$/.test(value) ? ' (it has spaces around it; nothing is trimmed)' : '';
}

/** Canonical IP address, or a UsageError naming `argument`. */
export function parseIpArg(argument: string, value: string): string {
  const parsed = parseIp(value);
  if (!parsed) throw new UsageError(argument, `${argument} '${echo(value)}' is not an IPv4 or IPv6 address${spaced(value)}`);
  return parsed.address;
}

/**
 * A TCP/UDP port number 1–65535 (`what` says which one and `whole` is the full argument value, for
 * the message).
 */
export function parsePortNumber(argument: string, value: string, what = 'port', whole = value): number {
  if (!/^\d+$/.test(value)) {
    throw new UsageError(argument, `${argument} '${echo(whole)}': ${what} must be a whole number from 1 to 65535`);
  }
  const n = Number(value);
  if (n < 1 || n > 65535) throw new UsageError(argument, `${argument} '${echo(whole)}': ${what} ${n} is out of range (1-65535)`);
  return n;
}

/** `tcp`, `udp`, `any` (any case) or their IP protocol numbers 6, 17, 0; `sctp`/132 is refused (HNS has no SCTP). */
export function parseProtocolArg(argument: string, value: string, whole = value): Protocol {
  const p = PROTOCOLS[value.toLowerCase()];
  if (!p) throw new UsageError(argument, `${argument} '${echo(whole)}': unknown protocol '${echo(value)}' (use tcp, udp or any)`);
  // HNS's ProtocolType has no SCTP; Kubernetes documents SCTP as unsupported on Windows.
  if (p === 'sctp') throw new UsageError(argument, `${argument} '${echo(whole)}': SCTP is not supported by HNS (use tcp, udp or any)`);
  return p;
}

/** `PROTO:EXT[:INT]`, e.g. `tcp:8000:80` (external 8000 to backend port 80) or `udp:53` (53 to 53). */
export function parsePortArg(argument: string, value: string): PortArg {
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.length === 0)) {
    throw new UsageError(
      argument,
      `${argument} '${echo(value)}' is not PROTO:EXTERNAL[:INTERNAL]`,
      `for example ${argument} tcp:8000:80 (clients connect to 8000, backends listen on 80)`,
    );
  }
  const protocol = parseProtocolArg(argument, parts[0]!, value);
  const external = parsePortNumber(argument, parts[1]!, 'external port', value);
  const internal = parts.length === 3 ? parsePortNumber(argument, parts[2]!, 'internal port', value) : external;
  return { protocol, external, internal };
}

/** Lower-case GUID without braces, or null when `value` is not a GUID. */
export function asGuid(value: string): string | null {
  const m = GUID_RE.exec(value);
  return m ? (m[1] ?? m[2])!.toLowerCase() : null;
}

/** An HNS object ID (a GUID, braces optional), lower-cased. */
export function parseIdArg(argument: string, value: string): string {
  const id = asGuid(value);
  if (!id) {
    throw new UsageError(argument, `${argument} '${echo(value)}' is not an HNS ID (a GUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301, braces both or neither)${spaced(value)}`);
  }
  return id;
}

/** `--backend`: an endpoint IP address or an endpoint ID. */
export function parseBackendArg(argument: string, value: string): BackendArg {
  const id = asGuid(value);
  if (id) return { kind: 'id', id };
  const parsed = parseIp(value);
  if (parsed) return { kind: 'ip', ip: parsed.address };
  throw new UsageError(argument, `${argument} '${echo(value)}' is neither an IP address nor an endpoint ID (GUID)${spaced(value)}`);
}

/** `--affinity none|source-ip|source-ip-protocol` (camelCase SDK names are accepted too). */
export function parseAffinityArg(argument: string, value: string): Distribution {
  switch (value.toLowerCase()) {
    case 'none':
      return 'none';
    case 'source-ip':
    case 'sourceip':
      return 'sourceIp';
    case 'source-ip-protocol':
    case 'sourceipprotocol':
      return 'sourceIpProtocol';
    default:
      throw new UsageError(argument, `${argument} '${echo(value)}': use none, source-ip or source-ip-protocol`);
  }
}

/** `--timeout MS`: a positive whole number of milliseconds. */
export function parseTimeoutArg(argument: string, value: string): number {
  const v = value;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 2_147_483_647) {
    throw new UsageError(argument, `${argument} '${echo(value)}' must be a whole number of milliseconds (1 or more)`);
  }
  return Number(v);
}

/** `hcn sim version MAJOR.MINOR`. */
export function parseVersionArg(argument: string, value: string): { major: number; minor: number } {
  const m = /^(\d{1,4})\.(\d{1,4})$/.exec(value);
  if (!m) throw new UsageError(argument, `${argument} '${echo(value)}' is not an HNS version like 15.5`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** `--backend hcn|simulated` (the global option choosing which HNS to drive). */
export function parseBackendNameArg(argument: string, value: string): 'hcn' | 'simulated' {
  const v = value.toLowerCase();
  if (v === 'hcn' || v === 'simulated') return v;
  if (v === 'sim' || v === 'simulator') return 'simulated';
  throw new UsageError(argument, `${argument} '${echo(value)}': use hcn (the real HNS) or simulated (the embedded simulator)`);
}

/** Commander collector for repeatable options. */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}
