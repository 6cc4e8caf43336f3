// checkVfpDsrRules with the load balancer's backend IPs: the DIP set must be exactly those backends
// at the internal port (a capture whose DIPs are other pods fails and says which).
import test from 'ava';
import { HcnArgumentError } from '../../ts/errors';
import { checkVfpDsrRules, parseVfpJson, parseVfpRules } from '../../ts/verify';
import { lb } from '../helpers/models';

const ID = '11111111-1111-4111-8111-111111111111';
const MGMT = '10.231.111.97';
const NAME = 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6';

const listing = (dips: string): string =>
  [
    'LAYER : LB_DSR',
    '   GROUP : LB_DSR_IPv4_OUT',
    `      RULE : ${NAME}`,
    '         Type : lbnat',
    '         Conditions:',
    '             Protocols : 6',
    '             Destination IP : 13.0.0.13',
    '             Destination ports : 8000',
    '         Rule Data:',
    `             DIP Range(s) : ${dips}`,
    '',
  ].join('\n');

test('checkVfpDsrRules: the DIP set must be the backends at the internal port', (t) => {
  const backendIps = ['10.0.0.14', '10.0.0.15'];
  const good = checkVfpDsrRules(lb(ID, true), MGMT, listing('{ 10.0.0.15 : 80 } { 10.0.0.14 : 80 }'), { backendIps });
  t.true(good.ok);
  t.true(good.rules[0]!.dipsCompared);

  const others = checkVfpDsrRules(lb(ID, true), MGMT, listing('{ 10.0.0.44 : 80 } { 10.0.0.45 : 80 }'), { backendIps });
  t.false(others.ok);
  t.deepEqual(others.missing, []);
  t.deepEqual(others.different, ['LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6']);
  t.regex(others.rules[0]!.differences.join(';'), /DIP set lacks \{ 10\.0\.0\.14 : 80 \} \{ 10\.0\.0\.15 : 80 \} and has other \{ 10\.0\.0\.44 : 80 \}/);

  const onePodMissing = checkVfpDsrRules(lb(ID, true), MGMT, listing('{ 10.0.0.14 : 80 }'), { backendIps });
  t.false(onePodMissing.ok);
  t.regex(onePodMissing.rules[0]!.differences[0]!, /lacks \{ 10\.0\.0\.15 : 80 \}/);

  const wrongPort = checkVfpDsrRules(lb(ID, true), MGMT, listing('{ 10.0.0.14 : 81 } { 10.0.0.15 : 81 }'), { backendIps });
  t.false(wrongPort.ok);
});

test('checkVfpDsrRules: DIPs listed one per line under "DIP Range(s) :" (vfpctrl /get-rule-info); only the VIP\'s family counts', (t) => {
  const text = [
    `RULE : ${NAME}`,
    '   Type : lbnat',
    '   Rule Data:',
    '       DIP Range(s) :',
    '           { 10.0.0.14 : 80 }',
    '           { 10.0.0.15 : 80 }',
    '',
  ].join('\n');
  const [rule] = parseVfpRules(text, { layer: 'LB_DSR' });
  t.deepEqual(rule!.dips, [
    { ip: '10.0.0.14', port: 80 },
    { ip: '10.0.0.15', port: 80 },
  ]);
  // An IPv6 backend of a dual-stack pod is not a DIP of the IPv4 VIP's rule.
  t.true(checkVfpDsrRules(lb(ID, true), MGMT, [rule!], { backendIps: ['10.0.0.14', '10.0.0.15', 'FD00:0::15'] }).ok);
  const [v6] = parseVfpRules('RULE : R\n   Rule Data:\n       DIP Range(s) :\n           { fdf5:5d67:b9ce:b28f::13f : 4445 }\n');
  t.deepEqual(v6!.dips, [{ ip: 'fdf5:5d67:b9ce:b28f::13f', port: 4445 }]);
});

test('checkVfpDsrRules: a JSON listing carries no DIPs, so the DIP set is reported as not compared', (t) => {
  const rules = parseVfpJson(JSON.stringify({ Layers: [{ Name: 'LB_DSR', Groups: [{ Name: 'LB_DSR_IPv4_OUT', Rules: [{ Id: NAME, Conditions: [{ ConditionType: 1, ProtocolList: [6] }] }] }] }] }));
  t.is(rules[0]!.layer, 'LB_DSR');
  t.is(rules[0]!.group, 'LB_DSR_IPv4_OUT');
  const check = checkVfpDsrRules(lb(ID, true), MGMT, rules, { backendIps: ['10.0.0.14'] });
  t.true(check.ok);
  t.false(check.rules[0]!.dipsCompared);
});

test('checkVfpDsrRules: bad backend IPs and bad JSON are typed errors naming the field', (t) => {
  t.throws(() => checkVfpDsrRules(lb(ID, true), MGMT, '', { backendIps: ['pod1'] }), { instanceOf: HcnArgumentError, message: /backendIps\[0\]/ });
  t.throws(() => checkVfpDsrRules(lb(ID, true), MGMT, '{"Rules": '), { instanceOf: HcnArgumentError, message: /not JSON/ });
  t.throws(() => parseVfpJson('{"Other":1}'), { instanceOf: HcnArgumentError, message: /not a vfpctrl listing/ });
});
