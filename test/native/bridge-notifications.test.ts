// HcnRegisterServiceCallback through the binding: notifications from HCN-owned threads reach the
// listener on the JS thread; unsubscribe, replacement, failures and close() release the callback.
// subscribe()/unsubscribe() run on the pool with a deadline, like every other call.
import test from 'ava';
import { DISCONNECT, PROPS, TIMEOUT, assertClean, openSim, rejectsWith, sim, simStats, waitFor } from './helpers';

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
  await sentinelCtx.subscribe(sentinel.listener, TIMEOUT);

  const mine = recorder();
  await ctx.subscribe(mine.listener, TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 2);
  await restartAndSettle(sentinel.seen);
  t.deepEqual(mine.seen, [{ type: DISCONNECT, status: 0, data: null }]);

  await ctx.unsubscribe(TIMEOUT);
  await ctx.unsubscribe(TIMEOUT); // no-op
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
  await ctx.subscribe(first.listener, TIMEOUT);
  await ctx.subscribe(second.listener, TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 1, 'one registration per context');
  const created = JSON.parse(
    await ctx.create('network', null, JSON.stringify({ Name: 'notified', Type: 'NAT' }), PROPS, TIMEOUT),
  ) as { ID: string };
  await waitFor(() => second.seen.length > 0, 'the NetworkCreate notification');
  t.is(first.seen.length, 0);
  t.is(second.seen[0]!.type, 0x2);
  t.true(second.seen[0]!.data!.toLowerCase().includes(created.ID.toLowerCase()), second.seen[0]!.data!);
  await ctx.unsubscribe(TIMEOUT);
  await ctx.remove('network', created.ID, TIMEOUT);
  await assertClean(t, ctx);
});

test.serial('register and unregister failures are HCN_HRESULT errors that leave the state as it was', async (t) => {
  sim(ctx, { op: 'failNext', operation: 'HcnRegisterServiceCallback', count: 1, hresult: 0x80070426 });
  const registerErr = await rejectsWith(t, ctx.subscribe(() => undefined, TIMEOUT), 'HCN_HRESULT');
  t.is(registerErr.operation, 'HcnRegisterServiceCallback');
  t.is(registerErr.hresult, 0x80070426);
  t.is(simStats(ctx).liveCallbacks, 0);

  const mine = recorder();
  await ctx.subscribe(mine.listener, TIMEOUT);
  sim(ctx, { op: 'failNext', operation: 'HcnUnregisterServiceCallback', count: 1, hresult: 0x80004005 });
  const unregisterErr = await rejectsWith(t, ctx.unsubscribe(TIMEOUT), 'HCN_HRESULT');
  t.is(unregisterErr.operation, 'HcnUnregisterServiceCallback');
  t.is(simStats(ctx).liveCallbacks, 1, 'still subscribed');
  sim(ctx, { op: 'restart' });
  await waitFor(() => mine.seen.length === 1, 'the listener, still subscribed');
  await ctx.unsubscribe(TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 0);

  await rejectsWith(t, ctx.subscribe('nope' as unknown as () => void, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  await rejectsWith(t, ctx.subscribe(() => undefined, 0), 'HCN_INVALID_ARGUMENT');
  await assertClean(t, ctx);
});

test.serial('a second subscribe or unsubscribe while one runs is refused; callers serialise them', async (t) => {
  const first = ctx.subscribe(() => undefined, TIMEOUT);
  const err = await rejectsWith(t, ctx.subscribe(() => undefined, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  t.regex(err.message, /still running/);
  await rejectsWith(t, ctx.unsubscribe(TIMEOUT), 'HCN_INVALID_ARGUMENT');
  await first;
  t.is(simStats(ctx).liveCallbacks, 1);
  await ctx.unsubscribe(TIMEOUT);
  await assertClean(t, ctx);
});

test.serial('a registration that passes its deadline is ended when HCN returns; the JS thread never waits', async (t) => {
  const other = openSim(1);
  sim(ctx, { op: 'hang', operation: 'HcnRegisterServiceCallback' });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const err = await rejectsWith(t, other.subscribe(() => undefined, 200), 'HCN_TIMEOUT');
    t.is(err.operation, 'HcnRegisterServiceCallback');
    t.true(ticks > 0, 'a timer fired while HcnRegisterServiceCallback hung');
  } finally {
    clearInterval(timer);
  }
  t.like(other.stats(), { stuck: 1 });
  sim(ctx, { op: 'release' });
  // The late registration is made, then ended by the pool thread that made it.
  await waitFor(() => other.stats().stuck === 0 && simStats(ctx).liveCallbacks === 0, 'the late registration to be ended');
  await other.subscribe(() => undefined, TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 1, 'a new subscribe works after the timeout');
  other.close();
  await assertClean(t, ctx);
});

test.serial('an unregistration that passes its deadline stops notifications at once; HCN finishes it later', async (t) => {
  const other = openSim(1);
  const mine = recorder();
  await other.subscribe(mine.listener, TIMEOUT);
  sim(ctx, { op: 'hang', operation: 'HcnUnregisterServiceCallback' });
  const err = await rejectsWith(t, other.unsubscribe(100), 'HCN_TIMEOUT');
  t.is(err.operation, 'HcnUnregisterServiceCallback');
  t.is(simStats(ctx).liveCallbacks, 1, 'HCN has not let go yet');
  sim(ctx, { op: 'release' });
  await waitFor(() => simStats(ctx).liveCallbacks === 0, 'the unregistration to finish');
  sim(ctx, { op: 'restart' });
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  t.is(mine.seen.length, 0, 'nothing was delivered after unsubscribe()');
  other.close();
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
    await other.subscribe(() => {
      calls++;
      throw new Error('listener failed');
    }, TIMEOUT);
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
  await other.subscribe(() => undefined, TIMEOUT);
  t.is(simStats(ctx).liveCallbacks, 1);
  other.close();
  t.is(simStats(ctx).liveCallbacks, 0);
  await rejectsWith(t, other.subscribe(() => undefined, TIMEOUT), 'HCN_CLOSED');
  await other.unsubscribe(TIMEOUT); // no-op once closed
  await assertClean(t, ctx);
});

test.serial('close() while a registration runs: the registration is ended when it completes', async (t) => {
  const other = openSim(1);
  sim(ctx, { op: 'hang', operation: 'HcnRegisterServiceCallback' });
  const pending = other.subscribe(() => undefined, TIMEOUT);
  await waitFor(() => simStats(ctx).hung === 1, 'the registration to hang');
  other.close();
  await rejectsWith(t, pending, 'HCN_CLOSED');
  sim(ctx, { op: 'release' });
  await waitFor(() => simStats(ctx).hung === 0 && simStats(ctx).liveCallbacks === 0, 'the late registration to be ended');
  await assertClean(t, ctx);
});
