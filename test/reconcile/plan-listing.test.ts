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
  hcn.simulator?.release();
  await hcn?.close();
});

async function until(predicate: () => boolean, what: string): Promise<void> {
  // Bounded only so a broken build fails instead of hanging; nothing here is timed.
  for (let i = 0; i < 2000 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!predicate()) throw new Error(`gave up waiting for ${what}`);
}

test.serial('the endpoint listing starts while the load-balancer listing is still in HNS', async (t) => {
  const sim = hcn.simulator!;
  sim.reset();
  await hcn.features();
  const calls = (op: string): number => sim.stats().calls[op] ?? 0;
  sim.hang('HcnEnumerateLoadBalancers');
  const planning = planLoadBalancers(hcn, specs(3)); // backends given as IPs
  await until(() => calls('HcnEnumerateLoadBalancers') === 1, 'the load-balancer listing to start');
  await until(() => calls('HcnEnumerateEndpoints') === 1, 'the endpoint listing to start');
  t.is((sim.control({ op: 'stats' }) as { hung: number }).hung, 1, 'the load-balancer listing is still held');
  sim.release();
  const plan = await planning;
  t.is(plan.create.length, 3);
  t.is(calls('HcnEnumerateLoadBalancers'), 1);
  t.is(calls('HcnEnumerateEndpoints'), 1);
  await assertNoLeaks(t, hcn);
});
