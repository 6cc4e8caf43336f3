// One simulated HNS per state file (issue 10 item 1), through Hcn.open and hcn.simulator: clients on
// the same file share one; different files and in-memory clients are isolated; a failed open or
// configure throws and changes nothing for the clients already open; HCN_SIM_STATE as the CLI reads it;
// notifications reach the clients of the instance that raised them only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { Hcn, type HcnNotification } from '../../ts/client';
import { HcnError } from '../../ts/errors';
import { fileLbIds, hcnCli, lbIds, spec, tempDir } from './helpers';

async function open(t: Parameters<typeof tempDir>[0], statePath?: string | null): Promise<Hcn> {
  const hcn = await Hcn.open(statePath === undefined ? { backend: 'simulated' } : { backend: 'simulated', statePath });
  t.teardown(() => hcn.close());
  return hcn;
}

test('a second client on another state file leaves the first on its own file', async (t) => {
  const dir = tempDir(t);
  const a = path.join(dir, 'a.json');
  const b = path.join(dir, 'b.json');
  const first = await open(t, a);
  const second = await open(t, b);
  const lb = await first.loadBalancers.create(spec());
  t.deepEqual(await fileLbIds(a), [lb.id], 'the first client still writes to its own file');
  t.deepEqual(await fileLbIds(b), [], 'nothing reached the second file');
  t.deepEqual(await lbIds(second), []);
  t.is((await first.simulator!.status()).statePath, a);
  t.is((await second.simulator!.status()).statePath, b);
});

test('clients on the same file share one simulated HNS (also through another spelling of the path)', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const a = await open(t, file);
  const b = await open(t, path.join(dir, '.', 'sub', '..', 'hns.json').replace(`${path.sep}sub${path.sep}..`, ''));
  const lb = await a.loadBalancers.create(spec());
  t.deepEqual(await lbIds(b), [lb.id]);
  a.simulator!.failNext('HcnCreateLoadBalancer', 0x80070005);
  await t.throwsAsync(b.loadBalancers.create(spec(14)), { instanceOf: HcnError }, 'faults are the shared instance\'s');
  await b.simulator!.setVersion(15, 5);
  t.deepEqual((await a.simulator!.status()).version, { major: 15, minor: 5 });
});

test('in-memory clients are isolated from each other', async (t) => {
  const a = await open(t, null);
  const b = await open(t, null);
  await a.loadBalancers.create(spec());
  await a.simulator!.setVersion(15, 5);
  t.deepEqual(await lbIds(b), []);
  t.deepEqual((await b.simulator!.status()).version, { major: 13, minor: 2 });
  t.is((await b.simulator!.status()).statePath, null);
});

test('a failed open (corrupt file, missing folder) throws and changes nothing for an open client', async (t) => {
  const dir = tempDir(t);
  const good = path.join(dir, 'good.json');
  const corrupt = path.join(dir, 'corrupt.json');
  fs.writeFileSync(corrupt, '{ not json');
  const client = await open(t, good);
  const err = await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: corrupt }));
  t.true(String(err?.message).includes(corrupt), err?.message);
  await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: path.join(dir, 'no', 'such', 'folder', 's.json') }), {
    message: /folder .* does not exist/,
  });
  const lb = await client.loadBalancers.create(spec());
  t.deepEqual(await fileLbIds(good), [lb.id], 'the open client still writes to its file');
  t.is((await client.simulator!.status()).statePath, good);
  t.is(fs.readFileSync(corrupt, 'utf8'), '{ not json', 'the corrupt file is untouched');
});

test('a failed configure throws and leaves the client on its file', async (t) => {
  const dir = tempDir(t);
  const good = path.join(dir, 'good.json');
  const corrupt = path.join(dir, 'corrupt.json');
  fs.writeFileSync(corrupt, '[]');
  const client = await open(t, good);
  await t.throwsAsync(client.simulator!.configure(corrupt), { message: /not a simulator state file/ });
  const lb = await client.loadBalancers.create(spec());
  t.deepEqual(await fileLbIds(good), [lb.id]);
  t.is((await client.simulator!.status()).statePath, good);
});

test('configure moves only this client: another client of the file stays on it', async (t) => {
  const dir = tempDir(t);
  const shared = path.join(dir, 'shared.json');
  const other = path.join(dir, 'other.json');
  const stays = await open(t, shared);
  const moves = await open(t, shared);
  await moves.simulator!.configure(other);
  const lb = await stays.loadBalancers.create(spec());
  t.deepEqual(await fileLbIds(shared), [lb.id]);
  t.deepEqual(await fileLbIds(other), []);
  await moves.simulator!.configure(null);
  t.is((await moves.simulator!.status()).statePath, null);
  t.is((await stays.simulator!.status()).statePath, shared);
});

test.serial('Hcn.open honours HCN_SIM_STATE as the hcn command does; statePath: null means in memory', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'env.json');
  const saved = process.env.HCN_SIM_STATE;
  process.env.HCN_SIM_STATE = file;
  t.teardown(() => {
    if (saved === undefined) delete process.env.HCN_SIM_STATE;
    else process.env.HCN_SIM_STATE = saved;
  });
  const viaEnv = await open(t);
  const lb = await viaEnv.loadBalancers.create(spec());
  // The CLI, pointed at the same file through the same variable, sees it.
  const r = await hcnCli(file, ['lb', 'list', '--json'], { HCN_SIM_STATE: file });
  t.is(r.code, 0, r.stderr);
  t.deepEqual((JSON.parse(r.stdout) as Array<{ id: string }>).map((x) => x.id), [lb.id]);
  const memory = await open(t, null);
  t.deepEqual(await lbIds(memory), [], 'null: a private in-memory HNS despite HCN_SIM_STATE');
  t.is((await memory.simulator!.status()).statePath, null);
});

test('notifications go to the clients of the instance that raised them', async (t) => {
  const dir = tempDir(t);
  const a = await open(t, path.join(dir, 'a.json'));
  const sameAsA = await open(t, path.join(dir, 'a.json'));
  const b = await open(t, path.join(dir, 'b.json'));
  const seenA: HcnNotification[] = [];
  const seenB: HcnNotification[] = [];
  a.on('notification', (n) => seenA.push(n));
  b.on('notification', (n) => seenB.push(n));
  // on() registers in the background; a create that ran before the registration would go unheard.
  await a.subscribe();
  await b.subscribe();
  const settings = { Name: 'n2', Type: 'NAT', Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '172.30.0.0/24' }] }] };
  const onB = await b.networks.create(settings);
  const onA = await sameAsA.networks.create(settings);
  for (let i = 0; i < 500 && (seenA.length === 0 || seenB.length === 0); i++) await new Promise((r) => setTimeout(r, 10));
  // More round trips on both files, so a stray notification would have arrived by now.
  await a.networks.list();
  await b.networks.list();
  await new Promise((r) => setTimeout(r, 50));
  const ids = (seen: HcnNotification[]): string[] => seen.map((n) => String((JSON.parse(n.data ?? '{}') as { ID?: string }).ID).toLowerCase());
  t.deepEqual(ids(seenA), [onA.id.toLowerCase()], 'A hears of the network created on its file (by another client of it) only');
  t.deepEqual(ids(seenB), [onB.id.toLowerCase()]);
});
