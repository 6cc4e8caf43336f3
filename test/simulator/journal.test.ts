// Write cost of a file-backed simulator (issue 10 item 6): a change is one line appended to
// `<state>.journal`, not a rewrite of the whole state file, and the guarantees stay: parallel
// processes lose nothing (8 × 50 creates = 400) and a process killed at any moment (100 kills) leaves
// a state that loads with complete objects only. Speed itself is measured in bench/state-file.ts.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { Hcn } from '../../ts/client';
import { loadBinding } from '../../ts/native';
import { serializeLoadBalancer } from '../../ts/schema/load-balancer-json';
import { cliError, fileLbIds, fileState, hcnCli, lbIds, spec, tempDir } from './helpers';

const SDK = path.join(__dirname, '..', '..', 'ts', 'index.js');

function identity(file: string): string {
  const st = fs.statSync(file);
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

test('a create appends to the journal and leaves the state file itself untouched', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  t.teardown(() => hcn.close());
  await hcn.loadBalancers.create(spec(13)); // the first write may start the journal
  const before = identity(file);
  const journal = `${file}.journal`;
  t.true(fs.existsSync(journal), 'the state file has a journal');
  const journalBefore = fs.statSync(journal).size;
  const lb = await hcn.loadBalancers.create(spec(14));
  t.is(identity(file), before, 'the state file was not rewritten');
  t.true(fs.statSync(journal).size > journalBefore, 'the change went to the journal');
  t.is(fs.statSync(journal).mode & 0o777, fs.statSync(file).mode & 0o777, 'the journal has the state file\'s mode');
  // Another client (a fresh instance, as another process would be) sees it.
  const other = await Hcn.open({ backend: 'simulated', statePath: path.join(dir, '.', 'hns.json') });
  t.teardown(() => other.close());
  t.true((await lbIds(other)).includes(lb.id));
});

const NET = '6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001';
const EP14 = '3F8E6B21-5C7D-4E19-A0B4-0A000000000E';
const T = 30_000;

/** A simulator of its own on `file` through the native binding (every family, modify included). */
async function nativeOn(t: import('ava').ExecutionContext, file: string) {
  const ctx = loadBinding().open({ backend: 'simulated', simulator: 'isolated', threads: 1 });
  t.teardown(() => ctx.close());
  await ctx.simAttach(file, false, T);
  return ctx;
}

const idOf = (json: string) => (JSON.parse(json) as { ID: string }).ID;

test('every kind of change replays from the journal to the same state (all families, modify, version, VFP)', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const ctx = await nativeOn(t, file);
  await ctx.simControlAsync(JSON.stringify({ op: 'setVersion', major: 15, minor: 5 }), T); // ModifyLoadBalancer needs 15.5+
  const net = idOf(await ctx.create('network', null, JSON.stringify({ Name: 'extra', Type: 'NAT' }), '', T));
  const route = { Type: 'RemoteSubnetRoute', Settings: { DestinationPrefix: '10.0.2.0/24', IsolationId: 4096, ProviderAddress: '10.231.111.99' } };
  await ctx.modify('network', NET, JSON.stringify({ ResourceType: 'Policy', RequestType: 'Add', Settings: { Policies: [route] } }), '', T);
  const ep = idOf(await ctx.create('endpoint', null, JSON.stringify({ Name: 'pod3', IpConfigurations: [{ IpAddress: '10.0.0.40' }] }), '', T, NET));
  await ctx.modify('endpoint', ep, JSON.stringify({ ResourceType: 'Policy', RequestType: 'Add', Settings: { Policies: [{ Type: 'OutBoundNAT', Settings: {} }] } }), '', T);
  const ns = idOf(await ctx.create('namespace', null, JSON.stringify({ Type: 'Host' }), '', T));
  await ctx.modify('namespace', ns, JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Add', Settings: { EndpointId: ep } }), '', T);
  await ctx.modify('namespace', ns, JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Add', Settings: { EndpointId: EP14 } }), '', T);
  const lb = (port: number, vip: string) => JSON.stringify({
    HostComputeEndpoints: [EP14, ep], FrontendVIPs: [vip], PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: port }],
    SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1,
  });
  const lb1 = idOf(await ctx.create('loadBalancer', null, lb(80, '13.0.0.13'), '', T));
  const lb2 = idOf(await ctx.create('loadBalancer', null, lb(81, '13.0.0.14'), '', T));
  await ctx.modify('loadBalancer', lb1, lb(8080, '13.0.0.13'), '', T);
  // A VFP rule removed by hand (another instance on the file: shared through it).
  const viaClient = await Hcn.open({ backend: 'simulated', statePath: file });
  const [first] = await viaClient.vfp.rules({ layer: 'LB_DSR' });
  await viaClient.simulator!.removeVfpRule(first!.port, first!.rule.name);
  await viaClient.close();
  const withRule = await fileState(file);
  t.true(JSON.stringify(withRule).includes(first!.rule.name), 'the removed rule is part of the state');
  await ctx.remove('loadBalancer', lb2, T);
  // Deleting an endpoint also takes it out of its namespace (another object changed by the call).
  await ctx.remove('loadBalancer', lb1, T);
  await ctx.remove('endpoint', ep, T);
  await ctx.remove('network', net, T);
  await ctx.simControlAsync(JSON.stringify({ op: 'setVersion', major: 16, minor: 1 }), T);
  const rules = JSON.parse(await ctx.simControlAsync(JSON.stringify({ op: 'dump' }), T)) as { state: Record<string, unknown> };
  const live = rules.state;
  t.true(fs.statSync(`${file}.journal`).size > 1000, 'the changes went to the journal');
  const replayed = await fileState(file);
  t.deepEqual(replayed, live);
  t.deepEqual((replayed.Version as { Major: number }).Major, 16);
});

test('a torn last record (killed writer, power cut) is ignored, never half-applied, and cut off by the next writer', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  const kept = await hcn.loadBalancers.create(spec(13));
  await hcn.close();
  const journal = `${file}.journal`;
  const good = fs.readFileSync(journal, 'utf8');
  const lastLine = good.trimEnd().split('\n').pop()!;
  // The tails a crash can leave: half a record; a whole line whose checksum does not match (its
  // blocks were not all written); zeros (a file extended but not filled).
  const torn = [lastLine.slice(0, 40), `${lastLine.slice(0, -12)}X${lastLine.slice(-11)}\n`, '\0'.repeat(300)];
  for (const tail of torn) {
    fs.writeFileSync(journal, good + tail.replace(kept.id.toUpperCase(), '00000000-0000-0000-0000-0000000000AA'));
    t.deepEqual((await fileState(file)).LoadBalancers!.map((l) => l.ID.toLowerCase()), [kept.id], JSON.stringify(tail.slice(0, 20)));
    const again = await Hcn.open({ backend: 'simulated', statePath: file });
    const lb = await again.loadBalancers.create(spec(14));
    await again.close();
    t.true(fs.readFileSync(journal, 'utf8').startsWith(good), 'the records before the tail are kept');
    t.false(fs.readFileSync(journal, 'utf8').includes('\0'), 'the torn tail was cut off');
    t.deepEqual(((await fileState(file)).LoadBalancers ?? []).map((l) => l.ID.toLowerCase()).sort(), [kept.id, lb.id].sort());
    const cleanup = await Hcn.open({ backend: 'simulated', statePath: file });
    await cleanup.loadBalancers.delete(lb.id);
    await cleanup.close();
    fs.writeFileSync(journal, good);
  }
});

test('a damaged journal record followed by others: every command names the journal; sim reset --force moves both aside', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  await hcn.loadBalancers.create(spec(13));
  await hcn.loadBalancers.create(spec(14));
  await hcn.close();
  const journal = `${file}.journal`;
  const lines = fs.readFileSync(journal, 'utf8').split('\n');
  lines[1] = lines[1]!.replace('13.0.0.13', '13.0.0.99'); // the first record: its checksum no longer matches
  const damaged = lines.join('\n');
  fs.writeFileSync(journal, damaged);
  const err = await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: file }));
  t.true(String(err?.message).includes(journal), err?.message);
  t.regex(String(err?.message), /checksum/);
  for (const args of [['lb', 'list'], ['sim', 'status']]) {
    const r = await hcnCli(file, [...args, '--json']);
    t.not(r.code, 0, args.join(' '));
    const e = cliError(r);
    t.true(e.message.includes(journal), `${args.join(' ')}: ${e.message}`);
    t.true(`${e.message} ${e.hint ?? ''}`.includes('hcn sim reset --force'), `${args.join(' ')}: ${e.message}`);
  }
  t.is(fs.readFileSync(journal, 'utf8'), damaged, 'nothing overwrote the damaged journal');
  const r = await hcnCli(file, ['sim', 'reset', '--force', '--json']);
  t.is(r.code, 0, r.stderr);
  const aside = fs.readdirSync(dir).filter((n) => n.startsWith('hns.json.corrupt-'));
  t.is(aside.length, 2, fs.readdirSync(dir).join(', '));
  t.is(fs.readFileSync(path.join(dir, aside.find((n) => n.endsWith('.journal'))!), 'utf8'), damaged, 'the journal is kept aside');
  t.deepEqual((await fileState(file)).LoadBalancers, []);
});

test('a compaction killed between the new snapshot and its journal applies nothing twice', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  t.teardown(() => hcn.close());
  await hcn.loadBalancers.create(spec(13));
  const oldJournal = fs.readFileSync(`${file}.journal`);
  // A reset writes a new snapshot (and a new journal); putting the old journal back is the state a
  // writer killed between the two renames leaves. Its records (a create) must not come back.
  await hcn.simulator!.reset();
  fs.writeFileSync(`${file}.journal`, oldJournal);
  t.deepEqual((await fileState(file)).LoadBalancers, []);
  const other = await Hcn.open({ backend: 'simulated', statePath: path.join(dir, '.', 'hns.json') });
  t.deepEqual(await lbIds(other), []);
  // The next write replaces the stale journal and is kept.
  const lb = await hcn.loadBalancers.create(spec(14));
  t.deepEqual((await fileState(file)).LoadBalancers!.map((l) => l.ID.toLowerCase()), [lb.id]);
});

test('a symlinked or non-regular journal is refused, never followed; stray journal temps are removed', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  await hcn.loadBalancers.create(spec(13));
  await hcn.close();
  const journal = `${file}.journal`;
  const victim = path.join(dir, 'victim.txt');
  fs.writeFileSync(victim, 'precious');
  fs.rmSync(journal);
  fs.symlinkSync(victim, journal);
  const r = await hcnCli(file, ['lb', 'list', '--json']);
  t.not(r.code, 0);
  t.true(cliError(r).message.includes(journal) && /symlink/.test(cliError(r).message), cliError(r).message);
  t.is(fs.readFileSync(victim, 'utf8'), 'precious');
  fs.rmSync(journal);
  fs.mkdirSync(journal);
  const d = await hcnCli(file, ['lb', 'list', '--json']);
  t.not(d.code, 0);
  t.regex(cliError(d).message, /directory/);
  fs.rmdirSync(journal);
  // Missing journal: the snapshot alone is the state (a writer killed before writing it).
  fs.writeFileSync(`${journal}.tmp.99999.1`, '{"Journal":');
  const again = await Hcn.open({ backend: 'simulated', statePath: file });
  t.teardown(() => again.close());
  await again.loadBalancers.create(spec(14));
  t.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.tmp.')), []);
  t.is(fs.statSync(journal).mode & 0o777, 0o600);
});

function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('8 processes × 50 creates on one state file: all 400 are there', async (t) => {
  t.timeout(240_000);
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const seed = await Hcn.open({ backend: 'simulated', statePath: file });
  await seed.close();
  const child = (p: number) => `
    const { Hcn, LoadBalancer } = require(${JSON.stringify(SDK)});
    (async () => {
      const hcn = await Hcn.open({ backend: 'simulated', statePath: ${JSON.stringify(file)}, timeoutMs: 120000 });
      const jobs = [];
      for (let i = 0; i < 50; i++) {
        jobs.push(hcn.loadBalancers.create(LoadBalancer.builder().frontend('14.0.${p}.' + (i + 1)).backends(['10.0.0.14'])
          .port({ protocol: 'tcp', external: 80, internal: 8080 }).build()));
      }
      await Promise.all(jobs);
      await hcn.close();
      console.log('done');
    })().catch((e) => { console.error(e); process.exitCode = 1; });`;
  const results = await Promise.all(Array.from({ length: 8 }, (_, p) => runNode(child(p))));
  for (const r of results) t.is(r.code, 0, r.stderr);
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  t.teardown(() => hcn.close());
  const all = await hcn.loadBalancers.list();
  t.is(all.length, 400);
  t.is(new Set(all.map((lb) => lb.info.frontendVips[0])).size, 400, 'every frontend once');
});

test('100 processes killed at any moment: the state always loads, with complete objects only', async (t) => {
  t.timeout(600_000);
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const seed = await Hcn.open({ backend: 'simulated', statePath: file });
  const seeded: string[] = [];
  for (let i = 1; i <= 20; i++) seeded.push((await seed.loadBalancers.create(spec(i))).id);
  await seed.close();
  const loop = `
    const { Hcn, LoadBalancer } = require(${JSON.stringify(SDK)});
    (async () => {
      const hcn = await Hcn.open({ backend: 'simulated', statePath: ${JSON.stringify(file)}, timeoutMs: 120000 });
      for (let i = 0; ; i++) {
        const lb = await hcn.loadBalancers.create(LoadBalancer.builder().frontend('15.0.0.' + (1 + (i % 200))).backends(['10.0.0.14', '10.0.0.15'])
          .port({ protocol: 'tcp', external: 80, internal: 8080 }).dsr().build());
        await hcn.loadBalancers.delete(lb.id);
        process.stdout.write('.');
      }
    })().catch((e) => { console.error(e); process.exitCode = 1; });`;
  for (let k = 0; k < 100; k++) {
    const child = spawn(process.execPath, ['-e', loop], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    // Kill after a varying number of completed loops (0..4), i.e. anywhere in a create or delete.
    const want = k % 5;
    for (let i = 0; i < 6000 && seen < want && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, k % 7));
    t.is(child.exitCode, null, stderr);
    child.kill('SIGKILL');
    await exited;
    // A fresh client (a new instance of the file) reads one object without loading the rest (a
    // view of the snapshot and journal), then loads it all; every object is whole, and the one
    // read alone is the same in both.
    const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
    const one = await hcn.loadBalancers.get(seeded[k % 20]!);
    const lbs = await hcn.loadBalancers.list();
    t.deepEqual(lbs.find((lb) => lb.id === one.id)?.info, one.info);
    const extra = lbs.filter((lb) => lb.info.frontendVips[0]?.startsWith('15.'));
    t.true(lbs.length === 20 + extra.length && extra.length <= 1, `after kill ${k}: ${lbs.length} load balancers`);
    for (const lb of lbs) t.is(lb.info.backendIds.length > 0 && lb.info.ports.length, 1);
    for (const lb of extra) await hcn.loadBalancers.delete(lb.id);
    await hcn.close();
  }
});

test('a new snapshot generation whose files reuse the old ones\' inodes, sizes and mtime is still noticed (the journal header names the generation)', async (t) => {
  // On ext4 a rewritten snapshot or journal very often gets the inode number its predecessor freed,
  // and a default-topology snapshot always has the same size; with a coarse mtime clock two
  // generations can then share (inode, size, mtime). Here the new generation's bytes are moved into
  // the old files and the old mtime put back, so the stat signature is exactly the old one: only the
  // journal's header (the snapshot's JournalId) tells the generations apart.
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const journal = `${file}.journal`;
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  t.teardown(() => hcn.close());
  const old = await hcn.loadBalancers.create(spec(13));
  t.deepEqual(await lbIds(hcn), [old.id]);
  const snapStat = fs.statSync(file, { bigint: true });
  const journalSize = fs.statSync(journal).size;
  fs.linkSync(file, `${file}.keep`);
  fs.linkSync(journal, `${journal}.keep`);
  // Another process: a reset (new snapshot + journal) and the same create, which gets another ID.
  const script = `
    const native = require(${JSON.stringify(path.join(__dirname, '..', '..', 'ts', 'native.js'))});
    (async () => {
      const ctx = native.loadBinding().open({ backend: 'simulated', simulator: 'isolated', threads: 1 });
      try {
        await ctx.simAttach(${JSON.stringify(file)}, false, 30000);
        await ctx.simControlAsync('{"op":"reset"}', 30000);
        process.stdout.write(await ctx.create('loadBalancer', null, ${JSON.stringify(serializeLoadBalancer(spec(13), old.info.backendIds))}, '', 30000));
      } finally {
        ctx.close();
      }
    })().catch((e) => { console.error(e); process.exitCode = 1; });`;
  const created = idOf(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 })).toLowerCase();
  t.not(created, old.id);
  const newSnap = fs.readFileSync(file);
  const newJournal = fs.readFileSync(journal);
  t.is(newSnap.length, Number(snapStat.size), 'precondition: the new snapshot has the old size');
  t.is(newJournal.length, journalSize, 'precondition: the new journal has the old size');
  fs.writeFileSync(`${file}.keep`, newSnap);
  fs.writeFileSync(`${journal}.keep`, newJournal);
  const sec = snapStat.mtimeNs / 1_000_000_000n;
  const nsec = (snapStat.mtimeNs % 1_000_000_000n).toString().padStart(9, '0');
  execFileSync('touch', ['-m', '-d', `@${sec}.${nsec}`, `${file}.keep`]);
  fs.renameSync(`${file}.keep`, file);
  fs.renameSync(`${journal}.keep`, journal);
  const now = fs.statSync(file, { bigint: true });
  t.deepEqual([now.ino, now.size, now.mtimeNs], [snapStat.ino, snapStat.size, snapStat.mtimeNs], 'precondition: the same stat signature');
  t.deepEqual(await fileLbIds(file), [created], 'what the file holds');
  t.deepEqual(await lbIds(hcn), [created], 'what the long-lived client reads');
});
