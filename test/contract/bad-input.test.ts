// Contract (issue 10 items 8–10): bad input through the client is a typed error naming the field and
// the rule, and nothing reaches HNS — special provider addresses, a backend named twice once IPs are
// resolved to endpoint IDs, names that are not strings or not well-formed UTF-16, NUL in hnsCall.
import { HcnArgumentError, HcnValidationError } from '../../ts/errors';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import { contract, openFixture, simulatorOnly } from './backend';

contract('a backend given by IP and by its endpoint ID is one backend twice: refused before any create', async (t) => {
  const fx = await openFixture(t);
  const [e14] = fx.endpoints;
  const spec = LoadBalancer.builder()
    .frontend(fx.vip)
    .backends([fx.backendIps[0]!, e14!.id.toUpperCase()])
    .port({ protocol: 'tcp', external: 9300, internal: 80 })
    .dsr()
    .build();
  const before = await fx.hcn.loadBalancers.list();
  const err = await t.throwsAsync(fx.hcn.loadBalancers.create(spec), { instanceOf: HcnValidationError });
  t.is(err?.field, 'backends[1]');
  t.is(err?.rule, 'duplicate');
  t.regex(err!.message, new RegExp(`backends\\[0\\] already names as ${fx.backendIps[0]!.replace(/\./g, '\\.')}`));
  t.is((await fx.hcn.loadBalancers.list()).length, before.length, 'nothing was created');
});

contract('a remote endpoint refuses special provider addresses, non-string names and lone surrogates', async (t) => {
  const fx = await openFixture(t);
  const base = { network: fx.network.id, ip: fx.remote.ip };
  const cases: Array<[Record<string, unknown>, string, string, RegExp]> = [
    [{ providerAddress: '127.0.0.1' }, 'providerAddress', 'address', /a loopback address/],
    [{ providerAddress: '0.0.0.0' }, 'providerAddress', 'address', /the unspecified address/],
    [{ providerAddress: '224.0.0.1' }, 'providerAddress', 'address', /a multicast address/],
    [{ providerAddress: '::ffff:10.231.111.98' }, 'providerAddress', 'address', /IPv4-mapped/],
    [{ providerAddress: '\u00a010.231.111.98' }, 'providerAddress', 'ip', /not a valid IPv4 or IPv6 address/],
    [{ name: 42 }, 'name', 'type', /must be a string \(got 42\)/],
    [{ name: {} }, 'name', 'type', /must be a string \(got \{\}\)/],
    [{ name: 'pod-\ud800' }, 'name', 'text', /lone UTF-16 surrogate \(U\+D800 at index 4\)/],
    [{ name: '\udc00x' }, 'name', 'text', /lone UTF-16 surrogate \(U\+DC00 at index 0\)/],
    [{ name: 'a\u0000b' }, 'name', 'text', /NUL character at index 1/],
  ];
  const before = (await fx.hcn.endpoints.list()).length;
  for (const [extra, field, rule, message] of cases) {
    const request = { ...base, providerAddress: fx.remote.providerAddress, ...extra } as Parameters<typeof fx.hcn.endpoints.createRemote>[0];
    const err = await t.throwsAsync(fx.hcn.endpoints.createRemote(request), { instanceOf: HcnValidationError }, JSON.stringify(extra));
    t.is(err?.field, field, JSON.stringify(extra));
    t.is(err?.rule, rule, JSON.stringify(extra));
    t.regex(err!.message, message);
  }
  t.is((await fx.hcn.endpoints.list()).length, before, 'nothing was created');
  // A well-formed non-ASCII name (a surrogate pair) is fine.
  const ep = await fx.hcn.endpoints.createRemote({ ...base, providerAddress: fx.remote.providerAddress, name: 'pod-😀' });
  t.is(ep.name, 'pod-😀');
  t.true(await fx.hcn.endpoints.delete(ep.id));
});

simulatorOnly('hnsCall with a NUL in its method, path or request is a TypeError naming the argument; nothing is sent', async (t) => {
  const fx = await openFixture(t);
  const calls = (): number => fx.hcn.simulator!.stats().calls.HNSCall ?? 0;
  const before = calls();
  for (const [args, name] of [
    [['GET\u0000', '/globals/version'], 'method'],
    [['GET', '/globals/version\u0000/../networks'], 'path'],
    [['POST', '/policylists', '{}\u0000'], 'request'],
  ] as Array<[[string, string, string?], string]>) {
    const err = await t.throwsAsync(fx.hcn.hnsCall(...args), { instanceOf: HcnArgumentError });
    t.regex(err!.message, new RegExp(`${name} must not contain a NUL character`));
    t.true(err instanceof TypeError);
  }
  t.is(calls(), before, 'nothing reached HNS');
});
