// subscribe() and unsubscribe() call HcnRegisterServiceCallback / HcnUnregisterServiceCallback
// synchronously on the JS thread. When HNS hangs in them they must still return after a bound (the
// event loop keeps running), a late Register is undone, a late Unregister frees its callback, no
// listener hears an ended registration, and subscribing again works. Each case runs in a child
// process, which is killed when it does not finish by itself.
import test from 'ava';
import { runNode } from './helpers';

const PRELUDE = `
const { loadBinding } = require(NATIVE);
const open = () => loadBinding().open({ backend: 'simulated', threads: 1 });
const stats = (c) => JSON.parse(c.simControl('{"op":"stats"}'));
const until = (predicate) => new Promise((resolve) => {
  const poll = () => (predicate() ? resolve() : setTimeout(poll, 5));
  poll();
});
const drain = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };
`;

test('subscribe() throws HCN_TIMEOUT while Register hangs; the late registration is undone', async (t) => {
  const r = await runNode(`${PRELUDE}
    (async () => {
      const control = open();
      control.simControl('{"op":"reset"}');
      const ctx = open();
      let stale = 0;
      control.simControl('{"op":"hang","operation":"HcnRegisterServiceCallback"}');
      try {
        ctx.subscribe(() => stale++);
        console.log('subscribe returned normally');
      } catch (e) {
        console.log('threw', e.code, e.operation, /undone/.test(e.message), 'hung', stats(control).hung);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
      console.log('loop runs');
      control.simControl('{"op":"release"}');
      await until(() => {
        const s = stats(control);
        return s.hung === 0 && (s.calls.HcnUnregisterServiceCallback ?? 0) >= 1 && s.liveCallbacks === 0;
      });
      console.log('callbacks after release', stats(control).liveCallbacks);
      let fresh = 0;
      ctx.subscribe(() => fresh++);
      control.simControl('{"op":"restart"}');
      await until(() => fresh === 1);
      await drain();
      console.log('fresh', fresh, 'stale', stale);
      ctx.unsubscribe();
      console.log('callbacks at end', stats(control).liveCallbacks);
      ctx.close();
      control.close();
    })();
  `);
  t.is(r.signal, null, 'not killed: subscribe() returned and the process exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /threw HCN_TIMEOUT HcnRegisterServiceCallback true hung 1/);
  t.regex(r.stdout, /loop runs/);
  t.regex(r.stdout, /callbacks after release 0/);
  t.regex(r.stdout, /fresh 1 stale 0/);
  t.regex(r.stdout, /callbacks at end 0/);
});

test('unsubscribe() returns while Unregister hangs; the listener hears nothing more and subscribing again works', async (t) => {
  const r = await runNode(`${PRELUDE}
    (async () => {
      const control = open();
      control.simControl('{"op":"reset"}');
      let sentinel = 0;
      control.subscribe(() => sentinel++);
      const ctx = open();
      let first = 0;
      ctx.subscribe(() => first++);
      control.simControl('{"op":"hang","operation":"HcnUnregisterServiceCallback"}');
      try {
        ctx.unsubscribe();
        console.log('unsubscribe returned, hung', stats(control).hung);
      } catch (e) {
        console.log('unsubscribe threw', e.code);
      }
      control.simControl('{"op":"restart"}');
      await until(() => sentinel === 1);
      await drain();
      console.log('first after unsubscribe', first);
      // Again while the old Unregister is still inside HNS (its registration still calls back).
      let second = 0;
      ctx.subscribe(() => second++);
      control.simControl('{"op":"restart"}');
      await until(() => sentinel === 2 && second === 1);
      await drain();
      console.log('second', second, 'first', first);
      control.simControl('{"op":"release"}');
      await until(() => stats(control).hung === 0 && stats(control).liveCallbacks === 2);
      console.log('callbacks after release', stats(control).liveCallbacks);
      ctx.unsubscribe();
      control.unsubscribe();
      console.log('callbacks at end', stats(control).liveCallbacks);
      ctx.close();
      control.close();
    })();
  `);
  t.is(r.signal, null, 'not killed: unsubscribe() returned and the process exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /unsubscribe returned, hung 1/);
  t.regex(r.stdout, /first after unsubscribe 0/);
  t.regex(r.stdout, /second 1 first 0/);
  t.regex(r.stdout, /callbacks after release 2/);
  t.regex(r.stdout, /callbacks at end 0/);
});

test('close() after a timed-out subscribe(): the late registration is still undone', async (t) => {
  const r = await runNode(`${PRELUDE}
    (async () => {
      const control = open();
      control.simControl('{"op":"reset"}');
      const ctx = open();
      control.simControl('{"op":"hang","operation":"HcnRegisterServiceCallback"}');
      try {
        ctx.subscribe(() => console.log('stale listener called'));
      } catch (e) {
        console.log('threw', e.code);
      }
      ctx.close();
      control.simControl('{"op":"restart"}');
      control.simControl('{"op":"release"}');
      await until(() => {
        const s = stats(control);
        return s.hung === 0 && (s.calls.HcnUnregisterServiceCallback ?? 0) >= 1 && s.liveCallbacks === 0;
      });
      await drain();
      console.log('callbacks after release', stats(control).liveCallbacks);
      control.close();
    })();
  `);
  t.is(r.signal, null, 'not killed: the process exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /threw HCN_TIMEOUT/);
  t.regex(r.stdout, /callbacks after release 0/);
  t.notRegex(r.stdout, /stale listener called/);
});
