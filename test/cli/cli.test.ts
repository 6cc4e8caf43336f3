// End-to-end tests of the `hcn` binary: each test spawns the REAL compiled bin (dist/cli/main.js, built
// by `npm run build:ts`) against its own temporary simulator state file, as a user would run it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Hcn } from '../../ts/client';
import { type BinResult as Result, bin, hcn as run, json, stateFile as tempState } from '../helpers/cli-bin';

const hcn = (state: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> => run(state, args, { env, simulated: false });
const stateFile = (t: ExecutionContext): string => tempState(t, 'hcn-cli-test-');

// <root>/<outDir>/test/cli → <root>

/** A fresh state file for one test; the simulated backend is forced so the tests mean the same everywhere. */
const sim = ['--backend', 'simulated'];
const QUICK = ['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--backend', '10.0.0.15', '--port', 'tcp:8000:80', '--dsr'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function errorJson(r: Result): { code: string; hresult: number | null; operation: string; message: string; hint: string | null; argument: string | null; exitCode: number } {
  return (JSON.parse(r.stderr.trim().split('\n')[0]!) as { error: ReturnType<typeof errorJson> }).error;
}

test.before(() => {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build:ts\` first`);
});

test('the bin has a node shebang', (t) => {
  t.true(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'));
});

test('quick start: create the walkthrough LB, list, verify, delete', async (t) => {
  const state = stateFile(t);
  const created = await hcn(state, [...sim, ...QUICK]);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /^ID:\s+[0-9a-f-]{36}$/m);
  t.regex(created.stdout, /^Frontend VIPs:\s+13\.0\.0\.13$/m);
  t.regex(created.stdout, /^DSR:\s+yes$/m);
  t.regex(created.stdout, /tcp:8000:80/);
  t.regex(created.stdout, /10\.0\.0\.14/);
  t.regex(created.stdout, /10\.0\.0\.15/);
  t.false(created.stdout.includes('\u001b['), 'no colour in a pipe');
  const id = /^ID:\s+(\S+)$/m.exec(created.stdout)![1]!;

  const list = await hcn(state, [...sim, 'lb', 'list']);
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /^ID\s+VIPS\s+PORTS\s+BACKENDS\s+DSR$/m);
  t.true(list.stdout.includes(id));

  const verify = await hcn(state, [...sim, 'verify', 'dsr']);
  t.is(verify.code, 0, verify.stdout + verify.stderr);
  t.regex(verify.stdout, /ok: the 1 load balancer has DSR/);

  const del = await hcn(state, [...sim, 'lb', 'delete', id]);
  t.is(del.code, 0, del.stderr);
  t.is(del.stdout, `deleted ${id}\n`);

  const empty = await hcn(state, [...sim, 'verify', 'dsr']);
  t.is(empty.code, 3, 'nothing to verify fails by default');
  t.regex(empty.stdout, /no load balancers to verify/);
  t.is((await hcn(state, [...sim, 'verify', 'dsr', '--allow-empty'])).code, 0);
  const none = await hcn(state, [...sim, 'lb', 'list']);
  t.is(none.code, 0);
  t.is(none.stdout, '', 'an empty list prints nothing on stdout (a note goes to stderr on a terminal only)');
  t.is((await hcn(state, [...sim, 'lb', 'list', '--json'])).stdout, '[]\n');
});

test('--json shapes of lb create, show, list, update, delete', async (t) => {
  const state = stateFile(t);
  const lb = json(t, await hcn(state, [...sim, ...QUICK, '--json']));
  t.deepEqual(Object.keys(lb).sort(), ['backendIds', 'backends', 'dsr', 'flags', 'frontendVips', 'id', 'ipv6', 'ports', 'sourceVip'].sort());
  t.regex(lb.id as string, GUID);
  t.deepEqual(lb.frontendVips, ['13.0.0.13']);
  t.is(lb.sourceVip, null);
  t.true(lb.dsr as boolean);
  t.false(lb.ipv6 as boolean);
  t.is(lb.flags, 1);
  t.deepEqual((lb.backends as { ip: string }[]).map((b) => b.ip).sort(), ['10.0.0.14', '10.0.0.15']);
  for (const b of lb.backends as { id: string }[]) t.regex(b.id, GUID);
  t.deepEqual(lb.ports, [
    { protocol: 'tcp', external: 8000, internal: 80, distribution: 'none', ilb: false, localRoutedVip: false, useMux: false, preserveDip: false, vipExternalIp: false },
  ]);

  const shown = json(t, await hcn(state, [...sim, 'lb', 'show', (lb.id as string).toUpperCase(), '--json']));
  t.deepEqual(shown, lb, 'show reads back what create printed (IDs case-insensitive)');
  const listed = json<unknown[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json']));
  t.deepEqual(listed, [lb]);
  t.deepEqual(json<unknown[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json', '--vip', '13.0.0.99'])), []);
  t.deepEqual(json<unknown[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json', '--port', '8000', '--protocol', 'tcp'])), [lb]);

  const updated = json(t, await hcn(state, [...sim, 'lb', 'update', lb.id as string, '--remove-backend', '10.0.0.15', '--json']));
  t.is(updated.previousId, lb.id);
  t.deepEqual((updated.backends as { ip: string }[]).map((b) => b.ip), ['10.0.0.14']);
  const current = updated.id as string;
  t.deepEqual(json<{ id: string }[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json'])).map((x) => x.id), [current]);

  const deleted = json(t, await hcn(state, [...sim, 'lb', 'delete', current, '--json']));
  t.deepEqual(deleted, { deleted: [current], notFound: [], failed: [] });
});

test('lb update: full replace and --add-backend; the ID is followed', async (t) => {
  const state = stateFile(t);
  const lb = json(t, await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:8000:80', '--dsr', '--json']));
  const added = json(t, await hcn(state, [...sim, 'lb', 'update', lb.id as string, '--add-backend', '10.0.0.15', '--json']));
  t.deepEqual((added.backends as { ip: string }[]).map((b) => b.ip).sort(), ['10.0.0.14', '10.0.0.15']);
  const replaced = json(
    t,
    await hcn(state, [...sim, 'lb', 'update', added.id as string, '--vip', '13.0.0.13', '--backend', '10.0.0.15', '--port', 'udp:53', '--dsr', '--json']),
  );
  t.deepEqual(replaced.ports, [
    { protocol: 'udp', external: 53, internal: 53, distribution: 'none', ilb: false, localRoutedVip: false, useMux: false, preserveDip: false, vipExternalIp: false },
  ]);
  t.deepEqual((replaced.backends as { ip: string }[]).map((b) => b.ip), ['10.0.0.15']);
  const all = json<unknown[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json']));
  t.is(all.length, 1, 'an update never leaves the old load balancer behind');

  const dup = await hcn(state, [...sim, 'lb', 'update', replaced.id as string, '--add-backend', '10.0.0.15']);
  t.is(dup.code, 2);
  t.regex(dup.stderr, /already a backend/);
  const notThere = await hcn(state, [...sim, 'lb', 'update', replaced.id as string, '--remove-backend', '10.0.0.14', '--json']);
  t.is(notThere.code, 2);
  t.is(errorJson(notThere).argument, '--remove-backend');
});

test('endpoint and network commands, human and JSON', async (t) => {
  const state = stateFile(t);
  const eps = json<{ id: string; ipAddresses: string[]; remote: boolean; networkId: string; name: string; macAddress: string | null; providerAddress: string | null }[]>(
    t,
    await hcn(state, [...sim, 'endpoint', 'list', '--json']),
  );
  t.deepEqual(eps.map((e) => e.ipAddresses[0]).sort(), ['10.0.0.14', '10.0.0.15']);
  t.deepEqual(Object.keys(eps[0]!).sort(), ['id', 'ipAddresses', 'macAddress', 'name', 'networkId', 'providerAddress', 'remote']);
  const byIp = json<unknown[]>(t, await hcn(state, [...sim, 'endpoint', 'list', '--ip', '10.0.0.15', '--json']));
  t.is(byIp.length, 1);
  const one = json(t, await hcn(state, [...sim, 'endpoint', 'show', eps[0]!.id, '--json']));
  t.deepEqual(one, eps[0]);
  const epTable = await hcn(state, [...sim, 'endpoint', 'list', '--network', 'vxlan0']);
  t.is(epTable.code, 0, epTable.stderr);
  t.regex(epTable.stdout, /^ID\s+NAME\s+IP\s+NETWORK\s+REMOTE/m);
  t.regex(epTable.stdout, /vxlan0/);

  const nets = json<{ id: string; name: string; type: string; subnets: string[]; managementIp: string | null; remoteSubnetRoutes: unknown[] }[]>(
    t,
    await hcn(state, [...sim, 'network', 'list', '--json']),
  );
  t.is(nets.length, 1);
  t.is(nets[0]!.name, 'vxlan0');
  t.is(nets[0]!.type.toLowerCase(), 'overlay');
  t.is(nets[0]!.managementIp, '10.231.111.97');
  t.deepEqual(nets[0]!.remoteSubnetRoutes, [{ prefix: '10.0.1.0/24', providerAddress: '10.231.111.98' }]);
  t.deepEqual(json(t, await hcn(state, [...sim, 'network', 'show', 'vxlan0', '--json'])), nets[0]);
  t.deepEqual(json(t, await hcn(state, [...sim, 'network', 'show', nets[0]!.id, '--json'])), nets[0]);
  const netShow = await hcn(state, [...sim, 'network', 'show', 'vxlan0']);
  t.regex(netShow.stdout, /^Remote subnets:\s+10\.0\.1\.0\/24 via 10\.231\.111\.98$/m);
  const missing = await hcn(state, [...sim, 'network', 'show', 'nope', '--json']);
  t.is(missing.code, 1);
  t.is(errorJson(missing).code, 'ERROR_NOT_FOUND');
});

test('features and sim status/reset/version', async (t) => {
  const state = stateFile(t);
  const f = json<{ backend: string; statePath: string; version: string; features: Record<string, { supported: boolean; minVersion: string; title: string; source: string }> }>(
    t,
    await hcn(state, [...sim, 'features', '--json']),
  );
  t.is(f.backend, 'simulated');
  t.is(f.statePath, state);
  t.is(f.version, '13.2');
  t.true(f.features.dsr!.supported);
  t.is(f.features.dsr!.minVersion, '10.2');
  t.false(f.features.modifyLoadBalancer!.supported);
  const human = await hcn(state, [...sim, 'features']);
  t.regex(human.stdout, /^Backend:\s+simulated/m);
  t.regex(human.stdout, /^HNS version:\s+13\.2$/m);
  t.regex(human.stdout, /^dsr\s+yes\s+10\.2/m);

  const status = json<{ backend: string; statePath: string; stateFileExists: boolean; version: string; counts: Record<string, number> }>(
    t,
    await hcn(state, ['sim', 'status', '--json']),
  );
  t.deepEqual(status, {
    backend: 'simulated',
    statePath: state,
    stateFileExists: true,
    version: '13.2',
    counts: { networks: 1, endpoints: 2, loadBalancers: 0, namespaces: 0 },
  });
  t.is(json<{ version: string }>(t, await hcn(state, ['sim', 'version', '15.5', '--json'])).version, '15.5');
  t.is(json<{ version: string }>(t, await hcn(state, [...sim, 'features', '--json'])).version, '15.5', 'the version persists in the state file');
  t.true(json<{ features: { modifyLoadBalancer: { supported: boolean } } }>(t, await hcn(state, [...sim, 'features', '--json'])).features.modifyLoadBalancer.supported);

  // With 15.5 an update modifies in place: same ID.
  const lb = json<{ id: string }>(t, await hcn(state, [...sim, ...QUICK, '--json']));
  const upd = json<{ id: string; previousId: string }>(t, await hcn(state, [...sim, 'lb', 'update', lb.id, '--remove-backend', '10.0.0.14', '--json']));
  t.is(upd.id, lb.id);
  t.is(json<{ counts: { loadBalancers: number } }>(t, await hcn(state, ['sim', 'status', '--json'])).counts.loadBalancers, 1);

  const reset = json<{ version: string; counts: { loadBalancers: number } }>(t, await hcn(state, ['sim', 'reset', '--json']));
  t.is(reset.version, '13.2');
  t.is(reset.counts.loadBalancers, 0);
  const human2 = await hcn(state, ['sim', 'status']);
  t.regex(human2.stdout, new RegExp(`^State file:\\s+${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
});

test('HNS errors: exit 1 with code, operation and hint; JSON on stderr', async (t) => {
  const state = stateFile(t);
  const first = await hcn(state, [...sim, ...QUICK, '--json']);
  const owner = (JSON.parse(first.stdout) as { id: string }).id;
  const again = await hcn(state, [...sim, ...QUICK, '--json']);
  t.is(again.code, 1);
  t.is(again.stdout, '');
  const e = errorJson(again);
  t.is(e.code, 'HCN_E_PORT_ALREADY_EXISTS');
  t.is(e.hresult, 0x803b0013);
  t.is(e.operation, 'HcnCreateLoadBalancer');
  t.is(e.exitCode, 1);
  t.true((e.hint ?? '').includes(`hcn lb delete ${owner}`), 'the hint names the load balancer that holds the port');
  const human = await hcn(state, [...sim, ...QUICK]);
  t.is(human.code, 1);
  t.regex(human.stderr, /^hcn: error: .*HCN_E_PORT_ALREADY_EXISTS \(0x803B0013\)/m);
  t.regex(human.stderr, /what to do:/);

  const unknown = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
  const show = await hcn(state, [...sim, 'lb', 'show', unknown, '--json']);
  t.is(show.code, 1);
  t.regex(errorJson(show).code, /NOT_FOUND/);
  const del = await hcn(state, [...sim, 'lb', 'delete', unknown]);
  t.is(del.code, 1);
  t.regex(del.stdout, /not found/);
  t.regex(del.stderr, /--force/);
  const force = await hcn(state, [...sim, 'lb', 'delete', unknown, '--force', '--json']);
  t.is(force.code, 0, force.stderr);
  t.deepEqual(JSON.parse(force.stdout), { deleted: [], notFound: [unknown], failed: [] });

  const unknownBackend = await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.20', '--backend', '10.9.9.9', '--port', 'tcp:80', '--json']);
  t.is(unknownBackend.code, 1);
  t.regex(errorJson(unknownBackend).message, /10\.9\.9\.9/);
});

test('usage errors from the real bin: unknown flag, bad IP, bad port, bad ID', async (t) => {
  const state = stateFile(t);
  const cases: [string[], string][] = [
    [['lb', 'list', '--frobnicate'], '--frobnicate'],
    [['lb', 'create', '--vip', '300.1.1.1', '--backend', '10.0.0.14', '--port', 'tcp:80'], '--vip'],
    [['lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:0:80'], '--port'],
    [['lb', 'show', '12345'], 'ID'],
  ];
  for (const [args, argument] of cases) {
    const r = await hcn(state, [...sim, ...args, '--json']);
    t.is(r.code, 2, args.join(' '));
    t.is(errorJson(r).argument, argument);
    const human = await hcn(state, [...sim, ...args]);
    t.is(human.code, 2);
    t.regex(human.stderr, /^hcn: usage error: /);
    t.true(human.stderr.includes(argument));
  }
  t.false(fs.existsSync(state), 'a usage error never touches the simulator state');
});

test('verify dsr fails (3) when a load balancer lacks DSR, with both views in JSON', async (t) => {
  const state = stateFile(t);
  const good = json<{ id: string }>(t, await hcn(state, [...sim, ...QUICK, '--json']));
  const bad = json<{ id: string }>(t, await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.14', '--backend', '10.0.0.14', '--port', 'tcp:8001:80', '--json']));
  const r = await hcn(state, [...sim, 'verify', 'dsr', '--json']);
  t.is(r.code, 3);
  const report = JSON.parse(r.stdout) as { ok: boolean; checked: number; failed: number; policyLists: { read: boolean }; loadBalancers: { id: string; dsr: boolean; isDsrV1: boolean | null; ok: boolean }[] };
  t.false(report.ok);
  t.is(report.checked, 2);
  t.is(report.failed, 1);
  t.true(report.policyLists.read, 'the v1 policy-list view is read through the SDK');
  const rows = new Map(report.loadBalancers.map((x) => [x.id, x]));
  t.like(rows.get(good.id), { dsr: true, isDsrV1: true, ok: true });
  t.like(rows.get(bad.id), { dsr: false, isDsrV1: false, ok: false });
  const human = await hcn(state, [...sim, 'verify', 'dsr']);
  t.is(human.code, 3);
  t.regex(human.stdout, /^ID\s+VIPS\s+PORTS\s+DSR \(v2\)\s+IsDSR \(v1\)\s+RESULT$/m);
  t.regex(human.stdout, /FAILED: 1 of 2 load balancers without DSR/);
  // Narrowed to the good one, it passes.
  t.is((await hcn(state, [...sim, 'verify', 'dsr', '--vip', '13.0.0.13'])).code, 0);
});

test('a feature the simulated HNS lacks is refused by name (exit 1)', async (t) => {
  const state = stateFile(t);
  t.is((await hcn(state, ['sim', 'version', '10.1'])).code, 0);
  const r = await hcn(state, [...sim, ...QUICK, '--json']);
  t.is(r.code, 1);
  const e = errorJson(r);
  t.is(e.code, 'HCN_FEATURE_NOT_SUPPORTED');
  t.is(e.argument, '--dsr');
  t.regex(e.hint ?? '', /hcn sim version 10\.2/);
});

test('two hcn processes in parallel on one state file both create their load balancer', async (t) => {
  const state = stateFile(t);
  t.is((await hcn(state, ['sim', 'reset'])).code, 0);
  const runs = await Promise.all(
    ['13.0.0.21', '13.0.0.22', '13.0.0.23', '13.0.0.24'].map((vip) =>
      hcn(state, [...sim, 'lb', 'create', '--vip', vip, '--backend', '10.0.0.14', '--backend', '10.0.0.15', '--port', 'tcp:80', '--dsr', '--json']),
    ),
  );
  for (const r of runs) t.is(r.code, 0, r.stderr);
  const ids = runs.map((r) => (JSON.parse(r.stdout) as { id: string }).id);
  const listed = json<{ id: string; frontendVips: string[] }[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json']));
  t.deepEqual(listed.map((x) => x.id).sort(), [...ids].sort());
  t.deepEqual(listed.map((x) => x.frontendVips[0]).sort(), ['13.0.0.21', '13.0.0.22', '13.0.0.23', '13.0.0.24']);
});

test('lb delete: many IDs with --progress, and --all with filters', async (t) => {
  const state = stateFile(t);
  const ids: string[] = [];
  for (const port of ['81', '82', '83']) {
    ids.push(json<{ id: string }>(t, await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', `tcp:${port}`, '--dsr', '--json'])).id);
  }
  const other = json<{ id: string }>(t, await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.99', '--backend', '10.0.0.14', '--port', 'tcp:81', '--json'])).id;
  const quiet = await hcn(state, [...sim, 'lb', 'delete', ids[0]!, ids[1]!]);
  t.is(quiet.code, 0, quiet.stderr);
  t.is(quiet.stderr, '', 'no progress in a pipe');
  t.is(quiet.stdout, `deleted ${ids[0]}\ndeleted ${ids[1]}\n`);
  const withAll = await hcn(state, [...sim, 'lb', 'delete', '--all', '--vip', '13.0.0.13', '--progress', '--json']);
  t.is(withAll.code, 0, withAll.stderr);
  t.deepEqual(JSON.parse(withAll.stdout), { deleted: [ids[2]], notFound: [], failed: [] });
  t.deepEqual(json<{ id: string }[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json'])).map((x) => x.id), [other]);
  // Progress is shown when asked for (it is on by default only on a terminal).
  const more = [];
  for (const port of ['91', '92']) more.push(json<{ id: string }>(t, await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', `tcp:${port}`, '--json'])).id);
  const progress = await hcn(state, [...sim, 'lb', 'delete', ...more, '--progress']);
  t.is(progress.code, 0);
  t.regex(progress.stderr, /deleting 2\/2/);
  const everything = await hcn(state, [...sim, 'lb', 'delete', '--all', '--yes']);
  t.is(everything.code, 0);
  t.is(everything.stdout, `deleted ${other}\n`);
});

test('exit 4 when the backend is not available (the addon cannot be loaded)', async (t) => {
  const state = stateFile(t);
  const r = await hcn(state, [...sim, 'lb', 'list', '--json'], { HCN_SDK_ADDON: path.join(os.tmpdir(), 'no-such-addon.node') });
  t.is(r.code, 4);
  t.is(errorJson(r).exitCode, 4);
  const human = await hcn(state, [...sim, 'features'], { HCN_SDK_ADDON: path.join(os.tmpdir(), 'no-such-addon.node') });
  t.is(human.code, 4);
  t.regex(human.stderr, /no-such-addon\.node/);
});

test('HCN_BACKEND picks the backend; sim commands always use the simulator', async (t) => {
  const state = stateFile(t);
  const f = json<{ backend: string }>(t, await hcn(state, ['features', '--json'], { HCN_BACKEND: 'simulated' }));
  t.is(f.backend, 'simulated');
  const bad = await hcn(state, ['features'], { HCN_BACKEND: 'docker' });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /HCN_BACKEND/);
});

test('endpoint create-remote and delete: the overlay flow from the command line', async (t) => {
  const state = stateFile(t);
  const ep = json<{ id: string; remote: boolean; providerAddress: string; macAddress: string; ipAddresses: string[] }>(
    t,
    await hcn(state, [...sim, 'endpoint', 'create-remote', '--network', 'vxlan0', '--ip', '10.0.1.5', '--json']),
  );
  t.true(ep.remote);
  t.is(ep.providerAddress, '10.231.111.98', 'PA from the RemoteSubnetRoute');
  t.is(ep.macAddress.toLowerCase(), '02-11-0a-00-01-05');
  const lb = json<{ id: string; backends: { ip: string }[]; sourceVip: string }>(
    t,
    await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.13', '--source-vip', '10.231.111.97', '--backend', '10.0.0.14', '--backend', '10.0.1.5', '--port', 'tcp:8000:80', '--dsr', '--json']),
  );
  t.deepEqual(lb.backends.map((b) => b.ip), ['10.0.0.14', '10.0.1.5']);
  t.is(lb.sourceVip, '10.231.111.97');
  const inUse = await hcn(state, [...sim, 'endpoint', 'delete', ep.id, '--json']);
  t.is(inUse.code, 1, 'HNS refuses to delete an endpoint a load balancer uses');
  t.is((await hcn(state, [...sim, 'lb', 'delete', lb.id])).code, 0);
  const local = json<{ id: string }[]>(t, await hcn(state, [...sim, 'endpoint', 'list', '--ip', '10.0.0.14', '--json']))[0]!;
  const refused = await hcn(state, [...sim, 'endpoint', 'delete', local.id, '--json']);
  t.is(refused.code, 1);
  t.is(errorJson(refused).code, 'HCN_REFUSED');
  t.deepEqual(json(t, await hcn(state, [...sim, 'endpoint', 'delete', ep.id, '--json'])), { deleted: [ep.id], notFound: [], failed: [] });
  // No RemoteSubnetRoute covers it: the node's own IP, as kube-proxy does ("assuming it is a public IP").
  const noRoute = json<{ providerAddress: string }>(t, await hcn(state, [...sim, 'endpoint', 'create-remote', '--network', 'vxlan0', '--ip', '10.0.9.5', '--json']));
  t.is(noRoute.providerAddress, '10.231.111.97');
});

test('lb create --network and an apply spec\'s network pick the endpoint of that network when an IP is on two', async (t) => {
  const state = stateFile(t);
  // A second network that also holds 10.0.0.14 (the default vxlan0 holds it too).
  const setup = await Hcn.open({ backend: 'simulated', statePath: state });
  const net = await setup.networks.create({
    Name: 'l2b',
    Type: 'L2Bridge',
    Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '10.0.0.0/24', Routes: [{ NextHop: '10.0.0.1', DestinationPrefix: '0.0.0.0/0' }] }] }],
  });
  const twin = await setup.endpoints.create(net.id, { IpConfigurations: [{ IpAddress: '10.0.0.14', PrefixLength: 24 }] });
  await setup.close();
  const vxlan = json<{ id: string }[]>(t, await hcn(state, [...sim, 'endpoint', 'list', '--network', 'vxlan0', '--ip', '10.0.0.14', '--json']))[0]!;

  const ambiguous = await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:8000:80', '--json']);
  t.not(ambiguous.code, 0);
  t.regex(errorJson(ambiguous).message, /several networks/);
  const onL2b = json<{ id: string; backends: { id: string; ip: string }[] }>(
    t,
    await hcn(state, [...sim, 'lb', 'create', '--network', 'l2b', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:8000:80', '--json']),
  );
  t.deepEqual(onL2b.backends.map((b) => b.id), [twin.id]);
  const missing = await hcn(state, [...sim, 'lb', 'create', '--network', 'no-such', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:8001:80', '--json']);
  t.is(missing.code, 1);
  t.regex(errorJson(missing).message, /no network named "no-such"/);

  const dir = path.dirname(state);
  fs.writeFileSync(path.join(dir, 'lbs.yaml'), 'loadBalancers:\n  - frontendVips: [13.0.0.14]\n    network: vxlan0\n    backends: [10.0.0.14]\n    ports: [{ protocol: tcp, external: 8000, internal: 80 }]\n');
  const applied = await hcn(state, [...sim, 'apply', '-f', path.join(dir, 'lbs.yaml'), '--json']);
  t.is(applied.code, 0, applied.stderr);
  const lbs = json<{ frontendVips: string[]; backends: { id: string }[] }[]>(t, await hcn(state, [...sim, 'lb', 'list', '--vip', '13.0.0.14', '--json']));
  t.deepEqual(lbs.map((l) => l.backends.map((b) => b.id)), [[vxlan.id]]);

  // lb update --add-backend resolves its IP in --network too.
  const vxlan15 = json<{ id: string }[]>(t, await hcn(state, [...sim, 'endpoint', 'list', '--ip', '10.0.0.15', '--json']))[0]!;
  const created = json<{ id: string }>(t, await hcn(state, [...sim, 'lb', 'create', '--vip', '13.0.0.15', '--backend', '10.0.0.15', '--port', 'tcp:8000:80', '--json']));
  const grown = json<{ backendIds: string[] }>(t, await hcn(state, [...sim, 'lb', 'update', created.id, '--add-backend', '10.0.0.14', '--network', 'l2b', '--json']));
  t.deepEqual(grown.backendIds, [vxlan15.id, twin.id]);
  // Without --network, an IP on both networks resolves on the network of the other backends: l2b here,
  // although vxlan0's endpoint with that IP is listed first.
  const reopened = await Hcn.open({ backend: 'simulated', statePath: state });
  const twin15 = await reopened.endpoints.create(net.id, { IpConfigurations: [{ IpAddress: '10.0.0.15', PrefixLength: 24 }] });
  await reopened.close();
  const onL2bOnly = json<{ id: string }>(t, await hcn(state, [...sim, 'lb', 'create', '--network', 'l2b', '--vip', '13.0.0.16', '--backend', '10.0.0.14', '--port', 'tcp:8000:80', '--json']));
  const anchored = json<{ backendIds: string[] }>(t, await hcn(state, [...sim, 'lb', 'update', onL2bOnly.id, '--add-backend', '10.0.0.15', '--json']));
  t.deepEqual(anchored.backendIds, [twin.id, twin15.id]);
});

test('one shape for one thing: lb JSON carries the SDK\'s backendIds, and MACs are lower case in the SDK, the table and JSON', async (t) => {
  const state = stateFile(t);
  const lb = json<{ id: string; backendIds: string[]; backends: { id: string; ip: string | null }[] }>(t, await hcn(state, [...sim, ...QUICK, '--json']));
  const sdk = await Hcn.open({ backend: 'simulated', statePath: state });
  t.teardown(() => sdk.close());
  const info = (await sdk.loadBalancers.get(lb.id)).info;
  t.deepEqual(lb.backendIds, info.backendIds, 'the SDK\'s field, as is');
  t.deepEqual(lb.backends.map((b) => b.id), info.backendIds);
  const listed = json<{ backendIds: string[] }[]>(t, await hcn(state, [...sim, 'lb', 'list', '--json']));
  t.deepEqual(listed.map((l) => l.backendIds), [info.backendIds]);

  // The simulator reports local endpoints' MACs in upper case, as HNS does; every output says them in lower case.
  const eps = await sdk.endpoints.list();
  t.true(eps.some((e) => /[A-F]/.test(e.raw.MacAddress ?? '')), 'HNS\'s text is upper case');
  t.true(eps.every((e) => e.macAddress === e.macAddress?.toLowerCase()));
  const viewed = json<{ macAddress: string | null }[]>(t, await hcn(state, [...sim, 'endpoint', 'list', '--json']));
  t.deepEqual(viewed.map((e) => e.macAddress).sort(), eps.map((e) => e.macAddress!).sort());
  t.true(viewed.every((e) => e.macAddress !== null && e.macAddress === e.macAddress.toLowerCase()));
  const table = await hcn(state, [...sim, 'endpoint', 'list']);
  t.is(table.code, 0);
  t.regex(table.stdout, /00-15-5d-0a-00-0e/);
  t.notRegex(table.stdout, /00-15-5D/);
  const remote = json<{ macAddress: string }>(t, await hcn(state, [...sim, 'endpoint', 'create-remote', '--network', 'vxlan0', '--ip', '10.0.1.9', '--mac', '02-11-0A-00-01-09', '--json']));
  t.is(remote.macAddress, '02-11-0a-00-01-09');
});
