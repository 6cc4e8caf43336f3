// The binding's surface: version, open() options and backends, simControl, stats, and what a
// closed context does.
import test from 'ava';
import { loadBinding, type NativeContext } from '../../ts/native';
import { PROPS, TEST_BACKEND, TIMEOUT, assertClean, openSim, rejectsWith, sim, throwsWith } from './helpers';

test('version names the native build', (t) => {
  t.regex(loadBinding().version, /^\d+\.\d+\.\d+/);
});

test('open() checks its options', (t) => {
  const binding = loadBinding();
  for (const bad of [undefined, null, 'simulated', {}, { backend: 'sim' }, { backend: 42 }]) {
    const err = throwsWith(t, () => binding.open(bad as never), 'HCN_INVALID_ARGUMENT');
    t.is(err.operation, 'open');
  }
  for (const threads of [0, 65, 1.5, -1, '4', Number.NaN]) {
    throwsWith(t, () => binding.open({ backend: 'simulated', threads: threads as number }), 'HCN_INVALID_ARGUMENT');
  }
  for (const threads of [1, 64]) {
    const ctx = binding.open({ backend: 'simulated', threads });
    t.is(ctx.stats().threads, threads);
    ctx.close();
  }
  const defaults = openSim();
  t.is(defaults.stats().threads, 4, 'default pool size');
  defaults.close();
});

test('the real HNS backend either opens or says why it cannot and what to use', (t) => {
  let ctx: NativeContext | undefined;
  try {
    ctx = loadBinding().open({ backend: 'hcn' });
  } catch (err) {
    const e = err as { code?: string; message: string; missing?: string };
    t.is(e.code, 'HCN_NOT_AVAILABLE');
    t.is(typeof e.missing, 'string');
    // `missing` names what is absent (the DLL, or the exports) and the message says it too.
    for (const name of e.missing!.split(',')) t.true(e.message.includes(name), `message names ${name}`);
    t.log(`backend 'hcn' is not available here: ${e.message}`);
    return;
  }
  t.is(ctx.backend, 'hcn');
  if (TEST_BACKEND === 'hcn') {
    // The Windows-ABI lane: computenetwork.dll is the simulator DLL, which exports HcnSimControl.
    t.true(ctx.hasSimControl);
    t.true((JSON.parse(ctx.simControl('{"op":"status"}')) as { ok: boolean }).ok);
  } else {
    t.false(ctx.hasSimControl);
    throwsWith(t, () => ctx!.simControl('{"op":"status"}'), 'HCN_NOT_AVAILABLE');
  }
  ctx.close();
});

test('a simulated context reports itself and its pool', (t) => {
  const ctx = loadBinding().open({ backend: 'simulated', threads: 3 });
  t.is(ctx.backend, 'simulated');
  t.true(ctx.hasSimControl);
  t.deepEqual(ctx.stats(), { threads: 3, busy: 0, stuck: 0, queued: 0, completed: 0, deliveries: 0, largestDelivery: 0 });
  ctx.close();
});

test.serial('simControl: JSON in and out; a refused request is an error with the response', async (t) => {
  const ctx = openSim(1);
  const status = sim<{ ok: boolean; version: { Major: number } }>(ctx, { op: 'status' });
  t.true(status.ok);
  t.is(typeof status.version.Major, 'number');
  const refused = throwsWith(t, () => ctx.simControl('{"op":"nonsense"}'), 'HCN_HRESULT');
  t.is(refused.operation, 'HcnSimControl');
  t.is(refused.hresult, 0x80070057);
  t.is((JSON.parse(refused.errorRecord!) as { ok: boolean }).ok, false);
  t.regex(refused.message, /nonsense/);
  throwsWith(t, () => ctx.simControl(42 as unknown as string), 'HCN_INVALID_ARGUMENT');
  await assertClean(t, ctx);
  ctx.close();
});

test('a closed context refuses everything with HCN_CLOSED, and close() is idempotent', async (t) => {
  const ctx = openSim(1);
  ctx.close();
  ctx.close();
  const id = '3f8e6b21-5c7d-4e19-a0b4-0a000000000e';
  await rejectsWith(t, ctx.enumerate('network', PROPS, TIMEOUT), 'HCN_CLOSED');
  await rejectsWith(t, ctx.list('network', PROPS, PROPS, TIMEOUT), 'HCN_CLOSED');
  await rejectsWith(t, ctx.create('network', null, '{}', PROPS, TIMEOUT), 'HCN_CLOSED');
  await rejectsWith(t, ctx.query('network', id, PROPS, TIMEOUT), 'HCN_CLOSED');
  await rejectsWith(t, ctx.modify('network', id, '{}', PROPS, TIMEOUT), 'HCN_CLOSED');
  await rejectsWith(t, ctx.remove('network', id, TIMEOUT), 'HCN_CLOSED');
  await rejectsWith(t, ctx.hnsCall('GET', '/globals/version', '', TIMEOUT), 'HCN_CLOSED');
  throwsWith(t, () => ctx.simControl('{"op":"status"}'), 'HCN_CLOSED');
  await rejectsWith(t, ctx.subscribe(() => undefined, TIMEOUT), 'HCN_CLOSED');
  await t.notThrowsAsync(ctx.unsubscribe(TIMEOUT));
  t.like(ctx.stats(), { threads: 0, busy: 0 });
});

test('contexts are independent: closing one leaves the other working', async (t) => {
  const a = openSim(1);
  const b = openSim(1);
  a.close();
  t.is(JSON.parse(await b.enumerate('network', PROPS, TIMEOUT)).length, 1);
  b.close();
});
