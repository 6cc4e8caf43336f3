// hcn.endpoints: list (by network and IP), get, find by IP, create, kube-proxy-style remote endpoints,
// and delete.
import { HcnValidationError } from '../errors';
import { canonicalIp, macForRemoteEndpoint } from '../net/ip';
import { parseEndpoint, remoteEndpointToHns } from '../schema/endpoint';
import { nodeAddressOf, providerAddressFor } from '../schema/network';
import { normalizeGuid } from '../schema/guid';
import type { EndpointInfo } from '../schema/models';
import type { HostComputeEndpoint } from '../schema/hns-types';
import type { CallOptions } from '../internal/operation';
import { ClientCore, Q, checkGuid, checkIp, checkName, checkUnicastIp, preferLocal } from './core';

/**
 * Filter of `endpoints.list`.
 * @example
 * await hcn.endpoints.list({ network: 'vxlan0', ip: '10.0.0.14' });
 */
export interface EndpointFilter extends CallOptions {
  /** Network ID or name. */
  network?: string | undefined;
  /** Endpoints with this address (any of their IP configurations). */
  ip?: string | undefined;
}

/**
 * Options of `endpoints.createRemote`.
 * @example
 * await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.1.7' }); // PA from the RemoteSubnetRoute
 */
export interface RemoteEndpointRequest extends CallOptions {
  /** Network ID or name. */
  network: string;
  /** The remote backend's (pod's) IP address. */
  ip: string;
  /**
   * Underlay address of the node that owns `ip`. When omitted on an overlay network it is looked up as
   * kube-proxy does: the last RemoteSubnetRoute whose prefix contains `ip` or whose provider address is
   * `ip`, else this node's own address (the network's ProviderAddress policy or ManagementIP).
   */
  providerAddress?: string | undefined;
  /** Default: kube-proxy's `02-11-<ip bytes in hex>`. */
  mac?: string | undefined;
  /** Optional endpoint name. */
  name?: string | undefined;
}

/**
 * `hcn.endpoints`.
 * @example
 * const eps = await hcn.endpoints.list({ network: 'vxlan0' });
 */
export interface EndpointsApi {
  /**
   * Endpoints, optionally of one network (ID or name) and/or with one IP.
   * @example
   * const local = (await hcn.endpoints.list({ network: 'vxlan0' })).filter((e) => !e.remote);
   */
  list(filter?: EndpointFilter): Promise<EndpointInfo[]>;
  /**
   * One endpoint by ID; HcnNotFoundError when it does not exist.
   * @example
   * const ep = await hcn.endpoints.get(lb.info.backendIds[0]!);
   */
  get(id: string, options?: CallOptions): Promise<EndpointInfo>;
  /**
   * The endpoint with this IP (a local one when HNS holds both a local and a remote one), or undefined.
   * @example
   * const ep = await hcn.endpoints.findByIp('10.0.0.14');
   */
  findByIp(ip: string, options?: CallOptions): Promise<EndpointInfo | undefined>;
  /**
   * Creates a remote endpoint for an off-node backend the way kube-proxy does: Flags 1 (remote), MAC
   * `02-11-<ip hex>`, and on overlay networks a ProviderAddress policy.
   * @example
   * const ep = await hcn.endpoints.createRemote({ network: 'vxlan0', ip: '10.0.1.7' });
   * ep.providerAddress; // '10.231.111.98' from the network's RemoteSubnetRoute 10.0.1.0/24
   */
  createRemote(request: RemoteEndpointRequest): Promise<EndpointInfo>;
  /**
   * Creates an endpoint from an HCN endpoint document as given, in `network` (ID or name).
   * @example
   * const ep = await hcn.endpoints.create('vxlan0', { Name: 'pod-a', IpConfigurations: [{ IpAddress: '10.0.0.20' }], SchemaVersion: { Major: 2, Minor: 0 } });
   */
  create(network: string, settings: HostComputeEndpoint, options?: CallOptions): Promise<EndpointInfo>;
  /**
   * Deletes an endpoint. Resolves true when deleted, false when it was already gone.
   * @example
   * await hcn.endpoints.delete(ep.id);
   */
  delete(id: string, options?: CallOptions): Promise<boolean>;
}

/** Builds `hcn.endpoints` over the client's core. */
export function endpointsApi(core: ClientCore): EndpointsApi {
  return {
    list: (filter = {}) =>
      core.run('endpoints.list', filter, async (op) => {
        const ip = filter.ip === undefined ? undefined : checkIp(filter.ip, op.name, 'ip');
        let networkId: string | undefined;
        if (filter.network !== undefined) networkId = (await core.resolveNetwork(filter.network, op, 'network')).id;
        // hcsshim's ListEndpointsOfNetwork (and hns.v2.psm1) filter on the v1 key VirtualNetwork: the v2
        // name HostComputeNetwork is not a query key. Filtered again below: that is the SDK's promise.
        const eps = await core.listEndpoints(op, networkId ? { VirtualNetwork: networkId } : undefined);
        return eps.filter(
          (e) => (networkId === undefined || e.networkId === networkId) && (ip === undefined || e.ipAddresses.some((a) => (canonicalIp(a) ?? a) === ip)),
        );
      }),
    get: (id, options) =>
      core.run('endpoints.get', options, async (op) => {
        const gid = checkGuid(id, op.name);
        return parseEndpoint(await op.native('HcnQueryEndpointProperties', (t) => core.context('HcnQueryEndpointProperties').query('endpoint', gid, Q, t)));
      }),
    findByIp: (ip, options) =>
      core.run('endpoints.findByIp', options, async (op) => {
        const want = checkIp(ip, op.name, 'ip');
        const eps = (await core.listEndpoints(op, undefined)).sort(preferLocal);
        return eps.find((e) => e.ipAddresses.some((a) => (canonicalIp(a) ?? a) === want));
      }),
    createRemote: (request) =>
      core.run('endpoints.createRemote', request, async (op) => {
        const ip = checkIp(request.ip, op.name, 'ip');
        let pa = request.providerAddress === undefined ? undefined : checkUnicastIp(request.providerAddress, op.name, 'providerAddress');
        const name = checkName(request.name, op.name, 'name');
        let mac = request.mac;
        if (mac !== undefined) {
          if (typeof mac !== 'string' || !/^[0-9a-f]{2}([-:][0-9a-f]{2}){5}$/i.test(mac)) {
            throw new HcnValidationError({
              operation: op.name,
              issues: [{ field: 'mac', rule: 'mac', message: `must be a MAC address like 02-11-0a-00-01-07 (got ${JSON.stringify(mac)})`, value: mac }],
            });
          }
          mac = mac.replace(/:/g, '-');
        }
        // Given the network's ID and the PA (as kube-proxy does), nothing about the network is
        // needed: it is not queried (each HNS call is an RPC; 5 per endpoint instead of 8). An
        // unknown ID then fails in HcnOpenNetwork, inside the create.
        const networkId = pa === undefined ? null : normalizeGuid(request.network);
        if (networkId !== null) {
          const doc = remoteEndpointToHns({ networkId, ip, providerAddress: pa, mac: mac ?? macForRemoteEndpoint(ip), name: request.name });
          const json = await op.native('HcnCreateEndpoint', (t) => core.context('HcnCreateEndpoint').create('endpoint', null, JSON.stringify(doc), Q, t, networkId));
          return parseEndpoint(json);
        }
        const net = await core.resolveNetwork(request.network, op, 'network');
        // An explicit PA wins; otherwise kube-proxy's lookup: the last RemoteSubnetRoute covering the IP
        // (or whose PA is the IP), else the node's own IP ("assuming it is a public IP").
        if (pa === undefined && net.type.toLowerCase() === 'overlay') {
          pa = providerAddressFor(net, ip) ?? nodeAddressOf(net);
          if (pa === undefined) {
            throw new HcnValidationError({
              operation: op.name,
              issues: [
                {
                  field: 'providerAddress',
                  rule: 'required',
                  message: `is needed: no RemoteSubnetRoute of overlay network ${net.name || net.id} covers ${ip}, and the network names no node address (ProviderAddress policy or ManagementIP)`,
                  value: undefined,
                },
              ],
            });
          }
        }
        const doc = remoteEndpointToHns({ networkId: net.id, ip, providerAddress: pa, mac: mac ?? macForRemoteEndpoint(ip), name });
        const json = await op.native('HcnCreateEndpoint', (t) => core.context('HcnCreateEndpoint').create('endpoint', null, JSON.stringify(doc), Q, t, net.id));
        return parseEndpoint(json);
      }),
    create: (network, settings, options) =>
      core.run('endpoints.create', options, async (op) => {
        const net = await core.resolveNetwork(network, op, 'network');
        const { ID: _id, ...doc } = settings;
        void _id;
        const body = JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 }, ...doc, HostComputeNetwork: net.id });
        const json = await op.native('HcnCreateEndpoint', (t) => core.context('HcnCreateEndpoint').create('endpoint', null, body, Q, t, net.id));
        return parseEndpoint(json);
      }),
    delete: (id, options) =>
      core.run('endpoints.delete', options, async (op) => {
        const gid = checkGuid(id, op.name);
        return core.removeIfPresent(op, 'HcnDeleteEndpoint', (t) => core.context('HcnDeleteEndpoint').remove('endpoint', gid, t));
      }),
  };
}
