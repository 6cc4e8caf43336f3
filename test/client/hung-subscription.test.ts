// Issue 10 item 7: the service-callback registration runs on the client's own threads with its
// deadline. With HcnRegisterServiceCallback hung, timers keep firing and the failure arrives as an
// 'error' event (or a rejected subscribe()); with HcnUnregisterServiceCallback hung, close() still
// returns. Each case runs in a child process (real addon + simulator), killed if it does not finish
// by itself: before the fix the registration blocked the JS thread and close() never returned.
import * as path from 'node:path';
import test from 'ava';
import { runNode } from '../native/helpers';

const SDK = path.join(__dirname, '..', '..', 'ts', 'index.js');

const PRELUDE = `
const { Hcn } = require(${JSON.stringify(SDK)});
const until = async (predicate) => { while (!predicate()) await new Promise((r) => setTimeout(r, 5)); };
`;

test('a hung HcnRegisterServiceCallback never stops the event loop; it fails as an error event and a rejected subscribe()', async (t) => {
  const r = await runNode(`${PRELUDE}
    (async () => {
      const hcn = await Hcn.open({ backend: 'simulated', timeoutMs: 300 });
      await hcn.simulator.reset();
      hcn.simulator.hang('HcnRegisterServiceCallback');
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const failure = new Promise((resolve) => hcn.once('error', resolve));
      hcn.on('serviceDisconnect', () => console.log('disconnect'));
      console.log('on() returned, hung', hcn.simulator.stats().hung >= 0);
      const err = await failure;
      console.log('error event', err.name, err.code, err.operation, 'ticked', ticks > 0);
      const again = await hcn.subscribe().then(() => 'resolved', (e) => e.name + ' ' + e.code);
      console.log('subscribe()', again);
      hcn.simulator.release();
      await hcn.subscribe();
      // The two late registrations are ended by the threads that made them.
      await until(() => hcn.poolStats().stuck === 0 && hcn.simulator.stats().liveCallbacks === 1);
      console.log('registered', hcn.simulator.stats().liveCallbacks);
      // Listening before the restart: the notification may arrive before restart() resolves.
      const disconnected = new Promise((resolve) => hcn.once('serviceDisconnect', resolve));
      await hcn.simulator.restart();
      await disconnected;
      await hcn.unsubscribe();
      console.log('unsubscribed', hcn.simulator.stats().liveCallbacks);
      clearInterval(timer);
      await hcn.close();
    })().catch((e) => { console.log('FAILED', e); process.exitCode = 1; });
  `);
  t.is(r.signal, null, `not killed: the process finished by itself\n${r.stdout}${r.stderr}`);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /error event HcnTimeoutError HCN_TIMEOUT HcnRegisterServiceCallback ticked true/);
  t.regex(r.stdout, /subscribe\(\) HcnTimeoutError HCN_TIMEOUT/);
  t.regex(r.stdout, /registered 1/);
  t.regex(r.stdout, /disconnect/);
  t.regex(r.stdout, /unsubscribed 0/);
});

test('close() returns while HcnUnregisterServiceCallback hangs, and timers fire meanwhile', async (t) => {
  const r = await runNode(`${PRELUDE}
    (async () => {
      const hcn = await Hcn.open({ backend: 'simulated', timeoutMs: 300 });
      await hcn.simulator.reset();
      hcn.on('notification', () => undefined);
      await hcn.subscribe();
      hcn.simulator.hang('HcnUnregisterServiceCallback');
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const errors = [];
      hcn.on('error', (e) => errors.push(e));
      await hcn.close();
      clearInterval(timer);
      console.log('closed', hcn.closed, 'ticked', ticks > 0, 'errors', errors.length);
    })().catch((e) => { console.log('FAILED', e); process.exitCode = 1; });
  `);
  t.is(r.signal, null, `not killed: close() returned and the process exited by itself\n${r.stdout}${r.stderr}`);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /closed true ticked true errors 0/);
});
