// checkVfpDsrRules compares whole rules, not names: the VIP, port, protocol and DIP set of each
// LB_DSR rule; rule IDs with a suffix after the protocol; the Friendly name line; vfpctrl's JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { checkVfpDsrRules } from '../../ts/verify';
import { lb } from '../helpers/models';

const ID = '11111111-1111-4111-8111-111111111111';
const MGMT = '10.231.111.97';
const NAME = 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6';

const LISTING = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'vfp-lb-dsr-rule.txt'), 'utf8');

/** The one-rule listing of `test/fixtures/vfp-lb-dsr-rule.txt` with the value after `label :` replaced. */
function swap(text: string, label: string, value: string | number | undefined): string {
  if (value === undefined) return text;
  const re = new RegExp(`^(\\s*${label} : ).*$`, 'm');
  if (!re.test(text)) throw new Error(`the fixture has no "${label} :" line`);
  return text.replace(re, `$1${value}`);
}

function capture(opts: { id?: string; friendly?: string; vip?: string; port?: number; protocol?: number; dips?: string } = {}): string {
  let text = swap(LISTING, 'RULE', opts.id);
  text = swap(text, 'Friendly name', opts.friendly ?? opts.id);
  text = swap(text, 'Protocols', opts.protocol);
  text = swap(text, 'Destination IP', opts.vip);
  text = swap(text, 'Destination ports', opts.port);
  return swap(text, 'DIP Range\\(s\\)', opts.dips);
}

test('checkVfpDsrRules: the right name with another VIP in its conditions is not the rule', (t) => {
  t.true(checkVfpDsrRules(lb(ID, true), MGMT, capture()).ok);
  t.false(checkVfpDsrRules(lb(ID, true), MGMT, capture({ vip: '13.0.0.99' })).ok);
});

test('checkVfpDsrRules: the right name with another port or protocol in its conditions is not the rule', (t) => {
  t.false(checkVfpDsrRules(lb(ID, true), MGMT, capture({ port: 9000 })).ok);
  t.false(checkVfpDsrRules(lb(ID, true), MGMT, capture({ protocol: 17 })).ok);
});

test('checkVfpDsrRules: a real rule ID with a suffix after the protocol is accepted', (t) => {
  t.true(checkVfpDsrRules(lb(ID, true), MGMT, capture({ id: `${NAME}_1` })).ok);
  t.false(checkVfpDsrRules(lb(ID, true), MGMT, capture({ id: NAME.replace(/_6$/, '_61') })).ok, 'a suffix needs its underscore');
});

test('checkVfpDsrRules: the name may be on the Friendly name line when the RULE line has another ID', (t) => {
  t.true(checkVfpDsrRules(lb(ID, true), MGMT, capture({ id: '{6a1b5c1e-0000-4000-8000-00000000abcd}', friendly: NAME })).ok);
});

test("checkVfpDsrRules: vfpctrl's JSON listing (/format 1) is read", (t) => {
  const json = JSON.stringify({
    Rules: [
      {
        Id: NAME,
        Name: NAME,
        Conditions: [
          { ConditionType: 1, ProtocolList: [6] },
          { ConditionType: 11, DestinationIPv4RangeList: [{ L: '13.0.0.13', H: '13.0.0.13' }] },
          { ConditionType: 5, DestinationPortList: [8000] },
        ],
      },
    ],
  });
  t.true(checkVfpDsrRules(lb(ID, true), MGMT, json).ok);
  const wrongVip = json.replace(/13\.0\.0\.13/g, '13.0.0.99').replace(`_13.0.0.99_8000`, '_13.0.0.13_8000');
  t.false(checkVfpDsrRules(lb(ID, true), MGMT, wrongVip).ok);
});
