// Review finding: GUID arguments must be exactly the 36 ASCII characters of a GUID. A string with a
// non-Latin-1 character whose low byte happens to be a hex digit (U+0131 'ı' -> '1') must not be
// read as that digit: it would name, and could delete, a different object.
import test from 'ava';
import { PROPS, TIMEOUT, assertClean, calls, openSim, rejectsWith, sim } from './helpers';

const ctx = openSim();

test.after.always(() => ctx.close());

// The same GUID with its last character moved up by 0x100 (same low byte, not Latin-1).
function lookalike(id: string): string {
  return id.slice(0, -1) + String.fromCharCode(0x100 + id.charCodeAt(id.length - 1));
}

test.serial('a GUID argument with a non-ASCII character is HCN_INVALID_ARGUMENT and reaches nothing', async (t) => {
  sim(ctx, { op: 'reset' });
  const [network] = JSON.parse(await ctx.enumerate('network', PROPS, TIMEOUT)) as string[];
  const bad = lookalike(network!);
  t.not(bad, network);

  const opens = calls(ctx, 'HcnOpenNetwork');
  const deletes = calls(ctx, 'HcnDeleteNetwork');
  for (const p of [
    ctx.query('network', bad, PROPS, TIMEOUT),
    ctx.modify('network', bad, '{}', PROPS, TIMEOUT),
    ctx.remove('network', bad, TIMEOUT),
    ctx.create('loadBalancer', bad, '{}', PROPS, TIMEOUT),
    ctx.create('endpoint', null, '{}', PROPS, TIMEOUT, bad),
  ]) {
    const err = await rejectsWith(t, p, 'HCN_INVALID_ARGUMENT');
    t.regex(err.message, /GUID/);
  }
  t.is(calls(ctx, 'HcnOpenNetwork'), opens, 'nothing was opened');
  t.is(calls(ctx, 'HcnDeleteNetwork'), deletes, 'nothing was deleted');
  await assertClean(t, ctx);
});
