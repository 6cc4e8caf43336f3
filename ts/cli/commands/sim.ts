// `hcn sim status|reset|version`: the embedded simulator's own controls. These always drive the
// simulated backend (even on Windows), through the same state file every other command uses.
import { Command } from 'commander';
import type { Hcn } from '../../client';
import { parseIdArg, parseVersionArg } from '../args';
import type { CommandContext } from '../context';
import { renderPairs } from '../format';
import { action, addGlobalOptions, examples, type RunState } from '../kit';
import { CliOperationError } from '../usage-error';

/** `hcn sim status --json` (also printed by `sim reset` and `sim version`). */
export interface SimStatusView {
  backend: 'simulated';
  /** Absolute path of the state file shared by every `hcn` invocation. */
  statePath: string | null;
  /** Whether that file exists (it is created on first use). */
  stateFileExists: boolean;
  /** HNS version the simulator reports, `"13.2"`. */
  version: string;
  counts: { networks: number; endpoints: number; loadBalancers: number; namespaces: number };
}

type Simulator = NonNullable<Hcn['simulator']>;

function simulatorOf(hcn: Hcn): Simulator {
  const sim = hcn.simulator;
  if (!sim) {
    throw new CliOperationError('HCN_NOT_AVAILABLE', 'hcn sim', 'this backend has no simulator controls', 'use --backend simulated');
  }
  return sim;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Normalises what `Simulator.status()` returns into the CLI shape. */
export function simStatusView(status: unknown, statePath: string | undefined, exists: boolean): SimStatusView {
  const s = (status ?? {}) as Record<string, unknown>;
  const v = (s.version ?? {}) as Record<string, unknown> | string;
  const version =
    typeof v === 'string' ? v : `${num((v as Record<string, unknown>).major ?? (v as Record<string, unknown>).Major)}.${num((v as Record<string, unknown>).minor ?? (v as Record<string, unknown>).Minor)}`;
  const c = (s.counts ?? {}) as Record<string, unknown>;
  const path = typeof s.statePath === 'string' ? s.statePath : (statePath ?? null);
  return {
    backend: 'simulated',
    statePath: path,
    stateFileExists: exists,
    version,
    counts: { networks: num(c.networks), endpoints: num(c.endpoints), loadBalancers: num(c.loadBalancers), namespaces: num(c.namespaces) },
  };
}

async function printStatus(ctx: CommandContext, sim: Simulator, headline?: string): Promise<void> {
  const fs = await import('node:fs');
  const path = ctx.globals.statePath;
  const view = simStatusView(await sim.status(), path, path !== undefined && fs.existsSync(path));
  if (ctx.globals.json) {
    ctx.printJson(view);
    return;
  }
  if (headline) ctx.print(headline + '\n');
  ctx.print(
    renderPairs(
      [
        ['Backend', 'simulated (embedded HNS simulator)'],
        ['State file', view.statePath ?? '(in memory)'],
        ['HNS version', view.version],
        ['Networks', String(view.counts.networks)],
        ['Endpoints', String(view.counts.endpoints)],
        ['Load balancers', String(view.counts.loadBalancers)],
        ['Namespaces', String(view.counts.namespaces)],
      ],
      ctx.globals.out,
    ),
  );
}

/** Registers `hcn sim ...` on `program`. */
export function registerSim(program: Command, state: RunState): void {
  const sim = program
    .command('sim')
    .description('the embedded HNS simulator: where its state is, what it holds, reset it')
    .addHelpText('after', '\nThese commands always use the simulated backend and the same state file as every other `hcn` command\n(--state, else $HCN_SIM_STATE, else the user data directory).');

  addGlobalOptions(examples(sim.command('status').description('show the state file, HNS version and object counts'), 'hcn sim status', 'hcn sim status --state ./other-hns.json')).action(
    action(
      state,
      async (ctx) => {
        await printStatus(ctx, simulatorOf(await ctx.hcn()));
      },
      'simulated',
    ),
  );

  addGlobalOptions(
    examples(
      sim
        .command('reset')
        .description('back to the default node: network vxlan0, endpoints 10.0.0.14 and 10.0.0.15, no load balancers, HNS 13.2')
        .option('--force', 'also when the state file is corrupt: move it aside to <state>.corrupt-<time> and start fresh'),
      'hcn sim reset',
    ),
  ).action(
    action(
      state,
      async (ctx, _args, options) => {
        const s = simulatorOf(await ctx.hcn({ recoverCorruptState: options.force === true }));
        await s.reset();
        await printStatus(ctx, s, 'simulator reset to the default topology');
      },
      'simulated',
    ),
  );

  addGlobalOptions(
    sim
      .command('version')
      .argument('<MAJOR.MINOR>', 'HNS version to report, e.g. 15.5 (enables in-place modify) or 10.1 (no DSR)')
      .description('set the HNS version the simulator reports (features follow it)')
      .addHelpText('after', '\nExamples:\n  hcn sim version 15.5   # in-place modify\n  hcn sim version 10.1   # no DSR'),
  ).action(
    action(
      state,
      async (ctx, args) => {
        const v = parseVersionArg('MAJOR.MINOR', args[0]!);
        const s = simulatorOf(await ctx.hcn());
        await s.setVersion(v.major, v.minor);
        await printStatus(ctx, s, `simulated HNS version set to ${v.major}.${v.minor}`);
      },
      'simulated',
    ),
  );

  addGlobalOptions(
    sim
      .command('vfp-remove-rule')
      .argument('<PORT>', 'the VFP port GUID (from `hcn vfp ports`)')
      .argument('<RULE>', 'the rule ID (from `hcn vfp rules`)')
      .description('remove one VFP rule from a port, as `vfpctrl /remove-rule` would (to see what `hcn verify dsr --vfp` says)')
      .addHelpText('after', '\nExamples:\n  hcn vfp rules --layer LB_DSR      # pick a port and a rule\n  hcn sim vfp-remove-rule <PORT> <RULE>\n  hcn verify dsr --vfp               # now exits 3, naming the port and the rule'),
  ).action(
    action(
      state,
      async (ctx, args) => {
        const port = parseIdArg('PORT', args[0]!);
        const s = simulatorOf(await ctx.hcn());
        await s.removeVfpRule(port, args[1]!);
        if (ctx.globals.json) ctx.printJson({ removed: true, port, rule: args[1] });
        else ctx.print(`removed rule ${args[1]} from VFP port ${port}\n`);
      },
      'simulated',
    ),
  );
}
