// Contract: a control request the simulator refuses becomes an HcnError E_INVALIDARG whose message
// carries the simulator's own reason (not just "The parameter is incorrect"), and the refusal
// changes nothing.
import { HcnError, type NativeError } from '../../ts/index';
import { openFixture, simulatorOnly } from './backend';

/** The `error` text of the simulator's `{"ok":false,"error":"..."}` response, read from the native cause. */
function simulatorReason(err: HcnError): string {
  const native = err.cause as NativeError | undefined;
  const response = JSON.parse(native?.errorRecord ?? '{}') as { ok?: unknown; error?: unknown };
  if (response.ok !== false || typeof response.error !== 'string') throw new Error(`not a simulator refusal: ${native?.errorRecord}`);
  return response.error;
}

simulatorOnly('a refused control request names the simulator reason: unknown op', async (t) => {
  const fx = await openFixture(t);
  const err = await t.throwsAsync(fx.hcn.simulator!.control({ op: 'noSuchControl' }), { instanceOf: HcnError });
  t.is(err?.code, 'E_INVALIDARG');
  t.is(err?.hresult, 0x80070057);
  t.is(err?.operation, 'SimControl noSuchControl');
  const reason = simulatorReason(err!);
  t.true(reason.includes('noSuchControl'), reason);
  t.is(err?.message, `SimControl noSuchControl failed: E_INVALIDARG (0x80070057): ${reason}`);
});

simulatorOnly('a refused control request names the simulator reason: bad setVersion and failNext arguments', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  const before = (await sim.status()).version;

  const version = await t.throwsAsync(sim.setVersion(-1, 0), { instanceOf: HcnError });
  t.is(version?.code, 'E_INVALIDARG');
  t.is(version?.operation, 'SimControl setVersion');
  t.true(version!.message.endsWith(`: ${simulatorReason(version!)}`), version?.message);
  t.false(version!.message.includes('The parameter is incorrect'), version?.message);
  t.deepEqual((await sim.status()).version, before, 'a refused setVersion changes nothing');

  const fault = t.throws(() => sim.failNext('HcnNoSuchOperation', 0x80004005), { instanceOf: HcnError });
  t.is(fault?.code, 'E_INVALIDARG');
  t.is(fault?.operation, 'SimControl failNext');
  t.true(fault!.message.includes('HcnNoSuchOperation'), fault?.message);
  t.true(fault!.message.endsWith(`: ${simulatorReason(fault!)}`), fault?.message);
});

simulatorOnly('ignoreNext answers on the calling thread: a refused one throws at once', async (t) => {
  const fx = await openFixture(t);
  const sim = fx.hcn.simulator!;
  // It used to go to the pool without being awaited: a refusal became an unhandled rejection, and
  // a modify sent right after could run before the fault was armed (a flaky read-back test).
  const refused = t.throws(() => sim.ignoreNext('HcnCreateLoadBalancer'), { instanceOf: HcnError });
  t.is(refused?.code, 'E_INVALIDARG');
  t.is(refused?.operation, 'SimControl ignoreNext');
  t.true(refused!.message.includes('HcnModify'), refused?.message);
});
