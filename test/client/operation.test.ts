// Operation: the deadline timer and the interrupt promise exist only when something waits on them
// (a native call alone is bounded by the native layer's own deadline), and a wait still ends at
// the deadline.
import test from 'ava';
import { HcnAbortError, HcnTimeoutError } from '../../ts/errors';
import { Operation } from '../../ts/internal/operation';

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test.serial('a native call alone arms no deadline timer', async (t) => {
  const base = timers();
  const op = new Operation('x', undefined, 60_000);
  let given = 0;
  const value = await op.native('HcnQueryLoadBalancerProperties', async (ms) => {
    given = ms;
    t.is(timers(), base, 'no timer while the call runs');
    return 'ok';
  });
  t.is(value, 'ok');
  t.true(given > 59_000 && given <= 60_000, 'the native call gets the time that is left');
  op.dispose();
  t.is(timers(), base);
});

test.serial('waiting arms the deadline: a wait that outlives it rejects with HcnTimeoutError, and dispose clears it', async (t) => {
  const base = timers();
  const op = new Operation('x', undefined, 30);
  const never = new Promise<string>(() => undefined);
  const waiting = op.wait(never);
  t.is(timers(), base + 1);
  await t.throwsAsync(waiting, { instanceOf: HcnTimeoutError });
  t.is(timers(), base);
  const op2 = new Operation('y', undefined, 60_000);
  void op2.interrupt;
  t.is(timers(), base + 1);
  op2.dispose();
  t.is(timers(), base);
});

test.serial('with a signal an abort interrupts a native call at once', async (t) => {
  const ac = new AbortController();
  const op = new Operation('x', ac.signal, 60_000);
  const running = op.native('HcnCreateLoadBalancer', () => new Promise<string>(() => undefined));
  ac.abort();
  await t.throwsAsync(running, { instanceOf: HcnAbortError });
  op.dispose();
});
