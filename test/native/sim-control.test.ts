// The simulator's control protocol through ts/native.ts: every op (reset, configure, status,
// setVersion, failNext, latency, hang, release, restart, stats, dump) with its success and
// refusal paths, plus the network notifications and handle semantics they drive.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { DISCONNECT, EP14, EP15, E_FAIL, E_HANDLE, E_INVALIDARG, NET, NOT_FOUND, PORT_IN_USE, PROPS, TIMEOUT, assertClean, fileState, openSim, rejectsWith, sim, simStats, throwsWith, waitFor } from './helpers';

const ctx = openSim();


type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.before(() => {
  sim(ctx, { op: 'configure', statePath: null });
});
test.beforeEach(() => {
  sim(ctx, { op: 'reset' });
});
test.after.always(() => {
  sim(ctx, { op: 'configure', statePath: null });
  sim(ctx, { op: 'reset' });
  ctx.close();
});

function simTest(title: string, fn: (t: ExecutionContext) => Promise<void>): void {
  test.serial(title, async (t) => {
    await fn(t);
    await assertClean(t, ctx);
  });
}

function lbSettings(vip = '13.0.0.13', port = 8000): string {
  return JSON.stringify({
    HostComputeEndpoints: [EP14, EP15],
    FrontendVIPs: [vip],
    PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: port }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 1,
  });
}

async function createLb(vip?: string, port?: number): Promise<string> {
  return (JSON.parse(await ctx.create('loadBalancer', null, lbSettings(vip, port), PROPS, TIMEOUT)) as Obj).ID as string;
}

async function lbIds(): Promise<string[]> {
  return JSON.parse(await ctx.enumerate('loadBalancer', PROPS, TIMEOUT)) as string[];
}

/** A control request that must be refused with E_INVALIDARG and {"ok":false,"error":...}. */
function refused(t: ExecutionContext, request: string, why?: RegExp): void {
  const err = throwsWith(t, () => ctx.simControl(request), 'HCN_HRESULT');
  t.is(err.hresult, E_INVALIDARG, request);
  const body = JSON.parse(err.errorRecord!) as Obj;
  t.is(body.ok, false);
  t.is(typeof body.error, 'string');
  if (why) t.regex(body.error as string, why);
}

function tempState(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-sim-control-'));
  return { dir, file: path.join(dir, 'hns-state.json') };
}

// ------------------------------------------------------------------------------------------------

simTest('status reports version, state path and counts', async (t) => {
  t.deepEqual(sim(ctx, { op: 'status' }), {
    ok: true,
    version: { Major: 13, Minor: 2 },
    counts: { networks: 1, endpoints: 2, loadBalancers: 0, namespaces: 0 },
    statePath: null,
  });
  const id = await createLb();
  t.is((sim(ctx, { op: 'status' }).counts as Obj).loadBalancers, 1);
  await ctx.remove('loadBalancer', id, TIMEOUT);
});

simTest('dump returns the whole persisted state document', async (t) => {
  const id = await createLb();
  const dump = sim(ctx, { op: 'dump' });
  t.true(dump.ok as boolean);
  const state = dump.state as Obj;
  t.is(state.Format, 'hcn-sdk-simulator-state');
  t.is(state.FormatVersion, 1);
  t.deepEqual(state.Version, { Major: 13, Minor: 2 });
  t.deepEqual((state.Networks as Obj[]).map((n) => n.ID), [NET]);
  t.deepEqual((state.Endpoints as Obj[]).map((n) => n.ID), [EP14, EP15]);
  t.deepEqual((state.LoadBalancers as Obj[]).map((n) => n.ID), [id]);
  t.deepEqual(state.LoadBalancers[0], JSON.parse(await ctx.query('loadBalancer', id, PROPS, TIMEOUT)));
  t.deepEqual(state.Namespaces, []);
  await ctx.remove('loadBalancer', id, TIMEOUT);
});

simTest('reset restores topology and version and clears faults and call counts', async (t) => {
  await createLb();
  await ctx.create('network', null, JSON.stringify({ Name: 'extra', Type: 'NAT' }), PROPS, TIMEOUT);
  sim(ctx, { op: 'setVersion', major: 9, minor: 1 });
  sim(ctx, { op: 'failNext', operation: 'HcnEnumerateNetworks', count: 5, hresult: E_FAIL });
  sim(ctx, { op: 'latency', operation: 'HcnEnumerateEndpoints', ms: 1 });
  t.true(Object.keys(simStats(ctx).calls).length > 0);
  t.deepEqual(sim(ctx, { op: 'reset' }), { ok: true });
  t.deepEqual(simStats(ctx).calls, {});
  t.deepEqual(sim(ctx, { op: 'status' }).counts, { networks: 1, endpoints: 2, loadBalancers: 0, namespaces: 0 });
  t.deepEqual(sim(ctx, { op: 'status' }).version, { Major: 13, Minor: 2 });
  t.deepEqual(JSON.parse(await ctx.enumerate('network', PROPS, TIMEOUT)), [NET], 'failNext cleared');
});

simTest('setVersion changes /globals/version; bad versions are refused', async (t) => {
  t.deepEqual(sim(ctx, { op: 'setVersion', major: 16, minor: 0 }), { ok: true, version: { Major: 16, Minor: 0 } });
  t.deepEqual(JSON.parse(await ctx.hnsCall('GET', '/globals/version', '', TIMEOUT)).Output, { Major: 16, Minor: 0 });
  refused(t, '{"op":"setVersion","major":15}', /major/);
  refused(t, '{"op":"setVersion","major":-1,"minor":0}');
  refused(t, '{"op":"setVersion","major":"15","minor":5}');
  refused(t, '{"op":"setVersion","major":1.5,"minor":5}');
  t.deepEqual(sim(ctx, { op: 'status' }).version, { Major: 16, Minor: 0 }, 'unchanged by refusals');
});

simTest('failNext fails the next N calls with the HRESULT and message, changing nothing', async (t) => {
  t.deepEqual(
    sim(ctx, { op: 'failNext', operation: 'HcnCreateLoadBalancer', count: 2, hresult: PORT_IN_USE, message: 'injected' }),
    { ok: true },
  );
  for (let i = 0; i < 2; i++) {
    const err = await rejectsWith(t, ctx.create('loadBalancer', null, lbSettings(), PROPS, TIMEOUT), 'HCN_HRESULT');
    t.is(err.hresult, PORT_IN_USE);
    t.is(err.operation, 'HcnCreateLoadBalancer');
    t.deepEqual(JSON.parse(err.errorRecord!), { Success: false, Error: 'injected ', ErrorCode: PORT_IN_USE });
  }
  t.deepEqual(await lbIds(), [], 'nothing was created');
  const id = await createLb();
  t.is(simStats(ctx).calls.HcnCreateLoadBalancer, 3);
  // Without a message the ErrorRecord carries the HRESULT's text; "*" hits any operation.
  sim(ctx, { op: 'failNext', operation: '*', hresult: 0x803b0020 });
  const err = await rejectsWith(t, ctx.remove('loadBalancer', id, TIMEOUT), 'HCN_HRESULT');
  t.is(err.hresult, 0x803b0020);
  t.regex(JSON.parse(err.errorRecord!).Error as string, /stopped/);
  t.deepEqual(await lbIds(), [id], 'the failed delete changed nothing');
  // count 0 clears a pending failure.
  sim(ctx, { op: 'failNext', operation: 'HcnDeleteLoadBalancer', count: 3, hresult: E_FAIL });
  sim(ctx, { op: 'failNext', operation: 'HcnDeleteLoadBalancer', count: 0, hresult: E_FAIL });
  await ctx.remove('loadBalancer', id, TIMEOUT);
  // HNSCall has no ErrorRecord: the HRESULT alone.
  sim(ctx, { op: 'failNext', operation: 'HNSCall', hresult: 0x800706ba });
  const v1 = await rejectsWith(t, ctx.hnsCall('GET', '/globals/version', '', TIMEOUT), 'HCN_HRESULT');
  t.is(v1.hresult, 0x800706ba);
  t.falsy(v1.errorRecord);
});

simTest('failNext, latency and hang refuse bad requests', async (t) => {
  refused(t, '{"op":"failNext","operation":"HcnCreateLoadBalancer"}', /hresult/);
  refused(t, '{"op":"failNext","operation":"HcnCreateLoadBalancer","hresult":1}', /hresult/);
  refused(t, '{"op":"failNext","operation":"HcnCreateLoadBalancer","hresult":4294967296}', /hresult/);
  refused(t, '{"op":"failNext","operation":"HcnMakeCoffee","hresult":2147500037}', /unknown operation/);
  refused(t, '{"op":"failNext","hresult":2147500037}', /operation/);
  refused(t, '{"op":"failNext","operation":"HNSCall","hresult":2147500037,"count":-1}', /count/);
  refused(t, '{"op":"failNext","operation":"HNSCall","hresult":2147500037,"message":5}', /message/);
  refused(t, '{"op":"latency","operation":"*"}', /ms/);
  refused(t, '{"op":"latency","operation":"*","ms":-5}', /ms/);
  refused(t, '{"op":"latency","operation":"nope","ms":5}', /unknown operation/);
  refused(t, '{"op":"hang"}', /operation/);
  refused(t, '{"op":"restart","keepState":"yes"}', /keepState/);
  refused(t, '{"op":"configure"}', /statePath/);
  refused(t, '{"op":"configure","statePath":42}', /statePath/);
  refused(t, '{"op":"explode"}', /unknown op/);
  refused(t, '{}', /op/);
  refused(t, 'not json', /JSON/);
  refused(t, '[]', /JSON object/);
  // None of them changed anything.
  t.deepEqual(simStats(ctx).calls, {});
  t.deepEqual(JSON.parse(await ctx.enumerate('network', PROPS, TIMEOUT)), [NET]);
});

simTest('latency delays calls without failing them; a call past its deadline times out', async (t) => {
  t.deepEqual(sim(ctx, { op: 'latency', operation: '*', ms: 5 }), { ok: true });
  t.deepEqual(JSON.parse(await ctx.enumerate('endpoint', PROPS, TIMEOUT)), [EP14, EP15]);
  sim(ctx, { op: 'latency', operation: '*', ms: 0 });
  sim(ctx, { op: 'latency', operation: 'HcnEnumerateNetworks', ms: 1500 });
  await rejectsWith(t, ctx.enumerate('network', PROPS, 100), 'HCN_TIMEOUT');
  sim(ctx, { op: 'latency', operation: 'HcnEnumerateNetworks', ms: 0 });
  t.deepEqual(JSON.parse(await ctx.enumerate('network', PROPS, TIMEOUT)), [NET]);
  t.is(simStats(ctx).calls.HcnEnumerateNetworks, 2);
});

simTest('hang blocks one operation without holding the state; release lets it run', async (t) => {
  const id = await createLb();
  t.deepEqual(sim(ctx, { op: 'hang', operation: 'HcnQueryLoadBalancerProperties' }), { ok: true });
  const pending = ctx.query('loadBalancer', id, PROPS, TIMEOUT);
  await waitFor(() => simStats(ctx).hung === 1, 'the query to hang');
  // Everything else keeps working meanwhile, including writes.
  const other = (JSON.parse(await ctx.create('network', null, JSON.stringify({ Name: 'meanwhile', Type: 'NAT' }), PROPS, TIMEOUT)) as Obj).ID as string;
  t.deepEqual(await lbIds(), [id]);
  t.deepEqual(sim(ctx, { op: 'release' }), { ok: true, released: 1 });
  t.is((JSON.parse(await pending) as Obj).ID, id);
  t.is(simStats(ctx).hung, 0);
  // After release the operation runs normally again.
  t.is((JSON.parse(await ctx.query('loadBalancer', id, PROPS, TIMEOUT)) as Obj).ID, id);
  await ctx.remove('loadBalancer', id, TIMEOUT);
  await ctx.remove('network', other, TIMEOUT);
});

simTest('a hung call past its deadline times out; reset releases it', async (t) => {
  sim(ctx, { op: 'hang', operation: '*' });
  await rejectsWith(t, ctx.enumerate('network', PROPS, 200), 'HCN_TIMEOUT');
  await waitFor(() => simStats(ctx).hung === 1, 'the call to be hung');
  sim(ctx, { op: 'reset' });
  await waitFor(() => ctx.stats().stuck === 0, 'the written-off thread to return');
  t.is(simStats(ctx).hung, 0);
});

simTest('a handle names an object ID: Query after the object is deleted is not found', async (t) => {
  const id = await createLb();
  sim(ctx, { op: 'hang', operation: 'HcnQueryLoadBalancerProperties' });
  const pending = ctx.query('loadBalancer', id, PROPS, TIMEOUT); // Open done, Query hung
  await waitFor(() => simStats(ctx).hung === 1, 'the query to hang');
  await ctx.remove('loadBalancer', id, TIMEOUT);
  sim(ctx, { op: 'release' });
  const err = await rejectsWith(t, pending, 'HCN_HRESULT');
  t.is(err.hresult, NOT_FOUND);
});

simTest('restart fires ServiceDisconnect; keepState keeps objects and handles', async (t) => {
  const seen: Array<[number, number, string | null]> = [];
  await ctx.subscribe((type, status, data) => seen.push([type, status, data]), TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 1);
  const id = await createLb();
  sim(ctx, { op: 'hang', operation: 'HcnQueryLoadBalancerProperties' });
  const pending = ctx.query('loadBalancer', id, PROPS, TIMEOUT);
  await waitFor(() => simStats(ctx).hung === 1, 'the query to hang');
  t.deepEqual(sim(ctx, { op: 'restart', keepState: true }), { ok: true });
  await waitFor(() => seen.length === 1, 'the disconnect notification');
  t.deepEqual(seen[0], [DISCONNECT, 0, null]);
  sim(ctx, { op: 'release' });
  t.is((JSON.parse(await pending) as Obj).ID, id, 'the open handle survived the restart');
  t.deepEqual(await lbIds(), [id]);
  sim(ctx, { op: 'restart' }); // keepState defaults to true
  await waitFor(() => seen.length === 2, 'the second disconnect');
  t.deepEqual(await lbIds(), [id]);
  await ctx.unsubscribe(TIMEOUT);
  await ctx.remove('loadBalancer', id, TIMEOUT);
});

simTest('restart without keepState goes back to the default topology and invalidates handles', async (t) => {
  const seen: number[] = [];
  await ctx.subscribe((type) => seen.push(type), TIMEOUT);
  const id = await createLb();
  sim(ctx, { op: 'setVersion', major: 15, minor: 5 });
  sim(ctx, { op: 'hang', operation: 'HcnQueryEndpointProperties' });
  const pending = ctx.query('endpoint', EP14, PROPS, TIMEOUT);
  await waitFor(() => simStats(ctx).hung === 1, 'the query to hang');
  sim(ctx, { op: 'restart', keepState: false });
  await waitFor(() => seen.length === 1, 'the disconnect notification');
  t.deepEqual(seen, [DISCONNECT]);
  sim(ctx, { op: 'release' });
  const err = await rejectsWith(t, pending, 'HCN_HRESULT');
  t.is(err.hresult, E_HANDLE, 'handles opened before the restart are gone');
  t.deepEqual(await lbIds(), []);
  t.false((await lbIds()).includes(id));
  t.deepEqual(JSON.parse(await ctx.enumerate('endpoint', PROPS, TIMEOUT)), [EP14, EP15]);
  t.deepEqual(sim(ctx, { op: 'status' }).version, { Major: 15, Minor: 5 }, 'the version is not topology');
  await ctx.unsubscribe(TIMEOUT);
});

simTest('network create and delete notify with the network ID', async (t) => {
  const seen: Array<[number, string | null]> = [];
  await ctx.subscribe((type, _status, data) => seen.push([type, data]), TIMEOUT);
  const net = JSON.parse(await ctx.create('network', null, JSON.stringify({ Name: 'n1', Type: 'NAT' }), PROPS, TIMEOUT)) as Obj;
  await ctx.remove('network', net.ID, TIMEOUT);
  // LB and endpoint changes raise nothing (HCN has no such notifications).
  const lb = await createLb();
  await ctx.remove('loadBalancer', lb, TIMEOUT);
  sim(ctx, { op: 'restart' });
  await waitFor(() => seen.length === 3, 'three notifications');
  t.deepEqual(seen, [
    [0x2, JSON.stringify({ ID: net.ID })],
    [0x4, JSON.stringify({ ID: net.ID })],
    [DISCONNECT, null],
  ]);
  await ctx.unsubscribe(TIMEOUT);
});

simTest('stats counts calls per operation and live callbacks', async (t) => {
  await ctx.enumerate('network', PROPS, TIMEOUT);
  await ctx.enumerate('network', PROPS, TIMEOUT);
  await ctx.query('network', NET, PROPS, TIMEOUT);
  const s = simStats(ctx);
  t.is(s.ok, true);
  t.is(s.calls.HcnEnumerateNetworks, 2);
  t.is(s.calls.HcnOpenNetwork, 1);
  t.is(s.calls.HcnQueryNetworkProperties, 1);
  t.is(s.calls.HcnCloseNetwork, 1);
  t.is(s.liveHandles, 0);
  // null: the simulator DLL's strings come from CoTaskMemAlloc and cannot be counted.
  if (s.liveStrings !== null) t.is(s.liveStrings, 0);
  t.is(s.hung, 0);
  await ctx.subscribe(() => undefined, TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 1);
  await ctx.unsubscribe(TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 0);
});

simTest('configure with a state path persists; null goes back to memory', async (t) => {
  const { dir, file } = tempState();
  try {
    t.deepEqual(sim(ctx, { op: 'configure', statePath: file }), { ok: true, statePath: file });
    t.true(fs.existsSync(file), 'created with the default topology');
    t.deepEqual(await fileState(file), sim(ctx, { op: 'dump' }).state);
    t.is(sim(ctx, { op: 'status' }).statePath, file);
    const id = await createLb();
    t.deepEqual(((await fileState(file)).LoadBalancers as Obj[]).map((l) => l.ID), [id]);
    sim(ctx, { op: 'setVersion', major: 15, minor: 5 });
    t.deepEqual((await fileState(file)).Version, { Major: 15, Minor: 5 });
    // Another writer (here: the test) replaces the file (a plain FormatVersion 1 document, no
    // journal); the next call sees it.
    const edited = await fileState(file);
    edited.LoadBalancers = [];
    fs.writeFileSync(file, JSON.stringify(edited));
    t.deepEqual(await lbIds(), []);
    // A removed file is recreated with the default topology.
    await createLb();
    fs.unlinkSync(file);
    t.deepEqual(await lbIds(), []);
    t.true(fs.existsSync(file));
    // A file that does not parse makes calls fail with E_FAIL naming it.
    fs.writeFileSync(file, '{"Format":"hcn-sdk-simulator-state","FormatVersion":1,"Networks":[');
    const err = await rejectsWith(t, ctx.enumerate('network', PROPS, TIMEOUT), 'HCN_HRESULT');
    t.is(err.hresult, E_FAIL);
    t.true(JSON.parse(err.errorRecord!).Error.includes(file));
    fs.unlinkSync(file);
    // reset keeps the path and writes the default state into it.
    const again = await createLb();
    sim(ctx, { op: 'reset' });
    t.is(sim(ctx, { op: 'status' }).statePath, file);
    t.deepEqual((await fileState(file)).LoadBalancers, []);
    void again;
    const kept = await createLb();
    t.deepEqual(sim(ctx, { op: 'configure', statePath: null }), { ok: true, statePath: null });
    t.deepEqual(await lbIds(), [kept], 'memory keeps what the file held');
    await ctx.remove('loadBalancer', kept, TIMEOUT);
    t.deepEqual(((await fileState(file)).LoadBalancers as Obj[]).length, 1, 'the file is left alone');
  } finally {
    sim(ctx, { op: 'configure', statePath: null });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

simTest('configure refuses a path it cannot use or a file that is not a state file', async (t) => {
  const { dir, file } = tempState();
  try {
    refused(t, JSON.stringify({ op: 'configure', statePath: path.join(dir, 'no', 'such', 'dir', 's.json') }));
    fs.writeFileSync(file, '{"something":"else"}');
    refused(t, JSON.stringify({ op: 'configure', statePath: file }), /not a simulator state file/);
    fs.writeFileSync(file, 'garbage');
    refused(t, JSON.stringify({ op: 'configure', statePath: file }));
    t.is(sim(ctx, { op: 'status' }).statePath, null, 'still in memory');
    refused(t, JSON.stringify({ op: 'configure', statePath: '' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
