// Every builder / validateLoadBalancerSpec rule with a bad input: the error class, field and rule.
import test, { type ExecutionContext } from 'ava';
import { LoadBalancer, LoadBalancerBuilder, MAX_BACKENDS, sameLoadBalancerSpec, validateLoadBalancerSpec, type PortOptions } from '../../ts/builders';
import { HcnFeatureNotSupportedError, HcnValidationError } from '../../ts/errors';
import { featuresForVersion } from '../../ts/features';
import { loadBalancerToHns, type LoadBalancerSpec } from '../../ts/schema';

const EP1 = '3599612c-54b4-4b9d-9258-4fc5e2100549';
const EP2 = '9b5b1c3e-1111-4222-8333-444455556666';
const TCP80: PortOptions = { protocol: 'tcp', external: 80 };

/** A builder that is valid until the test breaks one thing. */
function good(): LoadBalancerBuilder {
  return LoadBalancer.builder().frontend('13.0.0.13').backend('10.0.0.14').port({ protocol: 'tcp', external: 8000, internal: 80 });
}

function expectRule(t: ExecutionContext, fn: () => unknown, field: string, rule: string): HcnValidationError {
  const err = t.throws(fn, { instanceOf: HcnValidationError });
  t.is(err.field, field, err.message);
  t.is(err.rule, rule, err.message);
  t.is(err.code, 'HCN_VALIDATION');
  t.true(err.issues.length >= 1);
  t.deepEqual({ field: err.issues[0]!.field, rule: err.issues[0]!.rule }, { field, rule });
  return err;
}

/** Bypasses the static types, as plain-JS callers can. */
function loose<T>(value: unknown): T {
  return value as T;
}

test('the walkthrough spec builds, frozen and normalised', (t) => {
  const spec = LoadBalancer.builder()
    .frontend('13.0.0.13')
    .sourceVip('10.231.111.97')
    .backends(['10.0.0.14', '10.0.0.15'])
    .port({ protocol: 'tcp', external: 8000, internal: 80 })
    .dsr()
    .build();
  t.deepEqual(spec, {
    frontendVips: ['13.0.0.13'],
    sourceVip: '10.231.111.97',
    backends: [
      { kind: 'ip', ip: '10.0.0.14' },
      { kind: 'ip', ip: '10.0.0.15' },
    ],
    ports: [
      {
        protocol: 'tcp',
        external: 8000,
        internal: 80,
        distribution: 'none',
        ilb: false,
        localRoutedVip: false,
        useMux: false,
        preserveDip: false,
        vipExternalIp: false,
      },
    ],
    dsr: true,
    ipv6: false,
  });
  t.true(Object.isFrozen(spec));
  t.true(Object.isFrozen(spec.frontendVips));
  t.true(Object.isFrozen(spec.backends) && Object.isFrozen(spec.backends[0]));
  t.true(Object.isFrozen(spec.ports) && Object.isFrozen(spec.ports[0]));
});

test('defaults: internal = external, distribution none, dsr off, backends by ID lower-cased', (t) => {
  const spec = LoadBalancer.builder().backend(EP1.toUpperCase()).backend({ id: EP2 }).port({ protocol: 17, external: 53 }).build();
  t.is(spec.ports[0]!.internal, 53);
  t.is(spec.ports[0]!.protocol, 'udp');
  t.is(spec.ports[0]!.distribution, 'none');
  t.false(spec.dsr);
  t.false(spec.ipv6);
  t.deepEqual(spec.backends, [
    { kind: 'id', id: EP1 },
    { kind: 'id', id: EP2 },
  ]);
  t.deepEqual(spec.frontendVips, []);
  t.is(spec.sourceVip, undefined);
});

test('IPv6 addresses set the ipv6 flag automatically and are canonicalised', (t) => {
  const spec = LoadBalancer.builder().frontend('FD00:0:0::10').backend('fd00::0:14').port(TCP80).build();
  t.true(spec.ipv6);
  t.deepEqual(spec.frontendVips, ['fd00::10']);
  t.deepEqual(spec.backends, [{ kind: 'ip', ip: 'fd00::14' }]);
  t.true(LoadBalancer.builder().frontend('fd00::10').backend(EP1).port(TCP80).ipv6().build().ipv6);
});

test('the builder is reusable and each build is a fresh object', (t) => {
  const b = good();
  const one = b.build();
  const two = b.backend('10.0.0.15').build();
  t.is(one.backends.length, 1);
  t.is(two.backends.length, 2);
  t.not(one, b.build());
});

test('later changes to caller objects do not leak into the builder', (t) => {
  const opts: PortOptions = { protocol: 'tcp', external: 80 };
  const ep = { id: EP1 };
  const b = LoadBalancer.builder().backend(ep).port(opts);
  opts.external = 81;
  ep.id = EP2;
  const spec = b.build();
  t.is(spec.ports[0]!.external, 80);
  t.deepEqual(spec.backends[0], { kind: 'id', id: EP1 });
});

test('affinity sets the distribution of every port mapping', (t) => {
  const spec = good().port({ protocol: 'udp', external: 53, distribution: 'none' }).affinity('sourceIp').build();
  t.deepEqual(
    spec.ports.map((p) => p.distribution),
    ['sourceIp', 'sourceIp'],
  );
  t.is(good().port({ protocol: 'udp', external: 53, distribution: 'sourceIpProtocol' }).build().ports[1]!.distribution, 'sourceIpProtocol');
});

test('builder(from) copies a spec and a read-back info', (t) => {
  const spec = good().dsr().sourceVip('10.0.0.2').build();
  t.deepEqual(LoadBalancer.builder(spec).build(), spec);
  const replaced = LoadBalancer.builder(spec).clearBackends().backend('10.0.0.99').clearPorts().port(TCP80).clearFrontends().vip('13.0.0.99').build();
  t.deepEqual(replaced.backends, [{ kind: 'ip', ip: '10.0.0.99' }]);
  t.deepEqual(replaced.frontendVips, ['13.0.0.99']);
  t.is(replaced.ports[0]!.external, 80);
  t.true(sameLoadBalancerSpec(spec, LoadBalancer.builder(spec).build()));
  t.false(sameLoadBalancerSpec(spec, replaced));
});

test('sameLoadBalancerSpec ignores backend order only', (t) => {
  const a = good().backend('10.0.0.15').build();
  const b = LoadBalancer.builder().frontend('13.0.0.13').backends(['10.0.0.15', '10.0.0.14']).port({ protocol: 'tcp', external: 8000, internal: 80 }).build();
  t.true(sameLoadBalancerSpec(a, b));
  t.false(sameLoadBalancerSpec(a, LoadBalancer.builder(a).dsr().build()));
});

// ---- one test per rule ----

test('rule ip: frontend VIP', (t) => {
  expectRule(t, () => good().frontend('13.0.0.300').build(), 'frontendVips[1]', 'ip');
  expectRule(t, () => good().frontend('010.0.0.1').build(), 'frontendVips[1]', 'ip');
});

test('rule ip: source VIP', (t) => {
  expectRule(t, () => good().sourceVip('10.0.0').build(), 'sourceVip', 'ip');
  expectRule(t, () => good().sourceVip('').build(), 'sourceVip', 'ip');
});

test('rule duplicate: frontend VIP (after canonicalisation)', (t) => {
  expectRule(t, () => LoadBalancer.builder().frontend('fd00::1', 'FD00:0::1').backend(EP1).port(TCP80).build(), 'frontendVips[1]', 'duplicate');
});

test('rule ref / guid / ip: backends', (t) => {
  expectRule(t, () => good().backend('not-an-endpoint').build(), 'backends[1]', 'ref');
  expectRule(t, () => good().backend({ id: '1234' }).build(), 'backends[1].id', 'guid');
  expectRule(t, () => good().backend(loose(42)).build(), 'backends[1]', 'ref');
  expectRule(t, () => validateLoadBalancerSpec({ backends: [{ kind: 'ip', ip: '1.2.3' }], ports: [TCP80] }), 'backends[0].ip', 'ip');
});

test('rule family: VIPs, source VIP and IP backends share one family', (t) => {
  expectRule(t, () => good().frontend('fd00::1').build(), 'frontendVips[1]', 'family');
  expectRule(t, () => good().sourceVip('fd00::2').build(), 'sourceVip', 'family');
  expectRule(t, () => good().backend('fd00::14').build(), 'backends[1]', 'family');
  const err = expectRule(t, () => LoadBalancer.builder().frontend('fd00::1').backend('10.0.0.14').port(TCP80).build(), 'backends[0]', 'family');
  t.regex(err.message, /IPv4/);
});

test('rule family: the ipv6 flag must match the addresses', (t) => {
  expectRule(t, () => good().ipv6().build(), 'ipv6', 'family');
  expectRule(t, () => LoadBalancer.builder().frontend('fd00::1').backend(EP1).port(TCP80).ipv6(false).build(), 'ipv6', 'family');
});

test('rule required: backends', (t) => {
  expectRule(t, () => LoadBalancer.builder().frontend('13.0.0.13').port(TCP80).build(), 'backends', 'required');
});

test('rule max: at most 1024 backends', (t) => {
  const ips = Array.from({ length: MAX_BACKENDS + 1 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
  t.notThrows(() => LoadBalancer.builder().backends(ips.slice(0, MAX_BACKENDS)).port(TCP80).build());
  expectRule(t, () => LoadBalancer.builder().backends(ips).port(TCP80).build(), 'backends', 'max');
});

test('rule duplicate: backends (IDs case-insensitively, IPs canonically)', (t) => {
  expectRule(t, () => good().backend('10.0.0.14').build(), 'backends[1]', 'duplicate');
  expectRule(t, () => LoadBalancer.builder().backend(EP1).backend({ id: EP1.toUpperCase() }).port(TCP80).build(), 'backends[1]', 'duplicate');
  expectRule(t, () => LoadBalancer.builder().backends(['fd00::1', 'fd00:0::1']).port(TCP80).build(), 'backends[1]', 'duplicate');
});

test('rule required: ports', (t) => {
  expectRule(t, () => LoadBalancer.builder().backend(EP1).build(), 'ports', 'required');
});

test('rule range / integer: ports 1-65535', (t) => {
  expectRule(t, () => good().port({ protocol: 'tcp', external: 0 }).build(), 'ports[1].external', 'range');
  expectRule(t, () => good().port({ protocol: 'tcp', external: 65536 }).build(), 'ports[1].external', 'range');
  expectRule(t, () => good().port({ protocol: 'tcp', external: 8080, internal: -1 }).build(), 'ports[1].internal', 'range');
  expectRule(t, () => good().port({ protocol: 'tcp', external: 80.5 }).build(), 'ports[1].external', 'integer');
  expectRule(t, () => good().port(loose({ protocol: 'tcp', external: '80' })).build(), 'ports[1].external', 'integer');
  expectRule(t, () => good().port(loose({ protocol: 'tcp' })).build(), 'ports[1].external', 'integer');
  t.is(good().port({ protocol: 'tcp', external: 65535, internal: 1 }).build().ports[1]!.external, 65535);
});

test('rule protocol: known protocols only', (t) => {
  expectRule(t, () => good().port(loose({ protocol: 'icmp', external: 80 })).build(), 'ports[1].protocol', 'protocol');
  expectRule(t, () => good().port({ protocol: 58, external: 80 }).build(), 'ports[1].protocol', 'protocol');
  expectRule(t, () => good().port(loose({ external: 80 })).build(), 'ports[1].protocol', 'required');
  // HNS's ProtocolType has no SCTP (Unknown, ICMPv4, IGMP, TCP, UDP, ICMPv6: HNS schema); Kubernetes
  // documents SCTP as unsupported on Windows.
  expectRule(t, () => good().port(loose({ protocol: 'SCTP', external: 9 })).build(), 'ports[1].protocol', 'unsupported');
  expectRule(t, () => good().port({ protocol: 132, external: 9 }).build(), 'ports[1].protocol', 'unsupported');
  expectRule(t, () => good().port({ protocol: 'sctp', external: 9 }).build(), 'ports[1].protocol', 'unsupported');
  t.is(good().port({ protocol: 0, external: 9 }).build().ports[1]!.protocol, 'any');
});

test('rule enum: distribution and affinity', (t) => {
  expectRule(t, () => good().port(loose({ protocol: 'udp', external: 53, distribution: 'sticky' })).build(), 'ports[1].distribution', 'enum');
  expectRule(t, () => good().affinity(loose('clientIp')).build(), 'affinity', 'enum');
});

test('rule type: port flags must be booleans', (t) => {
  expectRule(t, () => good().port(loose({ protocol: 'udp', external: 53, ilb: 'yes' })).build(), 'ports[1].ilb', 'type');
  expectRule(t, () => good().dsr(loose('on')).build(), 'dsr', 'type');
  expectRule(t, () => good().ipv6(loose(1)).build(), 'ipv6', 'type');
});

test('rule duplicate: (protocol, external) port mappings', (t) => {
  expectRule(t, () => good().port({ protocol: 'tcp', external: 8000, internal: 81 }).build(), 'ports[1]', 'duplicate');
  t.notThrows(() => good().port({ protocol: 'udp', external: 8000 }).build());
});

test('preserveDip and useMux without DSR are accepted: kube-proxy\'s health-check load balancer sends them with isDSR false', (t) => {
  // winkernel's health-check VIP load balancer: port flags 12 (UseMux 4 | PreserveDIP 8), LB flags 0.
  const spec = LoadBalancer.builder()
    .frontend('13.0.0.13')
    .backend('10.0.0.14')
    .port({ protocol: 'tcp', external: 10256, internal: 10256, useMux: true, preserveDip: true })
    .build();
  t.false(spec.dsr);
  const doc = loadBalancerToHns(spec, ['3f8e6b21-5c7d-4e19-a0b4-0a000000000e']);
  t.is(doc.Flags, undefined, 'LB flags 0 (omitted)');
  t.is(doc.PortMappings![0]!.Flags, 12);
  t.notThrows(() => good().port({ protocol: 'udp', external: 53, useMux: true, preserveDip: true }).dsr().build());
});

test('every problem is listed, the first one names the error', (t) => {
  const err = expectRule(
    t,
    () => LoadBalancer.builder().frontend('fd00::1', '1.2.3.4').port(loose({ protocol: 'icmp', external: 70000, preserveDip: true })).build(),
    'frontendVips[1]',
    'family',
  );
  t.deepEqual(
    err.issues.map((i) => `${i.field}:${i.rule}`),
    ['frontendVips[1]:family', 'backends:required', 'ports[0].protocol:protocol', 'ports[0].external:range'],
  );
  t.is(err.operation, 'LoadBalancerBuilder.build');
});

test('a built spec validated again (as loadBalancers.create does) still has its features checked, with the same errors as a copy', (t) => {
  // validateLoadBalancerSpec skips the structural rules for a spec it built and froze itself; the
  // feature check must still run, and say exactly what validating an unfrozen copy says.
  const copy = (s: LoadBalancerSpec): unknown => JSON.parse(JSON.stringify(s));
  const v11 = featuresForVersion({ major: 11, minor: 9 });
  const cases: Array<[LoadBalancerSpec, ReturnType<typeof featuresForVersion>]> = [
    [good().dsr().build(), featuresForVersion({ major: 10, minor: 1 })],
    [good().port({ protocol: 'udp', external: 53, distribution: 'sourceIp' }).build(), v11],
    [good().affinity('sourceIp').build(), v11],
    [LoadBalancer.builder().frontend('fd00::1').backend(EP1).port(TCP80).build(), v11],
    [good().dsr().affinity('sourceIp').build(), featuresForVersion(undefined)],
  ];
  for (const [spec, features] of cases) {
    const fromBuilt = t.throws(() => validateLoadBalancerSpec(spec, { features }), { instanceOf: HcnFeatureNotSupportedError });
    const fromCopy = t.throws(() => validateLoadBalancerSpec(copy(spec), { features }), { instanceOf: HcnFeatureNotSupportedError });
    t.deepEqual(
      { message: fromBuilt.message, field: fromBuilt.field, issues: fromBuilt.issues, operation: fromBuilt.operation },
      { message: fromCopy.message, field: fromCopy.field, issues: fromCopy.issues, operation: fromCopy.operation },
    );
  }
  const spec = good().dsr().build();
  const again = validateLoadBalancerSpec(spec, { features: featuresForVersion({ major: 15, minor: 5 }) });
  t.deepEqual(again, validateLoadBalancerSpec(copy(spec)));
  t.true(Object.isFrozen(again) && Object.isFrozen(again.ports[0]) && Object.isFrozen(again.backends[0]) && Object.isFrozen(again.frontendVips));
  // A look-alike that is not frozen is validated in full.
  expectRule(t, () => validateLoadBalancerSpec({ ...spec, ports: [{ ...spec.ports[0]!, external: 0 }] }), 'ports[0].external', 'range');
});

test('features: DSR, session affinity and IPv6 refused with the minimum version', (t) => {
  const old = featuresForVersion({ major: 10, minor: 1 });
  const dsr = t.throws(() => good().dsr().build({ features: old }), { instanceOf: HcnFeatureNotSupportedError });
  t.is(dsr.field, 'dsr');
  t.is(dsr.rule, 'feature');
  t.is(dsr.feature, 'dsr');
  t.is(dsr.minVersion, '10.2');
  t.is(dsr.hostVersion, '10.1');
  t.regex(dsr.message, /Direct Server Return \(DSR\)/);

  const v11 = featuresForVersion({ major: 11, minor: 9 });
  const aff = t.throws(() => good().port({ protocol: 'udp', external: 53, distribution: 'sourceIp' }).build({ features: v11 }), {
    instanceOf: HcnFeatureNotSupportedError,
  });
  t.is(aff.field, 'ports[1].distribution');
  t.is(aff.feature, 'sessionAffinity');
  t.is(aff.minVersion, '12.0');
  t.is(t.throws(() => good().affinity('sourceIp').build({ features: v11 }), { instanceOf: HcnFeatureNotSupportedError }).field, 'affinity');

  const v6 = t.throws(() => LoadBalancer.builder().frontend('fd00::1').backend(EP1).port(TCP80).build({ features: v11 }), {
    instanceOf: HcnFeatureNotSupportedError,
  });
  t.is(v6.field, 'ipv6');
  t.is(v6.feature, 'ipv6DualStack');
  t.is(v6.minVersion, '11.10');

  const all = t.throws(() => good().dsr().affinity('sourceIp').build({ features: featuresForVersion(undefined) }), {
    instanceOf: HcnFeatureNotSupportedError,
  });
  t.deepEqual(
    all.issues.map((i) => i.feature),
    ['dsr', 'sessionAffinity'],
  );
  t.is(all.hostVersion, undefined);

  const modern = featuresForVersion({ major: 15, minor: 5 });
  t.notThrows(() => good().dsr().affinity('sourceIp').build({ features: modern }));
  t.notThrows(() => good().dsr().build({ features: featuresForVersion({ major: 10, minor: 1 }, { dsr: true }) }));
});

test('rule problems come before feature problems', (t) => {
  expectRule(t, () => good().dsr().port({ protocol: 'tcp', external: 0 }).build({ features: featuresForVersion(undefined) }), 'ports[1].external', 'range');
});

// ---- validateLoadBalancerSpec (untyped input) ----

test('validateLoadBalancerSpec accepts JSON specs and builder output', (t) => {
  const spec = validateLoadBalancerSpec(
    JSON.parse(
      '{"frontendVips":["13.0.0.13"],"sourceVip":"10.231.111.97","backends":["10.0.0.14",{"id":"' +
        EP1.toUpperCase() +
        '"}],"ports":[{"protocol":"TCP","external":8000,"internal":80}],"dsr":true,"affinity":"sourceIp"}',
    ),
  );
  t.deepEqual(spec.backends, [
    { kind: 'ip', ip: '10.0.0.14' },
    { kind: 'id', id: EP1 },
  ]);
  t.is(spec.ports[0]!.distribution, 'sourceIp');
  t.true(Object.isFrozen(spec));
  const built: LoadBalancerSpec = good().dsr().build();
  t.deepEqual(validateLoadBalancerSpec(JSON.parse(JSON.stringify(built))), built);
});

test('validateLoadBalancerSpec rules for shapes', (t) => {
  const op = (e: HcnValidationError): string => e.operation;
  t.is(op(expectRule(t, () => validateLoadBalancerSpec(null), '', 'type')), 'validateLoadBalancerSpec');
  expectRule(t, () => validateLoadBalancerSpec('lb'), '', 'type');
  expectRule(t, () => validateLoadBalancerSpec({ backend: ['10.0.0.14'], ports: [TCP80] }), 'backend', 'unknown');
  expectRule(t, () => validateLoadBalancerSpec({ frontendVips: '13.0.0.13', backends: [EP1], ports: [TCP80] }), 'frontendVips', 'type');
  expectRule(t, () => validateLoadBalancerSpec({ backends: [EP1], ports: [80] }), 'ports[0]', 'type');
  expectRule(t, () => validateLoadBalancerSpec({ backends: [EP1], ports: [{ protocol: 'tcp', external: 80, extrnal: 81 }] }), 'ports[0].extrnal', 'unknown');
  const many = t.throws(() => validateLoadBalancerSpec({ backends: 'x', ports: [TCP80], colour: 'red' }), { instanceOf: HcnValidationError });
  t.deepEqual(
    many.issues.map((i) => `${i.field}:${i.rule}`),
    ['colour:unknown', 'backends:type'],
  );
});

test('validateLoadBalancerSpec with features', (t) => {
  const err = t.throws(() => validateLoadBalancerSpec({ backends: [EP1], ports: [TCP80], dsr: true }, { features: featuresForVersion({ major: 9, minor: 2 }) }), {
    instanceOf: HcnFeatureNotSupportedError,
  });
  t.is(err.minVersion, '9.3');
});

test('a feature with a gap in its versions names every range (DSR at HNS 9.2)', (t) => {
  const err = t.throws(
    () => LoadBalancer.builder().frontend('13.0.0.13').backend('10.0.0.14').port({ protocol: 'tcp', external: 80 }).dsr().build({ features: featuresForVersion({ major: 9, minor: 2 }) }),
    { instanceOf: HcnFeatureNotSupportedError },
  );
  t.is(err?.minVersion, '9.3');
  t.regex(err!.message, /needs HNS 9\.3–9\.x or 10\.2 and later, host has 9\.2/);
});

test('a VIP or source VIP in a special-purpose block is refused, naming the field and the block', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['0.0.0.0', /the unspecified address/],
    ['::', /the unspecified address/],
    ['127.0.0.1', /a loopback address/],
    ['::1', /a loopback address/],
    ['224.0.0.5', /a multicast address/],
    ['ff02::1', /a multicast address/],
    ['255.255.255.255', /the broadcast address/],
    ['169.254.169.254', /a link-local address/],
    ['fe80::1', /a link-local address/],
    // Today this one silently makes an IPv6 load balancer for an IPv4 address.
    ['::ffff:13.0.0.60', /IPv4-mapped/],
  ];
  for (const [ip, message] of bad) {
    const vip = expectRule(t, () => good().clearFrontends().frontend(ip).build(), 'frontendVips[0]', 'address');
    t.regex(vip.message, message, ip);
    const source = expectRule(t, () => good().sourceVip(ip).build(), 'sourceVip', 'address');
    t.regex(source.message, message, ip);
    expectRule(t, () => validateLoadBalancerSpec({ frontendVips: [ip], backends: [EP1], ports: [TCP80] }), 'frontendVips[0]', 'address');
  }
  t.is(good().clearFrontends().frontend('250.0.0.10').build().frontendVips[0], '250.0.0.10');
});

test('text around an address, a protocol or an ID is never trimmed away (no-break space included)', (t) => {
  for (const pad of [' ', '\u00a0', '\t', '\n', '\u2003', '\ufeff']) {
    expectRule(t, () => good().clearFrontends().frontend(`${pad}13.0.0.13`).build(), 'frontendVips[0]', 'ip');
    expectRule(t, () => good().sourceVip(`13.0.0.1${pad}`).build(), 'sourceVip', 'ip');
    expectRule(t, () => good().clearBackends().backend(`${EP1}${pad}`).build(), 'backends[0]', 'ref');
    expectRule(t, () => good().clearPorts().port(loose<PortOptions>({ protocol: `tcp${pad}`, external: 80 })).build(), 'ports[0].protocol', 'protocol');
  }
});

test('GUIDs with braces are refused in specs, balanced or not', (t) => {
  for (const id of [`{${EP1}}`, `{${EP1}`, `${EP1}}`]) {
    expectRule(t, () => good().clearBackends().backend(id).build(), 'backends[0]', 'ref');
    expectRule(t, () => good().clearBackends().backend({ id }).build(), 'backends[0].id', 'guid');
  }
});

test('holes in sparse arrays are refused by validateLoadBalancerSpec (forEach would skip them)', (t) => {
  // eslint-disable-next-line no-sparse-arrays
  const vips = [, '13.0.0.13'];
  const err = expectRule(t, () => validateLoadBalancerSpec({ frontendVips: vips, backends: [EP1], ports: [TCP80] }), 'frontendVips[0]', 'sparse');
  t.regex(err.message, /hole in a sparse array/);
  const backends = new Array<string>(2);
  backends[1] = EP1;
  expectRule(t, () => validateLoadBalancerSpec({ backends, ports: [TCP80] }), 'backends[0]', 'sparse');
  // eslint-disable-next-line no-sparse-arrays
  expectRule(t, () => validateLoadBalancerSpec({ backends: [EP1], ports: [TCP80, , { protocol: 'udp', external: 53 }] }), 'ports[1]', 'sparse');
});

test('network: an ID (lower-cased) or name kept for resolving backend IPs, carried by builder(spec), compared by sameLoadBalancerSpec', (t) => {
  const byName = validateLoadBalancerSpec({ backends: ['10.0.0.14'], ports: [TCP80], network: 'vxlan0' });
  t.is(byName.network, 'vxlan0');
  t.is(validateLoadBalancerSpec({ backends: ['10.0.0.14'], ports: [TCP80], network: '6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001' }).network, '6c1a3b9e-0f44-4a3d-9e2b-1d7f5a0c0001');
  t.false('network' in validateLoadBalancerSpec({ backends: ['10.0.0.14'], ports: [TCP80] }), 'absent when not named');
  expectRule(t, () => validateLoadBalancerSpec({ backends: ['10.0.0.14'], ports: [TCP80], network: 7 }), 'network', 'type');
  expectRule(t, () => validateLoadBalancerSpec({ backends: ['10.0.0.14'], ports: [TCP80], network: ' ' }), 'network', 'required');
  expectRule(t, () => LoadBalancer.builder().backend('10.0.0.14').port(TCP80).network('x'.repeat(300)).build(), 'network', 'max');
  const built = LoadBalancer.builder().backend('10.0.0.14').port(TCP80).network('vxlan0').build();
  t.deepEqual(built, byName);
  t.is(LoadBalancer.builder(built).build().network, 'vxlan0');
  t.is(LoadBalancer.builder(built).network(undefined).build().network, undefined);
  t.false(sameLoadBalancerSpec(built, LoadBalancer.builder(built).network('l2b').build()));
  t.true(sameLoadBalancerSpec(built, validateLoadBalancerSpec(JSON.parse(JSON.stringify(built)))));
});
