// End-to-end tests of `hcn apply -f` and `hcn lb create -f`: the REAL compiled bin (dist/cli/main.js)
// against its own temporary simulator state file, with files on disk and on standard input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { hcnIn, workdir as tmpdir } from '../helpers/cli-bin';

const hcn = (dir: string, args: string[], stdin?: string) => hcnIn(dir, args, stdin === undefined ? {} : { stdin });
const workdir = (t: ExecutionContext) => tmpdir(t, 'hcn-apply-test-');

interface LbJson {
  id: string;
  frontendVips: string[];
  backends: { id: string; ip: string | null }[];
  ports: { protocol: string; external: number; internal: number }[];
  dsr: boolean;
}

async function list(t: ExecutionContext, dir: string): Promise<LbJson[]> {
  const r = await hcn(dir, ['lb', 'list', '--json']);
  t.is(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as LbJson[]).sort((a, b) => a.frontendVips.join().localeCompare(b.frontendVips.join()));
}

const YAML_TWO = `# two load balancers on the simulator's default endpoints
loadBalancers:
  - frontendVips: [13.0.0.13]
    backends: [10.0.0.14, 10.0.0.15]
    ports: [{ protocol: tcp, external: 8000, internal: 80 }]
    dsr: true
  - frontendVips: [13.0.0.14]
    backends: [10.0.0.14]
    ports:
      - { protocol: udp, external: 53, internal: 53 }
`;

test('apply --dry-run prints the plan and changes nothing', async (t) => {
  const dir = workdir(t);
  fs.writeFileSync(path.join(dir, 'lbs.yaml'), YAML_TWO);
  const r = await hcn(dir, ['apply', '-f', 'lbs.yaml', '--dry-run']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^\+ create {2}loadBalancers\[0\]: 13\.0\.0\.13 tcp:8000:80 -> 10\.0\.0\.14, 10\.0\.0\.15 dsr$/m);
  t.regex(r.stdout, /^\+ create {2}loadBalancers\[1\]: 13\.0\.0\.14 udp:53:53 -> 10\.0\.0\.14$/m);
  t.regex(r.stdout, /^plan: 2 to create, 0 to update, 0 to delete, 0 unchanged$/m);
  t.regex(r.stdout, /dry run: nothing was changed/);
  t.deepEqual(await list(t, dir), []);
});

test('apply creates, a second apply of the same file changes nothing, an edit shows as an update', async (t) => {
  const dir = workdir(t);
  fs.writeFileSync(path.join(dir, 'lbs.yaml'), YAML_TWO);
  const first = await hcn(dir, ['apply', '-f', 'lbs.yaml']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^created [0-9a-f-]{36} \(loadBalancers\[0\]\)$/m);
  t.regex(first.stdout, /^applied: 2 ok$/m);
  const created = await list(t, dir);
  t.deepEqual(
    created.map((lb) => [lb.frontendVips, lb.ports.map((p) => `${p.protocol}:${p.external}:${p.internal}`), lb.backends.map((b) => b.ip), lb.dsr]),
    [
      [['13.0.0.13'], ['tcp:8000:80'], ['10.0.0.14', '10.0.0.15'], true],
      [['13.0.0.14'], ['udp:53:53'], ['10.0.0.14'], false],
    ],
  );

  const second = await hcn(dir, ['apply', '-f', 'lbs.yaml', '--json']);
  t.is(second.code, 0, second.stderr);
  const doc = JSON.parse(second.stdout) as { summary: Record<string, number>; items: { action: string; id: string; status: string }[] };
  t.like(doc.summary, { create: 0, update: 0, delete: 0, keep: 2 });
  t.deepEqual(doc.items.map((i) => i.action), ['keep', 'keep']);
  t.deepEqual((await list(t, dir)).map((lb) => lb.id), created.map((lb) => lb.id), 'the same load balancers, untouched');

  fs.writeFileSync(path.join(dir, 'lbs.yaml'), YAML_TWO.replace('backends: [10.0.0.14]\n', 'backends: [10.0.0.15]\n'));
  const dry = await hcn(dir, ['apply', '-f', 'lbs.yaml', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, new RegExp(`^~ update {2}${created[1]!.id} \\(loadBalancers\\[1\\]\\):\\n {6}backends: 10\\.0\\.0\\.14 -> 10\\.0\\.0\\.15$`, 'm'));
  const upd = await hcn(dir, ['apply', '-f', 'lbs.yaml', '--json']);
  t.is(upd.code, 0, upd.stderr);
  const u = (JSON.parse(upd.stdout) as { items: { action: string; id: string; previousId: string; changes: string[]; status: string }[] }).items.find((i) => i.action === 'update')!;
  t.is(u.status, 'ok');
  t.is(u.previousId, created[1]!.id, 'the previous ID is carried (the simulator default 13.2 replaces instead of modifying)');
  t.deepEqual(u.changes, ['backends']);
  t.deepEqual((await list(t, dir))[1]!.backends.map((b) => b.ip), ['10.0.0.15']);
});

test('apply deletes nothing without --prune; --prune deletes only inside the scope', async (t) => {
  const dir = workdir(t);
  fs.writeFileSync(path.join(dir, 'lbs.json'), JSON.stringify([{ frontendVips: ['13.0.0.13'], backends: ['10.0.0.14'], ports: [{ protocol: 'tcp', external: 80, internal: 80 }] }]));
  const mk = async (vip: string) => {
    const r = await hcn(dir, ['lb', 'create', '--vip', vip, '--backend', '10.0.0.15', '--port', 'tcp:9000:90', '--json']);
    t.is(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as LbJson).id;
  };
  const inScope = await mk('13.0.0.2');
  const outOfScope = await mk('13.0.1.2');

  const plain = await hcn(dir, ['apply', '-f', 'lbs.json', '--scope', '13.0.0.0/24']);
  t.is(plain.code, 0, plain.stderr);
  t.regex(plain.stdout, /1 not deleted without --prune/);
  t.is((await list(t, dir)).length, 3, 'nothing deleted without --prune');

  const dry = await hcn(dir, ['apply', '-f', 'lbs.json', '--prune', '--scope', '13.0.0.0/24', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, new RegExp(`^- delete {2}${inScope}: 13\\.0\\.0\\.2 tcp:9000:90 -> 10\\.0\\.0\\.15 \\(in the scope, not in the file\\)$`, 'm'));
  t.false(dry.stdout.includes(outOfScope));

  const pruned = await hcn(dir, ['apply', '-f', 'lbs.json', '--prune', '--scope', '13.0.0.0/24', '--json']);
  t.is(pruned.code, 0, pruned.stderr);
  const items = (JSON.parse(pruned.stdout) as { items: { action: string; id: string; status: string }[] }).items;
  t.deepEqual(items.filter((i) => i.action === 'delete').map((i) => [i.id, i.status]), [[inScope, 'ok']]);
  const left = await list(t, dir);
  t.deepEqual(left.map((lb) => lb.frontendVips[0]), ['13.0.0.13', '13.0.1.2']);
  t.true(left.some((lb) => lb.id === outOfScope), 'the load balancer outside the scope is still there');
});

test('apply -f - reads standard input', async (t) => {
  const dir = workdir(t);
  const r = await hcn(dir, ['apply', '-f', '-'], JSON.stringify({ loadBalancers: [{ frontendVips: ['13.0.0.40'], backends: ['10.0.0.14'], ports: [{ protocol: 'udp', external: 53 }] }] }));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^created [0-9a-f-]{36} \(loadBalancers\[0\]\)$/m);
  t.deepEqual((await list(t, dir)).map((lb) => lb.frontendVips), [['13.0.0.40']]);
});

test('a bad file exits 2 naming every item, field and line, and nothing is sent', async (t) => {
  const dir = workdir(t);
  fs.writeFileSync(
    path.join(dir, 'bad.yaml'),
    ['loadBalancers:', '  - frontendVips: [13.0.0.13]', '    backends: [10.0.0.14]', '    ports: [{ protocol: tcp, external: 8000 }]', '  - frontendVips: [13.0.0.x]', '    backends: [10.0.0.14]', '    ports:', '      - { protocol: tcp, external: 80000 }', '    colour: red', ''].join('\n'),
  );
  const r = await hcn(dir, ['apply', '-f', 'bad.yaml']);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stderr, /loadBalancers\[1\]\.frontendVips\[0\] \(line 5\): is not a valid IPv4 or IPv6 address/);
  t.regex(r.stderr, /loadBalancers\[1\]\.ports\[0\]\.external \(line 8\): must be from 1 to 65535/);
  t.regex(r.stderr, /loadBalancers\[1\]\.colour \(line 9\): is not a load balancer spec field/);
  t.false(r.stderr.includes('loadBalancers[0]'), 'the valid item is not blamed');
  t.is(r.stdout, '');

  const asJson = await hcn(dir, ['apply', '-f', 'bad.yaml', '--json']);
  t.is(asJson.code, 2);
  const err = (JSON.parse(asJson.stderr.trim()) as { error: { code: string; argument: string; exitCode: number; message: string } }).error;
  t.like(err, { code: 'HCN_USAGE', argument: '--file', exitCode: 2 });
  t.regex(err.message, /loadBalancers\[1\]\.ports\[0\]\.external \(line 8\)/);

  fs.writeFileSync(path.join(dir, 'broken.json'), '[\n  { "frontendVips": ["13.0.0.1"],\n');
  const broken = await hcn(dir, ['apply', '-f', 'broken.json']);
  t.is(broken.code, 2);
  t.regex(broken.stderr, /broken\.json is not valid JSON or YAML: line \d+/);

  fs.writeFileSync(path.join(dir, 'object.json'), '{ "frontendVips": ["13.0.0.1"] }');
  const shape = await hcn(dir, ['apply', '-f', 'object.json']);
  t.is(shape.code, 2);
  t.regex(shape.stderr, /must hold an array of load balancer specs or \{ "loadBalancers": \[\.\.\.\] \}/);

  const missing = await hcn(dir, ['apply', '-f', 'nope.yaml']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--file nope\.yaml: no such file/);
  t.deepEqual(await list(t, dir), [], 'nothing was created by any of them');
});

test('lb create -f takes one spec from a file or stdin, and not together with spec options', async (t) => {
  const dir = workdir(t);
  const spec = { frontendVips: ['13.0.0.13'], backends: ['10.0.0.14', '10.0.0.15'], ports: [{ protocol: 'tcp', external: 8000, internal: 80 }], dsr: true };
  const r = await hcn(dir, ['lb', 'create', '-f', '-', '--json'], JSON.stringify(spec));
  t.is(r.code, 0, r.stderr);
  const lb = JSON.parse(r.stdout) as LbJson;
  t.deepEqual(lb.frontendVips, ['13.0.0.13']);
  t.true(lb.dsr);
  t.deepEqual(lb.backends.map((b) => b.ip), ['10.0.0.14', '10.0.0.15']);

  fs.writeFileSync(path.join(dir, 'one.yaml'), 'frontendVips: [13.0.0.14]\nbackends: [10.0.0.14]\nports:\n  - { protocol: tcp, external: 0 }\n');
  const bad = await hcn(dir, ['lb', 'create', '-f', 'one.yaml']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /ports\[0\]\.external \(line 4\): must be from 1 to 65535/);

  const both = await hcn(dir, ['lb', 'create', '-f', 'one.yaml', '--vip', '13.0.0.1']);
  t.is(both.code, 2);
  t.regex(both.stderr, /--file gives the whole spec/);
  t.is((await list(t, dir)).length, 1);
});

test('apply: an item whose network HNS does not have is a conflict naming --network, as lb create reports it; the rest is applied', async (t) => {
  const dir = workdir(t);
  fs.writeFileSync(
    path.join(dir, 'lbs.yaml'),
    'loadBalancers:\n' +
      '  - frontendVips: [13.0.0.13]\n    network: vxlan9\n    backends: [10.0.0.14]\n    ports: [{ protocol: tcp, external: 8000, internal: 80 }]\n' +
      '  - frontendVips: [13.0.0.14]\n    backends: [10.0.0.15]\n    ports: [{ protocol: tcp, external: 8000, internal: 80 }]\n',
  );
  const r = await hcn(dir, ['apply', '-f', 'lbs.yaml', '--json']);
  t.is(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { items: { action: string; item: string; status: string; error: { code: string; argument: string | null; message: string } | null }[] };
  const conflict = doc.items.find((i) => i.action === 'conflict')!;
  t.is(conflict.item, 'loadBalancers[0]');
  const created = await hcn(dir, ['lb', 'create', '--network', 'vxlan9', '--vip', '13.0.0.13', '--backend', '10.0.0.14', '--port', 'tcp:8000:80', '--json']);
  t.is(created.code, 1);
  const fromCreate = (JSON.parse(created.stderr.trim()) as { error: { code: string; argument: string | null; message: string } }).error;
  t.is(conflict.error!.code, fromCreate.code);
  t.is(conflict.error!.argument, '--network');
  t.is(fromCreate.argument, '--network');
  t.regex(conflict.error!.message, /network: no network named "vxlan9"/);
  t.regex(fromCreate.message, /network: no network named "vxlan9"/);
  // The other item was applied.
  t.deepEqual((await list(t, dir)).map((l) => l.frontendVips), [['13.0.0.14']]);
});
