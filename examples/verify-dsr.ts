// Example: the DSR walkthrough's check ("IsDSR on every policy") as code — list every load balancer
// and report the ones without DSR, as `hcn verify dsr` does. Here one DSR and one non-DSR load
// balancer are created so the check has something to find.
// In your own project, import from 'hcn-sdk' instead of '../ts/index'.
import { Hcn, LoadBalancer, type LoadBalancerInfo } from '../ts/index';

/** The load balancers that lack DSR. */
export function withoutDsr(lbs: readonly LoadBalancerInfo[]): LoadBalancerInfo[] {
  return lbs.filter((lb) => !lb.dsr);
}

async function main(): Promise<void> {
  const hcn = await Hcn.open({ backend: process.env.HCN_BACKEND === 'hcn' ? 'hcn' : 'simulated' });
  const made: { delete(): Promise<boolean> }[] = [];
  try {
    const base = () => LoadBalancer.builder().backend('10.0.0.14').backend('10.0.0.15');
    made.push(await hcn.loadBalancers.create(base().frontend('13.0.0.13').port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build()));
    made.push(await hcn.loadBalancers.create(base().frontend('13.0.0.14').port({ protocol: 'tcp', external: 8001, internal: 80 }).build()));

    const all = (await hcn.loadBalancers.list()).map((h) => h.info);
    for (const lb of all) console.log(`${lb.id}  ${lb.frontendVips.join(',')}  DSR ${lb.dsr ? 'yes' : 'NO'}`);
    const bad = withoutDsr(all);
    console.log(bad.length === 0 ? 'every load balancer has DSR' : `${bad.length} without DSR: ${bad.map((b) => b.id).join(', ')}`);

    // The example checks itself: exactly the non-DSR one must be reported.
    if (bad.length !== 1 || bad[0]!.frontendVips[0] !== '13.0.0.14') throw new Error('the check missed or over-reported');
  } finally {
    for (const lb of made) await lb.delete();
    await hcn.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
