// Shared setup of the client unit tests: a client over a fresh fake binding, and the walkthrough spec.
import { Hcn, type OpenOptions } from '../../ts/client';
import { injectBinding } from '../../ts/native';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import type { LoadBalancerSpec } from '../../ts/schema/models';
import { FakeHns, fakeBinding } from './fake-binding';

export interface Setup {
  hns: FakeHns;
  hcn: Hcn;
}

/** Opens a client on a new fake HNS. ava runs each test file in its own process; tests in a file run serially here. */
export async function open(options: OpenOptions = {}, fake: { hasSimControl?: boolean } = {}): Promise<Setup> {
  const hns = new FakeHns();
  injectBinding(fakeBinding(hns, fake));
  try {
    const hcn = await Hcn.open({ backend: 'simulated', ...options });
    return { hns, hcn };
  } finally {
    injectBinding(undefined);
  }
}

/** The DSR walkthrough: VIP 13.0.0.13, TCP 8000→80, backends 10.0.0.14 and 10.0.0.15, source VIP 10.231.111.97. */
export function walkthrough(port = 8000, backends: string[] = ['10.0.0.14', '10.0.0.15']): LoadBalancerSpec {
  return LoadBalancer.builder()
    .frontend('13.0.0.13')
    .sourceVip('10.231.111.97')
    .backends(backends)
    .port({ protocol: 'tcp', external: port, internal: 80 })
    .dsr()
    .build();
}
