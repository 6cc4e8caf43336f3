// Contract (issue 10 item 13): behaviour that the client tests check only against the hand-written
// fake binding, checked again on the real addon and the simulator through its fault controls:
// same-frontend serialisation, update rollback, a collision not resolved by deleting ours, listener
// reference counting, HCN_CLOSED after close(), and the queue wait counting against the deadline.
import { Hcn } from '../../ts/client';
import { HcnError, HcnPortInUseError, HcnTimeoutError } from '../../ts/errors';
import { BACKEND, nextEvent, openFixture, settle, settleRegistration, simulatorOnly, walkthroughSpec } from './backend';

const E_FAIL = 0x80004005;

simulatorOnly('creates on one frontend are serialised inside a client; other frontends are not held up', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  const creates = (): number => sim.stats().calls.HcnCreateLoadBalancer ?? 0;
  await fx.hcn.features();
  const before = creates();
  sim.hang('HcnCreateLoadBalancer');
  const first = fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9400 }));
  await waitUntil(() => hung(sim) === 1);
  // Same frontend: must wait for the first. Another frontend: must go straight to HNS.
  const second = fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9400, backends: [fx.backendIps[0]!] }));
  const other = fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9401 }));
  await waitUntil(() => hung(sim) === 2);
  // One more round trip through the pool: the second create, started before the other one, would
  // be inside HNS by now if it were not queued behind the first.
  await fx.hcn.networks.list();
  t.is(hung(sim), 2, 'the same-frontend create did not reach HNS while the first ran');
  t.is(creates() - before, 2);
  sim.release();
  const lb = await first;
  const lbOther = await other;
  await t.throwsAsync(second, { instanceOf: HcnPortInUseError }, 'it ran after the first and met its frontend');
  t.is(creates() - before, 3);
  t.true(await lb.delete());
  t.true(await lbOther.delete());
});

simulatorOnly('an update whose replacement create fails puts the old load balancer back (delete-then-create)', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  await sim.setVersion(13, 2); // no in-place modify: the same frontend is updated by delete, then create
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9410 }));
  const before = lb.info;
  // Fail the replacement's create (after the delete, before the restore).
  sim.hang('HcnDeleteLoadBalancer');
  const updating = lb.update(walkthroughSpec(fx, { port: 9410, backends: [fx.backendIps[1]!] }));
  await waitUntil(() => hung(sim) === 1);
  sim.failNext('HcnCreateLoadBalancer', E_FAIL);
  sim.release();
  const err = await t.throwsAsync(updating, { instanceOf: HcnError });
  t.is(err?.code, 'E_FAIL');
  const all = await fx.hcn.loadBalancers.list();
  t.is(all.length, 1, 'exactly one load balancer: the old one, back');
  t.is(all[0]!.id, lb.id, 'the handle follows the restored load balancer');
  t.deepEqual([...all[0]!.info.backendIds].sort(), [...before.backendIds].sort());
  t.true(await lb.delete());
});

simulatorOnly("a collision with another load balancer's frontend is not resolved by deleting ours", async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.simulator!.setVersion(13, 2);
  const ours = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9420 }));
  const theirs = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9421 }));
  await t.throwsAsync(ours.update(walkthroughSpec(fx, { port: 9421 })), { instanceOf: HcnPortInUseError });
  t.is((await fx.hcn.loadBalancers.get(ours.id)).id, ours.id, 'ours is still there');
  t.is(ours.lastUpdate, undefined);
  t.is((await fx.hcn.loadBalancers.list()).length, 2);
  t.true(await ours.delete());
  t.true(await theirs.delete());
});

simulatorOnly('a modify that HNS accepted but did not apply is caught by the read-back and replaced', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  await sim.setVersion(15, 5);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9440 }));
  const id = lb.id;
  sim.ignoreNext('HcnModifyLoadBalancer');
  await lb.update(walkthroughSpec(fx, { port: 9440, backends: [fx.backendIps[0]!] }));
  t.is(lb.lastUpdate?.reason, 'read-back-mismatch');
  t.is(lb.lastUpdate?.strategy, 'delete-then-create');
  t.not(lb.id, id);
  t.deepEqual(lb.info.backendIds, [fx.endpoints[0]!.id]);
  t.deepEqual((await fx.hcn.loadBalancers.get(lb.id)).info.backendIds, [fx.endpoints[0]!.id], 'HNS holds the new backends');
  const f = await fx.hcn.features();
  t.false(f.supported.modifyLoadBalancer);
  t.is(f.source.modifyLoadBalancer, 'probe');
  t.is(sim.stats().calls.HcnModifyLoadBalancer ?? 0, 1);
  t.true(await lb.delete());
});

simulatorOnly('the service callback is registered once for any number of listeners and ends with the last', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  const a = (): void => undefined;
  const b = (): void => undefined;
  fx.hcn.on('serviceDisconnect', a);
  fx.hcn.on('notification', b);
  fx.hcn.on('notification', a);
  await fx.hcn.subscribe();
  t.is(sim.stats().liveCallbacks, 1, 'one registration for three listeners');
  t.is(sim.stats().calls.HcnRegisterServiceCallback ?? 0, 1);
  fx.hcn.off('notification', b);
  fx.hcn.off('serviceDisconnect', a);
  await fx.hcn.subscribe(); // one listener left: still registered
  t.is(sim.stats().liveCallbacks, 1);
  fx.hcn.off('notification', a);
  await settleRegistration(fx.hcn, 0);
  t.is(sim.stats().liveCallbacks, 0, 'ended with the last listener');
  const once = nextEvent(fx.hcn, 'serviceDisconnect');
  await fx.hcn.subscribe();
  t.is(sim.stats().liveCallbacks, 1);
  await sim.restart();
  await once;
  await settleRegistration(fx.hcn, 0);
  t.is(sim.stats().liveCallbacks, 0, 'a once listener ends it after it fired');
  t.is(sim.stats().calls.HcnUnregisterServiceCallback ?? 0, 2);
});

simulatorOnly('after close() a running call, later calls and the simulator controls are HCN_CLOSED', async (t) => {
  const fx = await openFixture(t);
  const other = await Hcn.open({ backend: BACKEND.backend });
  other.simulator!.latency('HcnEnumerateNetworks', 300);
  const running = t.throwsAsync(other.networks.list(), { instanceOf: HcnError });
  await waitUntil(() => other.poolStats().busy === 1);
  await other.close();
  const err = await running;
  t.is(err?.code, 'HCN_CLOSED');
  const later = await t.throwsAsync(other.loadBalancers.list(), { instanceOf: HcnError });
  t.is(later?.code, 'HCN_CLOSED');
  t.is((await t.throwsAsync(other.simulator!.status(), { instanceOf: HcnError }))?.code, 'HCN_CLOSED');
  t.is(t.throws(() => other.poolStats(), { instanceOf: HcnError })?.code, 'HCN_CLOSED');
  // The call that was running finishes in the simulator and frees what it held.
  await waitUntil(() => (fx.hcn.simulator!.stats().liveStrings ?? 0) === 0);
  fx.hcn.simulator!.latency('HcnEnumerateNetworks', 0);
});

simulatorOnly('time spent waiting for a pool thread counts against the deadline: the call is never sent', async (t) => {
  const fx = await openFixture(t, { threads: 1 });
  const sim = fx.hcn.simulator!;
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9430 }));
  const queries = (): number => sim.stats().calls.HcnOpenLoadBalancer ?? 0;
  const before = queries();
  sim.hang('HcnEnumerateNetworks');
  const busy = fx.hcn.networks.list({ timeoutMs: 30_000 });
  await waitUntil(() => hung(sim) === 1);
  // It waits behind the hung call for a thread and passes its deadline there.
  await t.throwsAsync(fx.hcn.loadBalancers.get(lb.id, { timeoutMs: 200 }), { instanceOf: HcnTimeoutError });
  t.is(queries(), before, 'HcnOpenLoadBalancer was never called');
  t.like(fx.hcn.poolStats(), { queued: 0, busy: 1 }, 'the expired call left the queue');
  sim.release();
  t.true((await busy).length > 0);
  await settle(fx.hcn);
  t.true(await lb.delete());
});

/** Calls inside the simulator waiting in a `hang` (stats() answers at once: it needs no pool thread). */
function hung(sim: { stats(): { hung: number } }): number {
  return sim.stats().hung;
}

/** Polls (bounded; no timing is asserted) until `predicate` holds. */
async function waitUntil(predicate: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('gave up waiting');
}
