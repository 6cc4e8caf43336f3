// LoadBalancerReconciler on the simulator: it restores load balancers after an HNS restart that lost
// its state (at once, on ServiceDisconnect) and keeps them as they are after one that kept it. Every
// wait is for an event, never a time. Deletes made by another process: other-process.test.ts.
import test from 'ava';
import { Hcn, LoadBalancer, LoadBalancerReconciler, type ApplyItemResult, type ReconcilerPass } from '../../ts/index';


const desired = [
  LoadBalancer.builder().frontend('13.0.0.13').backends(['10.0.0.14', '10.0.0.15']).port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build(),
  LoadBalancer.builder().frontend('13.0.0.14').backends(['10.0.0.14']).port({ protocol: 'udp', external: 53, internal: 53 }).build(),
];

function nextSync(r: LoadBalancerReconciler, reason?: ReconcilerPass['reason']): Promise<ReconcilerPass> {
  return new Promise((resolve) => {
    const on = (p: ReconcilerPass) => {
      if (reason !== undefined && p.reason !== reason) return;
      r.off('sync', on);
      resolve(p);
    };
    r.on('sync', on);
  });
}

async function vips(hcn: Hcn): Promise<string[]> {
  return (await hcn.loadBalancers.list()).map((h) => h.info.frontendVips[0]!).sort();
}

test.serial('restores everything at once after an HNS restart that lost its state, and changes nothing after one that kept it', async (t) => {
  const hcn = await Hcn.open({ backend: 'simulated' });
  t.teardown(() => hcn.close());
  await hcn.simulator!.reset();
  const reconciler = new LoadBalancerReconciler(hcn, desired, { intervalMs: 3_600_000 });
  t.teardown(() => reconciler.close());
  const changes: Array<[ApplyItemResult, string]> = [];
  reconciler.on('change', (r, why) => changes.push([r, why]));

  const first = nextSync(reconciler);
  reconciler.start();
  const p1 = await first;
  t.is(p1.reason, 'start');
  t.like(p1.result.counts, { ok: 2, failed: 0 });
  t.deepEqual(await vips(hcn), ['13.0.0.13', '13.0.0.14']);

  const lost = nextSync(reconciler, 'service-disconnect');
  await hcn.simulator!.restart({ keepState: false });
  const p2 = await lost;
  t.is(p2.plan.summary.create, 2, 'both were gone after the restart');
  t.like(p2.result.counts, { ok: 2 });
  t.deepEqual(await vips(hcn), ['13.0.0.13', '13.0.0.14']);
  t.deepEqual(changes.filter(([, why]) => why === 'service-disconnect').map(([r]) => [r.action, r.status]), [['create', 'ok'], ['create', 'ok']]);

  const before = (await hcn.loadBalancers.list()).map((h) => h.id).sort();
  const kept = nextSync(reconciler, 'service-disconnect');
  await hcn.simulator!.restart({ keepState: true });
  const p3 = await kept;
  t.like(p3.plan.summary, { create: 0, update: 0, delete: 0, keep: 2 });
  t.deepEqual((await hcn.loadBalancers.list()).map((h) => h.id).sort(), before, 'the same load balancers, untouched');
});
