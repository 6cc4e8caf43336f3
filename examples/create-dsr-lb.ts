// Example: create the DSR walkthrough's load balancer (VIP 13.0.0.13, TCP 8000 -> 80 on the two local
// pod endpoints), read it back, and delete it again.
//
// Run it:   npx tsc -p tsconfig.json && node dist-test/examples/create-dsr-lb.js
// It uses the embedded simulator (in memory) unless HCN_BACKEND=hcn is set (then: real HNS, elevated
// prompt, on a Windows host that has an overlay network named vxlan0).
// In your own project, import from 'hcn-sdk' instead of '../ts/index'.
import { Hcn, LoadBalancer } from '../ts/index';

async function main(): Promise<void> {
  const hcn = await Hcn.open({ backend: process.env.HCN_BACKEND === 'hcn' ? 'hcn' : 'simulated' });
  try {
    const features = await hcn.features();
    console.log(`backend ${hcn.backend}, HNS ${features.version ? `${features.version.major}.${features.version.minor}` : 'unknown'}`);
    if (!features.supported.dsr) throw new Error('this HNS does not support DSR');

    // The backends: the local pod endpoints of the overlay network.
    const endpoints = (await hcn.endpoints.list({ network: 'vxlan0' })).filter((ep) => !ep.remote);
    if (endpoints.length === 0) throw new Error('no local endpoints on network vxlan0');

    // Validated before anything reaches HNS; build({ features }) refuses what this host cannot do.
    const spec = LoadBalancer.builder()
      .frontend('13.0.0.13')
      .backends(endpoints)
      .port({ protocol: 'tcp', external: 8000, internal: 80 })
      .dsr()
      .build({ features });

    const lb = await hcn.loadBalancers.create(spec);
    try {
      console.log(`created ${lb.id}: VIP ${lb.info.frontendVips.join(',')} tcp 8000->80, DSR ${lb.info.dsr}`);
      console.log(`backends: ${lb.info.backendIds.join(', ')}`);

      // Read it back from HNS, as `hcn lb show` does.
      const again = await hcn.loadBalancers.get(lb.id);
      if (!again.info.dsr) throw new Error('HNS did not keep the DSR flag');
      if (again.info.backendIds.length !== endpoints.length) throw new Error('HNS did not keep every backend');
    } finally {
      await lb.delete();
      console.log(`deleted ${lb.id}`);
    }
  } finally {
    await hcn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
