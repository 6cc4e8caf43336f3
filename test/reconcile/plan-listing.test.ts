// planLoadBalancers lists the load balancers and (for backends given as IPs) the endpoints at the
// same time, not one after the other: each listing is a round of HNS RPCs on a real node.
import test from 'ava';
import type { Hcn } from '../../ts/client';
import { planLoadBalancers } from '../../ts/reconcile';
import { assertNoLeaks, openSimulated, specs } from './helpers';

let hcn: Hcn;

test.before(async () => {
  hcn = await openSimulated();
});

test.after.always(async () => {
  await hcn.simulator?.release();
  await hcn?.close();
});

async function until(refresh: () => Promise<void>, predicate: () => boolean, what: string): Promise<void> {
  // Bounded only so a broken build fails instead of hanging; nothing here is timed.
  for (let i = 0; i < 2000; i++) {
    await refresh();
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test.serial('the endpoint listing starts while the load-balancer listing is still in HNS', async (t) => {
  const sim = hcn.simulator!;
  await sim.reset();
  await hcn.features();
  let calls = (op: string): number => (void op, 0);
  const refresh = async (): Promise<void> => {
    const c = (await sim.stats()).calls;
    calls = (op) => c[op] ?? 0;
  };
  await sim.hang('HcnEnumerateLoadBalancers');
  const planning = planLoadBalancers(hcn, specs(3)); // backends given as IPs
  await until(refresh, () => calls('HcnEnumerateLoadBalancers') === 1, 'the load-balancer listing to start');
  await until(refresh, () => calls('HcnEnumerateEndpoints') === 1, 'the endpoint listing to start');
  t.is(((await sim.control({ op: 'stats' })) as { hung: number }).hung, 1, 'the load-balancer listing is still held');
  await sim.release();
  const plan = await planning;
  t.is(plan.create.length, 3);
  await refresh();
  t.is(calls('HcnEnumerateLoadBalancers'), 1);
  t.is(calls('HcnEnumerateEndpoints'), 1);
  await assertNoLeaks(t, hcn);
});
