// The one place that chooses the contract suite's backend, and the per-test fixture every contract
// test uses: a client, a network with two local endpoints and a RemoteSubnetRoute, the walkthrough's
// addresses, and cleanup of everything the test created.
//
//   (default)                      embedded simulator: every test runs
//   HCN_CONTRACT_BACKEND=hcn       backend 'hcn' with a simulator computenetwork.dll (the Wine lane):
//                                  the client has simulator controls, so every test runs
//   HCN_INTEGRATION=1              backend 'hcn' on a real Windows HNS: the suite creates its own
//                                  network and endpoints, deletes all it created, and skips the tests
//                                  that need simulator controls (fault injection, versions, restart)
//   HCN_CONTRACT_OWN_NETWORK=1     with a simulator: use the real-HNS fixture (own network and
//                                  endpoints, cleaned up after each test) to check that path too
import test, { type ExecutionContext, type ImplementationFn } from 'ava';
import { Hcn, type BackendName, type HcnNotification, type OpenOptions } from '../../ts/client';
import type { EndpointInfo, NetworkInfo } from '../../ts/schema/models';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import type { LoadBalancerSpec } from '../../ts/schema/models';
import type { Features } from '../../ts/features';

export interface ContractBackend {
  backend: BackendName;
  /** A real HNS (HCN_INTEGRATION=1): objects are created for the test and deleted after it. */
  integration: boolean;
  /** Whether simulator controls are expected (the embedded simulator or a simulator DLL). */
  hasSimulator: boolean;
  /** The fixture creates its own network and endpoints (always on a real HNS). */
  ownNetwork: boolean;
  description: string;
}

/** Reads HCN_CONTRACT_BACKEND ('simulated' default, 'hcn') and HCN_INTEGRATION. */
export function contractBackend(env: NodeJS.ProcessEnv = process.env): ContractBackend {
  const integration = env.HCN_INTEGRATION === '1';
  const named = env.HCN_CONTRACT_BACKEND ?? (integration ? 'hcn' : 'simulated');
  if (named !== 'simulated' && named !== 'hcn') throw new Error(`HCN_CONTRACT_BACKEND must be 'simulated' or 'hcn' (got ${named})`);
  if (integration && named !== 'hcn') throw new Error('HCN_INTEGRATION=1 drives the real HNS: HCN_CONTRACT_BACKEND must be hcn or unset');
  const ownNetwork = integration || env.HCN_CONTRACT_OWN_NETWORK === '1';
  if (integration) return { backend: 'hcn', integration, hasSimulator: false, ownNetwork, description: 'real HNS (HCN_INTEGRATION=1)' };
  const own = ownNetwork ? ', own test network' : '';
  if (named === 'hcn') return { backend: 'hcn', integration, hasSimulator: true, ownNetwork, description: `backend 'hcn' with the simulator DLL${own}` };
  return { backend: 'simulated', integration, hasSimulator: true, ownNetwork, description: `embedded simulator${own}` };
}

export const BACKEND = contractBackend();

const SKIP_REASON = `skipped on the ${BACKEND.description}: needs simulator controls`;

/**
 * A contract test. Tests run serially in a file: the simulator is one HNS per process, and on a real
 * HNS the tests share the frontend addresses.
 */
export function contract(title: string, fn: ImplementationFn<[]>): void {
  test.serial(title, fn);
}

/** A test that needs simulator controls (fault injection, versions, restart, leak counters). */
export function simulatorOnly(title: string, fn: ImplementationFn<[]>): void {
  if (BACKEND.hasSimulator) test.serial(title, fn);
  else test.skip(`${title} (${SKIP_REASON})`, fn);
}

export interface Fixture {
  hcn: Hcn;
  network: NetworkInfo;
  /** Two local endpoints of `network` and their IPs (the walkthrough's 10.0.0.14 and 10.0.0.15 on the simulator). */
  endpoints: [EndpointInfo, EndpointInfo];
  backendIps: [string, string];
  /** An off-node IP covered by the network's RemoteSubnetRoute, and that route's provider address. */
  remote: { ip: string; providerAddress: string };
  /** The walkthrough's frontend VIP and source VIP. */
  vip: string;
  sourceVip: string;
}

const INTEGRATION_NETWORK = `hcn-sdk-contract-${process.pid}`;

async function integrationNetwork(hcn: Hcn): Promise<Pick<Fixture, 'network' | 'endpoints' | 'backendIps' | 'remote' | 'sourceVip'>> {
  // An overlay network like hnslib's integration tests use (subnet with a default route and a VSID),
  // plus a RemoteSubnetRoute so remote endpoints get a provider address.
  const network = await hcn.networks.create({
    Name: INTEGRATION_NETWORK,
    Type: 'Overlay',
    Flags: 8,
    MacPool: { Ranges: [{ StartMacAddress: '00-15-5D-52-C0-00', EndMacAddress: '00-15-5D-52-CF-FF' }] },
    Ipams: [
      {
        Type: 'Static',
        Subnets: [
          {
            IpAddressPrefix: '192.168.100.0/24',
            Routes: [{ NextHop: '192.168.100.1', DestinationPrefix: '0.0.0.0/0' }],
            Policies: [{ Type: 'VSID', Settings: { IsolationId: 5000 } }],
          },
        ],
      },
    ],
    Policies: [
      { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '192.168.101.0/24', IsolationId: 5000, ProviderAddress: '10.231.111.98' } },
    ],
  });
  const endpoints: EndpointInfo[] = [];
  for (const ip of ['192.168.100.14', '192.168.100.15']) {
    endpoints.push(await hcn.endpoints.create(network.id, { Name: `${INTEGRATION_NETWORK}-${ip}`, IpConfigurations: [{ IpAddress: ip, PrefixLength: 24 }] }));
  }
  return {
    network,
    endpoints: endpoints as [EndpointInfo, EndpointInfo],
    backendIps: [endpoints[0]!.ipAddresses[0]!, endpoints[1]!.ipAddresses[0]!],
    remote: { ip: '192.168.101.7', providerAddress: '10.231.111.98' },
    sourceVip: '192.168.100.97',
  };
}

/** Deletes every load balancer using one of the network's endpoints, then the endpoints, then the network. */
async function cleanupIntegration(hcn: Hcn, network: NetworkInfo): Promise<void> {
  // A test may have restarted HNS without its state: then there is nothing left to clean.
  if ((await hcn.networks.list()).every((n) => n.id !== network.id)) return;
  const eps = await hcn.endpoints.list({ network: network.id });
  const ids = new Set(eps.map((e) => e.id));
  for (const lb of await hcn.loadBalancers.list()) if (lb.info.backendIds.some((id) => ids.has(id))) await lb.delete();
  for (const ep of eps) await hcn.endpoints.delete(ep.id);
  await hcn.networks.delete(network.id);
}

/**
 * The next `event` of the client. The service callback does not keep the process alive, so a ref'd
 * guard timer does while the notification travels from the HNS thread; the guard only turns a
 * missing event into a clear failure instead of ava's "never resolved".
 */
export function nextEvent(hcn: Hcn, event: 'serviceDisconnect' | 'notification', guardMs = 10_000): Promise<HcnNotification> {
  return new Promise<HcnNotification>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no ${event} within ${guardMs} ms`)), guardMs);
    hcn.once(event, (n) => {
      clearTimeout(guard);
      resolve(n);
    });
  });
}

/** Waits (bounded, no timing assertion) until the simulator holds `count` service-callback registrations. */
export async function settleRegistration(hcn: Hcn, count: number): Promise<void> {
  for (let i = 0; i < 500 && hcn.simulator!.stats().liveCallbacks !== count; i++) await new Promise((r) => setTimeout(r, 10));
}

/** Waits (bounded, no timing assertion) until no native call is running or stuck, e.g. after `release()`. */
export async function settle(hcn: Hcn): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const s = hcn.poolStats();
    if (s.busy === 0 && s.stuck === 0 && s.queued === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Opens a client for one test. On the simulator it starts from the default node (reset); on a real
 * HNS it creates the test network. Teardown (registered on `t`) removes what the test created and, on
 * the simulator, checks that no HCN handle, string or callback leaked.
 */
export async function openFixture(t: ExecutionContext, options: OpenOptions = {}): Promise<Fixture> {
  const hcn = await Hcn.open({ backend: BACKEND.backend, ...options });
  if (BACKEND.hasSimulator && !hcn.simulator) throw new Error(`the ${BACKEND.description} has no simulator controls`);
  let fixture: Fixture;
  if (BACKEND.hasSimulator) await hcn.simulator!.reset();
  if (BACKEND.ownNetwork) {
    const part = await integrationNetwork(hcn);
    fixture = { hcn, vip: '13.0.0.13', ...part };
  } else {
    const network = (await hcn.networks.findByName('vxlan0'))!;
    const e14 = (await hcn.endpoints.findByIp('10.0.0.14'))!;
    const e15 = (await hcn.endpoints.findByIp('10.0.0.15'))!;
    fixture = {
      hcn,
      network,
      endpoints: [e14, e15],
      backendIps: ['10.0.0.14', '10.0.0.15'],
      remote: { ip: '10.0.1.7', providerAddress: '10.231.111.98' },
      vip: '13.0.0.13',
      sourceVip: '10.231.111.97',
    };
  }
  t.teardown(async () => {
    try {
      if (BACKEND.hasSimulator) hcn.simulator!.release();
      // Removes the listeners and waits for the unregistration (a test may have closed the client).
      await hcn.unsubscribe().catch(() => undefined);
      await settle(hcn);
      if (BACKEND.ownNetwork) await cleanupIntegration(hcn, fixture.network);
      if (BACKEND.hasSimulator) {
        const s = hcn.simulator!.stats();
        if (s.liveHandles !== 0 || (s.liveStrings ?? 0) !== 0 || s.liveCallbacks !== 0) {
          throw new Error(`leak after "${t.title}": ${JSON.stringify({ liveHandles: s.liveHandles, liveStrings: s.liveStrings, liveCallbacks: s.liveCallbacks })}`);
        }
        await hcn.simulator!.reset();
      }
    } finally {
      await hcn.close();
    }
  });
  return fixture;
}

/** The walkthrough's DSR load balancer (TCP 8000→80 by default) on the fixture's addresses. */
export function walkthroughSpec(fx: Fixture, options: { port?: number; backends?: string[]; features?: Features } = {}): LoadBalancerSpec {
  return LoadBalancer.builder()
    .frontend(fx.vip)
    .sourceVip(fx.sourceVip)
    .backends(options.backends ?? fx.backendIps)
    .port({ protocol: 'tcp', external: options.port ?? 8000, internal: 80 })
    .dsr()
    .build(options.features ? { features: options.features } : undefined);
}
