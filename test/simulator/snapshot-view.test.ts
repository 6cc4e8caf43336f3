// Reads of single objects (issue 10 item 6, the read side): a process that queries one object of a
// state file reads that object (the snapshot's index, the journal's records), not the whole file,
// and gets exactly what a process that loaded the whole file gets. Speed itself is measured in
// bench/state-file.ts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Hcn } from '../../ts/client';
import { loadBinding } from '../../ts/native';
import { inAnotherProcess, spec, tempDir } from './helpers';

const NET = '6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001';
const EP14 = '3F8E6B21-5C7D-4E19-A0B4-0A000000000E';
const UNKNOWN = '0D15EA5E-0000-4000-8000-00000000BEEF';
const T = 30_000;

type Query = [family: 'network' | 'endpoint' | 'loadBalancer' | 'namespace' | 'version', id: string, query: string];
interface Answers {
  viewed: string[];
  whole: string[];
  /** The child's stateReads (stats control) after the first round of queries. */
  reads: { views: number; wholeLoads: number };
}

/**
 * In a new process: a fresh simulator instance on `file` answers `queries` (each its JSON answer,
 * or its failure), first before anything loads the whole file, then again after an enumerate has
 * loaded it.
 */
function answersInAnotherProcess(file: string, queries: Query[]): Promise<Answers> {
  return inAnotherProcess<Answers>(file, `
    const queries = ${JSON.stringify(queries)};
    const ask = async () => {
      const out = [];
      for (const [family, id, query] of queries) {
        try {
          out.push(family === 'version' ? await ctx.hnsCall('GET', '/globals/version', '', 30000) : await ctx.query(family, id, query, 30000));
        } catch (e) {
          out.push('failed: ' + (e.hresult ?? '') + ' ' + e.message);
        }
      }
      return out;
    };
    const viewed = await ask();
    const reads = JSON.parse(ctx.simControl(JSON.stringify({ op: 'stats' }))).stateReads;
    let whole;
    try {
      await ctx.enumerate('loadBalancer', '', 30000);
      whole = await ask();
    } catch (e) {
      whole = ['whole load failed: ' + e.message];
    }
    return { viewed, whole, reads };`, 'querying');
}

async function nativeOn(t: ExecutionContext, file: string) {
  const ctx = loadBinding().open({ backend: 'simulated', simulator: 'isolated', threads: 1 });
  t.teardown(() => ctx.close());
  await ctx.simAttach(file, false, T);
  return ctx;
}

/**
 * Gives `file` back the modification time `mtimeNs` (from a bigint stat) to the nanosecond, which
 * fs.utimes (seconds as a double) cannot: GNU touch can.
 */
function restoreTime(file: string, mtimeNs: bigint): void {
  const s = mtimeNs / 1_000_000_000n;
  const ns = (mtimeNs % 1_000_000_000n).toString().padStart(9, '0');
  execFileSync('touch', ['-m', '-d', `@${s}.${ns}`, file]);
}

const idOf = (json: string) => (JSON.parse(json) as { ID: string }).ID;
const lbSettings = (port: number, vip: string, endpoints: string[]) => JSON.stringify({
  HostComputeEndpoints: endpoints, FrontendVIPs: [vip], PortMappings: [{ Protocol: 6, InternalPort: 80, ExternalPort: port }],
  SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1,
});

/**
 * Rewrites the state file as a legacy (FormatVersion 1) document without a journal, so the next
 * change writes a new snapshot holding everything so far: later changes go to its journal.
 */
async function foldIntoSnapshot(ctx: Awaited<ReturnType<typeof nativeOn>>, file: string): Promise<void> {
  const dump = JSON.parse(await ctx.simControlAsync(JSON.stringify({ op: 'dump' }), T)) as { state: unknown };
  fs.writeFileSync(file, JSON.stringify(dump.state));
  fs.rmSync(`${file}.journal`, { force: true });
}

test('one object read from the snapshot and the journal is exactly what a whole load gives (every family, deleted and unknown IDs, version)', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const ctx = await nativeOn(t, file);
  await ctx.simControlAsync(JSON.stringify({ op: 'setVersion', major: 15, minor: 5 }), T);
  // Objects that end up in the snapshot.
  const net = idOf(await ctx.create('network', null, JSON.stringify({ Name: 'extra', Type: 'NAT' }), '', T));
  const ep3 = idOf(await ctx.create('endpoint', null, JSON.stringify({ Name: 'pod3', IpConfigurations: [{ IpAddress: '10.0.0.40' }] }), '', T, NET));
  const ep4 = idOf(await ctx.create('endpoint', null, JSON.stringify({ Name: 'pod4', IpConfigurations: [{ IpAddress: '10.0.0.41' }] }), '', T, NET));
  const ep5 = idOf(await ctx.create('endpoint', null, JSON.stringify({ Name: 'pod5', IpConfigurations: [{ IpAddress: '10.0.0.42' }] }), '', T, NET));
  const ns = idOf(await ctx.create('namespace', null, JSON.stringify({ Type: 'Host' }), '', T));
  await ctx.modify('namespace', ns, JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Add', Settings: { EndpointId: ep5 } }), '', T);
  const lbs: string[] = [];
  for (let i = 0; i < 40; i++) lbs.push(idOf(await ctx.create('loadBalancer', null, lbSettings(80, `13.0.1.${i}`, [EP14, ep3]), '', T)));
  await foldIntoSnapshot(ctx, file);
  // Changes after it, in the journal: modified, deleted, deleted and created again (same ID),
  // new objects, an endpoint moved into the namespace, the version.
  await ctx.modify('loadBalancer', lbs[3]!, lbSettings(8080, '13.0.1.3', [EP14]), '', T);
  await ctx.modify('loadBalancer', lbs[4]!, lbSettings(8081, '13.0.1.4', [ep3]), '', T);
  await ctx.remove('loadBalancer', lbs[5]!, T);
  await ctx.remove('loadBalancer', lbs[6]!, T);
  await ctx.create('loadBalancer', lbs[6]!, lbSettings(81, '13.0.2.6', [ep3]), '', T);
  const fresh = idOf(await ctx.create('loadBalancer', null, lbSettings(82, '13.0.2.7', [EP14]), '', T));
  await ctx.modify('namespace', ns, JSON.stringify({ ResourceType: 'Endpoint', RequestType: 'Add', Settings: { EndpointId: ep4 } }), '', T);
  await ctx.remove('endpoint', ep5, T); // leaves its namespace too (another object changed by the call)
  await ctx.simControlAsync(JSON.stringify({ op: 'setVersion', major: 16, minor: 1 }), T);
  const journal = fs.readFileSync(`${file}.journal`, 'utf8');
  t.true(journal.split('\n').length > 8, 'the later changes are in the journal');
  t.true(fs.readFileSync(file, 'utf8').includes('"FormatVersion":3'), 'the snapshot has an index');

  const queries: Query[] = [['version', '', '']];
  for (const q of ['', '{"Flags":1}']) {
    for (const id of [...lbs, fresh, UNKNOWN]) queries.push(['loadBalancer', id, q]);
    for (const id of [EP14, ep3, ep4, ep5, UNKNOWN]) queries.push(['endpoint', id, q]);
    for (const id of [NET, net, UNKNOWN]) queries.push(['network', id, q]);
    for (const id of [ns, UNKNOWN]) queries.push(['namespace', id, q]);
  }
  // The same IDs in lower case (HNS compares IDs without case).
  queries.push(['loadBalancer', lbs[3]!.toLowerCase(), ''], ['endpoint', ep4.toLowerCase(), '']);
  const { viewed, whole, reads } = await answersInAnotherProcess(file, queries);
  // Each query is an open and a query (two calls; one when the open fails), each a view.
  t.is(reads.wholeLoads, 0, 'nothing loaded the whole file');
  t.true(reads.views >= queries.length, `${reads.views} views for ${queries.length} queries`);
  t.deepEqual(viewed, whole);
  // And both are the live instance's answers.
  const live: string[] = [];
  for (const [family, id, query] of queries) {
    try {
      live.push(family === 'version' ? await ctx.hnsCall('GET', '/globals/version', '', T) : await ctx.query(family, id, query, T));
    } catch (e) {
      live.push(`failed: ${(e as { hresult?: string }).hresult ?? ''} ${(e as Error).message}`);
    }
  }
  t.deepEqual(viewed, live);
  const at = (family: string, id: string) => viewed[queries.findIndex((q) => q[0] === family && q[1] === id)]!;
  t.true(at('version', '').includes('"Major":16'), at('version', ''));
  t.true(at('loadBalancer', lbs[3]!).includes('8080'), 'the load balancer modified before the snapshot');
  t.true(at('loadBalancer', lbs[4]!).includes('8081'), 'the load balancer modified in the journal');
  t.regex(at('loadBalancer', lbs[5]!), /^failed:/, 'the deleted load balancer');
  t.true(at('loadBalancer', lbs[6]!).includes('13.0.2.6'), 'the one created again under the same ID');
  t.true(at('loadBalancer', fresh).includes('13.0.2.7'), 'the new one');
  t.true(at('endpoint', ep4).includes(ns), 'the endpoint names its namespace');
  t.regex(at('endpoint', ep5), /^failed:/, 'the deleted endpoint');
  t.false(at('namespace', ns).includes(ep5), 'the namespace the deleted endpoint left');
});

test('a new process showing one load balancer does not read the others; damage to another object is still seen, through the file time', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  const kept = await hcn.loadBalancers.create(spec(13));
  const other = await hcn.loadBalancers.create(spec(14));
  await hcn.close();
  // Fold both into the snapshot, then damage the other one's line without changing the file's size.
  const ctx = await nativeOn(t, file);
  await foldIntoSnapshot(ctx, file);
  await ctx.simControlAsync(JSON.stringify({ op: 'setVersion', major: 15, minor: 5 }), T); // writes the new snapshot
  ctx.close();
  const text = fs.readFileSync(file, 'utf8');
  const { mtimeNs } = fs.statSync(file, { bigint: true });
  const line = text.split('\n').find((l) => l.includes(other.id.toUpperCase()) && l.startsWith('{'))!;
  t.truthy(line, 'the other load balancer has its own line in the snapshot');
  fs.writeFileSync(file, text.replace(line, `${line.slice(0, 10)}#${line.slice(11)}`));

  // The edit changed the file's time: the file is loaded whole, and its damage named.
  const seen = await answersInAnotherProcess(file, [['loadBalancer', kept.id, '']]).then(
    () => '',
    (e: Error) => e.message,
  );
  t.true(seen.includes(`the state file ${file} is not valid`), seen);
  // With the snapshot's own time given back, only its first line, index entries and the one
  // object are read: the damaged line is not, until something loads everything.
  restoreTime(file, mtimeNs);
  const { viewed, whole, reads } = await answersInAnotherProcess(file, [['loadBalancer', kept.id, '']]);
  t.deepEqual(reads, { views: 2, wholeLoads: 0 }, 'the open and the query were views');
  t.is(idOf(viewed[0]!).toLowerCase(), kept.id, viewed[0]);
  t.regex(whole[0]!, /^whole load failed/);
  t.true(whole[0]!.includes(file), whole[0]);
});

test('a hand-edited snapshot (its size changed, two IDs swapped in place, a value changed in place) is loaded whole, so the edit is seen', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const ctx = await nativeOn(t, file);
  const a = idOf(await ctx.create('loadBalancer', null, lbSettings(80, '13.0.0.13', [EP14]), '', T));
  const b = idOf(await ctx.create('loadBalancer', null, lbSettings(80, '13.0.0.14', [EP14]), '', T));
  await foldIntoSnapshot(ctx, file);
  await ctx.simControlAsync(JSON.stringify({ op: 'setVersion', major: 15, minor: 5 }), T);
  ctx.close();
  const text = fs.readFileSync(file, 'utf8');
  // 1. A longer VIP: the file's size no longer matches the one its first line records.
  fs.writeFileSync(file, text.replace('13.0.0.13', '13.0.0.213'));
  let r = await answersInAnotherProcess(file, [['loadBalancer', a, '']]);
  t.deepEqual(r.reads, { views: 0, wholeLoads: 1 });
  t.true(r.viewed[0]!.includes('13.0.0.213'), r.viewed[0]);
  t.deepEqual(r.viewed, r.whole);
  // 2. Same size, the two IDs swapped everywhere: the objects trade places and the index, swapped
  // too, is no longer sorted (a binary search for one of them misses it).
  const swapped = text.split(a).join('@').split(b).join(a).split('@').join(b);
  t.is(swapped.length, text.length);
  fs.writeFileSync(file, swapped);
  r = await answersInAnotherProcess(file, [['loadBalancer', a, ''], ['loadBalancer', b, '']]);
  t.deepEqual(r.reads, { views: 0, wholeLoads: 1 });
  t.true(r.viewed[0]!.includes('13.0.0.14'), r.viewed[0]);
  t.true(r.viewed[1]!.includes('13.0.0.13'), r.viewed[1]);
  t.deepEqual(r.viewed, r.whole);
  // 3. Same size, same offsets, a value changed in place: only the file's time tells.
  fs.writeFileSync(file, text.replace('13.0.0.13', '13.0.0.77'));
  r = await answersInAnotherProcess(file, [['loadBalancer', a, '']]);
  t.deepEqual(r.reads, { views: 0, wholeLoads: 1 });
  t.true(r.viewed[0]!.includes('13.0.0.77'), r.viewed[0]);
});

test('a damaged journal record still fails a process that reads one object (its open checks every record), naming the journal', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await Hcn.open({ backend: 'simulated', statePath: file });
  const kept = await hcn.loadBalancers.create(spec(13));
  await hcn.loadBalancers.create(spec(14));
  await hcn.loadBalancers.create(spec(15));
  await hcn.close();
  const journal = `${file}.journal`;
  const lines = fs.readFileSync(journal, 'utf8').split('\n');
  lines[2] = lines[2]!.replace('13.0.0.14', '13.0.0.98'); // a record that does not name `kept`: its checksum fails
  fs.writeFileSync(journal, lines.join('\n'));
  const r = await answersInAnotherProcess(file, [['loadBalancer', kept.id, '']]).catch((e: Error) => ({ viewed: [e.message], whole: [], reads: null }));
  t.true(r.viewed[0]!.includes(journal), r.viewed[0]);
  t.regex(r.viewed[0]!, /checksum/);
});
