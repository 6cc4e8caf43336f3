// HNS document (de)serialisation: hcsshim-style omitempty output, tolerant parsing, queries.
import test from 'ava';
import { LoadBalancer } from '../../ts/builders';
import { HcnError } from '../../ts/errors';
import { frontendKeys } from '../../ts/internal/lb-match';
import { loadBalancerFrontendKeysOf } from '../../ts/schema/load-balancer-json';
import {
  ENUM_NAMES,
  LoadBalancerFlags,
  PortMappingFlags,
  isGuid,
  loadBalancerToHns,
  normalizeGuid,
  parseEndpoint,
  parseEnumValue,
  parseEnumerateResponse,
  parseLoadBalancer,
  parseNetwork,
  providerAddressFor,
  query,
  remoteEndpointToHns,
  serializeLoadBalancer,
} from '../../ts/schema';

const EP1 = '3599612c-54b4-4b9d-9258-4fc5e2100549';
const EP2 = '9b5b1c3e-1111-4222-8333-444455556666';

test('the walkthrough DSR load balancer serialises like hcsshim', (t) => {
  const spec = LoadBalancer.builder()
    .frontend('13.0.0.13')
    .backends([EP1, EP2])
    .port({ protocol: 'tcp', external: 8000, internal: 80 })
    .dsr()
    .build();
  t.is(
    serializeLoadBalancer(spec),
    `{"HostComputeEndpoints":["${EP1}","${EP2}"],"FrontendVIPs":["13.0.0.13"],` +
      '"PortMappings":[{"Protocol":6,"InternalPort":80,"ExternalPort":8000}],"SchemaVersion":{"Major":2,"Minor":0},"Flags":1}',
  );
});

test('zero values are omitted; flags and distribution are numbers', (t) => {
  const plain = LoadBalancer.builder().backend(EP1).port({ protocol: 'any', external: 53 }).build();
  t.deepEqual(loadBalancerToHns(plain), {
    HostComputeEndpoints: [EP1],
    PortMappings: [{ InternalPort: 53, ExternalPort: 53 }],
    SchemaVersion: { Major: 2, Minor: 0 },
  });
  const ingress = LoadBalancer.builder()
    .frontend('13.0.0.13')
    .sourceVip('10.0.0.2')
    .backend(EP1)
    .port({ protocol: 'tcp', external: 8000, internal: 80, useMux: true, preserveDip: true, vipExternalIp: true })
    .affinity('sourceIp')
    .dsr()
    .build();
  t.deepEqual(loadBalancerToHns(ingress, [EP1]), {
    HostComputeEndpoints: [EP1],
    SourceVIP: '10.0.0.2',
    FrontendVIPs: ['13.0.0.13'],
    PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 8000, DistributionType: 2, Flags: 28 }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 1,
  });
  const v6 = LoadBalancer.builder().frontend('fd00::10').backend('fd00::1:14').port({ protocol: 'udp', external: 53 }).build();
  t.is(loadBalancerToHns(v6, [EP2]).Flags, LoadBalancerFlags.IPv6);
});

test('IP backends must be resolved before serialising', (t) => {
  const spec = LoadBalancer.builder().backend('10.0.0.14').port({ protocol: 'tcp', external: 80 }).build();
  t.throws(() => loadBalancerToHns(spec), { instanceOf: TypeError, message: /10\.0\.0\.14/ });
  t.deepEqual(loadBalancerToHns(spec, [EP1]).HostComputeEndpoints, [EP1]);
});

test('parseLoadBalancer reads what HNS returns', (t) => {
  const info = parseLoadBalancer({
    Id: '3599612C-54B4-4B9D-9258-4FC5E2100549',
    HostComputeEndpoints: ['9B5B1C3E-1111-4222-8333-444455556666'],
    FrontendVIPs: ['13.0.0.13'],
    PortMappings: [{ Protocol: 17, InternalPort: 53, ExternalPort: 5353, DistributionType: 'SourceIPProtocol', Flags: 'EnableInternalLoadBalancer, LocalRoutedVip' }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 'EnableDirectServerReturn',
  });
  t.is(info.id, EP1);
  t.deepEqual(info.backendIds, [EP2]);
  t.true(info.dsr);
  t.false(info.ipv6);
  t.is(info.flags, 1);
  t.deepEqual(info.ports, [
    {
      protocol: 'udp',
      external: 5353,
      internal: 53,
      distribution: 'sourceIpProtocol',
      ilb: true,
      localRoutedVip: true,
      useMux: false,
      preserveDip: false,
      vipExternalIp: false,
    },
  ]);
  t.is(info.sourceVip, undefined);
});

test('parseLoadBalancer defaults missing fields and accepts JSON text', (t) => {
  const info = parseLoadBalancer('{"ID":"3599612c-54b4-4b9d-9258-4fc5e2100549","PortMappings":[{}],"SourceVIP":""}');
  t.deepEqual(info.frontendVips, []);
  t.deepEqual(info.backendIds, []);
  t.is(info.sourceVip, undefined);
  t.false(info.dsr);
  t.is(info.flags, 0);
  t.is(info.ports[0]!.protocol, 'any');
  t.is(info.ports[0]!.external, 0);
  t.is(info.ports[0]!.distribution, 'none');
  const ipv6 = parseLoadBalancer({ ID: EP1, Flags: 3, FrontendVIPs: ['FD00:0::10'] });
  t.true(ipv6.ipv6 && ipv6.dsr);
  t.deepEqual(ipv6.frontendVips, ['fd00::10']);
  t.is(t.throws(() => parseLoadBalancer('not json'), { instanceOf: HcnError }).code, 'HCN_INVALID_RESPONSE');
  t.is(t.throws(() => parseLoadBalancer('[1]'), { instanceOf: HcnError }).code, 'HCN_INVALID_RESPONSE');
});

test('spec → HNS JSON → parse round trip', (t) => {
  const spec = LoadBalancer.builder()
    .frontend('13.0.0.13', '13.0.0.14')
    .sourceVip('10.231.111.97')
    .backends([EP1, EP2])
    .port({ protocol: 'tcp', external: 8000, internal: 80, preserveDip: true, useMux: true })
    .port({ protocol: 'udp', external: 53, ilb: true, localRoutedVip: true, vipExternalIp: true })
    .affinity('sourceIpProtocol')
    .dsr()
    .build();
  const info = parseLoadBalancer(serializeLoadBalancer(spec));
  t.deepEqual(info.frontendVips, [...spec.frontendVips]);
  t.is(info.sourceVip, spec.sourceVip);
  t.deepEqual(info.backendIds, [EP1, EP2]);
  t.deepEqual(info.ports, spec.ports.map((p) => ({ ...p })));
  t.is(info.dsr, spec.dsr);
  t.is(info.ipv6, spec.ipv6);
  t.deepEqual(LoadBalancer.builder(info).build(), spec);
});

test('parseEndpoint: local, remote, v1 fields', (t) => {
  const local = parseEndpoint({
    ID: '9B5B1C3E-1111-4222-8333-444455556666',
    Name: 'pod-a',
    HostComputeNetwork: '3599612C-54B4-4B9D-9258-4FC5E2100549',
    HostComputeNamespace: 'ABCDEF00-1111-4222-8333-444455556666',
    IpConfigurations: [{ IpAddress: '10.0.0.14', PrefixLength: 24 }, { IpAddress: 'FD00::E' }],
    MacAddress: '00-15-5D-01-02-03',
  });
  t.is(local.id, EP2);
  t.is(local.networkId, EP1);
  t.deepEqual(local.ipAddresses, ['10.0.0.14', 'fd00::e']);
  t.deepEqual(local.ipConfigurations[0], { ipAddress: '10.0.0.14', prefixLength: 24 });
  t.false(local.remote);
  t.is(local.providerAddress, undefined);
  t.is(local.macAddress, '00-15-5d-01-02-03', 'one case everywhere: lower');
  t.is(local.raw.MacAddress, '00-15-5D-01-02-03', 'raw keeps what HNS said');
  t.is(local.namespaceId, 'abcdef00-1111-4222-8333-444455556666');

  const remote = parseEndpoint(
    JSON.stringify(remoteEndpointToHns({ networkId: EP1, ip: '10.244.3.7', providerAddress: '192.168.1.23' })),
  );
  t.true(remote.remote);
  t.is(remote.providerAddress, '192.168.1.23');
  t.is(remote.macAddress, '02-11-0a-f4-03-07');
  t.deepEqual(remote.ipAddresses, ['10.244.3.7']);

  const v1 = parseEndpoint({ ID: EP2, IPAddress: '10.0.0.15', IsRemoteEndpoint: true, VirtualNetwork: EP1.toUpperCase() });
  t.true(v1.remote);
  t.deepEqual(v1.ipAddresses, ['10.0.0.15']);
  t.is(v1.networkId, EP1);
  const named = parseEndpoint({ ID: EP2, Flags: 'RemoteEndpoint' });
  t.true(named.remote);
});

test('remoteEndpointToHns matches kube-proxy', (t) => {
  t.deepEqual(remoteEndpointToHns({ networkId: EP1, ip: '10.244.3.7', providerAddress: '192.168.1.23' }), {
    IpConfigurations: [{ IpAddress: '10.244.3.7' }],
    MacAddress: '02-11-0a-f4-03-07',
    Flags: 1,
    Policies: [{ Type: 'ProviderAddress', Settings: { ProviderAddress: '192.168.1.23' } }],
    SchemaVersion: { Major: 2, Minor: 0 },
    HostComputeNetwork: EP1,
  });
  t.throws(() => remoteEndpointToHns({ networkId: EP1, ip: 'nope' }), { instanceOf: TypeError });
});

test('parseNetwork: overlay with RemoteSubnetRoutes', (t) => {
  const net = parseNetwork({
    ID: EP1.toUpperCase(),
    Name: 'vxlan0',
    Type: 'Overlay',
    ManagementIP: '10.231.111.97',
    Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '10.0.0.0/24' }] }],
    Policies: [
      { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.244.3.0/24', IsolationId: 4096, ProviderAddress: '192.168.1.23' } },
      { type: 'remotesubnetroute', settings: { destinationPrefix: '10.244.4.0/24', providerAddress: '192.168.1.24' } },
      { Type: 'VxlanPort', Settings: { Port: 4789 } },
    ],
  });
  t.is(net.id, EP1);
  t.is(net.type, 'Overlay');
  t.deepEqual(net.subnets, ['10.0.0.0/24']);
  t.is(net.managementIp, '10.231.111.97');
  t.deepEqual(net.remoteSubnetRoutes, [
    { prefix: '10.244.3.0/24', providerAddress: '192.168.1.23', isolationId: 4096 },
    { prefix: '10.244.4.0/24', providerAddress: '192.168.1.24' },
  ]);
  t.is(providerAddressFor(net, '10.244.4.9'), '192.168.1.24');
  t.is(providerAddressFor(net, '10.245.0.1'), undefined);
  t.is(parseNetwork({ ID: EP1, Type: 0 }).type, 'NAT');
});

test('providerAddressFor follows kube-proxy: the last matching route wins; a remote node\'s own IP matches its route', (t) => {
  // kube-proxy winkernel findRemoteSubnetProviderAddress: every route whose prefix contains the IP, or
  // whose provider address is the IP (a pod on another node's host network), overwrites the answer.
  const net = parseNetwork({
    ID: EP1,
    Type: 'Overlay',
    Policies: [
      { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.244.3.0/24', ProviderAddress: '192.168.1.23' } },
      { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.244.0.0/16', ProviderAddress: '192.168.1.99' } },
      { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.245.0.0/24', ProviderAddress: '192.168.1.24' } },
    ],
  });
  t.is(providerAddressFor(net, '10.244.3.7'), '192.168.1.99', 'last match, not first');
  t.is(providerAddressFor(net, '192.168.1.24'), '192.168.1.24', 'a node IP that is a route\'s provider address');
  t.is(providerAddressFor(net, '10.246.0.1'), undefined);
  t.is(parseNetwork('{}').name, '');
});

test('query() builds HostComputeQuery JSON with a double-encoded filter', (t) => {
  t.is(query(), '{"SchemaVersion":{"Major":2,"Minor":0}}');
  t.is(query({}), '{"SchemaVersion":{"Major":2,"Minor":0}}');
  const q = query({ ID: EP1 });
  t.is(q, `{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"ID\\":\\"${EP1}\\"}"}`);
  t.deepEqual(JSON.parse((JSON.parse(q) as { Filter: string }).Filter), { ID: EP1 });
  t.is(query(undefined, true), '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":1}');
});

test('enumerate responses and GUIDs', (t) => {
  t.deepEqual(parseEnumerateResponse(`["${EP1.toUpperCase()}","junk",null]`), [EP1]);
  t.deepEqual(parseEnumerateResponse(''), []);
  t.deepEqual(parseEnumerateResponse('null'), []);
  t.true(isGuid(EP1));
  t.false(isGuid(`{${EP1}}`));
  t.false(isGuid(EP1.slice(1)));
  t.is(normalizeGuid(EP1.toUpperCase()), EP1);
  t.is(normalizeGuid(42), null);
});

test('enum values as numbers or names', (t) => {
  t.is(parseEnumValue(28, ENUM_NAMES.portMappingFlags), 28);
  t.is(parseEnumValue('UseMux|EnablePreserveDip|VipExternalIP', ENUM_NAMES.portMappingFlags), 28);
  t.is(parseEnumValue('NotUsed', ENUM_NAMES.portMappingFlags), PortMappingFlags.UseMux);
  t.is(parseEnumValue('SourceIP', ENUM_NAMES.distribution), 2);
  t.is(parseEnumValue('7', ENUM_NAMES.loadBalancerFlags), 7);
  t.is(parseEnumValue(undefined, ENUM_NAMES.loadBalancerFlags), 0);
  t.is(parseEnumValue('Bogus', ENUM_NAMES.loadBalancerFlags), undefined);
  t.is(parseEnumValue(-1, ENUM_NAMES.loadBalancerFlags), undefined);
});

test('the frontend keys a listing remembers are those of parseLoadBalancer of the same document', (t) => {
  // loadBalancerFrontendKeysOf reads only VIPs, protocols and ports; it must agree with the keys of
  // the full parse for every shape parseLoadBalancer tolerates.
  const docs: object[] = [
    { ID: 'A', FrontendVIPs: ['13.0.0.13'], PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: 8000 }] },
    { FrontendVIPs: ['FD00:0:0::20', '13.0.0.013', 'not-an-ip'], PortMappings: [{ Protocol: 'UDP', ExternalPort: '53' }, { Protocol: 17, ExternalPort: 54 }] },
    { PortMappings: [{ Protocol: 58, ExternalPort: 1 }, { ExternalPort: 2 }, 'junk', null, { Protocol: 'bogus', ExternalPort: 3 }] },
    { frontendvips: ['10.0.0.1'], portmappings: [{ protocol: 'tcp', externalport: 80 }] },
    { FrontendVIPs: ['10.0.0.1', 7], PortMappings: [] },
    {},
  ];
  for (const doc of docs) t.deepEqual(loadBalancerFrontendKeysOf(doc as Record<string, unknown>), frontendKeys(parseLoadBalancer(doc)), JSON.stringify(doc));
});
