// hcn.networks: list, get, find by name, create and delete HNS networks.
import { parseNetwork } from '../schema/network';
import type { NetworkInfo } from '../schema/models';
import type { HostComputeNetwork } from '../schema/hns-types';
import type { CallOptions } from '../internal/operation';
import { ClientCore, Q, checkGuid } from './core';

/**
 * `hcn.networks`.
 * @example
 * const net = await hcn.networks.findByName('vxlan0');
 */
export interface NetworksApi {
  /**
   * Every network, in one native hop.
   * @example
   * for (const n of await hcn.networks.list()) console.log(n.name, n.type);
   */
  list(options?: CallOptions): Promise<NetworkInfo[]>;
  /**
   * One network by ID; HcnNotFoundError when it does not exist.
   * @example
   * const net = await hcn.networks.get('6c1f8a2e-0c1b-4c55-9f2a-000000000001');
   */
  get(id: string, options?: CallOptions): Promise<NetworkInfo>;
  /**
   * The network with this name (server-side Name filter), or undefined.
   * @example
   * const overlay = await hcn.networks.findByName('vxlan0');
   */
  findByName(name: string, options?: CallOptions): Promise<NetworkInfo | undefined>;
  /**
   * Creates a network from an HCN network document as given (HNS assigns the ID). For tools and
   * test fixtures; most hosts get their networks from the CNI.
   * @example
   * const net = await hcn.networks.create({ Name: 'test', Type: 'NAT', Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '192.168.100.0/24' }] }], SchemaVersion: { Major: 2, Minor: 0 } });
   */
  create(settings: HostComputeNetwork, options?: CallOptions): Promise<NetworkInfo>;
  /**
   * Deletes a network: true = deleted, false = it was already gone.
   * @example
   * await hcn.networks.delete(net.id);
   */
  delete(id: string, options?: CallOptions): Promise<boolean>;
}

/** Builds `hcn.networks` over the client's core. */
export function networksApi(core: ClientCore): NetworksApi {
  return {
    list: (options) =>
      core.run('networks.list', options, async (op) => {
        const docs = await op.native('HcnEnumerateNetworks', (t) => core.context('HcnEnumerateNetworks').list('network', Q, Q, t));
        return docs.map((d) => parseNetwork(d));
      }),
    get: (id, options) =>
      core.run('networks.get', options, async (op) => {
        const gid = checkGuid(id, op.name);
        return parseNetwork(await op.native('HcnQueryNetworkProperties', (t) => core.context('HcnQueryNetworkProperties').query('network', gid, Q, t)));
      }),
    findByName: (name, options) => core.run('networks.findByName', options, (op) => core.findNetworkByName(name, op)),
    create: (settings, options) =>
      core.run('networks.create', options, async (op) => {
        const { ID: _id, ...doc } = settings;
        void _id;
        const json = await op.native('HcnCreateNetwork', (t) =>
          core.context('HcnCreateNetwork').create('network', null, JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 }, ...doc }), Q, t),
        );
        return parseNetwork(json);
      }),
    delete: (id, options) =>
      core.run('networks.delete', options, async (op) => {
        const gid = checkGuid(id, op.name);
        return core.removeIfPresent(op, 'HcnDeleteNetwork', (t) => core.context('HcnDeleteNetwork').remove('network', gid, t));
      }),
  };
}
