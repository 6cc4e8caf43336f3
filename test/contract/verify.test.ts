// Contract: verification through the client on whichever backend test/contract/backend.ts picks —
// verifyDsr over DSR and non-DSR load balancers (both views), allowEmpty, an unreadable v1 view,
// abort, and verifyLoadBalancer on a load balancer whose backend endpoint vanished behind HNS's back.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import { HcnAbortError, HcnNotFoundError } from '../../ts/errors';
import { verifyDsr, verifyLoadBalancer } from '../../ts/verify';
import { contract, openFixture, settle, simulatorOnly, walkthroughSpec, type Fixture } from './backend';

const OTHER_VIP = '13.0.0.14';

function nonDsrSpec(fx: Fixture) {
  return LoadBalancer.builder().frontend(OTHER_VIP).backends(fx.backendIps).port({ protocol: 'tcp', external: 8001, internal: 80 }).build();
}

contract('verifyDsr: the DSR load balancer passes in both views, the non-DSR one fails', async (t) => {
  const fx = await openFixture(t);
  const good = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const bad = await fx.hcn.loadBalancers.create(nonDsrSpec(fx));

  const onlyGood = await verifyDsr(fx.hcn, { vip: fx.vip, protocol: 'tcp', port: 8000 });
  t.true(onlyGood.ok, onlyGood.reason ?? '');
  t.is(onlyGood.checked, 1);
  t.deepEqual(onlyGood.policyLists, { read: true, error: null });
  t.like(onlyGood.loadBalancers[0], { id: good.id, frontendVips: [fx.vip], dsr: true, isDsrV1: true, ok: true, problem: null });
  t.like(onlyGood.loadBalancers[0]!.ports[0], { protocol: 'tcp', external: 8000, internal: 80 });

  const onlyBad = await verifyDsr(fx.hcn, { vip: OTHER_VIP });
  t.false(onlyBad.ok);
  t.is(onlyBad.reason, '1 of 1 load balancer without DSR');
  t.like(onlyBad.loadBalancers[0], { id: bad.id, dsr: false, isDsrV1: false, ok: false, problem: 'no DSR (v2 Flags and v1 IsDSR)' });

  const both = await verifyDsr(fx.hcn, { protocol: 'tcp' });
  const ids = new Set(both.loadBalancers.map((c) => c.id));
  t.true(ids.has(good.id) && ids.has(bad.id));
  t.false(both.ok);
  t.true(await bad.delete());
  t.true(await good.delete());
});

contract('verifyDsr: nothing to verify fails unless allowEmpty', async (t) => {
  const fx = await openFixture(t);
  // A frontend no test uses, so a real HNS with other load balancers gives the same answer.
  const filter = { vip: '13.0.0.250', port: 65000 };
  const empty = await verifyDsr(fx.hcn, filter);
  t.false(empty.ok);
  t.is(empty.checked, 0);
  t.regex(empty.reason ?? '', /no load balancers to verify/);
  const allowed = await verifyDsr(fx.hcn, { ...filter, allowEmpty: true });
  t.true(allowed.ok);
  t.is(allowed.reason, null);
});

contract('verifyLoadBalancer: a healthy DSR load balancer has no problem; an unknown ID is not found', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const report = await verifyLoadBalancer(fx.hcn, lb);
  t.true(report.ok, report.problems.join('; '));
  t.is(report.check, 'loadBalancer');
  t.is(report.id, lb.id);
  t.is(report.sourceVip, fx.sourceVip);
  t.true(report.dsr);
  t.true(report.isDsrV1);
  t.deepEqual(
    report.backends.map((b) => [b.id, b.exists, b.ip, b.remote]).sort(),
    fx.endpoints.map((e) => [e.id, true, e.ipAddresses[0], false]).sort(),
  );
  t.true(await lb.delete());
  await t.throwsAsync(verifyLoadBalancer(fx.hcn, lb.id), { instanceOf: HcnNotFoundError });
});

simulatorOnly('verifyLoadBalancer: a backend endpoint deleted out of band is reported', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  const extra = await fx.hcn.endpoints.create(fx.network.id, { Name: 'pod-gone', IpConfigurations: [{ IpAddress: fx.freeIp, PrefixLength: 24 }] });
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { backends: [fx.backendIps[0], fx.freeIp] }));
  // The simulator refuses to delete an endpoint a load balancer uses (as HNS does through the API),
  // so the endpoint disappears through a state file: what an HNS restart or another tool can leave.
  await t.throwsAsync(fx.hcn.endpoints.delete(extra.id));
  const state = (await sim.dump()) as { Endpoints: Array<Record<string, unknown>> };
  state.Endpoints = state.Endpoints.filter((e) => String(e.ID).toLowerCase() !== extra.id);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-verify-'));
  t.teardown(async () => {
    await sim.configure(null);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'hns.json');
  fs.writeFileSync(file, JSON.stringify(state));
  await sim.configure(file);

  const report = await verifyLoadBalancer(fx.hcn, lb.id);
  t.false(report.ok);
  t.deepEqual(report.problems, [`backend endpoint ${extra.id} not found`]);
  t.deepEqual(
    report.backends.map((b) => [b.id, b.exists]),
    lb.info.backendIds.map((id) => [id, id !== extra.id]),
  );
  // The DSR check alone does not look at backends: it still passes.
  t.true((await verifyDsr(fx.hcn, { vip: fx.vip })).ok);
});

simulatorOnly('verifyDsr: an unreadable v1 view is reported and the verdict rests on the v2 objects', async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  fx.hcn.simulator!.failNext('HNSCall', 0x80004001);
  const report = await verifyDsr(fx.hcn, { vip: fx.vip });
  t.true(report.ok);
  t.false(report.policyLists.read);
  t.truthy(report.policyLists.error);
  t.is(report.loadBalancers[0]!.isDsrV1, null);
});

simulatorOnly('verifyDsr: one deadline covers both reads; an abort rejects with HcnAbortError', async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  fx.hcn.simulator!.hang('HNSCall');
  const timedOut = await verifyDsr(fx.hcn, { vip: fx.vip, timeoutMs: 200 });
  t.true(timedOut.ok, 'the v2 verdict stands');
  t.false(timedOut.policyLists.read);
  t.regex(timedOut.policyLists.error ?? '', /HCN_TIMEOUT/);

  // Abort while the v1 read hangs in HNS (the v2 list has completed by then).
  const calls = (): number => fx.hcn.simulator!.stats().calls.HNSCall ?? 0;
  const before = calls();
  const ac = new AbortController();
  const pending = verifyDsr(fx.hcn, { vip: fx.vip, signal: ac.signal });
  for (let i = 0; i < 400 && calls() === before; i++) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  await t.throwsAsync(pending, { instanceOf: HcnAbortError });
  await t.throwsAsync(verifyLoadBalancer(fx.hcn, fx.endpoints[0].id, { signal: AbortSignal.abort() }), { instanceOf: HcnAbortError });
  fx.hcn.simulator!.release();
  await settle(fx.hcn);
  const after = await verifyDsr(fx.hcn, { vip: fx.vip });
  t.true(after.ok && after.policyLists.read, 'the v1 view reads again once HNS answers');
});
