// hcn.vfp on a backend without a simulator: it runs vfpctrl (here the fake test/fixtures/fake-vfpctrl.js,
// put where the client looks through HCN_SDK_TEST_VFPCTRL) with an argument array, parses its JSON
// port listing and text rule listings, and turns each failure into a typed error: missing program,
// access denied, a crash, output that is not the expected JSON, the deadline and an abort.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { HcnAbortError, HcnAccessDeniedError, HcnError, HcnNotAvailableError, HcnTimeoutError } from '../../ts/errors';
import { vfpctrlPath } from '../../ts/client/vfp';
import { EP14 } from './fake-binding';
import { open } from './helpers';

const FAKE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'fake-vfpctrl.js');
const POD = '0a6f5d29-8c3e-4b58-9172-b71777777714';
const HOST = '0b16f80e-3549-49f8-8e37-062c4af51556';
const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fake-vfpctrl-')), 'calls.jsonl');

process.env.HCN_SDK_TEST_VFPCTRL = FAKE;
process.env.FAKE_VFPCTRL_LOG = log;

function calls(): string[][] {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : [];
}

async function client() {
  delete process.env.FAKE_VFPCTRL_MODE;
  fs.rmSync(log, { force: true });
  const { hcn } = await open({}, { hasSimControl: false });
  return hcn;
}

test.serial('where vfpctrl is looked for: System32 by absolute path, the test variable replaces it', (t) => {
  t.is(vfpctrlPath({ SystemRoot: 'C:\\Windows' }), 'C:\\Windows\\System32\\vfpctrl.exe');
  t.is(vfpctrlPath({ SystemRoot: 'D:\\WIN' }), 'D:\\WIN\\System32\\vfpctrl.exe');
  t.is(vfpctrlPath({ HCN_SDK_TEST_VFPCTRL: '/tmp/x' }), '/tmp/x');
});

test.serial('ports: the JSON listing, the endpoint behind a port and its IPs', async (t) => {
  const hcn = await client();
  t.is(hcn.vfp.source, 'vfpctrl');
  const ports = await hcn.vfp.ports();
  t.deepEqual(calls(), [['/list-vmswitch-port', '/format', '1']]);
  t.deepEqual(ports, [
    { id: POD, name: EP14.toUpperCase(), mac: '00-15-5d-0a-00-0e', kind: 'endpoint', endpointId: EP14, ipAddresses: ['10.0.0.14'] },
    { id: HOST, name: 'Container NIC 0b16f80e', mac: '00-15-5d-0a-00-01', kind: 'host', endpointId: undefined, ipAddresses: [] },
  ]);
  await hcn.close();
});

test.serial('rules and layers: one argument array per port, text parsed into typed rules', async (t) => {
  const hcn = await client();
  const rules = await hcn.vfp.rules({ layer: 'LB_DSR', group: 'LB_DSR_IPv4_OUT' });
  t.deepEqual(calls(), [
    ['/list-vmswitch-port', '/format', '1'],
    ['/port', POD, '/layer', 'LB_DSR', '/group', 'LB_DSR_IPv4_OUT', '/list-rule'],
    ['/port', HOST, '/layer', 'LB_DSR', '/group', 'LB_DSR_IPv4_OUT', '/list-rule'],
  ]);
  t.is(rules.length, 1);
  t.is(rules[0]!.port, POD);
  t.is(rules[0]!.rule.name, 'LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6');
  t.deepEqual(rules[0]!.rule.dips, [
    { ip: '10.0.0.15', port: 80 },
    { ip: '10.0.0.14', port: 80 },
  ]);
  const layers = await hcn.vfp.layers(POD.toUpperCase());
  t.deepEqual(calls().at(-1), ['/port', POD, '/list-layer']);
  t.deepEqual(layers.map((l) => [l.name, l.priority]), [['LB_DSR', 50]]);
  // A filter value reaches vfpctrl as one argument, never through a shell.
  await hcn.vfp.rules({ port: POD, layer: 'LB_DSR; echo pwned' });
  t.deepEqual(calls().at(-1), ['/port', POD, '/layer', 'LB_DSR; echo pwned', '/list-rule']);
  await t.throwsAsync(hcn.vfp.layers('not-a-port'), { instanceOf: HcnError, message: /port must be a VFP port GUID/ });
  await hcn.close();
});

test.serial('a missing vfpctrl is HcnNotAvailableError that says where it looked', async (t) => {
  const hcn = await client();
  process.env.HCN_SDK_TEST_VFPCTRL = path.join(path.dirname(log), 'no-such-vfpctrl');
  try {
    const err = await t.throwsAsync(hcn.vfp.ports(), { instanceOf: HcnNotAvailableError });
    t.is(err?.code, 'HCN_VFPCTRL_NOT_FOUND');
    t.regex(err!.message, /vfpctrl\.exe not found at .*no-such-vfpctrl/);
  } finally {
    process.env.HCN_SDK_TEST_VFPCTRL = FAKE;
    await hcn.close();
  }
});

test.serial('access denied, a crash and output that is not the JSON listing are typed errors', async (t) => {
  const hcn = await client();
  process.env.FAKE_VFPCTRL_MODE = 'denied';
  const denied = await t.throwsAsync(hcn.vfp.ports(), { instanceOf: HcnAccessDeniedError });
  t.is(denied?.code, 'HCN_VFPCTRL_ACCESS_DENIED');
  t.regex(denied!.message, /elevated \(administrator\) prompt: Error: Access is denied/);
  process.env.FAKE_VFPCTRL_MODE = 'crash';
  const crash = await t.throwsAsync(hcn.vfp.rules({ port: POD }), { instanceOf: HcnError });
  t.is(crash?.code, 'HCN_VFPCTRL_FAILED');
  t.regex(crash!.message, /exited with code 3: vfpctrl: internal failure/);
  process.env.FAKE_VFPCTRL_MODE = 'notjson';
  const notJson = await t.throwsAsync(hcn.vfp.ports(), { instanceOf: HcnError });
  t.is(notJson?.code, 'HCN_INVALID_RESPONSE');
  delete process.env.FAKE_VFPCTRL_MODE;
  await hcn.close();
});

test.serial('a hung vfpctrl: the deadline and an abort end the call with their errors', async (t) => {
  const hcn = await client();
  process.env.FAKE_VFPCTRL_MODE = 'hang';
  try {
    await t.throwsAsync(hcn.vfp.ports({ timeoutMs: 300 }), { instanceOf: HcnTimeoutError });
    const ac = new AbortController();
    const pending = hcn.vfp.rules({ port: POD, signal: ac.signal });
    ac.abort();
    await t.throwsAsync(pending, { instanceOf: HcnAbortError });
  } finally {
    delete process.env.FAKE_VFPCTRL_MODE;
    await hcn.close();
  }
});
