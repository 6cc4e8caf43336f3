// The list filters of `hcn lb list`, `hcn lb delete --all`, `hcn verify dsr` and `hcn endpoint list`.
// Every filter option is repeatable: the values of one option are alternatives (OR), different options
// must all match (AND), and --protocol/--port must match within one port mapping.
import { Command } from 'commander';
import { canonicalIp } from '../net/ip';
import type { PortMapping, Protocol } from '../schema/models';
import { collect, parseIpArg, parsePortNumber, parseProtocolArg } from './args';

/** Parsed `--vip/--port/--protocol` (each possibly repeated). */
export interface FrontendFilterOptions {
  vip?: string[];
  port?: number[];
  protocol?: Protocol[];
}

/** Adds the repeatable `--vip`, `--port` and `--protocol` filters; `what` is e.g. `load balancers`. */
export function addFrontendFilters(cmd: Command, what: string): Command {
  return cmd
    .option('--vip <ip>', `only ${what} with this frontend VIP (repeat: any of them)`, collect((v) => parseIpArg('--vip', v)))
    .option('--port <n>', `only ${what} with this external port (repeat: any of them)`, collect((v) => parsePortNumber('--port', v)))
    .option('--protocol <proto>', `only ${what} with this protocol: tcp, udp, any (repeat: any of them)`, collect((v) => parseProtocolArg('--protocol', v)));
}

/** Whether any filter was given. */
export function hasFrontendFilter(o: FrontendFilterOptions): boolean {
  return (o.vip?.length ?? 0) > 0 || (o.port?.length ?? 0) > 0 || (o.protocol?.length ?? 0) > 0;
}

/** `--vip 13.0.0.13 --vip 13.0.0.14 --port 80`, for messages. */
export function describeFrontendFilter(o: FrontendFilterOptions): string {
  return [
    ...(o.vip ?? []).map((v) => `--vip ${v}`),
    ...(o.port ?? []).map((p) => `--port ${p}`),
    ...(o.protocol ?? []).map((p) => `--protocol ${p}`),
  ].join(' ');
}

/** Whether a load balancer (its VIPs and port mappings) passes the filter. */
export function matchesFrontendFilter(lb: { readonly frontendVips: readonly string[]; readonly ports: readonly PortMapping[] }, o: FrontendFilterOptions): boolean {
  const vips = o.vip ?? [];
  if (vips.length > 0 && !lb.frontendVips.some((v) => vips.includes(canonicalIp(v) ?? v))) return false;
  const ports = o.port ?? [];
  const protocols = o.protocol ?? [];
  if (ports.length === 0 && protocols.length === 0) return true;
  return lb.ports.some((p) => (protocols.length === 0 || protocols.includes(p.protocol)) && (ports.length === 0 || ports.includes(p.external)));
}
