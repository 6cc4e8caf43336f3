// Unit tests of the `hcn` text output: tables, colour rules, progress, and the DSR verdict rules.
import test from 'ava';
import { echo, list, makeStyle, printable, renderPairs, renderTable, shouldColor } from '../../ts/cli/format';
import { createProgress } from '../../ts/cli/progress';
import { parsePolicyLists } from '../../ts/schema/policy-list';
import { v1IsDsr } from '../../ts/verify';
import { judgeDsr } from '../../ts/cli/commands/verify';
import { loadBalancerView, portFlagsText, renderLoadBalancerTable } from '../../ts/cli/views';
import { lb, port } from '../helpers/models';


test('tables align columns and carry no colour codes when colour is off', (t) => {
  const text = renderTable(
    [
      { a: 'x', b: '1' },
      { a: 'longer', b: '22' },
    ],
    [
      { header: 'NAME', value: (r) => r.a },
      { header: 'N', value: (r) => r.b, align: 'right' },
    ],
  );
  t.is(text, 'NAME     N\nx        1\nlonger  22\n');
  t.false(text.includes('\u001b['));
});

test('colour only on a TTY, never with NO_COLOR, always with FORCE_COLOR', (t) => {
  t.false(shouldColor({ isTTY: false }, {}));
  t.true(shouldColor({ isTTY: true }, {}));
  t.false(shouldColor({ isTTY: true }, { NO_COLOR: '1' }));
  t.false(shouldColor({ isTTY: true }, { TERM: 'dumb' }));
  t.true(shouldColor({ isTTY: false }, { FORCE_COLOR: '1' }));
  t.false(shouldColor({ isTTY: false }, { FORCE_COLOR: '0' }));
  t.true(makeStyle(true).red('x').includes('\u001b[31m'));
  t.is(makeStyle(false).red('x'), 'x');
});

test('pairs align keys; an empty key continues the previous one', (t) => {
  t.is(renderPairs([['ID', '1'], ['Backends', 'a'], ['', 'b']]), 'ID:        1\nBackends:  a\n           b\n');
  t.is(list([]), '-');
  t.is(list(['a', 'b']), 'a,b');
});

test('progress writes only when enabled and for two or more items', (t) => {
  let out = '';
  const stream = { write: (s: string) => ((out += s), true) };
  const off = createProgress(stream, false, 'deleting', 5);
  off.tick();
  off.done();
  t.is(out, '');
  const one = createProgress(stream, true, 'deleting', 1);
  one.tick();
  one.done();
  t.is(out, '');
  const p = createProgress(stream, true, 'deleting', 2);
  p.tick();
  p.tick();
  p.done();
  t.true(out.includes('deleting 2/2'));
  t.true(out.endsWith('\n'));
});

test('load balancer view and table show backends by IP when known', (t) => {
  const view = loadBalancerView(lb('11111111-1111-4111-8111-111111111111', true), new Map([['aaaaaaaa-0000-4000-8000-000000000001', '10.0.0.14']]));
  t.deepEqual(view.backends, [{ id: 'aaaaaaaa-0000-4000-8000-000000000001', ip: '10.0.0.14' }]);
  t.is(view.sourceVip, null);
  const table = renderLoadBalancerTable([view], makeStyle(false));
  t.regex(table, /^ID\s+VIPS\s+PORTS\s+BACKENDS\s+DSR\n/);
  t.regex(table, /13\.0\.0\.13\s+tcp:8000:80\s+10\.0\.0\.14\s+yes/);
  t.is(portFlagsText({ ...view.ports[0]!, ilb: true, distribution: 'sourceIp' }), 'ilb,affinity=source-ip');
});

test('v1 policy lists: IsDSR by ID, else by VIP and ports', (t) => {
  const json = JSON.stringify({
    Success: true,
    Output: [
      { ID: '11111111-1111-4111-8111-111111111111', Policies: [{ Type: 'ELB', IsDSR: true, VIPs: ['13.0.0.13'], ExternalPort: 8000, InternalPort: 80, Protocol: 6 }] },
      { ID: 'other', Policies: [{ Type: 'ELB', IsDSR: false, VIPs: ['13.0.0.14'], ExternalPort: 9000, InternalPort: 90, Protocol: 6 }] },
    ],
  });
  const lists = parsePolicyLists(json);
  t.is(lists.length, 2);
  t.true(v1IsDsr(lb('11111111-1111-4111-8111-111111111111', true), lists));
  t.false(v1IsDsr(lb('22222222-2222-4222-8222-222222222222', false, { frontendVips: ['13.0.0.14'], ports: [port({ external: 9000, internal: 90 })] }), lists));
  t.is(v1IsDsr(lb('33333333-3333-4333-8333-333333333333', true, { frontendVips: ['1.2.3.4'] }), lists), null);
  t.throws(() => parsePolicyLists('{"Success":false,"Error":"nope"}'), { message: /nope/ });
});

test('verify dsr: every LB must have DSR; none at all fails unless allowed', (t) => {
  const good = lb('11111111-1111-4111-8111-111111111111', true);
  const bad = lb('22222222-2222-4222-8222-222222222222', false);
  const all = judgeDsr([good], [], null, false);
  t.true(all.ok);
  t.is(all.loadBalancers[0]!.isDsrV1, null);
  const mixed = judgeDsr([good, bad], undefined, 'HNSCall not exported', false);
  t.false(mixed.ok);
  t.is(mixed.failed, 1);
  t.deepEqual(mixed.policyLists, { read: false, error: 'HNSCall not exported' });
  t.regex(mixed.reason ?? '', /1 of 2 load balancers without DSR/);
  t.false(judgeDsr([], [], null, false).ok);
  t.true(judgeDsr([], [], null, true).ok);
  // The v1 view disagreeing with the v2 object is a failure too.
  const lists = [{ id: good.id, elb: [{ isDsr: false, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000 }] }];
  const disagree = judgeDsr([good], lists, null, false);
  t.false(disagree.ok);
  t.regex(disagree.loadBalancers[0]!.problem ?? '', /IsDSR false/);
});

test('tables and key/value views escape control characters of the data, not their own colours', (t) => {
  const evil = 'a\u001b[2J\u0007b\u009bc\u202ed';
  const table = renderTable([{ n: evil }], [{ header: 'NAME', value: (r) => r.n }]);
  t.is(table, 'NAME\na\\x1b[2J\\x07b\\x9bc\\u202ed\n');
  const style = makeStyle(true);
  const pairs = renderPairs([['Name', evil], ['ID', style.dim('id-1')]], style);
  t.false(/\u001b\[2J|\u0007|\u009b|\u202e/.test(pairs), JSON.stringify(pairs));
  t.true(pairs.includes('\u001b[2mid-1\u001b[22m'), 'its own dim stays');
  t.is(printable('plain ünïcödé 😀'), 'plain ünïcödé 😀');
  t.is(echo('x'.repeat(100)), `${'x'.repeat(80)}… (100 characters)`);
});
