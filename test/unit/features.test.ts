// The version-range feature table at its edges, overrides, probes and the /globals/version reader.
import test from 'ava';
import {
  FEATURE_NAMES,
  FEATURE_TABLE,
  compareVersions,
  featureTitle,
  featuresForVersion,
  formatVersion,
  isFeatureInVersion,
  minVersionOf,
  parseVersion,
  parseVersionResponse,
  requireFeature,
  withProbeResult,
  type FeatureName,
  type HnsVersion,
  supportedVersions,
} from '../../ts/features';
import { HcnError, HcnFeatureNotSupportedError } from '../../ts/errors';

const V = (text: string): HnsVersion => parseVersion(text)!;

function supportedAt(feature: FeatureName, version: string): boolean {
  return featuresForVersion(V(version)).supported[feature];
}

test('19 features, each with a title and at least one range', (t) => {
  t.is(FEATURE_NAMES.length, 19);
  for (const name of FEATURE_NAMES) {
    t.true(FEATURE_TABLE[name].title.length > 0);
    t.true(FEATURE_TABLE[name].ranges.length > 0);
  }
  t.is(featureTitle('dsr'), 'Direct Server Return (DSR)');
  t.is(featureTitle('sessionAffinity'), 'Session Affinity');
  t.is(featureTitle('ipv6DualStack'), 'IPv6 DualStack');
  t.is(featureTitle('modifyLoadBalancer'), 'ModifyLoadbalancer');
});

const EDGES: Array<[FeatureName, string, boolean]> = [
  ['acl', '7.1', false],
  ['acl', '7.2', true],
  ['apiV2', '9.1', false],
  ['apiV2', '9.2', true],
  ['remoteSubnet', '9.2', true],
  ['hostRoute', '9.1', false],
  ['dsr', '9.2', false],
  ['dsr', '9.3', true],
  ['dsr', '9.99', true],
  ['dsr', '10.0', false],
  ['dsr', '10.1', false],
  ['dsr', '10.2', true],
  ['dsr', '15.4', true],
  ['slash32EndpointPrefixes', '9.3', true],
  ['slash32EndpointPrefixes', '10.3', false],
  ['slash32EndpointPrefixes', '10.4', true],
  ['vxlanPort', '10.2', false],
  ['vxlanPort', '10.3', true],
  ['ipv6DualStack', '11.9', false],
  ['ipv6DualStack', '11.10', true],
  ['ipv6DualStack', '11.2', false], // 11.2 < 11.10: minor compared as a number
  ['sessionAffinity', '11.99', false],
  ['sessionAffinity', '12.0', true],
  ['l4Proxy', '9.4', false],
  ['l4Proxy', '9.5', true],
  ['l4Proxy', '10.4', false],
  ['l4Proxy', '10.5', true],
  ['l4Proxy', '11.10', false],
  ['l4Proxy', '11.11', true],
  ['l4Proxy', '12.0', false],
  ['l4Proxy', '12.1', true],
  ['l4Proxy', '13.0', false],
  ['l4Proxy', '13.1', true],
  ['setPolicy', '12.9', false],
  ['setPolicy', '13.0', true],
  ['l4WfpProxy', '13.1', false],
  ['l4WfpProxy', '13.2', true],
  ['tierAcl', '14.0', true],
  ['networkAcl', '14.9', false],
  ['networkAcl', '15.0', true],
  ['disableHostPort', '15.0', false],
  ['disableHostPort', '15.1', true],
  ['aclSupportForProtocol252', '10.99', false],
  ['aclSupportForProtocol252', '11.0', true],
  ['nestedIpSet', '14.99', false],
  ['nestedIpSet', '15.0', true],
  ['accelnet', '15.3', false],
  ['accelnet', '15.4', true],
  ['modifyLoadBalancer', '15.3', false],
  ['modifyLoadBalancer', '15.4', false], // hcsshim says yes; hnslib (kubernetes#131466) says no
  ['modifyLoadBalancer', '15.5', true],
  ['modifyLoadBalancer', '15.99', true],
  ['modifyLoadBalancer', '16.0', true],
  ['modifyLoadBalancer', '17.3', true],
];

for (const [feature, version, expected] of EDGES) {
  test(`${feature} at ${version} is ${expected ? 'supported' : 'not supported'}`, (t) => {
    t.is(supportedAt(feature, version), expected);
    t.is(isFeatureInVersion(feature, V(version)), expected);
    t.is(featuresForVersion(V(version)).source[feature], 'version');
  });
}

test('no version: nothing supported, overrides still win', (t) => {
  const f = featuresForVersion(undefined, { dsr: true });
  t.is(f.version, undefined);
  for (const name of FEATURE_NAMES) t.is(f.supported[name], name === 'dsr');
  t.is(f.source.dsr, 'override');
  t.is(f.source.apiV2, 'version');
});

test('overrides win both ways and say so', (t) => {
  const f = featuresForVersion(V('15.4'), { modifyLoadBalancer: true, dsr: false });
  t.true(f.supported.modifyLoadBalancer);
  t.is(f.source.modifyLoadBalancer, 'override');
  t.false(f.supported.dsr);
  t.is(f.source.dsr, 'override');
  t.true(Object.isFrozen(f) && Object.isFrozen(f.supported) && Object.isFrozen(f.source));
});

test('probe results turn a feature off, but never override an override', (t) => {
  const f = featuresForVersion(V('16.0'));
  const probed = withProbeResult(f, 'modifyLoadBalancer', false);
  t.false(probed.supported.modifyLoadBalancer);
  t.is(probed.source.modifyLoadBalancer, 'probe');
  t.true(f.supported.modifyLoadBalancer, 'original untouched');
  const forced = featuresForVersion(V('16.0'), { modifyLoadBalancer: true });
  t.is(withProbeResult(forced, 'modifyLoadBalancer', false), forced);
});

test('minVersionOf', (t) => {
  t.is(minVersionOf('dsr'), '10.2');
  t.is(minVersionOf('modifyLoadBalancer'), '16.0');
  t.is(minVersionOf('sessionAffinity'), '12.0');
  t.is(minVersionOf('ipv6DualStack'), '11.10');
  t.is(minVersionOf('dsr', V('9.2')), '9.3');
  t.is(minVersionOf('dsr', V('10.0')), '10.2');
  t.is(minVersionOf('modifyLoadBalancer', V('15.3')), '15.5');
  t.is(minVersionOf('modifyLoadBalancer', V('15.4')), '15.5');
  t.is(minVersionOf('l4Proxy', V('12.0')), '12.1');
});

test('requireFeature throws HcnFeatureNotSupportedError with the minimum version', (t) => {
  const f = featuresForVersion(V('15.4'));
  t.notThrows(() => requireFeature(f, 'dsr', 'x'));
  const err = t.throws(() => requireFeature(f, 'modifyLoadBalancer', 'loadBalancers.update'), { instanceOf: HcnFeatureNotSupportedError });
  t.is(err.feature, 'modifyLoadBalancer');
  t.is(err.minVersion, '15.5');
  t.is(err.hostVersion, '15.4');
  t.regex(err.message, /platform does not support feature ModifyLoadbalancer/);
});

test('versions compare major then minor', (t) => {
  t.true(compareVersions(V('11.10'), V('11.9')) > 0);
  t.true(compareVersions(V('10.2'), V('9.99')) > 0);
  t.is(compareVersions(V('12.0'), { major: 12, minor: 0 }), 0);
  t.is(formatVersion({ major: 15, minor: 5 }), '15.5');
  t.deepEqual(parseVersion('16'), { major: 16, minor: 0 });
  t.is(parseVersion('v16'), undefined);
});

test('parseVersionResponse reads the HNS v1 envelope', (t) => {
  t.deepEqual(parseVersionResponse('{"Success":true,"Output":{"Major":15,"Minor":5}}'), { major: 15, minor: 5 });
  t.deepEqual(parseVersionResponse('{"Major":9,"Minor":3}'), { major: 9, minor: 3 });
  t.deepEqual(parseVersionResponse('{"Success":true,"Output":{"Major":"13","Minor":"2"}}'), { major: 13, minor: 2 });
  const failed = t.throws(() => parseVersionResponse('{"Success":false,"Error":"Element not found. "}'), { instanceOf: HcnError });
  t.is(failed.code, 'HCN_HNS_ERROR');
  t.regex(failed.message, /hns failed with error: Element not found\.$/);
  for (const bad of ['', 'nope', '[]', '{"Success":true,"Output":{}}', '{"Success":true,"Output":{"Major":-1,"Minor":0}}']) {
    t.is(t.throws(() => parseVersionResponse(bad), { instanceOf: HcnError }).code, 'HCN_INVALID_RESPONSE', bad);
  }
});

test('supportedVersions describes every range, so a gap is never called "or later"', (t) => {
  t.is(supportedVersions('dsr'), '9.3–9.x or 10.2 and later');
  t.is(supportedVersions('sessionAffinity'), '12.0 or later');
  t.is(supportedVersions('modifyLoadBalancer'), '15.5–15.x or 16.0 and later');
  t.is(supportedVersions('l4Proxy'), '9.5–9.x, 10.5–10.x, 11.11–11.x, 12.1–12.x or 13.1 and later');
});
