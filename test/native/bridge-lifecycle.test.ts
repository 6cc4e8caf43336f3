// Lifecycle of contexts in whole processes and worker threads: an idle context or a subscription
// never holds the process open, a pending call does, and environment teardown with calls still
// pending (or threads stuck inside HCN) neither crashes nor hangs. Each case runs in a child process.
import test from 'ava';
import { runNode } from './helpers';

const PRELUDE = `
const { loadBinding } = require(NATIVE);
const PROPS = '{"SchemaVersion":{"Major":2,"Minor":0}}';
const open = (threads) => loadBinding().open({ backend: 'simulated', threads });
`;

test('the process exits on its own with an idle context', async (t) => {
  const r = await runNode(`${PRELUDE}
    const ctx = open(4);
    ctx.enumerate('network', PROPS, 5000).then((ids) => console.log('ids', JSON.parse(ids).length));
  `);
  t.is(r.signal, null, 'not killed: it exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /ids 1/);
});

test('the process exits on its own with a subscription', async (t) => {
  const r = await runNode(`${PRELUDE}
    const ctx = open(2);
    ctx.subscribe(() => console.log('notified'), 5000);
    ctx.simControl('{"op":"restart"}');
    setTimeout(() => console.log('timer done'), 50);
  `);
  t.is(r.signal, null, 'not killed: it exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /timer done/);
});

test('a pending call keeps the process alive until it settles', async (t) => {
  const r = await runNode(`${PRELUDE}
    const ctx = open(1);
    ctx.simControl('{"op":"latency","operation":"HcnEnumerateNetworks","ms":300}');
    ctx.enumerate('network', PROPS, 10000).then((ids) => console.log('settled', JSON.parse(ids).length));
  `);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /settled 1/);
});

test('the process exits with a thread still stuck inside HCN', async (t) => {
  const r = await runNode(`${PRELUDE}
    const ctx = open(1);
    ctx.simControl('{"op":"hang","operation":"HcnEnumerateNetworks"}');
    ctx.enumerate('network', PROPS, 50).catch((e) => console.log('rejected', e.code));
  `);
  t.is(r.signal, null, 'not killed: it exited by itself');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /rejected HCN_TIMEOUT/);
});

test('process.exit() with calls pending and a subscription does not crash', async (t) => {
  const r = await runNode(`${PRELUDE}
    const ctx = open(2);
    ctx.subscribe(() => undefined, 5000);
    ctx.simControl('{"op":"hang","operation":"HcnEnumerateNetworks"}');
    ctx.enumerate('network', PROPS, 60000);
    ctx.enumerate('network', PROPS, 60000);
    ctx.enumerate('network', PROPS, 60000);
    setTimeout(() => { console.log('exiting'); process.exit(0); }, 50);
  `);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /exiting/);
});

test('a worker thread torn down with calls pending does not crash; its host carries on', async (t) => {
  const r = await runNode(`${PRELUDE}
    const { Worker } = require('node:worker_threads');
    const workerCode = \`
      const { parentPort, workerData } = require('node:worker_threads');
      const { loadBinding } = require(workerData);
      const PROPS = '{"SchemaVersion":{"Major":2,"Minor":0}}';
      const ctx = loadBinding().open({ backend: 'simulated', threads: 3 });
      parentPort.on('message', () => process.exit(0));
      ctx.subscribe(() => undefined, 5000);
      ctx.enumerate('network', PROPS, 5000).then((ids) => {
        ctx.simControl('{"op":"hang","operation":"HcnEnumerateEndpoints"}');
        // One running call and two queued ones, never settled.
        for (let i = 0; i < 3; i++) ctx.enumerate('endpoint', PROPS, 60000);
        ctx.enumerate('loadBalancer', PROPS, 60000);
        parentPort.postMessage('ready ' + JSON.parse(ids).length);
      });
    \`;
    const host = open(2);
    let round = 0;
    const next = () => {
      const w = new Worker(workerCode, { eval: true, workerData: NATIVE });
      w.on('message', (m) => {
        console.log('worker', m);
        // Alternate between the worker being terminated from outside and exiting itself.
        if (round % 2 === 0) w.terminate(); else w.postMessage('bye');
      });
      w.on('error', (e) => { console.log('worker error', e); process.exitCode = 3; });
      w.on('exit', async () => {
        round++;
        if (round < 4) return next();
        const hung = JSON.parse(host.simControl('{"op":"stats"}')).hung;
        host.simControl('{"op":"release"}');
        const ids = JSON.parse(await host.enumerate('network', PROPS, 5000));
        console.log('host ok', ids.length, 'hung was', hung);
        host.close();
      });
    };
    next();
  `);
  t.is(r.signal, null, 'not killed: it exited by itself');
  t.is(r.code, 0, r.stderr);
  t.is((r.stdout.match(/worker ready 1/g) ?? []).length, 4, r.stdout);
  t.regex(r.stdout, /host ok 1 hung was [1-9]/);
});
