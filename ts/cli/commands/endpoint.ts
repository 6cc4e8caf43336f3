// `hcn endpoint list|show` and `hcn network list|show`: the objects load balancers point at.
import { Command } from 'commander';
import { canonicalIp } from '../../net/ip';
import { asGuid, collect, parseIdArg, parseIpArg } from '../args';
import { ExitCode } from '../exit-codes';
import { action, addGlobalOptions, examples, type RunState } from '../kit';
import { describeError, type CliErrorJson } from '../report-error';
import { CliOperationError, UsageError } from '../usage-error';
import {
  endpointView,
  networkView,
  renderEndpoint,
  renderEndpointTable,
  renderNetwork,
  renderNetworkTable,
} from '../views';

/** Registers `hcn endpoint ...` on `program`. */
export function registerEndpoint(program: Command, state: RunState): void {
  const endpoint = program.command('endpoint').alias('ep').description('list, show, create (remote) and delete HNS endpoints: load balancer backends');

  addGlobalOptions(
    endpoint
      .command('list')
      .alias('ls')
      .description('list endpoints')
      .option('--network <id|name>', 'only endpoints of this network (repeat: any of them)', collect((v) => v))
      .option('--ip <ip>', 'only endpoints with this IP address (repeat: any of them)', collect((v) => parseIpArg('--ip', v)))
      .addHelpText('after', '\nExamples:\n  hcn endpoint list --network vxlan0\n  hcn endpoint list --ip 10.0.0.14 --ip 10.0.0.15 --json'),
  ).action(
    action(state, async (ctx, _args, options) => {
      const o = options as { network?: string[]; ip?: string[] };
      const hcn = await ctx.hcn();
      const networks = o.network ?? [];
      const ips = o.ip ?? [];
      // Repeated filters are alternatives: one SDK listing per network (each name resolved, and an
      // unknown one reported, by the SDK), merged in order.
      const lists = networks.length === 0 ? [await hcn.endpoints.list()] : await Promise.all(networks.map((n) => hcn.endpoints.list({ network: asGuid(n) ?? n })));
      const seen = new Set<string>();
      const endpoints = lists.flat().filter((e) => !seen.has(e.id) && seen.add(e.id) !== undefined && (ips.length === 0 || e.ipAddresses.some((a) => ips.includes(canonicalIp(a) ?? a))));
      const views = endpoints.map(endpointView);
      if (ctx.globals.json) {
        ctx.printJson(views);
      } else if (views.length === 0) {
        ctx.emptyNote('no endpoints');
      } else {
        const names = new Map((await hcn.networks.list()).map((n) => [n.id, n.name] as const));
        ctx.print(renderEndpointTable(views, ctx.globals.out, names));
      }
    }),
  );

  addGlobalOptions(
    endpoint
      .command('create-remote')
      .addHelpText('after', '\nExamples:\n  hcn endpoint create-remote --network vxlan0 --ip 10.0.1.7   # PA from the network\'s RemoteSubnetRoute\n  hcn endpoint create-remote --network vxlan0 --ip 10.0.1.7 --provider-address 10.231.111.98')
      .description('create a remote endpoint for a backend on another node (kube-proxy style: Flags remote, MAC 02-11-<ip>, provider address)')
      .requiredOption('--network <id|name>', 'the overlay network')
      .requiredOption('--ip <ip>', 'the remote pod\'s IP address', (v) => parseIpArg('--ip', v))
      .option('--provider-address <ip>', 'the other node\'s address (default: as kube-proxy: the network\'s last RemoteSubnetRoute covering the IP, else this node\'s IP)', (v) => parseIpArg('--provider-address', v))
      .option('--mac <mac>', 'MAC address (default 02-11-<ip bytes>)')
      .option('--name <name>', 'endpoint name'),
  ).action(
    action(state, async (ctx, _args, options) => {
      const o = options as { network: string; ip: string; providerAddress?: string; mac?: string; name?: string };
      if (o.mac !== undefined && !/^([0-9a-f]{2}[-:]){5}[0-9a-f]{2}$/i.test(o.mac)) {
        throw new UsageError('--mac', `--mac '${o.mac}' is not a MAC address like 02-11-0a-00-01-05`);
      }
      const hcn = await ctx.hcn();
      const request: { network: string; ip: string; providerAddress?: string; mac?: string; name?: string } = {
        network: asGuid(o.network) ?? o.network,
        ip: o.ip,
      };
      if (o.providerAddress !== undefined) request.providerAddress = o.providerAddress;
      if (o.mac !== undefined) request.mac = o.mac.replace(/:/g, '-');
      if (o.name !== undefined) request.name = o.name;
      const view = endpointView(await hcn.endpoints.createRemote(request));
      if (ctx.globals.json) ctx.printJson(view);
      else ctx.print(renderEndpoint(view, ctx.globals.out));
    }),
  );

  addGlobalOptions(
    endpoint
      .command('delete')
      .addHelpText('after', '\nExample:\n  hcn endpoint delete 3f8e6b21-5c7d-4e19-a0b4-0a000000000e --force')
      .alias('rm')
      .argument('<ID...>', 'endpoint IDs')
      .description('delete remote endpoints (local pod endpoints belong to the container runtime and are refused)')
      .option('-f, --force', 'succeed for IDs that do not exist (already deleted)'),
  ).action(
    action(state, async (ctx, args, options) => {
      const ids = args.map((a) => parseIdArg('ID', a));
      const force = (options as { force?: boolean }).force === true;
      const hcn = await ctx.hcn();
      const deleted: string[] = [];
      const notFound: string[] = [];
      // One ID failing (a local endpoint, one still in use) never hides what happened to the others:
      // every ID lands in deleted, notFound or failed, as with `lb delete`.
      const failed: { id: string; error: CliErrorJson['error'] }[] = [];
      for (const id of [...new Set(ids)]) {
        try {
          let info;
          try {
            info = await hcn.endpoints.get(id);
          } catch (err) {
            if ((err as { name?: string }).name === 'HcnNotFoundError' || /NOT_FOUND/.test(String((err as { code?: string }).code))) {
              notFound.push(id);
              continue;
            }
            throw err;
          }
          if (!info.remote) {
            throw new CliOperationError(
              'HCN_REFUSED',
              'hcn endpoint delete',
              `endpoint ${id} (${info.ipAddresses.join(',') || 'no IP'}) is a local endpoint`,
              'local endpoints belong to the container runtime; hcn only deletes remote endpoints',
            );
          }
          if (await hcn.endpoints.delete(id)) deleted.push(id);
          else notFound.push(id);
        } catch (err) {
          failed.push({ id, error: describeError(err, { command: ctx.command, backend: ctx.globals.backend }).error });
        }
      }
      if (ctx.globals.json) ctx.printJson({ deleted, notFound, failed });
      else {
        for (const id of deleted) ctx.print(`deleted ${id}\n`);
        for (const id of notFound) ctx.print(`${force ? 'already gone' : 'not found'} ${id}\n`);
      }
      for (const f of failed) ctx.reportError({ error: f.error });
      if (notFound.length > 0 && !force) {
        ctx.reportError({
          error: {
            code: 'ERROR_NOT_FOUND',
            hresult: 0x80070490,
            operation: ctx.command,
            message: `no endpoint ${notFound.join(', ')}`,
            hint: 'check the IDs with `hcn endpoint list`; add --force to ignore IDs that are already gone',
            argument: 'ID',
            exitCode: ExitCode.OperationFailed,
          },
        });
      }
      return failed.length > 0 || (notFound.length > 0 && !force) ? ExitCode.OperationFailed : ExitCode.Ok;
    }),
  );

  addGlobalOptions(examples(endpoint.command('show').alias('get').argument('<ID>', 'endpoint ID').description('show one endpoint'), 'hcn endpoint show 3f8e6b21-5c7d-4e19-a0b4-0a000000000e')).action(
    action(state, async (ctx, args) => {
      const id = parseIdArg('ID', args[0]!);
      const hcn = await ctx.hcn();
      const view = endpointView(await hcn.endpoints.get(id));
      if (ctx.globals.json) ctx.printJson(view);
      else ctx.print(renderEndpoint(view, ctx.globals.out));
    }),
  );
}

/** Registers `hcn network ...` on `program`. */
export function registerNetwork(program: Command, state: RunState): void {
  const network = program.command('network').alias('net').description('list and show HNS networks');

  addGlobalOptions(examples(network.command('list').alias('ls').description('list networks'), 'hcn network list', 'hcn network list --json')).action(
    action(state, async (ctx) => {
      const hcn = await ctx.hcn();
      const views = (await hcn.networks.list()).map(networkView);
      if (ctx.globals.json) ctx.printJson(views);
      else if (views.length === 0) ctx.emptyNote('no networks');
      else ctx.print(renderNetworkTable(views, ctx.globals.out));
    }),
  );

  addGlobalOptions(
    examples(network.command('show').alias('get').argument('<ID|NAME>', 'network ID or name').description('show one network, by ID or name'), 'hcn network show vxlan0'),
  ).action(
    action(state, async (ctx, args) => {
      const key = args[0]!;
      const hcn = await ctx.hcn();
      const id = asGuid(key);
      let info;
      if (id) {
        info = await hcn.networks.get(id);
      } else {
        if (key.trim() === '') parseIdArg('ID|NAME', key);
        info = await hcn.networks.findByName(key);
        if (!info) {
          throw new CliOperationError('ERROR_NOT_FOUND', 'networks.findByName', `no network named '${key}'`, 'list the networks with `hcn network list`');
        }
      }
      const view = networkView(info);
      if (ctx.globals.json) ctx.printJson(view);
      else ctx.print(renderNetwork(view, ctx.globals.out));
    }),
  );
}
