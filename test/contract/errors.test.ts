// Contract: every error class reached through the client (port in use, not found, already exists,
// not implemented, timeout, busy, service unavailable, access denied, feature not supported,
// validation), abort before and during a call, and the deadline.
import { setTimeout as delay } from 'node:timers/promises';
import {
  HcnAbortError,
  HcnAccessDeniedError,
  HcnAlreadyExistsError,
  HcnBusyError,
  HcnError,
  HcnFeatureNotSupportedError,
  HcnNotFoundError,
  HcnNotImplementedError,
  HcnPortInUseError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnValidationError,
} from '../../ts/errors';
import { HcnBackendNotFoundError } from '../../ts/load-balancer-handle';
import type { LoadBalancerSpec } from '../../ts/schema/models';
import { contract, openFixture, settle, simulatorOnly, walkthroughSpec } from './backend';

const UNKNOWN_ID = '0badc0de-0000-4000-8000-000000000001';

contract('port in use: a second load balancer on the same frontend', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9000 }));
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9000, backends: [fx.backendIps[0]] })), {
    instanceOf: HcnPortInUseError,
  });
  t.is(err?.code, 'HCN_E_PORT_ALREADY_EXISTS');
  t.is(err?.hresult, 0x803b0013);
  t.is(err?.operation, 'HcnCreateLoadBalancer');
  t.true(await lb.delete());
});

contract('not found: unknown IDs and unknown backend IPs', async (t) => {
  const fx = await openFixture(t);
  await t.throwsAsync(fx.hcn.loadBalancers.get(UNKNOWN_ID), { instanceOf: HcnNotFoundError });
  await t.throwsAsync(fx.hcn.endpoints.get(UNKNOWN_ID), { instanceOf: HcnNotFoundError });
  await t.throwsAsync(fx.hcn.networks.get(UNKNOWN_ID), { instanceOf: HcnNotFoundError });
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9001, backends: [fx.backendIps[0], '10.99.99.99'] })), {
    instanceOf: HcnBackendNotFoundError,
  });
  t.is(err?.field, 'backends[1]');
  t.is(err?.ip, '10.99.99.99');
  t.true(err instanceof HcnNotFoundError);
});

simulatorOnly('already exists: ERROR_ALREADY_EXISTS with nothing identical to adopt', async (t) => {
  const fx = await openFixture(t);
  fx.hcn.simulator!.failNext('HcnCreateLoadBalancer', 0x800700b7);
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9002 })), { instanceOf: HcnAlreadyExistsError });
  t.is(err?.code, 'ERROR_ALREADY_EXISTS');
  t.is(err?.hresult, 0x800700b7);
  t.is((await fx.hcn.simulator!.status()).counts.loadBalancers, 0);
});

simulatorOnly('not implemented: E_NOTIMPL from modify falls back and turns modify off (probe)', async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.simulator!.setVersion(15, 5);
  fx.hcn.simulator!.failNext('HcnEnumerateNetworks', 0x80004001);
  const direct = await t.throwsAsync(fx.hcn.networks.list(), { instanceOf: HcnNotImplementedError });
  t.is(direct?.code, 'E_NOTIMPL');
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9003 }));
  fx.hcn.simulator!.failNext('HcnModifyLoadBalancer', 0x80004001);
  await lb.update(walkthroughSpec(fx, { port: 9003, backends: [fx.backendIps[0]] }));
  t.not(lb.lastUpdate?.strategy, 'modify');
  t.is(lb.lastUpdate?.reason, 'E_NOTIMPL');
  const f = await fx.hcn.features();
  t.false(f.supported.modifyLoadBalancer);
  t.is(f.source.modifyLoadBalancer, 'probe');
  t.true(await lb.delete());
});

simulatorOnly('timeout: a hung HNS call rejects at the deadline and completes later', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9004 }));
  fx.hcn.simulator!.hang('HcnQueryLoadBalancerProperties');
  const err = await t.throwsAsync(lb.refresh({ timeoutMs: 100 }), { instanceOf: HcnTimeoutError });
  t.is(err?.code, 'HCN_TIMEOUT');
  fx.hcn.simulator!.release();
  await settle(fx.hcn);
  t.true((await lb.refresh()).dsr);
  t.true(await lb.delete());
});

simulatorOnly('busy: with every worker stuck in a hung call, new calls fail fast with HcnBusyError', async (t) => {
  const fx = await openFixture(t, { threads: 1 });
  fx.hcn.simulator!.hang('HcnEnumerateNetworks');
  await t.throwsAsync(fx.hcn.networks.list({ timeoutMs: 100 }), { instanceOf: HcnTimeoutError });
  // The written-off thread is still inside HNS; wait (bounded) until the pool says so.
  for (let i = 0; i < 100 && fx.hcn.poolStats().stuck === 0; i++) await delay(10);
  t.is(fx.hcn.poolStats().stuck, 1);
  const err = await t.throwsAsync(fx.hcn.endpoints.list(), { instanceOf: HcnBusyError });
  t.is(err?.code, 'HCN_BUSY');
  fx.hcn.simulator!.release();
  await settle(fx.hcn);
  t.true((await fx.hcn.networks.list()).length >= 1, 'the pool recovers once HNS answers');
});

simulatorOnly('service unavailable: HCN_E_MANAGER_STOPPED on delete throws and the load balancer is not "gone"', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9005 }));
  fx.hcn.simulator!.failNext('HcnDeleteLoadBalancer', 0x803b0020);
  const err = await t.throwsAsync(lb.delete(), { instanceOf: HcnServiceUnavailableError });
  t.is(err?.code, 'HCN_E_MANAGER_STOPPED');
  t.false(err instanceof HcnNotFoundError);
  t.is((await fx.hcn.loadBalancers.get(lb.id)).id, lb.id);
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x803b0020);
  await t.throwsAsync(fx.hcn.loadBalancers.get(lb.id), { instanceOf: HcnServiceUnavailableError });
  t.true(await lb.delete());
});

simulatorOnly('delete: HCN_E_PORT_NOT_FOUND (a backend\'s switch port is gone) throws; only ERROR_NOT_FOUND means "already gone"', async (t) => {
  // hnslib IsNotFoundError: only ERROR_NOT_FOUND (0x80070490) says the load balancer itself is absent;
  // 0x803B0007 is HNS failing on a backend's switch port (hcsshim#1043), and the load balancer stays.
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9015 }));
  fx.hcn.simulator!.failNext('HcnDeleteLoadBalancer', 0x803b0007);
  const byId = await t.throwsAsync(fx.hcn.loadBalancers.delete(lb.id), { instanceOf: HcnError });
  t.is(byId?.code, 'HCN_E_PORT_NOT_FOUND');
  fx.hcn.simulator!.failNext('HcnDeleteLoadBalancer', 0x803b0007);
  const byHandle = await t.throwsAsync(lb.delete(), { instanceOf: HcnError });
  t.is(byHandle?.code, 'HCN_E_PORT_NOT_FOUND');
  t.is((await fx.hcn.loadBalancers.get(lb.id)).id, lb.id, 'still there');
  // A replace whose delete of the old load balancer fails this way (twice: kube-proxy retries once) throws too.
  fx.hcn.simulator!.failNext('HcnDeleteLoadBalancer', 0x803b0007, 2);
  const oldId = lb.id;
  const replace = await t.throwsAsync(lb.update(walkthroughSpec(fx, { port: 9015, backends: [fx.backendIps[0]] })), { instanceOf: HcnError });
  t.is(replace?.code, 'HCN_E_PORT_NOT_FOUND');
  t.is((await fx.hcn.loadBalancers.get(oldId)).id, oldId, 'the old one is still there and was not reported gone');
  // ERROR_NOT_FOUND is "already gone": false, no throw.
  fx.hcn.simulator!.failNext('HcnDeleteLoadBalancer', 0x80070490);
  t.false(await fx.hcn.loadBalancers.delete(oldId));
  for (const h of await fx.hcn.loadBalancers.list()) await h.delete();
});

simulatorOnly('create succeeded, its query failed: the handle comes back (found by its frontend), nothing is orphaned', async (t) => {
  // HcnCreateLoadBalancer created it; the follow-up query failed. Throwing without an ID would orphan a
  // load balancer that holds its port (a retry then gets HCN_E_PORT_ALREADY_EXISTS).
  const fx = await openFixture(t);
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x800706be);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9016 }));
  const held = await fx.hcn.loadBalancers.list({ port: 9016 });
  t.deepEqual(held.map((h) => h.id), [lb.id]);
  t.deepEqual(new Set(lb.info.backendIds), new Set(fx.endpoints.map((e) => e.id)));
  t.true(await lb.delete());
  // When it cannot be read back either, the error says the load balancer was created (not "nothing happened").
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x800706be, 2);
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9017 })), { instanceOf: HcnError });
  t.regex(err!.message, /was created/);
  t.is((await fx.hcn.loadBalancers.list({ port: 9017 })).length, 1, 'it exists; a list finds it once HNS answers');
  for (const h of await fx.hcn.loadBalancers.list()) await h.delete();
});

simulatorOnly('update by replace (HNS < 15.5): create succeeded, its query failed: the handle follows the new load balancer, the old one goes, previousId is kept', async (t) => {
  // Below 15.5 update = create the new + delete the old (or delete first when the new one needs the old
  // one's frontend). If the create's follow-up query fails, the new load balancer exists and holds its
  // frontend: it is found there (as create does) and the replace completes, instead of throwing
  // without its ID and orphaning it (or, delete-then-create, "restoring" the old one onto a taken port).
  const fx = await openFixture(t);
  await fx.hcn.simulator!.setVersion(13, 2);
  const lbCount = async (port: number) => (await fx.hcn.loadBalancers.list({ port })).length;

  // create-then-delete: the new one is on another port.
  const a = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9040 }));
  const aOld = a.id;
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x800706be);
  await a.update(walkthroughSpec(fx, { port: 9041, backends: [fx.backendIps[0]!] }));
  t.not(a.id, aOld);
  t.like(a.lastUpdate, { strategy: 'create-then-delete', previousId: aOld, id: a.id });
  t.deepEqual(a.info.backendIds, [fx.endpoints[0].id], 'the handle holds what HNS has');
  t.is(await lbCount(9040), 0, 'the old one was deleted');
  t.deepEqual((await fx.hcn.loadBalancers.list({ port: 9041 })).map((h) => h.id), [a.id]);

  // delete-then-create: same frontend, so the old one is deleted first.
  const b = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9042 }));
  const bOld = b.id;
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x800706be);
  await b.update(walkthroughSpec(fx, { port: 9042, backends: [fx.backendIps[1]!] }));
  t.not(b.id, bOld);
  t.like(b.lastUpdate, { strategy: 'delete-then-create', previousId: bOld, id: b.id });
  t.deepEqual((await fx.hcn.loadBalancers.list({ port: 9042 })).map((h) => h.id), [b.id], 'one load balancer, the handle\'s');
  t.deepEqual(b.info.backendIds, [fx.endpoints[1].id]);

  // Nor can it be read back (the listing's query fails too): the error says it was created, names the
  // previous ID and what happened to it; create-then-delete leaves the old one in place.
  const c = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9043 }));
  const cOld = c.id;
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x800706be, 2);
  const err = await t.throwsAsync(c.update(walkthroughSpec(fx, { port: 9044 })), { instanceOf: HcnError });
  t.regex(err!.message, /was created/);
  t.true(err!.message.includes(cOld));
  t.regex(err!.message, /left in place/);
  t.is(c.id, cOld, 'the handle still names the old one, which exists');
  t.is((await fx.hcn.loadBalancers.get(cOld)).id, cOld);
  t.is(await lbCount(9044), 1, 'the new one exists; findByFrontend finds it once HNS answers');
  // The same with delete-then-create: the old one is gone already and is not "restored" onto the
  // frontend the new one holds.
  const d = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9045 }));
  const dOld = d.id;
  fx.hcn.simulator!.failNext('HcnQueryLoadBalancerProperties', 0x800706be, 2);
  const dErr = await t.throwsAsync(d.update(walkthroughSpec(fx, { port: 9045, backends: [fx.backendIps[0]!] })), { instanceOf: HcnError });
  t.regex(dErr!.message, /was created/);
  t.true(dErr!.message.includes(`${dOld} was deleted first`));
  await t.throwsAsync(fx.hcn.loadBalancers.get(dOld), { instanceOf: HcnNotFoundError });
  const now = await fx.hcn.loadBalancers.list({ port: 9045 });
  t.is(now.length, 1);
  t.deepEqual(now[0]!.info.backendIds, [fx.endpoints[0].id], 'the new one, not the old one put back');
  for (const h of await fx.hcn.loadBalancers.list()) await h.delete();
});

simulatorOnly('GUIDs in error messages are in the case of every other output (lower); errorRecord keeps HNS\'s upper case', async (t) => {
  // HNS writes IDs in upper case (Get-HnsNetwork / hns.v2.psm1 output: "ID : 7A6FDEE8-..."), and so do the
  // simulator's JSON and its error texts; the SDK prints IDs in lower case, so its messages do too.
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9050 }));
  t.teardown(() => lb.delete().then(() => undefined, () => undefined));
  const raw = await fx.hcn.loadBalancers.get(lb.id);
  t.is(raw.info.raw.ID, lb.id.toUpperCase(), 'the simulator\'s JSON has HNS\'s upper case');
  const clash = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9050, backends: [fx.backendIps[0]!] })), { instanceOf: HcnError });
  t.is(clash?.code, 'HCN_E_PORT_ALREADY_EXISTS');
  t.true(clash!.message.includes(lb.id), clash!.message);
  t.false(clash!.message.includes(lb.id.toUpperCase()));
  t.true((clash!.errorRecord?.Error ?? clash!.rawErrorRecord ?? '').includes(lb.id.toUpperCase()), 'what HNS said is kept as it said it');
});

simulatorOnly('access denied: E_ACCESSDENIED says to run elevated', async (t) => {
  const fx = await openFixture(t);
  fx.hcn.simulator!.failNext('HcnCreateLoadBalancer', 0x80070005);
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9006 })), { instanceOf: HcnAccessDeniedError });
  t.is(err?.code, 'E_ACCESSDENIED');
  t.regex(err!.message, /elevated/i);
});

simulatorOnly('feature not supported: DSR on HNS 10.1 is refused before anything reaches HNS', async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.simulator!.setVersion(10, 1);
  const before = fx.hcn.simulator!.stats().calls.HcnCreateLoadBalancer ?? 0;
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9007 })), { instanceOf: HcnFeatureNotSupportedError });
  t.is(err?.feature, 'dsr');
  t.is(err?.minVersion, '10.2');
  t.is(err?.hostVersion, '10.1');
  t.is(err?.field, 'dsr');
  t.is(fx.hcn.simulator!.stats().calls.HcnCreateLoadBalancer ?? 0, before);
});

contract('validation: a bad spec names the field and nothing is sent', async (t) => {
  const fx = await openFixture(t);
  const bad = { ...walkthroughSpec(fx, { port: 9008 }), ports: [{ protocol: 'tcp', external: 70000, internal: 80 }] } as unknown as LoadBalancerSpec;
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(bad), { instanceOf: HcnValidationError });
  t.is(err?.field, 'ports[0].external');
  t.is(err?.rule, 'range');
  const badVip = await t.throwsAsync(fx.hcn.loadBalancers.findByFrontend({ vip: '13.0.0', protocol: 'tcp', port: 80 }), { instanceOf: HcnValidationError });
  t.is(badVip?.field, 'vip');
  // No RemoteSubnetRoute covers it: the node's own address (kube-proxy), or a validation error when the
  // network names none.
  const net = await fx.hcn.networks.get(fx.network.id);
  const nodeAddress = net.providerAddress ?? net.managementIp;
  if (nodeAddress === undefined) {
    const noPa = await t.throwsAsync(fx.hcn.endpoints.createRemote({ network: fx.network.id, ip: '172.31.0.9' }), { instanceOf: HcnValidationError });
    t.is(noPa?.field, 'providerAddress');
  } else {
    const outside = await fx.hcn.endpoints.createRemote({ network: fx.network.id, ip: '172.31.0.9' });
    t.is(outside.providerAddress, nodeAddress);
    t.true(await fx.hcn.endpoints.delete(outside.id));
  }
  t.is(await fx.hcn.loadBalancers.findByFrontend({ vip: fx.vip, protocol: 'tcp', port: 9008 }), undefined);
});

contract('abort before a call: HcnAbortError at once', async (t) => {
  const fx = await openFixture(t);
  const ac = new AbortController();
  ac.abort();
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9009 }), { signal: ac.signal }), { instanceOf: HcnAbortError });
  t.is(err?.name, 'AbortError');
  t.is(await fx.hcn.loadBalancers.findByFrontend({ vip: fx.vip, protocol: 'tcp', port: 9009 }), undefined);
});

simulatorOnly('abort during a call: rejects at once; the HNS call itself still completes', async (t) => {
  const fx = await openFixture(t);
  fx.hcn.simulator!.hang('HcnCreateLoadBalancer');
  const ac = new AbortController();
  const pending = fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9010 }), { signal: ac.signal });
  for (let i = 0; i < 200 && (fx.hcn.simulator!.stats().calls.HcnCreateLoadBalancer ?? 0) === 0; i++) await delay(5);
  ac.abort();
  await t.throwsAsync(pending, { instanceOf: HcnAbortError });
  fx.hcn.simulator!.release();
  await settle(fx.hcn);
  const lb = await fx.hcn.loadBalancers.findByFrontend({ vip: fx.vip, protocol: 'tcp', port: 9010 });
  t.truthy(lb, 'HCN has no cancellation: the create went through');
  t.true(await lb!.delete());
});

simulatorOnly('deadline: the client timeoutMs applies to every call', async (t) => {
  const fx = await openFixture(t, { timeoutMs: 100 });
  fx.hcn.simulator!.hang('HcnEnumerateLoadBalancers');
  await t.throwsAsync(fx.hcn.loadBalancers.list(), { instanceOf: HcnTimeoutError });
  fx.hcn.simulator!.release();
  await settle(fx.hcn);
  t.deepEqual(await fx.hcn.loadBalancers.list(), []);
});
