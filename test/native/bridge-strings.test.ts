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
