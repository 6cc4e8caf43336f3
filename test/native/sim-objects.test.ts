// The simulated HNS object model through ts/native.ts: default topology, queries and filters,
// networks, endpoints (local and remote), load balancers (validation, collisions, references,
// version gates, modify), namespaces and HNS v1 HNSCall — success and error paths, with live
// handles and strings back to zero after every test.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { NativeFamily } from '../../ts/native';
import { EP14, EP15, NET, PROPS, TIMEOUT, assertClean, openSim, rejectsWith, sim } from './helpers';

const ctx = openSim();


const HR = {
  NOTIMPL: 0x80004001,
  INVALIDARG: 0x80070057,
  ALREADY_EXISTS: 0x800700b7,
  NOT_FOUND: 0x80070490,
  NETWORK_NOT_FOUND: 0x803b0001,
  ENDPOINT_NOT_FOUND: 0x803b0002,
  POLICY_NOT_FOUND: 0x803b0008,
  INVALID_NETWORK: 0x803b000a,
  INVALID_NETWORK_TYPE: 0x803b000b,
  NETWORK_ALREADY_EXISTS: 0x803b0010,
  PORT_ALREADY_EXISTS: 0x803b0013,
  REQUEST_UNSUPPORTED: 0x803b0015,
  INVALID_JSON: 0x803b001b,
  INVALID_JSON_REFERENCE: 0x803b001c,
  INVALID_IP: 0x803b001e,
  ENDPOINT_NAMESPACE_ALREADY_EXISTS: 0x803b002b,
  ENTITY_HAS_REFERENCES: 0x803b002c,
  INVALID_INTERNAL_PORT: 0x803b002d,
  ADDR_INVALID_OR_RESERVED: 0x803b002f,
  INVALID_PREFIX: 0x803b0030,
  ENDPOINT_NOT_ATTACHED: 0x803b0034,
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.before(() => {
  sim(ctx, { op: 'configure', statePath: null });
});
test.beforeEach(() => {
  sim(ctx, { op: 'reset' });
});
test.after.always(() => {
  sim(ctx, { op: 'reset' });
  ctx.close();
});

/** A serial test that ends by checking that no handle or string is left alive. */
function simTest(title: string, fn: (t: ExecutionContext) => Promise<void>): void {
  test.serial(title, async (t) => {
    await fn(t);
    await assertClean(t, ctx);
  });
}

/** Awaits an HCN failure and checks HRESULT and ErrorRecord shape; returns the record. */
async function failsWith(t: ExecutionContext, p: Promise<unknown>, hresult: number, text?: RegExp): Promise<Obj> {
  const err = await rejectsWith(t, p, 'HCN_HRESULT');
  t.is(err.hresult, hresult, `HRESULT of: ${err.message}`);
  t.truthy(err.errorRecord, 'an ErrorRecord came back');
  const record = JSON.parse(err.errorRecord!) as Obj;
  t.is(record.Success, false);
  t.is(record.ErrorCode, hresult);
  t.is(typeof record.Error, 'string');
  t.true((record.Error as string).endsWith(' '), 'HNS-style trailing space');
  if (text) t.regex(record.Error as string, text);
  return record;
}

async function ids(family: NativeFamily, filter?: Obj, flags?: number): Promise<string[]> {
  const q: Obj = { SchemaVersion: { Major: 2, Minor: 0 } };
  if (filter) q.Filter = JSON.stringify(filter);
  if (flags !== undefined) q.Flags = flags;
  return JSON.parse(await ctx.enumerate(family, JSON.stringify(q), TIMEOUT)) as string[];
}

async function get(family: NativeFamily, id: string, detailed = false): Promise<Obj> {
  const q = detailed ? '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":1}' : PROPS;
  return JSON.parse(await ctx.query(family, id, q, TIMEOUT)) as Obj;
}

async function create(family: NativeFamily, settings: Obj | string, id: string | null = null, network?: string): Promise<Obj> {
  const text = typeof settings === 'string' ? settings : JSON.stringify(settings);
  return JSON.parse(await ctx.create(family, id, text, PROPS, TIMEOUT, network)) as Obj;
}

function lb(overrides: Obj = {}): Obj {
  return {
    HostComputeEndpoints: [EP14, EP15],
    FrontendVIPs: ['13.0.0.13'],
    PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 8000 }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 1,
    ...overrides,
  };
}

function setVersion(major: number, minor: number): void {
  sim(ctx, { op: 'setVersion', major, minor });
}

// ------------------------------------------------------------------------------------------------
// Default topology and queries

simTest('the default topology is the DSR walkthrough node', async (t) => {
  t.deepEqual(await ids('network'), [NET]);
  t.deepEqual(await ids('endpoint'), [EP14, EP15]);
  t.deepEqual(await ids('loadBalancer'), []);
  t.deepEqual(await ids('namespace'), []);
  const net = await get('network', NET);
  t.is(net.ID, NET);
  t.is(net.Name, 'vxlan0');
  t.is(net.Type, 'Overlay');
  t.is(net.ManagementIP, '10.231.111.97');
  t.deepEqual(net.SchemaVersion, { Major: 2, Minor: 0 });
  const subnet = net.Ipams[0].Subnets[0];
  t.is(subnet.IpAddressPrefix, '10.0.0.0/24');
  t.is(subnet.Routes[0].NextHop, '10.0.0.1');
  const rsr = (net.Policies as Obj[]).find((p) => p.Type === 'RemoteSubnetRoute')!;
  t.is(rsr.Settings.DestinationPrefix, '10.0.1.0/24');
  t.is(rsr.Settings.ProviderAddress, '10.231.111.98');
  const pa = (net.Policies as Obj[]).find((p) => p.Type === 'ProviderAddress')!;
  t.is(pa.Settings.ProviderAddress, '10.231.111.97');
  const ep = await get('endpoint', EP14.toLowerCase());
  t.is(ep.ID, EP14);
  t.is(ep.HostComputeNetwork, NET);
  t.deepEqual(ep.IpConfigurations, [{ IpAddress: '10.0.0.14', PrefixLength: 24 }]);
  t.is(ep.Flags, undefined, 'zero Flags omitted');
  t.is((await get('endpoint', EP15)).IpConfigurations[0].IpAddress, '10.0.0.15');
  const status = sim(ctx, { op: 'status' });
  t.deepEqual(status.counts, { networks: 1, endpoints: 2, loadBalancers: 0, namespaces: 0 });
  t.deepEqual(status.version, { Major: 13, Minor: 2 });
});

simTest('enumerate filters: only the keys HNS clients use (ID, Name, an endpoint\'s VirtualNetwork[Name])', async (t) => {
  t.deepEqual(await ids('network', { ID: NET.toLowerCase() }), [NET]);
  t.deepEqual(await ids('network', { Name: 'vxlan0' }), [NET]);
  t.deepEqual(await ids('network', { Name: 'nope' }), []);
  t.deepEqual(await ids('endpoint', { VirtualNetwork: NET.toLowerCase() }), [EP14, EP15]);
  t.deepEqual(await ids('endpoint', { VirtualNetworkName: 'vxlan0' }), [EP14, EP15]);
  t.deepEqual(await ids('endpoint', { Name: 'pod1' }), [EP14]);
  t.deepEqual(await ids('endpoint', { ID: EP15.toLowerCase() }), [EP15]);
  // The v2 property name is not a query key (hcsshim ListEndpointsOfNetwork's TODO), nor is any other
  // property: such a key matches nothing.
  t.deepEqual(await ids('endpoint', { HostComputeNetwork: NET }), []);
  t.deepEqual(await ids('endpoint', { IpAddress: '10.0.0.15' }), []);
  t.deepEqual(await ids('network', { Type: 'Overlay' }), []);
  t.deepEqual(await ids('endpoint', { NoSuchProperty: 'x' }), []);
  // A filter given as an object instead of a string is accepted; an empty query is the default.
  t.deepEqual(JSON.parse(await ctx.enumerate('network', JSON.stringify({ Filter: { Name: 'vxlan0' } }), TIMEOUT)), [NET]);
  t.deepEqual(JSON.parse(await ctx.enumerate('endpoint', '', TIMEOUT)), [EP14, EP15]);
  const all = (await ctx.list('endpoint', PROPS, PROPS, TIMEOUT)).map((s) => JSON.parse(s) as Obj);
  t.deepEqual(all.map((e) => e.ID), [EP14, EP15]);
});

simTest('enumerate and query reject invalid query JSON', async (t) => {
  await failsWith(t, ctx.enumerate('network', '{not json', TIMEOUT), HR.INVALID_JSON);
  await failsWith(t, ctx.enumerate('network', '[1,2]', TIMEOUT), HR.INVALID_JSON);
  await failsWith(t, ctx.enumerate('network', JSON.stringify({ Filter: '{broken' }), TIMEOUT), HR.INVALID_JSON);
  await failsWith(t, ctx.enumerate('network', JSON.stringify({ Flags: 'x' }), TIMEOUT), HR.INVALID_JSON);
  await failsWith(t, ctx.query('network', NET, '{"Flags":', TIMEOUT), HR.INVALID_JSON);
});

simTest('Detailed queries add State and resource allocators', async (t) => {
  const plain = await get('endpoint', EP14);
  t.is(plain.Resources, undefined);
  const detailed = await get('endpoint', EP14, true);
  t.is(detailed.State, 1);
  t.is(detailed.Resources.Allocators[0].Tag, 'Endpoint Port');
  t.regex(detailed.Resources.Allocators[0].EndpointPortGuid, /^[0-9A-F]{8}-/);
  const created = await create('loadBalancer', lb());
  const d = await get('loadBalancer', created.ID, true);
  t.is(d.Resources.Allocators.length, 1);
  t.is(d.Resources.Allocators[0].Tag, 'VFP ELB Policy');
  t.is(d.Resources.Allocators[0].IsDSR, true);
  t.is(d.Resources.Allocators[0].VIP_0, '13.0.0.13');
  await ctx.remove('loadBalancer', created.ID, TIMEOUT);
  const nonDsr = await create('loadBalancer', lb({ Flags: 0 }));
  t.is((await get('loadBalancer', nonDsr.ID, true)).Resources.Allocators[0].Tag, 'VFP ELB Policy Non Dsr');
  t.truthy((await get('network', NET, true)).Resources);
});

simTest('strings that are not valid UTF-16 are refused as invalid JSON', async (t) => {
  await failsWith(t, create('network', '{"Name":"\uD800x","Type":"NAT"}'), HR.INVALID_JSON);
  await failsWith(t, ctx.enumerate('network', '{"Filter":"\uDC00"}', TIMEOUT), HR.INVALID_JSON);
  // A valid surrogate pair goes through and comes back intact.
  const net = await create('network', { Name: 'net-\u{1F600}', Type: 'NAT' });
  t.is(net.Name, 'net-\u{1F600}');
  await ctx.remove('network', net.ID, TIMEOUT);
});

// ------------------------------------------------------------------------------------------------
// Networks

simTest('networks: create (assigned or caller GUID), query, enumerate, delete', async (t) => {
  const a = await create('network', { Name: 'nat1', Type: 'NAT', Flags: 0, Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '172.16.0.0/16' }] }] });
  t.regex(a.ID, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/, 'random v4 GUID, upper case');
  t.is(a.Name, 'nat1');
  t.is(a.Flags, undefined, 'zero values omitted');
  t.deepEqual(a.SchemaVersion, { Major: 2, Minor: 0 });
  const chosen = '0a1b2c3d-0000-4000-8000-00000000abcd';
  const b = await create('network', { Name: 'l2', Type: 'l2bridge' }, chosen);
  t.is(b.ID, chosen.toUpperCase());
  t.deepEqual(await ids('network'), [NET, a.ID, chosen.toUpperCase()]);
  await failsWith(t, create('network', { Name: 'dup', Type: 'NAT' }, chosen), HR.NETWORK_ALREADY_EXISTS);
  await ctx.remove('network', a.ID, TIMEOUT);
  await ctx.remove('network', chosen, TIMEOUT);
  t.deepEqual(await ids('network'), [NET]);
});

simTest('networks: validation and not-found errors', async (t) => {
  await failsWith(t, create('network', { Name: 'x' }), HR.INVALID_NETWORK_TYPE);
  await failsWith(t, create('network', { Name: 'x', Type: 'Bogus' }), HR.INVALID_NETWORK_TYPE);
  await failsWith(t, create('network', { Type: 'NAT', Ipams: [{ Subnets: [{ IpAddressPrefix: '10.0.0.0/33' }] }] }), HR.INVALID_PREFIX);
  await failsWith(
    t,
    create('network', { Type: 'NAT', Ipams: [{ Subnets: [{ IpAddressPrefix: '10.9.0.0/24', Routes: [{ NextHop: '10.9.0.300' }] }] }] }),
    HR.INVALID_IP,
  );
  await failsWith(
    t,
    create('network', { Type: 'Overlay', Policies: [{ Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.0.2.0/24', ProviderAddress: 'nope' } }] }),
    HR.INVALID_IP,
  );
  await failsWith(t, create('network', '{"Type":'), HR.INVALID_JSON);
  await failsWith(t, create('network', '"just a string"'), HR.INVALID_JSON);
  const unknown = '11111111-2222-4333-8444-555555555555';
  await failsWith(t, ctx.query('network', unknown, PROPS, TIMEOUT), HR.NETWORK_NOT_FOUND);
  await failsWith(t, ctx.remove('network', unknown, TIMEOUT), HR.NETWORK_NOT_FOUND);
  await failsWith(t, ctx.remove('network', NET, TIMEOUT), HR.ENTITY_HAS_REFERENCES, /endpoint/);
  t.deepEqual(await ids('network'), [NET], 'nothing changed');
});

simTest('networks: modify adds, updates and removes policies', async (t) => {
  const route = { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.0.2.0/24', IsolationId: 4096, ProviderAddress: '10.231.111.99' } };
  const add = { ResourceType: 'Policy', RequestType: 'Add', Settings: { Policies: [route] } };
  const after = JSON.parse(await ctx.modify('network', NET, JSON.stringify(add), PROPS, TIMEOUT)) as Obj;
  t.is((after.Policies as Obj[]).filter((p) => p.Type === 'RemoteSubnetRoute').length, 2);
  const update = { ResourceType: 'Policy', RequestType: 'Update', Settings: { Policies: [route] } };
  await ctx.modify('network', NET, JSON.stringify(update), '', TIMEOUT);
  t.is(((await get('network', NET)).Policies as Obj[]).filter((p) => p.Type === 'RemoteSubnetRoute').length, 1);
  const remove = { ResourceType: 'Policy', RequestType: 'Remove', Settings: { Policies: [route] } };
  await ctx.modify('network', NET, JSON.stringify(remove), '', TIMEOUT);
  t.is(((await get('network', NET)).Policies as Obj[]).filter((p) => p.Type === 'RemoteSubnetRoute').length, 0);
  await failsWith(t, ctx.modify('network', NET, JSON.stringify(remove), '', TIMEOUT), HR.POLICY_NOT_FOUND);
  await failsWith(t, ctx.modify('network', NET, JSON.stringify({ ResourceType: 'DNS', RequestType: 'Update', Settings: {} }), '', TIMEOUT), HR.REQUEST_UNSUPPORTED);
  await failsWith(t, ctx.modify('network', NET, JSON.stringify({ ResourceType: 'Policy', RequestType: 'Explode', Settings: { Policies: [] } }), '', TIMEOUT), HR.INVALIDARG);
  await failsWith(t, ctx.modify('network', NET, '{', '', TIMEOUT), HR.INVALID_JSON);
});

// ------------------------------------------------------------------------------------------------
// Endpoints

simTest('endpoints: a local endpoint without IPs gets the first free address of the subnet', async (t) => {
  const a = await create('endpoint', { Name: 'auto', HostComputeNetwork: NET }, null, NET);
  t.deepEqual(a.IpConfigurations, [{ IpAddress: '10.0.0.2', PrefixLength: 24 }], 'skips network and gateway');
  t.is(a.HostComputeNetwork, NET);
  t.regex(a.MacAddress, /^00-15-5D-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}$/);
  t.is(a.Routes[0].NextHop, '10.0.0.1');
  const b = await create('endpoint', {}, null, NET);
  t.is(b.IpConfigurations[0].IpAddress, '10.0.0.3');
  const c = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.200' }], MacAddress: '00-15-5d-aa-bb-cc' }, null, NET);
  t.deepEqual(c.IpConfigurations, [{ IpAddress: '10.0.0.200', PrefixLength: 24 }]);
  t.is(c.MacAddress, '00-15-5d-aa-bb-cc', 'MAC kept as sent');
  t.deepEqual(await ids('endpoint', { ID: c.ID }), [c.ID]);
  for (const id of [a.ID, b.ID, c.ID]) await ctx.remove('endpoint', id, TIMEOUT);
  t.deepEqual(await ids('endpoint'), [EP14, EP15]);
});

simTest('endpoints: remote endpoints (Flags 1 + ProviderAddress) may live outside the subnets', async (t) => {
  const remote = await create(
    'endpoint',
    {
      IpConfigurations: [{ IpAddress: '10.0.1.7' }],
      Flags: 1,
      Policies: [{ Type: 'ProviderAddress', Settings: { ProviderAddress: '10.231.111.98' } }],
      SchemaVersion: { Major: 2, Minor: 0 },
      HostComputeNetwork: NET.toLowerCase(),
    },
    null,
    NET,
  );
  t.is(remote.Flags, 1);
  t.is(remote.MacAddress, '02-11-0a-00-01-07', "kube-proxy's conjureMac (lower-case %02x) when none is sent");
  t.is(remote.Policies[0].Settings.ProviderAddress, '10.231.111.98');
  t.is(remote.HostComputeNetwork, NET);
  // A remote endpoint may share the IP of a local one.
  const twin = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.14' }], Flags: 1, MacAddress: '02-11-0a-00-00-0e' }, null, NET);
  t.is(twin.IpConfigurations[0].IpAddress, '10.0.0.14');
  await failsWith(t, create('endpoint', { Flags: 1 }, null, NET), HR.INVALID_IP);
  await failsWith(
    t,
    create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.1.8' }], Flags: 1, Policies: [{ Type: 'ProviderAddress', Settings: { ProviderAddress: 'x' } }] }, null, NET),
    HR.INVALID_IP,
  );
  // conjureMac turns an IPv4-mapped IPv6 address back into IPv4 first (net.IP.To4).
  const mapped = await create('endpoint', { IpConfigurations: [{ IpAddress: '::ffff:10.0.1.9' }], Flags: 1 }, null, NET);
  t.is(mapped.MacAddress, '02-11-0a-00-01-09');
  const v6 = await create('endpoint', { IpConfigurations: [{ IpAddress: 'fd00::1:2:3:4' }], Flags: 1 }, null, NET);
  t.is(v6.MacAddress, '02-11-04-00-03-00', 'IPv6: bytes 15, 14, 13, 12');
  for (const e of [remote, twin, mapped, v6]) await ctx.remove('endpoint', e.ID, TIMEOUT);
});

simTest('endpoints: a subnet with DoNotReserveGatewayAddress (SubnetFlags 1) lets an endpoint take the gateway address', async (t) => {
  const network = (flags: number | undefined, name: string) =>
    create('network', {
      Name: name,
      Type: 'L2Bridge',
      Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '192.168.50.0/24', Routes: [{ NextHop: '192.168.50.1', DestinationPrefix: '0.0.0.0/0' }], ...(flags === undefined ? {} : { Flags: flags }) }] }],
    });
  const reserved = await network(undefined, 'reserves-gateway');
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '192.168.50.1' }] }, null, reserved.ID), HR.ADDR_INVALID_OR_RESERVED);
  const free = await network(1, 'gateway-free');
  const onGateway = await create('endpoint', { IpConfigurations: [{ IpAddress: '192.168.50.1' }] }, null, free.ID);
  t.is(onGateway.IpConfigurations[0].IpAddress, '192.168.50.1');
  // Automatic addresses start at the gateway too when it is not reserved.
  const auto = await create('endpoint', {}, null, free.ID);
  t.is(auto.IpConfigurations[0].IpAddress, '192.168.50.2');
  await ctx.remove('endpoint', auto.ID, TIMEOUT);
  await ctx.remove('endpoint', onGateway.ID, TIMEOUT);
  const first = await create('endpoint', {}, null, free.ID);
  t.is(first.IpConfigurations[0].IpAddress, '192.168.50.1', 'the first free address is the gateway when it is not reserved');
  await ctx.remove('endpoint', first.ID, TIMEOUT);
  await ctx.remove('network', free.ID, TIMEOUT);
  await ctx.remove('network', reserved.ID, TIMEOUT);
});

simTest('endpoints: IP, MAC and network validation', async (t) => {
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.999' }] }, null, NET), HR.INVALID_IP);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '192.168.1.5' }] }, null, NET), HR.INVALID_IP, /no subnet/);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.14' }] }, null, NET), HR.ADDR_INVALID_OR_RESERVED);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.1' }] }, null, NET), HR.ADDR_INVALID_OR_RESERVED);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.0' }] }, null, NET), HR.ADDR_INVALID_OR_RESERVED);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.255' }] }, null, NET), HR.ADDR_INVALID_OR_RESERVED);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.30', PrefixLength: 40 }] }, null, NET), HR.INVALIDARG);
  await failsWith(t, create('endpoint', { MacAddress: '00:15:5d:aa:bb:cc' }, null, NET), HR.INVALIDARG, /MacAddress/);
  await failsWith(t, create('endpoint', { HostComputeNetwork: '11111111-2222-4333-8444-555555555555' }, null, NET), HR.INVALID_NETWORK);
  await failsWith(t, create('endpoint', '{"Name":', null, NET), HR.INVALID_JSON);
  // The network handle is opened first: an unknown network fails there.
  await failsWith(t, create('endpoint', {}, null, '11111111-2222-4333-8444-555555555555'), HR.NETWORK_NOT_FOUND);
  t.deepEqual(await ids('endpoint'), [EP14, EP15], 'nothing was created');
});

simTest('endpoints: an address is in use exactly while a local endpoint of the network holds it', async (t) => {
  // CreateEndpoint asks an index of local addresses (kept on create and delete) instead of reading
  // every endpoint; these are the rules that index must keep.
  const a = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.50' }] }, null, NET);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.50' }] }, null, NET), HR.ADDR_INVALID_OR_RESERVED);
  const remote = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.51' }], Flags: 1 }, null, NET);
  const local51 = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.51' }] }, null, NET); // a remote one holds nothing
  const first = await create('endpoint', {}, null, NET);
  const second = await create('endpoint', {}, null, NET);
  t.not(first.IpConfigurations[0].IpAddress, second.IpConfigurations[0].IpAddress, 'allocation skips the address it just gave');
  await ctx.remove('endpoint', first.ID, TIMEOUT);
  const again = await create('endpoint', {}, null, NET);
  t.is(again.IpConfigurations[0].IpAddress, first.IpConfigurations[0].IpAddress, 'a deleted endpoint frees its address');
  await ctx.remove('endpoint', a.ID, TIMEOUT);
  const reused = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.50' }] }, null, NET);
  for (const ep of [reused, again, second, local51, remote]) await ctx.remove('endpoint', ep.ID, TIMEOUT);
  t.deepEqual(await ids('endpoint'), [EP14, EP15]);
});

simTest('endpoints: create with a caller GUID, duplicates, not found, modify policies', async (t) => {
  const id = '22222222-3333-4444-8555-666666666666';
  const ep = await create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.40' }] }, id, NET);
  t.is(ep.ID, id);
  await failsWith(t, create('endpoint', { IpConfigurations: [{ IpAddress: '10.0.0.41' }] }, id, NET), HR.ALREADY_EXISTS);
  const add = { ResourceType: 'Policy', RequestType: 'Add', Settings: { Policies: [{ Type: 'OutBoundNAT', Settings: { Exceptions: ['10.0.0.0/8'] } }] } };
  const after = JSON.parse(await ctx.modify('endpoint', id, JSON.stringify(add), PROPS, TIMEOUT)) as Obj;
  t.is(after.Policies[0].Type, 'OutBoundNAT');
  await failsWith(t, ctx.modify('endpoint', id, JSON.stringify({ ResourceType: 'Port', RequestType: 'Update', Settings: {} }), '', TIMEOUT), HR.REQUEST_UNSUPPORTED);
  await ctx.remove('endpoint', id.toLowerCase(), TIMEOUT);
  await failsWith(t, ctx.query('endpoint', id, PROPS, TIMEOUT), HR.ENDPOINT_NOT_FOUND);
  await failsWith(t, ctx.remove('endpoint', id, TIMEOUT), HR.ENDPOINT_NOT_FOUND);
  await failsWith(t, ctx.modify('endpoint', id, JSON.stringify(add), '', TIMEOUT), HR.ENDPOINT_NOT_FOUND);
});

// ------------------------------------------------------------------------------------------------
// Load balancers

simTest('load balancers: created as sent plus ID, queried back, listed, deleted', async (t) => {
  const sent = lb({ HostComputeEndpoints: [EP14.toLowerCase(), EP15], SourceVIP: '10.0.0.2' });
  const created = await create('loadBalancer', sent);
  t.regex(created.ID, /^[0-9A-F-]{36}$/);
  t.deepEqual(created.HostComputeEndpoints, [EP14, EP15], 'references in canonical form');
  t.deepEqual(created.FrontendVIPs, ['13.0.0.13']);
  t.deepEqual(created.PortMappings, [{ Protocol: 6, InternalPort: 80, ExternalPort: 8000 }]);
  t.is(created.SourceVIP, '10.0.0.2');
  t.is(created.Flags, 1);
  t.deepEqual(created.SchemaVersion, { Major: 2, Minor: 0 });
  t.deepEqual(await get('loadBalancer', created.ID.toLowerCase()), created);
  t.deepEqual(await ids('loadBalancer'), [created.ID]);
  t.deepEqual(await ids('loadBalancer', { ID: created.ID.toLowerCase() }), [created.ID]);
  // hcsshim filters load balancers by ID only; other keys match nothing here.
  t.deepEqual(await ids('loadBalancer', { FrontendVIPs: '13.0.0.13' }), []);
  const listed = await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT);
  t.deepEqual(listed.map((s) => JSON.parse(s) as Obj), [created]);
  await ctx.remove('loadBalancer', created.ID, TIMEOUT);
  t.deepEqual(await ids('loadBalancer'), []);
  await failsWith(t, ctx.remove('loadBalancer', created.ID, TIMEOUT), HR.NOT_FOUND);
  await failsWith(t, ctx.query('loadBalancer', created.ID, PROPS, TIMEOUT), HR.NOT_FOUND);
});

simTest('load balancers: a caller GUID is honoured; an existing one is ERROR_ALREADY_EXISTS', async (t) => {
  const id = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
  const created = await create('loadBalancer', lb(), id.toLowerCase());
  t.is(created.ID, id);
  await failsWith(t, create('loadBalancer', lb({ FrontendVIPs: ['13.0.0.99'] }), id), HR.ALREADY_EXISTS);
  await ctx.remove('loadBalancer', id, TIMEOUT);
});

simTest('load balancers: backend references are required and must exist', async (t) => {
  await failsWith(t, create('loadBalancer', lb({ HostComputeEndpoints: [] })), HR.INVALID_JSON_REFERENCE, /HostComputeEndpoints/);
  const missing = lb();
  delete missing.HostComputeEndpoints;
  await failsWith(t, create('loadBalancer', missing), HR.INVALID_JSON_REFERENCE);
  await failsWith(t, create('loadBalancer', lb({ HostComputeEndpoints: ['not-a-guid'] })), HR.INVALID_JSON_REFERENCE);
  await failsWith(t, create('loadBalancer', lb({ HostComputeEndpoints: [EP14, '99999999-9999-4999-8999-999999999999'] })), HR.ENDPOINT_NOT_FOUND, /99999999/);
  await failsWith(t, create('loadBalancer', lb({ HostComputeNetwork: '99999999-9999-4999-8999-999999999999' })), HR.NETWORK_NOT_FOUND);
  await failsWith(t, create('loadBalancer', '{"HostComputeEndpoints":'), HR.INVALID_JSON);
  t.deepEqual(await ids('loadBalancer'), []);
});

simTest('load balancers: IPs, ports and families are validated', async (t) => {
  await failsWith(t, create('loadBalancer', lb({ FrontendVIPs: ['13.0.0.300'] })), HR.INVALID_IP);
  await failsWith(t, create('loadBalancer', lb({ SourceVIP: 'bogus' })), HR.INVALID_IP);
  await failsWith(t, create('loadBalancer', lb({ FrontendVIPs: ['fd00::13'] })), HR.INVALID_IP, /IPv6 flag/);
  await failsWith(t, create('loadBalancer', lb({ Flags: 3 })), HR.INVALID_IP, /IPv6 flag/);
  // HNS's ProtocolType: Unknown 0, ICMPv4 1, IGMP 2, TCP 6, UDP 17, ICMPv6 58; SCTP (132) is not one.
  for (const Protocol of [132, 3, 255])
    await failsWith(t, create('loadBalancer', lb({ PortMappings: [{ Protocol, InternalPort: 80, ExternalPort: 9000 }] })), HR.INVALIDARG, /Protocol/);
  for (const Protocol of [0, 1, 2, 6, 17, 58]) {
    const ok = await create('loadBalancer', lb({ PortMappings: [{ Protocol, InternalPort: 80, ExternalPort: 9100 + Protocol }] }));
    await ctx.remove('loadBalancer', ok.ID, TIMEOUT);
  }
  await failsWith(t, create('loadBalancer', lb({ PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 70000 }] })), HR.INVALIDARG);
  await failsWith(t, create('loadBalancer', lb({ PortMappings: [{ Protocol: 6, InternalPort: -1, ExternalPort: 80 }] })), HR.INVALIDARG);
  await failsWith(t, create('loadBalancer', lb({ PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 80, DistributionType: 7 }] })), HR.INVALIDARG);
  await failsWith(t, create('loadBalancer', lb({ PortMappings: [{ Protocol: 6, ExternalPort: 80 }] })), HR.INVALID_INTERNAL_PORT);
  await failsWith(
    t,
    create('loadBalancer', lb({ PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 80 }, { Protocol: 6, InternalPort: 81, ExternalPort: 80 }] })),
    HR.PORT_ALREADY_EXISTS,
  );
  const v6 = await create('loadBalancer', lb({ Flags: 3, FrontendVIPs: ['fd00::13'], SourceVIP: 'fd00::2' }));
  t.is(v6.Flags, 3);
  await ctx.remove('loadBalancer', v6.ID, TIMEOUT);
});

simTest('load balancers: same VIP, protocol and external port collide with HCN_E_PORT_ALREADY_EXISTS', async (t) => {
  const first = await create('loadBalancer', lb());
  const record = await failsWith(t, create('loadBalancer', lb({ HostComputeEndpoints: [EP15] })), HR.PORT_ALREADY_EXISTS, new RegExp(first.ID));
  t.regex(record.Error as string, /13\.0\.0\.13/);
  // Another protocol, port or VIP is fine.
  const udp = await create('loadBalancer', lb({ PortMappings: [{ Protocol: 17, InternalPort: 80, ExternalPort: 8000 }] }));
  const port = await create('loadBalancer', lb({ PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 8001 }] }));
  const vip = await create('loadBalancer', lb({ FrontendVIPs: ['13.0.0.14'] }));
  // Empty FrontendVIPs = all node IPs: collides with another empty one and with a node IP.
  const nodePort = lb({ FrontendVIPs: [], PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 30080, Flags: 18 }] });
  const np = await create('loadBalancer', nodePort);
  t.is(np.FrontendVIPs, undefined, 'empty list omitted');
  await failsWith(t, create('loadBalancer', nodePort), HR.PORT_ALREADY_EXISTS, /all node IPs/);
  await failsWith(t, create('loadBalancer', lb({ FrontendVIPs: ['10.231.111.97'], PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 30080 }] })), HR.PORT_ALREADY_EXISTS);
  const other = await create('loadBalancer', lb({ FrontendVIPs: ['13.0.0.50'], PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 30080 }] }));
  t.is((await ids('loadBalancer')).length, 6);
  for (const o of [first, udp, port, vip, np, other]) await ctx.remove('loadBalancer', o.ID, TIMEOUT);
  // Once the first is gone its frontend is free again.
  const again = await create('loadBalancer', lb());
  await ctx.remove('loadBalancer', again.ID, TIMEOUT);
});

simTest('load balancers: endpoints in use and networks with endpoints cannot be deleted', async (t) => {
  const created = await create('loadBalancer', lb({ HostComputeEndpoints: [EP14] }));
  await failsWith(t, ctx.remove('endpoint', EP14, TIMEOUT), HR.ENTITY_HAS_REFERENCES, new RegExp(created.ID));
  await failsWith(t, ctx.remove('network', NET, TIMEOUT), HR.ENTITY_HAS_REFERENCES);
  await ctx.remove('loadBalancer', created.ID, TIMEOUT);
  await ctx.remove('endpoint', EP14, TIMEOUT);
  await ctx.remove('endpoint', EP15, TIMEOUT);
  await ctx.remove('network', NET, TIMEOUT);
  t.deepEqual(await ids('network'), []);
  t.deepEqual(await ids('endpoint'), []);
});

simTest('version gates: DSR (9.3-9.x, >=10.2), IPv6 (>=11.10), session affinity (>=12.0)', async (t) => {
  const cases: Array<[number, number, boolean]> = [
    [9, 2, false],
    [9, 3, true],
    [9, 9, true],
    [10, 0, false],
    [10, 1, false],
    [10, 2, true],
    [13, 2, true],
  ];
  for (const [major, minor, ok] of cases) {
    setVersion(major, minor);
    if (ok) {
      const created = await create('loadBalancer', lb());
      await ctx.remove('loadBalancer', created.ID, TIMEOUT);
      t.pass(`DSR accepted at ${major}.${minor}`);
    } else {
      await failsWith(t, create('loadBalancer', lb()), HR.REQUEST_UNSUPPORTED, /platform does not support feature Direct Server Return \(DSR\)/);
    }
  }
  setVersion(10, 1);
  const plain = await create('loadBalancer', lb({ Flags: 0 }));
  await ctx.remove('loadBalancer', plain.ID, TIMEOUT);
  const v6 = lb({ Flags: 2, FrontendVIPs: ['fd00::10'] });
  setVersion(11, 9);
  await failsWith(t, create('loadBalancer', v6), HR.REQUEST_UNSUPPORTED, /IPv6 DualStack/);
  setVersion(11, 10);
  await ctx.remove('loadBalancer', (await create('loadBalancer', v6)).ID, TIMEOUT);
  const affinity = lb({ PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 8000, DistributionType: 2 }] });
  await failsWith(t, create('loadBalancer', affinity), HR.REQUEST_UNSUPPORTED, /Session Affinity/);
  setVersion(12, 0);
  const withAffinity = await create('loadBalancer', affinity);
  t.is(withAffinity.PortMappings[0].DistributionType, 2);
  await ctx.remove('loadBalancer', withAffinity.ID, TIMEOUT);
});

simTest('modify load balancer: E_NOTIMPL outside 15.5-15.x and >=16.0', async (t) => {
  const created = await create('loadBalancer', lb());
  const update = JSON.stringify(lb({ HostComputeEndpoints: [EP15] }));
  for (const [major, minor] of [
    [13, 2],
    [15, 4],
    [14, 9],
  ] as const) {
    setVersion(major, minor);
    await failsWith(t, ctx.modify('loadBalancer', created.ID, update, '', TIMEOUT), HR.NOTIMPL);
  }
  for (const [major, minor] of [
    [15, 5],
    [15, 12],
    [16, 0],
  ] as const) {
    setVersion(major, minor);
    const after = JSON.parse(await ctx.modify('loadBalancer', created.ID, update, PROPS, TIMEOUT)) as Obj;
    t.deepEqual(after.HostComputeEndpoints, [EP15]);
  }
  await ctx.remove('loadBalancer', created.ID, TIMEOUT);
});

simTest('modify load balancer: full object replaces it, keeps its ID, re-checks collisions excluding itself', async (t) => {
  setVersion(15, 5);
  const a = await create('loadBalancer', lb());
  const b = await create('loadBalancer', lb({ FrontendVIPs: ['13.0.0.20'] }));
  // Same frontend as itself: fine. New ports and backends replace the old ones.
  const full = lb({ ID: '00000000-0000-0000-0000-000000000001', HostComputeEndpoints: [EP14], PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 8000 }, { Protocol: 17, InternalPort: 53, ExternalPort: 53 }] });
  const after = JSON.parse(await ctx.modify('loadBalancer', a.ID, JSON.stringify(full), PROPS, TIMEOUT)) as Obj;
  t.is(after.ID, a.ID, 'ID kept, ID in the settings ignored');
  t.deepEqual(after.HostComputeEndpoints, [EP14]);
  t.is(after.PortMappings.length, 2);
  t.deepEqual(await get('loadBalancer', a.ID), after);
  // Moving onto b's frontend collides.
  await failsWith(t, ctx.modify('loadBalancer', a.ID, JSON.stringify(lb({ FrontendVIPs: ['13.0.0.20'] })), '', TIMEOUT), HR.PORT_ALREADY_EXISTS, new RegExp(b.ID));
  // The same validation as create.
  await failsWith(t, ctx.modify('loadBalancer', a.ID, JSON.stringify(lb({ HostComputeEndpoints: [] })), '', TIMEOUT), HR.INVALID_JSON_REFERENCE);
  await failsWith(t, ctx.modify('loadBalancer', a.ID, '{', '', TIMEOUT), HR.INVALID_JSON);
  // The hns.v2.psm1 envelope is accepted too.
  const envelope = { ResourceType: 'LoadBalancer', RequestType: 'Update', Settings: lb({ FrontendVIPs: ['13.0.0.21'] }) };
  const moved = JSON.parse(await ctx.modify('loadBalancer', a.ID, JSON.stringify(envelope), PROPS, TIMEOUT)) as Obj;
  t.deepEqual(moved.FrontendVIPs, ['13.0.0.21']);
  t.deepEqual((await get('loadBalancer', a.ID)).FrontendVIPs, ['13.0.0.21'], 'nothing else changed');
  t.deepEqual((await get('loadBalancer', b.ID)).FrontendVIPs, ['13.0.0.20']);
  await ctx.remove('loadBalancer', a.ID, TIMEOUT);
  await ctx.remove('loadBalancer', b.ID, TIMEOUT);
  await failsWith(t, ctx.modify('loadBalancer', a.ID, JSON.stringify(lb()), '', TIMEOUT), HR.NOT_FOUND);
});

// ------------------------------------------------------------------------------------------------
// Namespaces

simTest('namespaces: create, attach and detach endpoints, delete', async (t) => {
  const ns = await create('namespace', {});
  t.is(ns.Type, 'Host');
  t.is(typeof ns.NamespaceId, 'number');
  const ns2 = await create('namespace', { Type: 'HostDefault', Resources: [{ Type: 'Endpoint', Data: { ID: EP15.toLowerCase() } }] });
  t.is(ns2.Resources[0].Data.ID, EP15);
  t.is((await get('endpoint', EP15)).HostComputeNamespace, ns2.ID);
  t.not(ns2.NamespaceId, ns.NamespaceId);
  const add = (id: string) => JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Add', Settings: { EndpointId: id } });
  const remove = (id: string) => JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Remove', Settings: { EndpointId: id } });
  const after = JSON.parse(await ctx.modify('namespace', ns.ID, add(EP14), PROPS, TIMEOUT)) as Obj;
  t.deepEqual(after.Resources, [{ Type: 'Endpoint', Data: { ID: EP14 } }]);
  t.is((await get('endpoint', EP14)).HostComputeNamespace, ns.ID);
  await failsWith(t, ctx.modify('namespace', ns.ID, add(EP14), '', TIMEOUT), HR.ENDPOINT_NAMESPACE_ALREADY_EXISTS);
  await failsWith(t, ctx.modify('namespace', ns.ID, add(EP15), '', TIMEOUT), HR.ENDPOINT_NAMESPACE_ALREADY_EXISTS);
  await failsWith(t, ctx.modify('namespace', ns.ID, add('99999999-9999-4999-8999-999999999999'), '', TIMEOUT), HR.ENDPOINT_NOT_FOUND);
  await failsWith(t, ctx.modify('namespace', ns.ID, add('nope'), '', TIMEOUT), HR.INVALID_JSON_REFERENCE);
  await failsWith(t, ctx.modify('namespace', ns.ID, JSON.stringify({ ResourceType: 'Container', RequestType: 'Add', Settings: {} }), '', TIMEOUT), HR.REQUEST_UNSUPPORTED);
  await ctx.modify('namespace', ns.ID, remove(EP14), '', TIMEOUT);
  t.is((await get('endpoint', EP14)).HostComputeNamespace, undefined);
  await failsWith(t, ctx.modify('namespace', ns.ID, remove(EP14), '', TIMEOUT), HR.ENDPOINT_NOT_ATTACHED);
  await failsWith(t, create('namespace', { Type: 'Weird' }), HR.INVALIDARG);
  await failsWith(t, create('namespace', { Resources: [{ Type: 'Endpoint', Data: { ID: EP15 } }] }), HR.ENDPOINT_NAMESPACE_ALREADY_EXISTS);
  t.deepEqual(await ids('namespace'), [ns.ID, ns2.ID]);
  t.deepEqual(await ids('namespace', { ID: ns2.ID }), [ns2.ID]);
  t.deepEqual(await ids('namespace', { Type: 'HostDefault' }), [], 'not a query key');
  await ctx.remove('namespace', ns.ID, TIMEOUT);
  await ctx.remove('namespace', ns2.ID, TIMEOUT);
  t.is((await get('endpoint', EP15)).HostComputeNamespace, undefined, 'released with the namespace');
  await failsWith(t, ctx.query('namespace', ns.ID, PROPS, TIMEOUT), HR.NOT_FOUND);
  await failsWith(t, ctx.remove('namespace', ns.ID, TIMEOUT), HR.NOT_FOUND);
});

simTest('namespaces: deleting an endpoint releases it from its namespace', async (t) => {
  const ep = await create('endpoint', {}, null, NET);
  const ns = await create('namespace', { Resources: [{ Type: 'Endpoint', Data: { ID: ep.ID } }] });
  await ctx.remove('endpoint', ep.ID, TIMEOUT);
  t.is((await get('namespace', ns.ID)).Resources, undefined);
  await ctx.remove('namespace', ns.ID, TIMEOUT);
});

// ------------------------------------------------------------------------------------------------
// HNS v1

simTest('HNSCall: GET /globals/version follows setVersion', async (t) => {
  t.deepEqual(JSON.parse(await ctx.hnsCall('GET', '/globals/version', '', TIMEOUT)), { Success: true, Output: { Major: 13, Minor: 2 } });
  setVersion(15, 5);
  t.deepEqual(JSON.parse(await ctx.hnsCall('get', '/globals/version', '', TIMEOUT)), { Success: true, Output: { Major: 15, Minor: 5 } });
});

simTest('HNSCall: GET /policylists/ shows v2 load balancers as ELB policies with IsDSR', async (t) => {
  t.deepEqual(JSON.parse(await ctx.hnsCall('GET', '/policylists/', '', TIMEOUT)), { Success: true, Output: [] });
  const dsr = await create(
    'loadBalancer',
    lb({
      SourceVIP: '10.0.0.2',
      PortMappings: [
        { Protocol: 6, InternalPort: 80, ExternalPort: 8000 },
        { Protocol: 17, InternalPort: 53, ExternalPort: 53, Flags: 1 },
      ],
    }),
  );
  const plain = await create('loadBalancer', lb({ Flags: 0, FrontendVIPs: ['13.0.0.14'], HostComputeEndpoints: [EP15], PortMappings: [{ InternalPort: 1, ExternalPort: 2, Flags: 2 }] }));
  const all = JSON.parse(await ctx.hnsCall('GET', '/policylists/', '', TIMEOUT)) as Obj;
  t.true(all.Success);
  t.is(all.Output.length, 2);
  const one = all.Output[0] as Obj;
  t.deepEqual(one, {
    ID: dsr.ID,
    References: [`/endpoints/${EP14}`, `/endpoints/${EP15}`],
    Policies: [
      { Type: 'ELB', Protocol: 6, InternalPort: 80, ExternalPort: 8000, SourceVIP: '10.0.0.2', VIPs: ['13.0.0.13'], ILB: false, IsDSR: true },
      { Type: 'ELB', Protocol: 17, InternalPort: 53, ExternalPort: 53, SourceVIP: '10.0.0.2', VIPs: ['13.0.0.13'], ILB: true, IsDSR: true },
    ],
  });
  t.deepEqual(all.Output[1].Policies, [{ Type: 'ELB', InternalPort: 1, ExternalPort: 2, VIPs: ['13.0.0.14'], ILB: false, LocalRoutedVip: true, IsDSR: false }]);
  const single = JSON.parse(await ctx.hnsCall('GET', `/policylists/${plain.ID.toLowerCase()}`, '', TIMEOUT)) as Obj;
  t.true(single.Success);
  t.is(single.Output.ID, plain.ID);
  const unknown = JSON.parse(await ctx.hnsCall('GET', '/policylists/99999999-9999-4999-8999-999999999999', '', TIMEOUT)) as Obj;
  t.is(unknown.Success, false);
  t.is(typeof unknown.Error, 'string');
  for (const o of [dsr, plain]) await ctx.remove('loadBalancer', o.ID, TIMEOUT);
});

simTest('HNSCall: unknown paths and methods answer Success:false', async (t) => {
  for (const [method, path] of [
    ['GET', '/nothing/here'],
    ['POST', '/policylists/'],
    ['DELETE', '/globals/version'],
    ['GET', '/policylists/not-a-guid'],
  ]) {
    const r = JSON.parse(await ctx.hnsCall(method!, path!, '', TIMEOUT)) as Obj;
    t.is(r.Success, false, `${method} ${path}`);
    t.true(typeof r.Error === 'string' && r.Error.length > 0);
  }
});
