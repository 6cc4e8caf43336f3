// KeyedQueue: FIFO turns per key, independence of different keys, giving up without breaking order.
import test from 'ava';
import { KeyedQueue } from '../../ts/internal/keyed-queue';

const tick = () => new Promise((r) => setImmediate(r));

test('turns on one key come in call order; other keys do not wait', async (t) => {
  const q = new KeyedQueue();
  const order: string[] = [];
  const r1 = await q.enter(['a']);
  const p2 = q.enter(['a']).then((r) => (order.push('second'), r));
  const p3 = q.enter(['b']).then((r) => (order.push('other key'), r));
  await tick();
  t.deepEqual(order, ['other key']);
  r1();
  const r2 = await p2;
  t.deepEqual(order, ['other key', 'second']);
  r2();
  (await p3)();
  t.is(q.size, 0);
});

test('entering several keys waits for every earlier holder of any of them', async (t) => {
  const q = new KeyedQueue();
  const ra = await q.enter(['a']);
  const rb = await q.enter(['b']);
  let got = false;
  const both = q.enter(['a', 'b']).then((r) => ((got = true), r));
  ra();
  await tick();
  t.false(got);
  rb();
  (await both)();
  t.true(got);
});

test('a caller that gives up keeps later callers behind the earlier holder', async (t) => {
  const q = new KeyedQueue();
  const r1 = await q.enter(['k']);
  let giveUp!: (e: Error) => void;
  const quit = new Promise<never>((_, reject) => (giveUp = reject));
  const p2 = q.enter(['k'], quit);
  let third = false;
  const p3 = q.enter(['k']).then((r) => ((third = true), r));
  giveUp(new Error('aborted'));
  await t.throwsAsync(p2, { message: 'aborted' });
  await tick();
  t.false(third, 'still behind the first holder');
  r1();
  (await p3)();
  t.true(third);
  t.is(q.size, 0);
});

test('enterNow: an uncontended turn is given at once (no promise); a contended one is a promise in call order', async (t) => {
  const q = new KeyedQueue();
  let asked = 0;
  const giveUp = (): Promise<never> => {
    asked++;
    return new Promise<never>(() => undefined);
  };
  const first = q.enterNow(['x'], giveUp);
  t.is(typeof first, 'function', 'free key: the release itself');
  t.is(asked, 0, 'nothing to give up on: no deadline armed');
  const second = q.enterNow(['x', 'y'], giveUp);
  t.true(second instanceof Promise);
  t.is(asked, 1, 'a wait arms the give-up');
  const third = q.enterNow(['y']);
  t.true(third instanceof Promise, 'y is held by the second caller, who is still waiting');
  (first as () => void)();
  const r2 = await second;
  r2();
  (await third)();
  t.is(q.size, 0);
});
