// Example: change the backends of a load balancer. HNS 15.5 and later modify it in place (same ID);
// older HNS cannot, and the SDK replaces it (new ID) — the handle follows the new ID either way.
// In your own project, import from 'hcn-sdk' instead of '../ts/index'.
import { Hcn, LoadBalancer } from '../ts/index';

async function main(): Promise<void> {
  const hcn = await Hcn.open({ backend: process.env.HCN_BACKEND === 'hcn' ? 'hcn' : 'simulated' });
  try {
    for (const version of hcn.simulator ? ([[13, 2], [15, 5]] as const) : [undefined]) {
      // Only the simulator can change its HNS version; this shows both behaviours.
      if (version && hcn.simulator) await hcn.simulator.setVersion(version[0], version[1]);
      const features = await hcn.features({ refresh: true });
      const inPlace = features.supported.modifyLoadBalancer;

      const lb = await hcn.loadBalancers.create(
        LoadBalancer.builder()
          .frontend('13.0.0.13')
          .backend('10.0.0.14')
          .port({ protocol: 'tcp', external: 8000, internal: 80 })
          .dsr()
          .build({ features }),
      );
      try {
        const before = lb.id;
        // Start from what HNS has, swap the backend list, keep everything else.
        const next = LoadBalancer.builder(lb.info).clearBackends().backends(['10.0.0.14', '10.0.0.15']).build({ features });
        await lb.update(next);
        const now = await lb.refresh();
        console.log(
          `HNS ${features.version?.major}.${features.version?.minor}: ${inPlace ? 'modified in place' : 'replaced'}; ` +
            `id ${before} -> ${lb.id}; backends ${now.backendIds.length}`,
        );
        if (now.backendIds.length !== 2) throw new Error('the update did not take');
        if (inPlace !== (lb.id === before)) throw new Error('unexpected update strategy');
        // The old one must be gone after a replace.
        if (lb.id !== before) {
          const old = await hcn.loadBalancers.get(before).then(
            () => true,
            () => false,
          );
          if (old) throw new Error('the replaced load balancer is still there');
        }
      } finally {
        await lb.delete();
      }
    }
  } finally {
    await hcn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
