// Contract: features from /globals/version per HNS version (with overrides), the ServiceDisconnect
// event on an HNS restart, the service callback's lifecycle, and the backend reporting itself.
import { BACKEND, contract, nextEvent, openFixture, settleRegistration, simulatorOnly, walkthroughSpec } from './backend';
import { HcnNotificationType, type HcnNotification } from '../../ts/client';

const VERSIONS: Array<[major: number, minor: number, expected: { dsr: boolean; sessionAffinity: boolean; ipv6DualStack: boolean; modifyLoadBalancer: boolean }]> = [
  [9, 2, { dsr: false, sessionAffinity: false, ipv6DualStack: false, modifyLoadBalancer: false }],
  [9, 3, { dsr: true, sessionAffinity: false, ipv6DualStack: false, modifyLoadBalancer: false }],
  [10, 1, { dsr: false, sessionAffinity: false, ipv6DualStack: false, modifyLoadBalancer: false }],
  [10, 2, { dsr: true, sessionAffinity: false, ipv6DualStack: false, modifyLoadBalancer: false }],
  [11, 10, { dsr: true, sessionAffinity: false, ipv6DualStack: true, modifyLoadBalancer: false }],
  [12, 0, { dsr: true, sessionAffinity: true, ipv6DualStack: true, modifyLoadBalancer: false }],
  [13, 2, { dsr: true, sessionAffinity: true, ipv6DualStack: true, modifyLoadBalancer: false }],
  [15, 4, { dsr: true, sessionAffinity: true, ipv6DualStack: true, modifyLoadBalancer: false }],
  [15, 5, { dsr: true, sessionAffinity: true, ipv6DualStack: true, modifyLoadBalancer: true }],
  [16, 0, { dsr: true, sessionAffinity: true, ipv6DualStack: true, modifyLoadBalancer: true }],
];

contract('the client reports its backend and reads the HNS version', async (t) => {
  const fx = await openFixture(t);
  t.is(fx.hcn.backend, BACKEND.backend);
  t.is(fx.hcn.simulator !== undefined, BACKEND.hasSimulator);
  const f = await fx.hcn.features();
  t.truthy(f.version, 'HNS answered GET /globals/version');
  t.true(f.supported.apiV2);
  t.is(f.source.dsr, 'version');
  t.is(await fx.hcn.features(), f, 'cached per client');
});

simulatorOnly('features follow the HNS version (hnslib ranges; modify 15.5+)', async (t) => {
  const fx = await openFixture(t);
  for (const [major, minor, expected] of VERSIONS) {
    await fx.hcn.simulator!.setVersion(major, minor);
    const f = await fx.hcn.features();
    t.deepEqual(f.version, { major, minor });
    const got = {
      dsr: f.supported.dsr,
      sessionAffinity: f.supported.sessionAffinity,
      ipv6DualStack: f.supported.ipv6DualStack,
      modifyLoadBalancer: f.supported.modifyLoadBalancer,
    };
    t.deepEqual(got, expected, `HNS ${major}.${minor}`);
  }
});

simulatorOnly('an override wins over the version, and a fresh client re-reads', async (t) => {
  const fx = await openFixture(t, { features: { dsr: true, modifyLoadBalancer: false } });
  await fx.hcn.simulator!.setVersion(16, 0);
  const f = await fx.hcn.features();
  t.false(f.supported.modifyLoadBalancer);
  t.is(f.source.modifyLoadBalancer, 'override');
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9100 }));
  await lb.update(walkthroughSpec(fx, { port: 9100, backends: [fx.backendIps[0]] }));
  t.not(lb.lastUpdate?.strategy, 'modify', 'modify forced off');
  t.true(await lb.delete());
});

simulatorOnly('HNS restart: serviceDisconnect is emitted and the state is kept', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9101 }));
  const got = nextEvent(fx.hcn, 'serviceDisconnect');
  const all: HcnNotification[] = [];
  fx.hcn.on('notification', (n) => all.push(n));
  // Registered in the background with the first listener; subscribe() waits for it.
  await fx.hcn.subscribe();
  t.is(fx.hcn.simulator!.stats().liveCallbacks, 1, 'registered with the first listener');
  await fx.hcn.simulator!.restart({ keepState: true });
  const n = await got;
  t.is(n.type, HcnNotificationType.ServiceDisconnect);
  t.true(all.some((x) => x.type === HcnNotificationType.ServiceDisconnect));
  t.is((await fx.hcn.loadBalancers.get(lb.id)).id, lb.id, 'keepState: the load balancer survived');
  fx.hcn.removeAllListeners('notification');
  await settleRegistration(fx.hcn, 0);
  t.is(fx.hcn.simulator!.stats().liveCallbacks, 0, 'unregistered (in the background) with the last listener');
  t.true(await lb.delete());
});

simulatorOnly('HNS restart without state: the load balancer is gone and the client says so', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9102 }));
  const got = nextEvent(fx.hcn, 'serviceDisconnect');
  await fx.hcn.subscribe();
  await fx.hcn.simulator!.restart({ keepState: false });
  await got;
  t.false(await lb.delete());
  t.is((await fx.hcn.simulator!.status()).counts.loadBalancers, 0);
});
