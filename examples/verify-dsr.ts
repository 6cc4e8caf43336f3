// Example: the DSR walkthrough's check ("IsDSR on every policy") as code — verifyDsr reads every
// load balancer (v2 Flags) and the v1 policy-list view (IsDSR), as `hcn verify dsr` does. Here one
// DSR and one non-DSR load balancer are created so the check has something to find.
// In your own project, import from 'hcn-sdk' instead of '../ts/index'.
import { Hcn, LoadBalancer, verifyDsr } from '../ts/index';

async function main(): Promise<void> {
  const hcn = await Hcn.open({ backend: process.env.HCN_BACKEND === 'hcn' ? 'hcn' : 'simulated' });
  const made: { delete(): Promise<boolean> }[] = [];
  try {
    const base = () => LoadBalancer.builder().backend('10.0.0.14').backend('10.0.0.15');
    made.push(await hcn.loadBalancers.create(base().frontend('13.0.0.13').port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build()));
    made.push(await hcn.loadBalancers.create(base().frontend('13.0.0.14').port({ protocol: 'tcp', external: 8001, internal: 80 }).build()));

    const report = await verifyDsr(hcn);
    for (const lb of report.loadBalancers) {
      console.log(`${lb.id}  ${lb.frontendVips.join(',')}  DSR ${lb.dsr ? 'yes' : 'NO'}  IsDSR(v1) ${lb.isDsrV1 ?? '-'}`);
    }
    console.log(report.ok ? 'every load balancer has DSR' : `FAILED: ${report.reason}`);

    // The example checks itself: exactly the non-DSR one must be reported.
    const bad = report.loadBalancers.filter((lb) => !lb.ok);
    if (report.ok || bad.length !== 1 || bad[0]!.frontendVips[0] !== '13.0.0.14') throw new Error('the check missed or over-reported');
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
