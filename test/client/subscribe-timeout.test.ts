// The lazy service-callback subscription when the binding's subscribe() gives up on a hung
// HcnRegisterServiceCallback (HCN_TIMEOUT): the error reaches the caller of hcn.on(), the listener
// is not added, and the next listener subscribes again.
import test from 'ava';
import { HcnTimeoutError } from '../../ts/errors';
import { HcnNotificationType } from '../../ts/client';
import { nativeError } from './fake-binding';
import { open } from './helpers';

test('a subscribe() timeout surfaces from hcn.on(); a later listener subscribes again', async (t) => {
  const { hns, hcn } = await open();
  const ctx = hns.contexts[0]!;
  const real = ctx.subscribe.bind(ctx);
  ctx.subscribe = () => {
    throw nativeError('HCN_TIMEOUT', 'HcnRegisterServiceCallback', undefined, 'did not return in time');
  };
  let lost = 0;
  const err = t.throws(() => hcn.on('serviceDisconnect', () => lost++), { instanceOf: HcnTimeoutError });
  t.is(err?.code, 'HCN_TIMEOUT');
  t.is(err?.operation, 'HcnRegisterServiceCallback');
  // Its outcome is known (not subscribed; a late registration is undone): the native text says so.
  t.regex(err!.message, /did not return in time/);
  t.notRegex(err!.message, /outcome in HNS is unknown/);
  t.is(hcn.listenerCount('serviceDisconnect'), 0, 'the listener was not added');
  t.is(hns.subscribeCount, 0);

  ctx.subscribe = real;
  let got = 0;
  hcn.on('serviceDisconnect', () => got++);
  t.is(hns.subscribeCount, 1);
  hns.notify(HcnNotificationType.ServiceDisconnect);
  t.is(got, 1);
  t.is(lost, 0);
  await hcn.close();
  t.is(hns.unsubscribeCount, 1);
});
