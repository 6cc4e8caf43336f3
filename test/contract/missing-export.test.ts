// Contract: a host whose computenetwork.dll lacks HcnModifyLoadBalancer although its version says
// in-place modify exists. `lb.update` must still work (replace instead of modify) and the client's
// features must say modify is off because a probe found out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND, openFixture, simulatorOnly, walkthroughSpec } from './backend';
import { Hcn } from '../../ts/client';

simulatorOnly('missing HcnModifyLoadBalancer export: update falls back to create-then-delete, modify off by probe', async (t) => {
  // Two clients on one simulated HNS: they share it through a state file (in-memory clients are isolated).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-missing-export-'));
  const statePath = path.join(dir, 'hns.json');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  const fx = await openFixture(t, { statePath });
  await fx.hcn.simulator!.setVersion(15, 5);
  await fx.hcn.simulator!.control({ op: 'removeExport', name: 'HcnModifyLoadBalancer' });
  // The function table is fixed when a client opens: only a client opened now lacks the export.
  const hcn = await Hcn.open({ backend: BACKEND.backend, statePath });
  t.teardown(() => hcn.close());
  // Runs first (teardowns run last-registered first): under the simulator DLL the process's one
  // simulated HNS keeps the state file open, and Windows cannot remove an open file.
  t.teardown(() => fx.hcn.simulator!.configure(null));

  const features = await hcn.features();
  t.true(features.supported.modifyLoadBalancer, 'HNS 15.5: the version table says modify exists');
  t.is(features.source.modifyLoadBalancer, 'version');

  const lb = await hcn.loadBalancers.create(walkthroughSpec(fx, { features }));
  const oldId = lb.id;
  const before = fx.hcn.simulator!.stats().calls;
  await lb.update(walkthroughSpec(fx, { port: 8080, backends: [fx.backendIps[0]] }));
  const after = fx.hcn.simulator!.stats().calls;

  t.is(lb.lastUpdate?.strategy, 'create-then-delete');
  // The embedded simulator's table has a null pointer (the bridge refuses: HCN_NOT_AVAILABLE); the
  // simulator DLL keeps its export, which then answers E_NOTIMPL.
  t.is(lb.lastUpdate?.reason, BACKEND.backend === 'simulated' ? 'not-available' : 'E_NOTIMPL');
  t.is(lb.lastUpdate?.previousId, oldId);
  t.not(lb.id, oldId);
  if (BACKEND.backend === 'simulated') t.is(after.HcnModifyLoadBalancer ?? 0, before.HcnModifyLoadBalancer ?? 0, 'nothing sent to modify');
  t.is((after.HcnCreateLoadBalancer ?? 0) - (before.HcnCreateLoadBalancer ?? 0), 1);
  t.is((after.HcnDeleteLoadBalancer ?? 0) - (before.HcnDeleteLoadBalancer ?? 0), 1);
  t.deepEqual((await lb.refresh()).backendIds, [fx.endpoints[0].id]);
  t.is((await fx.hcn.simulator!.status()).counts.loadBalancers, 1);

  const probed = await hcn.features();
  t.false(probed.supported.modifyLoadBalancer);
  t.is(probed.source.modifyLoadBalancer, 'probe');
  // The next update does not try modify again.
  await lb.update(walkthroughSpec(fx, { port: 8000, backends: fx.backendIps }));
  t.is(lb.lastUpdate?.strategy, 'create-then-delete');
  t.is(lb.lastUpdate?.reason, 'feature');
  // A client with the complete table is unaffected.
  t.is((await fx.hcn.features()).source.modifyLoadBalancer, 'version');
  t.true(await lb.delete());
});
