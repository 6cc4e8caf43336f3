// planLoadBalancers against the embedded simulator: creates from empty, idempotence, full-spec
// updates, scopes (default, VIP prefixes, predicate, ID registry), duplicates, conflicts, one listing.
import test from 'ava';
import type { Hcn } from '../../ts/client';
import { HcnFeatureNotSupportedError, HcnNetworkNotFoundError, HcnValidationError } from '../../ts/errors';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import { applyPlan, planLoadBalancers, reconcileLoadBalancers } from '../../ts/reconcile';
import type { LoadBalancerSpec } from '../../ts/schema/models';
import { BACKENDS, assertNoLeaks, injectDuplicate, openSimulated, spec, specs } from './helpers';

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

test.serial('empty HNS: every desired load balancer is a create, with backends resolved to endpoint IDs', async (t) => {
  const desired = specs(20);
  const plan = await planLoadBalancers(hcn, desired);
  t.deepEqual(plan.summary, { create: 20, update: 0, delete: 0, keep: 0, leftAlone: 0, conflicts: 0, live: 0 });
  t.deepEqual(
    plan.create.map((c) => c.index),
    desired.map((_, i) => i),
  );
  const eps = await hcn.endpoints.list();
  const ids = BACKENDS.map((ip) => eps.find((e) => e.ipAddresses.includes(ip))!.id);
  for (const c of plan.create) {
    t.deepEqual(
      c.spec.backends.map((b) => (b.kind === 'id' ? b.id : b.ip)),
      ids,
    );
    t.deepEqual(c.desired, desired[c.index]);
    t.deepEqual(c.after, []);
  }
  await assertNoLeaks(t, hcn);
});

test.serial('a plan reads HNS once: one load balancer listing and one endpoint listing', async (t) => {
  await applyPlan(hcn, await planLoadBalancers(hcn, specs(30)));
  const before = hcn.simulator!.stats().calls;
  await planLoadBalancers(hcn, specs(40));
  const after = hcn.simulator!.stats().calls;
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  t.is(delta('HcnEnumerateLoadBalancers'), 1);
  t.is(delta('HcnEnumerateEndpoints'), 1);
  t.is(delta('HcnCreateLoadBalancer'), 0);
  t.is(delta('HcnDeleteLoadBalancer'), 0);
});

test.serial('a second plan after apply keeps everything (idempotent)', async (t) => {
  const desired = specs(25);
  const result = await applyPlan(hcn, await planLoadBalancers(hcn, desired));
  t.true(result.complete);
  const again = await planLoadBalancers(hcn, desired);
  t.deepEqual(again.summary, { create: 0, update: 0, delete: 0, keep: 25, leftAlone: 0, conflicts: 0, live: 25 });
  t.deepEqual(again.keep.map((k) => k.id).sort(), [...result.created].sort());
});

test.serial('a backend change is an update naming the field; every field is compared, never counts', async (t) => {
  const remote = await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.1.7' });
  await applyPlan(hcn, await planLoadBalancers(hcn, specs(5)));
  const desired = specs(5);
  desired[1] = spec(1, { backends: ['10.0.0.14'] });
  desired[2] = spec(2, { sourceVip: '10.231.111.99' });
  // Same backend count as live, one backend different: a count would miss it (kubernetes#113524).
  desired[3] = spec(3, { backends: ['10.0.0.14', '10.0.1.7'] });
  // Same set in another order: equal.
  desired[4] = spec(4, { backends: ['10.0.0.15', '10.0.0.14'] });
  const plan = await planLoadBalancers(hcn, desired);
  t.deepEqual(
    plan.keep.map((k) => k.index),
    [0, 4],
  );
  t.deepEqual(
    plan.update.map((u) => [u.index, u.differences]),
    [
      [1, ['backends']],
      [2, ['sourceVip']],
      [3, ['backends']],
    ],
  );
  t.is(plan.update[0]!.reason, 'differs in backends');
  t.true(plan.update[2]!.spec.backends.some((b) => b.kind === 'id' && b.id === remote.id));
  const r = await applyPlan(hcn, plan);
  t.true(r.complete);
  // HNS 13.2 cannot modify: the update replaced the load balancer on its own frontend.
  t.is(r.results[0]!.strategy, 'delete-then-create');
  t.not(r.results[0]!.id, r.results[0]!.previousId);
  const after = await planLoadBalancers(hcn, desired);
  t.deepEqual(after.summary, { create: 0, update: 0, delete: 0, keep: 5, leftAlone: 0, conflicts: 0, live: 5 });
  await assertNoLeaks(t, hcn);
});

test.serial('with modify available an update keeps the ID', async (t) => {
  await hcn.simulator!.setVersion(15, 5);
  await applyPlan(hcn, await planLoadBalancers(hcn, specs(3)));
  const desired = [spec(0, { backends: ['10.0.0.15'] }), spec(1), spec(2)];
  const plan = await planLoadBalancers(hcn, desired);
  t.is(plan.update.length, 1);
  const r = await applyPlan(hcn, plan);
  t.is(r.results[0]!.strategy, 'modify');
  t.is(r.results[0]!.id, plan.update[0]!.id);
  t.deepEqual(r.created, []);
});

test.serial('the default scope leaves load balancers on other frontends alone', async (t) => {
  const others = [spec(0, { frontend: '20.0.0.1' }), spec(0, { frontend: '20.0.0.2' })];
  const otherIds = (await applyPlan(hcn, await planLoadBalancers(hcn, others))).created;
  const plan = await planLoadBalancers(hcn, specs(3));
  t.is(plan.summary.create, 3);
  t.is(plan.summary.delete, 0);
  t.deepEqual(plan.leftAlone.map((a) => [a.id, a.reason, a.onDesiredFrontend]).sort(), otherIds.map((id) => [id, 'out-of-scope', false]).sort());
  await applyPlan(hcn, plan);
  // Empty desired state with the default scope deletes nothing at all.
  const none = await planLoadBalancers(hcn, []);
  t.is(none.summary.delete, 0);
  t.is(none.summary.leftAlone, 5);
});

test.serial('a VIP-prefix scope deletes owned load balancers that are not desired, and only those', async (t) => {
  const owned = specs(4);
  const foreign = [spec(0, { frontend: '20.0.0.1' })];
  await applyPlan(hcn, await planLoadBalancers(hcn, [...owned, ...foreign]));
  const plan = await planLoadBalancers(hcn, owned.slice(0, 2), { scope: { vips: ['13.1.0.0/16'] } });
  t.is(plan.summary.keep, 2);
  // Creates ran concurrently, so HNS lists them in no fixed order: compare as sets.
  t.deepEqual(
    plan.delete.map((d) => [d.info.frontendVips[0], d.reason]).sort(),
    [
      ['13.1.0.3', 'not-desired'],
      ['13.1.0.4', 'not-desired'],
    ],
  );
  t.deepEqual(
    plan.leftAlone.map((a) => a.info.frontendVips[0]),
    ['20.0.0.1'],
  );
  // A single address works as well as a prefix.
  const single = await planLoadBalancers(hcn, [], { scope: { vips: ['13.1.0.4'] } });
  t.deepEqual(
    single.delete.map((d) => d.info.frontendVips[0]),
    ['13.1.0.4'],
  );
  const r = await applyPlan(hcn, plan);
  t.true(r.complete);
  t.is(r.removed.length, 2);
  const live = await hcn.loadBalancers.list();
  t.deepEqual(live.map((h) => h.info.frontendVips[0]).sort(), ['13.1.0.1', '13.1.0.2', '20.0.0.1']);
});

test.serial('a predicate scope and an ID registry decide ownership', async (t) => {
  const first = await applyPlan(hcn, await planLoadBalancers(hcn, specs(3)));
  const registry = new Set(first.created.slice(0, 2));
  const byIds = await planLoadBalancers(hcn, [], { scope: { ids: registry } });
  t.deepEqual(byIds.delete.map((d) => d.id).sort(), [...registry].sort());
  t.is(byIds.leftAlone.length, 1);
  const seen: string[] = [];
  const byPredicate = await planLoadBalancers(hcn, [], {
    scope: (info) => {
      seen.push(info.id);
      return info.frontendVips[0] === '13.1.0.3';
    },
  });
  t.deepEqual(
    byPredicate.delete.map((d) => d.info.frontendVips[0]),
    ['13.1.0.3'],
  );
  t.is(seen.length, 3);
  // Updates also need ownership: a live one on the frontend that is not owned is not changed.
  const changed = [spec(0, { backends: ['10.0.0.14'] })];
  const held = await planLoadBalancers(hcn, changed, { scope: () => false });
  t.is(held.summary.update, 0);
  t.deepEqual(
    held.conflicts.map((c) => [c.kind, c.index]),
    [['frontend-held', 0]],
  );
  t.is(held.summary.delete, 0);
});

test.serial('a malformed scope is refused naming the field', async (t) => {
  const err = await t.throwsAsync(planLoadBalancers(hcn, [], { scope: { vips: ['not-an-ip'] } }), { instanceOf: HcnValidationError });
  t.is((err as HcnValidationError).issues[0]!.field, 'scope.vips[0]');
  await t.throwsAsync(planLoadBalancers(hcn, [], { scope: { ids: ['nope'] } }), { instanceOf: HcnValidationError });
  await t.throwsAsync(planLoadBalancers(hcn, 'x' as unknown as LoadBalancerSpec[]), { instanceOf: TypeError });
});

test.serial('duplicates on one frontend: the equal one is kept, the other deleted and the result verified', async (t) => {
  const [created] = (await applyPlan(hcn, await planLoadBalancers(hcn, [spec(0)]))).created;
  const dup = await injectDuplicate(hcn, created!, (lb) => {
    lb.HostComputeEndpoints = (lb.HostComputeEndpoints as string[]).slice(0, 1);
  });
  try {
    t.is((await hcn.loadBalancers.list()).length, 2);
    const plan = await planLoadBalancers(hcn, [spec(0)]);
    t.deepEqual(
      plan.keep.map((k) => k.id),
      [created],
    );
    t.deepEqual(
      plan.delete.map((d) => [d.id, d.reason]),
      [[dup.id, 'duplicate']],
    );
    // Outside an explicit scope the duplicate is left alone, marked as sitting on a desired frontend.
    const scoped = await planLoadBalancers(hcn, [spec(0)], { scope: (info) => info.id !== dup.id });
    t.deepEqual(
      scoped.leftAlone.map((a) => [a.id, a.onDesiredFrontend]),
      [[dup.id, true]],
    );
    t.is(scoped.summary.delete, 0);
    const { inSync, result, residual } = await reconcileLoadBalancers(hcn, [spec(0)]);
    t.true(inSync);
    t.deepEqual(result.removed, [dup.id]);
    t.is(residual!.summary.live, 1);
  } finally {
    await dup.cleanup();
  }
});

test.serial('duplicates where neither equals the spec: one is updated after the other is deleted', async (t) => {
  const [created] = (await applyPlan(hcn, await planLoadBalancers(hcn, [spec(0)]))).created;
  const dup = await injectDuplicate(hcn, created!, (lb) => {
    lb.SourceVIP = '10.231.111.99';
  });
  try {
    const desired = [spec(0, { backends: ['10.0.0.15'] })];
    const plan = await planLoadBalancers(hcn, desired);
    t.is(plan.update.length, 1);
    t.is(plan.delete.length, 1);
    t.is(plan.delete[0]!.reason, 'duplicate');
    t.deepEqual(plan.update[0]!.after, [plan.delete[0]!.id]);
    const r = await applyPlan(hcn, plan);
    t.true(r.complete, JSON.stringify(r.counts));
    const again = await planLoadBalancers(hcn, desired);
    t.deepEqual(again.summary, { create: 0, update: 0, delete: 0, keep: 1, leftAlone: 0, conflicts: 0, live: 1 });
  } finally {
    await dup.cleanup();
  }
});

test.serial('conflicts: overlap, duplicate, unknown backend IP, invalid and unsupported specs; the live ones stay', async (t) => {
  await applyPlan(hcn, await planLoadBalancers(hcn, specs(3)));
  await hcn.simulator!.setVersion(11, 0); // no session affinity before 12.0
  const affinity = LoadBalancer.builder(spec(2)).affinity('sourceIp').build();
  const desired: LoadBalancerSpec[] = [
    spec(0, { backends: ['10.0.0.99'] }), // no endpoint has this IP
    spec(1),
    affinity,
    spec(1, { backends: ['10.0.0.14'] }), // same frontend as desired[1]
    spec(1), // repeats desired[1]
    { ports: [{ protocol: 'tcp', external: 70000 }] } as unknown as LoadBalancerSpec,
    spec(10),
  ];
  const plan = await planLoadBalancers(hcn, desired);
  t.deepEqual(
    plan.conflicts.map((c) => [c.index, c.kind]),
    [
      [0, 'backend-not-found'],
      [2, 'invalid'],
      [3, 'desired-overlap'],
      [4, 'desired-duplicate'],
      [5, 'invalid'],
    ],
  );
  const [notFound, unsupported, overlap] = plan.conflicts;
  t.is(notFound!.field, 'backends[0]');
  t.is(notFound!.ip, '10.0.0.99');
  t.is(notFound!.liveIds.length, 1);
  t.true(unsupported!.error instanceof HcnFeatureNotSupportedError);
  t.is(unsupported!.liveIds.length, 1);
  t.is(overlap!.other, 1);
  // The conflicted frontends keep their live load balancers: nothing is deleted or updated there.
  t.deepEqual(plan.summary, { create: 1, update: 0, delete: 0, keep: 1, leftAlone: 0, conflicts: 5, live: 3 });
  t.deepEqual(
    plan.create.map((c) => c.index),
    [6],
  );
});

test.serial('a spec network HNS does not have: the plan reports the HcnNetworkNotFoundError create throws, and plans the rest', async (t) => {
  for (const network of ['no-such-network', '6c1a3b9e-0f44-4a3d-9e2b-1d7f5a0c0099']) {
    const missing: LoadBalancerSpec = { ...spec(0), network };
    const thrown = await t.throwsAsync(hcn.loadBalancers.create(missing), { instanceOf: HcnNetworkNotFoundError });
    const plan = await planLoadBalancers(hcn, [missing, spec(1)]);
    t.deepEqual(
      plan.conflicts.map((c) => [c.index, c.kind, c.field]),
      [[0, 'network-not-found', 'network']],
      network,
    );
    const reported = plan.conflicts[0]!.error;
    t.true(reported instanceof HcnNetworkNotFoundError, network);
    const shape = (e: HcnNetworkNotFoundError) => ({ code: e.code, hresult: e.hresult, field: e.field, network: e.network, text: e.message.replace(/^.* failed: /, '') });
    t.deepEqual(shape(reported as HcnNetworkNotFoundError), shape(thrown!), `one shape for one mistake (${network})`);
    t.regex(plan.conflicts[0]!.message, new RegExp(`^desired\\[0\\]: .*${network}`));
    // Not a malformed spec: the other items are still planned.
    t.deepEqual(plan.create.map((c) => c.index), [1], network);
  }
});

test.serial('a spec network given by ID resolves in the plan in any case, as create resolves it', async (t) => {
  // A guard, not a fix: this passed before too (the spec's validation lower-cases the ID).
  const vxlan0 = (await hcn.networks.findByName('vxlan0'))!;
  const desired: LoadBalancerSpec = { ...spec(0), network: vxlan0.id.toUpperCase() };
  const plan = await planLoadBalancers(hcn, [desired]);
  t.deepEqual(plan.conflicts, []);
  t.deepEqual(plan.create.map((c) => c.index), [0]);
  const created = await hcn.loadBalancers.create(desired);
  t.deepEqual(plan.create[0]!.spec.backends.map((b) => (b.kind === 'id' ? b.id : b.ip)), created.info.backendIds);
});
