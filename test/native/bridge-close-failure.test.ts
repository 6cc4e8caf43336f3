// A Close that HCN refuses: the call's result still arrives (Close has no ErrorRecord and nothing
// to retry), and exactly the one handle HCN kept stays alive. Its own process, because that handle
// stays alive in the process-wide simulator for good.
import test from 'ava';
import { PROPS, TIMEOUT, idOf, openSim, sim, simStats, topology } from './helpers';

test('a failed HcnClose* does not fail the call and leaks only that handle', async (t) => {
  const ctx = openSim(1);
  sim(ctx, { op: 'reset' });
  const { endpoints } = await topology(ctx);
  t.is(simStats(ctx).liveHandles, 0);
  sim(ctx, { op: 'failNext', operation: 'HcnCloseEndpoint', count: 1, hresult: 0x80070006 });
  const properties = await ctx.query('endpoint', endpoints[0]!, PROPS, TIMEOUT);
  t.is(idOf(properties).toLowerCase(), endpoints[0]!.toLowerCase());
  const stats = simStats(ctx);
  t.is(stats.calls['HcnCloseEndpoint'], 1);
  t.is(stats.liveHandles, 1);
  // null: the simulator DLL's strings come from CoTaskMemAlloc and cannot be counted.
  if (stats.liveStrings !== null) t.is(stats.liveStrings, 0);
  ctx.close();
});
