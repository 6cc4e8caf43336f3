// traceVfpFlow on hand-made rules: the matching rule, the DIP chosen by the 5-tuple hash (stable), the
// rewrites, the DSR reply straight to the client vs the non-DSR reply back through the load balancer,
// and the reasons a packet matches nothing.
import test from 'ava';
import { HcnArgumentError } from '../../ts/errors';
import { formatVfpTrace, traceVfpFlow, vfpRule, type VfpPort, type VfpPortRules } from '../../ts/vfp';

const pod = (n: number): VfpPort => ({
  id: `00000000-0000-4000-8000-0000000000${n}`,
  name: `pod${n}`,
  mac: `00-15-5d-0a-00-${n.toString(16).padStart(2, '0')}`,
  kind: 'endpoint',
  endpointId: undefined,
  ipAddresses: [`10.0.0.${n}`],
});

const lbRule = (layer: string, name: string, protocol = 6) =>
  vfpRule({
    name,
    layer,
    group: layer === 'LB_DSR' ? 'LB_DSR_IPv4_OUT' : 'SLB_GROUP_LB_IPv4_OUT',
    type: 'lbnat',
    conditions: [`Protocols : ${protocol}`, 'Destination IP : 13.0.0.13', 'Destination ports : 8000'],
    data: ['DIP Range(s) : { 10.0.0.15 : 80 } { 10.0.0.14 : 80 }'],
  });

const dsrListing = (): VfpPortRules[] => [
  { port: pod(14), rules: [lbRule('LB_DSR', 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6')] },
  { port: pod(15), rules: [lbRule('LB_DSR', 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6')] },
];

test('DSR: the rule, a stable DIP, the rewrites and the direct reply', (t) => {
  const flow = { from: '10.0.1.5:40000', to: '13.0.0.13:8000', protocol: 'tcp' as const };
  const trace = traceVfpFlow(dsrListing(), flow);
  t.true(trace.matched);
  t.is(trace.rule!.name, 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6');
  t.is(trace.rule!.layer, 'LB_DSR');
  t.true(trace.dsr);
  t.true(['10.0.0.14', '10.0.0.15'].includes(trace.dip!.ip));
  t.is(trace.dip!.port, 80);
  t.regex(trace.dipChoice!, /same 5-tuple always picks the same DIP/);
  t.deepEqual(traceVfpFlow(dsrListing(), flow).dip, trace.dip, 'the same 5-tuple, the same DIP');
  t.is(trace.request[1]!.rewrites[0], `destination 13.0.0.13:8000 -> ${trace.dip!.ip}:80`);
  t.regex(trace.request[1]!.rewrites[1]!, /^destination MAC -> 00-15-5d-0a-00-0[ef]$/);
  const last = trace.reply[trace.reply.length - 1]!;
  t.deepEqual(last.source, { ip: '13.0.0.13', port: 8000 }, 'the client sees the VIP as source');
  t.true(trace.reply.some((h) => /straight to the client, bypassing/.test(h.action)));
  const text = formatVfpTrace(trace);
  t.regex(text, /direct, bypasses the load balancer/);
  t.regex(formatVfpTrace(trace, 'mermaid'), /^sequenceDiagram/);
});

test('different source ports spread over both DIPs', (t) => {
  const seen = new Set<string>();
  for (let p = 40000; p < 40040; p++) seen.add(traceVfpFlow(dsrListing(), { from: `10.0.1.5:${p}`, to: '13.0.0.13:8000' }).dip!.ip);
  t.deepEqual([...seen].sort(), ['10.0.0.14', '10.0.0.15']);
});

test('without DSR the reply goes back through the load-balancing rule', (t) => {
  const host: VfpPort = { id: '00000000-0000-4000-8000-0000000000ff', name: 'Container NIC 1', mac: undefined, kind: 'host', endpointId: undefined, ipAddresses: [] };
  const trace = traceVfpFlow([{ port: host, rules: [lbRule('SLB_LB_LAYER', 'LB_E5B0F_13.0.0.13_8000_8000_6')] }], { from: '10.0.1.5:40000', to: '13.0.0.13:8000' });
  t.true(trace.matched);
  t.false(trace.dsr);
  t.true(trace.reply.some((h) => h.rule === 'LB_E5B0F_13.0.0.13_8000_8000_6' && /back through the load-balancing rule/.test(h.action)));
  t.regex(formatVfpTrace(trace), /back through the load balancer/);
  t.regex(formatVfpTrace(trace, 'mermaid'), /B-->>L/);
});

test('a packet that matches nothing says why', (t) => {
  t.regex(traceVfpFlow(dsrListing(), { from: '10.0.1.5', to: '13.0.0.99:8000' }).reason!, /no load-balancing rule has VIP 13\.0\.0\.99 \(VIPs in the rules: 13\.0\.0\.13\)/);
  t.regex(traceVfpFlow(dsrListing(), { from: '10.0.1.5', to: '13.0.0.13:9000' }).reason!, /not balanced on port 9000 \(its rules take port 8000\)/);
  t.regex(traceVfpFlow(dsrListing(), { from: '10.0.1.5', to: '13.0.0.13:8000', protocol: 'udp' }).reason!, /balanced for tcp, not udp/);
  t.regex(formatVfpTrace(traceVfpFlow([], { from: '10.0.1.5', to: '13.0.0.13:8000' })), /no match: .*no load-balancing rule/);
});

test('bad flows are typed errors naming the field', (t) => {
  t.throws(() => traceVfpFlow([], { from: 'x', to: '13.0.0.13:8000' }), { instanceOf: HcnArgumentError, message: /from must be IP/ });
  t.throws(() => traceVfpFlow([], { from: '10.0.1.5', to: '13.0.0.13' }), { instanceOf: HcnArgumentError, message: /to must name a port/ });
  t.throws(() => traceVfpFlow([], { from: '10.0.1.5', to: '13.0.0.13:70000' }), { instanceOf: HcnArgumentError, message: /port must be 1-65535/ });
  t.throws(() => traceVfpFlow([], { from: '10.0.1.5', to: '13.0.0.13:80', protocol: 'sctp' as 'tcp' }), { instanceOf: HcnArgumentError, message: /protocol must be tcp or udp/ });
});
