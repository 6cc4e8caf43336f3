// Cost of a file-backed simulator (the `hcn` command's state file) as it grows: p50/p90 of one
// load balancer create (and its delete, which keeps N constant) while N = 1,000 and 10,000 others
// are in the state file, through the client; and the wall time of `hcn lb show ID` (a new process:
// open the state file, read one load balancer) at the same N, against N = 0 as the floor, and,
// inside a new Node process (so without Node's start-up), Hcn.open + loadBalancers.get of one.
// The state file is written once per N in the documented format (FormatVersion 1), so filling it
// does not take N creates; the first (warm-up) write turns it into a snapshot with a journal, and
// the measured creates and deletes append to that journal (its size is recorded).
// Run: npx tsc -p tsconfig.json && node dist-test/bench/state-file.js [--quick]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { LoadBalancer } from '../ts/builders';
import { Hcn } from '../ts/index';
import { packageRoot } from '../ts/native';
import { flags, histogram, machine, now, printTable, writeResults } from './common';
import type { Histogram } from './common';

const EP14 = '3F8E6B21-5C7D-4E19-A0B4-0A000000000E';
const EP15 = '3F8E6B21-5C7D-4E19-A0B4-0A000000000F';
const NET = '6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001';

/** A state file with the default topology and `n` DSR load balancers on distinct VIPs. */
function writeState(file: string, n: number): string[] {
  const net = {
    ID: NET, Name: 'vxlan0', Type: 'Overlay', ManagementIP: '10.231.111.97',
    Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '10.0.0.0/24', Policies: [{ Type: 'VSID', Settings: { IsolationId: 4096 } }], Routes: [{ NextHop: '10.0.0.1', DestinationPrefix: '0.0.0.0/0' }] }] }],
    Policies: [{ Type: 'ProviderAddress', Settings: { ProviderAddress: '10.231.111.97' } }],
    SchemaVersion: { Major: 2, Minor: 0 },
  };
  const ep = (id: string, name: string, ip: string, mac: string) => ({
    ID: id, Name: name, HostComputeNetwork: NET, IpConfigurations: [{ IpAddress: ip, PrefixLength: 24 }], MacAddress: mac,
    Routes: [{ NextHop: '10.0.0.1', DestinationPrefix: '0.0.0.0/0' }], SchemaVersion: { Major: 2, Minor: 0 },
  });
  const ids: string[] = [];
  const lbs = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID().toUpperCase();
    ids.push(id);
    lbs.push({
      ID: id, HostComputeEndpoints: [EP14, EP15], SourceVIP: '10.0.0.2',
      FrontendVIPs: [`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
      PortMappings: [{ Protocol: 6, InternalPort: 8080, ExternalPort: 80 }], SchemaVersion: { Major: 2, Minor: 0 }, Flags: 1,
    });
  }
  const doc = {
    Format: 'hcn-sdk-simulator-state', FormatVersion: 1, Version: { Major: 13, Minor: 2 }, NextNamespaceId: 2,
    Networks: [net], Endpoints: [ep(EP14, 'pod1', '10.0.0.14', '00-15-5D-0A-00-0E'), ep(EP15, 'pod2', '10.0.0.15', '00-15-5D-0A-00-0F')],
    LoadBalancers: lbs, Namespaces: [],
  };
  fs.writeFileSync(file, JSON.stringify(doc) + '\n', { mode: 0o600 });
  return ids;
}

function cli(statePath: string, args: string[]): number {
  const t = now();
  const r = spawnSync(process.execPath, [path.join(packageRoot(), 'dist', 'cli', 'main.js'), '--backend', 'simulated', '--state', statePath, ...args], { encoding: 'utf8' });
  const ms = Number(now() - t) / 1e6;
  if (r.status !== 0) throw new Error(`hcn ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/**
 * In a new process: Hcn.open on the state file and loadBalancers.get(id), timed inside it (ms), so
 * Node's own start-up (most of a `hcn` run) is left out.
 */
function sdkGetInNewProcess(statePath: string, id: string): number {
  const script = `
    const { Hcn } = require(${JSON.stringify(path.join(packageRoot(), 'dist', 'index.js'))});
    (async () => {
      const t = process.hrtime.bigint();
      const hcn = await Hcn.open({ backend: 'simulated', statePath: ${JSON.stringify(statePath)} });
      await hcn.loadBalancers.get(${JSON.stringify(id)});
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      await hcn.close();
      process.stdout.write(String(ms));
    })().catch((e) => { console.error(e); process.exitCode = 1; });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`open + get in a new process failed: ${r.stderr}`);
  return Number(r.stdout);
}

async function main(): Promise<void> {
  const { quick } = flags();
  const sizes = quick ? [0, 1000] : [0, 1000, 10000, 50000];
  const samples = quick ? 10 : 40;
  const showRuns = quick ? 3 : 7;
  const info = machine();
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'hcn-bench-state-'));
  const rows: Array<Record<string, string | number>> = [];
  const results: Array<Record<string, unknown>> = [];
  try {
    for (const n of sizes) {
      const file = path.join(dir, `state-${n}.json`);
      const ids = writeState(file, n);
      const bytes = fs.statSync(file).size;
      const t0 = now();
      const hcn = await Hcn.open({ backend: 'simulated', statePath: file, timeoutMs: 120_000 });
      const openMs = Number(now() - t0) / 1e6;
      const create: number[] = [];
      const remove: number[] = [];
      let firstChangeMs = 0; // the first create rewrites the FormatVersion 1 file as an indexed snapshot
      for (let i = 0; i < samples + 3; i++) {
        const spec = LoadBalancer.builder().frontend(`12.0.${i >> 8}.${i & 255}`).backends([EP14, EP15]).port({ protocol: 'tcp', external: 80, internal: 8080 }).dsr().build();
        let t = now();
        const lb = await hcn.loadBalancers.create(spec);
        if (i >= 3) create.push(Number(now() - t) / 1e3);
        else if (i === 0) firstChangeMs = Number(now() - t) / 1e6;
        t = now();
        await hcn.loadBalancers.delete(lb.id);
        if (i >= 3) remove.push(Number(now() - t) / 1e3);
      }
      await hcn.close();
      const journalBytes = fs.existsSync(`${file}.journal`) ? fs.statSync(`${file}.journal`).size : 0;
      const show: number[] = []; // milliseconds
      const target = ids[Math.floor(ids.length / 2)];
      const get: number[] = []; // milliseconds, inside a new process
      for (let i = 0; i < showRuns; i++) {
        show.push(target ? cli(file, ['lb', 'show', target]) : cli(file, ['network', 'list']));
        if (target) get.push(sdkGetInNewProcess(file, target));
      }
      const c: Histogram = histogram(create);
      const d: Histogram = histogram(remove);
      const s: Histogram = histogram(show);
      const g: Histogram | null = target ? histogram(get) : null;
      const round = (ms: number) => Math.round(ms * 10) / 10;
      rows.push({ N: n, 'file KiB': Math.round(bytes / 1024), 'open ms (FormatVersion 1 file: loads whole)': round(openMs), 'first create ms (writes the indexed snapshot)': round(firstChangeMs), 'create p50 µs': c.p50, 'create p90 µs': c.p90, 'delete p50 µs': d.p50, 'new process': target ? 'hcn lb show ID' : 'hcn network list', 'its p50 ms': s.p50, 'open+get in a new process p50 ms': g ? g.p50 : '-' });
      results.push({ n, stateFileBytes: bytes, journalBytes, openMs, firstChangeMs, createMicros: c, deleteMicros: d, cliShowMillis: { ...s, command: target ? 'lb show ID' : 'network list' }, newProcessOpenGetMillis: g });
      console.error(`N=${n} done`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(`create/delete of one load balancer with N in the state file (${samples} samples), and a new hcn process showing one`, rows);
  const file = writeResults(quick ? 'state-file-quick' : (process.env.HCN_BENCH_LABEL ? `state-file-${process.env.HCN_BENCH_LABEL}` : 'state-file'), {
    bench: 'state-file',
    label: process.env.HCN_BENCH_LABEL ?? null,
    machine: info,
    loadavgAtEnd: loadavg(),
    samples,
    results,
  });
  console.log(`\nresults: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
