// LoadBalancerHandle.update strategies against a fake binding: modify in place, E_NOTIMPL probe,
// read-back mismatch, create-then-delete, delete-then-create (with restore when the create fails),
// and a third party's port collision left alone.
import test from 'ava';
import { HcnError, HcnPortInUseError } from '../../ts/errors';
import { EP14, EP15, HR } from './fake-binding';
import { open, walkthrough } from './helpers';
import { LoadBalancer } from '../../ts/builders';

test('modify in place when the host has it (15.5): same ID, one HcnModifyLoadBalancer with the full document', async (t) => {
  const { hns, hcn } = await open();
  hns.version = { Major: 15, Minor: 5 };
  const lb = await hcn.loadBalancers.create(walkthrough());
  const id = lb.id;
  await lb.update(walkthrough(8000, ['10.0.0.14']));
  t.is(lb.id, id);
  t.deepEqual(lb.lastUpdate, { strategy: 'modify', previousId: id, id });
  t.deepEqual(lb.info.backendIds, [EP14]);
  const modify = hns.calls.find((c) => c.op === 'HcnModifyLoadBalancer')!;
  const doc = JSON.parse(modify.settings!) as Record<string, unknown>;
  t.is(doc.ID, id);
  t.deepEqual(doc.FrontendVIPs, ['13.0.0.13']);
  t.is(doc.Flags, 1);
  t.deepEqual(doc.HostComputeEndpoints, [EP14]);
  t.deepEqual(hns.opsCalled('HcnDelete'), []);
  await lb.delete();
  await hcn.close();
});

test('without modify (13.2) and the same frontend: delete-then-create, the handle follows the new ID', async (t) => {
  const { hns, hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough());
  const oldId = lb.id;
  hns.calls = [];
  await lb.update(walkthrough(8000, ['10.0.0.15']));
  t.not(lb.id, oldId);
  t.is(lb.lastUpdate?.strategy, 'delete-then-create');
  t.is(lb.lastUpdate?.previousId, oldId);
  t.is(lb.lastUpdate?.reason, 'feature');
  t.deepEqual(hns.opsCalled('HcnModify'), [], 'modify is not tried on a host without it');
  t.deepEqual([...hns.loadBalancers.keys()], [lb.id]);
  t.deepEqual(lb.info.backendIds, [EP15]);
  await lb.delete();
  await hcn.close();
});

test('without modify and a new frontend: create-then-delete (no gap)', async (t) => {
  const { hns, hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough(8000));
  const oldId = lb.id;
  hns.calls = [];
  await lb.update(walkthrough(8080));
  t.is(lb.lastUpdate?.strategy, 'create-then-delete');
  t.deepEqual(hns.opsCalled().filter((op) => op !== 'HcnEnumerateEndpoints'), ['HcnCreateLoadBalancer', 'HcnDeleteLoadBalancer']);
  t.false(hns.loadBalancers.has(oldId));
  t.is(lb.info.ports[0]?.external, 8080);
  await lb.delete();
  await hcn.close();
});

test('E_NOTIMPL from modify turns modify off for the client (source probe) and falls back', async (t) => {
  const { hns, hcn } = await open();
  hns.version = { Major: 15, Minor: 5 };
  hns.modifySupported = false;
  const lb = await hcn.loadBalancers.create(walkthrough());
  await lb.update(walkthrough(8000, ['10.0.0.14']));
  t.is(lb.lastUpdate?.strategy, 'delete-then-create');
  t.is(lb.lastUpdate?.reason, 'E_NOTIMPL');
  const f = await hcn.features();
  t.false(f.supported.modifyLoadBalancer);
  t.is(f.source.modifyLoadBalancer, 'probe');
  hns.calls = [];
  await lb.update(walkthrough(8000, ['10.0.0.15']));
  t.deepEqual(hns.opsCalled('HcnModify'), [], 'not tried again');
  t.is(lb.lastUpdate?.reason, 'feature');
  await lb.delete();
  await hcn.close();
});

test('a modify that HNS accepted but did not apply (15.4-style) is caught by the read-back', async (t) => {
  const { hns, hcn } = await open({ features: undefined });
  hns.version = { Major: 15, Minor: 5 };
  hns.modifyIgnoresBackends = true;
  const lb = await hcn.loadBalancers.create(walkthrough());
  await lb.update(walkthrough(8000, ['10.0.0.14']));
  t.is(lb.lastUpdate?.reason, 'read-back-mismatch');
  t.is(lb.lastUpdate?.strategy, 'delete-then-create');
  t.deepEqual(lb.info.backendIds, [EP14]);
  t.false((await hcn.features()).supported.modifyLoadBalancer);
  await lb.delete();
  await hcn.close();
});

test('a read-back without the undocumented VipExternalIP bit (16) still counts as a modify; documented flags must match', async (t) => {
  // VipExternalIP (16) is kube-proxy's, in no HNS schema: if HNS leaves it out of the read-back, every
  // later update must not become a replace with a traffic gap.
  const { hns, hcn } = await open({ features: undefined });
  hns.version = { Major: 15, Minor: 5 };
  hns.modifyDropsPortFlags = 16;
  const spec = (backends: string[]) =>
    LoadBalancer.builder().frontend('13.0.0.13').backends(backends).port({ protocol: 'tcp', external: 8000, internal: 80, vipExternalIp: true, useMux: true }).dsr().build();
  const lb = await hcn.loadBalancers.create(spec(['10.0.0.14', '10.0.0.15']));
  const id = lb.id;
  await lb.update(spec(['10.0.0.14']));
  t.is(lb.lastUpdate?.strategy, 'modify');
  t.is(lb.id, id);
  t.true((await hcn.features()).supported.modifyLoadBalancer);
  // A documented bit (UseMux 4) dropped is a mismatch.
  hns.modifyDropsPortFlags = 4;
  await lb.update(spec(['10.0.0.15']));
  t.is(lb.lastUpdate?.reason, 'read-back-mismatch');
  t.false((await hcn.features()).supported.modifyLoadBalancer);
  await lb.delete();
  await hcn.close();
});

test('delete-then-create whose create fails puts the old load balancer back and throws', async (t) => {
  const { hns, hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough());
  const before = lb.info;
  hns.failNext('HcnCreateLoadBalancer', HR.portExists);
  hns.failNext('HcnCreateLoadBalancer', 0x80004005);
  const err = await t.throwsAsync(lb.update(walkthrough(8000, ['10.0.0.15'])), { instanceOf: HcnError });
  t.is(err?.code, 'E_FAIL');
  t.is(hns.loadBalancers.size, 1);
  t.true(hns.loadBalancers.has(lb.id), 'the handle follows the restored load balancer');
  t.deepEqual([...lb.info.backendIds].sort(), [...before.backendIds].sort());
  await lb.delete();
  await hcn.close();
});

test("a collision with another load balancer's frontend is not resolved by deleting ours", async (t) => {
  const { hns, hcn } = await open();
  const ours = await hcn.loadBalancers.create(walkthrough(8000));
  const theirs = await hcn.loadBalancers.create(walkthrough(9000));
  await t.throwsAsync(ours.update(walkthrough(9000)), { instanceOf: HcnPortInUseError });
  t.true(hns.loadBalancers.has(ours.id));
  t.is(ours.lastUpdate, undefined);
  await ours.delete();
  await theirs.delete();
  await hcn.close();
});

test('loadBalancers.update by ID returns the handle that follows the new ID', async (t) => {
  const { hcn } = await open();
  const lb = await hcn.loadBalancers.create(walkthrough());
  const updated = await hcn.loadBalancers.update(lb.id, walkthrough(8000, ['10.0.0.14']));
  t.not(updated.id, lb.id);
  t.is(updated.lastUpdate?.previousId, lb.id);
  t.false(await hcn.loadBalancers.delete(lb.id));
  t.true(await hcn.loadBalancers.delete(updated.id));
  await hcn.close();
});
