// VFP: the typed model of ports, layers, groups and rules; parsing of vfpctrl text and JSON; rendering
// in vfpctrl's layout; the DSR rules a load balancer should program; and the trace of a packet.
export type { VfpDip, VfpGroup, VfpLayer, VfpListing, VfpPort, VfpRule, VfpRuleInit, VfpRuleMatch } from './model';
export { vfpRule } from './model';
export { parseVfpJson, parseVfpListing, parseVfpPortsJson, parseVfpRules, type VfpParseOptions } from './parse';
export { renderVfpRules, type VfpRenderOptions } from './render';
export * from './dsr-rules';
export * from './trace';
