// hcn.vfp: the VFP ports, layers, groups and rules of the node, typed. On the simulator it reads the
// model the simulator derives from its HNS state (the `vfp` control request); otherwise it runs
// %SystemRoot%\System32\vfpctrl.exe by absolute path with an argument array (never a shell), under
// the call's deadline and AbortSignal, and parses its output (JSON for ports, text for layers and rules).
import * as path from 'node:path';
import { HcnAccessDeniedError, HcnError, HcnNotAvailableError } from '../errors';
import type { CallOptions, Operation } from '../internal/operation';
import { normalizeGuid } from '../schema/guid';
import type { Simulator } from '../simulator';
import { vfpRule, type VfpGroup, type VfpLayer, type VfpPort, type VfpRule } from '../vfp/model';
import { parseVfpListing, parseVfpPortsJson } from '../vfp/parse';
import { ClientCore, Q } from './core';
import { parseEndpoint } from '../schema/endpoint';

/**
 * Which rules {@link VfpApi.rules} returns (all given parts must match; names compare
 * case-insensitively), plus the call's `signal`/`timeoutMs`.
 * @example
 * await hcn.vfp.rules({ layer: 'LB_DSR', group: 'LB_DSR_IPv4_OUT' });
 */
export interface VfpRulesFilter extends CallOptions {
  /** Only this port (its GUID). */
  port?: string | undefined;
  /** Only this layer. */
  layer?: string | undefined;
  /** Only this group. */
  group?: string | undefined;
}

/**
 * A rule and the port it is on.
 * @example
 * for (const { port, rule } of await hcn.vfp.rules()) console.log(port, rule.name);
 */
export interface VfpPortRule {
  /** The port GUID, lower-case. */
  port: string;
  /** The rule. */
  rule: VfpRule;
}

/**
 * `hcn.vfp`: the node's VFP state, typed.
 * @example
 * const [pod] = (await hcn.vfp.ports()).filter((p) => p.kind === 'endpoint');
 * const rules = await hcn.vfp.rules({ port: pod!.id, layer: 'LB_DSR' });
 */
export interface VfpApi {
  /**
   * Where the VFP state comes from: `simulator` (the simulator's model) or `vfpctrl` (the program).
   * @example
   * if (hcn.vfp.source === 'vfpctrl') console.log('reading the real VFP');
   */
  readonly source: 'simulator' | 'vfpctrl';
  /**
   * The switch ports: each local endpoint's and the host vNIC's, with the endpoint's ID and IPs when known.
   * @example
   * const ports = await hcn.vfp.ports();
   */
  ports(options?: CallOptions): Promise<VfpPort[]>;
  /**
   * The layers of one port (by its GUID).
   * @example
   * const layers = await hcn.vfp.layers(port.id);
   */
  layers(port: string, options?: CallOptions): Promise<VfpLayer[]>;
  /**
   * The groups of one port (by its GUID), optionally of one layer.
   * @example
   * const groups = await hcn.vfp.groups(port.id, { layer: 'LB_DSR' });
   */
  groups(port: string, options?: CallOptions & { layer?: string | undefined }): Promise<VfpGroup[]>;
  /**
   * Rules with the port each is on, narrowed by port, layer and group.
   * @example
   * const dsr = await hcn.vfp.rules({ layer: 'LB_DSR' });
   */
  rules(filter?: VfpRulesFilter): Promise<VfpPortRule[]>;
}

/** What each port of a listing holds. */
interface PortListing {
  port: VfpPort;
  layers: VfpLayer[];
  groups: VfpGroup[];
  rules: VfpRule[];
}

type Json = Record<string, unknown>;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Json[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const same = (a: string | undefined, b: string | undefined): boolean => b === undefined || (a !== undefined && a.toLowerCase() === b.toLowerCase());

/** The simulator's model (README "VFP model") → the typed model, rules built as the parser reads them. */
function fromSimulator(doc: Record<string, unknown>): PortListing[] {
  return arr(doc.ports).map((p): PortListing => {
    const id = normalizeGuid(p.Id) ?? String(p.Id).toLowerCase();
    const kind = p.Kind === 'endpoint' || p.Kind === 'host' ? p.Kind : 'other';
    const port: VfpPort = {
      id,
      name: str(p.Name) ?? '',
      mac: str(p.MacAddress),
      kind,
      endpointId: normalizeGuid(p.EndpointId) ?? undefined,
      ipAddresses: Array.isArray(p.IpAddresses) ? p.IpAddresses.filter((x): x is string => typeof x === 'string') : [],
    };
    const listing: PortListing = { port, layers: [], groups: [], rules: [] };
    for (const l of arr(p.Layers)) {
      const name = str(l.Name) ?? '';
      const priority = num(l.Priority);
      const flags = num(l.Flags) ?? 0;
      listing.layers.push({
        name,
        friendlyName: name,
        priority,
        flags,
        fields: { 'Friendly name': name, ...(priority === undefined ? {} : { Priority: String(priority) }), Flags: `0x${flags.toString(16)}` },
      });
      for (const g of arr(l.Groups)) {
        const gname = str(g.Name) ?? '';
        const gprio = num(g.Priority);
        const direction = str(g.Direction);
        const type = str(g.Type);
        const fields: Record<string, string> = { 'Friendly name': gname };
        if (gprio !== undefined) fields.Priority = String(gprio);
        if (direction !== undefined) fields.Direction = direction;
        if (type !== undefined) fields.Type = type;
        fields['Match type'] = 'Priority-based match';
        listing.groups.push({ name: gname, layer: name, friendlyName: gname, priority: gprio, direction, type, fields });
        for (const r of arr(g.Rules)) {
          const rid = str(r.Id) ?? '';
          const conditions: string[] = [];
          const protocols = Array.isArray(r.Protocols) ? r.Protocols : [];
          const dst = Array.isArray(r.DestinationIps) ? r.DestinationIps : [];
          const dports = Array.isArray(r.DestinationPorts) ? r.DestinationPorts : [];
          if (protocols.length > 0) conditions.push(`Protocols : ${protocols.join(', ')}`);
          if (dst.length > 0) conditions.push(`Destination IP : ${dst.join(', ')}`);
          if (dports.length > 0) conditions.push(`Destination ports : ${dports.join(', ')}`);
          const data: string[] = [];
          if (typeof r.Modify === 'string') data.push(`Modify : ${r.Modify}`);
          if (typeof r.Vip === 'string') data.push(`VIP : ${r.Vip}`);
          if (typeof r.VipPort === 'number') data.push(`VIP port : ${r.VipPort}`);
          const dips = arr(r.Dips);
          if (dips.length > 0) data.push(`DIP Range(s) : ${dips.map((d) => `{ ${String(d.Ip)} : ${String(d.Port)} }`).join(' ')}`);
          const flags = num(r.Flags);
          listing.rules.push(
            vfpRule({
              name: rid,
              friendlyName: rid,
              layer: name,
              group: gname,
              priority: num(r.Priority),
              flags,
              flagNames: flags !== undefined && (flags & 1) !== 0 ? ['terminating'] : [],
              type: str(r.Type),
              conditions,
              flowTtl: num(r.FlowTtl),
              data,
            }),
          );
        }
      }
    }
    return listing;
  });
}

/**
 * Where vfpctrl is looked for: `%SystemRoot%\System32\vfpctrl.exe` (absolute, never PATH). The
 * environment variable `HCN_SDK_TEST_VFPCTRL` replaces it; it exists for the SDK's own tests (a fake
 * vfpctrl) and is not a supported setting.
 */
export function vfpctrlPath(env: NodeJS.ProcessEnv = process.env): string {
  const fake = env.HCN_SDK_TEST_VFPCTRL;
  if (fake !== undefined && fake !== '') return fake;
  return path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'vfpctrl.exe');
}

/** Output of vfpctrl when it says the caller lacks rights (its exact text is not public; these are the Windows phrasings). */
const ACCESS_DENIED = /access is denied|access denied|administrator|elevat|privilege/i;

/** Runs vfpctrl with `args` under the operation's deadline and abort; typed errors for each failure mode. */
function runVfpctrl(op: Operation, args: readonly string[]): Promise<string> {
  const file = vfpctrlPath();
  const operation = `vfpctrl ${args.join(' ')}`;
  op.check();
  const controller = new AbortController();
  const child = new Promise<string>((resolve, reject) => {
    // child_process loads only when vfpctrl runs (Windows), not with every client.
    (require('node:child_process') as typeof import('node:child_process')).execFile(
      file,
      [...args],
      { encoding: 'utf8', windowsHide: true, shell: false, maxBuffer: 64 * 1024 * 1024, timeout: Math.max(1, op.remaining()), signal: controller.signal },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string | null };
        const said = `${stderr ?? ''}\n${stdout ?? ''}`.trim().slice(0, 500);
        if (e.code === 'ENOENT') {
          reject(new HcnNotAvailableError({ code: 'HCN_VFPCTRL_NOT_FOUND', operation, detail: `vfpctrl.exe not found at ${file} (VFP comes with the Hyper-V / Containers feature of Windows)`, cause: err }));
        } else if (e.code === 'EACCES' || e.code === 'EPERM' || (e as { code?: unknown }).code === 5 || ACCESS_DENIED.test(said)) {
          reject(new HcnAccessDeniedError({ code: 'HCN_VFPCTRL_ACCESS_DENIED', operation, detail: `vfpctrl needs an elevated (administrator) prompt${said ? `: ${said}` : ''}`, cause: err }));
        } else {
          const how = e.killed || e.signal ? `was stopped (${e.signal ?? 'killed'})` : `exited with code ${String(e.code)}`;
          reject(new HcnError({ code: 'HCN_VFPCTRL_FAILED', operation, detail: `${file} ${how}${said ? `: ${said}` : ''}`, cause: err }));
        }
      },
    );
  });
  // The deadline or an abort ends the wait at once and stops the program.
  op.interrupt.catch(() => controller.abort());
  return op.wait(child);
}

function checkPortArg(port: unknown, operation: string): string {
  const id = normalizeGuid(port);
  if (id === null) throw new HcnError({ code: 'HCN_INVALID_ARGUMENT', operation, detail: `port must be a VFP port GUID (got ${JSON.stringify(port)})` });
  return id;
}

/** Builds `hcn.vfp` over the client's core: the simulator's model when there is one, else vfpctrl. */
export function vfpApi(core: ClientCore, simulator: Simulator | undefined): VfpApi {
  const useSimulator = simulator !== undefined && !process.env.HCN_SDK_TEST_VFPCTRL;

  const simListing = async (op: Operation): Promise<PortListing[]> => {
    op.check();
    return fromSimulator(await simulator!.control({ op: 'vfp' }));
  };

  /** Ports from vfpctrl, with the IPs of the endpoints whose IDs the ports' names carry. */
  const ctlPorts = async (op: Operation): Promise<VfpPort[]> => {
    const text = await runVfpctrl(op, ['/list-vmswitch-port', '/format', '1']);
    let ports: VfpPort[];
    try {
      ports = parseVfpPortsJson(text);
    } catch (err) {
      throw new HcnError({ code: 'HCN_INVALID_RESPONSE', operation: 'vfpctrl /list-vmswitch-port /format 1', detail: `not the JSON port listing (${err instanceof Error ? err.message : String(err)})`, cause: err });
    }
    if (ports.some((p) => p.endpointId !== undefined)) {
      const docs = await op.native('HcnEnumerateEndpoints', (t) => core.context('HcnEnumerateEndpoints').list('endpoint', Q, Q, t));
      const eps = docs.map((d) => parseEndpoint(d));
      for (const p of ports) {
        const ep = eps.find((e) => e.id === p.endpointId);
        if (ep) p.ipAddresses = [...ep.ipAddresses];
      }
    }
    return ports;
  };

  const ctlListing = async (op: Operation, port: string, args: string[], layer?: string, group?: string) =>
    parseVfpListing(await runVfpctrl(op, ['/port', port, ...args]), { layer, group });

  return {
    source: useSimulator ? 'simulator' : 'vfpctrl',
    ports: (options) =>
      core.run('vfp.ports', options, async (op) => (useSimulator ? (await simListing(op)).map((l) => l.port) : ctlPorts(op))),
    layers: (port, options) =>
      core.run('vfp.layers', options, async (op) => {
        const id = checkPortArg(port, op.name);
        if (useSimulator) {
          const l = (await simListing(op)).find((x) => x.port.id === id);
          if (!l) throw new HcnError({ code: 'HCN_VFP_PORT_NOT_FOUND', operation: op.name, detail: `no VFP port ${id}` });
          return l.layers;
        }
        return (await ctlListing(op, id, ['/list-layer'])).layers;
      }),
    groups: (port, options) =>
      core.run('vfp.groups', options, async (op) => {
        const id = checkPortArg(port, op.name);
        const layer = options?.layer;
        if (useSimulator) {
          const l = (await simListing(op)).find((x) => x.port.id === id);
          if (!l) throw new HcnError({ code: 'HCN_VFP_PORT_NOT_FOUND', operation: op.name, detail: `no VFP port ${id}` });
          return l.groups.filter((g) => same(g.layer, layer));
        }
        return (await ctlListing(op, id, layer === undefined ? ['/list-group'] : ['/layer', layer, '/list-group'], layer)).groups;
      }),
    rules: (filter = {}) =>
      core.run('vfp.rules', filter, async (op) => {
        const portId = filter.port === undefined ? undefined : checkPortArg(filter.port, op.name);
        const keep = (r: VfpRule): boolean => same(r.layer, filter.layer) && same(r.group, filter.group);
        if (useSimulator) {
          const listings = (await simListing(op)).filter((l) => portId === undefined || l.port.id === portId);
          if (portId !== undefined && listings.length === 0) throw new HcnError({ code: 'HCN_VFP_PORT_NOT_FOUND', operation: op.name, detail: `no VFP port ${portId}` });
          return listings.flatMap((l) => l.rules.filter(keep).map((rule) => ({ port: l.port.id, rule })));
        }
        const ids = portId !== undefined ? [portId] : (await ctlPorts(op)).map((p) => p.id);
        const out: VfpPortRule[] = [];
        for (const id of ids) {
          const args = [...(filter.layer !== undefined ? ['/layer', filter.layer] : []), ...(filter.group !== undefined ? ['/group', filter.group] : []), '/list-rule'];
          const listing = await ctlListing(op, id, args, filter.layer, filter.group);
          for (const rule of listing.rules) if (keep(rule)) out.push({ port: id, rule });
        }
        return out;
      }),
  };
}
