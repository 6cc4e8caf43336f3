// End-to-end checks of what a new user ran into: aligned backend IPs, per-ID endpoint delete results,
// hints that name the right command, and messages that say what was missing. Spawns the REAL bin
// (dist/cli/main.js, built by `npm run build:ts`) against a temporary simulator state file.
import * as fs from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { type BinResult as Result, bin, hcn as run, stateFile as tempState } from '../helpers/cli-bin';

const hcn = (state: string, args: string[]): Promise<Result> => run(state, args);
const stateFile = (t: ExecutionContext): string => tempState(t, 'hcn-cli-user-');

// <root>/<outDir>/test/cli → <root>

const LOCAL_14 = '3f8e6b21-5c7d-4e19-a0b4-0a000000000e';
const MISSING = '11111111-2222-3333-4444-555555555555';

/** A remote endpoint 10.0.1.5 and a DSR load balancer using it and 10.0.0.14; returns their IDs. */
async function overlaySetup(t: ExecutionContext, state: string): Promise<{ remoteId: string; lbId: string }> {
  const ep = await hcn(state, ['--json', 'endpoint', 'create-remote', '--network', 'vxlan0', '--ip', '10.0.1.5']);
  t.is(ep.code, 0, ep.stderr);
  const remoteId = (JSON.parse(ep.stdout) as { id: string }).id;
  const lb = await hcn(state, ['--json', 'lb', 'create', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--backend', '10.0.1.5', '--port', 'tcp:8000:80', '--dsr']);
  t.is(lb.code, 0, lb.stderr);
  return { remoteId, lbId: (JSON.parse(lb.stdout) as { id: string }).id };
}

test.before(() => {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build:ts\` first`);
});

test('lb create/show: backend endpoint IDs line up when the IPs differ in length', async (t) => {
  const state = stateFile(t);
  const { lbId } = await overlaySetup(t, state);
  const show = await hcn(state, ['lb', 'show', lbId]);
  t.is(show.code, 0, show.stderr);
  const rows = show.stdout.split('\n').filter((l) => /10\.0\.[01]\.\d+\s+[0-9a-f-]{36}$/.test(l));
  t.is(rows.length, 2, show.stdout);
  const idColumns = rows.map((l) => l.search(/[0-9a-f]{8}-[0-9a-f]{4}-/));
  t.is(idColumns[0], idColumns[1], show.stdout);
});

test('endpoint delete --json: every ID is reported (deleted, notFound, failed) even when one fails', async (t) => {
  const state = stateFile(t);
  const { remoteId, lbId } = await overlaySetup(t, state);
  const r = await hcn(state, ['--json', 'endpoint', 'delete', LOCAL_14, remoteId, MISSING]);
  t.is(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { deleted: string[]; notFound: string[]; failed: { id: string; error: { code: string; exitCode: number } }[] };
  t.deepEqual(out.deleted, []);
  t.deepEqual(out.notFound, [MISSING]);
  t.deepEqual(
    out.failed.map((f) => [f.id, f.error.code, f.error.exitCode]),
    [
      [LOCAL_14, 'HCN_REFUSED', 1],
      [remoteId, 'HCN_E_ENTITY_HAS_REFERENCES', 1],
    ],
  );
  const errors = r.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { error: { code: string } }).error.code);
  t.deepEqual(errors, ['HCN_REFUSED', 'HCN_E_ENTITY_HAS_REFERENCES', 'ERROR_NOT_FOUND']);

  // Once the load balancer is gone the remote endpoint deletes; the refused local one never stops it.
  t.is((await hcn(state, ['lb', 'delete', lbId])).code, 0);
  const again = await hcn(state, ['endpoint', 'delete', LOCAL_14, remoteId]);
  t.is(again.code, 1);
  t.regex(again.stdout, new RegExp(`^deleted ${remoteId}$`, 'm'));
  t.regex(again.stderr, /HCN_REFUSED/);
  const list = await hcn(state, ['--json', 'endpoint', 'list']);
  t.false(list.stdout.includes(remoteId));
});

test('endpoint list --network with an unknown name points at `hcn network list`', async (t) => {
  const state = stateFile(t);
  const r = await hcn(state, ['endpoint', 'list', '--network', 'nope']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /no network named "nope"/);
  t.regex(r.stderr, /what to do: .*`hcn network list`/);
});

test('lb update with spec options but no --backend/--port says the spec is replaced as a whole', async (t) => {
  const state = stateFile(t);
  const { lbId } = await overlaySetup(t, state);
  const dsrOnly = await hcn(state, ['lb', 'update', lbId, '--dsr']);
  t.is(dsrOnly.code, 2);
  t.regex(dsrOnly.stderr, /replace the whole load balancer spec, so --backend is required/);
  t.regex(dsrOnly.stderr, new RegExp(`hcn lb show ${lbId}`));
  t.regex(dsrOnly.stderr, /--add-backend\/--remove-backend/);
  const noPort = await hcn(state, ['--json', 'lb', 'update', lbId, '--vip', '13.0.0.14', '--backend', '10.0.0.14']);
  t.is(noPort.code, 2);
  const e = (JSON.parse(noPort.stderr.trim()) as { error: { code: string; argument: string } }).error;
  t.deepEqual([e.code, e.argument], ['HCN_USAGE', '--port']);
  t.is((await hcn(state, ['--json', 'lb', 'show', lbId])).code, 0, 'nothing was changed');
});

test('verify dsr: one load balancer reads naturally; an empty filtered result names the filters', async (t) => {
  const state = stateFile(t);
  await overlaySetup(t, state);
  const one = await hcn(state, ['verify', 'dsr']);
  t.is(one.code, 0, one.stderr);
  t.regex(one.stdout, /^ok: the 1 load balancer has DSR$/m);
  const none = await hcn(state, ['--json', 'verify', 'dsr', '--vip', '1.2.3.4', '--port', '80']);
  t.is(none.code, 3);
  t.regex((JSON.parse(none.stdout) as { reason: string }).reason, /^no load balancers match --vip 1\.2\.3\.4 --port 80 \(pass --allow-empty/);
});

test('escape sequences in an endpoint name never reach the terminal; --add-backend errors name --add-backend', async (t) => {
  const state = stateFile(t);
  const { lbId } = await overlaySetup(t, state);
  // OSC 0 (set the window title), a cursor move and a bidi override inside a name.
  const evil = 'pod\u001b]0;pwned\u0007\u001b[2Aup\u202eevil';
  const created = await hcn(state, ['--json', 'endpoint', 'create-remote', '--network', 'vxlan0', '--ip', '10.0.1.9', '--name', evil]);
  t.is(created.code, 0, created.stderr);
  t.is((JSON.parse(created.stdout) as { name: string }).name, evil, 'JSON keeps the name as HNS has it');
  for (const args of [['endpoint', 'list'], ['endpoint', 'show', (JSON.parse(created.stdout) as { id: string }).id]]) {
    const shown = await hcn(state, args);
    t.is(shown.code, 0, shown.stderr);
    t.false(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/.test(shown.stdout), `${args.join(' ')}: ${JSON.stringify(shown.stdout)}`);
    t.true(shown.stdout.includes('pod\\x1b]0;pwned\\x07\\x1b[2Aup\\u202eevil'), shown.stdout);
  }
  // An echoed argument is escaped and cut.
  const long = await hcn(state, ['lb', 'show', `\u001b[31m${'x'.repeat(500)}`]);
  t.is(long.code, 2);
  t.false(long.stderr.includes('\u001b'), long.stderr);
  t.regex(long.stderr, /'\\x1b\[31mx+… \(505 characters\)'/);
  t.true(long.stderr.length < 600, long.stderr);
  // An unknown IP added to the load balancer: the error names the flag that brought it.
  const added = await hcn(state, ['--json', 'lb', 'update', lbId, '--add-backend', '10.0.9.99']);
  t.is(added.code, 1, added.stderr);
  t.is((JSON.parse(added.stderr.trim()) as { error: { argument: string } }).error.argument, '--add-backend');
  // The IP of a backend it already has, given by ID: one endpoint twice.
  const twice = await hcn(state, ['--json', 'lb', 'create', '--vip', '13.0.0.20', '--backend', '10.0.0.14', '--backend', LOCAL_14, '--port', 'tcp:8000:80']);
  t.is(twice.code, 2, twice.stderr);
  const e = (JSON.parse(twice.stderr.trim()) as { error: { code: string; argument: string; message: string } }).error;
  t.deepEqual([e.code, e.argument], ['HCN_VALIDATION', '--backend']);
  t.regex(e.message, /backends\[0\] already names as 10\.0\.0\.14/);
});
