// `hcn completion bash|zsh|fish|powershell`: a shell completion script generated from the command tree
// itself (so new subcommands and options complete without editing this file), completing subcommands,
// options and, for commands that take load balancer or endpoint IDs, the IDs HNS holds now (through
// the hidden `hcn completion --ids lb|endpoint`).
import { Command, Option } from 'commander';
import { action, addGlobalOptions, type RunState } from '../kit';
import { UsageError } from '../usage-error';

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
type Shell = (typeof SHELLS)[number];

/** One command path of the tree: its subcommands, its options and what its positional arguments are. */
interface Node {
  path: string[];
  children: string[];
  options: string[];
  ids: 'lb' | 'endpoint' | null;
}

function idsFor(path: string[], cmd: Command): Node['ids'] {
  const args = (cmd as unknown as { registeredArguments?: { name(): string }[] }).registeredArguments ?? [];
  if (!args.some((a) => a.name() === 'ID')) return null;
  if (path[0] === 'lb') return 'lb';
  if (path[0] === 'endpoint') return 'endpoint';
  return null;
}

function walk(cmd: Command, path: string[], out: Node[]): void {
  const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const options = (cmd.options as Option[]).filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter((x): x is string => typeof x === 'string'));
  out.push({ path, children: visible.flatMap((c) => [c.name(), ...c.aliases()]), options: [...new Set([...options, '--help'])], ids: idsFor(path, cmd) });
  for (const c of visible) {
    walk(c, [...path, c.name()], out);
    for (const alias of c.aliases()) walk(c, [...path, alias], out);
  }
}

function tree(program: Command): Node[] {
  const out: Node[] = [];
  walk(program, [], out);
  return out;
}

// Keys start with `hcn` (bash associative arrays cannot have an empty key).
const key = (path: string[]): string => ['hcn', ...path].join(' ');

function bash(nodes: Node[]): string {
  const children = nodes.map((n) => `  [${JSON.stringify(key(n.path))}]=${JSON.stringify(n.children.join(' '))}`).join('\n');
  const options = nodes.map((n) => `  [${JSON.stringify(key(n.path))}]=${JSON.stringify(n.options.join(' '))}`).join('\n');
  const ids = nodes.filter((n) => n.ids).map((n) => `  [${JSON.stringify(key(n.path))}]=${n.ids}`).join('\n');
  return `# hcn completion for bash. Load it with:  source <(hcn completion bash)
# or save it:  hcn completion bash > ~/.local/share/bash-completion/completions/hcn
declare -A _hcn_children=(
${children}
)
declare -A _hcn_options=(
${options}
)
declare -A _hcn_ids=(
${ids}
)
_hcn() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path=hcn w i next
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    next="$path $w"
    case " \${_hcn_children[$path]} " in *" $w "*) path="$next" ;; esac
  done
  local words="\${_hcn_children[$path]}"
  if [[ "$cur" == -* ]]; then
    words="\${_hcn_options[$path]}"
  elif [[ -n "\${_hcn_ids[$path]}" ]]; then
    words="$words $("\${COMP_WORDS[0]}" completion --ids "\${_hcn_ids[$path]}" 2>/dev/null)"
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _hcn hcn
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef hcn
# hcn completion for zsh (zsh's bash-completion emulation). Load it with:  source <(hcn completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(nodes).replace(/^# hcn completion for bash.*\n# or save it:.*\n/, '')}`;
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fish(nodes: Node[]): string {
  const lines = ['# hcn completion for fish. Load it with:  hcn completion fish | source', 'complete -c hcn -f'];
  // The command path so far is the sequence of non-option words that are known subcommands.
  lines.push(
    'function __hcn_path',
    '  set -l path hcn',
    '  for w in (commandline -opc)[2..-1]',
    '    switch $w',
    '      case "-*"',
    '      case "*"',
    '        set -l candidate (string join " " $path $w)',
    '        if contains -- $candidate $__hcn_paths',
    '          set path $path $w',
    '        end',
    '    end',
    '  end',
    '  string join " " $path',
    'end',
    `set -g __hcn_paths ${nodes.map((n) => fishQuote(key(n.path))).join(' ')}`,
  );
  for (const n of nodes) {
    const cond = `test (__hcn_path) = ${fishQuote(key(n.path))}`;
    if (n.children.length > 0) lines.push(`complete -c hcn -n ${fishQuote(cond)} -a ${fishQuote(n.children.join(' '))}`);
    for (const o of n.options) {
      if (o.startsWith('--')) lines.push(`complete -c hcn -n ${fishQuote(cond)} -l ${o.slice(2)}`);
      else lines.push(`complete -c hcn -n ${fishQuote(cond)} -s ${o.slice(1)}`);
    }
    if (n.ids) lines.push(`complete -c hcn -n ${fishQuote(cond)} -a '(hcn completion --ids ${n.ids} 2>/dev/null)'`);
  }
  return lines.join('\n') + '\n';
}

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function powershell(nodes: Node[]): string {
  const table = (pick: (n: Node) => string) => nodes.map((n) => `  ${psQuote(key(n.path))} = ${psQuote(pick(n))}`).join('\n');
  return `# hcn completion for PowerShell. Load it with:  hcn completion powershell | Out-String | Invoke-Expression
# or add that line to $PROFILE.
$__hcnChildren = @{
${table((n) => n.children.join(' '))}
}
$__hcnOptions = @{
${table((n) => n.options.join(' '))}
}
$__hcnIds = @{
${nodes.filter((n) => n.ids).map((n) => `  ${psQuote(key(n.path))} = ${psQuote(n.ids!)}`).join('\n')}
}
Register-ArgumentCompleter -Native -CommandName hcn, hcn.cmd, hcn.ps1 -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $path = 'hcn'
  foreach ($element in $commandAst.CommandElements | Select-Object -Skip 1) {
    $w = $element.ToString()
    if ($w -eq $wordToComplete -and $element.Extent.EndOffset -ge $cursorPosition) { break }
    if ((' ' + $__hcnChildren[$path] + ' ').Contains(' ' + $w + ' ')) { $path = ($path + ' ' + $w).Trim() }
  }
  if ($wordToComplete.StartsWith('-')) { $words = $__hcnOptions[$path] -split ' ' }
  else {
    $words = @($__hcnChildren[$path] -split ' ')
    if ($__hcnIds.ContainsKey($path)) { $words += @(& hcn completion --ids $__hcnIds[$path] 2>$null) }
  }
  $words | Where-Object { $_ -and $_.StartsWith($wordToComplete) } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}

/** The completion script for `shell`, generated from `program`'s command tree. */
export function completionScript(program: Command, shell: Shell): string {
  const nodes = tree(program);
  switch (shell) {
    case 'bash':
      return bash(nodes);
    case 'zsh':
      return zsh(nodes);
    case 'fish':
      return fish(nodes);
    case 'powershell':
      return powershell(nodes);
  }
}

/** Registers `hcn completion` on `program`. */
export function registerCompletion(program: Command, state: RunState): void {
  addGlobalOptions(
    program
      .command('completion')
      .argument('[SHELL]', `one of ${SHELLS.join(', ')}`)
      .description('print a shell completion script (subcommands, options, and load balancer and endpoint IDs)')
      .addOption(new Option('--ids <family>', 'print the IDs of lb or endpoint objects, one a line (used by the scripts)').choices(['lb', 'endpoint']).hideHelp())
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  source <(hcn completion bash)                                   # bash, this shell\n' +
          '  hcn completion bash > ~/.local/share/bash-completion/completions/hcn\n' +
          '  source <(hcn completion zsh)                                    # zsh\n' +
          '  hcn completion fish | source                                    # fish\n' +
          '  hcn completion powershell | Out-String | Invoke-Expression      # PowerShell (add to $PROFILE)',
      ),
  ).action(
    action(state, async (ctx, args, options) => {
      const ids = (options as { ids?: 'lb' | 'endpoint' }).ids;
      if (ids !== undefined) {
        const hcn = await ctx.hcn();
        const list = ids === 'lb' ? (await hcn.loadBalancers.list()).map((h) => h.id) : (await hcn.endpoints.list()).map((e) => e.id);
        ctx.print(list.map((id) => `${id}\n`).join(''));
        return;
      }
      const shell = args[0];
      if (shell === undefined || !(SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError('SHELL', shell === undefined ? `name the shell: ${SHELLS.join(', ')}` : `unknown shell '${shell}': use ${SHELLS.join(', ')}`, 'for example: source <(hcn completion bash)');
      }
      let root: Command = program;
      while (root.parent) root = root.parent;
      ctx.print(completionScript(root, shell as Shell));
    }),
  );
}
