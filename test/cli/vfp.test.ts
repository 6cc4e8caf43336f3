// `hcn vfp`, `hcn trace` and `hcn verify dsr --vfp` through the real bin on the simulator: the done
// criteria of the walkthrough (the LB_DSR rule and its DIP ranges on both pods' ports, --json and the
// text re-parsing to the same rules, the check failing by port and rule after a rule is removed, the
// trace's direct reply and the non-DSR reply through the load balancer), and the usage errors.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type BinResult as Result, bin, root, hcn as run, json, stateFile as tempState } from '../helpers/cli-bin';
import type { VfpPortRule } from '../../ts/client';
import type { VfpPort, VfpRule, VfpTrace } from '../../ts/vfp';

const hcn = (state: string, args: string[], stdin?: string): Promise<Result> => run(state, args, { stdin, env: { HCN_SDK_TEST_VFPCTRL: undefined } });
const stateFile = (t: ExecutionContext): string => tempState(t, 'hcn-cli-vfp-');


const QUICK = ['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--backend', '10.0.0.15', '--port', 'tcp:8000:80', '--dsr'];
const RULE = /^LB_DSR_[0-9A-F]{5}_10\.231\.111\.97_13\.0\.0\.13_8000_80_6$/;

test.before(() => {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build:ts\` first`);
});

test('after the quick start: the rule on both pods, --json and --raw agree, verify --vfp passes then fails by port and rule', async (t) => {
  const state = stateFile(t);
  t.is((await hcn(state, QUICK)).code, 0);
  const ports = json<VfpPort[]>(t, await hcn(state, ['vfp', 'ports', '--json']));
  const pods = ports.filter((p) => p.kind === 'endpoint');
  t.deepEqual(pods.map((p) => p.ipAddresses[0]), ['10.0.0.14', '10.0.0.15']);

  const table = await hcn(state, ['vfp', 'rules', '--layer', 'LB_DSR']);
  t.is(table.code, 0, table.stderr);
  for (const p of pods) t.regex(table.stdout, new RegExp(`${p.id}\\s+LB_DSR\\s+LB_DSR_IPv4_OUT\\s+LB_DSR_[0-9A-F]{5}_10\\.231\\.111\\.97_13\\.0\\.0\\.13_8000_80_6\\s+lbnat`));

  const rows = json<VfpPortRule[]>(t, await hcn(state, ['vfp', 'rules', '--layer', 'LB_DSR', '--json']));
  t.deepEqual(rows.map((r) => r.port).sort(), pods.map((p) => p.id).sort());
  for (const r of rows) t.regex(r.rule.name, RULE);

  const raw = await hcn(state, ['vfp', 'rules', '--layer', 'LB_DSR', '--port', pods[0]!.id, '--raw']);
  t.regex(raw.stdout, /DIP Range\(s\) : \{ 10\.0\.0\.15 : 80 \} \{ 10\.0\.0\.14 : 80 \}/);
  const reparsed = json<VfpRule[]>(t, await hcn(state, ['vfp', 'parse', '--json', '-'], raw.stdout));
  t.deepEqual(reparsed, rows.filter((r) => r.port === pods[0]!.id).map((r) => JSON.parse(JSON.stringify(r.rule)) as VfpRule));

  t.is((await hcn(state, ['verify', 'dsr', '--vfp'])).code, 0);
  const victim = rows.find((r) => r.port === pods[1]!.id)!;
  t.is((await hcn(state, ['sim', 'vfp-remove-rule', victim.port, victim.rule.name])).code, 0);
  const failed = await hcn(state, ['verify', 'dsr', '--vfp']);
  t.is(failed.code, 3);
  t.regex(failed.stdout, new RegExp(`VFP port ${victim.port} \\(backend 10\\.0\\.0\\.15\\) lacks rule LB_DSR_\\*_10\\.231\\.111\\.97_13\\.0\\.0\\.13_8000_80_6`));
});

test('trace: the DSR rule, the DIP and the direct reply; a non-DSR load balancer replies through it; a miss says why', async (t) => {
  const state = stateFile(t);
  t.is((await hcn(state, QUICK)).code, 0);
  const text = await hcn(state, ['trace', '--from', '10.0.1.5:40000', '--to', '13.0.0.13:8000', '--protocol', 'tcp']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /rule: LB_DSR_[0-9A-F]{5}_10\.231\.111\.97_13\.0\.0\.13_8000_80_6/);
  t.regex(text.stdout, /DIP: {2}10\.0\.0\.1[45]:80 .*same 5-tuple always picks the same DIP/);
  t.regex(text.stdout, /direct, bypasses the load balancer/);

  t.is((await hcn(state, ['lb', 'create', '--vip', '13.0.0.14', '--backend', '10.0.0.14', '--backend', '10.0.0.15', '--port', 'tcp:8001:80'])).code, 0);
  const nonDsr = json<VfpTrace>(t, await hcn(state, ['trace', '--from', '10.0.1.5:40000', '--to', '13.0.0.14:8001', '--json']));
  t.false(nonDsr.dsr);
  t.is(nonDsr.rule!.layer, 'SLB_LB_LAYER');
  t.true(nonDsr.reply.some((h) => /back through the load-balancing rule/.test(h.action)));
  const mermaid = await hcn(state, ['trace', '--from', '10.0.1.5:40000', '--to', '13.0.0.14:8001', '--format', 'mermaid']);
  t.regex(mermaid.stdout, /^sequenceDiagram\n[\s\S]*B-->>L:[\s\S]*L-->>C:/);

  const miss = await hcn(state, ['trace', '--from', '10.0.1.5', '--to', '13.0.0.13:8000', '--protocol', 'udp']);
  t.is(miss.code, 3);
  t.regex(miss.stdout, /no match: 13\.0\.0\.13:8000 is balanced for tcp, not udp/);
});

test('a capture from a Windows node: parse and check it with no HNS rule, trace through it', async (t) => {
  const state = stateFile(t);
  const capture = fs.readFileSync(path.join(root, 'test', 'fixtures', 'vfp-port-layers.txt'), 'utf8');
  const parsed = await hcn(state, ['vfp', 'parse', '-'], capture);
  t.is(parsed.code, 0, parsed.stderr);
  t.regex(parsed.stdout, /SLB_NAT_LAYER\s+SLB_GROUP_NAT_IPv4_IN\s+NAT_E5B0F_13\.0\.0\.13_8000_6/);
  const traced = json<VfpTrace>(t, await hcn(state, ['trace', '--vfp', '-', '--from', '10.0.1.5:1', '--to', '13.0.0.13:8000', '--json'], capture));
  t.true(traced.matched);
  t.is(traced.rule!.portId, null);

  t.is((await hcn(state, QUICK)).code, 0);
  const lbId = json<Array<{ id: string }>>(t, await hcn(state, ['lb', 'list', '--json']))[0]!.id;
  // The fixture's DSR rule names only 10.0.0.14 as DIP: the quick start's two backends make it wrong.
  const check = await hcn(state, ['vfp', 'check', '--lb', lbId, '-'], capture);
  t.is(check.code, 3);
  t.regex(check.stdout, /DIFFERS: DIP set lacks \{ 10\.0\.0\.15 : 80 \}/);
});

test('usage errors name the argument', async (t) => {
  const state = stateFile(t);
  const bad = await hcn(state, ['trace', '--from', '10.0.1.5', '--to', '13.0.0.13']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--to 13\.0\.0\.13: expected IP:PORT/);
  const proto = await hcn(state, ['trace', '--from', '10.0.1.5', '--to', '13.0.0.13:80', '--protocol', 'sctp']);
  t.is(proto.code, 2);
  t.regex(proto.stderr, /--protocol sctp: must be tcp or udp/);
  const missing = await hcn(state, ['vfp', 'parse', path.join(os.tmpdir(), 'no-such-capture.txt')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /cannot read .*no-such-capture\.txt/);
});
