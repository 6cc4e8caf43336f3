// The path of one packet through VFP load-balancing rules: which rule on which port and layer takes
// it, the DIP it goes to (chosen by a hash of the 5-tuple, so the same flow always gets the same DIP),
// each rewrite, and the reply's path (straight from the backend with DSR, back through the load
// balancer without). Pure: it reads typed rules, from the simulator or from a capture.
import { HcnArgumentError } from '../errors';
import { canonicalIp } from '../net/ip';
import type { VfpDip, VfpPort, VfpRule } from './model';

/**
 * The rules of one port (or of a capture whose port is not known: `port` undefined).
 * @example
 * const rules: VfpPortRules[] = [{ port: undefined, rules: parseVfpRules(capture) }];
 */
export interface VfpPortRules {
  /** The port the rules are on, when known. */
  port: VfpPort | undefined;
  /** Its rules. */
  rules: VfpRule[];
}

/**
 * The packet to trace: `from` is `IP` or `IP:PORT` (`[v6]:PORT` for IPv6), `to` is `IP:PORT`.
 * @example
 * const flow: VfpFlow = { from: '10.0.1.5:40000', to: '13.0.0.13:8000', protocol: 'tcp' };
 */
export interface VfpFlow {
  /** Source address, with an optional port (default 0, which the trace then says). */
  from: string;
  /** Destination address and port. */
  to: string;
  /** `tcp` (default) or `udp`. */
  protocol?: 'tcp' | 'udp' | undefined;
}

/**
 * One address and port of a traced packet.
 * @example
 * const a: VfpAddress = { ip: '13.0.0.13', port: 8000 };
 */
export interface VfpAddress {
  /** The IP address, canonical. */
  ip: string;
  /** The port. */
  port: number;
}

/**
 * One hop of a traced packet: where it is, what happens there, and the packet as it leaves.
 * @example
 * for (const h of trace.request) console.log(h.at, h.action);
 */
export interface VfpHop {
  /** Where the packet is (`client`, `port <name>`, `backend`, ...). */
  at: string;
  /** The VFP port ID when the hop is on a port. */
  portId: string | null;
  /** The layer of the rule applied here, if any. */
  layer: string | null;
  /** The group of the rule applied here, if any. */
  group: string | null;
  /** The rule applied here, if any. */
  rule: string | null;
  /** What happens, in words. */
  action: string;
  /** The rewrites made here (`destination 13.0.0.13:8000 -> 10.0.0.15:80`, `destination MAC -> 00-15-5D-0A-00-0F`). */
  rewrites: string[];
  /** Source of the packet after this hop. */
  source: VfpAddress;
  /** Destination of the packet after this hop. */
  destination: VfpAddress;
}

/**
 * The packet a trace followed.
 * @example
 * const { source, destination } = trace.flow;
 */
export interface VfpTracedFlow {
  /** `tcp` or `udp`. */
  protocol: 'tcp' | 'udp';
  /** Its IP protocol number (6, 17). */
  protocolNumber: number;
  /** Source address and port. */
  source: VfpAddress;
  /** Destination address and port. */
  destination: VfpAddress;
  /** Whether the source port was given (else 0 was used). */
  sourcePortGiven: boolean;
}

/**
 * The rule that took a traced packet, and where it is.
 * @example
 * console.log(`${trace.rule!.name} on ${trace.rule!.portId} (${trace.rule!.layer})`);
 */
export interface VfpTracedRule {
  /** Rule ID. */
  name: string;
  /** Its layer. */
  layer: string | null;
  /** Its group. */
  group: string | null;
  /** The port it is on (null for a capture without port). */
  portId: string | null;
  /** That port's friendly name. */
  portName: string | null;
}

/**
 * The DIP a traced packet was sent to.
 * @example
 * if (trace.dip && !trace.dip.local) console.log('backend on another node');
 */
export interface VfpTracedDip {
  /** Backend address. */
  ip: string;
  /** Backend port. */
  port: number;
  /** The backend's VFP port on this node, if it has one here. */
  portId: string | null;
  /** That port's friendly name. */
  portName: string | null;
  /** The backend port's MAC (the destination MAC rewrite), when known. */
  mac: string | null;
  /** The backend has a port on this node. */
  local: boolean;
}

/**
 * The result of {@link traceVfpFlow} (and `explainFlow`, `hcn trace --json`).
 * @example
 * const t = traceVfpFlow(rules, { from: '10.0.1.5:40000', to: '13.0.0.13:8000' });
 * if (t.matched) console.log(t.rule!.name, t.dip, t.dsr ? 'direct reply' : 'reply through the load balancer');
 */
export interface VfpTrace {
  /** A load-balancing rule took the packet. */
  matched: boolean;
  /** Why nothing matched (no such VIP, wrong port, wrong protocol), or null. */
  reason: string | null;
  /** The packet traced. */
  flow: VfpTracedFlow;
  /** The rule that took it, and where. */
  rule: VfpTracedRule | null;
  /** Whether the rule is a DSR rule (layer LB_DSR); null without a match. */
  dsr: boolean | null;
  /** The rule's DIPs, in listing order. */
  candidates: VfpDip[];
  /** The DIP chosen, with the port and endpoint it belongs to when the listing shows them. */
  dip: VfpTracedDip | null;
  /** How the DIP was chosen (the same 5-tuple always picks the same DIP). */
  dipChoice: string | null;
  /** The request's hops, client to backend. */
  request: VfpHop[];
  /** The reply's hops, backend to client. */
  reply: VfpHop[];
}

const PROTOCOLS = { tcp: 6, udp: 17 } as const;
/** Load-balancing layers in the order a trace tries them (DSR first, then the host vNIC's, then the NAT layer). */
const LAYER_ORDER = ['LB_DSR', 'SLB_LB_LAYER', 'LB', 'SLB_NAT_LAYER'];

function parseAddress(text: string, needPort: boolean, what: string): { ip: string; port: number; given: boolean } {
  if (typeof text !== 'string') throw new HcnArgumentError('traceVfpFlow', `${what} must be a string IP[:PORT] (got ${typeof text})`);
  const s = text.trim();
  let host = s;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1]!;
    port = bracket[2];
  } else if ((s.match(/:/g) ?? []).length === 1) {
    [host, port] = s.split(':') as [string, string];
  }
  const ip = canonicalIp(host);
  if (ip === null) throw new HcnArgumentError('traceVfpFlow', `${what} must be IP${needPort ? ':PORT' : '[:PORT]'} with an IPv4 or IPv6 address (got ${JSON.stringify(text)})`);
  if (port === undefined) {
    if (needPort) throw new HcnArgumentError('traceVfpFlow', `${what} must name a port: IP:PORT (got ${JSON.stringify(text)})`);
    return { ip, port: 0, given: false };
  }
  const n = Number(port);
  if (!/^\d{1,5}$/.test(port) || n < (needPort ? 1 : 0) || n > 65535) throw new HcnArgumentError('traceVfpFlow', `${what}'s port must be ${needPort ? '1' : '0'}-65535 (got ${port})`);
  return { ip, port: n, given: true };
}

/** FNV-1a over the 5-tuple: a stable, documented choice (HNS's own hash is not public). */
function flowHash(tuple: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tuple.length; i++) {
    h ^= tuple.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function sameIp(a: string, b: string): boolean {
  return (canonicalIp(a) ?? a) === (canonicalIp(b) ?? b);
}

interface Located {
  rule: VfpRule;
  port: VfpPort | undefined;
}

function ruleVips(r: VfpRule): string[] {
  return r.match.destinationIps.length > 0 ? r.match.destinationIps : r.vip !== undefined ? [r.vip] : [];
}

function rulePorts(r: VfpRule): number[] {
  return r.match.destinationPorts.length > 0 ? r.match.destinationPorts : r.vipPort !== undefined ? [r.vipPort] : [];
}

function layerRank(layer: string | undefined): number {
  const i = LAYER_ORDER.indexOf((layer ?? '').toUpperCase());
  return i < 0 ? LAYER_ORDER.length : i;
}

function portLabel(port: VfpPort | undefined): string {
  if (!port) return 'the captured port';
  return port.kind === 'host' ? `host vNIC port ${port.id}` : `port ${port.id}${port.ipAddresses.length > 0 ? ` (${port.ipAddresses[0]})` : ''}`;
}

const addr = (a: VfpAddress): string => (a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`);

/**
 * Walks one packet through VFP load-balancing rules (lbnat rules of the LB_DSR, SLB_LB_LAYER, LB
 * and SLB_NAT_LAYER layers, tried in that order; the source's own port first when the source is a
 * local endpoint). A rule takes the packet when its protocol, destination IP (else its rule data's
 * VIP) and destination port (else VIP port) fit. The DIP is chosen by a hash (FNV-1a) of the 5-tuple
 * over the rule's DIP list, so the same 5-tuple always picks the same DIP; HNS's own choice is not
 * public. The reply leg follows the rule's kind: a DSR rule's backend answers the client directly
 * with the VIP as source; otherwise the reply goes back through the load-balancing rule, which puts
 * the VIP back as source. Nothing matching gives `matched: false` and a reason. Throws
 * HcnArgumentError on a malformed flow.
 * @example
 * const t = traceVfpFlow([{ port: undefined, rules: parseVfpRules(capture) }], { from: '10.0.1.5:40000', to: '13.0.0.13:8000', protocol: 'tcp' });
 * console.log(formatVfpTrace(t));
 */
export function traceVfpFlow(listings: readonly VfpPortRules[], flow: VfpFlow): VfpTrace {
  if (typeof flow !== 'object' || flow === null) throw new HcnArgumentError('traceVfpFlow', 'flow must be an object { from, to, protocol? }');
  const protocol = flow.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp') throw new HcnArgumentError('traceVfpFlow', `protocol must be tcp or udp (got ${JSON.stringify(protocol)})`);
  const src = parseAddress(flow.from, false, 'from');
  const dst = parseAddress(flow.to, true, 'to');
  const proto = PROTOCOLS[protocol];
  const source = { ip: src.ip, port: src.port };
  const destination = { ip: dst.ip, port: dst.port };
  const base: VfpTrace = {
    matched: false,
    reason: null,
    flow: { protocol, protocolNumber: proto, source, destination, sourcePortGiven: src.given },
    rule: null,
    dsr: null,
    candidates: [],
    dip: null,
    dipChoice: null,
    request: [],
    reply: [],
  };
  const located: Located[] = [];
  const sourcePort = listings.find((l) => l.port?.ipAddresses.some((ip) => sameIp(ip, src.ip)))?.port;
  const ordered = sourcePort ? [...listings.filter((l) => l.port === sourcePort), ...listings.filter((l) => l.port !== sourcePort)] : [...listings];
  for (const l of ordered) for (const rule of l.rules) if ((rule.type ?? '').toLowerCase() === 'lbnat') located.push({ rule, port: l.port });
  located.sort((a, b) => layerRank(a.rule.layer) - layerRank(b.rule.layer));

  const byVip = located.filter((x) => ruleVips(x.rule).some((v) => sameIp(v, dst.ip)));
  const byPort = byVip.filter((x) => rulePorts(x.rule).length === 0 || rulePorts(x.rule).includes(dst.port));
  const hit = byPort.find((x) => x.rule.match.protocols.length === 0 || x.rule.match.protocols.includes(proto));
  if (!hit) {
    let reason: string;
    if (byVip.length === 0) {
      const vips = [...new Set(located.flatMap((x) => ruleVips(x.rule)))];
      reason = `no load-balancing rule has VIP ${dst.ip}${vips.length > 0 ? ` (VIPs in the rules: ${vips.join(', ')})` : ' (the listing has no load-balancing rule)'}`;
    } else if (byPort.length === 0) {
      const ports = [...new Set(byVip.flatMap((x) => rulePorts(x.rule)))];
      reason = `VIP ${dst.ip} is not balanced on port ${dst.port} (its rules take port${ports.length === 1 ? '' : 's'} ${ports.join(', ')})`;
    } else {
      const protos = [...new Set(byPort.flatMap((x) => x.rule.match.protocols))].map((n) => (n === 6 ? 'tcp' : n === 17 ? 'udp' : String(n)));
      reason = `${addr(destination)} is balanced for ${protos.join(', ')}, not ${protocol}`;
    }
    return { ...base, reason };
  }

  const { rule, port } = hit;
  const dsr = (rule.layer ?? '').toUpperCase() === 'LB_DSR';
  const candidates = rule.dips.filter((d, i) => rule.dips.findIndex((e) => sameIp(e.ip, d.ip) && e.port === d.port) === i);
  const ruleRef = { name: rule.name, layer: rule.layer ?? null, group: rule.group ?? null, portId: port?.id ?? null, portName: port?.name ?? null };
  const client: VfpHop = {
    at: 'client',
    portId: sourcePort?.id ?? null,
    layer: null,
    group: null,
    rule: null,
    action: `sends ${protocol} ${addr(source)} -> ${addr(destination)}${src.given ? '' : ' (source port not given: 0 used)'}`,
    rewrites: [],
    source,
    destination,
  };
  if (candidates.length === 0) {
    const hop: VfpHop = { ...client, at: portLabel(port), portId: port?.id ?? null, layer: ruleRef.layer, group: ruleRef.group, rule: rule.name, action: 'matches, but the rule lists no DIP: the packet has nowhere to go', rewrites: [] };
    return { ...base, matched: true, reason: `rule ${rule.name} matches but lists no DIP`, rule: ruleRef, dsr, request: [client, hop] };
  }
  const tuple = `${proto}|${source.ip}|${source.port}|${destination.ip}|${destination.port}`;
  const index = flowHash(tuple) % candidates.length;
  const chosen = candidates[index]!;
  const dipPort = listings.find((l) => l.port?.ipAddresses.some((ip) => sameIp(ip, chosen.ip)))?.port;
  const dipAddr: VfpAddress = { ip: canonicalIp(chosen.ip) ?? chosen.ip, port: chosen.port };
  const macRewrite = dipPort?.mac ? [`destination MAC -> ${dipPort.mac}`] : [];
  const lbHop: VfpHop = {
    at: portLabel(port),
    portId: port?.id ?? null,
    layer: ruleRef.layer,
    group: ruleRef.group,
    rule: rule.name,
    action: `${rule.name} matches (${protocol}, ${addr(destination)}); DIP ${addr(dipAddr)} chosen (${index + 1} of ${candidates.length})`,
    rewrites: [`destination ${addr(destination)} -> ${addr(dipAddr)}`, ...macRewrite],
    source,
    destination: dipAddr,
  };
  const backend: VfpHop = {
    at: dipPort ? `backend ${portLabel(dipPort)}` : `backend ${dipAddr.ip} (not on this node's ports: over the network to its host)`,
    portId: dipPort?.id ?? null,
    layer: null,
    group: null,
    rule: null,
    action: `delivered to ${addr(dipAddr)}`,
    rewrites: [],
    source,
    destination: dipAddr,
  };
  const reply: VfpHop[] = [];
  reply.push({ ...backend, action: `answers ${addr(dipAddr)} -> ${addr(source)}`, source: dipAddr, destination: source });
  if (dsr) {
    reply.push({
      at: dipPort ? portLabel(dipPort) : `backend ${dipAddr.ip}'s port`,
      portId: dipPort?.id ?? null,
      layer: ruleRef.layer,
      group: ruleRef.group,
      rule: rule.name,
      action: 'DSR: the flow of the LB_DSR rule puts the VIP back as source; the reply goes straight to the client, bypassing the load-balancing layer',
      rewrites: [`source ${addr(dipAddr)} -> ${addr(destination)}`],
      source: destination,
      destination: source,
    });
  } else {
    reply.push({
      at: portLabel(port),
      portId: port?.id ?? null,
      layer: ruleRef.layer,
      group: ruleRef.group,
      rule: rule.name,
      action: 'no DSR: the reply goes back through the load-balancing rule, which puts the VIP back as source',
      rewrites: [`source ${addr(dipAddr)} -> ${addr(destination)}`],
      source: destination,
      destination: source,
    });
  }
  reply.push({ at: 'client', portId: sourcePort?.id ?? null, layer: null, group: null, rule: null, action: `receives ${addr(destination)} -> ${addr(source)}`, rewrites: [], source: destination, destination: source });
  return {
    ...base,
    matched: true,
    rule: ruleRef,
    dsr,
    candidates,
    dip: { ip: dipAddr.ip, port: dipAddr.port, portId: dipPort?.id ?? null, portName: dipPort?.name ?? null, mac: dipPort?.mac ?? null, local: dipPort !== undefined },
    dipChoice: `FNV-1a hash of the 5-tuple (${protocol} ${addr(source)} -> ${addr(destination)}) modulo ${candidates.length} DIPs: the same 5-tuple always picks the same DIP`,
    request: [client, lbHop, backend],
    reply,
  };
}

/**
 * Draws a trace as the DSR walkthrough's two diagrams: the request leg through the load-balancing
 * rule and the reply leg (direct with DSR, back through the load balancer without), as ASCII text
 * (`text`, default) or a Mermaid sequence diagram (`mermaid`).
 * @example
 * console.log(formatVfpTrace(trace, 'mermaid'));
 */
export function formatVfpTrace(trace: VfpTrace, format: 'text' | 'mermaid' = 'text'): string {
  const f = trace.flow;
  const head = `${f.protocol} ${addr(f.source)} -> ${addr(f.destination)}`;
  if (format === 'mermaid') {
    const lines = ['sequenceDiagram', '  participant C as Client ' + addr(f.source)];
    if (!trace.matched || !trace.dip) {
      lines.push('  participant V as VFP', `  C->>V: ${head}`, `  Note over V: ${trace.reason ?? 'no match'}`);
      return lines.join('\n') + '\n';
    }
    lines.push(`  participant L as ${trace.rule!.layer ?? 'LB'} (${trace.rule!.name})`, `  participant B as Backend ${addr(trace.dip)}`);
    lines.push(`  C->>L: ${addr(f.source)} -> ${addr(f.destination)}`);
    lines.push(`  Note over L: DNAT to ${addr(trace.dip)} (5-tuple hash)`);
    lines.push(`  L->>B: ${addr(f.source)} -> ${addr(trace.dip)}`);
    if (trace.dsr) {
      lines.push(`  B-->>C: ${addr(f.destination)} -> ${addr(f.source)} (DSR: direct, VIP as source)`);
    } else {
      lines.push(`  B-->>L: ${addr(trace.dip)} -> ${addr(f.source)}`);
      lines.push(`  L-->>C: ${addr(f.destination)} -> ${addr(f.source)} (through the load balancer)`);
    }
    return lines.join('\n') + '\n';
  }
  const out: string[] = [`flow: ${head}`];
  if (!trace.matched || !trace.dip) {
    out.push(`no match: ${trace.reason ?? 'unknown'}`);
    return out.join('\n') + '\n';
  }
  const r = trace.rule!;
  out.push(`rule: ${r.name}  (layer ${r.layer ?? '-'}, group ${r.group ?? '-'}, ${r.portId ? `port ${r.portId}` : 'captured port'})`);
  out.push(`DIP:  ${addr(trace.dip)}  (${trace.dipChoice})`);
  out.push(`mode: ${trace.dsr ? 'DSR: the backend replies directly with the VIP as source' : 'no DSR: the reply returns through the load balancer'}`);
  out.push('', 'request:');
  out.push(`  client ${addr(f.source)} ──▶ [${r.layer ?? 'LB'}: ${r.name}] ──DNAT ${addr(f.destination)} → ${addr(trace.dip)}──▶ backend ${addr(trace.dip)}`);
  out.push('', 'reply:');
  if (trace.dsr) out.push(`  backend ${addr(trace.dip)} ──source ${addr(trace.dip)} → ${addr(f.destination)}──▶ client ${addr(f.source)}   (direct, bypasses the load balancer)`);
  else out.push(`  backend ${addr(trace.dip)} ──▶ [${r.layer ?? 'LB'}: ${r.name}] ──source → ${addr(f.destination)}──▶ client ${addr(f.source)}   (back through the load balancer)`);
  out.push('', 'hops:');
  for (const [leg, hops] of [['request', trace.request], ['reply', trace.reply]] as const) {
    hops.forEach((h, i) => out.push(`  ${leg} ${i + 1}. ${h.at}: ${h.action}${h.rewrites.length > 0 ? ` [${h.rewrites.join('; ')}]` : ''}`));
  }
  return out.join('\n') + '\n';
}
