// Type tests (tsd) of the client's options as emitted in dist/index.d.ts: Hcn.open options, the
// per-call options, the load balancer filter and LoadBalancerHandle.update, with expectError cases
// for each options union (backend, protocol, affinity, timeoutMs).
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import {
  Hcn,
  HcnNotificationType,
  LoadBalancer,
  LoadBalancerHandle,
  type BackendName,
  type CallOptions,
  type Frontend,
  type HcnNotification,
  type LoadBalancerFilter,
  type LoadBalancerInfo,
  type LoadBalancerSpec,
  type NativePoolStats,
  type OpenOptions,
  type UpdateResult,
} from '../..';

declare const hcn: Hcn;
declare const lb: LoadBalancerHandle;
declare const spec: LoadBalancerSpec;

// Hcn.open options
expectType<Promise<Hcn>>(Hcn.open());
expectType<Promise<Hcn>>(Hcn.open({}));
expectType<Promise<Hcn>>(Hcn.open({ backend: 'simulated' }));
expectType<Promise<Hcn>>(Hcn.open({ backend: 'hcn', timeoutMs: 10_000, threads: 8 }));
expectType<Promise<Hcn>>(Hcn.open({ backend: 'simulated', statePath: 'hns.json', features: { modifyLoadBalancer: false, dsr: true } }));
expectType<Promise<Hcn>>(Hcn.open({ backend: undefined, statePath: undefined, timeoutMs: undefined }));
expectAssignable<BackendName>('hcn');
expectNotAssignable<BackendName>('foo');
expectError(Hcn.open({ backend: 'foo' }));
expectError(Hcn.open({ backend: 'HCN' }));
expectError(Hcn.open({ timeoutMs: '5' }));
expectError(Hcn.open({ threads: '4' }));
expectError(Hcn.open({ statePath: 42 }));
expectError(Hcn.open({ features: { noSuchFeature: true } }));
expectError(Hcn.open({ features: { dsr: 'yes' } }));
expectNotAssignable<OpenOptions>({ backend: 'foo' });
expectNotAssignable<OpenOptions>({ timeoutMs: '5' });
expectType<BackendName>(hcn.backend);
expectType<number>(hcn.timeoutMs);
expectType<NativePoolStats>(hcn.poolStats());

// CallOptions on every call
const ac = new AbortController();
expectAssignable<CallOptions>({});
expectAssignable<CallOptions>({ signal: ac.signal, timeoutMs: 5000 });
expectNotAssignable<CallOptions>({ timeoutMs: '5' });
expectNotAssignable<CallOptions>({ signal: 'abort' });
expectType<Promise<LoadBalancerHandle>>(hcn.loadBalancers.get('0badc0de-0000-4000-8000-000000000001', { timeoutMs: 5000 }));
expectType<Promise<boolean>>(hcn.loadBalancers.delete('0badc0de-0000-4000-8000-000000000001', { signal: ac.signal }));
expectType<Promise<LoadBalancerInfo>>(lb.refresh({ signal: ac.signal, timeoutMs: 1000 }));
expectError(hcn.loadBalancers.get('0badc0de-0000-4000-8000-000000000001', { timeoutMs: '5' }));
expectError(hcn.networks.list({ timeoutMs: '5' }));
expectError(hcn.features({ refresh: 'yes' }));
expectError(lb.refresh({ signal: true }));

// loadBalancers.list filter
expectType<Promise<LoadBalancerHandle[]>>(hcn.loadBalancers.list());
expectType<Promise<LoadBalancerHandle[]>>(hcn.loadBalancers.list({ vip: '13.0.0.13' }));
expectType<Promise<LoadBalancerHandle[]>>(hcn.loadBalancers.list({ vip: '13.0.0.13', protocol: 'tcp', port: 8000, timeoutMs: 5000 }));
expectType<Promise<LoadBalancerHandle[]>>(hcn.loadBalancers.list({ protocol: 'any', signal: ac.signal }));
expectAssignable<LoadBalancerFilter>({ protocol: 'sctp' });
expectNotAssignable<LoadBalancerFilter>({ protocol: 'icmp' });
expectError(hcn.loadBalancers.list({ protocol: 'icmp' }));
expectError(hcn.loadBalancers.list({ protocol: 'TCP' }));
expectError(hcn.loadBalancers.list({ port: '8000' }));
expectError(hcn.loadBalancers.list({ vip: 13 }));
expectError(hcn.loadBalancers.list({ timeoutMs: '5' }));

// findByFrontend: every part required
const frontend: Frontend = { vip: '13.0.0.13', protocol: 'tcp', port: 8000 };
expectType<Promise<LoadBalancerHandle | undefined>>(hcn.loadBalancers.findByFrontend(frontend, { timeoutMs: 5000 }));
expectType<Promise<LoadBalancerHandle | undefined>>(hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'udp', port: 53 }));
expectError(hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'tcp' }));
expectError(hcn.loadBalancers.findByFrontend({ vip: '13.0.0.13', protocol: 'icmp', port: 8000 }));

// LoadBalancerHandle.update
expectType<Promise<LoadBalancerHandle>>(lb.update(spec));
expectType<Promise<LoadBalancerHandle>>(lb.update(spec, { signal: ac.signal, timeoutMs: 5000 }));
expectType<Promise<LoadBalancerHandle>>(hcn.loadBalancers.update(lb.id, spec, { timeoutMs: 5000 }));
expectType<UpdateResult | undefined>(lb.lastUpdate);
expectType<'modify' | 'create-then-delete' | 'delete-then-create' | undefined>(lb.lastUpdate?.strategy);
const next = LoadBalancer.builder(lb.info).backends(['10.0.0.14']).affinity('sourceIp').build();
expectType<Promise<LoadBalancerHandle>>(lb.update(next));
expectError(lb.update());
expectError(lb.update(spec, { timeoutMs: '5' }));
expectError(lb.update({ frontendVips: ['13.0.0.13'] }));
expectType<Promise<LoadBalancerHandle>>(lb.update({ ...spec, ports: [{ ...spec.ports[0]!, distribution: 'sourceIpProtocol' }] }));
expectType<Promise<LoadBalancerHandle>>(lb.update({ ...spec, ports: [{ ...spec.ports[0]!, protocol: 'udp' }] }));
expectError(lb.update({ ...spec, ports: [{ ...spec.ports[0]!, distribution: 'x' }] }));
expectError(lb.update({ ...spec, ports: [{ ...spec.ports[0]!, protocol: 'icmp' }] }));
expectType<LoadBalancerSpec>(LoadBalancer.builder(lb.info).affinity('none').port({ protocol: 'udp', external: 53 }).build());
expectError(LoadBalancer.builder(lb.info).affinity('x'));
expectError(LoadBalancer.builder(lb.info).port({ protocol: 'icmp', external: 8000 }));

// Events
hcn.on('serviceDisconnect', (n) => expectType<HcnNotification>(n));
hcn.once('notification', (n) => expectType<number>(n.type));
expectType<boolean>(hcn.emit('serviceDisconnect', { type: HcnNotificationType.ServiceDisconnect, status: 0, data: null }));
expectType<0x01000000>(HcnNotificationType.ServiceDisconnect);
