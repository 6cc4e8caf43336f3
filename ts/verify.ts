// Verification of HNS state as JSON-ready reports: DSR over every load balancer (the v2 object's Flags
// and the v1 policy-list view's IsDSR), one load balancer in depth (backends that vanished, source VIP),
// and, through ./vfp, the VFP rules a DSR load balancer should have programmed.
import type { Hcn } from './client';
import { checkVfpDsrRules, VFP_DSR_LAYER } from './vfp';
import { HcnAbortError } from './errors';
import { Operation, checkTimeout, type CallOptions } from './internal/operation';
import { parseIp } from './net/ip';
import { ProtocolNumbers } from './schema/enums';
import { normalizeGuid } from './schema/guid';
import type { EndpointInfo, LoadBalancerInfo, PortMapping, Protocol } from './schema/models';
import { parsePolicyLists, type ElbPolicyView, type PolicyListView } from './schema/policy-list';

export * from './vfp';

/**
 * Whether the v1 policy-list view (`GET /policylists/`) could be read, and if not, why.
 * @example
 * if (!report.policyLists.read) console.warn(`judged by the v2 objects only: ${report.policyLists.error}`);
 */
export interface PolicyListRead {
  /** The view was read and parsed. */
  read: boolean;
  /** Why it could not be read (the error's message), or null. */
  error: string | null;
}

/**
 * The DSR verdict on one load balancer.
 * @example
 * for (const c of report.loadBalancers) if (!c.ok) console.error(c.id, c.problem);
 */
export interface DsrCheck {
  /** Load balancer ID, lower-case. */
  id: string;
  /** Its frontend VIPs. */
  frontendVips: string[];
  /** Its port mappings. */
  ports: PortMapping[];
  /** The v2 object's Flags has DSR. */
  dsr: boolean;
  /** IsDSR of its ELB policies in the v1 policy-list view; null when that view was not read or shows no policy for it. */
  isDsrV1: boolean | null;
  /** It has DSR and the v1 view does not contradict it. */
  ok: boolean;
  /** Why it failed, or null. */
  problem: string | null;
  /** With `vfp: true`: the LB_DSR rules of each local backend's VFP port; null when VFP was not checked. */
  vfp: VfpPortDsrCheck[] | null;
}

/**
 * The DSR rules of one load balancer on one local backend's VFP port (`verifyDsr(hcn, { vfp: true })`).
 * @example
 * for (const p of check.vfp ?? []) if (!p.ok) console.error(p.port, p.problems);
 */
export interface VfpPortDsrCheck {
  /** The backend endpoint, lower-case. */
  endpointId: string;
  /** Its VFP port GUID, or null when VFP shows no port for it. */
  port: string | null;
  /** Every expected rule is there and right. */
  ok: boolean;
  /** Expected rule patterns without a rule of that name on the port. */
  missing: string[];
  /** Each rule that is there but says something else, with how it differs. */
  different: VfpRuleDifference[];
  /** One sentence per problem (`port <id> lacks rule LB_DSR_*_...`). */
  problems: string[];
}

/**
 * A DSR rule that is on the port but says something else than the load balancer.
 * @example
 * const d: VfpRuleDifference = { pattern: 'LB_DSR_*_10.231.111.97_13.0.0.13_8000_80_6', rules: ['LB_DSR_E5B0F_10.231.111.97_13.0.0.13_8000_80_6'], differences: ['DIP set lacks { 10.0.0.15 : 80 }'] };
 */
export interface VfpRuleDifference {
  /** The expected name pattern. */
  pattern: string;
  /** The rules of that name on the port. */
  rules: string[];
  /** How the closest of them differs. */
  differences: string[];
}

/**
 * Result of {@link verifyDsr} and {@link judgeDsr}. JSON-ready (the `hcn verify dsr --json` shape).
 * @example
 * const report: DsrReport = await verifyDsr(hcn);
 * console.log(JSON.stringify(report, null, 2));
 */
export interface DsrReport {
  /** Always `'dsr'`. */
  check: 'dsr';
  /** Every load balancer passed, and there was at least one (or `allowEmpty`). */
  ok: boolean;
  /** Why the check failed as a whole, or null. */
  reason: string | null;
  /** How many load balancers were judged. */
  checked: number;
  /** How many of them failed. */
  failed: number;
  /** Whether the v1 policy-list view could be read. */
  policyLists: PolicyListRead;
  /** One verdict per load balancer, in HNS order. */
  loadBalancers: DsrCheck[];
  /** Whether the VFP rules were checked (`vfp: true`), and where they were read from. */
  vfp: VfpCheckSource;
}

/**
 * Whether {@link verifyDsr} checked VFP, and where it read the rules.
 * @example
 * if (report.vfp.checked) console.log(`LB_DSR rules read from ${report.vfp.source}`);
 */
export interface VfpCheckSource {
  /** VFP was checked (`vfp: true`). */
  checked: boolean;
  /** `simulator` (the simulator's model) or `vfpctrl` (vfpctrl.exe); null when not checked. */
  source: 'simulator' | 'vfpctrl' | null;
}

/**
 * Options of {@link judgeDsr}.
 * @example
 * judgeDsr(lbs, undefined, { policyListError: 'HNSCall is not available', allowEmpty: true });
 */
export interface JudgeDsrOptions {
  /** Zero load balancers passes (by default it fails: after creating some, none means they vanished). */
  allowEmpty?: boolean | undefined;
  /** Why the policy lists are missing (reported in `policyLists.error`). */
  policyListError?: string | null | undefined;
}

/**
 * Options of {@link verifyDsr}: which load balancers (all given parts must match), `allowEmpty`, and
 * `signal`/`timeoutMs` covering the whole verification (both HNS reads).
 * @example
 * await verifyDsr(hcn, { vip: '13.0.0.13', protocol: 'tcp', port: 8000, timeoutMs: 10_000 });
 */
export interface VerifyDsrOptions extends CallOptions {
  /** Only load balancers with this frontend VIP. */
  vip?: string | undefined;
  /** Only load balancers with a port mapping of this external port. */
  port?: number | undefined;
  /** Only load balancers with a port mapping of this protocol. */
  protocol?: Protocol | undefined;
  /** Zero matching load balancers passes (by default it fails). */
  allowEmpty?: boolean | undefined;
  /**
   * Also check VFP: every DSR load balancer's local backends' ports must carry its LB_DSR rule for
   * each VIP and port mapping, with the right protocol, VIP, port and DIP set (see checkVfpDsrRules).
   */
  vfp?: boolean | undefined;
}

function sameFrontend(lb: LoadBalancerInfo, e: ElbPolicyView): boolean {
  const vipsMatch = e.vips.length === lb.frontendVips.length && e.vips.every((v) => lb.frontendVips.includes(v));
  return (
    vipsMatch &&
    lb.ports.some(
      (p) =>
        (e.externalPort === undefined || e.externalPort === p.external) &&
        (e.internalPort === undefined || e.internalPort === p.internal) &&
        (e.protocol === undefined || e.protocol === ProtocolNumbers[p.protocol]),
    )
  );
}

/**
 * IsDSR of `lb` as the v1 view shows it: the ELB policies of the policy list with the same ID, else
 * those with the same VIPs and ports. True only when every such policy has IsDSR; null when the v1
 * view has no policy for this load balancer.
 * @example
 * const lists = parsePolicyLists(await hcn.hnsCall('GET', '/policylists/'));
 * v1IsDsr(lb.info, lists); // true, false or null
 */
export function v1IsDsr(lb: LoadBalancerInfo, lists: readonly PolicyListView[]): boolean | null {
  const byId = lists.find((l) => l.id === lb.id.toLowerCase() && l.elb.length > 0);
  const policies = byId ? byId.elb : lists.flatMap((l) => l.elb.filter((e) => sameFrontend(lb, e)));
  if (policies.length === 0) return null;
  return policies.every((p) => p.isDsr);
}

function dsrProblem(dsr: boolean, v1: boolean | null): string | null {
  if (!dsr && v1 === false) return 'no DSR (v2 Flags and v1 IsDSR)';
  if (!dsr) return 'no DSR (v2 Flags lacks DSR)';
  if (v1 === false) return 'v1 policy list says IsDSR false although the v2 object has DSR';
  return null;
}

/**
 * Judges load balancers for DSR without touching HNS (for captured state, or tests): each must have
 * DSR in its v2 Flags and must not be contradicted by the v1 view (`lists`; `undefined` when it could
 * not be read, then the verdict rests on the v2 objects). No load balancer at all fails unless
 * `allowEmpty`.
 * @example
 * const lbs = JSON.parse(captured).map(parseLoadBalancer);
 * const report = judgeDsr(lbs, parsePolicyLists(capturedPolicyLists));
 * process.exitCode = report.ok ? 0 : 3;
 */
export function judgeDsr(lbs: readonly LoadBalancerInfo[], lists: readonly PolicyListView[] | undefined, options: JudgeDsrOptions = {}): DsrReport {
  const rows = lbs.map((lb): DsrCheck => {
    const v1 = lists ? v1IsDsr(lb, lists) : null;
    const problem = dsrProblem(lb.dsr, v1);
    return { id: lb.id, frontendVips: [...lb.frontendVips], ports: lb.ports.map((p) => ({ ...p })), dsr: lb.dsr, isDsrV1: v1, ok: problem === null, problem, vfp: null };
  });
  const failed = rows.filter((r) => !r.ok).length;
  let reason: string | null = null;
  if (rows.length === 0 && options.allowEmpty !== true) reason = 'no load balancers to verify (pass allowEmpty if that is expected)';
  else if (failed > 0) reason = `${failed} of ${rows.length} load balancer${rows.length === 1 ? '' : 's'} without DSR`;
  return {
    check: 'dsr',
    ok: reason === null,
    reason,
    checked: rows.length,
    failed,
    policyLists: { read: lists !== undefined, error: lists !== undefined ? null : (options.policyListError ?? null) },
    loadBalancers: rows,
    vfp: { checked: false, source: null },
  };
}

/** One deadline and signal over several client calls; each call gets the time that is left. */
function budget(hcn: Hcn, name: string, options: CallOptions): Operation {
  const timeoutMs = options.timeoutMs === undefined ? hcn.timeoutMs : checkTimeout(options.timeoutMs, `${name}: timeoutMs`);
  return new Operation(name, options.signal, timeoutMs);
}

async function step<T>(op: Operation, signal: AbortSignal | undefined, call: (o: CallOptions) => Promise<T>): Promise<T> {
  op.check();
  return op.wait(call({ signal, timeoutMs: Math.max(1, op.remaining()) }));
}

/** Reads the v1 view; any failure but an abort becomes the reason it was not read (HNSCall is optional). */
async function readPolicyLists(hcn: Hcn, op: Operation, signal: AbortSignal | undefined): Promise<{ lists: PolicyListView[] | undefined; error: string | null }> {
  try {
    return { lists: parsePolicyLists(await step(op, signal, (o) => hcn.hnsCall('GET', '/policylists/', '', o))), error: null };
  } catch (err) {
    if (err instanceof HcnAbortError) throw err;
    return { lists: undefined, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Verifies that every load balancer (narrowed by `vip`/`port`/`protocol`) has DSR, in the v2 object
 * and in the v1 policy-list view; the SDK form of `hcn verify dsr`. Reading the load balancers must
 * succeed (else it throws, like any client call); the v1 view is optional (HNSCall may be missing) and
 * its failure is reported in `policyLists`. An abort throws `HcnAbortError`.
 * @example
 * const report = await verifyDsr(hcn, { vip: '13.0.0.13' });
 * if (!report.ok) console.error(report.reason, report.loadBalancers.filter((c) => !c.ok));
 */
export async function verifyDsr(hcn: Hcn, options: VerifyDsrOptions = {}): Promise<DsrReport> {
  const op = budget(hcn, 'verifyDsr', options);
  try {
    const filter = { vip: options.vip, port: options.port, protocol: options.protocol };
    const lbs = (await step(op, options.signal, (o) => hcn.loadBalancers.list({ ...filter, ...o }))).map((h) => h.info);
    const { lists, error } = await readPolicyLists(hcn, op, options.signal);
    const report = judgeDsr(lbs, lists, { allowEmpty: options.allowEmpty, policyListError: error });
    if (options.vfp === true) await addVfpChecks(hcn, op, options.signal, lbs, report);
    return report;
  } finally {
    op.dispose();
  }
}

/** Checks the LB_DSR rules of every DSR load balancer on its local backends' ports, into `report`. */
async function addVfpChecks(hcn: Hcn, op: Operation, signal: AbortSignal | undefined, lbs: readonly LoadBalancerInfo[], report: DsrReport): Promise<void> {
  const endpoints = await step(op, signal, (o) => hcn.endpoints.list(o));
  const networks = await step(op, signal, (o) => hcn.networks.list(o));
  const ports = await step(op, signal, (o) => hcn.vfp.ports(o));
  const rules = await step(op, signal, (o) => hcn.vfp.rules({ layer: VFP_DSR_LAYER, ...o }));
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  report.vfp = { checked: true, source: hcn.vfp.source };
  lbs.forEach((lb, i) => {
    const row = report.loadBalancers[i]!;
    if (!lb.dsr) return;
    const backends = lb.backendIds.map((id) => byId.get(normalizeGuid(id) ?? id.toLowerCase())).filter((e): e is EndpointInfo => e !== undefined);
    const backendIps = backends.flatMap((e) => e.ipAddresses);
    row.vfp = backends
      .filter((e) => !e.remote)
      .map((e): VfpPortDsrCheck => {
        const port = ports.find((p) => p.endpointId === e.id);
        if (!port) return { endpointId: e.id, port: null, ok: false, missing: [], different: [], problems: [`local backend ${e.id} has no VFP port`] };
        const net = networks.find((n) => n.id === e.networkId);
        const mgmt = net?.managementIp ?? net?.providerAddress;
        if (mgmt === undefined) return { endpointId: e.id, port: port.id, ok: false, missing: [], different: [], problems: [`network ${e.networkId} of backend ${e.id} shows no management IP to name the DSR rules by`] };
        const check = checkVfpDsrRules(lb, mgmt, rules.filter((r) => r.port === port.id).map((r) => r.rule), { backendIps });
        const different = check.rules.filter((r) => r.present && !r.ok).map((r) => ({ pattern: r.pattern, rules: r.matches, differences: r.differences }));
        const problems = [
          ...check.missing.map((m) => `VFP port ${port.id} (backend ${e.ipAddresses[0] ?? e.id}) lacks rule ${m}`),
          ...different.map((d) => `rule ${d.rules.join(', ')} on VFP port ${port.id} differs: ${d.differences.join('; ')}`),
        ];
        return { endpointId: e.id, port: port.id, ok: check.ok, missing: check.missing, different, problems };
      });
    const vfpProblems = row.vfp.flatMap((p) => p.problems);
    if (vfpProblems.length > 0) {
      row.ok = false;
      row.problem = [row.problem, ...vfpProblems].filter((x): x is string => x !== null).join('; ');
    }
  });
  report.failed = report.loadBalancers.filter((c) => !c.ok).length;
  if (report.failed > 0) {
    const n = report.loadBalancers.length;
    report.reason = `${report.failed} of ${n} load balancer${n === 1 ? '' : 's'} without DSR in HNS or VFP`;
    report.ok = false;
  }
}

/**
 * A backend of a load balancer and whether its endpoint still exists.
 * @example
 * const gone = report.backends.filter((b) => !b.exists).map((b) => b.id);
 */
export interface BackendCheck {
  /** Endpoint ID, lower-case. */
  id: string;
  /** HNS still has the endpoint. */
  exists: boolean;
  /** Its first IP address; null when it does not exist or has none. */
  ip: string | null;
  /** Whether it is a remote endpoint; null when it does not exist. */
  remote: boolean | null;
}

/**
 * Result of {@link verifyLoadBalancer} and {@link judgeLoadBalancer}. JSON-ready.
 * @example
 * const report: LoadBalancerReport = await verifyLoadBalancer(hcn, lb.id);
 * for (const p of report.problems) console.error(p);
 */
export interface LoadBalancerReport {
  /** Always `'loadBalancer'`. */
  check: 'loadBalancer';
  /** Load balancer ID, lower-case. */
  id: string;
  /** No problem was found. */
  ok: boolean;
  /** Everything wrong with it, one sentence each (`backend endpoint <id> not found`, ...). */
  problems: string[];
  /** Its frontend VIPs. */
  frontendVips: string[];
  /** Its source VIP, or null. */
  sourceVip: string | null;
  /** Its port mappings. */
  ports: PortMapping[];
  /** The v2 object's Flags has DSR. */
  dsr: boolean;
  /** IsDSR in the v1 policy-list view; null when not read or not shown there. */
  isDsrV1: boolean | null;
  /** Each backend endpoint and whether it still exists. */
  backends: BackendCheck[];
  /** Whether the v1 policy-list view could be read. */
  policyLists: PolicyListRead;
}

/**
 * Options of {@link judgeLoadBalancer}.
 * @example
 * judgeLoadBalancer(lb, endpoints, lists, { expectDsr: false });
 */
export interface JudgeLoadBalancerOptions {
  /** A load balancer without DSR is a problem (default true). With false, only the v1 view contradicting the v2 object is. */
  expectDsr?: boolean | undefined;
  /** Why the policy lists are missing (reported in `policyLists.error`). */
  policyListError?: string | null | undefined;
}

/**
 * Options of {@link verifyLoadBalancer}: `expectDsr`, and `signal`/`timeoutMs` covering every HNS read.
 * @example
 * await verifyLoadBalancer(hcn, id, { expectDsr: false, timeoutMs: 5000 });
 */
export interface VerifyLoadBalancerOptions extends CallOptions {
  /** A load balancer without DSR is a problem (default true). */
  expectDsr?: boolean | undefined;
}

function addressProblems(lb: LoadBalancerInfo): string[] {
  const problems: string[] = [];
  const families = new Set<number>();
  for (const vip of lb.frontendVips) {
    const parsed = parseIp(vip);
    if (parsed) families.add(parsed.family);
    else problems.push(`frontend VIP ${vip} is not a valid IP address`);
  }
  if (lb.sourceVip !== undefined) {
    const parsed = parseIp(lb.sourceVip);
    if (!parsed) problems.push(`source VIP ${lb.sourceVip} is not a valid IP address`);
    else if (families.size > 0 && !families.has(parsed.family)) {
      problems.push(`source VIP ${lb.sourceVip} is IPv${parsed.family} but the frontend VIPs are IPv${parsed.family === 4 ? 6 : 4}`);
    }
  }
  return problems;
}

/**
 * Judges one load balancer without touching HNS: DSR (as {@link judgeDsr}, unless `expectDsr` is
 * false), every backend endpoint present in `endpoints` (a load balancer referencing a vanished
 * endpoint is broken: `backend endpoint <id> not found`), at least one backend, and valid VIP and
 * source VIP addresses of one family.
 * @example
 * const report = judgeLoadBalancer(parseLoadBalancer(lbJson), endpointJsons.map(parseEndpoint), undefined);
 * report.problems; // ['backend endpoint 3599612c-... not found']
 */
export function judgeLoadBalancer(
  lb: LoadBalancerInfo,
  endpoints: readonly EndpointInfo[],
  lists: readonly PolicyListView[] | undefined,
  options: JudgeLoadBalancerOptions = {},
): LoadBalancerReport {
  const byId = new Map(endpoints.map((e) => [e.id.toLowerCase(), e]));
  const v1 = lists ? v1IsDsr(lb, lists) : null;
  const problems: string[] = [];
  const dsr = dsrProblem(lb.dsr, v1);
  if (dsr !== null && (options.expectDsr !== false || lb.dsr)) problems.push(dsr);
  if (lb.backendIds.length === 0) problems.push('no backend endpoints');
  const backends = lb.backendIds.map((raw): BackendCheck => {
    const id = normalizeGuid(raw) ?? raw.toLowerCase();
    const ep = byId.get(id);
    if (!ep) problems.push(`backend endpoint ${id} not found`);
    return { id, exists: ep !== undefined, ip: ep?.ipAddresses[0] ?? null, remote: ep ? ep.remote : null };
  });
  problems.push(...addressProblems(lb));
  return {
    check: 'loadBalancer',
    id: lb.id,
    ok: problems.length === 0,
    problems,
    frontendVips: [...lb.frontendVips],
    sourceVip: lb.sourceVip ?? null,
    ports: lb.ports.map((p) => ({ ...p })),
    dsr: lb.dsr,
    isDsrV1: v1,
    backends,
    policyLists: { read: lists !== undefined, error: lists !== undefined ? null : (options.policyListError ?? null) },
  };
}

/**
 * Verifies one load balancer against the rest of HNS: DSR in the v2 object and the v1 view (unless
 * `expectDsr` is false), every backend endpoint still existing (HNS keeps a load balancer whose
 * endpoint was deleted behind its back), and its VIP and source VIP addresses. Throws
 * `HcnNotFoundError` when the load balancer itself does not exist.
 * @example
 * const report = await verifyLoadBalancer(hcn, lb.id);
 * if (!report.ok) console.error(JSON.stringify(report, null, 2));
 */
export async function verifyLoadBalancer(hcn: Hcn, lb: string | { readonly id: string }, options: VerifyLoadBalancerOptions = {}): Promise<LoadBalancerReport> {
  const id = typeof lb === 'string' ? lb : lb.id;
  const op = budget(hcn, 'verifyLoadBalancer', options);
  try {
    const info = (await step(op, options.signal, (o) => hcn.loadBalancers.get(id, o))).info;
    const endpoints = await step(op, options.signal, (o) => hcn.endpoints.list(o));
    const { lists, error } = await readPolicyLists(hcn, op, options.signal);
    return judgeLoadBalancer(info, endpoints, lists, { expectDsr: options.expectDsr, policyListError: error });
  } finally {
    op.dispose();
  }
}
