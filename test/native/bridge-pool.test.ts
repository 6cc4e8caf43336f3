// The bridge's own thread pool: deadlines (HCN_TIMEOUT), written-off threads and their return,
// HCN_BUSY, queue timeouts, close() of pending calls, and Node's libuv pool left untouched.
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import test from 'ava';
import { PROPS, TIMEOUT, assertClean, calls, openSim, rejectsWith, sim, simStats, topology, waitFor } from './helpers';

const control = openSim();

test.beforeEach(() => {
  sim(control, { op: 'reset' });
});

test.after.always(() => {
  sim(control, { op: 'release' });
  control.close();
});

test.serial('hung calls on more threads than libuv has do not starve fs or dns', async (t) => {
  // 8 pool threads, all blocked inside HCN: twice libuv's default pool. If the bridge used libuv's
  // pool, the file read and the DNS lookup below could not run until the calls returned.
  const ctx = openSim(8);
  const { endpoints } = await topology(ctx);
  sim(ctx, { op: 'hang', operation: 'HcnOpenEndpoint' });
  const hung = Array.from({ length: 8 }, () => ctx.query('endpoint', endpoints[0]!, PROPS, 2_000));
  await waitFor(() => simStats(ctx).hung === 8, 'eight calls hung in the simulator');

  const [text, address] = await Promise.all([
    fs.promises.readFile(__filename, 'utf8'),
    dns.promises.lookup('localhost'),
  ]);
  t.true(text.includes('libuv'));
  t.truthy(address.address);
  t.is(simStats(ctx).hung, 8, 'fs and dns finished while all eight calls were still hung');

  for (const p of hung) {
    const err = await rejectsWith(t, p, 'HCN_TIMEOUT');
    t.is(err.operation, 'HcnOpenEndpoint');
  }
  t.like(ctx.stats(), { stuck: 8, threads: 0, busy: 0 });
  sim(ctx, { op: 'release' });
  await waitFor(() => ctx.stats().stuck === 0, 'written-off threads to rejoin');
  t.like(ctx.stats(), { threads: 8, stuck: 0 });
  t.truthy(await ctx.query('endpoint', endpoints[0]!, PROPS, TIMEOUT));
  ctx.close();
  await assertClean(t, control);
});

test.serial('a timeout names the export that hung; its results are freed when it returns', async (t) => {
  const ctx = openSim(2);
  const { endpoints } = await topology(ctx);
  sim(ctx, { op: 'hang', operation: 'HcnQueryEndpointProperties' });
  const err = await rejectsWith(t, ctx.query('endpoint', endpoints[0]!, PROPS, 100), 'HCN_TIMEOUT');
  t.is(err.operation, 'HcnQueryEndpointProperties');
  t.regex(err.message, /100 ms/);
  t.like(ctx.stats(), { threads: 1, stuck: 1 });
  // The written-off call still holds its endpoint handle inside HCN.
  t.is(simStats(ctx).liveHandles, 1);
  sim(ctx, { op: 'release' });
  await waitFor(() => ctx.stats().stuck === 0, 'the thread to rejoin');
  t.like(ctx.stats(), { threads: 2, stuck: 0, busy: 0 });
  await assertClean(t, ctx);
  ctx.close();
});

test.serial('when every thread is written off, calls fail at once with HCN_BUSY and send nothing', async (t) => {
  const ctx = openSim(2);
  const { endpoints } = await topology(ctx);
  sim(ctx, { op: 'hang', operation: 'HcnOpenEndpoint' });
  await Promise.all([
    rejectsWith(t, ctx.query('endpoint', endpoints[0]!, PROPS, 50), 'HCN_TIMEOUT'),
    rejectsWith(t, ctx.query('endpoint', endpoints[1]!, PROPS, 50), 'HCN_TIMEOUT'),
  ]);
  t.like(ctx.stats(), { threads: 0, stuck: 2 });
  const enumerations = calls(ctx, 'HcnEnumerateNetworks');
  const busy = await rejectsWith(t, ctx.enumerate('network', PROPS, TIMEOUT), 'HCN_BUSY');
  t.is(busy.operation, 'enumerate');
  t.regex(busy.message, /nothing was sent/);
  t.is(calls(ctx, 'HcnEnumerateNetworks'), enumerations);

  sim(ctx, { op: 'release' });
  await waitFor(() => ctx.stats().stuck === 0, 'threads to rejoin');
  t.is(JSON.parse(await ctx.enumerate('network', PROPS, TIMEOUT)).length, 1);
  await assertClean(t, ctx);
  ctx.close();
});

test.serial('a call that waits in the queue past its deadline is never sent', async (t) => {
  const ctx = openSim(1);
  const { endpoints } = await topology(ctx);
  sim(ctx, { op: 'hang', operation: 'HcnOpenEndpoint' });
  const running = ctx.query('endpoint', endpoints[0]!, PROPS, 30_000);
  await waitFor(() => simStats(ctx).hung === 1, 'the first call to hang');
  const queued = ctx.query('endpoint', endpoints[1]!, PROPS, 50);
  const err = await rejectsWith(t, queued, 'HCN_TIMEOUT');
  t.is(err.operation, 'query');
  t.regex(err.message, /never sent/);
  t.like(ctx.stats(), { busy: 1, queued: 0, stuck: 0 });
  sim(ctx, { op: 'release' });
  t.truthy(await running);
  t.is(calls(ctx, 'HcnOpenEndpoint'), 1, 'only the running call reached HCN');
  await assertClean(t, ctx);
  ctx.close();
});

test.serial('close() rejects running and queued calls with HCN_CLOSED; later calls too', async (t) => {
  const ctx = openSim(1);
  const { endpoints } = await topology(ctx);
  sim(ctx, { op: 'hang', operation: 'HcnOpenEndpoint' });
  const completed = ctx.stats().completed;
  const running = ctx.query('endpoint', endpoints[0]!, PROPS, TIMEOUT);
  const queued = ctx.query('endpoint', endpoints[1]!, PROPS, TIMEOUT);
  await waitFor(() => simStats(ctx).hung === 1, 'the first call to hang');
  ctx.close();
  ctx.close();
  await rejectsWith(t, running, 'HCN_CLOSED');
  await rejectsWith(t, queued, 'HCN_CLOSED');
  await rejectsWith(t, ctx.enumerate('network', PROPS, TIMEOUT), 'HCN_CLOSED');
  t.like(ctx.stats(), { threads: 0, busy: 0, queued: 0, completed: completed + 2 });
  // The detached thread finishes its call after the release and closes what it opened. The hang is
  // inside HcnOpenEndpoint, before the handle exists: right after the release there is no live
  // handle yet, so "no live handle" alone says nothing (that is how this test once failed under
  // load). The latency keeps the handle open for a while to make that window wide. Done means:
  // HcnCloseEndpoint was entered (so the handle was opened), and nothing is left alive.
  sim(control, { op: 'latency', operation: 'HcnQueryEndpointProperties', ms: 200 });
  const closes = calls(control, 'HcnCloseEndpoint');
  sim(control, { op: 'release' });
  await waitFor(() => {
    const s = simStats(control);
    return (s.calls.HcnCloseEndpoint ?? 0) > closes && s.liveHandles === 0 && (s.liveStrings ?? 0) === 0;
  }, 'the detached call to close its handle and free its strings');
  await assertClean(t, control);
});

test.serial('many concurrent calls on a small pool all complete, counted in stats', async (t) => {
  const ctx = openSim(3);
  const { endpoints } = await topology(ctx);
  sim(ctx, { op: 'latency', operation: 'HcnOpenEndpoint', ms: 1 });
  const before = ctx.stats().completed;
  const results = await Promise.all(
    Array.from({ length: 300 }, (_, i) => ctx.query('endpoint', endpoints[i % 2]!, PROPS, TIMEOUT)),
  );
  t.is(results.length, 300);
  t.true(results.every((r, i) => r.toLowerCase().includes(endpoints[i % 2]!.toLowerCase())));
  t.like(ctx.stats(), { threads: 3, busy: 0, queued: 0, stuck: 0, completed: before + 300 });
  await assertClean(t, ctx);
  ctx.close();
});

test.serial('a listing stops early once its call was written off', async (t) => {
  const ctx = openSim(1);
  sim(ctx, { op: 'latency', operation: 'HcnOpenEndpoint', ms: 300 });
  await rejectsWith(t, ctx.list('endpoint', PROPS, PROPS, 100), 'HCN_TIMEOUT');
  await waitFor(() => ctx.stats().stuck === 0, 'the thread to rejoin');
  t.is(calls(ctx, 'HcnOpenEndpoint'), 1, 'the second endpoint was not opened');
  await assertClean(t, ctx);
  ctx.close();
});
