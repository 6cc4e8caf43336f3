// Contract: the DSR walkthrough end to end (create, read back, list, find, update both ways, delete
// twice), 0xB7 adoption, endpoints and remote endpoints, on whichever backend test/contract/backend.ts picks.
import type { ExecutionContext } from 'ava';
import { HcnNotFoundError, HcnValidationError } from '../../ts/errors';
import { HcnBackendNotFoundError } from '../../ts/load-balancer-handle';
import { LoadBalancer } from '../../ts/builders';
import { planLoadBalancers } from '../../ts/reconcile';
import { BACKEND, contract, openFixture, simulatorOnly, walkthroughSpec, type Fixture } from './backend';

/**
 * The fixture's remote backend IP held twice: by a remote endpoint on the fixture's network and by a
 * local endpoint (`twin`) on a second network named `name`. Teardown removes what a test left.
 */
async function remoteWithTwin(t: ExecutionContext, fx: Fixture, name: string): Promise<{ remote: { id: string }; other: { id: string }; twin: { id: string } }> {
  const remote = await fx.hcn.endpoints.createRemote({ network: fx.network.id, ip: fx.remote.ip });
  t.teardown(() => fx.hcn.endpoints.delete(remote.id).then(() => undefined, () => undefined));
  const base = fx.remote.ip.split('.').slice(0, 3).join('.');
  const other = await fx.hcn.networks.create({
    Name: name,
    Type: 'L2Bridge',
    Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: `${base}.0/24`, Routes: [{ NextHop: `${base}.1`, DestinationPrefix: '0.0.0.0/0' }] }] }],
  });
  const twin = await fx.hcn.endpoints.create(other.id, { IpConfigurations: [{ IpAddress: fx.remote.ip, PrefixLength: 24 }] });
  t.teardown(async () => {
    await fx.hcn.endpoints.delete(twin.id).catch(() => undefined);
    await fx.hcn.networks.delete(other.id).catch(() => undefined);
  });
  return { remote, other, twin };
}

async function endpointIds(fx: Fixture): Promise<string[]> {
  const ids: string[] = [];
  for (const ip of fx.backendIps) ids.push((await fx.hcn.endpoints.findByIp(ip))!.id);
  return ids;
}

contract('walkthrough: the DSR load balancer is created and read back exactly as sent', async (t) => {
  t.log(`backend: ${BACKEND.description}`);
  const fx = await openFixture(t);
  const features = await fx.hcn.features();
  const spec = walkthroughSpec(fx, { features });
  const lb = await fx.hcn.loadBalancers.create(spec);
  const info = await lb.refresh();
  t.true(info.dsr);
  t.is(info.flags & 1, 1);
  t.deepEqual(info.raw.FrontendVIPs, [fx.vip], 'VIP exactly as sent');
  t.is(info.sourceVip, fx.sourceVip);
  t.deepEqual(info.ports.map((p) => [p.protocol, p.external, p.internal]), [['tcp', 8000, 80]]);
  t.deepEqual([...info.backendIds].sort(), (await endpointIds(fx)).sort());
  t.deepEqual(lb.toJSON(), info);

  t.deepEqual((await fx.hcn.loadBalancers.list()).map((h) => h.id).filter((id) => id === lb.id), [lb.id]);
  t.deepEqual((await fx.hcn.loadBalancers.list({ vip: fx.vip, protocol: 'tcp', port: 8000 })).map((h) => h.id), [lb.id]);
  t.is((await fx.hcn.loadBalancers.findByFrontend({ vip: fx.vip, protocol: 'tcp', port: 8000 }))?.id, lb.id);
  t.is(await fx.hcn.loadBalancers.findByFrontend({ vip: fx.vip, protocol: 'udp', port: 8000 }), undefined);
  t.is((await fx.hcn.loadBalancers.get(lb.id)).info.dsr, true);

  t.true(await lb.delete());
  t.false(await lb.delete(), 'already gone is false, not an error');
  t.false(await fx.hcn.loadBalancers.delete(lb.id));
  await t.throwsAsync(fx.hcn.loadBalancers.get(lb.id), { instanceOf: HcnNotFoundError });
  t.is(await fx.hcn.loadBalancers.findByFrontend({ vip: fx.vip, protocol: 'tcp', port: 8000 }), undefined);
});

simulatorOnly('walkthrough: updating backends modifies in place on HNS 15.5', async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.simulator!.setVersion(15, 5);
  const features = await fx.hcn.features();
  t.true(features.supported.modifyLoadBalancer);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { features }));
  const id = lb.id;
  const before = fx.hcn.simulator!.stats().calls;
  await lb.update(walkthroughSpec(fx, { backends: [fx.backendIps[0]] }));
  const after = fx.hcn.simulator!.stats().calls;
  t.is(lb.lastUpdate?.strategy, 'modify');
  t.is(lb.id, id);
  t.is((after.HcnModifyLoadBalancer ?? 0) - (before.HcnModifyLoadBalancer ?? 0), 1);
  t.is(after.HcnCreateLoadBalancer, before.HcnCreateLoadBalancer, 'nothing recreated');
  const info = await lb.refresh();
  t.deepEqual(info.backendIds, [fx.endpoints[0].id]);
  t.true(info.dsr);
  t.true(await lb.delete());
});

simulatorOnly('walkthrough: updating backends replaces the load balancer on HNS 13.2 and the handle follows', async (t) => {
  const fx = await openFixture(t);
  await fx.hcn.simulator!.setVersion(13, 2);
  const features = await fx.hcn.features();
  t.false(features.supported.modifyLoadBalancer);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { features }));
  const oldId = lb.id;
  const before = fx.hcn.simulator!.stats().calls;
  await lb.update(walkthroughSpec(fx, { backends: [fx.backendIps[1]] }));
  const after = fx.hcn.simulator!.stats().calls;
  t.is(lb.lastUpdate?.strategy, 'delete-then-create', 'same frontend: HNS refuses a second one, so the old goes first');
  t.is(lb.lastUpdate?.previousId, oldId);
  t.not(lb.id, oldId);
  t.is(after.HcnModifyLoadBalancer ?? 0, before.HcnModifyLoadBalancer ?? 0, 'modify not attempted');
  await t.throwsAsync(fx.hcn.loadBalancers.get(oldId), { instanceOf: HcnNotFoundError });
  t.deepEqual((await lb.refresh()).backendIds, [fx.endpoints[1].id]);
  // A new frontend can be created before the old one goes: no gap.
  await lb.update(walkthroughSpec(fx, { port: 8080 }));
  t.is(lb.lastUpdate?.strategy, 'create-then-delete');
  t.is((await fx.hcn.simulator!.status()).counts.loadBalancers, 1);
  t.true(await lb.delete());
});

contract('update on this host uses the strategy its features allow', async (t) => {
  const fx = await openFixture(t);
  const features = await fx.hcn.features();
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 8100, features }));
  const updated = await fx.hcn.loadBalancers.update(lb.id, walkthroughSpec(fx, { port: 8100, backends: [fx.backendIps[0]] }));
  const strategy = updated.lastUpdate?.strategy;
  if ((await fx.hcn.features()).supported.modifyLoadBalancer) t.is(strategy, 'modify');
  else t.not(strategy, 'modify');
  t.deepEqual(updated.info.backendIds, [fx.endpoints[0].id]);
  t.true(await updated.delete());
});

simulatorOnly('ERROR_ALREADY_EXISTS after an HNS restart adopts the rehydrated load balancer', async (t) => {
  const fx = await openFixture(t);
  const spec = walkthroughSpec(fx);
  const lb = await fx.hcn.loadBalancers.create(spec);
  await fx.hcn.simulator!.restart({ keepState: true });
  fx.hcn.simulator!.failNext('HcnCreateLoadBalancer', 0x800700b7);
  const again = await fx.hcn.loadBalancers.create(spec);
  t.true(again.adopted);
  t.is(again.id, lb.id);
  t.is((await fx.hcn.simulator!.status()).counts.loadBalancers, 1);
  t.true(await again.delete());
});

contract('await using deletes the load balancer at scope end', async (t) => {
  const fx = await openFixture(t);
  let id: string;
  {
    await using lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 8200 }));
    id = lb.id;
    t.truthy(await fx.hcn.loadBalancers.get(id));
  }
  await t.throwsAsync(fx.hcn.loadBalancers.get(id), { instanceOf: HcnNotFoundError });
});

contract('networks and endpoints: list, get, find, filter', async (t) => {
  const fx = await openFixture(t);
  t.true((await fx.hcn.networks.list()).some((n) => n.id === fx.network.id));
  t.is((await fx.hcn.networks.get(fx.network.id)).name, fx.network.name);
  t.is((await fx.hcn.networks.findByName(fx.network.name))?.id, fx.network.id);
  t.is(await fx.hcn.networks.findByName(`${fx.network.name}-does-not-exist`), undefined);
  const eps = await fx.hcn.endpoints.list({ network: fx.network.name });
  t.true(fx.endpoints.every((e) => eps.some((x) => x.id === e.id)));
  t.true(eps.every((e) => e.networkId === fx.network.id));
  t.deepEqual((await fx.hcn.endpoints.list({ ip: fx.backendIps[1] })).map((e) => e.id), [fx.endpoints[1].id]);
  t.is((await fx.hcn.endpoints.get(fx.endpoints[0].id)).ipAddresses[0], fx.backendIps[0]);
});

contract('remote endpoint the kube-proxy way: Flags 1, 02-11 MAC, provider address from the RemoteSubnetRoute', async (t) => {
  const fx = await openFixture(t);
  const ep = await fx.hcn.endpoints.createRemote({ network: fx.network.name, ip: fx.remote.ip });
  t.true(ep.remote);
  t.is(ep.flags & 1, 1);
  t.is(ep.providerAddress, fx.remote.providerAddress);
  t.is(ep.macAddress?.toLowerCase(), '02-11-' + fx.remote.ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('-'));
  t.deepEqual(ep.ipAddresses, [fx.remote.ip]);
  // A remote endpoint serves as a backend like a local one.
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 8300, backends: [fx.backendIps[0], fx.remote.ip] }));
  t.true(lb.info.backendIds.includes(ep.id));
  t.true(await lb.delete());
  t.true(await fx.hcn.endpoints.delete(ep.id));
  t.false(await fx.hcn.endpoints.delete(ep.id));
});

simulatorOnly('backends given as IPs resolve within one network; an IP on several networks with nothing to decide is refused', async (t) => {
  // kube-proxy only matches endpoints of its own network. Here the remote backend's IP also belongs to a
  // local endpoint of another network (a local one is otherwise preferred).
  const fx = await openFixture(t);
  const { remote, other, twin } = await remoteWithTwin(t, fx, 'hcn-sdk-other-network');
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9020, backends: [fx.backendIps[0], fx.remote.ip] }));
  t.deepEqual(new Set(lb.info.backendIds), new Set([fx.endpoints[0].id, remote.id]), 'the other backends\' network decides');
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(walkthroughSpec(fx, { port: 9021, backends: [fx.remote.ip] })), { instanceOf: HcnValidationError });
  t.is(err?.field, 'backends[0]');
  t.is(err?.rule, 'ambiguous');
  t.regex(err!.message, /several networks/);
  t.true(await lb.delete());
  t.true(await fx.hcn.endpoints.delete(twin.id));
  t.true(await fx.hcn.networks.delete(other.id));
  t.true(await fx.hcn.endpoints.delete(remote.id));
});

simulatorOnly('a backend IP on several networks resolves in the network the spec names (by name or ID), and only there', async (t) => {
  // Two networks hold the same IP; nothing else in the spec settles which one is meant.
  const fx = await openFixture(t);
  const { remote, other, twin } = await remoteWithTwin(t, fx, 'hcn-sdk-named-network');
  const spec = (port: number, network: string | undefined, backends = [fx.remote.ip]) =>
    LoadBalancer.builder().frontend(fx.vip).sourceVip(fx.sourceVip).backends(backends).network(network).port({ protocol: 'tcp', external: port, internal: 80 }).dsr().build();

  const byName = await fx.hcn.loadBalancers.create(spec(9030, 'hcn-sdk-named-network'));
  t.deepEqual(byName.info.backendIds, [twin.id], 'the named network (by name)');
  const byId = await fx.hcn.loadBalancers.create(spec(9031, fx.network.id.toUpperCase()));
  t.deepEqual(byId.info.backendIds, [remote.id], 'the named network (by ID, any case)');
  // The named network wins over the network of the other backends (given by ID: IDs are not looked up).
  const named = await fx.hcn.loadBalancers.create(spec(9032, 'hcn-sdk-named-network', [fx.endpoints[0].id, fx.remote.ip]));
  t.deepEqual(new Set(named.info.backendIds), new Set([fx.endpoints[0].id, twin.id]));
  for (const lb of [byName, byId, named]) t.true(await lb.delete());

  // An IP the named network does not hold is not found, even though another network holds it.
  const missing = await t.throwsAsync(fx.hcn.loadBalancers.create(spec(9033, 'hcn-sdk-named-network', [fx.backendIps[0]!])), { instanceOf: HcnBackendNotFoundError });
  t.is(missing?.field, 'backends[0]');
  t.regex(missing!.message, /network "hcn-sdk-named-network"/);
  // A network HNS does not have is named as such.
  const unknown = await t.throwsAsync(fx.hcn.loadBalancers.create(spec(9034, 'no-such-network')), { instanceOf: HcnNotFoundError });
  t.regex(unknown!.message, /network: no network named "no-such-network"/);
  // The reconcile plan (hcn apply) resolves the same way.
  const plan = await planLoadBalancers(fx.hcn, [spec(9035, 'hcn-sdk-named-network'), spec(9036, undefined)]);
  t.deepEqual(plan.create.map((c) => c.spec.backends), [[{ kind: 'id', id: twin.id }]]);
  t.deepEqual(plan.conflicts.map((c) => [c.index, c.kind, (c.error as HcnValidationError | undefined)?.field, (c.error as HcnValidationError | undefined)?.rule]), [[1, 'invalid', 'backends[0]', 'ambiguous']]);
  t.true(await fx.hcn.endpoints.delete(twin.id));
  t.true(await fx.hcn.networks.delete(other.id));
});
