// SDK-shaped model fixtures shared by tests that judge or render load balancers without HNS.
import type { LoadBalancerInfo, PortMapping } from '../../ts/schema/models';

/** The backend endpoint ID the fixtures use by default. */
export const FIXTURE_EP1 = 'aaaaaaaa-0000-4000-8000-000000000001';

/** A TCP 8000 -> 80 port mapping with every flag off, overridable. */
export const port = (over: Partial<PortMapping> = {}): PortMapping => ({
  protocol: 'tcp',
  external: 8000,
  internal: 80,
  distribution: 'none',
  ilb: false,
  localRoutedVip: false,
  useMux: false,
  preserveDip: false,
  vipExternalIp: false,
  ...over,
});

/** The walkthrough's load balancer as read back (VIP 13.0.0.13, one backend), DSR on or off. */
export const lb = (id: string, dsr: boolean, over: Partial<LoadBalancerInfo> = {}): LoadBalancerInfo => ({
  id,
  frontendVips: ['13.0.0.13'],
  sourceVip: undefined,
  backendIds: [FIXTURE_EP1],
  ports: [port()],
  dsr,
  ipv6: false,
  flags: dsr ? 1 : 0,
  raw: {} as LoadBalancerInfo['raw'],
  ...over,
});
