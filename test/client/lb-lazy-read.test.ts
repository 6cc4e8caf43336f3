// Load balancer documents from create and list are read on first use (issue 8: the client no longer
// parses what nobody reads). What a handle shows must be exactly what parseLoadBalancer gives the
// document HNS holds, and the client must still know each ID's frontend (calls by ID queue on it).
import { inspect } from 'node:util';
import test from 'ava';
import { Hcn } from '../../ts/client';
import { coreOf } from '../../ts/client/core';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import { HcnError } from '../../ts/errors';
import { LoadBalancerDoc } from '../../ts/internal/lb-doc';
import { parseLoadBalancer } from '../../ts/schema/load-balancer-json';

const PODS = ['3F8E6B21-5C7D-4E19-A0B4-0A000000000E', '3F8E6B21-5C7D-4E19-A0B4-0A000000000F'];
const Q = '{"SchemaVersion":{"Major":2,"Minor":0}}';

let hcn: Hcn;
test.before(async () => {
  hcn = await Hcn.open({ backend: 'simulated', statePath: null });
});
test.after.always(async () => {
  await hcn?.close();
});

/** What HNS holds for the ID, read past the client. */
async function stored(id: string) {
  return parseLoadBalancer(await coreOf.get(hcn)!.rawContext.query('loadBalancer', id, Q, 10_000));
}

test.serial('create, list, findByFrontend and get: info, toJSON and inspect are what parseLoadBalancer gives the stored document', async (t) => {
  const spec = LoadBalancer.builder()
    .frontend('fd00:0:0::20')
    .sourceVip('FD00::1:5')
    .backends(PODS)
    .port({ protocol: 'udp', external: 53, internal: 5353, distribution: 'sourceIp' })
    .port({ protocol: 'tcp', external: 8000, internal: 80, useMux: true, preserveDip: true })
    .dsr()
    .build();
  const created = await hcn.loadBalancers.create(spec);
  const want = await stored(created.id);
  const listed = (await hcn.loadBalancers.list()).find((h) => h.id === created.id)!;
  const found = (await hcn.loadBalancers.findByFrontend({ vip: 'fd00::20', protocol: 'tcp', port: 8000 }))!;
  const got = await hcn.loadBalancers.get(created.id.toUpperCase());
  for (const h of [created, listed, found, got]) {
    t.is(h.id, want.id);
    t.deepEqual(h.info, want);
    t.deepEqual(JSON.parse(JSON.stringify(h)), JSON.parse(JSON.stringify(want)));
    t.true(inspect(h).includes(`frontendVips: [ 'fd00::20' ]`), inspect(h));
  }
  t.is(listed.info, listed.info, 'read once, then the same object');
  await created.delete();
});

test.serial('an ID from a create or a listing still queues behind its frontend', async (t) => {
  const spec = LoadBalancer.builder().frontend('14.3.0.1').backends(PODS).port({ protocol: 'tcp', external: 80, internal: 8080 }).dsr().build();
  const h = await hcn.loadBalancers.create(spec);
  const engine = coreOf.get(hcn)!.engine;
  const keys = [`fe:14.3.0.1|6|80`, `id:${h.id}`];
  t.deepEqual(engine.keysOf(h.id), keys);
  await hcn.loadBalancers.list();
  t.deepEqual(engine.keysOf(h.id.toUpperCase()), keys);
  await hcn.loadBalancers.delete(h.id);
  t.deepEqual(engine.keysOf(h.id), [`id:${h.id}`]);
});

test('a document that is not a JSON object still fails where it is read (the ID is read at once)', (t) => {
  for (const bad of ['not json', '[]', 'null']) {
    const err = t.throws(() => new LoadBalancerDoc(bad), { instanceOf: HcnError });
    t.is(err.code, 'HCN_INVALID_RESPONSE');
  }
  t.is(new LoadBalancerDoc('{"Id":"ABC"}').id, 'abc');
  t.is(new LoadBalancerDoc('{}').id, '');
});
