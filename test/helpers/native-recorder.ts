// An addon stand-in for tests of the REAL `hcn` bin: the bin loads it through HCN_SDK_ADDON (see
// recordedEnv). It forwards every call to the real addon (real bridge, real simulator, real state
// file) and appends one JSON line per native call to a log, so a test can see which HNS calls a
// command made in its own process. Optionally it sends one simulator control request once the
// context is bound to its state file (e.g. a failNext), which a control from the test's process
// could not do: simulator faults live in the process that makes the calls.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addonOrigin, type NativeBinding, type NativeContext, type NativeOpenOptions } from '../../ts/native';

/** One native call of the bin: the context method, and for the HNS verbs the family and object ID. */
export interface RecordedCall {
  method: string;
  family?: string;
  id?: string;
}

const REAL = 'HCN_TEST_REAL_ADDON';
const LOG = 'HCN_TEST_NATIVE_LOG';
const CONTROL = 'HCN_TEST_SIM_CONTROL_AFTER_ATTACH';

/** The HNS verbs whose second argument is an object ID. */
const BY_ID = new Set(['query', 'modify', 'remove']);
const VERBS = new Set(['enumerate', 'list', 'create', ...BY_ID]);

/**
 * The environment that makes the bin load this recorder (in front of the addon the test process
 * itself would load, so a lane that names another build with HCN_SDK_ADDON records that build),
 * logging to `log`, and sending `control` (a SimControl request) once bound to the state file.
 */
export function recordedEnv(log: string, control?: Record<string, unknown>): NodeJS.ProcessEnv {
  return {
    HCN_SDK_ADDON: __filename,
    [REAL]: addonOrigin().file,
    [LOG]: log,
    [CONTROL]: control === undefined ? undefined : JSON.stringify(control),
  };
}

/** The calls the bin recorded in `log` (none when it made no native call). */
export function recordedCalls(log: string): RecordedCall[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RecordedCall);
}

// Below: what runs when the bin loads this file as its addon. Loaded by a test process (for the
// helpers above), it does nothing.
function record(method: string, args: unknown[]): void {
  const call: RecordedCall = { method };
  if (VERBS.has(method)) call.family = String(args[0]);
  if (BY_ID.has(method)) call.id = String(args[1]).toLowerCase();
  fs.appendFileSync(process.env[LOG]!, JSON.stringify(call) + '\n');
}

function wrap(ctx: NativeContext): NativeContext {
  return new Proxy(ctx, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        record(prop, args);
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        const control = process.env[CONTROL];
        if (prop === 'simAttach' && control) return (result as Promise<void>).then(() => void target.simControl(control));
        return result;
      };
    },
  });
}

const real = process.env[REAL] && process.env[LOG] ? (require(path.resolve(process.env[REAL])) as NativeBinding) : undefined;

/** NativeBinding.version, of the real addon. */
export const version = real?.version ?? '';

/** NativeBinding.open: the real addon's context, recorded. */
export function open(options: NativeOpenOptions): NativeContext {
  if (!real) throw new Error(`native-recorder: ${REAL} and ${LOG} must be set`);
  return wrap(real.open(options));
}
