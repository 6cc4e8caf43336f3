// Contract: VFP through the client (hcn.vfp) on whichever backend test/contract/backend.ts picks: the
// LB_DSR rule a DSR load balancer programs on each local backend's port (the walkthrough's rule and
// DIP ranges), text and typed rules agreeing, verifyDsr({ vfp: true }) passing and failing by port and
// rule, the non-DSR families, rules following their load balancers, and explainFlow's two legs.
import test from 'ava';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import { explainFlow } from '../../ts/explain';
import { parseVfpRules, renderVfpRules } from '../../ts/vfp';
import { verifyDsr } from '../../ts/verify';
import { BACKEND, contract, openFixture, simulatorOnly, walkthroughSpec, type Fixture } from './backend';

// The simulator's own test network is created without a ManagementIP (real HNS fills one in), so
// the DSR rule names have no node address to check against there.
const NO_MGMT = BACKEND.ownNetwork && !BACKEND.integration;
const SKIP = 'skipped with HCN_CONTRACT_OWN_NETWORK on a simulator: its test network has no ManagementIP to name DSR rules by';
const vfpContract = (title: string, fn: Parameters<typeof contract>[1]): void => (NO_MGMT ? test.skip(`${title} (${SKIP})`, fn) : contract(title, fn));
const vfpSimulatorOnly = (title: string, fn: Parameters<typeof contract>[1]): void => (NO_MGMT ? test.skip(`${title} (${SKIP})`, fn) : simulatorOnly(title, fn));

function mgmtOf(fx: Fixture): string {
  return fx.network.managementIp ?? fx.network.providerAddress ?? '';
}

async function portsOfBackends(fx: Fixture): Promise<string[]> {
  const ports = await fx.hcn.vfp.ports();
  return fx.endpoints.map((e) => {
    const p = ports.find((x) => x.endpointId === e.id);
    if (!p) throw new Error(`no VFP port for endpoint ${e.id}`);
    return p.id;
  });
}

vfpContract("a DSR load balancer's LB_DSR rule is on both backends' ports, with both DIPs", async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const ports = await portsOfBackends(fx);
  const rules = await fx.hcn.vfp.rules({ layer: 'LB_DSR' });
  const name = new RegExp(`^LB_DSR_\\w+_${mgmtOf(fx).replace(/\./g, '\\.')}_13\\.0\\.0\\.13_8000_80_6(_\\w+)?$`);
  for (const port of ports) {
    const onPort = rules.filter((r) => r.port === port && name.test(r.rule.name));
    t.is(onPort.length, 1, `port ${port}`);
    const rule = onPort[0]!.rule;
    t.is(rule.group, 'LB_DSR_IPv4_OUT');
    t.is(rule.type, 'lbnat');
    t.deepEqual(
      rule.dips.map((d) => `${d.ip}:${d.port}`).sort(),
      fx.backendIps.map((ip) => `${ip}:80`).sort(),
    );
  }
  if (BACKEND.hasSimulator && !BACKEND.ownNetwork) {
    // The walkthrough's capture, to the letter: DIP ranges { 10.0.0.15 : 80 } { 10.0.0.14 : 80 }.
    const text = renderVfpRules(rules.filter((r) => r.port === ports[0]).map((r) => r.rule));
    t.regex(text, /RULE : LB_DSR_[0-9A-F]{5}_10\.231\.111\.97_13\.0\.0\.13_8000_80_6\n/);
    t.regex(text, /DIP Range\(s\) : \{ 10\.0\.0\.15 : 80 \} \{ 10\.0\.0\.14 : 80 \}/);
  }
  // The text layout reads back to the same typed rules.
  for (const port of ports) {
    const typed = rules.filter((r) => r.port === port).map((r) => r.rule);
    t.deepEqual(parseVfpRules(renderVfpRules(typed)), typed);
  }
  t.true(await lb.delete());
  t.deepEqual((await fx.hcn.vfp.rules({ layer: 'LB_DSR' })).filter((r) => name.test(r.rule.name)), [], 'the rules go with the load balancer');
});

vfpContract('verifyDsr with vfp: passes on the programmed rules', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const report = await verifyDsr(fx.hcn, { vip: fx.vip, vfp: true });
  t.true(report.ok, report.reason ?? '');
  t.true(report.vfp.checked);
  const row = report.loadBalancers.find((c) => c.id === lb.id)!;
  t.is(row.vfp!.length, 2, 'both local backends checked');
  t.true(row.vfp!.every((p) => p.ok && p.port !== null));
  await lb.delete();
});

vfpSimulatorOnly('verifyDsr with vfp: fails naming the port and the rule after a backend\'s rule is removed', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const [, port15] = await portsOfBackends(fx);
  const rule = (await fx.hcn.vfp.rules({ port: port15, layer: 'LB_DSR' }))[0]!.rule;
  await fx.hcn.simulator!.removeVfpRule(port15!, rule.name);
  await t.throwsAsync(fx.hcn.simulator!.removeVfpRule(port15!, rule.name), { message: /has no rule/ });
  const report = await verifyDsr(fx.hcn, { vip: fx.vip, vfp: true });
  t.false(report.ok);
  const row = report.loadBalancers.find((c) => c.id === lb.id)!;
  t.false(row.ok);
  t.regex(row.problem!, new RegExp(`VFP port ${port15} \\(backend ${fx.backendIps[1]!.replace(/\./g, '\\.')}\\) lacks rule LB_DSR_\\*_${mgmtOf(fx).replace(/\./g, '\\.')}_13\\.0\\.0\\.13_8000_80_6`));
  t.deepEqual(
    row.vfp!.map((p) => p.ok),
    [true, false],
  );
  await lb.delete();
});

vfpContract('a non-DSR load balancer: NAT rules on the backends, the load-balancing rule on the host vNIC, the reply back through it', async (t) => {
  const fx = await openFixture(t);
  const spec = LoadBalancer.builder().frontend('13.0.0.14').backends(fx.backendIps).port({ protocol: 'tcp', external: 8001, internal: 80 }).build();
  const lb = await fx.hcn.loadBalancers.create(spec);
  const ports = await fx.hcn.vfp.ports();
  const host = ports.find((p) => p.kind === 'host');
  t.truthy(host);
  const rules = await fx.hcn.vfp.rules();
  t.true(rules.some((r) => r.port === host!.id && r.rule.layer === 'SLB_LB_LAYER' && /^LB_\w+_13\.0\.0\.14_8001_8001_6$/.test(r.rule.name)));
  for (const port of await portsOfBackends(fx)) {
    t.true(rules.some((r) => r.port === port && r.rule.layer === 'SLB_NAT_LAYER' && /^NAT_\w+_13\.0\.0\.14_8001_6$/.test(r.rule.name)), `NAT rule on ${port}`);
  }
  t.false(rules.some((r) => r.rule.layer === 'LB_DSR' && r.rule.name.includes('_13.0.0.14_')), 'no DSR rule for a non-DSR load balancer');
  const trace = await explainFlow(fx.hcn, { from: '10.0.1.5:40000', to: '13.0.0.14:8001', protocol: 'tcp' });
  t.true(trace.matched);
  t.false(trace.dsr);
  t.is(trace.rule!.portId, host!.id);
  t.true(trace.reply.some((h) => h.portId === host!.id && /back through the load-balancing rule/.test(h.action)));
  await lb.delete();
});

vfpContract('explainFlow: the DSR rule, a backend DIP and the direct reply; nothing matches a wrong port', async (t) => {
  const fx = await openFixture(t);
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const trace = await explainFlow(fx.hcn, { from: '10.0.1.5:40000', to: `${fx.vip}:8000`, protocol: 'tcp' });
  t.true(trace.matched, trace.reason ?? '');
  t.true(trace.dsr);
  t.regex(trace.rule!.name, /^LB_DSR_/);
  t.true(fx.backendIps.includes(trace.dip!.ip));
  t.true(trace.dip!.local);
  t.deepEqual(trace.reply[trace.reply.length - 1]!.source, { ip: fx.vip, port: 8000 });
  const miss = await explainFlow(fx.hcn, { from: '10.0.1.5:40000', to: `${fx.vip}:9999` });
  t.false(miss.matched);
  t.regex(miss.reason!, /not balanced on port 9999/);
  await lb.delete();
});

vfpContract("every local pod's port carries the DSR rule, not only the backends'; a deleted endpoint takes its port with it", async (t) => {
  const fx = await openFixture(t);
  const ep = await fx.hcn.endpoints.create(fx.network.id, { Name: 'vfp-extra', IpConfigurations: [{ IpAddress: fx.backendIps[0]!.replace(/\d+$/, '77'), PrefixLength: 24 }] });
  const lb = await fx.hcn.loadBalancers.create(walkthroughSpec(fx));
  const port = (await fx.hcn.vfp.ports()).find((p) => p.endpointId === ep.id);
  t.truthy(port, 'the new endpoint has a VFP port');
  // microsoft/wcnscripts networkhealth.ps1 expects the LB_DSR rule on each local endpoint's port.
  const onExtra = await fx.hcn.vfp.rules({ port: port!.id, layer: 'LB_DSR' });
  t.is(onExtra.length, 1);
  t.regex(onExtra[0]!.rule.name, /_13\.0\.0\.13_8000_80_6$/);
  // The backends' ports also get the NAT layer's rules for the load balancer.
  for (const p of await portsOfBackends(fx)) {
    t.true((await fx.hcn.vfp.rules({ port: p, layer: 'SLB_NAT_LAYER' })).some((r) => /^NAT_\w+_13\.0\.0\.13_8000_6$/.test(r.rule.name)));
  }
  t.deepEqual(await fx.hcn.vfp.rules({ port: port!.id, layer: 'SLB_NAT_LAYER' }), [], 'not a backend: no NAT rule');
  await lb.delete();
  await fx.hcn.endpoints.delete(ep.id);
  t.false((await fx.hcn.vfp.ports()).some((p) => p.endpointId === ep.id));
});
