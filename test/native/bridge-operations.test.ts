// Every function of the HCN table through the binding against the simulator: success paths,
// each function's failure path (failNext), argument checks, and handle/string accounting.
import test from 'ava';
import type { NativeFamily } from '../../ts/native';
import {
  FAMILIES,
  NULL_GUID,
  PROPS,
  TIMEOUT,
  assertClean,
  calls,
  idOf,
  lbSettings,
  openSim,
  rejectsWith,
  sim,
  topology,
} from './helpers';

const ctx = openSim();

test.beforeEach(() => {
  sim(ctx, { op: 'reset' });
});

test.after.always(() => ctx.close());

const HOST_ROUTE_POLICY = JSON.stringify({
  ResourceType: 'Policy',
  RequestType: 'Add',
  Settings: { Policies: [{ Type: 'HostRoute', Settings: {} }] },
});

/** Creates one object of each family and returns their IDs (the endpoint lives in vxlan0). */
async function createOneOfEach(): Promise<Record<NativeFamily, string>> {
  const { network, endpoints } = await topology(ctx);
  const net = await ctx.create('network', null, JSON.stringify({ Name: 'extra', Type: 'NAT' }), PROPS, TIMEOUT);
  const ep = await ctx.create(
    'endpoint',
    null,
    JSON.stringify({ Name: 'ep3', HostComputeNetwork: network }),
    PROPS,
    TIMEOUT,
    network,
  );
  const lb = await ctx.create('loadBalancer', null, lbSettings(endpoints), PROPS, TIMEOUT);
  const ns = await ctx.create('namespace', null, JSON.stringify({ Type: 'Host' }), PROPS, TIMEOUT);
  return { network: idOf(net), endpoint: idOf(ep), loadBalancer: idOf(lb), namespace: idOf(ns) };
}

test.serial('enumerate returns the JSON array of IDs of each family', async (t) => {
  const ids = await createOneOfEach();
  for (const { family } of FAMILIES) {
    const listed = JSON.parse(await ctx.enumerate(family, PROPS, TIMEOUT)) as string[];
    t.true(
      listed.some((id) => id.toLowerCase() === ids[family].toLowerCase()),
      `${family} ${ids[family]} in ${listed.join(',')}`,
    );
  }
  await assertClean(t, ctx);
});

test.serial('list is one call: enumerate, then open, query and close each ID on the worker', async (t) => {
  const ids = JSON.parse(await ctx.enumerate('endpoint', PROPS, TIMEOUT)) as string[];
  const before = ['HcnEnumerateEndpoints', 'HcnOpenEndpoint', 'HcnQueryEndpointProperties', 'HcnCloseEndpoint'].map(
    (op) => calls(ctx, op),
  );
  const listed = await ctx.list('endpoint', PROPS, PROPS, TIMEOUT);
  t.deepEqual(
    listed.map(idOf).map((id) => id.toLowerCase()),
    ids.map((id) => id.toLowerCase()),
  );
  const after = ['HcnEnumerateEndpoints', 'HcnOpenEndpoint', 'HcnQueryEndpointProperties', 'HcnCloseEndpoint'].map(
    (op) => calls(ctx, op),
  );
  t.deepEqual(
    after.map((n, i) => n - before[i]!),
    [1, ids.length, ids.length, ids.length],
  );
  await assertClean(t, ctx);
});

test.serial('list of an empty family is an empty array', async (t) => {
  t.deepEqual(await ctx.list('loadBalancer', PROPS, PROPS, TIMEOUT), []);
  await assertClean(t, ctx);
});

test.serial('list skips an object that vanished between enumerate and open', async (t) => {
  sim(ctx, { op: 'failNext', operation: 'HcnOpenEndpoint', count: 1, hresult: 0x80070490 });
  const listed = await ctx.list('endpoint', PROPS, PROPS, TIMEOUT);
  t.is(listed.length, 1);
  sim(ctx, { op: 'failNext', operation: 'HcnOpenEndpoint', count: 1, hresult: 0x803b0002 });
  t.is((await ctx.list('endpoint', PROPS, PROPS, TIMEOUT)).length, 1);
  sim(ctx, { op: 'failNext', operation: 'HcnQueryEndpointProperties', count: 1, hresult: 0x80070490 });
  t.is((await ctx.list('endpoint', PROPS, PROPS, TIMEOUT)).length, 1);
  await assertClean(t, ctx);
});

test.serial('list fails as a whole on any other open or query failure, leaking nothing', async (t) => {
  sim(ctx, { op: 'failNext', operation: 'HcnOpenEndpoint', count: 1, hresult: 0x80070005 });
  let err = await rejectsWith(t, ctx.list('endpoint', PROPS, PROPS, TIMEOUT), 'HCN_HRESULT');
  t.is(err.operation, 'HcnOpenEndpoint');
  t.is(err.hresult, 0x80070005);
  // HNS refuses the properties query itself.
  await rejectsWith(t, ctx.list('endpoint', PROPS, '{"Flags":"x"}', TIMEOUT), 'HCN_HRESULT');
  sim(ctx, { op: 'failNext', operation: 'HcnQueryEndpointProperties', count: 2, hresult: 0x8007000e });
  err = await rejectsWith(t, ctx.list('endpoint', PROPS, PROPS, TIMEOUT), 'HCN_HRESULT');
  t.is(err.operation, 'HcnQueryEndpointProperties');
  t.is(err.hresult, 0x8007000e);
  await assertClean(t, ctx);
});

test.serial('load balancer: create (GUID_NULL), query, modify, remove', async (t) => {
  const { endpoints } = await topology(ctx);
  const created = await ctx.create('loadBalancer', null, lbSettings(endpoints), PROPS, TIMEOUT);
  const id = idOf(created);
  t.regex(id, /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i);
  t.not(id, NULL_GUID);
  const queried = JSON.parse(await ctx.query('loadBalancer', id, PROPS, TIMEOUT)) as { FrontendVIPs: string[] };
  t.deepEqual(queried.FrontendVIPs, ['13.0.0.13']);

  // In-place modify needs HNS 15.5+ (hnslib's range); the default 13.2 refuses it with E_NOTIMPL.
  const refused = await rejectsWith(
    t,
    ctx.modify('loadBalancer', id, lbSettings(endpoints, '13.0.0.14'), PROPS, TIMEOUT),
    'HCN_HRESULT',
  );
  t.is(refused.hresult, 0x80004001);
  t.is(refused.operation, 'HcnModifyLoadBalancer');
  t.truthy(refused.errorRecord);
  sim(ctx, { op: 'setVersion', major: 15, minor: 5 });
  const modified = await ctx.modify('loadBalancer', id, lbSettings(endpoints, '13.0.0.14'), PROPS, TIMEOUT);
  t.deepEqual((JSON.parse(modified) as { FrontendVIPs: string[] }).FrontendVIPs, ['13.0.0.14']);
  t.is(await ctx.modify('loadBalancer', id, lbSettings(endpoints, '13.0.0.15'), '', TIMEOUT), '');

  t.is(await ctx.remove('loadBalancer', id, TIMEOUT), undefined);
  const gone = await rejectsWith(t, ctx.query('loadBalancer', id, PROPS, TIMEOUT), 'HCN_HRESULT');
  t.is(gone.operation, 'HcnOpenLoadBalancer');
  await assertClean(t, ctx);
});

test.serial('create with a caller-chosen ID (any case) and a duplicate of it', async (t) => {
  const { endpoints } = await topology(ctx);
  const wanted = 'abcdef01-2345-6789-abcd-ef0123456789';
  const created = await ctx.create('loadBalancer', wanted.toUpperCase(), lbSettings(endpoints), PROPS, TIMEOUT);
  t.is(idOf(created).toLowerCase(), wanted);
  t.truthy(await ctx.query('loadBalancer', wanted, PROPS, TIMEOUT));
  const dup = await rejectsWith(
    t,
    ctx.create('loadBalancer', wanted, lbSettings(endpoints, '13.0.0.99', 9000), PROPS, TIMEOUT),
    'HCN_HRESULT',
  );
  t.is(dup.operation, 'HcnCreateLoadBalancer');
  await ctx.remove('loadBalancer', wanted, TIMEOUT);
  await assertClean(t, ctx);
});

test.serial('HNS failures carry hresult (unsigned), operation and the raw ErrorRecord', async (t) => {
  const { endpoints } = await topology(ctx);
  await ctx.create('loadBalancer', null, lbSettings(endpoints), PROPS, TIMEOUT);
  const err = await rejectsWith(
    t,
    ctx.create('loadBalancer', null, lbSettings(endpoints), PROPS, TIMEOUT),
    'HCN_HRESULT',
  );
  t.is(err.hresult, 0x803b0013);
  t.is(err.operation, 'HcnCreateLoadBalancer');
  t.true(err instanceof Error);
  const record = JSON.parse(err.errorRecord!) as { Success: boolean; ErrorCode: number };
  t.is(record.Success, false);
  t.is(record.ErrorCode, 0x803b0013);
  t.true(err.message.includes('0x803B0013'), err.message);
  await assertClean(t, ctx);
});

test.serial('endpoints: the network is opened around the create and closed again', async (t) => {
  const { network } = await topology(ctx);
  const opens = calls(ctx, 'HcnOpenNetwork');
  const created = await ctx.create(
    'endpoint',
    null,
    JSON.stringify({ Name: 'ep-new', HostComputeNetwork: network }),
    PROPS,
    TIMEOUT,
    network.toLowerCase(),
  );
  t.is(calls(ctx, 'HcnOpenNetwork'), opens + 1);
  const id = idOf(created);
  await ctx.remove('endpoint', id, TIMEOUT);

  await rejectsWith(t, ctx.create('endpoint', null, '{}', PROPS, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  const missing = await rejectsWith(
    t,
    ctx.create('endpoint', null, '{}', PROPS, TIMEOUT, '11111111-2222-3333-4444-555555555555'),
    'HCN_HRESULT',
  );
  t.is(missing.operation, 'HcnOpenNetwork');
  t.is(missing.hresult, 0x803b0001);
  await assertClean(t, ctx);
});

test.serial('networks and namespaces: create, modify, remove', async (t) => {
  const net = idOf(await ctx.create('network', null, JSON.stringify({ Name: 'n2', Type: 'NAT' }), PROPS, TIMEOUT));
  const modified = JSON.parse(await ctx.modify('network', net, HOST_ROUTE_POLICY, PROPS, TIMEOUT)) as {
    Policies?: Array<{ Type: string }>;
  };
  t.true((modified.Policies ?? []).some((p) => p.Type === 'HostRoute'));
  await ctx.remove('network', net, TIMEOUT);
  const ns = idOf(await ctx.create('namespace', null, JSON.stringify({ Type: 'Host' }), PROPS, TIMEOUT));
  t.truthy(await ctx.query('namespace', ns, PROPS, TIMEOUT));
  await ctx.remove('namespace', ns, TIMEOUT);
  const status = sim<{ counts: Record<string, number> }>(ctx, { op: 'status' });
  t.deepEqual(status.counts, { networks: 1, endpoints: 2, loadBalancers: 0, namespaces: 0 });
  await assertClean(t, ctx);
});

// failNext for every export a binding method calls: the error names that export, carries the
// injected HRESULT and ErrorRecord, and nothing leaks on the way out.
for (const { family, singular, plural } of FAMILIES) {
  test.serial(`${family}: each export's failure surfaces with its name and leaks nothing`, async (t) => {
    const ids = await createOneOfEach();
    const { network } = await topology(ctx);
    const createSettings: Record<NativeFamily, string> = {
      network: JSON.stringify({ Name: 'fail', Type: 'NAT' }),
      endpoint: JSON.stringify({ Name: 'fail', HostComputeNetwork: network }),
      loadBalancer: lbSettings((await topology(ctx)).endpoints, '13.1.1.1', 8100),
      namespace: JSON.stringify({ Type: 'Host' }),
    };
    const modifySettings =
      family === 'loadBalancer'
        ? lbSettings((await topology(ctx)).endpoints, '13.2.2.2')
        : family === 'namespace'
          ? JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Add', Settings: { EndpointId: ids.endpoint } })
          : HOST_ROUTE_POLICY;
    if (family === 'loadBalancer') sim(ctx, { op: 'setVersion', major: 15, minor: 5 });
    const id = ids[family];
    const createExport = `HcnCreate${singular}`;
    const cases: Array<[string, () => Promise<unknown>]> = [
      [`HcnEnumerate${plural}`, () => ctx.enumerate(family, PROPS, TIMEOUT)],
      [`HcnEnumerate${plural}`, () => ctx.list(family, PROPS, PROPS, TIMEOUT)],
      [createExport, () => ctx.create(family, null, createSettings[family], PROPS, TIMEOUT, network)],
      [`HcnQuery${singular}Properties`, () => ctx.create(family, null, createSettings[family], PROPS, TIMEOUT, network)],
      [`HcnOpen${singular}`, () => ctx.query(family, id, PROPS, TIMEOUT)],
      [`HcnQuery${singular}Properties`, () => ctx.query(family, id, PROPS, TIMEOUT)],
      [`HcnOpen${singular}`, () => ctx.modify(family, id, modifySettings, PROPS, TIMEOUT)],
      [`HcnModify${singular}`, () => ctx.modify(family, id, modifySettings, PROPS, TIMEOUT)],
      [`HcnQuery${singular}Properties`, () => ctx.modify(family, id, modifySettings, PROPS, TIMEOUT)],
      [`HcnDelete${singular}`, () => ctx.remove(family, id, TIMEOUT)],
    ];
    for (const [operation, call] of cases) {
      sim(ctx, { op: 'failNext', operation, count: 1, hresult: 0x80070005, message: `injected into ${operation}` });
      const err = await rejectsWith(t, call(), 'HCN_HRESULT');
      t.is(err.operation, operation);
      t.is(err.hresult, 0x80070005);
      t.true(err.errorRecord?.includes(`injected into ${operation}`), err.errorRecord);
    }
    // The create whose follow-up query failed did create the object: it is there to find.
    const listed = await ctx.list(family, PROPS, PROPS, TIMEOUT);
    t.true(listed.length >= 2);
    await assertClean(t, ctx);
  });
}

test.serial('hnsCall: GET /globals/version, and its failure', async (t) => {
  const response = JSON.parse(await ctx.hnsCall('GET', '/globals/version', '', TIMEOUT)) as {
    Success: boolean;
    Output: { Major: number; Minor: number };
  };
  t.true(response.Success);
  t.deepEqual(response.Output, { Major: 13, Minor: 2 });
  sim(ctx, { op: 'failNext', operation: 'HNSCall', count: 1, hresult: 0x80070426 });
  const err = await rejectsWith(t, ctx.hnsCall('GET', '/globals/version', '', TIMEOUT), 'HCN_HRESULT');
  t.is(err.operation, 'HNSCall');
  t.is(err.hresult, 0x80070426);
  await assertClean(t, ctx);
});

test.serial('misuse is HCN_INVALID_ARGUMENT and nothing reaches HCN', async (t) => {
  const before = JSON.stringify(sim(ctx, { op: 'stats' }).calls);
  const good = '3f8e6b21-5c7d-4e19-a0b4-0a000000000e';
  const badIds: unknown[] = [
    '',
    good.slice(1),
    good + '0',
    `{${good}}`,
    good.replace(/-/g, ''),
    good.replace('3', 'g'),
    good.replace('-', '_'),
    '3f8e6b21-5c7d-4e19-a0b4-0a00000000é',
    42,
    null,
    undefined,
  ];
  for (const bad of badIds) {
    const err = await rejectsWith(t, ctx.query('endpoint', bad as string, PROPS, TIMEOUT), 'HCN_INVALID_ARGUMENT');
    t.is(err.operation, 'query');
  }
  await rejectsWith(t, ctx.remove('endpoint', 'nope', TIMEOUT), 'HCN_INVALID_ARGUMENT');
  await rejectsWith(t, ctx.create('loadBalancer', 'nope', '{}', PROPS, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  await rejectsWith(t, ctx.modify('loadBalancer', 'nope', '{}', PROPS, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  await rejectsWith(t, ctx.enumerate('loadbalancer' as NativeFamily, PROPS, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  await rejectsWith(t, ctx.enumerate('network', 42 as unknown as string, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  for (const timeout of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '100']) {
    await rejectsWith(t, ctx.enumerate('network', PROPS, timeout as number), 'HCN_INVALID_ARGUMENT');
  }
  await rejectsWith(t, ctx.hnsCall('GET', undefined as unknown as string, '', TIMEOUT), 'HCN_INVALID_ARGUMENT');
  t.is(JSON.stringify(sim(ctx, { op: 'stats' }).calls), before);
  await assertClean(t, ctx);
});

test.serial('GUIDs are accepted in upper, lower and mixed case', async (t) => {
  const { endpoints } = await topology(ctx);
  const id = endpoints[0]!;
  for (const variant of [id.toUpperCase(), id.toLowerCase(), id.slice(0, 18).toLowerCase() + id.slice(18).toUpperCase()]) {
    t.is(idOf(await ctx.query('endpoint', variant, PROPS, TIMEOUT)).toLowerCase(), id.toLowerCase());
  }
  await assertClean(t, ctx);
});
