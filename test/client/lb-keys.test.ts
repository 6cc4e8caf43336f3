// The client remembers the frontend of each load balancer it has seen (so calls by ID queue behind
// the right frontend). Load balancers deleted by someone else must not stay remembered for good:
// a full listing forgets IDs that are gone, and so does a get that finds nothing.
import test from 'ava';
import { Hcn } from '../../ts/client';
import { coreOf } from '../../ts/client/core';
import { HcnNotFoundError } from '../../ts/errors';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';

const PODS = ['3F8E6B21-5C7D-4E19-A0B4-0A000000000E', '3F8E6B21-5C7D-4E19-A0B4-0A000000000F'];
const spec = (i: number) =>
  LoadBalancer.builder()
    .frontend(`14.2.${i >> 8}.${i & 255}`)
    .backends(PODS)
    .port({ protocol: 'tcp', external: 80, internal: 8080 })
    .dsr()
    .build();

let hcn: Hcn;

/** Someone else: raw native calls on the client's simulated HNS, past the client's bookkeeping. */
const other = {
  loadBalancers: {
    create: async (s: ReturnType<typeof spec>) => {
      const settings = JSON.stringify({
        HostComputeEndpoints: PODS,
        FrontendVIPs: [...s.frontendVips],
        PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }],
        SchemaVersion: { Major: 2, Minor: 0 },
        Flags: 1,
      });
      const props = await coreOf.get(hcn)!.rawContext.create('loadBalancer', null, settings, Q, 10_000);
      return { id: (JSON.parse(props) as { ID: string }).ID };
    },
    delete: (id: string) => coreOf.get(hcn)!.rawContext.remove('loadBalancer', id, 10_000),
  },
};
const Q = '{"SchemaVersion":{"Major":2,"Minor":0}}';

test.before(async () => {
  hcn = await Hcn.open({ backend: 'simulated' });
});

test.after.always(async () => {
  await hcn?.close();
});

const known = (): number => coreOf.get(hcn)!.knownLoadBalancers;

test.serial('load balancers deleted by another client are forgotten at the next listing', async (t) => {
  let next = 0;
  for (let cycle = 0; cycle < 5; cycle++) {
    const ids = await Promise.all(Array.from({ length: 40 }, () => other.loadBalancers.create(spec(next++)).then((h) => h.id)));
    t.is((await hcn.loadBalancers.list()).length, 40);
    t.is(known(), 40, `cycle ${cycle}: remembered after the listing`);
    await Promise.all(ids.slice(0, 30).map((id) => other.loadBalancers.delete(id)));
    t.is((await hcn.loadBalancers.list()).length, 10);
    t.is(known(), 10, `cycle ${cycle}: the 30 deleted elsewhere are forgotten`);
    await Promise.all(ids.slice(30).map((id) => other.loadBalancers.delete(id)));
    t.is(await hcn.loadBalancers.findByFrontend({ vip: '14.2.0.1', protocol: 'tcp', port: 80 }), undefined);
    t.is(known(), 0, `cycle ${cycle}: nothing is left after ${next} created and deleted elsewhere`);
  }
});

test.serial('a get that finds nothing forgets the ID; what this client deletes is forgotten too', async (t) => {
  const a = await other.loadBalancers.create(spec(1000));
  const b = await hcn.loadBalancers.create(spec(1001));
  await hcn.loadBalancers.get(a.id);
  t.is(known(), 2);
  await other.loadBalancers.delete(a.id);
  await t.throwsAsync(hcn.loadBalancers.get(a.id), { instanceOf: HcnNotFoundError });
  t.is(known(), 1);
  t.true(await hcn.loadBalancers.delete(b.id));
  t.is(known(), 0);
});
