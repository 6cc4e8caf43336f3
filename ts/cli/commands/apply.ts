// `hcn apply -f FILE|-`: makes HNS hold the load balancers a JSON or YAML file describes. Plans with
// the reconcile module (one listing, full comparison, an ownership scope), prints the plan as a diff,
// then applies it (unless --dry-run). Deletes happen only with --prune, and only inside the scope.
import { Command } from 'commander';
import type { Hcn } from '../../client';
import type { ApplyItemResult, ReconcilePlan, ReconcileScope, SpecField } from '../../reconcile';
import type { LoadBalancerInfo, LoadBalancerSpec, PortMapping } from '../../schema/models';
import { collect, parseIpArg } from '../args';
import type { CommandContext } from '../context';
import { parseDesired, readSource, type DesiredFile } from '../desired-file';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import { action, addGlobalOptions, type RunState } from '../kit';
import { createProgress } from '../progress';
import { describeError, type CliErrorJson } from '../report-error';
import { UsageError } from '../usage-error';
import { indexEndpoints, type EndpointIndex } from '../views';
import { parsePrefix } from '../../net/ip';

// The reconcile modules load when `hcn apply` runs: CLI start-up loads only what the command needs.
const reconcile = (): typeof import('../../reconcile') => require('../../reconcile') as typeof import('../../reconcile');
const prune = (): typeof import('../../reconcile/prune') => require('../../reconcile/prune') as typeof import('../../reconcile/prune');
const reconcilerModule = (): typeof import('../../reconcile/reconciler') => require('../../reconcile/reconciler') as typeof import('../../reconcile/reconciler');

interface ApplyOptions {
  file?: string;
  dryRun?: boolean;
  prune?: boolean;
  scope?: string[];
  watch?: boolean;
  interval?: number;
}

/** One line of `hcn apply --json`: what the plan said about one item and what became of it. */
export interface ApplyRecordView {
  /** `create`, `update`, `delete`, `keep` (already as desired) or `conflict` (cannot be done). */
  action: 'create' | 'update' | 'delete' | 'keep' | 'conflict';
  /** The item of the file (`loadBalancers[0]`), or null for a delete of a load balancer the file does not name. */
  item: string | null;
  /** The load balancer's ID: after the change for create/update, the one deleted or kept. Null before a create. */
  id: string | null;
  /** Update: the ID before (differs from `id` when HNS before 15.5 replaced it). */
  previousId: string | null;
  /** Update: the fields that differ. */
  changes: SpecField[];
  /** Delete: why; conflict: the message. */
  reason: string | null;
  /** `planned` (dry run), `ok`, `failed`, `unknown` (may or may not have happened), `skipped`. */
  status: 'planned' | 'ok' | 'failed' | 'unknown' | 'skipped';
  /** Failed/unknown/skipped: why. */
  error: CliErrorJson['error'] | null;
}

const EXAMPLE = `
The file (JSON or YAML) holds an array of load balancer specs, or { "loadBalancers": [...] }:

  loadBalancers:
    - frontendVips: [13.0.0.13]
      backends: [10.0.0.14, 10.0.0.15]
      ports: [{ protocol: tcp, external: 8000, internal: 80 }]
      dsr: true

Examples:
  hcn apply -f lbs.yaml --dry-run                 # show the plan, change nothing
  hcn apply -f lbs.yaml                           # create and update what differs
  hcn apply -f lbs.yaml --prune --scope 13.0.0.0/24   # also delete load balancers on those VIPs the file lacks
  kubectl-like-tool export | hcn apply -f - --json
  hcn apply -f lbs.yaml --watch --interval 10       # and restore what vanishes or drifts, until Ctrl-C

Applying the same file twice changes nothing. Without --prune nothing is deleted; with --prune only
load balancers inside the scope (--scope VIPs or prefixes; default: the VIPs the file names) are.`;

function portText(p: PortMapping): string {
  const flags: string[] = [];
  if (p.distribution !== 'none') flags.push(`affinity=${p.distribution}`);
  for (const f of ['ilb', 'localRoutedVip', 'useMux', 'preserveDip', 'vipExternalIp'] as const) if (p[f]) flags.push(f);
  return `${p.protocol}:${p.external}:${p.internal}${flags.length > 0 ? `[${flags.join(',')}]` : ''}`;
}

const list = (xs: readonly string[]): string => (xs.length === 0 ? '-' : xs.join(', '));
const vipsText = (vips: readonly string[]): string => (vips.length === 0 ? '(all node IPs)' : vips.join(','));

/** Field values as the diff shows them (backends by IP where the endpoint is known). */
function fieldText(field: SpecField, lb: { frontendVips: readonly string[]; sourceVip: string | undefined; ports: readonly PortMapping[]; dsr: boolean; ipv6: boolean }, backendIds: readonly string[], eps: EndpointIndex): string {
  switch (field) {
    case 'frontendVips':
      return vipsText(lb.frontendVips);
    case 'sourceVip':
      return lb.sourceVip ?? '-';
    case 'backends':
      return list(backendIds.map((id) => eps.get(id) ?? id));
    case 'ports':
      return list(lb.ports.map(portText));
    case 'dsr':
      return lb.dsr ? 'yes' : 'no';
    case 'ipv6':
      return lb.ipv6 ? 'yes' : 'no';
  }
}

function specLine(spec: LoadBalancerSpec, eps: EndpointIndex): string {
  const backends = spec.backends.map((b) => (b.kind === 'ip' ? b.ip : (eps.get(b.id) ?? b.id)));
  return `${vipsText(spec.frontendVips)} ${spec.ports.map(portText).join(' ')} -> ${list(backends)}${spec.dsr ? ' dsr' : ''}${spec.sourceVip ? ` source-vip ${spec.sourceVip}` : ''}`;
}

function infoLine(info: LoadBalancerInfo, eps: EndpointIndex): string {
  return `${vipsText(info.frontendVips)} ${info.ports.map(portText).join(' ')} -> ${list(info.backendIds.map((id) => eps.get(id) ?? id))}${info.dsr ? ' dsr' : ''}`;
}

/** The plan as a readable diff: `+ create`, `~ update` with the changed fields, `- delete`, `! conflict`. */
export function renderPlan(plan: ReconcilePlan, file: DesiredFile, eps: EndpointIndex): string {
  const out: string[] = [];
  for (const c of plan.create) out.push(`+ create  ${file.itemName(c.index)}: ${specLine(c.spec, eps)}`);
  for (const u of plan.update) {
    out.push(`~ update  ${u.id} (${file.itemName(u.index)}):`);
    for (const f of u.differences) {
      const before = fieldText(f, u.info, u.info.backendIds, eps);
      const after = fieldText(f, u.spec, u.spec.backends.map((b) => (b.kind === 'id' ? b.id : b.ip)), eps);
      out.push(`      ${f}: ${before} -> ${after}`);
    }
  }
  for (const d of plan.delete) {
    out.push(`- delete  ${d.id}: ${infoLine(d.info, eps)} (${d.reason === 'duplicate' ? 'a duplicate on a frontend of the file' : 'in the scope, not in the file'})`);
  }
  for (const c of plan.conflicts) out.push(`! ${conflictText(c.message, c.index, file)}`);
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

function conflictText(message: string, index: number, file: DesiredFile): string {
  return message.replace(/^desired\[\d+\]/, file.itemName(index)).replace(/desired\[(\d+)\]/g, (_m, i: string) => file.itemName(Number(i)));
}

function summaryLine(plan: ReconcilePlan, held: number): string {
  const s = plan.summary;
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete`, `${s.keep} unchanged`];
  if (s.conflicts > 0) parts.push(`${s.conflicts} conflict${s.conflicts === 1 ? '' : 's'}`);
  if (held > 0) parts.push(`${held} not deleted without --prune`);
  return `plan: ${parts.join(', ')}`;
}

function scopeFor(o: ApplyOptions, specs: readonly LoadBalancerSpec[]): ReconcileScope {
  if (o.scope && o.scope.length > 0) return { vips: o.scope };
  if (o.prune) {
    // Default ownership with --prune: the VIPs the file names (never "everything on the host").
    const vips = [...new Set(specs.flatMap((s) => s.frontendVips))];
    return { vips };
  }
  return 'desired-frontends-only';
}

function parseScopeArg(value: string): string {
  const v = value.trim();
  if (v.includes('/')) {
    if (parsePrefix(v) === null) throw new UsageError('--scope', `--scope '${value}' is not an IP address or a prefix like 10.96.0.0/12`);
    return v;
  }
  return parseIpArg('--scope', v);
}

function recordOf(r: ApplyItemResult, file: DesiredFile, ctx: CommandContext): ApplyRecordView {
  const item = r.item;
  return {
    action: r.action,
    item: r.index !== undefined ? file.itemName(r.index) : null,
    id: r.id ?? null,
    previousId: r.action === 'update' ? (r.previousId ?? null) : null,
    changes: r.action === 'update' && 'differences' in item ? [...item.differences] : [],
    reason: r.action === 'delete' && 'reason' in item ? String(item.reason) : null,
    status: r.status,
    error:
      r.error !== undefined
        ? describeError(r.error, { command: ctx.command, backend: ctx.globals.backend }).error
        : r.status === 'skipped'
          ? {
              code: 'HCN_SKIPPED',
              hresult: null,
              operation: ctx.command,
              message: r.skipReason === 'blocked' ? `waits for ${list(r.blockedBy ?? [])}, which ${r.blockedBy?.length === 1 ? 'was' : 'were'} not deleted or updated` : `not started (${r.skipReason})`,
              hint: r.skipReason === 'blocked' ? 'a load balancer on its frontend must go first: --prune deletes it when it is in the scope' : null,
              argument: null,
              exitCode: ExitCode.OperationFailed,
            }
          : null,
  };
}

function plannedRecords(plan: ReconcilePlan, file: DesiredFile): ApplyRecordView[] {
  const base = { previousId: null, changes: [] as SpecField[], reason: null, status: 'planned' as const, error: null };
  return [
    ...plan.delete.map((d) => ({ ...base, action: 'delete' as const, item: null, id: d.id, reason: d.reason })),
    ...plan.update.map((u) => ({ ...base, action: 'update' as const, item: file.itemName(u.index), id: u.id, changes: [...u.differences] })),
    ...plan.create.map((c) => ({ ...base, action: 'create' as const, item: file.itemName(c.index), id: null })),
  ];
}

function keepRecords(plan: ReconcilePlan, file: DesiredFile): ApplyRecordView[] {
  return plan.keep.map((k) => ({ action: 'keep', item: file.itemName(k.index), id: k.id, previousId: null, changes: [], reason: null, status: 'ok', error: null }));
}

function conflictRecords(plan: ReconcilePlan, file: DesiredFile, ctx: CommandContext): ApplyRecordView[] {
  return plan.conflicts.map((c) => {
    const message = conflictText(c.message, c.index, file);
    return {
      action: 'conflict',
      item: file.itemName(c.index),
      id: null,
      previousId: null,
      changes: [],
      reason: message,
      status: 'failed',
      error: c.error
        ? describeError(c.error, { command: ctx.command, backend: ctx.globals.backend }).error
        : { code: 'HCN_CONFLICT', hresult: null, operation: ctx.command, message, hint: null, argument: null, exitCode: ExitCode.OperationFailed },
    };
  });
}

/** Plans `file` against HNS; without --prune the deletes are left out (and counted). */
export async function planFile(hcn: Hcn, file: DesiredFile, o: ApplyOptions): Promise<{ plan: ReconcilePlan; held: number }> {
  const full = await reconcile().planLoadBalancers(hcn, file.specs, { scope: scopeFor(o, file.specs) });
  if (o.prune) return { plan: full, held: 0 };
  return { plan: prune().withoutDeletes(full), held: full.summary.delete };
}

function resultLine(r: ApplyRecordView): string {
  const what = r.item ?? r.id ?? '';
  if (r.status === 'ok') {
    if (r.action === 'create') return `created ${r.id} (${what})`;
    if (r.action === 'delete') return `deleted ${r.id}`;
    if (r.previousId && r.previousId !== r.id) return `replaced ${r.previousId} by ${r.id} (${what}; this HNS cannot modify in place)`;
    return `updated ${r.id} (${what})`;
  }
  const verb = r.status === 'unknown' ? 'outcome unknown' : r.status;
  return `${verb}: ${r.action} ${what}${r.id && r.item ? ` ${r.id}` : ''}: ${r.error?.message ?? ''}`;
}

/** Registers `hcn apply` on `program`. */
export function registerApply(program: Command, state: RunState): void {
  addGlobalOptions(
    program
      .command('apply')
      .description('make HNS hold the load balancers a JSON or YAML file describes: plan, show the diff, apply')
      .requiredOption('-f, --file <FILE|->', 'the desired load balancers (JSON or YAML); - reads standard input')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--prune', 'also delete load balancers in the scope that the file does not name')
      .option('--watch', 'after applying, keep HNS converged: re-plan every --interval and at once when HNS restarts; log each change (Ctrl-C stops)')
      .option('--interval <seconds>', 'with --watch: seconds between passes (default 30)', (v) => {
        const n = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v.trim()) || n < 0.05 || n > 86_400) throw new UsageError('--interval', `--interval '${v}' must be a number of seconds from 0.05 to 86400`);
        return n;
      })
      .option('--scope <vips|cidrs>', 'which load balancers are ours: VIPs or prefixes (repeat or comma-separate); default with --prune: the file\'s VIPs', collect((v) => v.split(',').filter((x) => x.trim() !== '').map(parseScopeArg)))
      .addHelpText('after', EXAMPLE),
  ).action(
    action(state, async (ctx, _args, options) => {
      const o = options as ApplyOptions & { scope?: string[][] };
      const opts0: ApplyOptions = { ...o, scope: o.scope?.flat() };
      const code = await applyOnce(ctx, opts0);
      if (!opts0.watch) return code;
      return watch(ctx, opts0);
    }),
  );
}

/** Holds the file read by applyOnce for --watch. */
const watched = new WeakMap<CommandContext, DesiredFile>();

/** `--watch`: a LoadBalancerReconciler on the same file and scope, logging each change until a signal. */
async function watch(ctx: CommandContext, opts: ApplyOptions): Promise<ExitCodeValue> {
  const file = watched.get(ctx)!;
  const hcn = await ctx.hcn();
  const reconciler = new (reconcilerModule().LoadBalancerReconciler)(hcn, file.specs, {
    scope: scopeFor(opts, file.specs),
    prune: opts.prune === true,
    intervalMs: Math.round((opts.interval ?? 30) * 1000),
  });
  const stamp = () => new Date().toISOString();
  reconciler.on('change', (r, why) => {
    const rec = recordOf(r, file, ctx);
    if (ctx.globals.json) ctx.print(JSON.stringify({ time: stamp(), trigger: why, ...rec }) + '\n');
    else ctx.print(`${stamp()} ${why === 'service-disconnect' ? '(HNS restarted) ' : ''}${resultLine(rec).replace(/^created /, 'restored ')}\n`);
  });
  reconciler.on('error', (err) => {
    const d = describeError(err, { command: ctx.command, backend: ctx.globals.backend });
    ctx.reportError({ error: { ...d.error, message: `${stamp()} pass failed, retrying at the next one: ${d.error.message}` } });
  });
  if (!ctx.globals.json) ctx.print(`watching ${file.source}: a pass every ${opts.interval ?? 30}s and whenever HNS restarts (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    reconciler.start();
  });
  await reconciler.close();
  return ExitCode.Ok;
}

async function applyOnce(ctx: CommandContext, opts: ApplyOptions): Promise<ExitCodeValue> {
  {
    {
      if (opts.watch && opts.dryRun) throw new UsageError('--watch', '--watch applies changes; it cannot be combined with --dry-run');
      if (opts.interval !== undefined && !opts.watch) throw new UsageError('--interval', '--interval is the pass interval of --watch; add --watch');
      const { text, source } = await readSource('--file', opts.file!, ctx.readStdin);
      const file = parseDesired('--file', text, source);
      watched.set(ctx, file);
      const hcn = await ctx.hcn();
      const eps = indexEndpoints(await hcn.endpoints.list());
      const { plan, held } = await planFile(hcn, file, opts);
      const invalid = plan.conflicts.filter((c) => c.kind === 'invalid');

      if (ctx.globals.json && (opts.dryRun || invalid.length > 0)) {
        const records = [...plannedRecords(plan, file), ...keepRecords(plan, file), ...conflictRecords(plan, file, ctx)];
        ctx.printJson({ dryRun: opts.dryRun === true, applied: false, summary: { ...plan.summary, notPruned: held }, items: records });
        return invalid.length > 0 || plan.summary.conflicts > 0 ? ExitCode.OperationFailed : ExitCode.Ok;
      }
      if (!ctx.globals.json) {
        ctx.print(renderPlan(plan, file, eps));
        ctx.print(summaryLine(plan, held) + '\n');
      }
      if (invalid.length > 0) {
        // A spec this host cannot take (e.g. DSR before HNS 9.3): apply nothing, as lb create would.
        ctx.note('nothing was applied: fix the conflicting items above (this HNS cannot take them)');
        return ExitCode.OperationFailed;
      }
      if (opts.dryRun) {
        ctx.print('dry run: nothing was changed\n');
        return plan.summary.conflicts > 0 ? ExitCode.OperationFailed : ExitCode.Ok;
      }
      const total = plan.summary.create + plan.summary.update + plan.summary.delete;
      if (total === 0) {
        if (!ctx.globals.json) ctx.print(plan.summary.conflicts > 0 ? 'nothing else to do\n' : 'nothing to do: HNS already matches the file\n');
        else ctx.printJson({ dryRun: false, applied: true, summary: { ...plan.summary, notPruned: held }, items: [...keepRecords(plan, file), ...conflictRecords(plan, file, ctx)] });
        return plan.summary.conflicts > 0 ? ExitCode.OperationFailed : ExitCode.Ok;
      }
      const progress = createProgress(ctx.io.stderr, ctx.globals.progress, 'applying', total);
      const result = await reconcile().applyPlan(hcn, plan, { onProgress: () => progress.tick() });
      progress.done();
      const records = result.results.map((r) => recordOf(r, file, ctx));
      if (ctx.globals.json) {
        ctx.printJson({
          dryRun: false,
          applied: true,
          summary: { ...plan.summary, notPruned: held },
          items: [...records, ...keepRecords(plan, file), ...conflictRecords(plan, file, ctx)],
        });
      } else {
        for (const r of records) ctx.print(resultLine(r) + '\n');
        const c = result.counts;
        ctx.print(`applied: ${c.ok} ok${c.failed ? `, ${c.failed} failed` : ''}${c.unknown ? `, ${c.unknown} outcome unknown (run hcn apply again to see)` : ''}${c.skipped ? `, ${c.skipped} skipped` : ''}\n`);
      }
      return result.complete && plan.summary.conflicts === 0 ? ExitCode.Ok : ExitCode.OperationFailed;
    }
  }
}
