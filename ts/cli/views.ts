// The stable JSON shapes the `hcn` command prints with --json (documented in docs/cli.md) and their
// human renderings. SDK objects are mapped field by field, so SDK additions never change CLI output.
import type { Features, FeatureName } from '../features';
import type { Distribution, EndpointInfo, LoadBalancerInfo, NetworkInfo, PortMapping } from '../schema/models';
import { list, renderPairs, renderTable, yesNo, type Column, type Style } from './format';

/** A port mapping in CLI JSON. */
export interface PortMappingView {
  protocol: string;
  external: number;
  internal: number;
  distribution: Distribution;
  ilb: boolean;
  localRoutedVip: boolean;
  useMux: boolean;
  preserveDip: boolean;
  vipExternalIp: boolean;
}

/** A backend in CLI JSON: its endpoint ID and, when the endpoint is known, its first IP. */
export interface BackendView {
  id: string;
  ip: string | null;
}

/**
 * A load balancer in CLI JSON (`lb create`, `lb show`, `lb update`, items of `lb list`). `backendIds` is
 * the SDK's `LoadBalancerInfo.backendIds` as is; `backends` is the same list with each endpoint's IP.
 */
export interface LoadBalancerView {
  id: string;
  frontendVips: string[];
  sourceVip: string | null;
  backendIds: string[];
  backends: BackendView[];
  ports: PortMappingView[];
  dsr: boolean;
  ipv6: boolean;
  flags: number;
}

/** An endpoint in CLI JSON. */
export interface EndpointView {
  id: string;
  name: string;
  networkId: string;
  ipAddresses: string[];
  macAddress: string | null;
  remote: boolean;
  providerAddress: string | null;
}

/** A network in CLI JSON. */
export interface NetworkView {
  id: string;
  name: string;
  type: string;
  subnets: string[];
  managementIp: string | null;
  remoteSubnetRoutes: { prefix: string; providerAddress: string }[];
}

/** `hcn features --json`. */
export interface FeaturesView {
  /** `hcn` (this host's HNS) or `simulated`. */
  backend: string;
  /** The simulator's state file; null with the real HNS. */
  statePath: string | null;
  /** `"13.2"`, or null when HNS did not report a version. */
  version: string | null;
  features: Record<string, { title: string; supported: boolean; source: string; minVersion: string | null }>;
}

/** Endpoint ID → first IP, for showing backends by address. */
export type EndpointIndex = ReadonlyMap<string, string>;

/** Builds an {@link EndpointIndex} from an endpoint list. */
export function indexEndpoints(endpoints: readonly EndpointInfo[]): EndpointIndex {
  const map = new Map<string, string>();
  for (const ep of endpoints) if (ep.ipAddresses.length > 0) map.set(ep.id.toLowerCase(), ep.ipAddresses[0]!);
  return map;
}

/** SDK port mapping → CLI JSON (field by field, so SDK additions never leak into the documented shape). */
export function portView(p: PortMapping): PortMappingView {
  return {
    protocol: p.protocol,
    external: p.external,
    internal: p.internal,
    distribution: p.distribution,
    ilb: p.ilb,
    localRoutedVip: p.localRoutedVip,
    useMux: p.useMux,
    preserveDip: p.preserveDip,
    vipExternalIp: p.vipExternalIp,
  };
}

/** SDK load balancer → CLI JSON. */
export function loadBalancerView(lb: LoadBalancerInfo, endpoints: EndpointIndex = new Map()): LoadBalancerView {
  return {
    id: lb.id,
    frontendVips: [...lb.frontendVips],
    sourceVip: lb.sourceVip ?? null,
    backendIds: [...lb.backendIds],
    backends: lb.backendIds.map((id) => ({ id, ip: endpoints.get(id.toLowerCase()) ?? null })),
    ports: lb.ports.map(portView),
    dsr: lb.dsr,
    ipv6: lb.ipv6,
    flags: lb.flags,
  };
}

/** SDK endpoint → CLI JSON. */
export function endpointView(ep: EndpointInfo): EndpointView {
  return {
    id: ep.id,
    name: ep.name,
    networkId: ep.networkId,
    ipAddresses: [...ep.ipAddresses],
    macAddress: ep.macAddress ?? null,
    remote: ep.remote,
    providerAddress: ep.providerAddress ?? null,
  };
}

/** SDK network → CLI JSON. */
export function networkView(net: NetworkInfo): NetworkView {
  return {
    id: net.id,
    name: net.name,
    type: net.type,
    subnets: [...net.subnets],
    managementIp: net.managementIp ?? null,
    remoteSubnetRoutes: net.remoteSubnetRoutes.map((r) => ({ prefix: r.prefix, providerAddress: r.providerAddress })),
  };
}

/** SDK features → CLI JSON. */
export function featuresView(
  backend: string,
  statePath: string | null,
  features: Features,
  describe: (name: FeatureName) => { title: string; minVersion: string | null },
): FeaturesView {
  const out: FeaturesView['features'] = {};
  for (const name of Object.keys(features.supported).sort() as FeatureName[]) {
    const d = describe(name);
    out[name] = { title: d.title, supported: features.supported[name], source: features.source[name], minVersion: d.minVersion };
  }
  return {
    backend,
    statePath,
    version: features.version ? `${features.version.major}.${features.version.minor}` : null,
    features: out,
  };
}

const DISTRIBUTION_TEXT: Record<Distribution, string> = {
  none: 'none',
  sourceIp: 'source-ip',
  sourceIpProtocol: 'source-ip-protocol',
};

/** `tcp:8000:80`, the same spelling `--port` takes. */
export function portText(p: PortMappingView): string {
  return `${p.protocol}:${p.external}:${p.internal}`;
}

/** Port-mapping flags as the CLI flag names, e.g. `ilb,preserve-dip`; '' when none. */
export function portFlagsText(p: PortMappingView): string {
  const f: string[] = [];
  if (p.ilb) f.push('ilb');
  if (p.localRoutedVip) f.push('local-routed-vip');
  if (p.useMux) f.push('use-mux');
  if (p.preserveDip) f.push('preserve-dip');
  if (p.vipExternalIp) f.push('vip-external-ip');
  if (p.distribution !== 'none') f.push(`affinity=${DISTRIBUTION_TEXT[p.distribution]}`);
  return f.join(',');
}

function backendText(b: BackendView): string {
  return b.ip ?? b.id;
}

function paintYesNo<T>(cell: string, _row: T, style: Style): string {
  return cell.trim() === 'yes' ? style.green(cell) : style.red(cell);
}

/** `hcn lb list` table. */
export function renderLoadBalancerTable(rows: readonly LoadBalancerView[], style: Style): string {
  const columns: Column<LoadBalancerView>[] = [
    { header: 'ID', value: (r) => r.id },
    { header: 'VIPS', value: (r) => list(r.frontendVips) },
    { header: 'PORTS', value: (r) => list(r.ports.map(portText)) },
    { header: 'BACKENDS', value: (r) => list(r.backends.map(backendText)) },
    { header: 'DSR', value: (r) => yesNo(r.dsr), paint: paintYesNo },
  ];
  return renderTable(rows, columns, style);
}

/** `hcn lb show` / `create` / `update`. */
export function renderLoadBalancer(lb: LoadBalancerView, style: Style): string {
  const pairs: [string, string][] = [
    ['ID', lb.id],
    ['Frontend VIPs', list(lb.frontendVips)],
    ['Source VIP', lb.sourceVip ?? '-'],
    ['DSR', yesNo(lb.dsr)],
    ['IPv6', yesNo(lb.ipv6)],
  ];
  lb.ports.forEach((p, i) => {
    const flags = portFlagsText(p);
    pairs.push([i === 0 ? 'Ports' : '', `${portText(p)}${flags ? `  (${flags})` : ''}`]);
  });
  if (lb.ports.length === 0) pairs.push(['Ports', '-']);
  // IPs padded to one width so the endpoint IDs line up (10.0.0.14 and 10.0.1.5 differ in length).
  const ipWidth = Math.max(0, ...lb.backends.map((b) => (b.ip ? b.ip.length : 0)));
  lb.backends.forEach((b, i) => pairs.push([i === 0 ? 'Backends' : '', b.ip ? `${b.ip.padEnd(ipWidth)}  ${style.dim(b.id)}` : b.id]));
  if (lb.backends.length === 0) pairs.push(['Backends', '-']);
  return renderPairs(pairs, style);
}

/** `hcn endpoint list` table. */
export function renderEndpointTable(rows: readonly EndpointView[], style: Style, networkNames: ReadonlyMap<string, string> = new Map()): string {
  const columns: Column<EndpointView>[] = [
    { header: 'ID', value: (r) => r.id },
    { header: 'NAME', value: (r) => r.name || '-' },
    { header: 'IP', value: (r) => list(r.ipAddresses) },
    { header: 'NETWORK', value: (r) => networkNames.get(r.networkId) ?? (r.networkId || '-') },
    { header: 'REMOTE', value: (r) => yesNo(r.remote) },
    { header: 'PROVIDER', value: (r) => r.providerAddress ?? '-' },
    { header: 'MAC', value: (r) => r.macAddress ?? '-' },
  ];
  return renderTable(rows, columns, style);
}

/** `hcn endpoint show`. */
export function renderEndpoint(ep: EndpointView, style: Style): string {
  return renderPairs(
    [
      ['ID', ep.id],
      ['Name', ep.name || '-'],
      ['Network', ep.networkId || '-'],
      ['IP addresses', list(ep.ipAddresses)],
      ['MAC', ep.macAddress ?? '-'],
      ['Remote', yesNo(ep.remote)],
      ['Provider address', ep.providerAddress ?? '-'],
    ],
    style,
  );
}

/** `hcn network list` table. */
export function renderNetworkTable(rows: readonly NetworkView[], style: Style): string {
  const columns: Column<NetworkView>[] = [
    { header: 'ID', value: (r) => r.id },
    { header: 'NAME', value: (r) => r.name || '-' },
    { header: 'TYPE', value: (r) => r.type || '-' },
    { header: 'SUBNETS', value: (r) => list(r.subnets) },
    { header: 'MANAGEMENT IP', value: (r) => r.managementIp ?? '-' },
    { header: 'REMOTE SUBNETS', value: (r) => list(r.remoteSubnetRoutes.map((x) => `${x.prefix}@${x.providerAddress}`)) },
  ];
  return renderTable(rows, columns, style);
}

/** `hcn network show`. */
export function renderNetwork(net: NetworkView, style: Style): string {
  const pairs: [string, string][] = [
    ['ID', net.id],
    ['Name', net.name || '-'],
    ['Type', net.type || '-'],
    ['Subnets', list(net.subnets)],
    ['Management IP', net.managementIp ?? '-'],
  ];
  net.remoteSubnetRoutes.forEach((r, i) => pairs.push([i === 0 ? 'Remote subnets' : '', `${r.prefix} via ${r.providerAddress}`]));
  if (net.remoteSubnetRoutes.length === 0) pairs.push(['Remote subnets', '-']);
  return renderPairs(pairs, style);
}

/** `hcn features` table (header lines name the backend and HNS version). */
export function renderFeatures(view: FeaturesView, style: Style): string {
  const head = renderPairs(
    [
      ['Backend', view.backend === 'simulated' ? 'simulated (embedded HNS simulator)' : 'hcn (this host\'s HNS)'],
      ...(view.statePath ? [['State file', view.statePath] as const] : []),
      ['HNS version', view.version ?? 'unknown (GET /globals/version failed)'],
    ],
    style,
  );
  const rows = Object.entries(view.features).map(([name, f]) => ({ name, ...f }));
  const table = renderTable(
    rows,
    [
      { header: 'FEATURE', value: (r) => r.name },
      { header: 'SUPPORTED', value: (r) => yesNo(r.supported), paint: paintYesNo },
      { header: 'MIN HNS', value: (r) => r.minVersion ?? '-' },
      { header: 'SOURCE', value: (r) => r.source },
      { header: 'DESCRIPTION', value: (r) => r.title },
    ],
    style,
  );
  return `${head}\n${table}`;
}
