// Issue 10 item 6 (read side): a command about one load balancer asks HNS about that load balancer
// and the endpoints it names, never for every endpoint of the host. Each test runs the REAL bin on
// the real addon and simulator, with the recorder (test/helpers/native-recorder.ts) logging every
// native call the bin's process makes.
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Hcn } from '../../ts/client';
import { hcn, json, stateFile } from '../helpers/cli-bin';
import { recordedCalls, recordedEnv, type RecordedCall } from '../helpers/native-recorder';

interface LbJson {
  id: string;
  backendIds: string[];
  backends: { id: string; ip: string | null }[];
}

const POD1 = '3f8e6b21-5c7d-4e19-a0b4-0a000000000e'; // 10.0.0.14 on the default node
const POD2 = '3f8e6b21-5c7d-4e19-a0b4-0a000000000f'; // 10.0.0.15

/** A state file with the default node plus `extra` remote endpoints that no load balancer uses. */
async function stateWithBystanders(t: ExecutionContext, extra: number): Promise<string> {
  const state = stateFile(t, 'hcn-show-cost-');
  const setup = await Hcn.open({ backend: 'simulated', statePath: state });
  try {
    for (let i = 0; i < extra; i++) await setup.endpoints.createRemote({ network: 'vxlan0', ip: `10.0.1.${10 + i}` });
  } finally {
    await setup.close();
  }
  return state;
}

/** Runs the bin with the recorder; returns the result and the calls it made. */
async function recorded(state: string, args: string[], control?: Record<string, unknown>) {
  const log = path.join(path.dirname(state), `calls-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = await hcn(state, args, { env: recordedEnv(log, control) });
  return { r, calls: recordedCalls(log) };
}

const endpointCalls = (calls: RecordedCall[]) => calls.filter((c) => c.family === 'endpoint');
const listings = (calls: RecordedCall[]) => endpointCalls(calls).filter((c) => c.method === 'list' || c.method === 'enumerate');
const queried = (calls: RecordedCall[]) =>
  endpointCalls(calls)
    .filter((c) => c.method === 'query')
    .map((c) => c.id!)
    .sort();

test('the recorder sees the bin\'s endpoint listing (so the checks below can fail)', async (t) => {
  const state = await stateWithBystanders(t, 2);
  const { r, calls } = await recorded(state, ['endpoint', 'list', '--json']);
  t.is(json<unknown[]>(t, r).length, 4);
  t.is(listings(calls).length, 1, JSON.stringify(calls));
});

test('lb show queries only the endpoints its load balancer names, never lists them all', async (t) => {
  const state = await stateWithBystanders(t, 5);
  const lb = json<LbJson>(t, await hcn(state, ['lb', 'create', '--vip', '13.0.0.13', '--backend', POD1, '--backend', POD2, '--port', 'tcp:8000:80', '--json']));
  const { r, calls } = await recorded(state, ['lb', 'show', lb.id, '--json']);
  const shown = json<LbJson>(t, r);
  t.deepEqual(shown.backends, [
    { id: POD1, ip: '10.0.0.14' },
    { id: POD2, ip: '10.0.0.15' },
  ]);
  t.deepEqual(listings(calls), [], 'no endpoint enumeration');
  t.deepEqual(queried(calls), [POD1, POD2], 'exactly the backends, each once');

  // The human output too.
  const human = await recorded(state, ['lb', 'show', lb.id]);
  t.is(human.r.code, 0, human.r.stderr);
  t.regex(human.r.stdout, /10\.0\.0\.14/);
  t.deepEqual(listings(human.calls), []);
});

test('lb create and lb update print their result without listing every endpoint', async (t) => {
  const state = await stateWithBystanders(t, 3);
  // Backends by ID: nothing needs resolving, so nothing needs a listing.
  const created = await recorded(state, ['lb', 'create', '--vip', '13.0.0.13', '--backend', POD1, '--port', 'tcp:8000:80', '--json']);
  const lb = json<LbJson>(t, created.r);
  t.deepEqual(lb.backends, [{ id: POD1, ip: '10.0.0.14' }]);
  t.deepEqual(listings(created.calls), [], 'lb create');
  t.deepEqual(queried(created.calls), [POD1]);

  // HNS 13.2 (the simulator's default) replaces instead of modifying: each update gives a new ID.
  const added = await recorded(state, ['lb', 'update', lb.id, '--add-backend', POD2, '--json']);
  const grown = json<LbJson>(t, added.r);
  t.deepEqual(grown.backends, [
    { id: POD1, ip: '10.0.0.14' },
    { id: POD2, ip: '10.0.0.15' },
  ]);
  t.deepEqual(listings(added.calls), [], 'lb update --add-backend ID');

  // Removing by IP looks among the load balancer's own backends only.
  const removed = await recorded(state, ['lb', 'update', grown.id, '--remove-backend', '10.0.0.14', '--json']);
  const shrunk = json<LbJson>(t, removed.r);
  t.deepEqual(shrunk.backends, [{ id: POD2, ip: '10.0.0.15' }]);
  t.deepEqual(listings(removed.calls), [], 'lb update --remove-backend IP');

  // --network still names a network HNS must have, even when every backend is given by ID.
  const noNet = await hcn(state, ['lb', 'update', shrunk.id, '--add-backend', POD1, '--network', 'no-such', '--json']);
  t.is(noNet.code, 1, noNet.stdout);
  const err = (JSON.parse(noNet.stderr.trim()) as { error: { argument: string; message: string } }).error;
  t.is(err.argument, '--network');
  t.regex(err.message, /no network named "no-such"/);

  const replaced = await recorded(state, ['lb', 'update', shrunk.id, '--vip', '13.0.0.13', '--backend', POD1, '--port', 'tcp:8000:80', '--json']);
  t.deepEqual(json<LbJson>(t, replaced.r).backends, [{ id: POD1, ip: '10.0.0.14' }]);
  t.deepEqual(listings(replaced.calls), [], 'lb update with a new spec');
});

test('lb show: a backend whose endpoint is gone is shown without an IP, as before', async (t) => {
  const state = await stateWithBystanders(t, 1);
  const lb = json<LbJson>(t, await hcn(state, ['lb', 'create', '--vip', '13.0.0.13', '--backend', POD1, '--port', 'tcp:8000:80', '--json']));
  // HNS answers "endpoint not found" for the backend (deleted behind the load balancer's back).
  const { r, calls } = await recorded(state, ['lb', 'show', lb.id, '--json'], {
    op: 'failNext',
    operation: 'HcnOpenEndpoint',
    hresult: 0x803b0002,
    count: 1,
  });
  t.deepEqual(json<LbJson>(t, r).backends, [{ id: POD1, ip: null }]);
  t.deepEqual(queried(calls), [POD1]);

  const human = await recorded(state, ['lb', 'show', lb.id], { op: 'failNext', operation: 'HcnOpenEndpoint', hresult: 0x803b0002, count: 1 });
  t.is(human.r.code, 0, human.r.stderr);
  t.regex(human.r.stdout, new RegExp(POD1));
});

test('lb show: any other failure to read a backend endpoint fails the command, naming it', async (t) => {
  const state = await stateWithBystanders(t, 0);
  const lb = json<LbJson>(t, await hcn(state, ['lb', 'create', '--vip', '13.0.0.13', '--backend', POD1, '--port', 'tcp:8000:80', '--json']));
  // E_ACCESSDENIED: not "gone", so not shown as an unknown backend.
  const { r } = await recorded(state, ['lb', 'show', lb.id, '--json'], { op: 'failNext', operation: 'HcnOpenEndpoint', hresult: 0x80070005, count: 1 });
  t.is(r.code, 1, r.stdout);
  t.regex(r.stderr, /E_ACCESSDENIED|0x80070005/);
});
