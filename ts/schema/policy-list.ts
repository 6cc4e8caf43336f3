// HNS v1 policy lists (`GET /policylists/`, what `Get-HnsPolicyList` shows): the envelope, the lists and
// their ELB policies, read tolerantly (policies given as objects or as JSON strings, any key casing).
import { HcnError } from '../errors';
import { normalizeGuid } from './guid';
import { arr, field, ipOrRaw, num, obj, str, strings, type JsonObject } from './read';

/**
 * One ELB policy of a v1 policy list (`{"Type":"ELB","VIPs":[...],"IsDSR":true,...}`), as far as
 * verification needs it. Numbers HNS left out are `undefined`.
 * @example
 * const e: ElbPolicyView = { isDsr: true, vips: ['13.0.0.13'], protocol: 6, internalPort: 80, externalPort: 8000 };
 */
export interface ElbPolicyView {
  /** `IsDSR` is true (anything else, missing included, is false). */
  isDsr: boolean;
  /** `VIPs`, canonical where they are addresses. */
  vips: string[];
  /** `Protocol` number (6 TCP, 17 UDP, ...); HNS omits 0. */
  protocol: number | undefined;
  /** `InternalPort` (backend port). */
  internalPort: number | undefined;
  /** `ExternalPort` (VIP port). */
  externalPort: number | undefined;
  /** `SourceVIP`, canonical where it is an address; absent when HNS gave none. */
  sourceVip?: string | undefined;
  /** `ILB`; absent when HNS gave none. */
  ilb?: boolean | undefined;
}

/**
 * A v1 policy list with its ELB policies (other policy types are skipped).
 * @example
 * const l: PolicyListView = { id: '5c1b7c9e-2f3a-4a39-9d4f-0c6c1d1f6a10', elb: [] };
 */
export interface PolicyListView {
  /** Lower-case ID ('' when HNS gave none). */
  id: string;
  /** Its ELB policies, in HNS order. */
  elb: ElbPolicyView[];
  /** Endpoint IDs (lower-case) from `References` entries `/endpoints/<id>`; absent when HNS listed none. */
  endpointIds?: string[] | undefined;
}

const OPERATION = 'HNSCall GET /policylists/';

function policyObject(p: unknown): JsonObject | undefined {
  if (typeof p !== 'string') return obj(p);
  try {
    return obj(JSON.parse(p));
  } catch {
    return undefined;
  }
}

function elbPolicy(pol: JsonObject): ElbPolicyView {
  const view: ElbPolicyView = {
    isDsr: field(pol, 'IsDSR') === true,
    vips: strings(pol, 'VIPs').map(ipOrRaw),
    protocol: num(pol, 'Protocol'),
    internalPort: num(pol, 'InternalPort'),
    externalPort: num(pol, 'ExternalPort'),
  };
  const source = str(pol, 'SourceVIP');
  if (source !== undefined && source !== '') view.sourceVip = ipOrRaw(source);
  const ilb = field(pol, 'ILB');
  if (typeof ilb === 'boolean') view.ilb = ilb;
  return view;
}

function policyList(o: JsonObject): PolicyListView {
  const elb: ElbPolicyView[] = [];
  for (const p of arr(o, 'Policies')) {
    const pol = policyObject(p);
    if (pol && String(field(pol, 'Type')).toUpperCase() === 'ELB') elb.push(elbPolicy(pol));
  }
  const view: PolicyListView = { id: (str(o, 'ID') ?? '').toLowerCase(), elb };
  const endpointIds = strings(o, 'References')
    .map((r) => /^\/?endpoints\/([^/]+)\/?$/i.exec(r.trim())?.[1])
    .map((id) => (id === undefined ? null : normalizeGuid(id)))
    .filter((id): id is string => id !== null);
  if (endpointIds.length > 0) view.endpointIds = endpointIds;
  return view;
}

/**
 * Parses the `GET /policylists/` response (or `GET /policylists/<id>`): the v1 envelope
 * `{"Success":true,"Output":[...]}`, a bare array, or one policy list object. Items that are not
 * objects are skipped. Throws HcnError `HCN_HNS_ERROR` when HNS said `Success:false` (its `Error` text
 * in the message), `HCN_INVALID_RESPONSE` when the text is not JSON or `Output` is not a list.
 * @example
 * const lists = parsePolicyLists(await hcn.hnsCall('GET', '/policylists/'));
 * const notDsr = lists.filter((l) => l.elb.some((e) => !e.isDsr));
 */
export function parsePolicyLists(json: string): PolicyListView[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation: OPERATION, detail: `not JSON: ${json.slice(0, 200)}` });
  }
  let items: unknown = doc;
  const envelope = obj(doc);
  if (envelope) {
    if (field(envelope, 'Success') === false) {
      const text = (str(envelope, 'Error') ?? '').trim();
      throw new HcnError({ code: 'HCN_HNS_ERROR', operation: OPERATION, detail: `hns failed with error: ${text || 'unknown error'}` });
    }
    const output = field(envelope, 'Success') === true || field(envelope, 'Output') !== undefined ? field(envelope, 'Output') : envelope;
    items = output === undefined || output === null ? [] : obj(output) ? [output] : output;
  }
  if (!Array.isArray(items)) {
    throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation: OPERATION, detail: `Output is not a list: ${json.slice(0, 200)}` });
  }
  const out: PolicyListView[] = [];
  for (const item of items) {
    const o = obj(item);
    if (o) out.push(policyList(o));
  }
  return out;
}
