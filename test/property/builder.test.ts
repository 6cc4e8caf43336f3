// Property tests of the builders: valid input always builds and survives serialise → parse; a single
// broken rule is always refused with that rule; whatever validateLoadBalancerSpec accepts obeys every rule.
import test from 'ava';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { LoadBalancer, validateLoadBalancerSpec, type PortOptions } from '../../ts/builders';
import { HcnValidationError } from '../../ts/errors';
import { specialAddress } from '../../ts/net/ip';
import { parseLoadBalancer, serializeLoadBalancer, type LoadBalancerSpec, type Protocol } from '../../ts/schema';

const protocols: Protocol[] = ['tcp', 'udp', 'any']; // SCTP: refused (HNS has no such protocol)
const distribution = fc.constantFrom('none' as const, 'sourceIpProtocol' as const, 'sourceIp' as const);

function portsArb(dsr: boolean) {
  return fc.uniqueArray(
    fc.record({
      protocol: fc.constantFrom(...protocols),
      external: fc.integer({ min: 1, max: 65535 }),
      internal: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      distribution: fc.option(distribution, { nil: undefined }),
      ilb: fc.boolean(),
      localRoutedVip: fc.boolean(),
      useMux: dsr ? fc.boolean() : fc.constant(false),
      preserveDip: dsr ? fc.boolean() : fc.constant(false),
      vipExternalIp: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4, selector: (p) => `${p.protocol}/${p.external}` },
  );
}

/** Input that satisfies every rule; backends are endpoint IDs and/or IPs of the one family. */
const validInput = fc
  .record({ family: fc.constantFrom(4 as const, 6 as const), dsr: fc.boolean(), withIpBackends: fc.boolean() })
  .chain(({ family, dsr, withIpBackends }) => {
    const ip = family === 4 ? fc.ipV4() : fc.ipV6();
    // VIPs and source VIPs are unicast (loopback, multicast, IPv4-mapped, ... are refused).
    const unicast = ip.filter((s) => specialAddress(s) === null);
    return fc.record({
      family: fc.constant(family),
      dsr: fc.constant(dsr),
      vips: fc.uniqueArray(unicast, { maxLength: 3, selector: (s) => (family === 6 ? parseV6Key(s) : s) }),
      sourceVip: fc.option(unicast, { nil: undefined }),
      ids: fc.uniqueArray(fc.uuid(), { minLength: withIpBackends ? 0 : 1, maxLength: 5, selector: (s) => s.toLowerCase() }),
      ips: withIpBackends ? fc.uniqueArray(ip, { minLength: 1, maxLength: 5, selector: (s) => (family === 6 ? parseV6Key(s) : s) }) : fc.constant([]),
      ports: portsArb(dsr),
      affinity: fc.option(distribution, { nil: undefined }),
    });
  });

// Canonical key for uniqueness of generated IPv6 text (several texts name one address).
function parseV6Key(s: string): string {
  return new URL(`http://[${s}]/`).hostname;
}

type ValidInput = typeof validInput extends fc.Arbitrary<infer T> ? T : never;

function build(input: ValidInput): LoadBalancerSpec {
  const b = LoadBalancer.builder()
    .frontend(...input.vips)
    .sourceVip(input.sourceVip)
    .backends([...input.ids, ...input.ips])
    .dsr(input.dsr);
  for (const p of input.ports) b.port(p as PortOptions);
  if (input.affinity !== undefined) b.affinity(input.affinity);
  return b.build();
}

test('valid input always builds, with the ipv6 flag following the family', (t) => {
  fc.assert(
    fc.property(validInput, (input) => {
      const spec = build(input);
      const hasAddress = input.vips.length > 0 || input.sourceVip !== undefined || input.ips.length > 0;
      return spec.ipv6 === (hasAddress && input.family === 6) && spec.backends.length === input.ids.length + input.ips.length;
    }),
  );
  t.pass();
});

test('specs serialise → parse back equal', (t) => {
  fc.assert(
    fc.property(validInput, (input) => {
      const spec = build(input);
      // Resolve IP backends to made-up endpoint IDs the way the client would.
      const ids = spec.backends.map((b, i) => (b.kind === 'id' ? b.id : `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
      const info = parseLoadBalancer(serializeLoadBalancer(spec, ids));
      t.deepEqual(info.frontendVips, [...spec.frontendVips]);
      t.is(info.sourceVip, spec.sourceVip);
      t.deepEqual(info.backendIds, ids);
      t.deepEqual(info.ports, spec.ports.map((p) => ({ ...p })));
      t.is(info.dsr, spec.dsr);
      // An IPv6 flag without any address to show the family can't be read back; everything else must be.
      t.is(info.ipv6, spec.ipv6);
      if (spec.backends.every((b) => b.kind === 'id')) t.deepEqual(LoadBalancer.builder(info).build(), spec);
      return true;
    }),
    { numRuns: 200 },
  );
});

test('validateLoadBalancerSpec accepts the JSON form of every built spec unchanged', (t) => {
  fc.assert(
    fc.property(validInput, (input) => {
      const spec = build(input);
      t.deepEqual(validateLoadBalancerSpec(JSON.parse(JSON.stringify(spec))), spec);
      return true;
    }),
    { numRuns: 200 },
  );
});

/** One rule broken on top of valid input, with the rule the builder must report. */
const breakage = fc.constantFrom(
  'vip-ip',
  'source-ip',
  'port-range',
  'port-integer',
  'protocol',
  'dup-backend',
  'dup-port',
  'family',
  'no-backends',
  'ipv6-flag',
);

const badIpText = fc.oneof(fc.ipV4Extended(), fc.string({ maxLength: 20 })).filter((s) => isIP(s) === 0);

test('a single broken rule is always refused with that rule', (t) => {
  fc.assert(
    fc.property(validInput, breakage, badIpText, fc.integer(), (input, what, badIp, n) => {
      const b = LoadBalancer.builder().frontend(...input.vips).sourceVip(input.sourceVip).backends([...input.ids, ...input.ips]).dsr(input.dsr);
      for (const p of input.ports) b.port(p as PortOptions);
      let rule: string;
      switch (what) {
        case 'vip-ip':
          b.vip(badIp);
          rule = 'ip';
          break;
        case 'source-ip':
          b.sourceVip(badIp);
          rule = 'ip';
          break;
        case 'port-range':
          b.port({ protocol: 'tcp', external: n >= 1 && n <= 65535 ? n + 65535 : n });
          rule = 'range';
          break;
        case 'port-integer':
          b.port({ protocol: 'tcp', external: (Math.abs(n) % 65000) + 1.5 });
          rule = 'integer';
          break;
        case 'protocol':
          b.port({ protocol: [1, 2, 58, 255][Math.abs(n) % 4]!, external: 1 });
          rule = 'protocol';
          break;
        case 'dup-backend':
          b.backend(input.ids[0] !== undefined ? input.ids[0].toUpperCase() : input.ips[0]!);
          rule = 'duplicate';
          break;
        case 'dup-port': {
          const p = input.ports[0]!;
          b.port({ protocol: p.protocol, external: p.external, internal: 7 });
          rule = 'duplicate';
          break;
        }
        case 'family':
          b.vip(input.family === 4 ? 'fd00::abcd' : '192.0.2.77');
          if (input.vips.length + input.ips.length === 0 && input.sourceVip === undefined) b.vip(input.family === 4 ? '192.0.2.78' : 'fd00::abce');
          rule = 'family';
          break;
        case 'no-backends':
          b.clearBackends();
          rule = 'required';
          break;
        case 'ipv6-flag': {
          const hasAddress = input.vips.length > 0 || input.sourceVip !== undefined || input.ips.length > 0;
          if (!hasAddress) b.vip(input.family === 4 ? '192.0.2.1' : 'fd00::1');
          b.ipv6(input.family === 4);
          rule = 'family';
          break;
        }
        default:
          throw new Error(what);
      }
      try {
        b.build();
      } catch (err) {
        if (!(err instanceof HcnValidationError)) throw err;
        if (!err.issues.some((i) => i.rule === rule)) throw new Error(`${what}: expected rule ${rule}, got ${err.message}`);
        return true;
      }
      throw new Error(`${what}: accepted an invalid spec`);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

/** Mostly good, sometimes bad: `weight` good for every bad one. */
function mostly<T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>, weight = 8): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: good, weight }, { arbitrary: bad, weight: 1 });
}

/** Loosely shaped input: plausible values of one family, with wrong ones mixed in. */
const looseInput = fc.constantFrom(4 as const, 6 as const).chain((family) => {
  const ip = family === 4 ? fc.ipV4() : fc.ipV6();
  const otherIp = family === 4 ? fc.ipV6() : fc.ipV4();
  return fc.record(
    {
      frontendVips: fc.array(mostly(ip, fc.oneof(otherIp, badIpText, fc.integer())), { maxLength: 3 }),
      sourceVip: mostly(fc.oneof(ip, fc.constant(undefined)), fc.oneof(otherIp, badIpText)),
      backends: fc.array(
        mostly(fc.oneof(ip, fc.uuid(), fc.record({ id: fc.uuid() })), fc.oneof(otherIp, fc.string(), fc.record({ id: fc.string() }))),
        { minLength: 0, maxLength: 4 },
      ),
      ports: fc.array(
        fc.record(
          {
            protocol: mostly(fc.constantFrom('tcp', 'udp', 'sctp', 'any', 'TCP', 6, 17), fc.oneof(fc.constant('icmp'), fc.integer({ min: -1, max: 200 }))),
            external: mostly(fc.integer({ min: 1, max: 65535 }), fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.double(), fc.string())),
            internal: mostly(fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constant(undefined)), fc.integer({ min: -5, max: 70000 })),
            distribution: mostly(fc.oneof(distribution, fc.constant(undefined)), fc.constant('bogus')),
            useMux: fc.oneof(fc.boolean(), fc.constant(undefined)),
            preserveDip: fc.oneof(fc.boolean(), fc.constant(undefined)),
          },
          { requiredKeys: ['protocol', 'external'] },
        ),
        { maxLength: 3 },
      ),
      dsr: mostly(fc.oneof(fc.boolean(), fc.constant(undefined)), fc.constant('yes')),
      ipv6: mostly(fc.constant(undefined), fc.boolean(), 3),
    },
    { requiredKeys: ['backends', 'ports'] },
  );
});

test('whatever validateLoadBalancerSpec accepts obeys every rule', (t) => {
  let accepted = 0;
  fc.assert(
    fc.property(looseInput, (input) => {
      let spec: LoadBalancerSpec;
      try {
        spec = validateLoadBalancerSpec(input);
      } catch (err) {
        if (err instanceof HcnValidationError && err.issues.length > 0 && typeof err.field === 'string') return true;
        throw err;
      }
      accepted++;
      const addresses = [...spec.frontendVips, ...(spec.sourceVip ? [spec.sourceVip] : []), ...spec.backends.flatMap((b) => (b.kind === 'ip' ? [b.ip] : []))];
      const families = new Set(addresses.map((a) => isIP(a)));
      const checks = [
        addresses.every((a) => isIP(a) !== 0),
        families.size <= 1,
        spec.ipv6 === (families.has(6) || (families.size === 0 && spec.ipv6)),
        spec.backends.length >= 1 && spec.backends.length <= 1024,
        new Set(spec.backends.map((b) => JSON.stringify(b))).size === spec.backends.length,
        spec.ports.length >= 1,
        spec.ports.every((p) => Number.isInteger(p.external) && p.external >= 1 && p.external <= 65535 && Number.isInteger(p.internal) && p.internal >= 1 && p.internal <= 65535),
        spec.ports.every((p) => protocols.includes(p.protocol)),
        new Set(spec.ports.map((p) => `${p.protocol}/${p.external}`)).size === spec.ports.length,
        spec.ports.every((p) => p.protocol !== 'sctp'),
        Object.isFrozen(spec) && Object.isFrozen(spec.ports) && Object.isFrozen(spec.backends),
      ];
      return checks.every(Boolean);
    }),
    { numRuns: 2000 },
  );
  t.log(`accepted ${accepted} of 2000 loose inputs`);
  t.true(accepted >= 100, `only ${accepted} accepted: the property would be nearly vacuous`);
});
