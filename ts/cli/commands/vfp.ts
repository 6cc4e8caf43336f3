// `hcn vfp ports|rules|parse|check` and `hcn trace`: the node's VFP state (the simulator's model, or
// vfpctrl on Windows) as tables, vfpctrl's text (--raw) or JSON; a capture from a Windows node parsed
// or checked anywhere; and the path of one packet through the load-balancing rules.
import * as fs from 'node:fs';
import { Command } from 'commander';
import { canonicalIp } from '../../net/ip';
import { normalizeGuid } from '../../schema/guid';
import type { VfpRule, VfpTrace } from '../../vfp';
import { parseIdArg, parseIpArg } from '../args';
import type { CommandContext } from '../context';
import { ExitCode } from '../exit-codes';
import { list, renderTable, type Style } from '../format';
import { action, addGlobalOptions, type RunState } from '../kit';
import { CliOperationError, UsageError } from '../usage-error';

// The VFP parsers and the flow explainer load when a vfp or trace command runs (CLI start-up loads
// only what a command needs).
const vfpModule = (): typeof import('../../vfp') => require('../../vfp') as typeof import('../../vfp');
const explain = (): typeof import('../../explain') => require('../../explain') as typeof import('../../explain');

function readInput(argument: string, file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(argument, `cannot read ${file === '-' ? 'standard input' : file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseCapture(argument: string, text: string): VfpRule[] {
  const t = text.trimStart().replace(/^\uFEFF/, '');
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return vfpModule().parseVfpJson(text);
    } catch (err) {
      throw new UsageError(argument, err instanceof Error ? err.message : String(err));
    }
  }
  return vfpModule().parseVfpRules(text);
}

function matchText(r: VfpRule): string {
  const parts: string[] = [];
  if (r.match.protocols.length > 0) parts.push(r.match.protocols.map((p) => (p === 6 ? 'tcp' : p === 17 ? 'udp' : String(p))).join(','));
  const dst = r.match.destinationIps.length > 0 ? r.match.destinationIps : r.vip !== undefined ? [r.vip] : [];
  const ports = r.match.destinationPorts.length > 0 ? r.match.destinationPorts : r.vipPort !== undefined ? [r.vipPort] : [];
  if (dst.length > 0 || ports.length > 0) parts.push(`${dst.join(',') || '*'}:${ports.join(',') || '*'}`);
  return parts.join(' ') || '-';
}

function rulesTable(rows: ReadonlyArray<{ port: string | undefined; rule: VfpRule }>, style: Style): string {
  if (rows.length === 0) return '(no rules)\n';
  return renderTable(
    rows,
    [
      { header: 'PORT', value: (x) => x.port ?? '-' },
      { header: 'LAYER', value: (x) => x.rule.layer ?? '-' },
      { header: 'GROUP', value: (x) => x.rule.group ?? '-' },
      { header: 'RULE', value: (x) => x.rule.name },
      { header: 'TYPE', value: (x) => x.rule.type ?? '-' },
      { header: 'MATCH', value: (x) => matchText(x.rule) },
      { header: 'DIPS', value: (x) => list(x.rule.dips.map((d) => `${d.ip}:${d.port}`)) },
    ],
    style,
  );
}

/** One port's rules in vfpctrl's layout, under a `PORT : <id>` line when the port is known. */
function rawByPort(rows: ReadonlyArray<{ port: string | undefined; rule: VfpRule }>): string {
  const ports = [...new Set(rows.map((r) => r.port))];
  return ports.map((p) => (p === undefined ? '' : `PORT : ${p}\n`) + vfpModule().renderVfpRules(rows.filter((r) => r.port === p).map((r) => r.rule))).join('\n');
}

function traceText(t: VfpTrace, format: 'text' | 'mermaid'): string {
  return vfpModule().formatVfpTrace(t, format);
}

function parseHostPortArg(argument: string, value: string, needPort: boolean): string {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const colon = (value.match(/:/g) ?? []).length === 1 ? value.split(':') : undefined;
  const host = bracket ? bracket[1]! : colon ? colon[0]! : value;
  const port = bracket ? bracket[2] : colon ? colon[1] : undefined;
  if (canonicalIp(host) === null) throw new UsageError(argument, `${argument} ${value}: expected ${needPort ? 'IP:PORT' : 'IP[:PORT]'} with an IPv4 or IPv6 address (IPv6 with a port as [addr]:port)`);
  if (port === undefined && needPort) throw new UsageError(argument, `${argument} ${value}: expected IP:PORT (the destination needs a port)`);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65535 || (needPort && Number(port) === 0))) {
    throw new UsageError(argument, `${argument} ${value}: the port must be ${needPort ? '1' : '0'}-65535`);
  }
  return value;
}

/** Registers `hcn vfp ...` and `hcn trace` on `program`. */
export function registerVfp(program: Command, state: RunState): void {
  const vfp = program
    .command('vfp')
    .description("the node's VFP ports and rules (the simulator's model, or vfpctrl.exe on Windows); parse or check a capture");

  addGlobalOptions(
    vfp
      .command('ports')
      .description('list the VFP switch ports: each local endpoint and the host vNIC')
      .addHelpText('after', '\nExamples:\n  hcn vfp ports\n  hcn vfp ports --json'),
  ).action(
    action(state, async (ctx) => {
      const hcn = await ctx.hcn();
      const ports = await hcn.vfp.ports();
      if (ctx.globals.json) {
        ctx.printJson(ports);
        return;
      }
      ctx.print(
        renderTable(
          ports,
          [
            { header: 'PORT', value: (p) => p.id },
            { header: 'KIND', value: (p) => p.kind },
            { header: 'NAME', value: (p) => p.name || '-' },
            { header: 'MAC', value: (p) => p.mac ?? '-' },
            { header: 'IPS', value: (p) => list(p.ipAddresses) },
          ],
          ctx.globals.out,
        ),
      );
    }),
  );

  addGlobalOptions(
    vfp
      .command('rules')
      .description('list VFP rules, narrowed by port, layer and group')
      .option('--port <id>', 'only this port (its GUID, from `hcn vfp ports`)', (v) => parseIdArg('--port', v))
      .option('--layer <name>', 'only this layer, e.g. LB_DSR')
      .option('--group <name>', 'only this group, e.g. LB_DSR_IPv4_OUT')
      .option('--raw', "print vfpctrl's text layout (one listing per port, after a `PORT : <id>` line)")
      .addHelpText('after', '\nExamples:\n  hcn vfp rules --layer LB_DSR\n  hcn vfp rules --port <PORT> --raw   # as vfpctrl /list-rule prints it\n  hcn vfp rules --json'),
  ).action(
    action(state, async (ctx, _args, options) => {
      const o = options as { port?: string; layer?: string; group?: string; raw?: boolean };
      const hcn = await ctx.hcn();
      const rows = await hcn.vfp.rules({ port: o.port, layer: o.layer, group: o.group });
      if (ctx.globals.json) ctx.printJson(rows);
      else if (o.raw) ctx.print(rawByPort(rows));
      else ctx.print(rulesTable(rows, ctx.globals.out));
    }),
  );

  addGlobalOptions(
    vfp
      .command('parse')
      .argument('<FILE>', 'vfpctrl output (text, or JSON from /format 1); - reads standard input')
      .description('parse a vfpctrl capture from a Windows node (works on any OS, reads no HNS)')
      .option('--raw', "print it again in vfpctrl's layout, as the SDK reads it")
      .addHelpText('after', '\nExamples:\n  hcn vfp parse list-rule.txt\n  vfpctrl /port <PORT> /layer LB_DSR /list-rule | hcn vfp parse --json -'),
    { backend: false },
  ).action(
    action(state, async (ctx, args, options) => {
      const rules = parseCapture('FILE', readInput('FILE', args[0]!));
      if (ctx.globals.json) ctx.printJson(rules);
      else if ((options as { raw?: boolean }).raw) ctx.print(vfpModule().renderVfpRules(rules));
      else ctx.print(rulesTable(rules.map((rule) => ({ port: undefined, rule })), ctx.globals.out));
    }),
  );

  addGlobalOptions(
    vfp
      .command('check')
      .argument('<FILE>', "vfpctrl output of a local backend's port (text or /format 1 JSON); - reads standard input")
      .description("check a capture for a DSR load balancer's LB_DSR rules: name, protocol, VIP, port and DIP set (exit 3 when one is missing or wrong)")
      .requiredOption('--lb <id>', 'the load balancer (read from the backend)', (v) => parseIdArg('--lb', v))
      .option('--management-ip <ip>', "the node's management IP in the rule names (default: the backend network's)", (v) => parseIpArg('--management-ip', v))
      .addHelpText('after', '\nExamples:\n  hcn vfp check --lb <ID> capture.txt\n  hcn vfp check --lb <ID> --management-ip 10.231.111.97 - < capture.txt'),
  ).action(
    action(state, async (ctx, args, options) => {
      const o = options as { lb: string; managementIp?: string };
      const rules = parseCapture('FILE', readInput('FILE', args[0]!));
      const hcn = await ctx.hcn();
      const lb = (await hcn.loadBalancers.get(o.lb)).info;
      const endpoints = await hcn.endpoints.list();
      const backends = lb.backendIds.map((id) => endpoints.find((e) => e.id === (normalizeGuid(id) ?? id))).filter((e) => e !== undefined);
      let mgmt = o.managementIp;
      if (mgmt === undefined) {
        const nets = await hcn.networks.list();
        const net = nets.find((n) => backends.some((b) => b!.networkId === n.id));
        mgmt = net?.managementIp ?? net?.providerAddress;
      }
      if (mgmt === undefined) throw new CliOperationError('HCN_NO_MANAGEMENT_IP', 'hcn vfp check', "the backends' network shows no management IP", 'pass --management-ip');
      const check = vfpModule().checkVfpDsrRules(lb, mgmt, rules, { backendIps: backends.flatMap((b) => b!.ipAddresses) });
      if (ctx.globals.json) ctx.printJson({ check: 'vfpDsr', loadBalancer: lb.id, ...check });
      else {
        const s = ctx.globals.out;
        let text = renderTable(
          check.rules,
          [
            { header: 'EXPECTED RULE', value: (r) => r.pattern },
            { header: 'FOUND', value: (r) => list(r.matches) },
            { header: 'RESULT', value: (r) => (r.ok ? 'ok' : r.present ? `DIFFERS: ${r.differences.join('; ')}` : 'MISSING'), paint: (c, r, st) => (r.ok ? st.green(c) : st.red(c)) },
          ],
          s,
        );
        text += check.ok ? s.green(`ok: all ${check.rules.length} DSR rule(s) of ${lb.id} are in the capture and right`) + '\n' : s.red(`FAILED: ${check.missing.length} missing, ${check.different.length} different`) + '\n';
        ctx.print(text);
      }
      return check.ok ? ExitCode.Ok : ExitCode.VerificationFailed;
    }),
  );

  addGlobalOptions(
    program
      .command('trace')
      .description('walk a packet through the VFP load-balancing rules: the rule, the DIP, each rewrite and the reply path')
      .requiredOption('--from <ip[:port]>', 'the client (source) address and port', (v) => parseHostPortArg('--from', v, false))
      .requiredOption('--to <ip:port>', 'the destination, e.g. the VIP and port', (v) => parseHostPortArg('--to', v, true))
      .option('--protocol <tcp|udp>', 'the protocol (default tcp)', (v) => {
        if (v !== 'tcp' && v !== 'udp') throw new UsageError('--protocol', `--protocol ${v}: must be tcp or udp`);
        return v;
      })
      .option('--vfp <file>', "trace through a vfpctrl capture instead of the node's rules (- reads standard input)")
      .option('--format <text|mermaid>', 'draw the two legs as ASCII (text, default) or a Mermaid sequence diagram', (v) => {
        if (v !== 'text' && v !== 'mermaid') throw new UsageError('--format', `--format ${v}: must be text or mermaid`);
        return v;
      })
      .addHelpText(
        'after',
        '\nThe same 5-tuple always picks the same DIP (a hash of protocol, source and destination).\nExit codes: 0 a rule takes the packet; 3 nothing matches (the output says why).\n' +
          '\nExamples:\n  hcn trace --from 10.0.1.5:40000 --to 13.0.0.13:8000 --protocol tcp\n  hcn trace --from 10.0.1.5 --to 13.0.0.13:8000 --format mermaid\n  hcn trace --vfp capture.txt --from 10.0.1.5:40000 --to 13.0.0.13:8000 --json',
      ),
  ).action(
    action(state, async (ctx: CommandContext, _args, options) => {
      const o = options as { from: string; to: string; protocol?: 'tcp' | 'udp'; vfp?: string; format?: 'text' | 'mermaid' };
      const flow = { from: o.from, to: o.to, protocol: o.protocol ?? 'tcp' };
      const trace = o.vfp !== undefined ? await explain().explainFlow(readInput('--vfp', o.vfp), flow) : await explain().explainFlow(await ctx.hcn(), flow);
      if (ctx.globals.json) ctx.printJson(trace);
      else ctx.print(traceText(trace, o.format ?? 'text'));
      return trace.matched && trace.dip !== null ? ExitCode.Ok : ExitCode.VerificationFailed;
    }),
  );
}
