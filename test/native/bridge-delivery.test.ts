// Completion delivery keeps the host's event loop turning: however many calls finish at once, one
// delivery settles at most MAX_PER_DELIVERY of them and the next waits for the loop to turn
// (src/bridge/completions.h). Counted in loop turns, never timed.
import test from 'ava';
import { TIMEOUT, assertClean, openSim, rejectsWith } from './helpers';

/** Completions::kMaxPerDelivery. */
const MAX_PER_DELIVERY = 16;

/**
 * Counts event-loop turns: a setImmediate that re-arms itself runs once per turn (an immediate
 * queued from an immediate runs in the next turn).
 */
function turnCounter(): { readonly turn: number; stop(): void } {
  let turn = 0;
  let running = true;
  const tick = (): void => {
    turn++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turn() {
      return turn;
    },
    stop() {
      running = false;
    },
  };
}

test.serial('a burst of completions is settled a bounded slice per loop turn', async (t) => {
  const ctx = openSim(4);
  const n = 3000;
  const turns = turnCounter();
  const perTurn = new Map<number, number>();
  const calls = Array.from({ length: n }, () =>
    ctx.hnsCall('GET', '/globals/version', '', TIMEOUT).then(() => {
      perTurn.set(turns.turn, (perTurn.get(turns.turn) ?? 0) + 1);
    }),
  );
  await Promise.all(calls);
  turns.stop();
  const most = Math.max(...perTurn.values());
  // Between two ticks of the counter there can be the end of one turn's check phase, a wake-up
  // delivery in the next poll phase and a continuation in its check phase: three deliveries.
  t.true(most <= 3 * MAX_PER_DELIVERY, `at most ${3 * MAX_PER_DELIVERY} settled in one turn (saw ${most})`);
  t.true(perTurn.size >= Math.ceil(n / (3 * MAX_PER_DELIVERY)), `the loop turned while they settled (${perTurn.size} turns)`);
  const stats = ctx.stats();
  t.true(stats.largestDelivery <= MAX_PER_DELIVERY, `largest delivery ${stats.largestDelivery}`);
  t.true(stats.deliveries >= Math.ceil(n / MAX_PER_DELIVERY), `${stats.deliveries} deliveries`);
  t.is(stats.completed, n);
  await assertClean(t, ctx);
  ctx.close();
});

test.serial('close() from a continuation in the middle of a burst rejects the rest and delivers nothing more', async (t) => {
  const ctx = openSim(4);
  const n = 500;
  let closedAfter = -1;
  let settledAfterClose = 0;
  const outcomes = Array.from({ length: n }, (_, i) =>
    ctx.hnsCall('GET', '/globals/version', '', TIMEOUT).then(
      () => {
        if (closedAfter >= 0) settledAfterClose++;
        if (closedAfter < 0) {
          closedAfter = i;
          ctx.close();
        }
        return 'ok';
      },
      (err: unknown) => err,
    ),
  );
  const results = await Promise.all(outcomes);
  const ok = results.filter((r) => r === 'ok').length;
  t.true(ok >= 1);
  t.true(ok < n, 'some calls were still pending at close()');
  for (const r of results) if (r !== 'ok') t.is((r as { code?: string }).code, 'HCN_CLOSED');
  // Promises resolved in the same delivery before close() may still run their continuations.
  t.true(settledAfterClose <= MAX_PER_DELIVERY);
  await rejectsWith(t, ctx.hnsCall('GET', '/globals/version', '', TIMEOUT), 'HCN_CLOSED');
  // Let any continuation scheduled before close() run: it must find nothing to do.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  t.pass();
});
