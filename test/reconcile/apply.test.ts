// applyPlan against the embedded simulator: injected failures (port in use → failed, HNS stopped →
// unknown), blocked items, stopOnError, abort mid-apply, progress, and a record for every item.
import test from 'ava';
import type { Hcn } from '../../ts/client';
import { HcnPortInUseError, HcnServiceUnavailableError } from '../../ts/errors';
import { applyPlan, planLoadBalancers, reconcileLoadBalancers, type ApplyItemResult, type ApplyProgress } from '../../ts/reconcile';
import { assertNoLeaks, injectDuplicate, openSimulated, settle, spec, specs } from './helpers';

let hcn: Hcn;

test.before(async () => {
  hcn = await openSimulated();
});

test.beforeEach(async () => {
  await hcn.simulator!.reset();
});

test.after.always(async () => {
  await hcn?.close();
});

const HCN_E_PORT_ALREADY_EXISTS = 0x803b0013;
const HCN_E_MANAGER_STOPPED = 0x803b0020;

function byStatus(results: readonly ApplyItemResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

test.serial('a refused create is failed with its HcnError, the others go on, and a re-plan creates it', async (t) => {
  const desired = specs(10);
  hcn.simulator!.failNext('HcnCreateLoadBalancer', HCN_E_PORT_ALREADY_EXISTS, 1);
  const r = await applyPlan(hcn, await planLoadBalancers(hcn, desired), { concurrency: 4 });
  t.deepEqual(r.counts, { ok: 9, failed: 1, unknown: 0, skipped: 0 });
  t.false(r.complete);
  const failed = r.results.find((x) => x.status === 'failed')!;
  t.true(failed.error instanceof HcnPortInUseError);
  t.is(failed.id, undefined);
  t.is(failed.action, 'create');
  const again = await planLoadBalancers(hcn, desired);
  t.deepEqual(
    again.create.map((c) => c.index),
    [failed.index],
  );
  t.true((await applyPlan(hcn, again)).complete);
  await assertNoLeaks(t, hcn);
});

test.serial('HNS stopped during a create is an unknown outcome, not a failure', async (t) => {
  hcn.simulator!.failNext('HcnCreateLoadBalancer', HCN_E_MANAGER_STOPPED, 2);
  const r = await applyPlan(hcn, await planLoadBalancers(hcn, specs(6)), { concurrency: 1 });
  t.deepEqual(r.counts, { ok: 4, failed: 0, unknown: 2, skipped: 0 });
  for (const u of r.results.filter((x) => x.status === 'unknown')) t.true(u.error instanceof HcnServiceUnavailableError);
  // Re-planning is how an unknown outcome is resolved.
  const again = await planLoadBalancers(hcn, specs(6));
  t.is(again.summary.create, 2);
  t.is(again.summary.keep, 4);
});

test.serial('a delete that HNS could not confirm blocks the update waiting for that frontend', async (t) => {
  const [created] = (await applyPlan(hcn, await planLoadBalancers(hcn, [spec(0)]))).created;
  const dup = await injectDuplicate(hcn, created!, (lb) => {
    lb.SourceVIP = '10.231.111.99';
  });
  try {
    const desired = [spec(0, { backends: ['10.0.0.15'] })];
    const plan = await planLoadBalancers(hcn, desired);
    t.is(plan.delete.length, 1);
    hcn.simulator!.failNext('HcnDeleteLoadBalancer', HCN_E_MANAGER_STOPPED, 1);
    const r = await applyPlan(hcn, plan);
    const [del, upd] = r.results;
    t.is(del!.action, 'delete');
    t.is(del!.status, 'unknown');
    t.is(upd!.action, 'update');
    t.is(upd!.status, 'skipped');
    t.is(upd!.skipReason, 'blocked');
    t.deepEqual(upd!.blockedBy, [plan.delete[0]!.id]);
    t.is((await hcn.loadBalancers.list()).length, 2, 'nothing changed');
  } finally {
    await dup.cleanup();
  }
});

test.serial('stopOnError launches nothing after the first failure; every item still has a record', async (t) => {
  const plan = await planLoadBalancers(hcn, specs(12));
  hcn.simulator!.failNext('HcnCreateLoadBalancer', HCN_E_PORT_ALREADY_EXISTS, 1);
  const r = await applyPlan(hcn, plan, { concurrency: 1, stopOnError: true });
  t.is(r.results.length, 12);
  t.deepEqual(byStatus(r.results), { failed: 1, skipped: 11 });
  t.is(r.stopped?.reason, 'error');
  t.true(r.stopped?.error instanceof HcnPortInUseError);
  t.true(r.results.slice(1).every((x) => x.skipReason === 'stopped'));
  t.is((await hcn.loadBalancers.list()).length, 0);
});

test.serial('abort mid-apply: nothing new is launched, what ran is reported, and HNS agrees', async (t) => {
  const desired = specs(60);
  const plan = await planLoadBalancers(hcn, desired);
  const ac = new AbortController();
  const seen: ApplyProgress[] = [];
  const r = await applyPlan(hcn, plan, {
    concurrency: 3,
    signal: ac.signal,
    onProgress: (p) => {
      seen.push(p);
      if (p.done === 10) ac.abort(new Error('shutting down'));
    },
  });
  t.is(r.stopped?.reason, 'aborted');
  t.is(r.results.length, 60);
  t.is(r.counts.ok + r.counts.failed + r.counts.unknown + r.counts.skipped, 60);
  t.is(r.counts.failed, 0);
  t.true(r.counts.ok >= 10);
  t.true(r.counts.skipped >= 60 - 10 - 3, JSON.stringify(r.counts));
  t.true(r.results.filter((x) => x.status === 'skipped').every((x) => x.skipReason === 'aborted'));
  t.is(seen.length, 60);
  t.deepEqual(
    seen.map((p) => p.done),
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  await settle(hcn);
  const live = new Set((await hcn.loadBalancers.list()).map((h) => h.id));
  for (const id of r.created) t.true(live.has(id), `created ${id} exists`);
  // Skipped creates did not happen; unknown ones may have.
  t.true(live.size >= r.counts.ok && live.size <= r.counts.ok + r.counts.unknown);
  const again = await planLoadBalancers(hcn, desired);
  t.is(again.summary.keep + again.summary.create, 60);
  t.is(again.summary.keep, live.size);
  await assertNoLeaks(t, hcn);
});

test.serial('an already aborted signal skips everything', async (t) => {
  const ac = new AbortController();
  ac.abort();
  const r = await applyPlan(hcn, await planLoadBalancers(hcn, specs(5)), { signal: ac.signal });
  t.deepEqual(r.counts, { ok: 0, failed: 0, unknown: 0, skipped: 5 });
  t.is((await hcn.loadBalancers.list()).length, 0);
});

test.serial('a throwing onProgress stops launching items instead of losing them', async (t) => {
  const boom = new Error('progress bar broke');
  const r = await applyPlan(hcn, await planLoadBalancers(hcn, specs(8)), {
    concurrency: 1,
    onProgress: () => {
      throw boom;
    },
  });
  t.is(r.stopped?.reason, 'callback');
  t.is(r.stopped?.error, boom);
  t.deepEqual(r.counts, { ok: 1, failed: 0, unknown: 0, skipped: 7 });
});

test.serial('concurrency is checked', async (t) => {
  const plan = await planLoadBalancers(hcn, []);
  await t.throwsAsync(applyPlan(hcn, plan, { concurrency: 0 }), { instanceOf: RangeError });
  await t.throwsAsync(applyPlan(hcn, plan, { concurrency: 1.5 }), { instanceOf: RangeError });
  const empty = await applyPlan(hcn, plan);
  t.true(empty.complete);
  t.is(empty.results.length, 0);
});

test.serial('reconcile keeps the apply records when the check after it cannot list HNS', async (t) => {
  // The check's listing fails: the fault is set once the last item is done.
  let calls = 0;
  const r = await reconcileLoadBalancers(hcn, specs(3), {
    onProgress: (p) => {
      calls++;
      if (p.done === p.total) hcn.simulator!.failNext('HcnEnumerateLoadBalancers', HCN_E_MANAGER_STOPPED, 1);
    },
  });
  t.is(calls, 3);
  t.true(r.result.complete);
  t.is(r.residual, undefined);
  t.false(r.inSync);
  t.true(r.verifyError instanceof HcnServiceUnavailableError);
});
