// The file-backed simulator across processes: two children hammering one state file lose no
// object and never both win the same frontend; a child killed mid-write leaves a parseable file;
// a handle in one process sees a delete made by another; a process that reads one object reads it
// from the snapshot's index and the journal, not the whole file (the Wine lane runs this too, so
// the Windows reads, ReadFile at an offset and SetFileTime, are covered).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { EP14, EP15, NATIVE_MODULE, PROPS, TIMEOUT, assertClean, fileState, openSim, rejectsWith, runNode, sim, simStats, waitFor } from './helpers';

const ctx = openSim();

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.after.always(() => {
  sim(ctx, { op: 'configure', statePath: null });
  sim(ctx, { op: 'reset' });
  ctx.close();
});

function tempState(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-sim-persist-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'hns-state.json');
}

function lbJson(vip: string, port: number): string {
  return JSON.stringify({
    HostComputeEndpoints: [EP14, EP15],
    FrontendVIPs: [vip],
    PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: port }],
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 1,
  });
}

/** A child script: configure the shared state file, then run `body` (async, with ctx in scope). */
function childScript(file: string, body: string): string {
  return `
const { loadBinding } = require(NATIVE);
const ctx = loadBinding().open({ backend: 'simulated', threads: 4 });
ctx.simControl(JSON.stringify({ op: 'configure', statePath: ${JSON.stringify(file)} }));
const EP = [${JSON.stringify(EP14)}, ${JSON.stringify(EP15)}];
const lb = (vip, port) => JSON.stringify({ HostComputeEndpoints: EP, FrontendVIPs: [vip],
  PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: port }], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1 });
(async () => {
${body}
})().then(() => ctx.close(), (e) => { console.error(e && e.stack || e); process.exit(1); });
`;
}

test.serial('two processes hammering one state file lose no object and never share a frontend', async (t) => {
  const file = tempState(t);
  sim(ctx, { op: 'configure', statePath: file });
  const shared = 60; // both children try these same frontends
  const own = 40; // and these, on a frontend of their own
  const body = (tag: string) => `
  let created = 0, collided = 0;
  const jobs = [];
  for (let i = 0; i < ${shared}; i++) {
    jobs.push(ctx.create('loadBalancer', null, lb('13.0.0.13', 20000 + i), '', 30000).then(
      () => { created++; },
      (e) => { if (e.hresult === 0x803B0013) collided++; else throw e; }));
  }
  for (let i = 0; i < ${own}; i++) jobs.push(ctx.create('loadBalancer', null, lb('13.0.1.${tag}', 30000 + i), '', 30000));
  for (let i = 0; i < 10; i++) jobs.push(ctx.create('network', null, JSON.stringify({ Name: 'net-${tag}-' + i, Type: 'NAT' }), '', 30000));
  await Promise.all(jobs);
  console.log(JSON.stringify({ created, collided }));`;
  const [a, b] = await Promise.all([runNode(childScript(file, body('1')), 60_000), runNode(childScript(file, body('2')), 60_000)]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const ra = JSON.parse(a.stdout) as { created: number; collided: number };
  const rb = JSON.parse(b.stdout) as { created: number; collided: number };
  t.is(ra.created + ra.collided, shared);
  t.is(ra.created + rb.created, shared, 'each shared frontend was won exactly once');
  t.is(ra.collided + rb.collided, shared);

  // This process sees everything both children wrote.
  const counts = sim(ctx, { op: 'status' }).counts as Obj;
  t.is(counts.loadBalancers, shared + 2 * own);
  t.is(counts.networks, 1 + 20);
  const onDisk = (await fileState(file)) as Obj;
  t.is((onDisk.LoadBalancers as Obj[]).length, shared + 2 * own);
  const frontends = new Set((onDisk.LoadBalancers as Obj[]).map((l) => `${l.FrontendVIPs[0]}:${l.PortMappings[0].ExternalPort}`));
  t.is(frontends.size, shared + 2 * own, 'no frontend twice');
  const ids = new Set((onDisk.LoadBalancers as Obj[]).map((l) => l.ID as string));
  t.is(ids.size, shared + 2 * own);

  // And it can use them.
  const any = [...ids][0]!;
  t.is((JSON.parse(await ctx.query('loadBalancer', any, PROPS, TIMEOUT)) as Obj).ID, any);
  sim(ctx, { op: 'reset' });
  t.is(((await fileState(file)).LoadBalancers as Obj[]).length, 0, 'reset reached the file');
  sim(ctx, { op: 'configure', statePath: null });
  await assertClean(t, ctx);
});

test.serial('a process killed while writing leaves a parseable state file', async (t) => {
  const file = tempState(t);
  sim(ctx, { op: 'configure', statePath: file });
  // A large state makes each write take a while, so kills land mid-write.
  const base = 300;
  for (let i = 0; i < base; i++) await ctx.create('loadBalancer', null, lbJson('13.0.2.1', 1000 + i), '', TIMEOUT);
  const loop = `
  for (let i = 0; ; i++) {
    const made = JSON.parse(await ctx.create('loadBalancer', null, lb('13.0.3.1', 5000 + (i % 50)), PROPS_Q, 30000));
    await ctx.remove('loadBalancer', made.ID, 30000);
    process.stdout.write('.');
  }`.replace('PROPS_Q', JSON.stringify(PROPS));
  for (const ticks of [3, 11, 29, 57]) {
    const child = spawn(process.execPath, ['-e', `const NATIVE = ${JSON.stringify(NATIVE_MODULE)};\n${childScript(file, loop)}`], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await waitFor(() => seen >= ticks || child.exitCode !== null, `the child to loop ${ticks} times`, 60_000);
    t.is(child.exitCode, null, stderr);
    child.kill('SIGKILL');
    await exited;

    // A fresh instance (another process) loads the file and its journal; it fails on a torn file.
    const doc = (await fileState(file)) as Obj;
    t.is(doc.Format, 'hcn-sdk-simulator-state');
    const lbs = doc.LoadBalancers as Obj[];
    t.true(lbs.length === base || lbs.length === base + 1, `after ${ticks}: ${lbs.length} load balancers`);
    // The killed child's lock died with it: this process carries on with the same file.
    const status = sim(ctx, { op: 'status' });
    t.is((status.counts as Obj).loadBalancers, lbs.length);
    const leftover = lbs.find((l) => l.FrontendVIPs[0] === '13.0.3.1');
    if (leftover) await ctx.remove('loadBalancer', leftover.ID as string, TIMEOUT);
  }
  t.is((sim(ctx, { op: 'status' }).counts as Obj).loadBalancers, base);
  sim(ctx, { op: 'configure', statePath: null });
  await assertClean(t, ctx);
});

test.serial('a delete in another process is seen through a handle opened here', async (t) => {
  const file = tempState(t);
  sim(ctx, { op: 'configure', statePath: file });
  const id = (JSON.parse(await ctx.create('loadBalancer', null, lbJson('13.0.0.13', 8000), PROPS, TIMEOUT)) as Obj).ID as string;
  sim(ctx, { op: 'hang', operation: 'HcnQueryLoadBalancerProperties' });
  const pending = ctx.query('loadBalancer', id, PROPS, TIMEOUT); // opened here, Query hung
  await waitFor(() => simStats(ctx).hung === 1, 'the query to hang');
  const other = await runNode(childScript(file, `await ctx.remove('loadBalancer', ${JSON.stringify(id)}, 30000); console.log('deleted');`));
  t.is(other.code, 0, other.stderr);
  t.is(other.stdout.trim(), 'deleted');
  sim(ctx, { op: 'release' });
  const err = await rejectsWith(t, pending, 'HCN_HRESULT');
  t.is(err.hresult, 0x80070490);
  // The version is shared too.
  const setter = await runNode(childScript(file, `ctx.simControl(JSON.stringify({ op: 'setVersion', major: 16, minor: 1 }));`));
  t.is(setter.code, 0, setter.stderr);
  t.deepEqual(JSON.parse(await ctx.hnsCall('GET', '/globals/version', '', TIMEOUT)).Output, { Major: 16, Minor: 1 });
  sim(ctx, { op: 'reset' });
  sim(ctx, { op: 'configure', statePath: null });
  await assertClean(t, ctx);
});

test.serial('a process that reads one load balancer reads the snapshot index and the journal, not the whole file', async (t) => {
  const file = tempState(t);
  sim(ctx, { op: 'configure', statePath: file });
  const id = async (vip: string) => (JSON.parse(await ctx.create('loadBalancer', null, lbJson(vip, 8000), PROPS, TIMEOUT)) as Obj).ID as string;
  const inSnapshot = await id('13.0.0.13');
  // Written back as a FormatVersion 1 file without a journal: the next change rewrites it as an
  // indexed snapshot holding everything so far; the change after that goes to the journal.
  const { state } = sim<{ state: Obj }>(ctx, { op: 'dump' });
  sim(ctx, { op: 'configure', statePath: null });
  fs.writeFileSync(file, JSON.stringify(state));
  fs.rmSync(`${file}.journal`, { force: true });
  sim(ctx, { op: 'configure', statePath: file });
  await id('13.0.0.14');
  const inJournal = await id('13.0.0.15');
  t.true(fs.readFileSync(file, 'utf8').includes('"FormatVersion":3'));
  t.true(fs.readFileSync(`${file}.journal`, 'utf8').includes(inJournal));

  const child = await runNode(childScript(file, `
    const stats = () => JSON.parse(ctx.simControl(JSON.stringify({ op: 'stats' }))).stateReads;
    const a = JSON.parse(await ctx.query('loadBalancer', ${JSON.stringify(inSnapshot)}, '', 30000)).FrontendVIPs;
    const b = JSON.parse(await ctx.query('loadBalancer', ${JSON.stringify(inJournal)}, '', 30000)).FrontendVIPs;
    const viewed = stats();
    const all = JSON.parse(await ctx.enumerate('loadBalancer', '', 30000)).length;
    console.log(JSON.stringify({ a, b, viewed, all, after: stats() }));`));
  t.is(child.code, 0, child.stderr);
  const r = JSON.parse(child.stdout) as { a: string[]; b: string[]; viewed: { views: number; wholeLoads: number }; all: number; after: { wholeLoads: number } };
  t.deepEqual(r.a, ['13.0.0.13']);
  t.deepEqual(r.b, ['13.0.0.15']);
  t.is(r.viewed.wholeLoads, 0, 'the two queries did not load the whole file');
  t.true(r.viewed.views >= 2, JSON.stringify(r.viewed));
  t.is(r.all, 3);
  t.is(r.after.wholeLoads, 1, 'the enumerate did');
  sim(ctx, { op: 'reset' });
  sim(ctx, { op: 'configure', statePath: null });
  await assertClean(t, ctx);
});
