// Builds the `hcn` command line (commander) and runs it: parses, dispatches, and turns every
// failure into the documented exit code and error output. Never calls process.exit.
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../native';
import { registerApply } from './commands/apply';
import { registerCompletion } from './commands/completion';
import { registerEndpoint, registerNetwork } from './commands/endpoint';
import { registerFeatures } from './commands/features';
import { registerLb } from './commands/lb';
import { registerSim } from './commands/sim';
import { registerVerify } from './commands/verify';
import { registerVfp } from './commands/vfp';
import { registerVersion } from './commands/version';
import { processIo, type CliIo } from './context';
import { ExitCode } from './exit-codes';
import { makeStyle, shouldColor } from './format';
import { addGlobalOptions, type RunState } from './kit';
import { describeError, renderErrorText } from './report-error';
import { UsageError } from './usage-error';

/** Where the shipped command reference is (docs/cli.md inside the installed package). */
function cliDocPath(): string {
  try {
    return path.join(packageRoot(), 'docs', 'cli.md');
  } catch {
    return 'docs/cli.md in the hcn-sdk package';
  }
}

const EPILOG = () => `
Backends: on Windows the default is the real HNS (run from an elevated prompt); elsewhere the embedded
simulator, whose state lives in one file so that separate hcn commands share it. \`hcn features\` says
which backend is active.

Exit codes: 0 ok, 1 HNS/SDK operation failed, 2 usage error, 3 verification failed, 4 backend not available.
JSON shapes, exit codes and every option: ${cliDocPath()}`;

/** Builds the program; `state` collects the exit code and the context of the command that ran. */
export function buildProgram(state: RunState, stderrBuffer: { text: string }): Command {
  const io = state.io;
  const program = new Command('hcn');
  program
    .description('Create, inspect, verify and delete Windows HNS load balancers (DSR), on real HNS or the embedded simulator')
    // Handled by runCli as `hcn version` (which says more than a bare number); listed for --help.
    .option('-V, --version', 'print the SDK and addon versions, the backend and its HNS version (hcn version)')
    .usage('[global options] <command> [options]')
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void (stderrBuffer.text += s),
      outputError: () => {},
    })
    .addHelpText('after', EPILOG());
  addGlobalOptions(program);
  const track = (cmd: Command) =>
    cmd.hook('preSubcommand', (_this, sub) => {
      state.commandPath = `${state.commandPath} ${sub.name()}`;
    });
  track(program);
  registerLb(program, state);
  registerApply(program, state);
  registerEndpoint(program, state);
  registerNetwork(program, state);
  registerFeatures(program, state);
  registerVerify(program, state);
  registerVfp(program, state);
  registerSim(program, state);
  registerVersion(program, state);
  registerCompletion(program, state);
  for (const c of program.commands) {
    track(c);
    c.enablePositionalOptions();
  }
  return program;
}

const COMMANDER_USAGE_CODES = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.excessArguments',
  'commander.invalidArgument',
  'commander.conflictingOption',
]);

/** The argument a commander message names (`unknown option '--foo'` → `--foo`). */
function argumentOf(err: CommanderError): string {
  const m = /'([^']+)'/.exec(err.message);
  if (!m) return '(command line)';
  return m[1]!.split(/[ ,]/)[0]!;
}

/** `hcn [globals] --version [globals]` → `hcn version [globals]`; `--version` after a command is left alone. */
function versionAsCommand(program: Command, argv: readonly string[]): string[] {
  const names = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  const at = argv.findIndex((a) => a === '--version' || a === '-V' || names.has(a));
  if (at < 0 || names.has(argv[at]!)) return [...argv];
  return ['version', ...argv.slice(0, at), ...argv.slice(at + 1)];
}

/**
 * Runs the `hcn` command line `argv` (without `node` and the script) and resolves with the exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const state: RunState = { io, exitCode: ExitCode.Ok, context: undefined, commandPath: 'hcn' };
  const stderrBuffer = { text: '' };
  const program = buildProgram(state, stderrBuffer);
  if (argv.length === 0) {
    // A bare `hcn` asks what the command can do: help on stdout, success.
    program.outputHelp();
    return ExitCode.Ok;
  }
  try {
    await program.parseAsync(versionAsCommand(program, argv), { from: 'user' });
    return state.exitCode;
  } catch (err) {
    const json = state.context ? state.context.globals.json : argv.includes('--json');
    const errStyle = state.context ? state.context.globals.err : makeStyle(!argv.includes('--no-color') && shouldColor(io.stderr, io.env));
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.Ok;
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') {
        // A command group without its subcommand: show its help, as a usage error.
        io.stderr.write(stderrBuffer.text);
        return ExitCode.Usage;
      }
      const usage = new UsageError(
        COMMANDER_USAGE_CODES.has(err.code) ? argumentOf(err) : '(command line)',
        err.message.replace(/^error: /, ''),
        `see \`${state.commandPath} --help\``,
      );
      return report(usage);
    }
    return report(err);

    function report(e: unknown): number {
      const described = describeError(e, { command: state.commandPath, backend: state.context?.globals.backend });
      if (json) io.stderr.write(JSON.stringify(described) + '\n');
      else io.stderr.write(renderErrorText(described, errStyle));
      return described.error.exitCode;
    }
  }
}
