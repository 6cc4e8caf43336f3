// Unit tests of the SDK's verification without HNS: the DSR verdict rules, v1 policy-list parsing,
// the single-load-balancer judgement, the vfpctrl parser on hand-made fixtures, and DSR rule names.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { HcnArgumentError, HcnError } from '../../ts/errors';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import { parsePolicyLists } from '../../ts/schema/policy-list';
import type { EndpointInfo } from '../../ts/schema/models';
import { FIXTURE_EP1, lb, port } from '../helpers/models';
import {
  checkVfpDsrRules,
  expectedDsrRuleNames,
  judgeDsr,
  judgeLoadBalancer,
  parseVfpRules,
  v1IsDsr,
  vfpRuleNameMatches,
} from '../../ts/verify';
import * as sdk from '../../ts/index';

const fixtures = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
const fixture = (name: string): string => fs.readFileSync(path.join(fixtures, name), 'utf8');

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const EP1 = FIXTURE_EP1;
const EP2 = 'aaaaaaaa-0000-4000-8000-000000000002';


const endpoint = (id: string, ip: string, remote = false): EndpointInfo => ({
  id,
  name: ip,
  networkId: '',
  ipAddresses: [ip],
  ipConfigurations: [{ ipAddress: ip, prefixLength: undefined }],
  macAddress: undefined,
  remote,
  providerAddress: undefined,
  namespaceId: undefined,
  flags: remote ? 1 : 0,
  raw: {} as EndpointInfo['raw'],
});

test('the SDK entry point exports verification and policy-list parsing', (t) => {
  for (const name of ['verifyDsr', 'verifyLoadBalancer', 'judgeDsr', 'judgeLoadBalancer', 'v1IsDsr', 'parsePolicyLists', 'parseVfpRules', 'expectedDsrRuleNames', 'checkVfpDsrRules', 'vfpRuleNameMatches']) {
    t.is(typeof (sdk as Record<string, unknown>)[name], 'function', name);
  }
  t.is(sdk.VFP_DSR_LAYER, 'LB_DSR');
});

test('judgeDsr: DSR in v2 and not contradicted by v1 passes; each way of failing has its problem', (t) => {
  const good = lb(ID1, true);
  const bad = lb(ID2, false, { frontendVips: ['13.0.0.14'], ports: [port({ external: 9000, internal: 90 })] });
  const lists = [
    { id: ID1, elb: [{ isDsr: true, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000 }] },
    { id: ID2, elb: [{ isDsr: false, vips: ['13.0.0.14'], protocol: 6, internalPort: 90, externalPort: 9000 }] },
  ];
  const r = judgeDsr([good, bad], lists);
  t.false(r.ok);
  t.is(r.check, 'dsr');
  t.is(r.checked, 2);
  t.is(r.failed, 1);
  t.is(r.reason, '1 of 2 load balancers without DSR');
  t.deepEqual(r.policyLists, { read: true, error: null });
  t.like(r.loadBalancers[0], { id: ID1, dsr: true, isDsrV1: true, ok: true, problem: null });
  t.like(r.loadBalancers[1], { id: ID2, dsr: false, isDsrV1: false, ok: false, problem: 'no DSR (v2 Flags and v1 IsDSR)' });
  t.deepEqual(r.loadBalancers[1]!.ports, [port({ external: 9000, internal: 90 })]);

  // v2 lacks DSR, v1 silent.
  t.is(judgeDsr([bad], [])?.loadBalancers[0]!.problem, 'no DSR (v2 Flags lacks DSR)');
  // v1 contradicts v2.
  const contra = judgeDsr([good], [{ id: ID1, elb: [{ isDsr: false, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000 }] }]);
  t.regex(contra.loadBalancers[0]!.problem ?? '', /IsDSR false although the v2 object has DSR/);
  // v1 unreadable: judged on v2, the error is carried.
  const unread = judgeDsr([good], undefined, { policyListError: 'HNSCall is not available' });
  t.true(unread.ok);
  t.is(unread.loadBalancers[0]!.isDsrV1, null);
  t.deepEqual(unread.policyLists, { read: false, error: 'HNSCall is not available' });
  // None at all.
  const empty = judgeDsr([], []);
  t.false(empty.ok);
  t.regex(empty.reason ?? '', /no load balancers to verify/);
  t.true(judgeDsr([], [], { allowEmpty: true }).ok);
  t.is(judgeDsr([lb(ID1, false)], []).reason, '1 of 1 load balancer without DSR');
});

test('judgeDsr copies what it reports: mutating the report leaves the inputs alone', (t) => {
  const info = lb(ID1, true);
  const r = judgeDsr([info], undefined);
  r.loadBalancers[0]!.frontendVips.push('1.2.3.4');
  (r.loadBalancers[0]!.ports[0] as { external: number }).external = 1;
  t.deepEqual(info.frontendVips, ['13.0.0.13']);
  t.is(info.ports[0]!.external, 8000);
});

test('v1IsDsr: by policy-list ID first, else by VIPs and ports; every matching policy must have IsDSR', (t) => {
  const lists = [
    { id: ID1, elb: [{ isDsr: true, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000 }] },
    { id: 'other', elb: [{ isDsr: false, vips: ['13.0.0.14'], protocol: 6, internalPort: 90, externalPort: 9000 }] },
    { id: 'other2', elb: [{ isDsr: true, vips: ['13.0.0.14'], protocol: undefined, internalPort: undefined, externalPort: 9000 }] },
  ];
  t.true(v1IsDsr(lb(ID1.toUpperCase(), true), lists), 'ID compared case-insensitively');
  t.false(v1IsDsr(lb(ID2, true, { frontendVips: ['13.0.0.14'], ports: [port({ external: 9000, internal: 90 })] }), lists));
  t.is(v1IsDsr(lb(ID2, true, { frontendVips: ['1.2.3.4'] }), lists), null);
  t.is(v1IsDsr(lb(ID2, true, { frontendVips: ['13.0.0.14'], ports: [port({ protocol: 'udp', external: 9000, internal: 90 })] }), lists), true, 'omitted numbers match anything');
});

test('parsePolicyLists: envelope, string-encoded policies, References, tolerant keys, non-ELB skipped', (t) => {
  const json = JSON.stringify({
    Success: true,
    Output: [
      {
        ID: ID1.toUpperCase(),
        References: ['/endpoints/' + EP1.toUpperCase(), '/endpoints/' + EP2, '/networks/x'],
        Policies: [
          JSON.stringify({ Type: 'ELB', Protocol: 6, InternalPort: 80, ExternalPort: 8000, SourceVIP: '10.231.111.097', VIPs: ['13.0.0.13'], ILB: false, IsDSR: true }),
          { Type: 'PA', PA: '10.0.0.1' },
          'not json',
          42,
        ],
      },
      { id: ID2, policies: [{ type: 'elb', isdsr: false, vips: ['2001:DB8::1'], externalport: '9000' }] },
      null,
      'junk',
    ],
  });
  const lists = parsePolicyLists(json);
  t.is(lists.length, 2);
  t.deepEqual(lists[0], {
    id: ID1,
    elb: [{ isDsr: true, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000, sourceVip: '10.231.111.097', ilb: false }],
    endpointIds: [EP1, EP2],
  });
  t.deepEqual(lists[1], { id: ID2, elb: [{ isDsr: false, vips: ['2001:db8::1'], protocol: undefined, internalPort: undefined, externalPort: 9000 }] });
  // A bare array, one list object, and an empty success are accepted.
  t.is(parsePolicyLists(JSON.stringify([{ ID: ID1, Policies: [] }])).length, 1);
  t.is(parsePolicyLists(JSON.stringify({ Success: true, Output: { ID: ID1, Policies: [] } }))[0]!.id, ID1);
  t.deepEqual(parsePolicyLists('{"Success":true}'), []);
});

test('parsePolicyLists: Success:false is HCN_HNS_ERROR with the HNS text; bad JSON and a non-list are HCN_INVALID_RESPONSE', (t) => {
  const hns = t.throws(() => parsePolicyLists('{"Success":false,"Error":"Element not found. "}'), { instanceOf: HcnError });
  t.is(hns?.code, 'HCN_HNS_ERROR');
  t.is(hns?.operation, 'HNSCall GET /policylists/');
  t.regex(hns?.message ?? '', /Element not found\.$/);
  t.is(t.throws(() => parsePolicyLists('{"Success":true,'), { instanceOf: HcnError })?.code, 'HCN_INVALID_RESPONSE');
  t.is(t.throws(() => parsePolicyLists('{"Success":true,"Output":7}'), { instanceOf: HcnError })?.code, 'HCN_INVALID_RESPONSE');
  t.is(t.throws(() => parsePolicyLists('"text"'), { instanceOf: HcnError })?.code, 'HCN_INVALID_RESPONSE');
});

test('judgeLoadBalancer: a vanished backend endpoint, no backends, bad or mixed-family source VIP', (t) => {
  const eps = [endpoint(EP1, '10.0.0.14')];
  const healthy = judgeLoadBalancer(lb(ID1, true, { sourceVip: '10.231.111.97' }), eps, []);
  t.true(healthy.ok);
  t.deepEqual(healthy.problems, []);
  t.deepEqual(healthy.backends, [{ id: EP1, exists: true, ip: '10.0.0.14', remote: false }]);
  t.is(healthy.sourceVip, '10.231.111.97');

  const vanished = judgeLoadBalancer(lb(ID1, true, { backendIds: [EP1, EP2.toUpperCase()] }), eps, undefined, { policyListError: 'nope' });
  t.false(vanished.ok);
  t.deepEqual(vanished.problems, [`backend endpoint ${EP2} not found`]);
  t.like(vanished.backends[1], { id: EP2, exists: false, ip: null, remote: null });
  t.deepEqual(vanished.policyLists, { read: false, error: 'nope' });

  t.deepEqual(judgeLoadBalancer(lb(ID1, true, { backendIds: [] }), eps, []).problems, ['no backend endpoints']);
  t.deepEqual(judgeLoadBalancer(lb(ID1, true, { sourceVip: '10.231.111' }), eps, []).problems, ['source VIP 10.231.111 is not a valid IP address']);
  t.deepEqual(judgeLoadBalancer(lb(ID1, true, { sourceVip: 'fd00::97' }), eps, []).problems, ['source VIP fd00::97 is IPv6 but the frontend VIPs are IPv4']);
  t.deepEqual(judgeLoadBalancer(lb(ID1, true, { frontendVips: ['13.0.0'] }), eps, []).problems, ['frontend VIP 13.0.0 is not a valid IP address']);
  t.true(judgeLoadBalancer(lb(ID1, true, { frontendVips: [], sourceVip: '10.231.111.97' }), eps, []).ok, 'NodePort style: no VIPs to compare with');
});

test('judgeLoadBalancer: DSR is expected by default; expectDsr false still flags v1 contradicting v2', (t) => {
  const eps = [endpoint(EP1, '10.0.0.14')];
  t.deepEqual(judgeLoadBalancer(lb(ID1, false), eps, []).problems, ['no DSR (v2 Flags lacks DSR)']);
  t.true(judgeLoadBalancer(lb(ID1, false), eps, [], { expectDsr: false }).ok);
  const contra = [{ id: ID1, elb: [{ isDsr: false, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000 }] }];
  t.regex(judgeLoadBalancer(lb(ID1, true), eps, contra, { expectDsr: false }).problems[0] ?? '', /IsDSR false/);
});

test('expectedDsrRuleNames: one pattern per VIP and port, the id part a wildcard, NodePort uses the management IP', (t) => {
  const spec = LoadBalancer.builder()
    .frontend('13.0.0.13')
    .backend('10.0.0.14')
    .port({ protocol: 'tcp', external: 8000, internal: 80 })
    .port({ protocol: 'udp', external: 53, internal: 5353 })
    .dsr()
    .build();
  t.deepEqual(expectedDsrRuleNames(spec, '10.231.111.97'), ['LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', 'LB_DSR_*_10.231.111.97_13.0.0.13_53_5353_17']);
  t.deepEqual(expectedDsrRuleNames(lb(ID1, true, { frontendVips: [] }), '10.231.111.97'), ['LB_DSR_*_10.231.111.97_10.231.111.97_8000_80_6']);
  t.deepEqual(expectedDsrRuleNames(lb(ID1, true, { frontendVips: [] }), 'FD00:0::97'), ['LB_DSR_*_fd00::97_fd00::97_8000_80_6'], 'addresses in canonical form');
  t.is(sdk.VFP_RULE_ID_WILDCARD, '*');
  t.throws(() => expectedDsrRuleNames(spec, 'mgmt'), { instanceOf: HcnArgumentError, message: /managementIp/ });
});

test('vfpRuleNameMatches: the wildcard takes the id fragment, everything else is literal', (t) => {
  const pattern = 'LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6';
  t.true(vfpRuleNameMatches(pattern, 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'));
  t.true(vfpRuleNameMatches(pattern, 'LB_DSR__10.231.111.97_13.0.0.13_8000_80_6'), 'an empty id fragment');
  t.false(vfpRuleNameMatches(pattern, 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_17'));
  t.false(vfpRuleNameMatches(pattern, 'LB_DSR_E5B0F_10x231.111.97_13.0.0.13_8000_80_6'), 'dots are literal');
  t.false(vfpRuleNameMatches(pattern, 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_61'));
  t.false(vfpRuleNameMatches(pattern, 'LB_DSR_E5.0F_10.231.111.97_13.0.0.13_8000_80_6'), 'the id is word characters only');
});

test('parseVfpRules: a /list-rule listing of the LB_DSR layer', (t) => {
  const rules = parseVfpRules(fixture('vfp-lb-dsr.txt'), { layer: 'LB_DSR' });
  t.is(rules.length, 2);
  const [tcp, udp] = rules;
  t.deepEqual(tcp, {
    name: 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6',
    friendlyName: 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6',
    layer: 'LB_DSR',
    group: 'LB_DSR_IPv4_OUT',
    priority: 100,
    type: 'lbnat',
    flags: 1,
    flagNames: ['terminating'],
    conditions: ['Protocols : 6', 'Source IP : 10.0.0.14', 'Source ports : 80'],
    data: ['Modify : Source IP, Source port', 'VIP : 13.0.0.13', 'VIP port : 8000', 'DIP Range(s) : { 10.0.0.14 : 80 }'],
    dips: [{ ip: '10.0.0.14', port: 80 }],
    match: { protocols: [6], sourceIps: ['10.0.0.14'], destinationIps: [], sourcePorts: [80], destinationPorts: [] },
    vip: '13.0.0.13',
    vipPort: 8000,
    flowTtl: 240,
    fields: {
      'Friendly name': 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6',
      Priority: '100',
      Flags: '1 terminating',
      Type: 'lbnat',
      'Flow TTL': '240',
    },
  });
  t.is(udp!.name, 'LB_DSR_7A21C_10.231.111.97_13.0.0.20_53_53_17');
  t.deepEqual(udp!.dips, [{ ip: '10.0.0.14', port: 53 }]);
});

test('parseVfpRules: LAYER/GROUP context, CRLF and tabs, group fields never leak into rules', (t) => {
  const text = fixture('vfp-port-layers.txt');
  for (const variant of [text, text.replace(/\n/g, '\r\n'), text.replace(/ {3}/g, '\t')]) {
    const rules = parseVfpRules(variant);
    t.deepEqual(
      rules.map((r) => [r.layer, r.group, r.name]),
      [
        ['SLB_NAT_LAYER', 'SLB_GROUP_NAT_IPv4_IN', 'NAT_E5B0F_13.0.0.13_8000_6'],
        ['SLB_NAT_LAYER', 'SLB_GROUP_NAT_IPv4_OUT', 'ALLOW_NAT_E5B0F_13.0.0.13_8000_6'],
        ['LB_DSR', 'LB_DSR_IPv4_OUT', 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'],
        ['VNET_PA_ROUTE_LAYER', 'VNET_GROUP_PA_ROUTE_IPV4_OUT', 'LB_DSR_0000F_10.231.111.97_13.0.0.99_9000_90_6'],
      ],
    );
    t.deepEqual(rules[0]!.dips, [
      { ip: '10.0.0.14', port: 80 },
      { ip: '10.0.0.15', port: 80 },
    ]);
    t.is(rules[1]!.type, 'allow');
    t.deepEqual(rules[1]!.data, []);
    t.is(rules[3]!.flags, 0);
    t.deepEqual(rules[3]!.flagNames, []);
    t.deepEqual(rules[3]!.conditions, [], '<none> is no condition');
    t.is(rules[3]!.friendlyName, 'misplaced on purpose: a DSR-named rule outside the LB_DSR layer');
    t.false('Direction' in rules[0]!.fields, 'the group\'s Direction is not a rule field');
  }
  t.deepEqual(parseVfpRules(''), []);
  t.deepEqual(parseVfpRules('Command list-rule succeeded!\n'), []);
});

test('checkVfpDsrRules: expected DSR rules found in captured output, missing ones named, other layers ignored', (t) => {
  const walkthrough = lb(ID1, true);
  const ok = checkVfpDsrRules(walkthrough, '10.231.111.97', fixture('vfp-lb-dsr.txt'));
  t.true(ok.ok);
  t.deepEqual(ok.rules, [
    { pattern: 'LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', present: true, ok: true, matches: ['LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'], differences: [], dipsCompared: false },
  ]);
  t.is(ok.rulesInListing, 2);

  const twoPorts = lb(ID1, true, { ports: [port(), port({ protocol: 'udp', external: 8000, internal: 80 })] });
  const partial = checkVfpDsrRules(twoPorts, '10.231.111.97', parseVfpRules(fixture('vfp-port-layers.txt')));
  t.false(partial.ok);
  t.deepEqual(partial.missing, ['LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_17']);

  // A DSR-named rule outside the LB_DSR layer does not count.
  const misplaced = lb(ID2, true, { frontendVips: ['13.0.0.99'], ports: [port({ external: 9000, internal: 90 })] });
  t.deepEqual(checkVfpDsrRules(misplaced, '10.231.111.97', fixture('vfp-port-layers.txt')).missing, ['LB_DSR_*_10.231.111.97_13.0.0.99_9000_90_6']);
  // Another management IP: nothing matches.
  t.false(checkVfpDsrRules(walkthrough, '10.231.111.98', fixture('vfp-lb-dsr.txt')).ok);
});

test('parseVfpRules (property): rendered rule blocks read back, at any indentation; no input throws', (t) => {
  const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.]{0,30}$/);
  const rule = fc.record({
    name: word,
    priority: fc.integer({ min: 0, max: 65535 }),
    type: fc.constantFrom('lbnat', 'paroute', 'allow', 'encap'),
    flags: fc.integer({ min: 0, max: 7 }),
  });
  const roundTrip = fc.property(fc.array(rule, { maxLength: 5 }), fc.nat({ max: 8 }), fc.constantFrom('\n', '\r\n'), (rules, base, eol) => {
    const pad = (n: number): string => ' '.repeat(base + n);
    const lines = ['ITEM LIST', '===========', '', `${pad(0)}GROUP : G1`, `${pad(3)}Priority : 1`, ''];
    for (const r of rules) {
      lines.push(
        `${pad(3)}RULE : ${r.name}`,
        `${pad(6)}Friendly name : ${r.name}`,
        `${pad(6)}Priority : ${r.priority}`,
        `${pad(6)}Flags : ${r.flags}${r.flags & 1 ? ' terminating' : ''}`,
        `${pad(6)}Type : ${r.type}`,
        `${pad(6)}Conditions:`,
        `${pad(10)}<none>`,
        `${pad(6)}Flow TTL: 240`,
        '',
      );
    }
    const parsed = parseVfpRules(lines.join(eol), { layer: 'L' });
    return (
      parsed.length === rules.length &&
      parsed.every((p, i) => {
        const r = rules[i]!;
        return p.name === r.name && p.friendlyName === r.name && p.priority === r.priority && p.type === r.type && p.flags === r.flags && p.layer === 'L' && p.group === 'G1' && p.conditions.length === 0;
      })
    );
  });
  t.notThrows(() => fc.assert(roundTrip));
  t.notThrows(() => fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => Array.isArray(parseVfpRules(text)))));
});
