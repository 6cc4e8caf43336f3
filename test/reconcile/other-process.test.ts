// LoadBalancerReconciler and `hcn apply --watch` against deletes made by ANOTHER PROCESS. The watcher and
// the deleter name the same simulator state file (one simulated HNS per canonical state path; another
// process shares it through the file, and every call re-reads what changed there), so a delete by the
// other process is what the watcher's next pass lists. Every wait is for an event or an output line,
// bounded so that a missing one fails the test instead of hanging it; the reconciler is closed and
// the watching child killed in t.teardown whatever happens.
import { spawn, type ChildProcess } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Hcn, LoadBalancer, LoadBalancerReconciler, type ApplyItemResult } from '../../ts/index';
import { bin, hcn, json, stateFile } from '../helpers/cli-bin';

/** Resolves with `p`, or fails the test after `ms` naming what did not happen (never hangs). */
function within<T>(p: Promise<T>, what: string, ms = 45_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

const spec = LoadBalancer.builder().frontend('13.0.0.13').backends(['10.0.0.14', '10.0.0.15']).port({ protocol: 'tcp', external: 8000, internal: 80 }).dsr().build();

test('LoadBalancerReconciler restores a load balancer another process deleted through the shared state file', async (t) => {
  const state = stateFile(t, 'hcn-reconcile-other-');
  const client = await Hcn.open({ backend: 'simulated', statePath: state });
  t.teardown(() => client.close());
  // A short interval: the other process's delete is seen by the next pass (nothing here waits for a time).
  const reconciler = new LoadBalancerReconciler(client, [spec], { intervalMs: 50 });
  t.teardown(() => reconciler.close());
  const created = (action: ApplyItemResult['action']) =>
    new Promise<ApplyItemResult>((resolve) => {
      const on = (r: ApplyItemResult) => {
        if (r.action !== action) return;
        reconciler.off('change', on);
        resolve(r);
      };
      reconciler.on('change', on);
    });

  const first = created('create');
  reconciler.start();
  const original = await within(first, 'the first pass creating the load balancer');
  t.is(original.status, 'ok');
  const id = original.id!;

  // Another process (the real bin) deletes it in the same state file.
  const restored = created('create');
  const deleted = json<{ deleted: string[] }>(t, await hcn(state, ['lb', 'delete', id, '--json']));
  t.deepEqual(deleted.deleted, [id]);
  const again = await within(restored, 'a pass restoring the load balancer the other process deleted');
  t.is(again.status, 'ok');
  t.not(again.id, id, 'a new load balancer (HNS gives a new ID)');
  const live = await client.loadBalancers.list({ vip: '13.0.0.13' });
  t.deepEqual(live.map((h) => h.id), [again.id]);
  // And the other process sees the restored one too.
  const seen = json<{ id: string }[]>(t, await hcn(state, ['lb', 'list', '--json']));
  t.deepEqual(seen.map((l) => l.id), [again.id]);
});

/** Spawns the bin with `args`, collecting its output; killed (by its own PID) in t.teardown. */
function watchInChild(t: ExecutionContext, state: string, args: readonly string[]): { child: ChildProcess; output: () => string; line: (re: RegExp, what: string) => Promise<string> } {
  const env: NodeJS.ProcessEnv = { ...process.env, HCN_SIM_STATE: state, NO_COLOR: '1' };
  delete env.HCN_BACKEND;
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [bin, '--backend', 'simulated', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  child.on('exit', () => {
    for (const w of [...waiters]) w();
  });
  const line = (re: RegExp, what: string): Promise<string> =>
    within(
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const m = out.split('\n').find((l) => re.test(l));
          if (m !== undefined) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.splice(waiters.indexOf(check), 1);
            reject(new Error(`hcn exited (${child.exitCode ?? child.signalCode}) before ${what}; stdout:\n${out}\nstderr:\n${err}`));
          }
        };
        waiters.push(check);
        check();
      }),
      what,
    );
  return { child, output: () => out, line };
}

test('hcn apply --watch restores what another process deletes, logging it', async (t) => {
  const state = stateFile(t, 'hcn-watch-other-');
  const file = path.join(path.dirname(state), 'lbs.yaml');
  fs.writeFileSync(file, 'loadBalancers:\n  - frontendVips: [13.0.0.13]\n    backends: [10.0.0.14, 10.0.0.15]\n    ports: [{ protocol: tcp, external: 8000, internal: 80 }]\n    dsr: true\n');
  const watcher = watchInChild(t, state, ['apply', '-f', file, '--watch', '--interval', '0.05']);
  await watcher.line(/^watching /, 'the watcher starting');
  const [lb] = json<{ id: string }[]>(t, await hcn(state, ['lb', 'list', '--json']));
  t.truthy(lb, 'the first apply created it');

  // Another process deletes it.
  t.is((await hcn(state, ['lb', 'delete', lb!.id])).code, 0);
  const logged = await watcher.line(/ restored /, 'the watcher logging the restore');
  const now = json<{ id: string; frontendVips: string[] }[]>(t, await hcn(state, ['lb', 'list', '--json']));
  t.is(now.length, 1);
  t.not(now[0]!.id, lb!.id);
  t.deepEqual(now[0]!.frontendVips, ['13.0.0.13']);
  t.true(logged.includes(`restored ${now[0]!.id} (loadBalancers[0])`), logged);
  // Ctrl-C (SIGTERM here) ends the watch with exit 0.
  const exited = new Promise<number | null>((resolve) => watcher.child.on('exit', (code) => resolve(code)));
  watcher.child.kill('SIGTERM');
  t.is(await within(exited, 'the watcher exiting on SIGTERM'), 0);
});
