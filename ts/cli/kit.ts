// The glue between commander and the `hcn` commands: global options repeated on every leaf command
// (so `hcn lb list --json` works as well as `hcn --json lb list`), and the action wrapper that
// resolves them, runs the command and records its exit code.
import { Command, Option } from 'commander';
import { CommandContext, resolveGlobals, type CliIo, type RawGlobals } from './context';
import { ExitCode, type ExitCodeValue } from './exit-codes';
import type { BackendName } from '../client';

/** Adds an `Examples:` section to a command's --help (every subcommand has at least one). */
export function examples(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/** State shared by one run of the command line. */
export interface RunState {
  io: CliIo;
  exitCode: ExitCodeValue;
  /** The leaf command that ran (for error messages). */
  context: CommandContext | undefined;
  /** The command path being parsed, e.g. `hcn lb create`. */
  commandPath: string;
}

const GLOBAL_KEYS = ['json', 'backend', 'state', 'timeout', 'progress', 'color'] as const;

// Commands whose own --backend is a backend endpoint, not the global HNS backend.
const LOCAL_BACKEND = new WeakSet<Command>();

/**
 * Adds the global options to `cmd` under a "Global options" help heading. `backend: false` leaves
 * out `--backend` where it means something else (`lb create`/`lb update`: a backend endpoint).
 */
export function addGlobalOptions(cmd: Command, options: { backend: boolean } = { backend: true }): Command {
  cmd.optionsGroup('Global options:');
  cmd.option('--json', 'print JSON instead of tables (shapes: docs/cli.md in the package)');
  if (!options.backend) LOCAL_BACKEND.add(cmd);
  if (options.backend) {
    cmd.addOption(new Option('--backend <name>', 'HNS to drive: hcn (this host) or simulated (embedded simulator)'));
  }
  cmd.option('--state <path>', 'simulator state file (default: $HCN_SIM_STATE, else in the user data directory)');
  cmd.option('--timeout <ms>', 'deadline of each HNS call in milliseconds (default 30000)');
  cmd.option('--progress', 'show progress on stderr (default: when stderr is a terminal)');
  cmd.option('--no-progress', 'never show progress');
  cmd.option('--no-color', 'never colour the output (NO_COLOR is honoured too)');
  cmd.optionsGroup('Options:');
  return cmd;
}

/** Global option values given on the command line, the innermost command winning. */
export function mergedGlobals(cmd: Command): RawGlobals {
  const out: Record<string, unknown> = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const key of GLOBAL_KEYS) {
      if (key in out) continue;
      if (key === 'backend' && LOCAL_BACKEND.has(c)) continue;
      if (c.getOptionValueSource(key) === 'cli') out[key] = c.getOptionValue(key);
    }
  }
  return out as RawGlobals;
}

/** `hcn lb create` for the lb create command. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** What a command's action receives. */
export type Handler = (ctx: CommandContext, args: string[], options: Record<string, unknown>) => Promise<ExitCodeValue | void>;

/**
 * Wraps a handler as a commander action: resolves the globals, builds the context, records the
 * exit code. `forceBackend` pins the backend (`hcn sim`).
 */
export function action(state: RunState, handler: Handler, forceBackend?: BackendName): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const options = args[args.length - 2] as Record<string, unknown>;
    const positional = args.slice(0, -2).flatMap((a) => (Array.isArray(a) ? (a as string[]) : a === undefined ? [] : [a as string]));
    state.commandPath = commandPath(cmd);
    const globals = resolveGlobals(mergedGlobals(cmd), state.io, forceBackend);
    const ctx = new CommandContext(state.io, globals, state.commandPath);
    state.context = ctx;
    try {
      const code = await handler(ctx, positional, options);
      state.exitCode = code ?? ExitCode.Ok;
    } finally {
      await ctx.close();
    }
  };
}
