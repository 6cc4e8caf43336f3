// Hcn client logic against a fake binding: open options, abort and deadlines, per-frontend
// serialisation, features (cache, overrides, probes), backend resolution, 0xB7 adoption, remote
// endpoints, events and close.
import test from 'ava';
import { inspect } from 'node:util';
import {
  HcnAbortError,
  HcnAlreadyExistsError,
  HcnError,
  HcnNotFoundError,
  HcnPortInUseError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnValidationError,
} from '../../ts/errors';
import { HcnBackendNotFoundError } from '../../ts/load-balancer-handle';
import { HcnNotificationType, type HcnNotification } from '../../ts/client';
import { EP14, EP15, HR, NETWORK_ID } from './fake-binding';
import { open, walkthrough } from './helpers';

test('open: statePath needs a backend with simulator control', async (t) => {
  const err = await t.throwsAsync(open({ statePath: 'state.json' }, { hasSimControl: false }), { instanceOf: HcnValidationError });
  t.is(err?.field, 'statePath');
  const { hcn } = await open({ statePath: 'state.json' });
  t.truthy(hcn.simulator);
  t.is(hcn.backend, 'simulated');
  await hcn.close();
});

test('open: bad timeoutMs and threads are RangeErrors', async (t) => {
  await t.throwsAsync(open({ timeoutMs: 0 }), { instanceOf: RangeError });
  await t.throwsAsync(open({ threads: 65 }), { instanceOf: RangeError });
});

test('an already aborted signal rejects with HcnAbortError and sends nothing', async (t) => {
  const { hns, hcn } = await open();
  const ac = new AbortController();
  ac.abort();
  const err = await t.throwsAsync(hcn.loadBalancers.list({ signal: ac.signal }), { instanceOf: HcnAbortError });
  t.is(err?.name, 'AbortError');
  t.is(err?.code, 'HCN_ABORTED');
  t.deepEqual(hns.opsCalled(), []);
  await hcn.close();
});

test('aborting during a call rejects at once while the native call is still running', async (t) => {
  const { hns, hcn } = await open();
  hns.holdOps.add('HcnEnumerateNetworks');
  const ac = new AbortController();
  const pending = hcn.networks.list({ signal: ac.signal });
  await hns.waitHeld(1);
  ac.abort();
  await t.throwsAsync(pending, { instanceOf: HcnAbortError });
  t.is(hns.held.length, 1, 'the native call is still held: HCN calls cannot be cancelled');
  hns.releaseHeld();
  t.is((await hcn.networks.list()).length, 1);
  await hcn.close();
});

test('a call past its deadline rejects with HcnTimeoutError', async (t) => {
  const { hns, hcn } = await open();
  hns.holdOps.add('HcnQueryLoadBalancerProperties');
  const err = await t.throwsAsync(hcn.loadBalancers.get('6c1f8a2e-0c1b-4c55-9f2a-0000000000aa', { timeoutMs: 20 }), {
    instanceOf: HcnTimeoutError,
  });
  t.is(err?.code, 'HCN_TIMEOUT');
  hns.releaseHeld();
  await hcn.close();
});

test('the deadline covers the wait behind another call on the same frontend; nothing is sent', async (t) => {
  const { hns, hcn } = await open();
  await hcn.features();
  hns.holdOps.add('HcnCreateLoadBalancer');
  const first = hcn.loadBalancers.create(walkthrough());
  await hns.waitHeld(1);
  await t.throwsAsync(hcn.loadBalancers.create(walkthrough(), { timeoutMs: 20 }), { instanceOf: HcnTimeoutError });
  t.is(hns.opsCalled('HcnCreateLoadBalancer').length, 1);
  hns.releaseHeld();
  const lb = await first;
  t.true(await lb.delete());
  await hcn.close();
});

test('operations on one frontend run one after another, in call order', async (t) => {
  const { hns, hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough());
  hns.calls = [];
  hns.holdOps.add('HcnDeleteLoadBalancer');
  // Re-creating a service: delete then create, issued without waiting (kube-proxy's race, pain 17).
  const deleting = lb.delete();
  const creating = hcn.loadBalancers.create(walkthrough());
  await hns.waitHeld(1);
  // Let the create get as far as it can while the delete is held.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.deepEqual(hns.opsCalled('HcnCreate'), [], 'create waits for the delete on the same frontend');
  hns.releaseHeld();
  t.true(await deleting);
  const again = await creating;
  t.deepEqual(hns.opsCalled('HcnDelete').concat(hns.opsCalled('HcnCreate')), ['HcnDeleteLoadBalancer', 'HcnCreateLoadBalancer']);
  t.true(hns.opsCalled().indexOf('HcnDeleteLoadBalancer') < hns.opsCalled().indexOf('HcnCreateLoadBalancer'));
  t.true(await again.delete());
  await hcn.close();
});

test('operations on different frontends run concurrently', async (t) => {
  const { hns, hcn } = await open();
  await hcn.features();
  hns.holdOps.add('HcnCreateLoadBalancer');
  const a = hcn.loadBalancers.create(walkthrough(8000));
  const b = hcn.loadBalancers.create(walkthrough(8001));
  await hns.waitHeld(2);
  t.is(hns.held.length, 2);
  hns.releaseHeld();
  const [la, lb] = await Promise.all([a, b]);
  t.not(la.id, lb.id);
  await la.delete();
  await lb.delete();
  await hcn.close();
});

test('a second create on the same frontend gets HcnPortInUseError after the first finished', async (t) => {
  const { hcn } = await open();
  const [first, second] = await Promise.allSettled([hcn.loadBalancers.create(walkthrough()), hcn.loadBalancers.create(walkthrough())]);
  t.is(first.status, 'fulfilled');
  t.is(second.status, 'rejected');
  t.true((second as PromiseRejectedResult).reason instanceof HcnPortInUseError);
  await hcn.close();
});

test('features: read once per client, overrides win, refresh re-reads', async (t) => {
  const { hns, hcn } = await open({ features: { dsr: false } });
  const [a, b] = await Promise.all([hcn.features(), hcn.features()]);
  t.is(a, b);
  t.deepEqual(a.version, { major: 13, minor: 2 });
  t.false(a.supported.dsr);
  t.is(a.source.dsr, 'override');
  t.false(a.supported.modifyLoadBalancer);
  t.is(hns.opsCalled('HNSCall').length, 1);
  hns.version = { Major: 15, Minor: 5 };
  t.false((await hcn.features()).supported.modifyLoadBalancer, 'cached');
  const fresh = await hcn.features({ refresh: true });
  t.true(fresh.supported.modifyLoadBalancer);
  t.is(hns.opsCalled('HNSCall').length, 2);
  await hcn.close();
});

test('features: an override refuses DSR before anything reaches HNS', async (t) => {
  const { hns, hcn } = await open({ features: { dsr: false } });
  const err = await t.throwsAsync(hcn.loadBalancers.create(walkthrough()), { instanceOf: HcnValidationError });
  t.is(err?.code, 'HCN_FEATURE_NOT_SUPPORTED');
  t.deepEqual(hns.opsCalled('HcnCreate'), []);
  await hcn.close();
});

test('simulator setVersion drops the cached features', async (t) => {
  const { hcn } = await open();
  t.false((await hcn.features()).supported.modifyLoadBalancer);
  await hcn.simulator!.setVersion(15, 5);
  t.true((await hcn.features()).supported.modifyLoadBalancer);
  await hcn.close();
});

test('features: a timeout reading the version is thrown, not cached as "no features"', async (t) => {
  const { hns, hcn } = await open();
  hns.holdOps.add('HNSCall');
  await t.throwsAsync(hcn.features({ timeoutMs: 20 }), { instanceOf: HcnTimeoutError });
  hns.releaseHeld();
  // The shared read has its own (client) deadline, so it completes once released.
  const f = await hcn.features();
  t.deepEqual(f.version, { major: 13, minor: 2 });
  t.true(f.supported.dsr);
  await hcn.close();
});

test('backends given as IPs resolve to endpoint IDs; IDs pass as they are', async (t) => {
  const { hns, hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough(8000, ['10.0.0.14', EP15.toUpperCase()]));
  t.deepEqual([...lb.info.backendIds].sort(), [EP14, EP15].sort());
  const sent = JSON.parse(hns.calls.find((c) => c.op === 'HcnCreateLoadBalancer')!.settings!) as { HostComputeEndpoints: string[] };
  t.deepEqual(sent.HostComputeEndpoints, [EP14, EP15]);
  await lb.delete();
  await hcn.close();
});

test('an unknown backend IP is HcnNotFoundError naming the IP and backends[i]', async (t) => {
  const { hns, hcn } = await open();
  const err = await t.throwsAsync(hcn.loadBalancers.create(walkthrough(8000, ['10.0.0.14', '10.0.0.99'])), {
    instanceOf: HcnBackendNotFoundError,
  });
  t.true(err instanceof HcnNotFoundError);
  t.is(err?.field, 'backends[1]');
  t.is(err?.ip, '10.0.0.99');
  t.regex(err!.message, /10\.0\.0\.99/);
  t.deepEqual(hns.opsCalled('HcnCreate'), []);
  await hcn.close();
});

test('ERROR_ALREADY_EXISTS at create adopts an identical load balancer on the frontend', async (t) => {
  const { hns, hcn } = await open();
  const existing = await hcn.loadBalancers.create(walkthrough());
  hns.failNext('HcnCreateLoadBalancer', HR.alreadyExists);
  const adopted = await hcn.loadBalancers.create(walkthrough());
  t.true(adopted.adopted);
  t.is(adopted.id, existing.id);
  t.is(hns.loadBalancers.size, 1);
  hns.failNext('HcnCreateLoadBalancer', HR.alreadyExists);
  await t.throwsAsync(hcn.loadBalancers.create(walkthrough(8000, ['10.0.0.14'])), { instanceOf: HcnAlreadyExistsError });
  await existing.delete();
  await hcn.close();
});

test('delete is idempotent; unavailable HNS and timeouts throw instead of reporting "gone"', async (t) => {
  const { hns, hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough());
  hns.failNext('HcnDeleteLoadBalancer', HR.managerStopped);
  await t.throwsAsync(lb.delete(), { instanceOf: HcnServiceUnavailableError });
  hns.holdOps.add('HcnDeleteLoadBalancer');
  await t.throwsAsync(hcn.loadBalancers.delete(lb.id, { timeoutMs: 20 }), { instanceOf: HcnTimeoutError });
  hns.releaseHeld();
  t.is(hns.loadBalancers.size, 0, 'the held delete completed in HNS after the caller gave up');
  t.false(await lb.delete());
  t.false(await hcn.loadBalancers.delete(lb.id));
  await hcn.close();
});

test('await using deletes the load balancer at scope end', async (t) => {
  const { hns, hcn } = await open();
  {
    await using lb = await hcn.loadBalancers.create(walkthrough());
    t.is(hns.loadBalancers.size, 1);
    t.true(lb.info.dsr);
  }
  t.is(hns.loadBalancers.size, 0);
  await hcn.close();
});

test('list and findByFrontend filter by VIP, protocol and port', async (t) => {
  const { hcn } = await open();
  const a = await hcn.loadBalancers.create(walkthrough(8000));
  const b = await hcn.loadBalancers.create(walkthrough(9000));
  t.is((await hcn.loadBalancers.list()).length, 2);
  t.deepEqual((await hcn.loadBalancers.list({ port: 9000 })).map((h) => h.id), [b.id]);
  t.is((await hcn.loadBalancers.list({ vip: '13.0.0.14' })).length, 0);
  t.is((await hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'tcp', port: 8000 }))?.id, a.id);
  t.is(await hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'udp', port: 8000 }), undefined);
  await t.throwsAsync(hcn.loadBalancers.findByFrontend({ vip: 'nope', protocol: 'tcp', port: 8000 }), { instanceOf: HcnValidationError });
  await a.delete();
  await b.delete();
  await hcn.close();
});

test('networks and endpoints: list, get, find, filters', async (t) => {
  const { hns, hcn } = await open();
  t.is((await hcn.networks.findByName('vxlan0'))?.id, NETWORK_ID);
  t.is(await hcn.networks.findByName('nope'), undefined);
  t.is((await hcn.networks.get(NETWORK_ID)).type, 'Overlay');
  await t.throwsAsync(hcn.networks.get('6c1f8a2e-0c1b-4c55-9f2a-0000000000ff'), { instanceOf: HcnNotFoundError });
  await t.throwsAsync(hcn.networks.get('not-a-guid'), { instanceOf: HcnValidationError });
  t.is((await hcn.endpoints.list({ network: 'vxlan0' })).length, 2);
  const listQuery = hns.calls.filter((c) => c.op === 'HcnEnumerateEndpoints').at(-1)!.query!;
  t.deepEqual(JSON.parse((JSON.parse(listQuery) as { Filter: string }).Filter), { VirtualNetwork: NETWORK_ID }, 'server-side filter: hcsshim ListEndpointsOfNetwork\'s key');
  t.deepEqual((await hcn.endpoints.list({ ip: '10.0.0.15' })).map((e) => e.id), [EP15]);
  await t.throwsAsync(hcn.endpoints.list({ network: 'nope' }), { instanceOf: HcnNotFoundError });
  t.is((await hcn.endpoints.findByIp('10.0.0.14'))?.id, EP14);
  t.is(await hcn.endpoints.findByIp('10.0.0.99'), undefined);
  await hcn.close();
});

test('createRemote: kube-proxy shape, PA from the RemoteSubnetRoute, explicit, or else the node IP', async (t) => {
  const { hns, hcn } = await open();
  const ep = await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.1.7' });
  t.true(ep.remote);
  t.is(ep.flags, 1);
  t.is(ep.macAddress, '02-11-0a-00-01-07');
  t.is(ep.providerAddress, '10.231.111.98');
  t.is(ep.networkId, NETWORK_ID);
  const explicit = await hcn.endpoints.createRemote({ network: NETWORK_ID, ip: '10.0.2.7', providerAddress: '10.231.111.99' });
  t.is(explicit.providerAddress, '10.231.111.99');
  // No RemoteSubnetRoute covers it: kube-proxy "assumes it is a public IP" and uses the node's own IP.
  const outside = await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.9.7' });
  t.is(outside.providerAddress, '10.231.111.97');
  t.is(hns.endpoints.size, 5);
  t.true(await hcn.endpoints.delete(ep.id));
  t.false(await hcn.endpoints.delete(ep.id));
  await hcn.close();
});

test('createRemote given the network ID and a PA sends only HcnCreateEndpoint (no network query)', async (t) => {
  const { hns, hcn } = await open();
  const before = hns.opsCalled().length;
  const ep = await hcn.endpoints.createRemote({ network: NETWORK_ID.toUpperCase(), ip: '10.0.2.8', providerAddress: '10.231.111.99' });
  t.deepEqual(hns.opsCalled().slice(before), ['HcnCreateEndpoint']);
  t.is(ep.networkId, NETWORK_ID);
  t.is(ep.providerAddress, '10.231.111.99');
  t.is(ep.macAddress, '02-11-0a-00-02-08');
  // An unknown network ID still fails as not found, now from the create itself.
  await t.throwsAsync(hcn.endpoints.createRemote({ network: '6c1a3b9e-0f44-4a3d-9e2b-1d7f5a0c0bad', ip: '10.0.2.9', providerAddress: '10.231.111.99' }), {
    instanceOf: HcnNotFoundError,
  });
  // Without a PA the network is still read (its RemoteSubnetRoute gives the PA).
  const mark = hns.opsCalled().length;
  await hcn.endpoints.createRemote({ network: NETWORK_ID, ip: '10.0.1.9' });
  t.deepEqual(hns.opsCalled().slice(mark), ['HcnQueryNetworkProperties', 'HcnCreateEndpoint']);
  await hcn.close();
});

/** Lets the client's background registration steps run (the fake binding answers at once). */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('service callback: subscribed with the first listener, unsubscribed with the last', async (t) => {
  const { hns, hcn } = await open();
  t.is(hns.subscribeCount, 0);
  const seen: string[] = [];
  const onDisconnect = (n: HcnNotification) => seen.push(`disconnect:${n.type.toString(16)}`);
  const onAny = (n: HcnNotification) => seen.push(`notification:${n.type.toString(16)}`);
  hcn.on('serviceDisconnect', onDisconnect);
  hcn.on('notification', onAny);
  await hcn.subscribe();
  t.is(hns.subscribeCount, 1);
  hns.notify(HcnNotificationType.NetworkCreate, 0, '{}');
  hns.notify(HcnNotificationType.ServiceDisconnect);
  t.deepEqual(seen, ['notification:2', 'disconnect:1000000', 'notification:1000000']);
  hcn.off('serviceDisconnect', onDisconnect);
  await flush();
  t.is(hns.unsubscribeCount, 0);
  hcn.off('notification', onAny);
  await flush();
  t.is(hns.unsubscribeCount, 1);
  hcn.once('serviceDisconnect', () => seen.push('once'));
  await hcn.subscribe();
  t.is(hns.subscribeCount, 2);
  hns.notify(HcnNotificationType.ServiceDisconnect);
  t.is(seen.at(-1), 'once');
  await flush();
  t.is(hns.unsubscribeCount, 2, 'a once listener unsubscribes after it fired');
  hcn.on('serviceDisconnect', () => undefined);
  await hcn.subscribe();
  await hcn.close();
  t.is(hns.unsubscribeCount, 3, 'close unsubscribes');
});

test('subscribe() without a listener is refused; unsubscribe() removes the listeners and unregisters', async (t) => {
  const { hns, hcn } = await open();
  const err = await t.throwsAsync(hcn.subscribe(), { instanceOf: HcnValidationError });
  t.is(err?.field, 'listeners');
  t.is(hns.subscribeCount, 0);
  hcn.on('notification', () => undefined);
  hcn.on('serviceDisconnect', () => undefined);
  await hcn.subscribe();
  t.is(hns.subscribeCount, 1);
  await hcn.unsubscribe();
  t.is(hcn.listenerCount('notification') + hcn.listenerCount('serviceDisconnect'), 0);
  t.is(hns.unsubscribeCount, 1);
  await hcn.unsubscribe(); // nothing registered: at once
  t.is(hns.unsubscribeCount, 1);
  await hcn.close();
});

test('removeAllListeners() unregisters the callback and later listeners register it again', async (t) => {
  const { hns, hcn } = await open();
  hcn.on('notification', () => undefined);
  await hcn.subscribe();
  t.is(hns.subscribeCount, 1);
  hcn.removeAllListeners();
  await flush();
  t.is(hns.unsubscribeCount, 1);
  let got = 0;
  hcn.on('serviceDisconnect', () => got++);
  await hcn.subscribe();
  t.is(hns.subscribeCount, 2);
  hns.notify(HcnNotificationType.ServiceDisconnect);
  t.is(got, 1);
  await hcn.close();
});

test('ServiceDisconnect drops the cached features', async (t) => {
  const { hns, hcn } = await open();
  hcn.on('serviceDisconnect', () => undefined);
  await hcn.subscribe();
  t.false((await hcn.features()).supported.modifyLoadBalancer);
  hns.version = { Major: 16, Minor: 0 };
  hns.notify(HcnNotificationType.ServiceDisconnect);
  t.true((await hcn.features()).supported.modifyLoadBalancer);
  await hcn.close();
});

test('after close every call rejects with HCN_CLOSED', async (t) => {
  const { hcn } = await open();
  await hcn.close();
  await hcn.close();
  const err = await t.throwsAsync(hcn.networks.list(), { instanceOf: HcnError });
  t.is(err?.code, 'HCN_CLOSED');
  await t.throwsAsync(hcn.simulator!.status(), { instanceOf: HcnError });
});

test('console.log of a load balancer handle shows what HNS holds, not an empty object', async (t) => {
  const { hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough());
  const shown = inspect(lb);
  t.regex(shown, /^LoadBalancerHandle \{/);
  t.true(shown.includes(lb.id));
  t.true(shown.includes("'13.0.0.13'"));
  t.regex(shown, /dsr: true/);
  t.false(shown.includes('raw'), 'the raw HNS document is left out');
  await lb.delete();
  t.regex(inspect(lb), /deleted: true/);
  await hcn.close();
});
