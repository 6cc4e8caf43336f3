// Unit tests of the `hcn` argument parsers, the default state path, and the error → exit code mapping.
import test from 'ava';
import {
  asGuid,
  parseAffinityArg,
  parseBackendArg,
  parseBackendNameArg,
  parseIdArg,
  parseIpArg,
  parsePortArg,
  parsePortNumber,
  parseProtocolArg,
  parseTimeoutArg,
  parseVersionArg,
} from '../../ts/cli/args';
import { ExitCode } from '../../ts/cli/exit-codes';
import { argumentForField, describeError, exitCodeFor, nameArgumentsOf, renderErrorText } from '../../ts/cli/report-error';
import { makeStyle } from '../../ts/cli/format';
import { defaultStatePath, userDataDir } from '../../ts/cli/state-path';
import { CliOperationError, UsageError } from '../../ts/cli/usage-error';
import { HcnFeatureNotSupportedError, HcnNotAvailableError, HcnValidationError, errorFromHresult } from '../../ts/errors';

function usage(t: import('ava').ExecutionContext, fn: () => unknown, argument: string, messagePart?: RegExp): void {
  const err = t.throws(fn, { instanceOf: UsageError });
  t.is(err?.argument, argument);
  if (messagePart) t.regex(err?.message ?? '', messagePart);
}

test('parseIpArg canonicalises and names the flag on failure', (t) => {
  t.is(parseIpArg('--vip', '13.0.0.13'), '13.0.0.13');
  t.is(parseIpArg('--vip', 'fd00:0:0::10'), 'fd00::10');
  // Nothing is trimmed (issue 10 item 8): spaces around an address are refused.
  usage(t, () => parseIpArg('--vip', ' fd00:0:0::10 '), '--vip', /nothing is trimmed/);
  usage(t, () => parseIpArg('--vip', '13.0.0.300'), '--vip', /--vip '13\.0\.0\.300' is not an IPv4 or IPv6 address/);
  usage(t, () => parseIpArg('--source-vip', 'host.example'), '--source-vip');
});

test('parsePortArg reads PROTO:EXT[:INT]', (t) => {
  t.deepEqual(parsePortArg('--port', 'tcp:8000:80'), { protocol: 'tcp', external: 8000, internal: 80 });
  t.deepEqual(parsePortArg('--port', 'UDP:53'), { protocol: 'udp', external: 53, internal: 53 });
  t.deepEqual(parsePortArg('--port', '6:443:8443'), { protocol: 'tcp', external: 443, internal: 8443 });
  const sctp = t.throws(() => parsePortArg('--port', 'sctp:9:9'), { instanceOf: UsageError });
  t.regex(sctp!.message, /SCTP is not supported by HNS/);
  t.throws(() => parsePortArg('--port', '132:9:9'), { message: /SCTP is not supported by HNS/ });
});

test('parsePortArg refuses bad ports, protocols and shapes, naming --port', (t) => {
  usage(t, () => parsePortArg('--port', 'tcp:80000:80'), '--port', /external port 80000 is out of range/);
  usage(t, () => parsePortArg('--port', 'tcp:0'), '--port', /out of range/);
  usage(t, () => parsePortArg('--port', 'tcp:80:x'), '--port', /internal port must be a whole number/);
  usage(t, () => parsePortArg('--port', 'icmp:80:80'), '--port', /unknown protocol/);
  usage(t, () => parsePortArg('--port', '8000'), '--port', /PROTO:EXTERNAL\[:INTERNAL\]/);
  usage(t, () => parsePortArg('--port', 'tcp:1:2:3'), '--port');
  usage(t, () => parsePortArg('--port', 'tcp::80'), '--port');
  usage(t, () => parsePortArg('--port', 'tcp:-1:80'), '--port');
  usage(t, () => parsePortArg('--port', 'tcp:8.5:80'), '--port');
});

test('parsePortNumber and parseProtocolArg', (t) => {
  t.is(parsePortNumber('--port', '65535'), 65535);
  usage(t, () => parsePortNumber('--port', '65536'), '--port');
  t.is(parseProtocolArg('--protocol', 'TCP'), 'tcp');
  t.is(parseProtocolArg('--protocol', '17'), 'udp');
  t.is(parseProtocolArg('--protocol', 'any'), 'any');
  usage(t, () => parseProtocolArg('--protocol', 'gre'), '--protocol');
});

test('IDs are GUIDs, braces optional, lower-cased', (t) => {
  t.is(parseIdArg('ID', '{3F2504E0-4F89-11D3-9A0C-0305E82C3301}'), '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  t.is(asGuid('not-a-guid'), null);
  usage(t, () => parseIdArg('ID', 'lb-1'), 'ID', /is not an HNS ID/);
  usage(t, () => parseIdArg('ID', '3f2504e0-4f89-11d3-9a0c-0305e82c330'), 'ID');
});

test('--backend takes an IP or an endpoint ID', (t) => {
  t.deepEqual(parseBackendArg('--backend', '10.0.0.14'), { kind: 'ip', ip: '10.0.0.14' });
  t.deepEqual(parseBackendArg('--backend', '3F2504E0-4F89-11D3-9A0C-0305E82C3301'), {
    kind: 'id',
    id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  });
  usage(t, () => parseBackendArg('--backend', 'web-1'), '--backend', /neither an IP address nor an endpoint ID/);
});

test('affinity, timeout, version and backend-name parsers', (t) => {
  t.is(parseAffinityArg('--affinity', 'source-ip'), 'sourceIp');
  t.is(parseAffinityArg('--affinity', 'source-ip-protocol'), 'sourceIpProtocol');
  t.is(parseAffinityArg('--affinity', 'none'), 'none');
  t.is(parseAffinityArg('--affinity', 'sourceIp'), 'sourceIp');
  usage(t, () => parseAffinityArg('--affinity', 'cookie'), '--affinity');
  t.is(parseTimeoutArg('--timeout', '1500'), 1500);
  usage(t, () => parseTimeoutArg('--timeout', '0'), '--timeout');
  usage(t, () => parseTimeoutArg('--timeout', '1.5s'), '--timeout');
  t.deepEqual(parseVersionArg('MAJOR.MINOR', '15.5'), { major: 15, minor: 5 });
  usage(t, () => parseVersionArg('MAJOR.MINOR', '15'), 'MAJOR.MINOR');
  t.is(parseBackendNameArg('--backend', 'SIMULATED'), 'simulated');
  t.is(parseBackendNameArg('--backend', 'hcn'), 'hcn');
  usage(t, () => parseBackendNameArg('--backend', 'docker'), '--backend');
});

test('default state path per platform', (t) => {
  const home = '/home/ann';
  t.is(defaultStatePath({ env: {}, platform: 'linux', homedir: home }), '/home/ann/.local/share/hcn-sdk/sim-state.json');
  t.is(defaultStatePath({ env: { XDG_DATA_HOME: '/data/x' }, platform: 'linux', homedir: home }), '/data/x/hcn-sdk/sim-state.json');
  // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
  t.is(defaultStatePath({ env: { XDG_DATA_HOME: 'rel' }, platform: 'linux', homedir: home }), '/home/ann/.local/share/hcn-sdk/sim-state.json');
  t.is(
    defaultStatePath({ env: {}, platform: 'darwin', homedir: '/Users/ann' }),
    '/Users/ann/Library/Application Support/hcn-sdk/sim-state.json',
  );
  t.is(
    defaultStatePath({ env: { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, platform: 'win32', homedir: 'C:\\Users\\ann' }),
    'C:\\Users\\ann\\AppData\\Local\\hcn-sdk\\sim-state.json',
  );
  t.is(userDataDir({ env: {}, platform: 'win32', homedir: 'C:\\Users\\ann' }), 'C:\\Users\\ann\\AppData\\Local\\hcn-sdk');
  t.is(defaultStatePath({ env: { HCN_SIM_STATE: '/srv/hns/x.json' }, platform: 'linux', homedir: home }), '/srv/hns/x.json');
  t.is(defaultStatePath({ env: { HCN_SIM_STATE: '' }, platform: 'freebsd', homedir: home }), '/home/ann/.local/share/hcn-sdk/sim-state.json');
});

test('exit codes by error kind', (t) => {
  t.is(exitCodeFor(new UsageError('--vip', 'bad')), ExitCode.Usage);
  t.is(
    exitCodeFor(new HcnValidationError({ operation: 'LoadBalancerBuilder.build', issues: [{ field: 'ports[0].external', rule: 'range', message: 'm', value: 0 }] })),
    ExitCode.Usage,
  );
  t.is(exitCodeFor(new HcnNotAvailableError({ code: 'HCN_NOT_AVAILABLE', operation: 'Hcn.open' })), ExitCode.NotAvailable);
  t.is(exitCodeFor(Object.assign(new Error('no addon'), { code: 'HCN_ADDON_NOT_FOUND' })), ExitCode.NotAvailable);
  t.is(exitCodeFor(errorFromHresult('HcnCreateLoadBalancer', 0x803b0013)), ExitCode.OperationFailed);
  t.is(exitCodeFor(new CliOperationError('ERROR_NOT_FOUND', 'networks.findByName', 'x')), ExitCode.OperationFailed);
  t.is(exitCodeFor(new Error('boom')), ExitCode.OperationFailed);
  const feature = new HcnFeatureNotSupportedError({
    operation: 'LoadBalancerBuilder.build',
    feature: 'dsr',
    minVersion: '10.2',
    hostVersion: '10.1',
    field: 'dsr',
    value: true,
  });
  t.is(exitCodeFor(feature), ExitCode.OperationFailed, 'a host that lacks a feature is not a typo on the command line');
});

test('validation fields map back to the flags that set them', (t) => {
  t.is(argumentForField('frontendVips[1]'), '--vip');
  t.is(argumentForField('sourceVip'), '--source-vip');
  t.is(argumentForField('backends[3]'), '--backend');
  t.is(argumentForField('ports[0].external'), '--port');
  t.is(argumentForField('ports[0].preserveDip'), '--preserve-dip');
  t.is(argumentForField('ports[0].distribution'), '--affinity');
  t.is(argumentForField('dsr'), '--dsr');
});

test('describeError gives the JSON shape with code, hresult, operation, hint', (t) => {
  const d = describeError(
    errorFromHresult('HcnCreateLoadBalancer', 0x803b0013, '{"Success":false,"Error":"The specified port already exists. ","ErrorCode":2151350291}'),
    { command: 'hcn lb create', backend: 'simulated' },
  );
  t.is(d.error.code, 'HCN_E_PORT_ALREADY_EXISTS');
  t.is(d.error.hresult, 0x803b0013);
  t.is(d.error.operation, 'HcnCreateLoadBalancer');
  t.is(d.error.exitCode, 1);
  t.regex(d.error.hint ?? '', /hcn lb list --vip/);
  const text = renderErrorText(d, makeStyle(false));
  t.regex(text, /^hcn: error: HcnCreateLoadBalancer failed: HCN_E_PORT_ALREADY_EXISTS \(0x803B0013\): The specified port already exists\./);
  t.regex(text, /\n {2}what to do: /);

  const u = describeError(new UsageError('--port', "--port 'x' is not PROTO:EXTERNAL[:INTERNAL]"), { command: 'hcn lb create' });
  t.deepEqual(u.error, {
    code: 'HCN_USAGE',
    hresult: null,
    operation: 'hcn lb create',
    message: "--port 'x' is not PROTO:EXTERNAL[:INTERNAL]",
    hint: 'see `hcn lb create --help`',
    argument: '--port',
    exitCode: 2,
  });
  t.regex(renderErrorText(u, makeStyle(false)), /^hcn: usage error: --port 'x'/);

  const f = describeError(
    new HcnFeatureNotSupportedError({ operation: 'LoadBalancerBuilder.build', feature: 'dsr', minVersion: '10.2', hostVersion: '10.1', field: 'dsr', value: true }),
    { command: 'hcn lb create', backend: 'simulated' },
  );
  t.is(f.error.code, 'HCN_FEATURE_NOT_SUPPORTED');
  t.is(f.error.argument, '--dsr');
  t.regex(f.error.hint ?? '', /hcn sim version 10\.2/);
});

test('nothing is trimmed: spaces (no-break space too) around a value are refused and said so', (t) => {
  for (const pad of [' ', '\u00a0', '\t']) {
    usage(t, () => parseIpArg('--vip', `${pad}13.0.0.13`), '--vip', /has spaces around it; nothing is trimmed/);
    usage(t, () => parseBackendArg('--backend', `10.0.0.14${pad}`), '--backend', /nothing is trimmed/);
    usage(t, () => parseIdArg('ID', `${pad}3f2504e0-4f89-11d3-9a0c-0305e82c3301`), 'ID', /nothing is trimmed/);
    usage(t, () => parsePortArg('--port', `tcp:80${pad}`), '--port');
    usage(t, () => parseTimeoutArg('--timeout', `1000${pad}`), '--timeout');
  }
});

test('GUID braces: both or neither', (t) => {
  const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
  t.is(parseIdArg('ID', `{${id.toUpperCase()}}`), id);
  t.is(parseIdArg('ID', id), id);
  usage(t, () => parseIdArg('ID', `{${id}`), 'ID', /braces both or neither/);
  usage(t, () => parseIdArg('ID', `${id}}`), 'ID', /braces both or neither/);
  t.is(asGuid(`{${id}`), null);
  t.deepEqual(parseBackendArg('--backend', `{${id}}`), { kind: 'id', id });
  usage(t, () => parseBackendArg('--backend', `${id}}`), '--backend');
});

test('echoed values are escaped and cut; messages print no control character', (t) => {
  const err = t.throws(() => parseIpArg('--vip', `\u001b]0;title\u0007${'1'.repeat(200)}`), { instanceOf: UsageError });
  t.false(/[\u0000-\u001f]/.test(err!.message), err!.message);
  t.regex(err!.message, /'\\x1b\]0;title\\x071+… \(210 characters\)'/);
  const text = renderErrorText(
    describeError(new HcnValidationError({ operation: 'endpoints.createRemote', issues: [{ field: 'name', rule: 'text', message: 'bad \u009b2J name \u202e', value: '' }] }), { command: 'hcn endpoint create-remote' }),
    makeStyle(true),
  );
  t.false(/[\u009b\u202e]/.test(text), text);
  t.true(text.includes('\\x9b2J'));
  t.true(text.includes('\\u202e'));
  // Its own colours stay.
  t.true(text.includes('\u001b[31m'));
});

test('an error about fields a command set from its own flags names those flags', (t) => {
  const err = new HcnValidationError({
    operation: 'loadBalancers.update',
    issues: [{ field: 'backends[2]', rule: 'family', message: 'is IPv6 (fd00::1) but backends[0] is IPv4', value: 'fd00::1' }],
  });
  t.is(describeError(err, { command: 'hcn lb update' }).error.argument, '--backend');
  nameArgumentsOf(err, (field) => (field === 'backends[2]' ? '--add-backend' : undefined));
  const d = describeError(err, { command: 'hcn lb update' }).error;
  t.is(d.argument, '--add-backend');
  t.regex(d.message, /^invalid load balancer spec: --add-backend \(backends\[2\]\): is IPv6/);
});
