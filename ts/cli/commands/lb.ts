// `hcn lb create|list|show|update|delete`: load balancers, the heart of the command.
import { Command } from 'commander';
import { LoadBalancer, validateLoadBalancerSpec } from '../../builders';
import type { Hcn } from '../../client';
import type { Features } from '../../features';
import { HcnNotFoundError, networkNotFoundError } from '../../errors';
import { isGuid } from '../../schema/guid';
import type { Distribution, EndpointInfo, LoadBalancerInfo, LoadBalancerSpec } from '../../schema/models';
import {
  asGuid,
  collect,
  parseAffinityArg,
  parseBackendArg,
  parseIdArg,
  parseIpArg,
  parsePortArg,
  type BackendArg,
  type PortArg,
} from '../args';
import type { CommandContext } from '../context';
import { parseDesired, readSource } from '../desired-file';
import { ExitCode } from '../exit-codes';
import { action, addGlobalOptions, examples, type RunState } from '../kit';
import { addFrontendFilters, describeFrontendFilter, hasFrontendFilter, matchesFrontendFilter, type FrontendFilterOptions } from '../filters';
import { createProgress } from '../progress';
import { describeError, nameArgumentsOf, type CliErrorJson } from '../report-error';
import { UsageError } from '../usage-error';
import {
  indexEndpoints,
  loadBalancerView,
  renderLoadBalancer,
  renderLoadBalancerTable,
  type EndpointIndex,
} from '../views';

/** Options that describe a load balancer (`lb create`, and `lb update` when it replaces the spec). */
interface SpecOptions {
  vip?: string[];
  backend?: BackendArg[];
  port?: PortArg[];
  dsr?: boolean;
  sourceVip?: string;
  ilb?: boolean;
  localRoutedVip?: boolean;
  preserveDip?: boolean;
  useMux?: boolean;
  vipExternalIp?: boolean;
  affinity?: Distribution;
  ipv6?: boolean;
  /** Where backend IPs are resolved; not a spec option of its own (it also goes with --add-backend). */
  network?: string;
}

const SPEC_KEYS: readonly (keyof SpecOptions)[] = [
  'vip',
  'backend',
  'port',
  'dsr',
  'sourceVip',
  'ilb',
  'localRoutedVip',
  'preserveDip',
  'useMux',
  'vipExternalIp',
  'affinity',
  'ipv6',
];

function addSpecOptions(cmd: Command): Command {
  return cmd
    .option('--vip <ip>', 'frontend VIP (repeat for more; none = every node IP, NodePort style)', collect((v) => parseIpArg('--vip', v)))
    .option('--backend <ip|id>', 'backend endpoint, by IP or endpoint ID (repeat for more)', collect((v) => parseBackendArg('--backend', v)))
    .option('--port <proto:ext[:int]>', 'port mapping, e.g. tcp:8000:80 (repeat for more)', collect((v) => parsePortArg('--port', v)))
    .option('--dsr', 'Direct Server Return: replies go from the backend straight to the client')
    .option('--source-vip <ip>', 'source VIP (the node-side address used towards backends; overlay needs it)', (v) => parseIpArg('--source-vip', v))
    .option('--ilb', 'internal load balancer (port-mapping flag ILB, on every --port)')
    .option('--local-routed-vip', 'port-mapping flag LocalRoutedVIP, on every --port')
    .option('--preserve-dip', 'port-mapping flag PreserveDIP, on every --port (needs --dsr)')
    .option('--use-mux', 'port-mapping flag UseMux, on every --port (needs --dsr)')
    .option('--vip-external-ip', 'port-mapping flag VipExternalIP (kube-proxy, external IPs), on every --port')
    .option('--affinity <mode>', 'session affinity: none, source-ip or source-ip-protocol', (v) => parseAffinityArg('--affinity', v))
    .option('--ipv6', 'IPv6 load balancer (set automatically when the VIPs are IPv6)')
    .option('--network <id|name>', 'the network whose endpoints backend IPs are (needed when an IP is on several networks)');
}

function hasSpecOptions(o: SpecOptions): boolean {
  return SPEC_KEYS.some((k) => o[k] !== undefined);
}

/** The checks that need no HNS, done before opening it. */
function requireSpecOptions(o: SpecOptions): void {
  if (!o.backend || o.backend.length === 0) {
    throw new UsageError('--backend', 'at least one --backend IP|ID is required', 'for example --backend 10.0.0.14 --backend 10.0.0.15');
  }
  if (!o.port || o.port.length === 0) {
    throw new UsageError('--port', 'at least one --port PROTO:EXT[:INT] is required', 'for example --port tcp:8000:80');
  }
}

/** Builds and validates the spec (with the host's features, so DSR on an old HNS is refused by name). */
function buildSpec(o: SpecOptions, features: Features | undefined): LoadBalancerSpec {
  requireSpecOptions(o);
  const b = LoadBalancer.builder();
  if (o.vip && o.vip.length > 0) b.frontend(...o.vip);
  if (o.sourceVip !== undefined) b.sourceVip(o.sourceVip);
  for (const be of o.backend!) b.backend(be.kind === 'id' ? be.id : be.ip);
  for (const p of o.port!) {
    b.port({
      protocol: p.protocol,
      external: p.external,
      internal: p.internal,
      ilb: o.ilb === true,
      localRoutedVip: o.localRoutedVip === true,
      useMux: o.useMux === true,
      preserveDip: o.preserveDip === true,
      vipExternalIp: o.vipExternalIp === true,
    });
  }
  if (o.affinity !== undefined) b.affinity(o.affinity);
  if (o.dsr) b.dsr(true);
  if (o.ipv6) b.ipv6(true);
  if (o.network !== undefined) b.network(o.network);
  return features ? b.build({ features }) : b.build();
}

/** The spec of an existing load balancer, with its backend list replaced (IPs resolved in `network` when given). */
function specFromInfo(info: LoadBalancerInfo, backends: readonly string[], features: Features | undefined, network: string | undefined): LoadBalancerSpec {
  const b = LoadBalancer.builder(info).clearBackends().backends(backends).network(network);
  return features ? b.build({ features }) : b.build();
}

/**
 * For HCN_E_PORT_ALREADY_EXISTS: names the load balancer that holds the frontend in the hint (or says
 * it is a host socket when none does), so the user can act on it directly.
 */
async function withPortOwner(hcn: Hcn, spec: LoadBalancerSpec, err: unknown): Promise<unknown> {
  if ((err as { code?: unknown } | null)?.code !== 'HCN_E_PORT_ALREADY_EXISTS') return err;
  try {
    for (const vip of spec.frontendVips) {
      for (const p of spec.ports) {
        const owner = await hcn.loadBalancers.findByFrontend({ vip, protocol: p.protocol, port: p.external });
        if (owner) {
          return Object.assign(err as object, {
            hint: `load balancer ${owner.id} already serves ${vip} ${p.protocol}:${p.external}: inspect it with \`hcn lb show ${owner.id}\`, or free the port with \`hcn lb delete ${owner.id}\``,
          });
        }
      }
    }
    return Object.assign(err as object, {
      hint: 'no load balancer holds this frontend, so a host socket or an excluded port range does: pick another port, or find the owner (netstat -ano, netsh int ipv4 show excludedportrange tcp)',
    });
  } catch {
    return err;
  }
}

/** How many backend endpoints one command queries at a time (the SDK's pool runs them). */
const BACKEND_QUERIES_AT_ONCE = 8;

/**
 * The endpoints `ids` name, each queried by ID, at most {@link BACKEND_QUERIES_AT_ONCE} at a time:
 * a command about one load balancer costs what that load balancer names, never a listing of every
 * endpoint of the host (issue 10). An endpoint HNS no longer has (deleted behind the load balancer's
 * back), or an ID that is no GUID, is left out: the view shows that backend without an IP, as for
 * any unknown backend. Any other failure (timeout, access denied) fails the command.
 */
async function backendEndpoints(hcn: Hcn, ids: readonly string[]): Promise<EndpointInfo[]> {
  const todo = [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => isGuid(id));
  const found: (EndpointInfo | undefined)[] = new Array(todo.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const at = next++;
      try {
        found[at] = await hcn.endpoints.get(todo[at]!);
      } catch (err) {
        if (!(err instanceof HcnNotFoundError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BACKEND_QUERIES_AT_ONCE, todo.length) }, worker));
  return found.filter((ep): ep is EndpointInfo => ep !== undefined);
}

/** The ID of the network `ref` names (ID or name), as the client resolves `network`; not found is an error naming it. */
async function networkIdOf(hcn: Hcn, ref: string): Promise<string> {
  const id = asGuid(ref);
  if (id !== null) {
    try {
      return (await hcn.networks.get(id)).id;
    } catch (err) {
      if (err instanceof HcnNotFoundError) throw networkNotFoundError('networks.get', 'network', ref, err);
      throw err;
    }
  }
  const net = await hcn.networks.findByName(ref);
  if (!net) throw networkNotFoundError('networks.findByName', 'network', ref);
  return net.id;
}

/** Backend endpoint ID → IP for one load balancer, from its own backends only. */
async function backendIndex(hcn: Hcn, info: LoadBalancerInfo): Promise<EndpointIndex> {
  return indexEndpoints(await backendEndpoints(hcn, info.backendIds));
}

function printLoadBalancer(ctx: CommandContext, info: LoadBalancerInfo, eps: EndpointIndex, extra?: Record<string, unknown>): void {
  const view = loadBalancerView(info, eps);
  if (ctx.globals.json) ctx.printJson(extra ? { ...view, ...extra } : view);
  else ctx.print(renderLoadBalancer(view, ctx.globals.out));
}

/** Registers `hcn lb ...` on `program`. */
export function registerLb(program: Command, state: RunState): void {
  const lb = program.command('lb').description('create, list, show, update and delete load balancers');

  addGlobalOptions(
    addSpecOptions(
      lb
        .command('create')
        .description('create a load balancer and print it')
        .addHelpText(
          'after',
          '\nExample (the DSR walkthrough on the simulator\'s default node):\n' +
            '  hcn lb create --vip 13.0.0.13 --backend 10.0.0.14 --backend 10.0.0.15 --port tcp:8000:80 --dsr\n' +
            'The same from a JSON or YAML spec (- reads standard input; many at once: hcn apply -f):\n' +
            '  echo \'{"frontendVips":["13.0.0.13"],"backends":["10.0.0.14"],"ports":[{"protocol":"tcp","external":8000,"internal":80}],"dsr":true}\' | hcn lb create -f -\n' +
            'Backend IPs are looked up in one network: --network (ID or name; "network" in a spec file) when an IP is\n' +
            'on several networks, else the network of the other backends:\n' +
            '  hcn lb create --network vxlan0 --vip 13.0.0.13 --backend 10.0.0.14 --port tcp:8000:80 --dsr\n' +
            '\nTo choose the HNS backend here, put it before the command: hcn --backend simulated lb create ...',
        ),
    ).option('-f, --file <FILE|->', 'the whole spec from a JSON or YAML file (- reads standard input), instead of the options above'),
    { backend: false },
  ).action(
    action(state, async (ctx, _args, options) => {
      const o = options as SpecOptions & { file?: string };
      let fromFile: LoadBalancerSpec | undefined;
      if (o.file !== undefined) {
        if (hasSpecOptions(o)) {
          throw new UsageError('--file', '--file gives the whole spec and cannot be combined with --vip, --backend, --port ...');
        }
        if (o.network !== undefined) throw new UsageError('--network', '--file gives the whole spec: put "network" in the spec instead of --network');
        const { text, source } = await readSource('--file', o.file, ctx.readStdin);
        fromFile = parseDesired('--file', text, source, { single: true }).specs[0]!;
      } else {
        requireSpecOptions(o);
        // Validate without the host's features first, so a bad spec never opens the backend.
        buildSpec(o, undefined);
      }
      const hcn = await ctx.hcn();
      const spec = fromFile ? validateLoadBalancerSpec(fromFile, { features: await hcn.features() }) : buildSpec(o, await hcn.features());
      let created;
      try {
        created = await hcn.loadBalancers.create(spec);
      } catch (err) {
        throw await withPortOwner(hcn, spec, err);
      }
      printLoadBalancer(ctx, created.info, await backendIndex(hcn, created.info));
    }),
  );

  addGlobalOptions(
    addFrontendFilters(lb.command('list').alias('ls').description('list load balancers'), 'load balancers').addHelpText(
      'after',
      '\nExamples:\n  hcn lb list\n  hcn lb list --vip 13.0.0.13 --port 8000 --port 9000 --json   # on 13.0.0.13, port 8000 or 9000\n' +
        'Repeated filters are alternatives; different filters must all match. Nothing is printed when none match\n(--json: []).',
    ),
  ).action(
    action(state, async (ctx, _args, options) => {
      const hcn = await ctx.hcn();
      const f = options as FrontendFilterOptions;
      const handles = (await hcn.loadBalancers.list()).filter((h) => matchesFrontendFilter(h.info, f));
      // A listing: one listing of endpoints serves every load balancer listed.
      const eps = indexEndpoints(await hcn.endpoints.list());
      const views = handles.map((h) => loadBalancerView(h.info, eps));
      if (ctx.globals.json) ctx.printJson(views);
      else if (views.length === 0) ctx.emptyNote(hasFrontendFilter(f) ? `no load balancers match ${describeFrontendFilter(f)}` : 'no load balancers');
      else ctx.print(renderLoadBalancerTable(views, ctx.globals.out));
    }),
  );

  addGlobalOptions(examples(lb.command('show').alias('get').argument('<ID>', 'load balancer ID').description('show one load balancer'), 'hcn lb show 5c1b7c9e-2f3a-4a39-9d4f-0c6c1d1f6a10', 'hcn lb show 5c1b7c9e-2f3a-4a39-9d4f-0c6c1d1f6a10 --json')).action(
    action(state, async (ctx, args) => {
      const id = parseIdArg('ID', args[0]!);
      const hcn = await ctx.hcn();
      const handle = await hcn.loadBalancers.get(id);
      printLoadBalancer(ctx, handle.info, await backendIndex(hcn, handle.info));
    }),
  );

  addGlobalOptions(
    addSpecOptions(
      lb
        .command('update')
        .argument('<ID>', 'load balancer ID')
        .description('replace a load balancer\'s spec, or add/remove backends; prints the result')
        .addHelpText(
          'after',
          '\nExamples:\n' +
            '  hcn lb update ID --add-backend 10.0.0.16 --remove-backend 10.0.0.14   # edit the backends\n' +
            '  hcn lb update ID --vip 13.0.0.13 --backend 10.0.0.15 --port tcp:8000:80 --dsr   # a complete new spec\n' +
            'Either give the complete new spec (the same options as `hcn lb create`), or edit the backends.\n' +
            'Where HNS cannot modify in place (before 15.5) the load balancer is replaced and gets a new ID;\n' +
            'the output shows it (JSON: "previousId").',
        ),
    )
      .option('--add-backend <ip|id>', 'add a backend (repeat for more)', collect((v) => parseBackendArg('--add-backend', v)))
      .option('--remove-backend <ip|id>', 'remove a backend (repeat for more)', collect((v) => parseBackendArg('--remove-backend', v))),
    { backend: false },
  ).action(
    action(state, async (ctx, args, options) => {
      const id = parseIdArg('ID', args[0]!);
      const o = options as SpecOptions & { addBackend?: BackendArg[]; removeBackend?: BackendArg[] };
      const editing = (o.addBackend?.length ?? 0) > 0 || (o.removeBackend?.length ?? 0) > 0;
      const replacing = hasSpecOptions(o);
      if (editing && replacing) {
        throw new UsageError(
          o.addBackend ? '--add-backend' : '--remove-backend',
          '--add-backend/--remove-backend edit the current backends and cannot be combined with a new spec (--vip, --backend, --port ...)',
        );
      }
      if (!editing && !replacing) {
        throw new UsageError('ID', 'nothing to update: give the new spec (--vip, --backend, --port ...) or --add-backend/--remove-backend');
      }
      if (replacing) {
        // Spec options replace the whole spec; `lb update ID --dsr` alone reads like a toggle, so say so.
        if (!o.backend?.length || !o.port?.length) {
          const missing = !o.backend?.length ? '--backend' : '--port';
          throw new UsageError(
            missing,
            `spec options replace the whole load balancer spec, so ${missing} is required too (lb update takes the same options as lb create)`,
            `give the complete new spec (see the current one with \`hcn lb show ${id}\`), or change only the backends with --add-backend/--remove-backend`,
          );
        }
        buildSpec(o, undefined);
      }
      const hcn = await ctx.hcn();
      const features = await hcn.features();
      let spec: LoadBalancerSpec;
      let addedFrom: ((field: string) => string | undefined) | undefined;
      if (replacing) {
        spec = buildSpec(o, features);
      } else {
        const current = await hcn.loadBalancers.get(id);
        // An IP given here is looked up among this load balancer's own backends only (each queried by
        // ID, never a listing of every endpoint): removing picks the backend with that IP; adding an IP
        // one of them has is a duplicate; any other IP goes to the client as an IP, which resolves it
        // within one network (--network, else the other backends' network). With --network, only
        // backends on that network count (as the client resolves IPs there).
        const networkId = o.network === undefined ? undefined : await networkIdOf(hcn, o.network);
        const usesIps = [...(o.addBackend ?? []), ...(o.removeBackend ?? [])].some((b) => b.kind === 'ip');
        const own = usesIps ? await backendEndpoints(hcn, current.info.backendIds) : [];
        const byIp = new Map<string, string[]>();
        for (const ep of own) {
          if (networkId !== undefined && ep.networkId !== networkId) continue;
          for (const ip of ep.ipAddresses) byIp.set(ip, [...(byIp.get(ip) ?? []), ep.id]);
        }
        const backends = [...current.info.backendIds];
        for (const r of o.removeBackend ?? []) {
          const rid = r.kind === 'id' ? r.id : byIp.get(r.ip)?.find((x) => backends.includes(x));
          const at = rid === undefined ? -1 : backends.indexOf(rid);
          if (at < 0) {
            throw new UsageError('--remove-backend', `--remove-backend ${r.kind === 'id' ? r.id : r.ip} is not a backend of ${id}`, `see its backends with \`hcn lb show ${id}\``);
          }
          backends.splice(at, 1);
        }
        const added: string[] = [];
        for (const a of o.addBackend ?? []) {
          const aid = a.kind === 'id' ? a.id : byIp.get(a.ip)?.find((x) => backends.includes(x));
          if (aid !== undefined && backends.includes(aid)) {
            throw new UsageError('--add-backend', `--add-backend ${a.kind === 'id' ? a.id : a.ip} is already a backend of ${id}`);
          }
          // Unknown IPs go to the builder as IPs; the client resolves them (and fails by name if it cannot).
          const ref = aid ?? (a.kind === 'ip' ? a.ip : a.id);
          backends.push(ref);
          added.push(ref);
        }
        if (backends.length === 0) {
          throw new UsageError('--remove-backend', 'a load balancer needs at least one backend; delete it with `hcn lb delete` instead');
        }
        // backends[kept...] came from --add-backend: errors about them name that flag.
        const kept = backends.length - added.length;
        addedFrom = (field) => {
          const m = /^backends\[(\d+)\]/.exec(field);
          return m && Number(m[1]) >= kept ? '--add-backend' : undefined;
        };
        try {
          spec = specFromInfo(current.info, backends, features, o.network);
        } catch (err) {
          nameArgumentsOf(err, addedFrom);
          throw err;
        }
      }
      let updated;
      try {
        updated = await hcn.loadBalancers.update(id, spec);
      } catch (err) {
        if (addedFrom) nameArgumentsOf(err, addedFrom);
        throw err;
      }
      const strategy = updated.lastUpdate?.strategy ?? (updated.id === id ? 'modify' : 'create-then-delete');
      if (updated.id !== id) ctx.note(`note: this HNS cannot modify load balancers in place (needs 15.5+); ${id} was replaced by ${updated.id}`);
      printLoadBalancer(ctx, updated.info, await backendIndex(hcn, updated.info), ctx.globals.json ? { previousId: id, strategy } : undefined);
    }),
  );

  addGlobalOptions(
    addFrontendFilters(
      lb
        .command('delete')
        .alias('rm')
        .argument('[ID...]', 'load balancer IDs')
        .description('delete load balancers by ID, or every one matching --all and the filters')
        .option('--all', 'delete every load balancer (narrowed by --vip/--port/--protocol)')
        .option('--yes', 'confirm --all without filters (deletes every load balancer on the host)')
        .option('-f, --force', 'succeed for IDs that do not exist (already deleted)')
        .addHelpText('after', '\nExamples:\n  hcn lb delete 5c1b7c9e-2f3a-4a39-9d4f-0c6c1d1f6a10\n  hcn lb delete --all --vip 13.0.0.13 --vip 13.0.0.14   # every load balancer on either VIP'),
      'load balancers (with --all)',
    ),
  ).action(
    action(state, async (ctx, args, options) => {
      const o = options as FrontendFilterOptions & { all?: boolean; yes?: boolean; force?: boolean };
      const ids = args.map((a) => parseIdArg('ID', a));
      const filtered = hasFrontendFilter(o);
      if (o.all && ids.length > 0) throw new UsageError('--all', '--all deletes by filter; do not also give IDs');
      if (!o.all && filtered) throw new UsageError(o.vip?.length ? '--vip' : o.port?.length ? '--port' : '--protocol', 'filters select load balancers for --all; add --all');
      if (!o.all && ids.length === 0) throw new UsageError('ID', 'give at least one load balancer ID (or --all with filters)');
      if (o.all && !filtered && !o.yes) {
        throw new UsageError('--all', '--all without filters deletes every load balancer on this host (kube-proxy\'s too)', 'add --yes to confirm, or narrow it with --vip/--port/--protocol');
      }
      const hcn = await ctx.hcn();
      const targets = o.all ? (await hcn.loadBalancers.list()).filter((h) => matchesFrontendFilter(h.info, o)).map((h) => h.id) : [...new Set(ids)];
      const progress = createProgress(ctx.io.stderr, ctx.globals.progress, 'deleting', targets.length);
      const deleted: string[] = [];
      const notFound: string[] = [];
      const failed: { id: string; error: CliErrorJson['error'] }[] = [];
      // A few at a time: the SDK runs calls on its own pool; HNS itself serialises much of the work.
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const id = targets[next++]!;
          try {
            if (await hcn.loadBalancers.delete(id)) deleted.push(id);
            else notFound.push(id);
          } catch (err) {
            failed.push({ id, error: describeError(err, { command: ctx.command, backend: ctx.globals.backend }).error });
          }
          progress.tick();
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, targets.length) }, worker));
      progress.done();
      const order = (list: string[]) => list.sort((a, b) => targets.indexOf(a) - targets.indexOf(b));
      order(deleted);
      order(notFound);
      failed.sort((a, b) => targets.indexOf(a.id) - targets.indexOf(b.id));
      const missingIsError = !o.force && !o.all;
      if (ctx.globals.json) {
        ctx.printJson({ deleted, notFound, failed });
      } else {
        for (const id of deleted) ctx.print(`deleted ${id}\n`);
        for (const id of notFound) ctx.print(`${missingIsError ? 'not found' : 'already gone'} ${id}\n`);
        if (o.all && targets.length === 0) ctx.emptyNote('no load balancers matched');
      }
      for (const f of failed) ctx.reportError({ error: { ...f.error, message: `could not delete ${f.id}: ${f.error.message}` } });
      if (missingIsError && notFound.length > 0) {
        ctx.reportError({
          error: {
            code: 'ERROR_NOT_FOUND',
            hresult: 0x80070490,
            operation: ctx.command,
            message: `no load balancer ${notFound.join(', ')}`,
            hint: 'check the IDs with `hcn lb list`; add --force to ignore IDs that are already gone',
            argument: 'ID',
            exitCode: ExitCode.OperationFailed,
          },
        });
      }
      return failed.length > 0 || (missingIsError && notFound.length > 0) ? ExitCode.OperationFailed : ExitCode.Ok;
    }),
  );
}
