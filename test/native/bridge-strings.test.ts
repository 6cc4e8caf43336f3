// UTF-16 straight through the boundary: non-BMP characters (emoji, surrogate pairs), combining
// marks and CJK survive settings -> HCN -> properties, query filters and ErrorRecords.
import test from 'ava';
import { PROPS, TIMEOUT, assertClean, idOf, openSim, rejectsWith, sim } from './helpers';

const ctx = openSim(2);

test.beforeEach(() => {
  sim(ctx, { op: 'reset' });
});

test.after.always(() => ctx.close());

const NAMES = ['net-😀', '𝄞 clef 𝄞', 'e\u0301te\u0301 – ü ß', '中文网络', '🏳️‍🌈👩🏽‍💻', 'a'.repeat(5000) + '🙂'];

test.serial('non-BMP and other non-ASCII names round-trip through create and query', async (t) => {
  for (const name of NAMES) {
    const created = await ctx.create('network', null, JSON.stringify({ Name: name, Type: 'NAT' }), PROPS, TIMEOUT);
    t.is((JSON.parse(created) as { Name: string }).Name, name);
    const queried = await ctx.query('network', idOf(created), PROPS, TIMEOUT);
    t.is((JSON.parse(queried) as { Name: string }).Name, name);
    await ctx.remove('network', idOf(created), TIMEOUT);
  }
  await assertClean(t, ctx);
});

test.serial('a filter holding an emoji finds the object; list returns it intact', async (t) => {
  const name = 'lb-net-🚀';
  const id = idOf(await ctx.create('network', null, JSON.stringify({ Name: name, Type: 'NAT' }), PROPS, TIMEOUT));
  const query = JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 }, Filter: JSON.stringify({ Name: name }) });
  const ids = JSON.parse(await ctx.enumerate('network', query, TIMEOUT)) as string[];
  t.deepEqual(
    ids.map((i) => i.toLowerCase()),
    [id.toLowerCase()],
  );
  const listed = await ctx.list('network', query, PROPS, TIMEOUT);
  t.deepEqual(
    listed.map((p) => (JSON.parse(p) as { Name: string }).Name),
    [name],
  );
  await ctx.remove('network', id, TIMEOUT);
  await assertClean(t, ctx);
});

test.serial('an ErrorRecord with non-ASCII text arrives intact', async (t) => {
  const message = 'échec 💥 失败';
  sim(ctx, { op: 'failNext', operation: 'HcnEnumerateNetworks', count: 1, hresult: 0x80004005, message });
  const err = await rejectsWith(t, ctx.enumerate('network', PROPS, TIMEOUT), 'HCN_HRESULT');
  t.true(err.errorRecord!.includes(message), err.errorRecord);
  t.true(err.message.includes(message), err.message);
  await assertClean(t, ctx);
});

test.serial('a NUL inside any text argument is refused before HCN sees it (it would cut the text)', async (t) => {
  const before = sim<{ calls: Record<string, number> }>(ctx, { op: 'stats' }).calls;
  const path = await rejectsWith(t, ctx.hnsCall('GET', '/globals/version\u0000/../networks', '', TIMEOUT), 'HCN_INVALID_ARGUMENT');
  t.regex(path.message, /path must not contain a NUL character \(found at index 16/);
  const settings = await rejectsWith(t, ctx.create('network', null, '{"Name":"a\u0000","Type":"NAT"}', PROPS, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  t.regex(settings.message, /settings must not contain a NUL/);
  const filter = await rejectsWith(t, ctx.enumerate('network', `${PROPS}\u0000`, TIMEOUT), 'HCN_INVALID_ARGUMENT');
  t.regex(filter.message, /query must not contain a NUL/);
  const after = sim<{ calls: Record<string, number> }>(ctx, { op: 'stats' }).calls;
  t.is(after.HNSCall ?? 0, before.HNSCall ?? 0, 'nothing was sent');
  t.is(after.HcnCreateNetwork ?? 0, before.HcnCreateNetwork ?? 0, 'nothing was sent');
  await assertClean(t, ctx);
});
