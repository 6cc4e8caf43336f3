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
//                                  endpoints) to check that path too; .ci/run does it every time
//
// The real-HNS fixture: one network per test file (named after the file), created on first use and
// reused by its tests; leftovers of earlier runs (networks named hcn-sdk-contract-*) deleted before the
// file's tests; each test's load balancers and extra endpoints deleted after it, the network after
// the file. Cleanup is registered before anything is created and finds objects by name, so a partial
// create cannot leak. Timeouts fit a real HNS (minutes).
import path from 'node:path';
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
  /** A local address of `network`'s subnet that no endpoint uses (for a test's own endpoint). */
  freeIp: string;
}

/** Name prefix of the networks the real-HNS fixture creates; leftovers with it are deleted. */
const NETWORK_PREFIX = 'hcn-sdk-contract-';
const FILE_TAG = path.basename(test.meta.file.replace(/^file:\/\//, '')).replace(/\.test\.[cm]?js$|\.[cm]?js$/, '');
const OWN_NETWORK = `${NETWORK_PREFIX}${FILE_TAG}`;
const OWN_SUBNET = { prefix: '192.168.100.0/24', gateway: '192.168.100.1', ips: ['192.168.100.14', '192.168.100.15'] as const, free: '192.168.100.20' };

/** Per-call deadline of the client and per-test limit on a real HNS (network creation takes seconds to minutes). */
const REAL_HNS_CALL_MS = 120_000;
const REAL_HNS_TEST_MS = 10 * 60_000;

async function findOwnNetwork(hcn: Hcn): Promise<NetworkInfo | undefined> {
  return hcn.networks.findByName(OWN_NETWORK);
}

/** The file's network with its two local endpoints: found by name when there, else created. */
async function ownNetwork(hcn: Hcn): Promise<Pick<Fixture, 'network' | 'endpoints' | 'backendIps' | 'remote' | 'sourceVip' | 'freeIp'>> {
  // An overlay network like hnslib's integration tests use (subnet with a default route and a VSID),
  // plus a RemoteSubnetRoute with a DistributedRouterMacAddress as hnslib's test adds it, so remote
  // endpoints get a provider address.
  const network =
    (await findOwnNetwork(hcn)) ??
    (await hcn.networks.create({
      Name: OWN_NETWORK,
      Type: 'Overlay',
      Flags: 8,
      MacPool: { Ranges: [{ StartMacAddress: '00-15-5D-52-C0-00', EndMacAddress: '00-15-5D-52-CF-FF' }] },
      Ipams: [
        {
          Type: 'Static',
          Subnets: [
            {
              IpAddressPrefix: OWN_SUBNET.prefix,
              Routes: [{ NextHop: OWN_SUBNET.gateway, DestinationPrefix: '0.0.0.0/0' }],
              Policies: [{ Type: 'VSID', Settings: { IsolationId: 5000 } }],
            },
          ],
        },
      ],
      Policies: [
        {
          Type: 'RemoteSubnetRoute',
          Settings: { DestinationPrefix: '192.168.101.0/24', IsolationId: 5000, ProviderAddress: '10.231.111.98', DistributedRouterMacAddress: '00-12-34-56-78-9a' },
        },
      ],
    }));
  const existing = await hcn.endpoints.list({ network: network.id });
  const endpoints: EndpointInfo[] = [];
  for (const ip of OWN_SUBNET.ips) {
    const found = existing.find((e) => !e.remote && e.ipAddresses.includes(ip));
    endpoints.push(found ?? (await hcn.endpoints.create(network.id, { Name: `${OWN_NETWORK}-${ip}`, IpConfigurations: [{ IpAddress: ip, PrefixLength: 24 }] })));
  }
  return {
    network,
    endpoints: endpoints as [EndpointInfo, EndpointInfo],
    backendIps: [endpoints[0]!.ipAddresses[0]!, endpoints[1]!.ipAddresses[0]!],
    remote: { ip: '192.168.101.7', providerAddress: '10.231.111.98' },
    sourceVip: '192.168.100.97',
    freeIp: OWN_SUBNET.free,
  };
}

/**
 * Deletes what tests left on the named networks: every load balancer using one of their endpoints,
 * then the endpoints (all, or only those other than `keep`), then (unless `keepNetwork`) the network.
 */
async function cleanNetworks(hcn: Hcn, names: (name: string) => boolean, keep: ReadonlySet<string> = new Set(), keepNetwork = false): Promise<void> {
  for (const network of (await hcn.networks.list()).filter((n) => names(n.name))) {
    const eps = await hcn.endpoints.list({ network: network.id });
    const ids = new Set(eps.map((e) => e.id));
    for (const lb of await hcn.loadBalancers.list()) if (lb.info.backendIds.some((id) => ids.has(id))) await lb.delete();
    for (const ep of eps) if (!keep.has(ep.id)) await hcn.endpoints.delete(ep.id);
    if (!keepNetwork) await hcn.networks.delete(network.id);
  }
}

if (BACKEND.ownNetwork) {
  // Leftovers of earlier (crashed) runs, by name, before this file's tests; the file's network after them.
  test.before(async () => {
    const hcn = await Hcn.open({ backend: BACKEND.backend, ...(BACKEND.integration ? { timeoutMs: REAL_HNS_CALL_MS } : {}) });
    try {
      await cleanNetworks(hcn, (name) => name.startsWith(NETWORK_PREFIX));
    } finally {
      await hcn.close();
    }
  });
  test.after.always(async () => {
    const hcn = await Hcn.open({ backend: BACKEND.backend, ...(BACKEND.integration ? { timeoutMs: REAL_HNS_CALL_MS } : {}) });
    try {
      await cleanNetworks(hcn, (name) => name === OWN_NETWORK);
    } finally {
      await hcn.close();
    }
  });
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
  if (BACKEND.integration) t.timeout(REAL_HNS_TEST_MS);
  const hcn = await Hcn.open({ backend: BACKEND.backend, ...(BACKEND.integration ? { timeoutMs: REAL_HNS_CALL_MS } : {}), ...options });
  if (BACKEND.hasSimulator && !hcn.simulator) {
    await hcn.close();
    throw new Error(`the ${BACKEND.description} has no simulator controls`);
  }
  // Registered before anything is created: a create that fails half way still gets cleaned (by name).
  let keep = new Set<string>();
  t.teardown(async () => {
    try {
      if (BACKEND.hasSimulator) hcn.simulator!.release();
      // Removes the listeners and waits for the unregistration (a test may have closed the client).
      await hcn.unsubscribe().catch(() => undefined);
      await settle(hcn);
      // The file's network and its two endpoints stay for the next test; what the test added goes.
      if (BACKEND.ownNetwork) await cleanNetworks(hcn, (name) => name === OWN_NETWORK, keep, true);
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
  if (BACKEND.hasSimulator) await hcn.simulator!.reset();
  if (BACKEND.ownNetwork) {
    const part = await ownNetwork(hcn);
    keep = new Set(part.endpoints.map((e) => e.id));
    return { hcn, vip: '13.0.0.13', ...part };
  }
  const network = (await hcn.networks.findByName('vxlan0'))!;
  const e14 = (await hcn.endpoints.findByIp('10.0.0.14'))!;
  const e15 = (await hcn.endpoints.findByIp('10.0.0.15'))!;
  return {
    hcn,
    network,
    endpoints: [e14, e15],
    backendIps: ['10.0.0.14', '10.0.0.15'],
    remote: { ip: '10.0.1.7', providerAddress: '10.231.111.98' },
    vip: '13.0.0.13',
    sourceVip: '10.231.111.97',
    freeIp: '10.0.0.20',
  };
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
