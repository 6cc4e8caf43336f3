// The SDK's error classes, the HRESULT name table, and the mapping from native-layer errors
// (ts/native.ts NativeError) to those classes. "Not found" and "service unavailable" are separate
// classes on purpose: kube-proxy treating HNS downtime as "absent" created duplicates (kubernetes#139519).
import type { NativeError } from './native';
import type { FeatureName } from './features';
import { isGuid } from './schema/guid';
import type { ErrorRecord } from './schema/hns-types';

/**
 * Formats an HRESULT (or Win32 code) as `0x` + 8 upper-case hex digits of its unsigned value.
 * @example
 * formatHresult(0x803b0013); // '0x803B0013'
 * formatHresult(-2147024809); // '0x80070057'
 */
export function formatHresult(hresult: number): string {
  return '0x' + (hresult >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

interface HresultEntry {
  /** Friendly name. */
  readonly name: string;
  /** Short description, used when HNS sent no ErrorRecord text. */
  readonly text: string;
}

const H = (name: string, text: string): HresultEntry => ({ name, text });

// The HCN facility (0x3B) codes of winerror.h, then the generic ones HNS callers meet.
const HRESULTS: ReadonlyMap<number, HresultEntry> = new Map<number, HresultEntry>([
  [0x803b0001, H('HCN_E_NETWORK_NOT_FOUND', 'The network was not found.')],
  [0x803b0002, H('HCN_E_ENDPOINT_NOT_FOUND', 'The endpoint was not found.')],
  [0x803b0003, H('HCN_E_LAYER_NOT_FOUND', 'The network layer was not found.')],
  [0x803b0004, H('HCN_E_SWITCH_NOT_FOUND', 'The virtual switch was not found.')],
  [0x803b0005, H('HCN_E_SUBNET_NOT_FOUND', 'The subnet was not found.')],
  [0x803b0006, H('HCN_E_ADAPTER_NOT_FOUND', 'The network adapter was not found.')],
  [0x803b0007, H('HCN_E_PORT_NOT_FOUND', 'The switch port was not found.')],
  [0x803b0008, H('HCN_E_POLICY_NOT_FOUND', 'The policy was not found.')],
  [0x803b0009, H('HCN_E_VFP_PORTSETTING_NOT_FOUND', 'The VFP port setting was not found.')],
  [0x803b000a, H('HCN_E_INVALID_NETWORK', 'The network is invalid.')],
  [0x803b000b, H('HCN_E_INVALID_NETWORK_TYPE', 'The network type is invalid.')],
  [0x803b000c, H('HCN_E_INVALID_ENDPOINT', 'The endpoint is invalid.')],
  [0x803b000d, H('HCN_E_INVALID_POLICY', 'The policy is invalid.')],
  [0x803b000e, H('HCN_E_INVALID_POLICY_TYPE', 'The policy type is invalid.')],
  [0x803b000f, H('HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION', 'The operation is not valid on a remote endpoint.')],
  [0x803b0010, H('HCN_E_NETWORK_ALREADY_EXISTS', 'The network already exists.')],
  [0x803b0011, H('HCN_E_LAYER_ALREADY_EXISTS', 'The network layer already exists.')],
  [0x803b0012, H('HCN_E_POLICY_ALREADY_EXISTS', 'The policy already exists.')],
  [0x803b0013, H('HCN_E_PORT_ALREADY_EXISTS', 'The port is already in use (by another load balancer or a host socket).')],
  [0x803b0014, H('HCN_E_ENDPOINT_ALREADY_ATTACHED', 'The endpoint is already attached.')],
  [0x803b0015, H('HCN_E_REQUEST_UNSUPPORTED', 'The request is not supported by this HNS.')],
  [0x803b0016, H('HCN_E_MAPPING_NOT_SUPPORTED', 'The port mapping is not supported.')],
  [0x803b0017, H('HCN_E_DEGRADED_OPERATION', 'The operation completed in a degraded state.')],
  [0x803b0018, H('HCN_E_SHARED_SWITCH_MODIFICATION', 'A shared switch cannot be modified.')],
  [0x803b0019, H('HCN_E_GUID_CONVERSION_FAILURE', 'A GUID could not be converted.')],
  [0x803b001a, H('HCN_E_REGKEY_FAILURE', 'A registry key could not be read or written.')],
  [0x803b001b, H('HCN_E_INVALID_JSON', 'The JSON document is invalid.')],
  [0x803b001c, H('HCN_E_INVALID_JSON_REFERENCE', 'A reference in the JSON document is invalid or missing.')],
  [0x803b001d, H('HCN_E_ENDPOINT_SHARING_DISABLED', 'Endpoint sharing is disabled.')],
  [0x803b001e, H('HCN_E_INVALID_IP', 'The IP address is invalid.')],
  [0x803b001f, H('HCN_E_SWITCH_EXTENSION_NOT_FOUND', 'The switch extension was not found.')],
  [0x803b0020, H('HCN_E_MANAGER_STOPPED', 'The Host Network Service is stopping or stopped.')],
  // Guest network service (GCN) codes of the same facility (winerror.h; Microsoft's HCN HRESULT reference).
  [0x803b0021, H('GCN_E_MODULE_NOT_FOUND', 'The guest network service module was not found.')],
  [0x803b0022, H('GCN_E_NO_REQUEST_HANDLERS', 'No request handler can handle the JSON request.')],
  [0x803b0023, H('GCN_E_REQUEST_UNSUPPORTED', 'The guest network service request is not supported.')],
  [0x803b0024, H('GCN_E_RUNTIMEKEYS_FAILED', 'Adding runtime keys to the container failed.')],
  [0x803b0025, H('GCN_E_NETADAPTER_TIMEOUT', 'Timed out waiting for the network adapter.')],
  [0x803b0026, H('GCN_E_NETADAPTER_NOT_FOUND', 'The network adapter was not found.')],
  [0x803b0027, H('GCN_E_NETCOMPARTMENT_NOT_FOUND', 'The network compartment was not found.')],
  [0x803b0028, H('GCN_E_NETINTERFACE_NOT_FOUND', 'The network interface was not found.')],
  [0x803b0029, H('GCN_E_DEFAULTNAMESPACE_EXISTS', 'The default namespace already exists.')],
  [0x803b002a, H('HCN_E_ICS_DISABLED', 'Internet Connection Sharing is disabled.')],
  [0x803b002b, H('HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS', 'The endpoint already belongs to a namespace.')],
  [0x803b002c, H('HCN_E_ENTITY_HAS_REFERENCES', 'The object is still referenced.')],
  [0x803b002d, H('HCN_E_INVALID_INTERNAL_PORT', 'The internal port is invalid.')],
  [0x803b002e, H('HCN_E_NAMESPACE_ATTACH_FAILED', 'Attaching to the namespace failed.')],
  [0x803b002f, H('HCN_E_ADDR_INVALID_OR_RESERVED', 'An address is invalid or reserved (check IPAM for a clash).')],
  [0x803b0030, H('HCN_E_INVALID_PREFIX', 'The prefix is invalid.')],
  [0x803b0031, H('HCN_E_OBJECT_USED_AFTER_UNLOAD', 'An object was used after HNS unloaded it.')],
  [0x803b0032, H('HCN_E_INVALID_SUBNET', 'The subnet is invalid.')],
  [0x803b0033, H('HCN_E_INVALID_IP_SUBNET', 'The IP subnet is invalid.')],
  [0x803b0034, H('HCN_E_ENDPOINT_NOT_ATTACHED', 'The endpoint is not attached.')],
  [0x803b0035, H('HCN_E_ENDPOINT_NOT_LOCAL', 'The endpoint is not local.')],
  [0x803b0036, H('HCN_INTERFACEPARAMETERS_ALREADY_APPLIED', 'The interface parameters are already applied.')],
  [0x803b0037, H('HCN_E_VFP_NOT_ALLOWED', 'VFP is not allowed here.')],
  [0x80004001, H('E_NOTIMPL', 'Not implemented by this HNS.')],
  [0x80004003, H('E_POINTER', 'Invalid pointer.')],
  [0x80004005, H('E_FAIL', 'Unspecified failure.')],
  [0x8000ffff, H('E_UNEXPECTED', 'Unexpected failure.')],
  [0x80010108, H('RPC_E_DISCONNECTED', 'The object disconnected from its clients (HNS went away).')],
  [0x80070002, H('ERROR_FILE_NOT_FOUND', 'The file was not found.')],
  [0x80070005, H('E_ACCESSDENIED', 'Access is denied.')],
  [0x80070006, H('E_HANDLE', 'The handle is invalid.')],
  [0x80070008, H('ERROR_NOT_ENOUGH_MEMORY', 'Not enough memory resources.')],
  [0x8007000d, H('ERROR_INVALID_DATA', 'The data is invalid.')],
  [0x8007000e, H('E_OUTOFMEMORY', 'Out of memory (also seen for loopback DSR on hosts without it).')],
  [0x8007001f, H('ERROR_GEN_FAILURE', 'A device attached to the system is not functioning.')],
  [0x80070022, H('ERROR_WRONG_DISK', 'Incompatible HNS object (often after a Windows update); recreate it.')],
  [0x80070057, H('E_INVALIDARG', 'The parameter is incorrect.')],
  [0x8007007e, H('ERROR_MOD_NOT_FOUND', 'The module was not found.')],
  [0x8007007f, H('ERROR_PROC_NOT_FOUND', 'The procedure was not found.')],
  [0x800700b7, H('ERROR_ALREADY_EXISTS', 'The object already exists.')],
  [0x80070422, H('ERROR_SERVICE_DISABLED', 'The Host Network Service is disabled.')],
  [0x80070424, H('ERROR_SERVICE_DOES_NOT_EXIST', 'The Host Network Service is not installed.')],
  [0x80070426, H('ERROR_SERVICE_NOT_ACTIVE', 'The Host Network Service is not running.')],
  [0x80070490, H('ERROR_NOT_FOUND', 'Element not found.')],
  [0x800705b4, H('ERROR_TIMEOUT', 'HNS timed out; the outcome is unknown.')],
  [0x800706ba, H('RPC_S_SERVER_UNAVAILABLE', 'The RPC server (HNS) is unavailable.')],
  [0x800706be, H('RPC_S_CALL_FAILED', 'The remote procedure call to HNS failed.')],
  [0x80071392, H('ERROR_OBJECT_ALREADY_EXISTS', 'The object already exists.')],
  [0x8007139f, H('ERROR_INVALID_STATE', 'The object is in a state that does not allow this operation.')],
]);

/** HRESULT of a Win32 code (HRESULT_FROM_WIN32); HRESULTs pass through. */
function toHresult(value: number): number {
  const v = value >>> 0;
  return v > 0 && v <= 0xffff ? (0x80070000 | v) >>> 0 : v;
}

/**
 * Windows constant name of an HRESULT (or of a Win32 error code such as `0xB7`), when the SDK knows it.
 * @example
 * hresultName(0x803b0013); // 'HCN_E_PORT_ALREADY_EXISTS'
 * hresultName(0xb7);       // 'ERROR_ALREADY_EXISTS'
 * hresultName(0x12345678); // undefined
 */
export function hresultName(hresult: number): string | undefined {
  return HRESULTS.get(toHresult(hresult))?.name;
}

/**
 * Short description of an HRESULT the SDK knows (used when HNS sent no ErrorRecord text).
 * @example
 * hresultText(0x80070490); // 'Element not found.'
 */
export function hresultText(hresult: number): string | undefined {
  return HRESULTS.get(toHresult(hresult))?.text;
}

/**
 * Every HRESULT the SDK names, as `[hresult, name]` pairs (for docs and the CLI's `errors` listing).
 * @example
 * for (const [hr, name] of knownHresults()) console.log(formatHresult(hr), name);
 */
export function knownHresults(): Array<[number, string]> {
  return [...HRESULTS].map(([hr, e]) => [hr, e.name]);
}

/**
 * Parses an ErrorRecord JSON string tolerantly: missing fields get defaults, `ErrorCode` may be a
 * signed or unsigned number or a numeric string; returns `undefined` for empty or non-JSON text.
 * @example
 * parseErrorRecord('{"Success":false,"Error":"The switch-port was not found. ","ErrorCode":2151350279}');
 * // { Success: false, Error: 'The switch-port was not found. ', ErrorCode: 0x803B0007 }
 */
export function parseErrorRecord(text: string | undefined | null): ErrorRecord | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  const code = o.ErrorCode;
  let errorCode = 0;
  if (typeof code === 'number' && Number.isFinite(code)) errorCode = code >>> 0;
  else if (typeof code === 'string' && /^\s*(-?\d+|0x[0-9a-f]+)\s*$/i.test(code)) errorCode = Number(code.trim()) >>> 0;
  const record: ErrorRecord = {
    Success: o.Success === true,
    Error: typeof o.Error === 'string' ? o.Error : o.Error === undefined || o.Error === null ? '' : String(o.Error),
    ErrorCode: errorCode,
  };
  if ('Data' in o) record.Data = o.Data;
  return record;
}

/**
 * Options of the {@link HcnError} constructor.
 * @example
 * const o: HcnErrorOptions = { code: 'ERROR_NOT_FOUND', operation: 'HcnOpenLoadBalancer', hresult: 0x80070490 };
 */
export interface HcnErrorOptions {
  /** Windows constant name or SDK code. */
  code: string;
  /** Operation that failed: `HcnCreateLoadBalancer`, `LoadBalancerBuilder.build`, ... */
  operation: string;
  /** The HRESULT, unsigned or signed. */
  hresult?: number | undefined;
  /** Raw ErrorRecord JSON (parsed tolerantly) or an already parsed record. */
  errorRecord?: string | ErrorRecord | undefined;
  /** Detail used when the ErrorRecord has no text; defaults to the HRESULT's description. */
  detail?: string | undefined;
  /** Replaces the whole generated message. */
  message?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Base class of every error the SDK raises for an HCN operation.
 * Message: `<operation> failed: <code> (0x803B0013): <ErrorRecord.Error trimmed or description>`.
 * @example
 * try { await hcn.loadBalancers.create(spec); }
 * catch (err) { if (err instanceof HcnError) console.error(err.code, formatHresult(err.hresult ?? 0)); }
 */
export class HcnError extends Error {
  /** Windows constant name (`HCN_E_PORT_ALREADY_EXISTS`, `ERROR_NOT_FOUND`, `E_NOTIMPL`, ...) or SDK code (`HCN_TIMEOUT`, ...). */
  readonly code: string;
  /** Unsigned 32-bit HRESULT, when HNS returned one. */
  readonly hresult: number | undefined;
  /** `HcnCreateLoadBalancer`, `LoadBalancerBuilder.build`, ... */
  readonly operation: string;
  /** Parsed ErrorRecord, when HNS returned valid JSON. */
  readonly errorRecord: ErrorRecord | undefined;
  /** The ErrorRecord text as HNS returned it (kept even when it is not valid JSON). */
  readonly rawErrorRecord: string | undefined;

  /** Builds the message from the options unless `message` is given. */
  constructor(options: HcnErrorOptions) {
    const raw = typeof options.errorRecord === 'string' ? options.errorRecord : undefined;
    const record = typeof options.errorRecord === 'string' ? parseErrorRecord(options.errorRecord) : options.errorRecord;
    const hresult = options.hresult === undefined ? undefined : options.hresult >>> 0;
    super(
      options.message ?? composeMessage(options.operation, options.code, hresult, record, raw, options.detail),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = options.code;
    this.hresult = hresult;
    this.operation = options.operation;
    this.errorRecord = record;
    this.rawErrorRecord = raw ?? (record ? JSON.stringify(record) : undefined);
  }
}

const GUID_IN_TEXT = /\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b/g;

function composeMessage(
  operation: string,
  code: string,
  hresult: number | undefined,
  record: ErrorRecord | undefined,
  raw: string | undefined,
  detail: string | undefined,
): string {
  let text = record?.Error.trim() ?? '';
  if (text === '' && raw !== undefined && record === undefined && raw.trim() !== '') text = raw.trim();
  if (text === '') text = detail ?? (hresult === undefined ? '' : (hresultText(hresult) ?? ''));
  // HNS writes GUIDs in upper case (its JSON and its texts); everything else the SDK prints has them in
  // lower case, so a GUID in the message matches `lb.id` and can be pasted into `hcn lb show`.
  // `errorRecord` / `rawErrorRecord` keep HNS's text as it was.
  text = text.replace(GUID_IN_TEXT, (g) => g.toLowerCase());
  const head = `${operation} failed: ${code}` + (hresult === undefined || code === formatHresult(hresult) ? '' : ` (${formatHresult(hresult)})`);
  return text === '' ? head : `${head}: ${text}`;
}

/**
 * Something does not exist: `ERROR_NOT_FOUND`, `HCN_E_*_NOT_FOUND`, or a client-side lookup that found nothing.
 * Never used for an unreachable HNS (that is {@link HcnServiceUnavailableError}). Only `ERROR_NOT_FOUND`
 * (0x80070490) says the object named in the call is absent (hnslib `IsNotFoundError`); the others name
 * something it needed, e.g. `HCN_E_PORT_NOT_FOUND` is a backend's switch port (the SDK's deletes throw it).
 * @example
 * if (err instanceof HcnNotFoundError && err.hresult === 0x80070490) return false; // already gone
 */
export class HcnNotFoundError extends HcnError {}

/**
 * A network a spec or an argument names (by ID or name) that HNS does not have. One shape wherever
 * the SDK looks a network up for you: `loadBalancers.create`/`update` with a spec's `network`,
 * `endpoints.list({ network })`, `endpoints.createRemote`, and the reconcile plan, which reports the
 * same error in a `'network-not-found'` conflict instead of throwing. Code `ERROR_NOT_FOUND`
 * (0x80070490), like `HcnBackendNotFoundError` for a backend IP no endpoint has: what is missing
 * is something the desired object refers to, not a malformed spec (that is HcnValidationError).
 * When HNS itself answered (a network ID it does not know), its error is the `cause`.
 * @example
 * try { await hcn.loadBalancers.create(spec); }
 * catch (err) { if (err instanceof HcnNetworkNotFoundError) console.error(`${err.field}: no network ${err.network}`); }
 */
export class HcnNetworkNotFoundError extends HcnNotFoundError {
  /** The field or argument that named the network (`network` in a spec). */
  readonly field: string;
  /** The network ID or name, as given. */
  readonly network: string;
  constructor(options: HcnErrorOptions & { field: string; network: string }) {
    super(options);
    this.field = options.field;
    this.network = options.network;
  }
}

/**
 * The object already exists: `ERROR_ALREADY_EXISTS` (0x800700B7, e.g. re-creating an LB HNS rehydrated after a
 * restart), `ERROR_OBJECT_ALREADY_EXISTS` (0x80071392), `HCN_E_*_ALREADY_EXISTS` other than the port one.
 * @example
 * if (err instanceof HcnAlreadyExistsError) lb = await hcn.loadBalancers.findByFrontend(frontend);
 */
export class HcnAlreadyExistsError extends HcnError {}

/**
 * `HCN_E_PORT_ALREADY_EXISTS` (0x803B0013): another load balancer or a host socket holds (VIP, protocol, port).
 * @example
 * if (err instanceof HcnPortInUseError) console.error('port taken: look for an orphaned LB or a listening process');
 */
export class HcnPortInUseError extends HcnError {}

/**
 * `E_NOTIMPL` or `HCN_E_REQUEST_UNSUPPORTED`: this HNS does not implement the call (e.g. modify on an old host).
 * @example
 * if (err instanceof HcnNotImplementedError) await replaceInsteadOfModify();
 */
export class HcnNotImplementedError extends HcnError {}

/**
 * The call passed its deadline (`HCN_TIMEOUT`) or HNS timed out (`ERROR_TIMEOUT`): the outcome in HNS is unknown.
 * @example
 * if (err instanceof HcnTimeoutError) await hcn.loadBalancers.findByFrontend(frontend); // check what happened
 */
export class HcnTimeoutError extends HcnError {}

/**
 * `HCN_BUSY`: every worker thread is stuck in a call past its deadline; nothing was sent to HNS.
 * @example
 * if (err instanceof HcnBusyError) console.error('HNS looks hung; consider restarting the hns service');
 */
export class HcnBusyError extends HcnError {}

/**
 * HNS is not reachable right now (`HCN_E_MANAGER_STOPPED`, RPC server unavailable, service not active ...).
 * Retry later; do not treat objects as missing.
 * @example
 * if (err instanceof HcnServiceUnavailableError) setTimeout(resync, 5000);
 */
export class HcnServiceUnavailableError extends HcnError {}

/**
 * `HCN_NOT_AVAILABLE`: there is no HCN on this host (computenetwork.dll or an export is missing).
 * @example
 * if (err instanceof HcnNotAvailableError) console.error('enable the Containers feature, or use backend: "simulated"');
 */
export class HcnNotAvailableError extends HcnError {}

/**
 * `E_ACCESSDENIED`; the message says to run from an elevated prompt.
 * @example
 * if (err instanceof HcnAccessDeniedError) process.exitCode = 77;
 */
export class HcnAccessDeniedError extends HcnError {}

/**
 * `HCN_ABORTED`: the caller's AbortSignal fired. `name` is `'AbortError'` like DOM aborts.
 * @example
 * const ac = new AbortController(); ac.abort();
 * await hcn.loadBalancers.list({ signal: ac.signal }).catch((e) => e.name === 'AbortError');
 */
export class HcnAbortError extends HcnError {
  /** Same options as HcnError; the name is 'AbortError'. */
  constructor(options: HcnErrorOptions) {
    super(options);
    this.name = 'AbortError';
  }
}

/**
 * One problem found while validating a spec.
 * @example
 * const issue: ValidationIssue = { field: 'ports[1].external', rule: 'range', message: 'must be an integer from 1 to 65535', value: 70000 };
 */
export interface ValidationIssue {
  /** Path of the field: 'frontendVips[1]', 'ports[0].external', 'backends', 'sourceVip', ... */
  readonly field: string;
  /** Short machine name of the rule: 'ip', 'family', 'range', 'required', 'duplicate', 'max', 'requires-dsr', 'feature', ... */
  readonly rule: string;
  /** Human-readable description of the problem. */
  readonly message: string;
  /** The offending value. */
  readonly value: unknown;
  /** For rule 'feature': the missing feature. */
  readonly feature?: FeatureName;
  /** For rule 'feature': its minimum HNS version ('10.2'). */
  readonly minVersion?: string;
}

/**
 * Options of the {@link HcnValidationError} constructor.
 * @example
 * new HcnValidationError({ operation: 'LoadBalancerBuilder.build', issues: [{ field: 'backends', rule: 'required', message: 'at least one backend', value: [] }] });
 */
export interface HcnValidationErrorOptions {
  /** Operation that failed: `HcnCreateLoadBalancer`, `LoadBalancerBuilder.build`, ... */
  operation: string;
  /** All problems; the first one names the error's `field` and `rule`. Must not be empty. */
  issues: readonly ValidationIssue[];
  /** Error code. */
  code?: string;
}

function validationMessage(operation: string, code: string, issues: readonly ValidationIssue[]): string {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => `${i.field} [${i.rule}]`).join(', ')})` : '';
  return `${operation} failed: ${code}: ${first.field === '' ? '' : first.field + ': '}${first.message} [${first.rule}]${more}`;
}

/**
 * A spec broke a rule (`HCN_VALIDATION`); nothing was sent to HNS. `field` and `rule` name the first
 * problem, `issues` lists all of them.
 * @example
 * try { LoadBalancer.builder().build(); }
 * catch (err) { if (err instanceof HcnValidationError) console.error(err.field, err.rule, err.issues.length); }
 */
export class HcnValidationError extends HcnError {
  /** Field that needs the feature. */
  readonly field: string;
  /** Rule that was broken (of the first issue). */
  readonly rule: string;
  /** The offending value. */
  readonly value: unknown;
  /** Every problem found, first one first. */
  readonly issues: readonly ValidationIssue[];

  /** Takes the field, rule and value of the first issue. */
  constructor(options: HcnValidationErrorOptions) {
    if (options.issues.length === 0) throw new RangeError('HcnValidationError needs at least one issue');
    const code = options.code ?? 'HCN_VALIDATION';
    super({ code, operation: options.operation, message: validationMessage(options.operation, code, options.issues) });
    const first = options.issues[0]!;
    this.field = first.field;
    this.rule = first.rule;
    this.value = first.value;
    this.issues = Object.freeze([...options.issues]);
  }
}

/**
 * Options of the {@link HcnFeatureNotSupportedError} constructor.
 * @example
 * const o: HcnFeatureNotSupportedErrorOptions = { operation: 'LoadBalancerBuilder.build', feature: 'dsr', minVersion: '10.2', hostVersion: '10.1', field: 'dsr', value: true };
 */
export interface HcnFeatureNotSupportedErrorOptions {
  /** Operation that failed: `HcnCreateLoadBalancer`, `LoadBalancerBuilder.build`, ... */
  operation: string;
  /** The feature the host lacks. */
  feature: FeatureName;
  /** Minimum HNS version of the feature. */
  minVersion: string;
  /** The host's HNS version, when known. */
  hostVersion: string | undefined;
  /** Field that needs the feature. */
  field: string;
  /** The offending value. */
  value: unknown;
  /** Every feature issue; defaults to one built from the fields above. */
  issues?: readonly ValidationIssue[];
  /** Display title ('Direct Server Return (DSR)'); defaults to the feature name. */
  title?: string;
  /**
   * Every HNS version range that has the feature ('9.3–9.x or 10.2 and later'), from
   * `supportedVersions`; without it the message says '<minVersion> or later'.
   */
  versions?: string;
}

/**
 * The connected HNS lacks a feature the spec needs (`HCN_FEATURE_NOT_SUPPORTED`); nothing was sent.
 * @example
 * try { builder.build({ features }); }
 * catch (err) { if (err instanceof HcnFeatureNotSupportedError) console.error(`${err.feature} needs HNS ${err.minVersion}`); }
 */
export class HcnFeatureNotSupportedError extends HcnValidationError {
  /** The feature the host lacks. */
  readonly feature: FeatureName;
  /** Minimum HNS version of the feature. */
  readonly minVersion: string;
  /** The host's HNS version, when known. */
  readonly hostVersion: string | undefined;

  /** Message: `platform does not support feature <title> (needs HNS <min> or later, host has <v>)`. */
  constructor(options: HcnFeatureNotSupportedErrorOptions) {
    const message = featureMessage(options.title ?? options.feature, options.minVersion, options.hostVersion, options.versions);
    const issues = options.issues ?? [
      { field: options.field, rule: 'feature', message, value: options.value, feature: options.feature, minVersion: options.minVersion },
    ];
    super({ operation: options.operation, issues, code: 'HCN_FEATURE_NOT_SUPPORTED' });
    this.feature = options.feature;
    this.minVersion = options.minVersion;
    this.hostVersion = options.hostVersion;
  }
}

/**
 * Text of a feature refusal: `platform does not support feature <title> (needs HNS <min>, host has <v>)`.
 * @example
 * featureMessage('Session Affinity', '12.0', '11.10');
 */
export function featureMessage(title: string, minVersion: string, hostVersion: string | undefined, versions?: string): string {
  // A feature with gaps (DSR: 9.3-9.x and 10.2+) is described by all of its ranges, since
  // "<min> or later" would be false for the versions in between.
  const needs = versions ?? `${minVersion} or later`;
  return `platform does not support feature ${title} (needs HNS ${needs}, host has ${hostVersion ?? 'an unknown version'})`;
}

/**
 * Thrown (not an HcnError) when the native binding reports `HCN_INVALID_ARGUMENT`: the SDK or its
 * caller misused the API (bad GUID string, wrong type). Nothing was sent to HNS.
 * @example
 * if (err instanceof HcnArgumentError) console.error(err.operation, err.message);
 */
export class HcnArgumentError extends TypeError {
  /** Always `'HCN_INVALID_ARGUMENT'`. */
  readonly code = 'HCN_INVALID_ARGUMENT';
  /** Operation that failed: `HcnCreateLoadBalancer`, `LoadBalancerBuilder.build`, ... */
  readonly operation: string;
  /** Message: `<operation>: <message>`. */
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`${operation}: ${message}`, options);
    this.name = 'HcnArgumentError';
    this.operation = operation;
  }
}

/**
 * Constructor type of HcnError and its HRESULT-mapped subclasses.
 * @example
 * const Class: HcnErrorClass = errorClassForHresult(0x80070490); // HcnNotFoundError
 */
export type HcnErrorClass = new (options: HcnErrorOptions) => HcnError;

const NOT_FOUND = new Set([
  0x80070490, 0x803b0001, 0x803b0002, 0x803b0003, 0x803b0004, 0x803b0005, 0x803b0006, 0x803b0007, 0x803b0008,
  0x803b0009, 0x803b001f,
]);
const ALREADY_EXISTS = new Set([0x800700b7, 0x80071392, 0x803b0010, 0x803b0011, 0x803b0012, 0x803b002b]);
const SERVICE_UNAVAILABLE = new Set([0x803b0020, 0x800706ba, 0x800706be, 0x80070426, 0x80070422, 0x80010108]);
const NOT_AVAILABLE = new Set([0x80070424, 0x8007007e, 0x8007007f]);

/**
 * The error class the SDK uses for an HRESULT.
 * @example
 * errorClassForHresult(0x803b0013) === HcnPortInUseError; // true
 * errorClassForHresult(0x800706ba) === HcnServiceUnavailableError; // true
 */
export function errorClassForHresult(hresult: number): HcnErrorClass {
  const hr = toHresult(hresult);
  if (hr === 0x803b0013) return HcnPortInUseError;
  if (NOT_FOUND.has(hr)) return HcnNotFoundError;
  if (ALREADY_EXISTS.has(hr)) return HcnAlreadyExistsError;
  if (hr === 0x80004001 || hr === 0x803b0015) return HcnNotImplementedError;
  if (SERVICE_UNAVAILABLE.has(hr)) return HcnServiceUnavailableError;
  if (NOT_AVAILABLE.has(hr)) return HcnNotAvailableError;
  if (hr === 0x80070005) return HcnAccessDeniedError;
  if (hr === 0x800705b4) return HcnTimeoutError;
  return HcnError;
}

const ELEVATION_HINT = 'Run from an elevated (Administrator) prompt: HCN requires administrator rights.';

/**
 * Builds the typed error for a failed HCN call from its HRESULT and ErrorRecord. When `hresult` is
 * 0/undefined the ErrorRecord's `ErrorCode` is used (HCN can fail with S_OK and a non-empty record).
 * @example
 * const err = errorFromHresult('HcnCreateLoadBalancer', 0x803b0013, '{"Success":false,"Error":"The specified port already exists. ","ErrorCode":2151350291}');
 * err instanceof HcnPortInUseError; // true
 * err.message; // 'HcnCreateLoadBalancer failed: HCN_E_PORT_ALREADY_EXISTS (0x803B0013): The specified port already exists.'
 */
export function errorFromHresult(operation: string, hresult: number | undefined, errorRecord?: string, cause?: unknown): HcnError {
  const record = parseErrorRecord(errorRecord);
  let hr = hresult === undefined ? 0 : hresult >>> 0;
  if (hr === 0 && record !== undefined && record.ErrorCode !== 0) hr = record.ErrorCode;
  if (hr === 0) hr = 0x80004005; // failed with S_OK and an ErrorRecord without a code: E_FAIL
  hr = toHresult(hr);
  const code = hresultName(hr) ?? formatHresult(hr);
  const Class = errorClassForHresult(hr);
  const options: HcnErrorOptions = { code, operation, hresult: hr, errorRecord, cause };
  if (Class === HcnAccessDeniedError) {
    const base = new HcnError(options).message;
    options.message = `${base.replace(/\s*$/, '')}${/[.!]$/.test(base) ? '' : '.'} ${ELEVATION_HINT}`;
  }
  return new Class(options);
}

/**
 * Maps an error from the native layer to the SDK's class: `HCN_HRESULT` by HRESULT, `HCN_TIMEOUT`,
 * `HCN_BUSY`, `HCN_NOT_AVAILABLE`, `HCN_CLOSED` to their classes; `HCN_INVALID_ARGUMENT` (API misuse)
 * to an {@link HcnArgumentError} (a TypeError).
 * @example
 * try { await ctx.query('loadBalancer', id, q, 30000); }
 * catch (err) { if (isNativeError(err)) throw fromNativeError(err); throw err; }
 */
export function fromNativeError(err: NativeError): HcnError | HcnArgumentError {
  const operation = err.operation || 'hcn';
  const detail = err.message || undefined;
  switch (err.code) {
    case 'HCN_HRESULT':
      return errorFromHresult(operation, err.hresult, err.errorRecord, err);
    case 'HCN_TIMEOUT':
      return new HcnTimeoutError({
        code: 'HCN_TIMEOUT',
        operation,
        detail: 'the call passed its deadline; its outcome in HNS is unknown',
        cause: err,
      });
    case 'HCN_BUSY':
      return new HcnBusyError({
        code: 'HCN_BUSY',
        operation,
        detail: 'every worker thread is stuck in a call past its deadline; nothing was sent to HNS',
        cause: err,
      });
    case 'HCN_NOT_AVAILABLE':
      return new HcnNotAvailableError({
        code: 'HCN_NOT_AVAILABLE',
        operation,
        detail: err.missing ? `HCN is not available on this host (missing ${err.missing})` : (detail ?? 'HCN is not available on this host'),
        cause: err,
      });
    case 'HCN_CLOSED':
      return new HcnError({ code: 'HCN_CLOSED', operation, detail: 'the client was closed', cause: err });
    case 'HCN_INVALID_ARGUMENT':
      return new HcnArgumentError(operation, detail ?? 'invalid argument', { cause: err });
    default: {
      const code: string = (err as { code: string }).code;
      return new HcnError({ code, operation, hresult: err.hresult, errorRecord: err.errorRecord, detail, cause: err });
    }
  }
}

/**
 * Turns anything thrown during `operation` into an SDK error: native errors via {@link fromNativeError},
 * AbortSignal reasons into {@link HcnAbortError}; SDK errors and other values pass through.
 * @example
 * try { await ctx.remove('loadBalancer', id, 30000); } catch (err) { throw toHcnError(err, 'HcnDeleteLoadBalancer'); }
 */
export function toHcnError(err: unknown, operation: string): unknown {
  if (err instanceof HcnError || err instanceof HcnArgumentError) return err;
  if (err instanceof Error) {
    const e = err as Partial<NativeError>;
    if (typeof e.code === 'string' && e.code.startsWith('HCN_') && typeof e.operation === 'string') {
      return fromNativeError(err as NativeError);
    }
    if (err.name === 'AbortError' || err.name === 'TimeoutError') {
      return new HcnAbortError({ code: 'HCN_ABORTED', operation, detail: err.message || 'the operation was aborted', cause: err });
    }
  }
  return err;
}

/**
 * The error to throw when an AbortSignal fired before or during `operation`.
 * @example
 * if (signal?.aborted) throw abortError('HcnCreateLoadBalancer', signal.reason);
 */
export function abortError(operation: string, reason?: unknown): HcnAbortError {
  const detail = reason instanceof Error && reason.message ? reason.message : 'the operation was aborted';
  return new HcnAbortError({ code: 'HCN_ABORTED', operation, detail, cause: reason });
}

/**
 * A client-side "not found" (a filtered lookup that returned nothing), with the HRESULT HNS would use.
 * @example
 * throw notFoundError('loadBalancers.get', `load balancer ${id} not found`);
 */
export function notFoundError(operation: string, detail: string): HcnNotFoundError {
  return new HcnNotFoundError({ code: 'ERROR_NOT_FOUND', operation, hresult: 0x80070490, detail });
}

/**
 * The {@link HcnNetworkNotFoundError} for `network` (an ID or a name) named by `field`: the same
 * code, field and text from every caller (the client's lookups and the reconcile plan); `cause` is
 * HNS's own error when it answered.
 * @example
 * throw networkNotFoundError('loadBalancers.create', 'network', 'vxlan1');
 */
export function networkNotFoundError(operation: string, field: string, network: string, cause?: unknown): HcnNetworkNotFoundError {
  const what = isGuid(network) ? `no network with ID ${network.toLowerCase()}` : `no network named ${JSON.stringify(network)}`;
  return new HcnNetworkNotFoundError({
    code: 'ERROR_NOT_FOUND',
    operation,
    hresult: 0x80070490,
    detail: `${field}: ${what}`,
    field,
    network,
    cause,
  });
}
