// Review finding: close() (and environment teardown) of a subscribed context calls
// HcnUnregisterServiceCallback on the JS thread (bounded at 2 s; unsubscribe() first runs it on the
// pool instead). When HNS hangs in it, close() must still return and the process must still exit,
// as for every other hung call; the registration is ended (and its callback context freed) when
// the call does return. Each case runs in a child process, which
// is killed when it does not finish by itself.
import test from 'ava';
import { runNode } from './helpers';

const PRELUDE = `
const { loadBinding } = require(NATIVE);
const open = () => loadBinding().open({ backend: 'simulated', threads: 1 });
const stats = (c) => JSON.parse(c.simControl('{"op":"stats"}'));
`;

test('close() returns while HcnUnregisterServiceCallback hangs; the callback goes when it returns', async (t) => {
  const r = await runNode(`${PRELUDE}
    const control = open();
    control.simControl('{"op":"reset"}');
    const ctx = open();
    ctx.subscribe(() => undefined, 5000).then(() => {
    control.simControl('{"op":"hang","operation":"HcnUnregisterServiceCallback"}');
    ctx.close();
    console.log('closed, hung', stats(control).hung, 'callbacks', stats(control).liveCallbacks);
    control.simControl('{"op":"release"}');
    const wait = () => {
      if (stats(control).liveCallbacks !== 0) return setTimeout(wait, 5);
      console.log('callbacks after release', stats(control).liveCallbacks);
      control.close();
    };
    wait();
    });
  `);
  t.is(r.signal, null, 'not killed: close() returned and the process exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /closed, hung 1 callbacks 1/);
  t.regex(r.stdout, /callbacks after release 0/);
});

test('a worker thread with a subscription whose HcnUnregisterServiceCallback hangs still terminates', async (t) => {
  const r = await runNode(`${PRELUDE}
    const { Worker } = require('node:worker_threads');
    const control = open();
    control.simControl('{"op":"reset"}');
    const w = new Worker(\`
      const { parentPort, workerData } = require('node:worker_threads');
      const ctx = require(workerData).loadBinding().open({ backend: 'simulated', threads: 1 });
      ctx.subscribe(() => undefined, 5000).then(() => {
        ctx.simControl('{"op":"hang","operation":"HcnUnregisterServiceCallback"}');
        parentPort.postMessage('ready');
      });
    \`, { eval: true, workerData: NATIVE });
    w.on('message', async () => {
      await w.terminate();
      console.log('terminated, hung', stats(control).hung);
      control.simControl('{"op":"release"}');
      control.close();
    });
  `);
  t.is(r.signal, null, 'not killed: the worker terminated and the process exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /terminated, hung 1/);
});
