// list() shares its IDs across the context's pool threads: enumerate order kept, vanished objects
// skipped, the first failure fails the whole list, the deadline covers every helper, threads: 1 and
// busy pools still work. Parallelism is shown by the simulator's hung-call count, not by timing.
import test from 'ava';
import type { NativeContext } from '../../ts/native';
import {
  PROPS,
  TIMEOUT,
  assertClean,
  calls,
  idOf,
  lbSettings,
  openSim,
  rejectsWith,
  sim,
  simStats,
  topology,
  waitFor,
} from './helpers';

const control = openSim();

test.beforeEach(() => {
  sim(control, { op: 'reset' });
});

test.after.always(() => {
  sim(control, { op: 'release' });
  control.close();
});

/** Creates `n` load balancers (distinct frontend ports) and returns their IDs in enumerate order. */
async function createMany(ctx: NativeContext, n: number): Promise<string[]> {
  const { endpoints } = await topology(ctx);
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, k) =>
      ctx.create('loadBalancer', null, lbSettings(endpoints, '13.0.0.13', 10_000 + i + k), PROPS, TIMEOUT),
    );
    await Promise.all(batch);
  }
  return JSON.parse(await ctx.enumerate('loadBalancer', PROPS, TIMEOUT)) as string[];
}

test.serial('500 objects come back in enumerate order on a 4-thread pool', async (t) => {
  const ids = await createMany(control, 500);
  t.is(ids.length, 500);
  const ctx = openSim(4);
  const queries = calls(ctx, 'HcnQueryLoadBalancerProperties');
  const listed = await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT);
  t.deepEqual(listed.map(idOf), ids);
  t.is(calls(ctx, 'HcnQueryLoadBalancerProperties') - queries, 500, 'one query per object');
  t.like(ctx.stats(), { busy: 0, stuck: 0, queued: 0 });
  ctx.close();
  await assertClean(t, control);
});

test.serial('several threads query at once for one list call, and the result is complete', async (t) => {
  const ids = await createMany(control, 64);
  const ctx = openSim(4);
  sim(ctx, { op: 'hang', operation: 'HcnQueryLoadBalancerProperties' });
  const list = ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT);
  // More than one query blocked at the same time: only helpers on other pool threads can do that.
  await waitFor(() => simStats(ctx).hung > 1, 'more than one query of the list to hang at once');
  t.true(simStats(ctx).hung > 1);
  sim(ctx, { op: 'release' });
  t.deepEqual((await list).map(idOf), ids);
  ctx.close();
  await assertClean(t, control);
});

test.serial('objects deleted between enumerate and open are skipped while threads share the list', async (t) => {
  const ids = await createMany(control, 120);
  const ctx = openSim(4);
  // Every open blocks until the deletions are done, so which objects vanished is certain.
  sim(ctx, { op: 'hang', operation: 'HcnOpenLoadBalancer' });
  const list = ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT);
  await waitFor(() => simStats(ctx).hung > 1, 'opens of the list on more than one thread');
  const deleted = new Set(ids.filter((_, i) => i % 3 === 1));
  await Promise.all([...deleted].map((id) => control.remove('loadBalancer', id, TIMEOUT)));
  sim(ctx, { op: 'release' });
  const listed = (await list).map(idOf);
  t.deepEqual(
    listed,
    ids.filter((id) => !deleted.has(id)),
  );
  ctx.close();
  await assertClean(t, control);
});

test.serial('a failing query fails the whole list with that error and leaks nothing', async (t) => {
  await createMany(control, 200);
  const ctx = openSim(4);
  sim(ctx, { op: 'failNext', operation: 'HcnQueryLoadBalancerProperties', count: 1, hresult: 0x80070005 });
  const err = await rejectsWith(t, ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT), 'HCN_HRESULT');
  t.is(err.hresult, 0x80070005);
  t.is(err.operation, 'HcnQueryLoadBalancerProperties');
  t.like(ctx.stats(), { busy: 0, stuck: 0 });
  // The pool is whole again: the next list succeeds.
  t.is((await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT)).length, 200);
  ctx.close();
  await assertClean(t, control);
});

test.serial('a list past its deadline rejects with HCN_TIMEOUT; its helpers rejoin when released', async (t) => {
  await createMany(control, 64);
  const ctx = openSim(4);
  sim(ctx, { op: 'hang', operation: 'HcnQueryLoadBalancerProperties' });
  const list = ctx.list('loadBalancer', PROPS, PROPS, 200);
  await waitFor(() => simStats(ctx).hung > 1, 'queries of the list on more than one thread');
  const err = await rejectsWith(t, list, 'HCN_TIMEOUT');
  t.is(err.operation, 'HcnQueryLoadBalancerProperties');
  // Every thread inside the list is written off, not only the one that started it.
  t.true(ctx.stats().stuck > 1);
  sim(ctx, { op: 'release' });
  await waitFor(() => ctx.stats().stuck === 0, 'written-off threads to rejoin');
  t.like(ctx.stats(), { threads: 4, stuck: 0, busy: 0 });
  await assertClean(t, ctx);
  t.is((await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT)).length, 64);
  ctx.close();
  await assertClean(t, control);
});

test.serial('with threads: 1 the list runs on its one thread and keeps its order', async (t) => {
  const ids = await createMany(control, 100);
  const ctx = openSim(1);
  t.deepEqual((await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT)).map(idOf), ids);
  ctx.close();
  await assertClean(t, control);
});

test.serial('a list on a pool whose other threads are stuck does all the work itself', async (t) => {
  const ids = await createMany(control, 100);
  const ctx = openSim(4);
  const { endpoints } = await topology(ctx);
  // Three threads written off inside endpoint opens: the list's helpers can never run.
  sim(ctx, { op: 'hang', operation: 'HcnOpenEndpoint' });
  const stuck = [1, 2, 3].map(() => ctx.query('endpoint', endpoints[0]!, PROPS, 50));
  for (const p of stuck) await rejectsWith(t, p, 'HCN_TIMEOUT');
  t.like(ctx.stats(), { threads: 1, stuck: 3 });
  t.deepEqual((await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT)).map(idOf), ids);
  // And with the one free thread busy too, a second list waits its turn instead of deadlocking.
  const [a, b] = await Promise.all([
    ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT),
    ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT),
  ]);
  t.deepEqual(a.map(idOf), ids);
  t.deepEqual(b.map(idOf), ids);
  sim(ctx, { op: 'release' });
  await waitFor(() => ctx.stats().stuck === 0, 'written-off threads to rejoin');
  ctx.close();
  await assertClean(t, control);
});

test.serial('concurrent lists on a busy pool all finish with the full result', async (t) => {
  const ids = await createMany(control, 300);
  const ctx = openSim(4);
  const results = await Promise.all(Array.from({ length: 8 }, () => ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT)));
  for (const r of results) t.deepEqual(r.map(idOf), ids);
  t.like(ctx.stats(), { busy: 0, stuck: 0, queued: 0 });
  ctx.close();
  await assertClean(t, control);
});

test('an enumerate that succeeds with a null, "" or "null" ID list lists nothing (hns.v2.psm1 guards it)', async (t) => {
  const ctx = openSim();
  try {
    for (const output of [null, '', 'null', ' null\n']) {
      sim(control, { op: 'answerNext', operation: 'HcnEnumerateLoadBalancers', output });
      t.deepEqual(await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT), [], JSON.stringify(output));
    }
    // Anything else that is not an array of GUIDs still fails.
    sim(control, { op: 'answerNext', operation: 'HcnEnumerateLoadBalancers', output: 'nul' });
    await rejectsWith(t, ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT), 'HCN_HRESULT');
    // The simulator itself answers an empty enumeration with "[]", as hcsshim's json.Unmarshal needs.
    t.is(await ctx.enumerate('loadBalancer', PROPS, TIMEOUT), '[]');
    await assertClean(t, ctx);
  } finally {
    ctx.close();
  }
});
