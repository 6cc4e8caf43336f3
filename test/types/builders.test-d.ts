// Type tests (tsd) of the builder, schema, error and feature types as emitted in dist/index.d.ts:
// positive examples and expectError cases for every options union.
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import {
  FEATURE_TABLE,
  HcnArgumentError,
  HcnError,
  HcnFeatureNotSupportedError,
  HcnValidationError,
  LoadBalancer,
  LoadBalancerBuilder,
  featuresForVersion,
  fromNativeError,
  parseIp,
  parseLoadBalancer,
  validateLoadBalancerSpec,
  type BackendRef,
  type BackendSpec,
  type Distribution,
  type EndpointInfo,
  type FeatureName,
  type Features,
  type LoadBalancerInfo,
  type LoadBalancerSpec,
  type PortMapping,
  type PortOptions,
  type Protocol,
} from '../..';

declare const endpoint: EndpointInfo;
declare const info: LoadBalancerInfo;
declare const features: Features;

const builder = LoadBalancer.builder();
expectType<LoadBalancerBuilder>(builder);
expectType<LoadBalancerBuilder>(LoadBalancer.builder(info));
const spec = builder
  .frontend('13.0.0.13')
  .sourceVip('10.231.111.97')
  .backend('10.0.0.14')
  .backend(endpoint)
  .backend({ id: '3599612c-54b4-4b9d-9258-4fc5e2100549' })
  .backends(['10.0.0.15'])
  .backends([endpoint])
  .port({ protocol: 'tcp', external: 8000, internal: 80 })
  .port({ protocol: 17, external: 53 })
  .affinity('sourceIp')
  .dsr()
  .build({ features });
expectType<LoadBalancerSpec>(spec);
expectType<LoadBalancerSpec>(LoadBalancer.builder(spec).build());
expectType<LoadBalancerSpec>(validateLoadBalancerSpec(JSON.parse('{}') as unknown));
expectType<LoadBalancerBuilder>(LoadBalancer.builder().network('vxlan0'));
expectType<LoadBalancerBuilder>(LoadBalancer.builder().network(undefined));
expectError(LoadBalancer.builder().network(7));
expectType<string | undefined>(spec.network);

// Protocol union
expectType<Protocol>(spec.ports[0]!.protocol);
expectAssignable<Protocol>('sctp');
expectNotAssignable<Protocol>('icmp');
expectError(builder.port({ protocol: 'icmp', external: 80 }));
expectError(builder.port({ protocol: 'TCP', external: 80 }));
expectError(builder.port({ protocol: 'tcp' }));
expectError(builder.port({ external: 80 }));
expectError(builder.port({ protocol: 'tcp', external: '80' }));

// Distribution / affinity union
expectAssignable<Distribution>('sourceIpProtocol');
expectNotAssignable<Distribution>('clientIp');
expectError(builder.affinity('clientIp'));
expectError(builder.affinity());
expectError(builder.port({ protocol: 'tcp', external: 80, distribution: 'sticky' }));
expectError(builder.port({ protocol: 'tcp', external: 80, preserveDip: 'yes' }));
expectAssignable<PortOptions>({ protocol: 'udp', external: 53, distribution: 'none', useMux: true });

// BackendRef
expectAssignable<BackendRef>('10.0.0.14');
expectAssignable<BackendRef>(endpoint);
expectNotAssignable<BackendRef>(42);
expectNotAssignable<BackendRef>({ ip: '10.0.0.14' });
expectError(builder.backend(42));
expectError(builder.backend({ ip: '10.0.0.14' }));
expectError(builder.backend({ id: 42 }));
expectError(builder.backends('10.0.0.14' as unknown as number));

// BackendSpec is a discriminated union
const b: BackendSpec = spec.backends[0]!;
if (b.kind === 'id') expectType<string>(b.id);
else expectType<string>(b.ip);
expectError(spec.backends[0]!.ip);

// Specs are read-only
expectError((spec.frontendVips as string[]) && spec.frontendVips.push('13.0.0.14'));
expectError((spec.dsr = false));
expectError((spec.ports[0]!.external = 1));
expectType<readonly PortMapping[]>(spec.ports);

// Errors
declare const err: unknown;
if (err instanceof HcnValidationError) {
  expectType<string>(err.field);
  expectType<string>(err.rule);
  expectType<number | undefined>(err.hresult);
}
if (err instanceof HcnFeatureNotSupportedError) {
  expectType<FeatureName>(err.feature);
  expectType<string>(err.minVersion);
  expectType<string | undefined>(err.hostVersion);
}
declare const nativeErr: Parameters<typeof fromNativeError>[0];
expectType<HcnError | HcnArgumentError>(fromNativeError(nativeErr));

// Features
expectType<boolean>(featuresForVersion({ major: 10, minor: 2 }).supported.dsr);
expectType<Features>(featuresForVersion(undefined, { modifyLoadBalancer: false }));
expectError(featuresForVersion({ major: 10, minor: 2 }, { directServerReturn: true }));
expectError(featuresForVersion({ major: 10 }));
expectType<string>(FEATURE_TABLE.dsr.title);
expectError(FEATURE_TABLE.bogus);

// Schema / IP
expectType<{ address: string; family: 4 | 6 } | null>(parseIp('10.0.0.1'));
expectType<LoadBalancerInfo>(parseLoadBalancer('{}'));
expectError(parseLoadBalancer(42));
