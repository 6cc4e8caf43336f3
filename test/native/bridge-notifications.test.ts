// HcnRegisterServiceCallback through the binding: notifications from HCN-owned threads reach the
// listener on the JS thread; unsubscribe, replacement, failures and close() release the callback.
import test from 'ava';
import { DISCONNECT, PROPS, TIMEOUT, assertClean, openSim, sim, simStats, throwsWith, waitFor } from './helpers';

interface Seen {
  type: number;
  status: number;
  data: string | null;
}

const ctx = openSim();

test.beforeEach(() => {
  sim(ctx, { op: 'reset' });
});

test.after.always(() => ctx.close());

function recorder(): { seen: Seen[]; listener: (type: number, status: number, data: string | null) => void } {
  const seen: Seen[] = [];
  return { seen, listener: (type, status, data) => seen.push({ type, status, data }) };
}

/** Restarts HNS and waits until `sentinel` (subscribed on its own context) has heard about it. */
async function restartAndSettle(sentinel: Seen[], keepState = true): Promise<void> {
  const before = sentinel.length;
  sim(ctx, { op: 'restart', keepState });
  await waitFor(() => sentinel.length > before, 'the sentinel to hear the restart');
  // Every subscriber's copy was queued by the same simulator thread; let the loop drain them all.
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

test.serial('ServiceDisconnect reaches the listener on restart; unsubscribe stops it', async (t) => {
  const sentinelCtx = openSim(1);
  const sentinel = recorder();
  sentinelCtx.subscribe(sentinel.listener);

  const mine = recorder();
  ctx.subscribe(mine.listener);
  t.is(simStats(ctx).liveCallbacks, 2);
  await restartAndSettle(sentinel.seen);
  t.deepEqual(mine.seen, [{ type: DISCONNECT, status: 0, data: null }]);

  ctx.unsubscribe();
  ctx.unsubscribe(); // no-op
  t.is(simStats(ctx).liveCallbacks, 1);
  await restartAndSettle(sentinel.seen, false);
  t.is(mine.seen.length, 1, 'nothing after unsubscribe');
  t.is(sentinel.seen.length, 2);

  sentinelCtx.close();
  await assertClean(t, ctx);
});

test.serial('object notifications carry their data; subscribing again replaces the listener', async (t) => {
  const first = recorder();
  const second = recorder();
  ctx.subscribe(first.listener);
  ctx.subscribe(second.listener);
  t.is(simStats(ctx).liveCallbacks, 1, 'one registration per context');
  const created = JSON.parse(
    await ctx.create('network', null, JSON.stringify({ Name: 'notified', Type: 'NAT' }), PROPS, TIMEOUT),
  ) as { ID: string };
  await waitFor(() => second.seen.length > 0, 'the NetworkCreate notification');
  t.is(first.seen.length, 0);
  t.is(second.seen[0]!.type, 0x2);
  t.true(second.seen[0]!.data!.toLowerCase().includes(created.ID.toLowerCase()), second.seen[0]!.data!);
  ctx.unsubscribe();
  await ctx.remove('network', created.ID, TIMEOUT);
  await assertClean(t, ctx);
});

test.serial('register and unregister failures are HCN_HRESULT errors that leave the state as it was', async (t) => {
  sim(ctx, { op: 'failNext', operation: 'HcnRegisterServiceCallback', count: 1, hresult: 0x80070426 });
  const registerErr = throwsWith(t, () => ctx.subscribe(() => undefined), 'HCN_HRESULT');
  t.is(registerErr.operation, 'HcnRegisterServiceCallback');
  t.is(registerErr.hresult, 0x80070426);
  t.is(simStats(ctx).liveCallbacks, 0);

  const mine = recorder();
  ctx.subscribe(mine.listener);
  sim(ctx, { op: 'failNext', operation: 'HcnUnregisterServiceCallback', count: 1, hresult: 0x80004005 });
  const unregisterErr = throwsWith(t, () => ctx.unsubscribe(), 'HCN_HRESULT');
  t.is(unregisterErr.operation, 'HcnUnregisterServiceCallback');
  t.is(simStats(ctx).liveCallbacks, 1, 'still subscribed');
  sim(ctx, { op: 'restart' });
  await waitFor(() => mine.seen.length === 1, 'the listener, still subscribed');
  ctx.unsubscribe();
  t.is(simStats(ctx).liveCallbacks, 0);

  throwsWith(t, () => ctx.subscribe('nope' as unknown as () => void), 'HCN_INVALID_ARGUMENT');
  await assertClean(t, ctx);
});

test.serial('a throwing listener is an uncaught exception; later notifications still arrive', async (t) => {
  const other = openSim(1);
  const errors: unknown[] = [];
  const onUncaught = (err: unknown) => errors.push(err);
  // ava installs its own handler; take it out for the duration so the error lands here.
  const previous = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    let calls = 0;
    other.subscribe(() => {
      calls++;
      throw new Error('listener failed');
    });
    sim(ctx, { op: 'restart' });
    sim(ctx, { op: 'restart' });
    await waitFor(() => calls === 2, 'both notifications');
    t.is(errors.length, 2);
    t.regex(String(errors[0]), /listener failed/);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    for (const l of previous) process.on('uncaughtException', l);
    other.close();
  }
  await assertClean(t, ctx);
});

test.serial('close() ends the subscription', async (t) => {
  const other = openSim(1);
  other.subscribe(() => undefined);
  t.is(simStats(ctx).liveCallbacks, 1);
  other.close();
  t.is(simStats(ctx).liveCallbacks, 0);
  throwsWith(t, () => other.subscribe(() => undefined), 'HCN_CLOSED');
  other.unsubscribe(); // no-op once closed
  await assertClean(t, ctx);
});
