// Example: an overlay load balancer whose backends live on another node. Remote pods are reached
// through remote endpoints (Flags: RemoteEndpoint) whose provider address (PA) is the other node's
// address, taken from the overlay network's RemoteSubnetRoute — what kube-proxy's winkernel does.
//
// The simulator's default node has network vxlan0 (10.0.0.0/24, management IP 10.231.111.97) with a
// RemoteSubnetRoute 10.0.1.0/24 via 10.231.111.98 (the second node).
// In your own project, import from 'hcn-sdk' instead of '../ts/index'.
import { Hcn, LoadBalancer, ipInPrefix, macForRemoteEndpoint, type EndpointInfo } from '../ts/index';

async function main(): Promise<void> {
  const hcn = await Hcn.open({ backend: process.env.HCN_BACKEND === 'hcn' ? 'hcn' : 'simulated' });
  const created: EndpointInfo[] = [];
  try {
    const network = await hcn.networks.findByName('vxlan0');
    if (!network) throw new Error('no network vxlan0');
    if (network.type.toLowerCase() !== 'overlay') throw new Error(`vxlan0 is ${network.type}, not Overlay`);
    const route = network.remoteSubnetRoutes[0];
    if (!route) throw new Error('vxlan0 has no RemoteSubnetRoute: no other node to send to');
    console.log(`network ${network.name}: remote subnet ${route.prefix} via ${route.providerAddress}`);

    // Two pods on the other node.
    for (const ip of ['10.0.1.5', '10.0.1.6']) {
      if (!ipInPrefix(ip, route.prefix)) throw new Error(`${ip} is not in ${route.prefix}`);
      const ep = await hcn.endpoints.createRemote({ network: network.id, ip, providerAddress: route.providerAddress });
      created.push(ep);
      console.log(`remote endpoint ${ep.id}: ${ip} MAC ${ep.macAddress} PA ${ep.providerAddress}`);
      if (!ep.remote) throw new Error('the endpoint is not flagged remote');
      if (ep.providerAddress !== route.providerAddress) throw new Error('wrong provider address');
      if (ep.macAddress?.toLowerCase() !== macForRemoteEndpoint(ip).toLowerCase()) throw new Error('unexpected MAC');
    }

    // One local and two remote backends behind one DSR VIP. On overlay, the source VIP is the node's
    // address towards the pods.
    const local = await hcn.endpoints.findByIp('10.0.0.14');
    if (!local) throw new Error('no local endpoint 10.0.0.14');
    const spec = LoadBalancer.builder()
      .frontend('13.0.0.13')
      .sourceVip(network.managementIp ?? '10.231.111.97')
      .backend(local)
      .backends(created)
      .port({ protocol: 'tcp', external: 8000, internal: 80 })
      .dsr()
      .build({ features: await hcn.features() });
    const lb = await hcn.loadBalancers.create(spec);
    try {
      console.log(`load balancer ${lb.id} with ${lb.info.backendIds.length} backends (source VIP ${lb.info.sourceVip})`);
      if (lb.info.backendIds.length !== 3) throw new Error('expected 3 backends');
    } finally {
      await lb.delete();
    }
  } finally {
    // Remote endpoints are ours to clean up; local pod endpoints never are.
    for (const ep of created) await hcn.endpoints.delete(ep.id);
    await hcn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
