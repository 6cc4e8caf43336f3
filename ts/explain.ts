// explainFlow: the path of one packet through the node's VFP load-balancing rules (read through
// hcn.vfp) or through a vfpctrl capture, as typed hops (see traceVfpFlow for the rules it follows).
import type { Hcn } from './client';
import type { CallOptions } from './internal/operation';
import { parseVfpJson, parseVfpRules } from './vfp/parse';
import { traceVfpFlow, type VfpFlow, type VfpPortRules, type VfpTrace } from './vfp/trace';

/**
 * Traces a packet (`{ from: 'IP[:PORT]', to: 'IP:PORT', protocol }`) through VFP: through the node's
 * rules when given a client (its ports and their rules, read with `hcn.vfp`; `signal`/`timeoutMs`
 * cover both reads), or through a capture of vfpctrl output (text or `/format 1` JSON) whose port is
 * not known. Returns which rule on which port and layer takes the packet, the DIP it goes to (the
 * same 5-tuple always picks the same DIP), each rewrite and the reply's path, or why nothing matched.
 * @example
 * const trace = await explainFlow(hcn, { from: '10.0.1.5:40000', to: '13.0.0.13:8000', protocol: 'tcp' });
 * console.log(formatVfpTrace(trace));
 */
export async function explainFlow(source: Hcn | string, flow: VfpFlow, options: CallOptions = {}): Promise<VfpTrace> {
  if (typeof source === 'string') {
    const t = source.trimStart().replace(/^\uFEFF/, '');
    const rules = t.startsWith('{') || t.startsWith('[') ? parseVfpJson(source) : parseVfpRules(source);
    return traceVfpFlow([{ port: undefined, rules }], flow);
  }
  // Check the flow before reading anything.
  traceVfpFlow([], flow);
  // One budget over both reads: the second gets what the first left.
  const budget = options.timeoutMs ?? source.timeoutMs;
  const started = performance.now();
  const ports = await source.vfp.ports(options);
  const left = Math.max(1, Math.floor(budget - (performance.now() - started)));
  const rules = await source.vfp.rules({ signal: options.signal, timeoutMs: left });
  const listings: VfpPortRules[] = ports.map((port) => ({ port, rules: rules.filter((r) => r.port === port.id).map((r) => r.rule) }));
  return traceVfpFlow(listings, flow);
}
