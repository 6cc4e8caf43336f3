// Turns any error the `hcn` command meets into an exit code and a message: the code name, what
// failed, and what to do — as text for people or as the documented JSON shape on stderr.
import { FEATURE_TABLE, supportedVersions, type FeatureName } from '../features';
import { ExitCode, type ExitCodeValue } from './exit-codes';
import { printable, type Style } from './format';
import { UsageError } from './usage-error';

/** The JSON shape of an error (`{"error": ...}` on stderr with --json). */
export interface CliErrorJson {
  error: {
    /** `HCN_USAGE`, a Windows constant name (`HCN_E_PORT_ALREADY_EXISTS`) or an SDK code (`HCN_TIMEOUT`). */
    code: string;
    /** Unsigned 32-bit HRESULT, or null when HNS returned none (usage, timeout, validation ...). */
    hresult: number | null;
    /** What failed: the HCN function (`HcnCreateLoadBalancer`), SDK step or the command (`hcn lb create`). */
    operation: string;
    /** The full message. */
    message: string;
    /** What to do about it, when there is advice. */
    hint: string | null;
    /** For usage and validation errors: the argument at fault (`--port`, `ID`). */
    argument: string | null;
    /** The exit code the process ends with. */
    exitCode: ExitCodeValue;
  };
}

interface IssueLike {
  field?: unknown;
  rule?: unknown;
  message?: unknown;
}

interface ErrorLike {
  name?: string;
  issues?: unknown;
  code?: unknown;
  hresult?: unknown;
  operation?: unknown;
  message?: unknown;
  field?: unknown;
  feature?: unknown;
  minVersion?: unknown;
  hostVersion?: unknown;
  hint?: unknown;
}

// Errors whose fields a command set from flags of its own (e.g. `lb update --add-backend`).
const fieldArguments = new WeakMap<object, (field: string) => string | undefined>();

/**
 * Tells {@link describeError} which flag set some of the error's fields, when the command built
 * them from other flags than the usual ones (`argument(field)` returns undefined for the rest).
 */
export function nameArgumentsOf(err: unknown, argument: (field: string) => string | undefined): void {
  if (typeof err === 'object' && err !== null) fieldArguments.set(err, argument);
}

/** Maps an SDK validation `field` (`frontendVips[1]`, `ports[0].external`) to the flag that set it. */
export function argumentForField(field: string): string {
  const head = field.replace(/\[.*$/, '').replace(/\..*$/, '');
  switch (head) {
    case 'frontendVips':
    case 'frontendVip':
    case 'vips':
    case 'vip':
      return '--vip';
    case 'sourceVip':
      return '--source-vip';
    case 'backends':
    case 'backendIds':
      return '--backend';
    case 'ports':
      if (/\.distribution$/.test(field)) return '--affinity';
      if (/\.(preserveDip)$/.test(field)) return '--preserve-dip';
      if (/\.(useMux)$/.test(field)) return '--use-mux';
      if (/\.(ilb)$/.test(field)) return '--ilb';
      if (/\.(localRoutedVip)$/.test(field)) return '--local-routed-vip';
      if (/\.(vipExternalIp)$/.test(field)) return '--vip-external-ip';
      return '--port';
    case 'distribution':
    case 'affinity':
      return '--affinity';
    case 'dsr':
      return '--dsr';
    case 'ipv6':
      return '--ipv6';
    case 'providerAddress':
      return '--provider-address';
    case 'ip':
      return '--ip';
    case 'network':
      return '--network';
    case 'mac':
      return '--mac';
    default:
      return field;
  }
}

/** Exit code for an error. */
export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof UsageError) return ExitCode.Usage;
  const e = (err ?? {}) as ErrorLike;
  if (e.code === 'HCN_VALIDATION') return ExitCode.Usage;
  if (e.code === 'HCN_NOT_AVAILABLE' || e.code === 'HCN_ADDON_NOT_FOUND') return ExitCode.NotAvailable;
  return ExitCode.OperationFailed;
}

function hintFor(e: ErrorLike, backend: string | undefined): string | null {
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'HCN_E_PORT_ALREADY_EXISTS':
      return 'another load balancer (or a host socket) already uses this VIP, protocol and external port: find it with `hcn lb list --vip <VIP> --port <PORT>`, then update or delete it, or pick another port';
    case 'ERROR_ALREADY_EXISTS':
    case 'HCN_E_NETWORK_ALREADY_EXISTS':
    case 'HCN_E_POLICY_ALREADY_EXISTS':
      return 'an object like this already exists (HNS may have restored it after a restart): list it with `hcn lb list` and use or delete it';
    case 'HCN_E_ENDPOINT_NOT_FOUND':
    case 'HCN_E_PORT_NOT_FOUND':
      return 'the endpoint does not exist (any more): list endpoints with `hcn endpoint list`';
    case 'HCN_E_ENTITY_HAS_REFERENCES':
      return 'a load balancer still uses it: update or delete that load balancer first (`hcn lb list` shows the backends)';
    case 'HCN_E_NETWORK_NOT_FOUND':
      return 'list networks with `hcn network list`';
    case 'ERROR_NOT_FOUND': {
      const field = typeof e.field === 'string' ? e.field : '';
      const op = typeof e.operation === 'string' ? e.operation : '';
      if (field.startsWith('backends')) {
        return 'every backend must be an existing endpoint: see `hcn endpoint list`; a pod on another node needs a remote endpoint first (guide: overlay remote backends)';
      }
      // `endpoint list --network NAME` fails in endpoints.list, but what is missing is the network.
      if (field === 'network' || /\bno network named\b/i.test(typeof e.message === 'string' ? e.message : '')) return 'check the network ID or name with `hcn network list`';
      if (/Endpoint/i.test(op)) return 'check the ID with `hcn endpoint list`';
      if (/Network/i.test(op)) return 'check the ID or name with `hcn network list`';
      return 'check the ID with `hcn lb list` (IDs change when an update had to replace the load balancer)';
    }
    case 'HCN_TIMEOUT':
      return 'HNS did not answer in time and the outcome is unknown: check with `hcn lb list` before retrying; raise the limit with --timeout MS';
    case 'HCN_BUSY':
      return 'every HNS call thread is stuck: HNS looks hung; restart the HNS service (Restart-Service hns) and retry';
    case 'HCN_E_MANAGER_STOPPED':
      return 'the HNS service is not running: start it (Start-Service hns) from an elevated prompt';
    case 'E_ACCESSDENIED':
      return 'HNS needs administrator rights: run the command from an elevated prompt (Run as administrator)';
    case 'E_NOTIMPL':
    case 'HCN_E_REQUEST_UNSUPPORTED':
      return 'this HNS version does not support the operation: see `hcn features`';
    case 'HCN_FEATURE_NOT_SUPPORTED': {
      const host = typeof e.hostVersion === 'string' ? e.hostVersion : 'unknown';
      const min = typeof e.minVersion === 'string' ? e.minVersion : undefined;
      const sim = backend === 'simulated' && min ? `; on the simulator, \`hcn sim version ${min}\` raises the simulated HNS version` : '';
      const feature = typeof e.feature === 'string' && e.feature in FEATURE_TABLE ? (e.feature as FeatureName) : undefined;
      const needs = feature ? supportedVersions(feature) : min ? `${min} or later` : undefined;
      return `the host's HNS version (${host}) lacks this feature${needs ? `; it needs ${needs}` : ''}: see \`hcn features\`${sim}`;
    }
    case 'HCN_NOT_AVAILABLE':
      return 'this host has no usable HCN (it needs Windows with the Containers feature); on any OS, `--backend simulated` drives the embedded simulator';
    case 'HCN_ADDON_NOT_FOUND':
      return null; // the loader's message already lists where it looked and how to build
    case 'HCN_E_ADDR_INVALID_OR_RESERVED':
    case 'HCN_E_INVALID_IP':
      return 'HNS refused an address: check the VIP, source VIP and backend IPs';
    case 'HCN_CLOSED':
    case 'HCN_ABORTED':
      return null;
    default:
      return null;
  }
}

const RULE_HINTS: Record<string, string> = {
  'requires-dsr': 'add --dsr (PreserveDIP and UseMux only work with Direct Server Return)',
  family: 'use one address family throughout: all IPv4, or all IPv6 (VIPs, source VIP and backend IPs)',
  duplicate: 'give each backend and each protocol:external-port pair only once',
  max: 'one load balancer takes at most 1024 backends: split them over several',
};

/** A command-line reading of a validation error: each issue as `<flag>: <message>`. */
function validationText(e: ErrorLike, argumentFor: (field: string) => string): { message: string; argument: string | null; hint: string | null } | null {
  const what = typeof e.operation === 'string' && /load ?balancer/i.test(e.operation) ? 'invalid load balancer spec' : 'invalid request';
  if (!Array.isArray(e.issues) || e.issues.length === 0) return null;
  const issues = e.issues as IssueLike[];
  const lines = issues.map((i) => {
    const field = typeof i.field === 'string' ? i.field : '';
    const arg = field ? argumentFor(field) : '';
    const msg = String(i.message ?? '').replace(/: call dsr\(\) or set dsr: true$/, '');
    return `${arg ? `${arg}${arg !== field ? ` (${field})` : ''}: ` : ''}${msg}`;
  });
  const first = issues[0]!;
  const argument = typeof first.field === 'string' && first.field ? argumentFor(first.field) : null;
  const hint = typeof first.rule === 'string' ? (RULE_HINTS[first.rule] ?? null) : null;
  return { message: `${what}: ${lines.join('; ')}`, argument, hint };
}

/** Everything needed to print an error, in both shapes. */
export function describeError(err: unknown, context: { command: string; backend?: string }): CliErrorJson {
  const exitCode = exitCodeFor(err);
  if (err instanceof UsageError) {
    return {
      error: {
        code: err.code,
        hresult: null,
        operation: context.command,
        message: err.message,
        hint: err.hint ?? `see \`${context.command} --help\``,
        argument: err.argument,
        exitCode,
      },
    };
  }
  const e = (err ?? {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' && e.code.length > 0 ? e.code : 'HCN_INTERNAL';
  const hresult = typeof e.hresult === 'number' ? e.hresult >>> 0 : null;
  const operation = typeof e.operation === 'string' && e.operation.length > 0 ? e.operation : context.command;
  const own = typeof err === 'object' && err !== null ? fieldArguments.get(err) : undefined;
  const argumentFor = (field: string): string => own?.(field) ?? argumentForField(field);
  let argument = typeof e.field === 'string' ? argumentFor(e.field) : null;
  let hint = typeof e.hint === 'string' ? e.hint : hintFor(e, context.backend);
  let text = message;
  if (code === 'HCN_VALIDATION') {
    const v = validationText(e, argumentFor);
    if (v) {
      text = v.message;
      argument = v.argument ?? argument;
      hint = v.hint;
    }
    hint ??= `see \`${context.command} --help\``;
  }
  if (hint === null && code === 'HCN_INTERNAL') hint = 'this looks like a bug in hcn-sdk: please report it with the command you ran';
  return { error: { code, hresult, operation, message: text, hint, argument, exitCode } };
}

/** `0x803B0013`. */
function hex(hresult: number): string {
  return '0x' + (hresult >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * The human form, on stderr:
 * `hcn: error: HcnCreateLoadBalancer failed: HCN_E_PORT_ALREADY_EXISTS (0x803B0013): ...` and an indented
 * `what to do:` line; usage errors read `hcn: usage error: --port 'x' is not PROTO:EXTERNAL[:INTERNAL]`.
 */
export function renderErrorText(described: CliErrorJson, style: Style): string {
  const { code, hresult, operation, message, hint, argument } = described.error;
  let first: string;
  if (code === 'HCN_USAGE' || code === 'HCN_VALIDATION') {
    first = `${style.red(style.bold('usage error'))}: ${message}`;
  } else {
    // SDK messages already read '<operation> failed: <code> (<hresult>): <text>'.
    const body = message.startsWith(operation) ? message : `${operation} failed: ${message}`;
    const tag = message.includes(code) ? '' : ` [${code}${hresult !== null ? ` ${hex(hresult)}` : ''}]`;
    first = `${style.red(style.bold('error'))}: ${body}${tag}${argument ? ` (argument ${argument})` : ''}`;
  }
  // Messages echo names and arguments: no control character of theirs reaches the terminal.
  let text = `hcn: ${printable(first, { keepStyle: style.color, keepNewlines: true }).split('\n').join('\n  ')}\n`;
  if (hint) text += `  ${style.yellow('what to do:')} ${printable(hint, { keepNewlines: true })}\n`;
  return text;
}
