// HNS version → supported features, from the version-range table hcsshim/hnslib use (with hnslib's
// ModifyLoadbalancer range), plus user overrides and runtime probe results.
import { HcnError, HcnFeatureNotSupportedError } from './errors';

/**
 * HNS version as `/globals/version` reports it.
 * @example
 * const v: HnsVersion = { major: 15, minor: 5 };
 */
export interface HnsVersion {
  /** Major version. */
  major: number;
  /** Minor version. */
  minor: number;
}

/**
 * Names of the features the SDK knows.
 * @example
 * const f: FeatureName = 'dsr';
 */
export type FeatureName =
  | 'apiV2'
  | 'remoteSubnet'
  | 'hostRoute'
  | 'dsr'
  | 'slash32EndpointPrefixes'
  | 'vxlanPort'
  | 'ipv6DualStack'
  | 'sessionAffinity'
  | 'l4Proxy'
  | 'setPolicy'
  | 'l4WfpProxy'
  | 'tierAcl'
  | 'networkAcl'
  | 'disableHostPort'
  | 'accelnet'
  | 'modifyLoadBalancer'
  | 'acl'
  | 'aclSupportForProtocol252'
  | 'nestedIpSet';

/**
 * Why a feature is reported as it is: from the version table, a user override, or a runtime probe
 * (e.g. E_NOTIMPL from modify turned it off).
 * @example
 * const s: FeatureSource = 'override';
 */
export type FeatureSource = 'version' | 'override' | 'probe';

/**
 * What the connected HNS supports.
 * @example
 * const f: Features = featuresForVersion({ major: 10, minor: 2 });
 * f.supported.dsr; // true
 * f.source.dsr;    // 'version'
 */
export interface Features {
  /** `undefined` when `/globals/version` failed (every feature then reads false unless overridden). */
  readonly version: HnsVersion | undefined;
  /** Whether each feature is supported. */
  readonly supported: Readonly<Record<FeatureName, boolean>>;
  /** Why each feature reads as it does. */
  readonly source: Readonly<Record<FeatureName, FeatureSource>>;
}

/**
 * An inclusive version range `[min, max]`; `max` undefined = open-ended.
 * @example
 * const dsrOld: VersionRange = { min: { major: 9, minor: 3 }, max: { major: 9, minor: MAX_MINOR } };
 */
export interface VersionRange {
  /** Lowest version of the range (inclusive). */
  readonly min: Readonly<HnsVersion>;
  /** Highest version (inclusive); absent = open-ended. */
  readonly max?: Readonly<HnsVersion>;
}

/**
 * Stands for "any minor" in a range's upper bound (`9.x`).
 * @example
 * const nineX: HnsVersion = { major: 9, minor: MAX_MINOR };
 */
export const MAX_MINOR = 0xffffffff;

/**
 * One row of the feature table.
 * @example
 * FEATURE_TABLE.dsr.title; // 'Direct Server Return (DSR)'
 */
export interface FeatureEntry {
  /** Display title, as hcsshim's "platform does not support feature <title>". */
  readonly title: string;
  /** The feature is supported when the version falls in any of these. */
  readonly ranges: readonly VersionRange[];
}

const v = (major: number, minor: number): Readonly<HnsVersion> => Object.freeze({ major, minor });
const from = (major: number, minor: number): VersionRange => Object.freeze({ min: v(major, minor) });
const span = (major: number, minor: number, maxMajor: number, maxMinor: number): VersionRange =>
  Object.freeze({ min: v(major, minor), max: v(maxMajor, maxMinor) });
const entry = (title: string, ...ranges: VersionRange[]): FeatureEntry => Object.freeze({ title, ranges: Object.freeze(ranges) });

/**
 * The version-range table (hcsshim/hnslib `hcnglobals.go`; ModifyLoadbalancer per hnslib: 15.5–15.x and ≥ 16.0,
 * because HNS 15.4 did not update backends in place, kubernetes#131466).
 * @example
 * FEATURE_TABLE.sessionAffinity.ranges[0]!.min; // { major: 12, minor: 0 }
 */
export const FEATURE_TABLE: Readonly<Record<FeatureName, FeatureEntry>> = Object.freeze({
  acl: entry('ACL', from(7, 2)),
  apiV2: entry('API V2', from(9, 2)),
  remoteSubnet: entry('Remote Subnet', from(9, 2)),
  hostRoute: entry('Host Route', from(9, 2)),
  dsr: entry('Direct Server Return (DSR)', span(9, 3, 9, MAX_MINOR), from(10, 2)),
  slash32EndpointPrefixes: entry('32 Bit Endpoint Prefixes', span(9, 3, 9, MAX_MINOR), from(10, 4)),
  vxlanPort: entry('VXLAN Port', from(10, 3)),
  ipv6DualStack: entry('IPv6 DualStack', from(11, 10)),
  sessionAffinity: entry('Session Affinity', from(12, 0)),
  l4Proxy: entry(
    'L4 Proxy',
    span(9, 5, 9, MAX_MINOR),
    span(10, 5, 10, MAX_MINOR),
    span(11, 11, 11, MAX_MINOR),
    span(12, 1, 12, MAX_MINOR),
    from(13, 1),
  ),
  setPolicy: entry('Set Policy', from(13, 0)),
  l4WfpProxy: entry('L4 WFP Proxy', from(13, 2)),
  tierAcl: entry('Tier ACL', from(14, 0)),
  networkAcl: entry('Network ACL', from(15, 0)),
  disableHostPort: entry('Disable Host Port', from(15, 1)),
  accelnet: entry('Accelnet', from(15, 4)),
  modifyLoadBalancer: entry('ModifyLoadbalancer', span(15, 5, 15, MAX_MINOR), from(16, 0)),
  aclSupportForProtocol252: entry('ACL Support For Protocol 252', from(11, 0)),
  nestedIpSet: entry('Nested IP Set', from(15, 0)),
});

/**
 * Every feature name, in table order.
 * @example
 * for (const name of FEATURE_NAMES) console.log(name, FEATURE_TABLE[name].title);
 */
export const FEATURE_NAMES: readonly FeatureName[] = Object.freeze(Object.keys(FEATURE_TABLE) as FeatureName[]);

/**
 * Compares versions major-then-minor: negative, 0 or positive.
 * @example
 * compareVersions({ major: 11, minor: 10 }, { major: 11, minor: 9 }) > 0; // true (10 > 9, not "1.10 < 1.9")
 */
export function compareVersions(a: HnsVersion, b: HnsVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/**
 * True when `version` falls in the inclusive range.
 * @example
 * versionInRange({ major: 10, minor: 1 }, { min: { major: 10, minor: 2 } }); // false
 */
export function versionInRange(version: HnsVersion, range: VersionRange): boolean {
  return compareVersions(version, range.min) >= 0 && (range.max === undefined || compareVersions(version, range.max) <= 0);
}

/**
 * `'major.minor'`.
 * @example
 * formatVersion({ major: 15, minor: 5 }); // '15.5'
 */
export function formatVersion(version: HnsVersion): string {
  return `${version.major}.${version.minor}`;
}

/**
 * Parses `'15.5'` (or `'15'`) into a version; `undefined` when malformed.
 * @example
 * parseVersion('11.10'); // { major: 11, minor: 10 }
 */
export function parseVersion(text: string): HnsVersion | undefined {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,9}))?\s*$/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: m[2] === undefined ? 0 : Number(m[2]) };
}

/**
 * True when the table says `version` supports `feature`.
 * @example
 * isFeatureInVersion('modifyLoadBalancer', { major: 15, minor: 4 }); // false (hnslib's range)
 */
export function isFeatureInVersion(feature: FeatureName, version: HnsVersion | undefined): boolean {
  if (version === undefined) return false;
  return FEATURE_TABLE[feature].ranges.some((r) => versionInRange(version, r));
}

/**
 * Display title of a feature.
 * @example
 * featureTitle('ipv6DualStack'); // 'IPv6 DualStack'
 */
export function featureTitle(feature: FeatureName): string {
  return FEATURE_TABLE[feature].title;
}

/**
 * Features of an HNS version, with overrides applied (an override always wins; its `source` is 'override').
 * @example
 * const f = featuresForVersion({ major: 15, minor: 4 }, { modifyLoadBalancer: true });
 * f.supported.modifyLoadBalancer; // true
 * f.source.modifyLoadBalancer;    // 'override'
 */
export function featuresForVersion(
  version: HnsVersion | undefined,
  overrides?: Partial<Record<FeatureName, boolean>>,
): Features {
  const supported = {} as Record<FeatureName, boolean>;
  const source = {} as Record<FeatureName, FeatureSource>;
  for (const name of FEATURE_NAMES) {
    const o = overrides?.[name];
    if (typeof o === 'boolean') {
      supported[name] = o;
      source[name] = 'override';
    } else {
      supported[name] = isFeatureInVersion(name, version);
      source[name] = 'version';
    }
  }
  return Object.freeze({
    version: version === undefined ? undefined : Object.freeze({ major: version.major, minor: version.minor }),
    supported: Object.freeze(supported),
    source: Object.freeze(source),
  });
}

/**
 * A copy of `features` with a runtime probe's finding applied (e.g. E_NOTIMPL from modify → false).
 * Overrides still win: a feature the user forced keeps its value.
 * @example
 * features = withProbeResult(features, 'modifyLoadBalancer', false);
 */
export function withProbeResult(features: Features, feature: FeatureName, supported: boolean): Features {
  if (features.source[feature] === 'override') return features;
  return Object.freeze({
    version: features.version,
    supported: Object.freeze({ ...features.supported, [feature]: supported }),
    source: Object.freeze({ ...features.source, [feature]: 'probe' as const }),
  });
}

/**
 * Minimum HNS version of a feature as `'10.2'`: the first open-ended range (else the first range).
 * With `hostVersion`, the lowest version at or above the host that has the feature
 * (e.g. DSR for a 9.2 host: '9.3'; ModifyLoadbalancer for 15.3: '15.5').
 * @example
 * minVersionOf('dsr');                                         // '10.2'
 * minVersionOf('modifyLoadBalancer', { major: 15, minor: 3 }); // '15.5'
 */
export function minVersionOf(feature: FeatureName, hostVersion?: HnsVersion): string {
  const ranges = FEATURE_TABLE[feature].ranges;
  if (hostVersion !== undefined) {
    const next = ranges.find((r) => r.max === undefined || compareVersions(hostVersion, r.max) <= 0);
    if (next !== undefined) return formatVersion(next.min);
  }
  const open = ranges.find((r) => r.max === undefined) ?? ranges[0]!;
  return formatVersion(open.min);
}

/**
 * Every HNS version range that has `feature`, for messages: `'10.2 or later'`, `'9.3–9.x or 10.2 and
 * later'`, `'12.0 or later'`.
 * @example
 * supportedVersions('dsr'); // '9.3–9.x or 10.2 and later'
 */
export function supportedVersions(feature: FeatureName): string {
  const ranges = FEATURE_TABLE[feature].ranges;
  const text = (r: VersionRange): string => {
    if (r.max === undefined) return ranges.length === 1 ? `${formatVersion(r.min)} or later` : `${formatVersion(r.min)} and later`;
    const max = r.max.minor === MAX_MINOR ? `${r.max.major}.x` : formatVersion(r.max);
    return `${formatVersion(r.min)}–${max}`;
  };
  const parts = ranges.map(text);
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]!}`;
}

/**
 * Throws {@link HcnFeatureNotSupportedError} when `features` says `feature` is missing.
 * @example
 * requireFeature(await hcn.features(), 'modifyLoadBalancer', 'loadBalancers.update');
 */
export function requireFeature(features: Features, feature: FeatureName, operation: string, field: string = feature, value: unknown = true): void {
  if (features.supported[feature]) return;
  throw new HcnFeatureNotSupportedError({
    operation,
    feature,
    title: featureTitle(feature),
    minVersion: minVersionOf(feature, features.version),
    versions: supportedVersions(feature),
    hostVersion: features.version && formatVersion(features.version),
    field,
    value,
  });
}

function toVersionPart(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Reads the HNS v1 `GET /globals/version` response envelope `{"Success":true,"Output":{"Major":N,"Minor":M}}`
 * (a bare `{"Major":N,"Minor":M}` is accepted too). Throws HcnError `HCN_HNS_ERROR` when HNS said
 * Success:false, `HCN_INVALID_RESPONSE` when the text is not such a document.
 * @example
 * parseVersionResponse('{"Success":true,"Output":{"Major":15,"Minor":5}}'); // { major: 15, minor: 5 }
 */
export function parseVersionResponse(json: string): HnsVersion {
  const operation = 'HNSCall GET /globals/version';
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation, detail: `not JSON: ${json.slice(0, 200)}` });
  }
  if (typeof doc !== 'object' || doc === null) {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation, detail: `unexpected response: ${json.slice(0, 200)}` });
  }
  const envelope = doc as Record<string, unknown>;
  if (envelope.Success === false) {
    const text = typeof envelope.Error === 'string' ? envelope.Error.trim() : '';
    throw new HcnError({ code: 'HCN_HNS_ERROR', operation, detail: `hns failed with error: ${text || 'unknown error'}` });
  }
  const output = (typeof envelope.Output === 'object' && envelope.Output !== null ? envelope.Output : envelope) as Record<string, unknown>;
  const major = toVersionPart(output.Major ?? output.major);
  const minor = toVersionPart(output.Minor ?? output.minor);
  if (major === undefined || minor === undefined) {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation, detail: `no Major/Minor in: ${json.slice(0, 200)}` });
  }
  return { major, minor };
}
