// HostComputeEndpoint parsing, and the remote-endpoint document kube-proxy creates for off-node backends.
import type { HostComputeEndpoint } from './hns-types';
import type { EndpointInfo, EndpointIpConfig } from './models';
import { ENUM_NAMES, EndpointFlags, parseEnumValue } from './enums';
import { normalizeGuid } from './guid';
import { arr, field, ipOrRaw, num, obj, policiesOfType, str, toObject } from './read';
import { macForRemoteEndpoint } from '../net/ip';

/**
 * Reads an endpoint document (JSON text or object; v2, with v1 `IPAddress`/`IsRemoteEndpoint`/`VirtualNetwork`
 * understood too). Throws HcnError `HCN_INVALID_RESPONSE` for text that is not a JSON object.
 * @example
 * const ep = parseEndpoint('{"ID":"9B5B...","IpConfigurations":[{"IpAddress":"10.0.0.14"}],"Flags":0}');
 * ep.ipAddresses; // ['10.0.0.14']
 */
export function parseEndpoint(jsonOrObject: string | object): EndpointInfo {
  const o = toObject(jsonOrObject, 'parseEndpoint');
  const flags = parseEnumValue(field(o, 'Flags'), ENUM_NAMES.endpointFlags) ?? 0;
  const ipConfigurations: EndpointIpConfig[] = [];
  for (const c of arr(o, 'IpConfigurations')) {
    const co = obj(c);
    const ip = co && str(co, 'IpAddress');
    if (co && ip) ipConfigurations.push({ ipAddress: ipOrRaw(ip), prefixLength: num(co, 'PrefixLength') });
  }
  const v1Ip = str(o, 'IPAddress');
  if (ipConfigurations.length === 0 && v1Ip) ipConfigurations.push({ ipAddress: ipOrRaw(v1Ip), prefixLength: num(o, 'PrefixLength') });
  const idText = str(o, 'ID') ?? '';
  const network = str(o, 'HostComputeNetwork') ?? str(o, 'VirtualNetwork') ?? '';
  const namespace = str(o, 'HostComputeNamespace');
  const pa = policiesOfType(o, 'ProviderAddress').map((s) => str(s, 'ProviderAddress')).find((x) => x !== undefined && x !== '');
  const mac = str(o, 'MacAddress');
  return {
    id: normalizeGuid(idText) ?? idText.toLowerCase(),
    name: str(o, 'Name') ?? '',
    networkId: network.toLowerCase(),
    ipAddresses: ipConfigurations.map((c) => c.ipAddress),
    ipConfigurations,
    // One case everywhere (SDK, CLI table and JSON): lower, as kube-proxy conjures remote MACs; HNS
    // reports local endpoints' in upper case (`raw` keeps what HNS said).
    macAddress: mac === '' || mac === undefined ? undefined : mac.toLowerCase(),
    remote: (flags & EndpointFlags.RemoteEndpoint) !== 0 || field(o, 'IsRemoteEndpoint') === true,
    providerAddress: pa === undefined ? undefined : ipOrRaw(pa),
    namespaceId: namespace ? namespace.toLowerCase() : undefined,
    flags,
    raw: o as HostComputeEndpoint,
  };
}

/**
 * Options of {@link remoteEndpointToHns}.
 * @example
 * const o: RemoteEndpointOptions = { networkId: '3599612c-54b4-4b9d-9258-4fc5e2100549', ip: '10.244.3.7', providerAddress: '192.168.1.23' };
 */
export interface RemoteEndpointOptions {
  /** GUID of the network to create the endpoint in. */
  networkId: string;
  /** IP address. */
  ip: string;
  /** Underlay address of the host owning `ip` (overlay networks). */
  providerAddress?: string | undefined;
  /** Defaults to kube-proxy's `02-11-<ip bytes>`. */
  mac?: string | undefined;
  /** Friendly name. */
  name?: string | undefined;
}

/**
 * The endpoint document kube-proxy creates for a remote backend: Flags 1, one IpConfiguration, the
 * conjured MAC, a ProviderAddress policy when given. Throws TypeError for a non-address `ip`.
 * @example
 * remoteEndpointToHns({ networkId, ip: '10.244.3.7', providerAddress: '192.168.1.23' });
 * // { IpConfigurations: [{ IpAddress: '10.244.3.7' }], MacAddress: '02-11-0a-f4-03-07', Flags: 1, Policies: [...], ... }
 */
export function remoteEndpointToHns(options: RemoteEndpointOptions): HostComputeEndpoint {
  const out: HostComputeEndpoint = {};
  if (options.name) out.Name = options.name;
  out.IpConfigurations = [{ IpAddress: ipOrRaw(options.ip) }];
  out.MacAddress = options.mac ?? macForRemoteEndpoint(options.ip);
  out.Flags = EndpointFlags.RemoteEndpoint;
  if (options.providerAddress) out.Policies = [{ Type: 'ProviderAddress', Settings: { ProviderAddress: options.providerAddress } }];
  out.SchemaVersion = { Major: 2, Minor: 0 };
  out.HostComputeNetwork = options.networkId;
  return out;
}
