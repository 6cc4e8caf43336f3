// `hcn verify dsr`: the DSR walkthrough's check over every load balancer, read both from the v2
// object (Flags has DSR) and from the v1 policy-list view (IsDSR on every ELB policy). The check is the
// SDK's verifyDsr; this file maps its report to the documented --json shape and renders it.
import { Command } from 'commander';
import type { LoadBalancerInfo } from '../../schema/models';
import type { PolicyListView } from '../../schema/policy-list';
import type { DsrReport, VfpPortDsrCheck } from '../../verify';
import { addFrontendFilters, describeFrontendFilter, matchesFrontendFilter, type FrontendFilterOptions } from '../filters';
import { ExitCode } from '../exit-codes';
import { list, renderTable, yesNo, type Style } from '../format';
import { action, addGlobalOptions, type RunState } from '../kit';
import { portText, portView, type PortMappingView } from '../views';

/** The SDK's verifier, loaded when `hcn verify` runs (CLI start-up loads only what a command needs). */
const verifier = (): typeof import('../../verify') => require('../../verify') as typeof import('../../verify');

/** One row of `hcn verify dsr --json`. */
export interface DsrCheckView {
  id: string;
  frontendVips: string[];
  ports: PortMappingView[];
  /** The v2 object's Flags has DSR. */
  dsr: boolean;
  /** IsDSR of its ELB policies in the v1 policy-list view; null when that view was not readable or shows no policy for it. */
  isDsrV1: boolean | null;
  ok: boolean;
  /** Why it failed, or null. */
  problem: string | null;
  /** With --vfp: each local backend's VFP port and its LB_DSR rules; null without --vfp or for a non-DSR load balancer. */
  vfp: VfpPortDsrCheck[] | null;
}

/** `hcn verify dsr --json`. */
export interface DsrReportView {
  check: 'dsr';
  ok: boolean;
  /** Why the check failed as a whole, or null. */
  reason: string | null;
  checked: number;
  failed: number;
  /** Whether the v1 policy-list view (GET /policylists/) could be read; when not, why. */
  policyLists: { read: boolean; error: string | null };
  loadBalancers: DsrCheckView[];
  /** Whether VFP was checked (--vfp) and where its rules were read from. */
  vfp: { checked: boolean; source: 'simulator' | 'vfpctrl' | null };
}

/** The SDK's report → the documented `--json` shape, field by field (SDK additions never leak into it). */
function reportView(r: DsrReport, filters = ''): DsrReportView {
  // With filters, an empty result more likely means a mistyped filter than vanished load balancers: say which.
  const none = filters ? `no load balancers match ${filters}` : 'no load balancers to verify';
  return {
    check: 'dsr',
    ok: r.ok,
    reason: r.checked === 0 && !r.ok ? `${none} (pass --allow-empty if that is expected)` : r.reason,
    checked: r.checked,
    failed: r.failed,
    policyLists: { read: r.policyLists.read, error: r.policyLists.error },
    loadBalancers: r.loadBalancers.map((c) => ({
      id: c.id,
      frontendVips: [...c.frontendVips],
      ports: c.ports.map(portView),
      dsr: c.dsr,
      isDsrV1: c.isDsrV1,
      ok: c.ok,
      problem: c.problem,
      vfp: c.vfp ? c.vfp.map((p) => ({ ...p, missing: [...p.missing], different: p.different.map((d) => ({ ...d })), problems: [...p.problems] })) : null,
    })),
    vfp: { checked: r.vfp.checked, source: r.vfp.source },
  };
}

/** Judges each load balancer (the SDK's judgeDsr) into the CLI's JSON shape; pure. */
export function judgeDsr(
  lbs: readonly LoadBalancerInfo[],
  lists: readonly PolicyListView[] | undefined,
  listError: string | null,
  allowEmpty: boolean,
): DsrReportView {
  return reportView(verifier().judgeDsr(lbs, lists, { policyListError: listError, allowEmpty }));
}

function renderReport(r: DsrReportView, style: Style): string {
  let text = '';
  if (r.loadBalancers.length > 0) {
    text += renderTable(
      r.loadBalancers,
      [
        { header: 'ID', value: (x) => x.id },
        { header: 'VIPS', value: (x) => list(x.frontendVips) },
        { header: 'PORTS', value: (x) => list(x.ports.map(portText)) },
        { header: 'DSR (v2)', value: (x) => yesNo(x.dsr), paint: (c, x, s) => (x.dsr ? s.green(c) : s.red(c)) },
        { header: 'IsDSR (v1)', value: (x) => (x.isDsrV1 === null ? '-' : yesNo(x.isDsrV1)), paint: (c, x, s) => (x.isDsrV1 === false ? s.red(c) : c) },
        ...(r.vfp.checked
          ? [
              {
                header: 'VFP',
                value: (x: DsrCheckView) => (x.vfp === null ? '-' : `${x.vfp.filter((p) => p.ok).length}/${x.vfp.length} ports ok`),
                paint: (c: string, x: DsrCheckView, s: Style) => (x.vfp !== null && x.vfp.some((p) => !p.ok) ? s.red(c) : c),
              },
            ]
          : []),
        { header: 'RESULT', value: (x) => (x.ok ? 'ok' : `FAIL: ${x.problem}`), paint: (c, x, s) => (x.ok ? s.green(c) : s.red(c)) },
      ],
      style,
    );
  }
  if (!r.policyLists.read) text += style.yellow(`note: the v1 policy-list view could not be read (${r.policyLists.error}); judged by the v2 objects only`) + '\n';
  if (r.ok) text += style.green(r.checked === 0 ? 'ok: no load balancers (allowed by --allow-empty)' : (r.checked === 1 ? 'ok: the 1 load balancer has DSR' : `ok: all ${r.checked} load balancers have DSR`)) + '\n';
  else text += style.red(`FAILED: ${r.reason}`) + '\n';
  return text;
}

/** The report on the load balancers that pass the filter, its verdict recomputed as judgeDsr does. */
function narrowReport(report: DsrReport, f: FrontendFilterOptions, allowEmpty: boolean): DsrReport {
  const rows = report.loadBalancers.filter((c) => matchesFrontendFilter(c, f));
  const failed = rows.filter((r) => !r.ok).length;
  let reason: string | null = null;
  if (rows.length === 0 && !allowEmpty) reason = 'no load balancers to verify (pass allowEmpty if that is expected)';
  else if (failed > 0) reason = `${failed} of ${rows.length} load balancer${rows.length === 1 ? '' : 's'} without DSR${report.vfp.checked ? ' in HNS or VFP' : ''}`;
  return { ...report, ok: reason === null, reason, checked: rows.length, failed, loadBalancers: rows };
}

/** Registers `hcn verify ...` on `program`. */
export function registerVerify(program: Command, state: RunState): void {
  const verify = program.command('verify').description('check HNS state (exit code 3 when a check fails)');
  addGlobalOptions(
    addFrontendFilters(verify
      .command('dsr'), 'load balancers')
      .description('check that every load balancer has DSR, in the v2 object and in the v1 policy-list view')
      .option('--allow-empty', 'succeed when there is no load balancer to check (by default that fails)')
      .option('--vfp', "also check VFP: each local backend's port must carry the load balancer's LB_DSR rule for every VIP and port, with the right DIP set")
      .addHelpText(
        'after',
        '\nExit codes: 0 every load balancer has DSR; 3 one lacks it, or there is none (without --allow-empty);\n' +
          '1 HNS could not be read. Zero load balancers fail by default because after creating them an empty\n' +
          'HNS means they vanished (an HNS restart or another tool deleting them).\n' +
          '\nExamples:\n  hcn verify dsr\n  hcn verify dsr --vip 13.0.0.13 --vip 13.0.0.14 --json   # load balancers on either VIP',
      ),
  ).action(
    action(state, async (ctx, _args, options) => {
      const o = options as FrontendFilterOptions & { allowEmpty?: boolean ; vfp?: boolean };
      const hcn = await ctx.hcn();
      const filters = describeFrontendFilter(o);
      // Repeated filters are alternatives, which the SDK's single-valued filter cannot say: judge every
      // load balancer, then keep the verdicts on the ones that match.
      const all = await verifier().verifyDsr(hcn, { allowEmpty: true, vfp: o.vfp === true });
      const report = reportView(narrowReport(all, o, o.allowEmpty === true), filters);
      if (ctx.globals.json) ctx.printJson(report);
      else ctx.print(renderReport(report, ctx.globals.out));
      return report.ok ? ExitCode.Ok : ExitCode.VerificationFailed;
    }),
  );
}
