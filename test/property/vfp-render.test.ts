// Property: vfpctrl text rendered from typed rules reads back to the same rules (parse(render(r)) = r),
// for any names, priorities, flags, conditions, DIP lists, layers and groups.
import test from 'ava';
import fc from 'fast-check';
import { parseVfpListing, parseVfpRules, renderVfpRules, vfpRule, type VfpRule } from '../../ts/vfp';

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.\-]{0,30}$/);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const ip = fc.oneof(ipv4, ipv6);
const port = fc.integer({ min: 0, max: 65535 });

const conditions = fc.record({
  protocols: fc.uniqueArray(fc.constantFrom(6, 17, 1, 58), { maxLength: 2 }),
  dst: fc.array(ip, { maxLength: 2 }),
  dports: fc.array(port, { maxLength: 2 }),
  src: fc.array(ip, { maxLength: 1 }),
});

const ruleArb = fc
  .record({
    name: word,
    friendly: fc.option(word, { nil: undefined }),
    layer: fc.constantFrom('LB_DSR', 'SLB_NAT_LAYER', 'SLB_LB_LAYER', 'LB'),
    group: fc.constantFrom('G_IPv4_OUT', 'G_IPv4_IN', 'LB_DSR_IPv6_OUT'),
    priority: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    flags: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
    type: fc.option(fc.constantFrom('lbnat', 'allow', 'paroute', 'encap'), { nil: undefined }),
    ttl: fc.option(fc.integer({ min: 0, max: 100000 }), { nil: undefined }),
    cond: conditions,
    vip: fc.option(ip, { nil: undefined }),
    dips: fc.array(fc.tuple(ip, port), { maxLength: 4 }),
  })
  .map((r): VfpRule => {
    const cond: string[] = [];
    if (r.cond.protocols.length > 0) cond.push(`Protocols : ${r.cond.protocols.join(', ')}`);
    if (r.cond.src.length > 0) cond.push(`Source IP : ${r.cond.src.join(', ')}`);
    if (r.cond.dst.length > 0) cond.push(`Destination IP : ${r.cond.dst.join(', ')}`);
    if (r.cond.dports.length > 0) cond.push(`Destination ports : ${r.cond.dports.join(', ')}`);
    const data: string[] = [];
    if (r.vip !== undefined) data.push(`VIP : ${r.vip}`);
    if (r.dips.length > 0) data.push(`DIP Range(s) : ${r.dips.map(([a, p]) => `{ ${a} : ${p} }`).join(' ')}`);
    return vfpRule({
      name: r.name,
      friendlyName: r.friendly,
      layer: r.layer,
      group: r.group,
      priority: r.priority,
      flags: r.flags,
      flagNames: r.flags !== undefined && r.flags & 1 ? ['terminating'] : [],
      type: r.type,
      conditions: cond,
      flowTtl: r.ttl,
      data,
    });
  });

test('parse(render(rules)) gives the rules back (text layout of vfpctrl /list-rule)', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (rules, eol) => {
        const text = renderVfpRules(rules).replace(/\n/g, eol);
        const back = parseVfpRules(text);
        if (JSON.stringify(back) !== JSON.stringify(rules)) {
          throw new Error(`round trip differs:\n${text}\n${JSON.stringify(back, null, 1)}\n---\n${JSON.stringify(rules, null, 1)}`);
        }
      }),
    ),
  );
});

test('render keeps layer and group blocks with their fields', (t) => {
  const rules = [vfpRule({ name: 'R1', layer: 'LB_DSR', group: 'LB_DSR_IPv4_OUT', type: 'lbnat' })];
  const layers = [{ name: 'LB_DSR', friendlyName: 'LB_DSR', priority: 50, flags: 0, fields: { 'Friendly name': 'LB_DSR', Priority: '50', Flags: '0x0' } }];
  const groups = [
    { name: 'LB_DSR_IPv4_OUT', layer: 'LB_DSR', friendlyName: 'LB_DSR_IPv4_OUT', priority: 100, direction: 'OUT', type: 'IPv4', fields: { 'Friendly name': 'LB_DSR_IPv4_OUT', Priority: '100', Direction: 'OUT', Type: 'IPv4' } },
  ];
  const back = parseVfpListing(renderVfpRules(rules, { layers, groups }));
  t.deepEqual(back.layers, [{ ...layers[0]!, flags: 0 }]);
  t.deepEqual(back.groups, groups);
  t.deepEqual(back.rules, rules);
});
