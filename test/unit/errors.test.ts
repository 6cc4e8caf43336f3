// Error classes, the HRESULT table, ErrorRecord parsing and the native-error mapping.
import test from 'ava';
import type { NativeError, NativeErrorCode } from '../../ts/native';
import {
  HcnAbortError,
  HcnAccessDeniedError,
  HcnAlreadyExistsError,
  HcnArgumentError,
  HcnBusyError,
  HcnError,
  HcnFeatureNotSupportedError,
  HcnNotAvailableError,
  HcnNotFoundError,
  HcnNotImplementedError,
  HcnPortInUseError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnValidationError,
  abortError,
  errorClassForHresult,
  errorFromHresult,
  formatHresult,
  fromNativeError,
  hresultName,
  knownHresults,
  notFoundError,
  parseErrorRecord,
  toHcnError,
} from '../../ts/errors';

function native(code: NativeErrorCode, extra: Partial<NativeError> = {}): NativeError {
  return Object.assign(new Error(extra.message ?? `${code} from native`), { code, operation: 'HcnCreateLoadBalancer', ...extra }) as NativeError;
}

const HCN_TABLE: Array<[string, number]> = [
  ['HCN_E_NETWORK_NOT_FOUND', 0x803b0001],
  ['HCN_E_ENDPOINT_NOT_FOUND', 0x803b0002],
  ['HCN_E_LAYER_NOT_FOUND', 0x803b0003],
  ['HCN_E_SWITCH_NOT_FOUND', 0x803b0004],
  ['HCN_E_SUBNET_NOT_FOUND', 0x803b0005],
  ['HCN_E_ADAPTER_NOT_FOUND', 0x803b0006],
  ['HCN_E_PORT_NOT_FOUND', 0x803b0007],
  ['HCN_E_POLICY_NOT_FOUND', 0x803b0008],
  ['HCN_E_VFP_PORTSETTING_NOT_FOUND', 0x803b0009],
  ['HCN_E_INVALID_NETWORK', 0x803b000a],
  ['HCN_E_INVALID_NETWORK_TYPE', 0x803b000b],
  ['HCN_E_INVALID_ENDPOINT', 0x803b000c],
  ['HCN_E_INVALID_POLICY', 0x803b000d],
  ['HCN_E_INVALID_POLICY_TYPE', 0x803b000e],
  ['HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION', 0x803b000f],
  ['HCN_E_NETWORK_ALREADY_EXISTS', 0x803b0010],
  ['HCN_E_LAYER_ALREADY_EXISTS', 0x803b0011],
  ['HCN_E_POLICY_ALREADY_EXISTS', 0x803b0012],
  ['HCN_E_PORT_ALREADY_EXISTS', 0x803b0013],
  ['HCN_E_ENDPOINT_ALREADY_ATTACHED', 0x803b0014],
  ['HCN_E_REQUEST_UNSUPPORTED', 0x803b0015],
  ['HCN_E_MAPPING_NOT_SUPPORTED', 0x803b0016],
  ['HCN_E_DEGRADED_OPERATION', 0x803b0017],
  ['HCN_E_SHARED_SWITCH_MODIFICATION', 0x803b0018],
  ['HCN_E_GUID_CONVERSION_FAILURE', 0x803b0019],
  ['HCN_E_REGKEY_FAILURE', 0x803b001a],
  ['HCN_E_INVALID_JSON', 0x803b001b],
  ['HCN_E_INVALID_JSON_REFERENCE', 0x803b001c],
  ['HCN_E_ENDPOINT_SHARING_DISABLED', 0x803b001d],
  ['HCN_E_INVALID_IP', 0x803b001e],
  ['HCN_E_SWITCH_EXTENSION_NOT_FOUND', 0x803b001f],
  ['HCN_E_MANAGER_STOPPED', 0x803b0020],
  // Guest network service codes of the same facility (winerror.h; Microsoft's HCN HRESULT reference).
  ['GCN_E_MODULE_NOT_FOUND', 0x803b0021],
  ['GCN_E_NO_REQUEST_HANDLERS', 0x803b0022],
  ['GCN_E_REQUEST_UNSUPPORTED', 0x803b0023],
  ['GCN_E_RUNTIMEKEYS_FAILED', 0x803b0024],
  ['GCN_E_NETADAPTER_TIMEOUT', 0x803b0025],
  ['GCN_E_NETADAPTER_NOT_FOUND', 0x803b0026],
  ['GCN_E_NETCOMPARTMENT_NOT_FOUND', 0x803b0027],
  ['GCN_E_NETINTERFACE_NOT_FOUND', 0x803b0028],
  ['GCN_E_DEFAULTNAMESPACE_EXISTS', 0x803b0029],
  ['HCN_E_ICS_DISABLED', 0x803b002a],
  ['HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS', 0x803b002b],
  ['HCN_E_ENTITY_HAS_REFERENCES', 0x803b002c],
  ['HCN_E_INVALID_INTERNAL_PORT', 0x803b002d],
  ['HCN_E_NAMESPACE_ATTACH_FAILED', 0x803b002e],
  ['HCN_E_ADDR_INVALID_OR_RESERVED', 0x803b002f],
  ['HCN_E_INVALID_PREFIX', 0x803b0030],
  ['HCN_E_OBJECT_USED_AFTER_UNLOAD', 0x803b0031],
  ['HCN_E_INVALID_SUBNET', 0x803b0032],
  ['HCN_E_INVALID_IP_SUBNET', 0x803b0033],
  ['HCN_E_ENDPOINT_NOT_ATTACHED', 0x803b0034],
  ['HCN_E_ENDPOINT_NOT_LOCAL', 0x803b0035],
  ['HCN_INTERFACEPARAMETERS_ALREADY_APPLIED', 0x803b0036],
  ['HCN_E_VFP_NOT_ALLOWED', 0x803b0037],
];

const GENERIC_TABLE: Array<[string, number]> = [
  ['E_NOTIMPL', 0x80004001],
  ['ERROR_NOT_FOUND', 0x80070490],
  ['ERROR_ALREADY_EXISTS', 0x800700b7],
  ['E_INVALIDARG', 0x80070057],
  ['E_ACCESSDENIED', 0x80070005],
  ['ERROR_INVALID_DATA', 0x8007000d],
  ['ERROR_OBJECT_ALREADY_EXISTS', 0x80071392],
  ['RPC_S_SERVER_UNAVAILABLE', 0x800706ba],
  ['RPC_S_CALL_FAILED', 0x800706be],
  ['ERROR_SERVICE_NOT_ACTIVE', 0x80070426],
  ['E_OUTOFMEMORY', 0x8007000e],
  ['E_HANDLE', 0x80070006],
  ['ERROR_TIMEOUT', 0x800705b4],
];

test('every HCN HRESULT of the reference table has its name', (t) => {
  t.is(HCN_TABLE.length, 55); // 0x803B0001-0x803B0037 (the GCN_E_* codes 0x21-0x29 included)
  for (const [name, hr] of [...HCN_TABLE, ...GENERIC_TABLE]) t.is(hresultName(hr), name, formatHresult(hr));
  const known = new Map(knownHresults());
  for (const [name, hr] of HCN_TABLE) t.is(known.get(hr), name);
});

test('hresultName accepts Win32 codes and signed HRESULTs', (t) => {
  t.is(hresultName(0xb7), 'ERROR_ALREADY_EXISTS');
  t.is(hresultName(1168), 'ERROR_NOT_FOUND');
  t.is(hresultName(0x1392), 'ERROR_OBJECT_ALREADY_EXISTS');
  t.is(hresultName(-2147024809), 'E_INVALIDARG');
  t.is(hresultName(0x12345678), undefined);
});

test('formatHresult is 0x + 8 upper-case hex digits, unsigned', (t) => {
  t.is(formatHresult(0x803b0013), '0x803B0013');
  t.is(formatHresult(-2147467263), '0x80004001');
  t.is(formatHresult(0xb7), '0x000000B7');
});

test('HRESULT classes: not-found and service-unavailable are never confused', (t) => {
  const expect: Array<[number, new (...a: never[]) => HcnError]> = [
    [0x80070490, HcnNotFoundError],
    [0x803b0001, HcnNotFoundError],
    [0x803b0002, HcnNotFoundError],
    [0x803b0007, HcnNotFoundError],
    [0x803b0013, HcnPortInUseError],
    [0x800700b7, HcnAlreadyExistsError],
    [0x80071392, HcnAlreadyExistsError],
    [0x803b0010, HcnAlreadyExistsError],
    [0x80004001, HcnNotImplementedError],
    [0x803b0015, HcnNotImplementedError],
    [0x803b0020, HcnServiceUnavailableError],
    [0x800706ba, HcnServiceUnavailableError],
    [0x800706be, HcnServiceUnavailableError],
    [0x80070426, HcnServiceUnavailableError],
    [0x80070005, HcnAccessDeniedError],
    [0x800705b4, HcnTimeoutError],
    [0x80070057, HcnError],
    [0x8007000e, HcnError],
  ];
  for (const [hr, Class] of expect) t.true(errorClassForHresult(hr) === (Class as unknown), formatHresult(hr));
  for (const hr of [0x803b0020, 0x800706ba, 0x800706be, 0x80070426]) {
    const e = errorFromHresult('HcnOpenLoadBalancer', hr);
    t.true(e instanceof HcnServiceUnavailableError);
    t.false(e instanceof HcnNotFoundError);
  }
  const nf = errorFromHresult('HcnOpenLoadBalancer', 0x80070490);
  t.false(nf instanceof HcnServiceUnavailableError);
  t.false(new HcnPortInUseError({ code: 'x', operation: 'y' }) instanceof HcnAlreadyExistsError);
});

test('fromNativeError maps HCN_HRESULT with ErrorRecord into the message format', (t) => {
  const record = '{"Success":false,"Error":"The specified port already exists. ","ErrorCode":2151350291}';
  const e = fromNativeError(native('HCN_HRESULT', { hresult: 0x803b0013, errorRecord: record }));
  t.true(e instanceof HcnPortInUseError);
  t.true(e instanceof HcnError);
  const he = e as HcnPortInUseError;
  t.is(he.code, 'HCN_E_PORT_ALREADY_EXISTS');
  t.is(he.hresult, 0x803b0013);
  t.is(he.operation, 'HcnCreateLoadBalancer');
  t.is(he.message, 'HcnCreateLoadBalancer failed: HCN_E_PORT_ALREADY_EXISTS (0x803B0013): The specified port already exists.');
  t.deepEqual(he.errorRecord, { Success: false, Error: 'The specified port already exists. ', ErrorCode: 0x803b0013 });
  t.is(he.rawErrorRecord, record);
  t.is(he.name, 'HcnPortInUseError');
});

test('fromNativeError without a record uses the HRESULT description', (t) => {
  const e = fromNativeError(native('HCN_HRESULT', { hresult: 0x80070490, operation: 'HcnOpenLoadBalancer' })) as HcnError;
  t.true(e instanceof HcnNotFoundError);
  t.is(e.message, 'HcnOpenLoadBalancer failed: ERROR_NOT_FOUND (0x80070490): Element not found.');
  t.is(e.errorRecord, undefined);
});

test('S_OK with an ErrorRecord takes the record ErrorCode', (t) => {
  const e = fromNativeError(
    native('HCN_HRESULT', { hresult: 0, errorRecord: '{"Success":false,"Error":"The switch-port was not found. ","ErrorCode":2151350279}' }),
  ) as HcnError;
  t.true(e instanceof HcnNotFoundError);
  t.is(e.code, 'HCN_E_PORT_NOT_FOUND');
  t.is(e.hresult, 0x803b0007);
});

test('bad ErrorRecord JSON is kept raw and shown', (t) => {
  const e = fromNativeError(native('HCN_HRESULT', { hresult: 0x80070057, errorRecord: 'not json {' })) as HcnError;
  t.is(e.errorRecord, undefined);
  t.is(e.rawErrorRecord, 'not json {');
  t.is(e.code, 'E_INVALIDARG');
  t.is(e.message, 'HcnCreateLoadBalancer failed: E_INVALIDARG (0x80070057): not json {');
});

test('an unknown HRESULT gets a hex code and the base class', (t) => {
  const e = fromNativeError(native('HCN_HRESULT', { hresult: 0x8004abcd })) as HcnError;
  t.is(e.constructor, HcnError);
  t.is(e.code, '0x8004ABCD');
  t.is(e.message, 'HcnCreateLoadBalancer failed: 0x8004ABCD');
});

test('access denied says to run elevated', (t) => {
  const e = fromNativeError(native('HCN_HRESULT', { hresult: 0x80070005 })) as HcnError;
  t.true(e instanceof HcnAccessDeniedError);
  t.is(e.code, 'E_ACCESSDENIED');
  t.regex(e.message, /^HcnCreateLoadBalancer failed: E_ACCESSDENIED \(0x80070005\): Access is denied\. /);
  t.regex(e.message, /elevated/);
});

test('SDK codes from the native layer', (t) => {
  const timeout = fromNativeError(native('HCN_TIMEOUT'));
  t.true(timeout instanceof HcnTimeoutError);
  t.is((timeout as HcnError).code, 'HCN_TIMEOUT');
  t.is((timeout as HcnError).hresult, undefined);
  t.regex(timeout.message, /^HcnCreateLoadBalancer failed: HCN_TIMEOUT: .*unknown/);

  const busy = fromNativeError(native('HCN_BUSY'));
  t.true(busy instanceof HcnBusyError);
  t.is((busy as HcnError).code, 'HCN_BUSY');

  const na = fromNativeError(native('HCN_NOT_AVAILABLE', { missing: 'computenetwork.dll' }));
  t.true(na instanceof HcnNotAvailableError);
  t.is((na as HcnError).code, 'HCN_NOT_AVAILABLE');
  t.regex(na.message, /computenetwork\.dll/);

  const closed = fromNativeError(native('HCN_CLOSED'));
  t.is(closed.constructor, HcnError);
  t.is((closed as HcnError).code, 'HCN_CLOSED');

  const arg = fromNativeError(native('HCN_INVALID_ARGUMENT', { message: 'bad GUID', operation: 'query' }));
  t.true(arg instanceof TypeError);
  t.true(arg instanceof HcnArgumentError);
  t.false(arg instanceof HcnError);
  t.is(arg.code, 'HCN_INVALID_ARGUMENT');
  t.is(arg.message, 'query: bad GUID');
});

test('every native error keeps the native error as cause', (t) => {
  const n = native('HCN_BUSY');
  t.is(fromNativeError(n).cause, n);
});

test('parseErrorRecord is tolerant', (t) => {
  t.is(parseErrorRecord(undefined), undefined);
  t.is(parseErrorRecord(''), undefined);
  t.is(parseErrorRecord('  '), undefined);
  t.is(parseErrorRecord('[1]'), undefined);
  t.is(parseErrorRecord('{oops'), undefined);
  t.deepEqual(parseErrorRecord('{"Error":"x"}'), { Success: false, Error: 'x', ErrorCode: 0 });
  t.deepEqual(parseErrorRecord('{"Success":false,"ErrorCode":-2147024809}'), { Success: false, Error: '', ErrorCode: 0x80070057 });
  t.deepEqual(parseErrorRecord('{"Success":false,"Error":"e","ErrorCode":"2147942487","Data":{"a":1}}'), {
    Success: false,
    Error: 'e',
    ErrorCode: 0x80070057,
    Data: { a: 1 },
  });
});

test('abort, toHcnError and notFoundError', (t) => {
  const ab = abortError('HcnCreateLoadBalancer');
  t.true(ab instanceof HcnAbortError);
  t.is(ab.name, 'AbortError');
  t.is(ab.code, 'HCN_ABORTED');
  const dom = new DOMException('This operation was aborted', 'AbortError');
  const mapped = toHcnError(dom, 'list');
  t.true(mapped instanceof HcnAbortError);
  t.true(toHcnError(native('HCN_BUSY'), 'x') instanceof HcnBusyError);
  const plain = new Error('plain');
  t.is(toHcnError(plain, 'x'), plain);
  const nf = notFoundError('loadBalancers.get', 'load balancer abc not found');
  t.true(nf instanceof HcnNotFoundError);
  t.is(nf.code, 'ERROR_NOT_FOUND');
  t.is(nf.message, 'loadBalancers.get failed: ERROR_NOT_FOUND (0x80070490): load balancer abc not found');
});

test('validation and feature errors carry field, rule and issues', (t) => {
  const v = new HcnValidationError({
    operation: 'LoadBalancerBuilder.build',
    issues: [
      { field: 'ports[1].external', rule: 'range', message: 'must be from 1 to 65535 (got 70000)', value: 70000 },
      { field: 'backends', rule: 'required', message: 'needs at least one backend', value: [] },
    ],
  });
  t.is(v.code, 'HCN_VALIDATION');
  t.is(v.field, 'ports[1].external');
  t.is(v.rule, 'range');
  t.is(v.value, 70000);
  t.is(v.issues.length, 2);
  t.is(v.hresult, undefined);
  t.true(Object.isFrozen(v.issues));
  t.regex(v.message, /^LoadBalancerBuilder\.build failed: HCN_VALIDATION: ports\[1\]\.external: must be from 1 to 65535 \(got 70000\) \[range\] \(and 1 more: backends \[required\]\)$/);
  t.throws(() => new HcnValidationError({ operation: 'x', issues: [] }), { instanceOf: RangeError });

  const f = new HcnFeatureNotSupportedError({
    operation: 'LoadBalancerBuilder.build',
    feature: 'dsr',
    title: 'Direct Server Return (DSR)',
    minVersion: '10.2',
    hostVersion: '10.1',
    field: 'dsr',
    value: true,
  });
  t.true(f instanceof HcnValidationError);
  t.is(f.code, 'HCN_FEATURE_NOT_SUPPORTED');
  t.is(f.feature, 'dsr');
  t.is(f.rule, 'feature');
  t.regex(f.message, /platform does not support feature Direct Server Return \(DSR\) \(needs HNS 10\.2 or later, host has 10\.1\)/);
});
