// 500 load balancers through plan/apply/re-plan on the embedded simulator: create all, idempotent
// re-plan, change some, shrink the desired set with an ID-registry scope, delete the rest, no leaks.
import test from 'ava';
import type { Hcn } from '../../ts/client';
import { applyPlan, planLoadBalancers, reconcileLoadBalancers } from '../../ts/reconcile';
import { assertNoLeaks, openSimulated, spec, specs } from './helpers';

const N = 500;
let hcn: Hcn;

test.before(async () => {
  hcn = await openSimulated();
});

test.after.always(async () => {
  await hcn?.close();
});

test.serial(`${N} load balancers: create, keep, update, shrink, delete, with one listing per plan and no leaks`, async (t) => {
  const desired = specs(N);
  const progress: number[] = [];
  const created = await reconcileLoadBalancers(hcn, desired, { concurrency: 16, onProgress: (p) => progress.push(p.done) });
  t.is(created.plan.summary.create, N);
  t.true(created.result.complete);
  t.true(created.inSync);
  t.is(created.residual!.summary.keep, N);
  t.is(progress.length, N);
  t.is((await hcn.simulator!.status()).counts.loadBalancers, N);
  // The creates used the endpoint IDs the plan resolved: no endpoint listing per load balancer.
  const calls = hcn.simulator!.stats().calls;
  t.is(calls.HcnCreateLoadBalancer, N);
  t.is(calls.HcnEnumerateEndpoints, 2, 'one per plan');
  t.is(calls.HcnEnumerateLoadBalancers, 2, 'one per plan');

  const registry = new Set(created.result.created);
  t.is(registry.size, N);

  // Every tenth one gets other backends.
  const changed = desired.map((s, i) => (i % 10 === 0 ? spec(i, { backends: ['10.0.0.15'] }) : s));
  const upd = await planLoadBalancers(hcn, changed, { scope: { ids: registry } });
  t.deepEqual(upd.summary, { create: 0, update: N / 10, delete: 0, keep: N - N / 10, leftAlone: 0, conflicts: 0, live: N });
  const updResult = await applyPlan(hcn, upd, { concurrency: 16 });
  t.true(updResult.complete);
  for (const id of updResult.removed) registry.delete(id);
  for (const id of updResult.created) registry.add(id);
  t.is(registry.size, N);

  // Shrink to the first half: the other half is owned (in the registry) and deleted as not desired.
  const half = changed.slice(0, N / 2);
  const shrink = await reconcileLoadBalancers(hcn, half, { scope: { ids: registry }, concurrency: 16 });
  t.is(shrink.plan.summary.delete, N / 2);
  t.true(shrink.plan.delete.every((d) => d.reason === 'not-desired'));
  t.true(shrink.inSync);
  t.is((await hcn.simulator!.status()).counts.loadBalancers, N / 2);
  for (const id of shrink.result.removed) registry.delete(id);

  // And to nothing.
  const gone = await reconcileLoadBalancers(hcn, [], { scope: { ids: registry }, concurrency: 16 });
  t.is(gone.result.counts.ok, N / 2);
  t.true(gone.inSync);
  t.is((await hcn.simulator!.status()).counts.loadBalancers, 0);
  await assertNoLeaks(t, hcn);
});
