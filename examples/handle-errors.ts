// Example: the SDK's typed errors, each one provoked on purpose. On the simulator the HNS faults are
// injected (failNext, hang); on real HNS only the first three sections run.
// In your own project, import from 'hcn-sdk' instead of '../ts/index'.
import {
  Hcn,
  HcnError,
  HcnFeatureNotSupportedError,
  HcnNotFoundError,
  HcnPortInUseError,
  HcnServiceUnavailableError,
  HcnTimeoutError,
  HcnValidationError,
  LoadBalancer,
} from '../ts/index';

/** Runs `fn` and returns what it threw (fails when it did not throw). */
async function caught(what: string, fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    const e = err as HcnError;
    console.log(`${what}: ${e.constructor.name} code=${e.code} operation=${e.operation}`);
    return err;
  }
  throw new Error(`${what}: expected an error`);
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(`unexpected: ${what}`);
}

async function main(): Promise<void> {
  const hcn = await Hcn.open({ backend: process.env.HCN_BACKEND === 'hcn' ? 'hcn' : 'simulated' });
  const spec = LoadBalancer.builder()
    .frontend('13.0.0.13')
    .backend('10.0.0.14')
    .port({ protocol: 'tcp', external: 8000, internal: 80 })
    .dsr()
    .build();
  try {
    // 1. Validation: nothing is sent to HNS; the error names the field and the rule.
    const v = await caught('port 70000', () => LoadBalancer.builder().frontend('13.0.0.13').backend('10.0.0.14').port({ protocol: 'tcp', external: 70000 }).build());
    expect(v instanceof HcnValidationError && v.field === 'ports[0].external' && v.rule === 'range', 'validation error for the port');

    // 2. Not found: a load balancer that does not exist. (delete() of one returns false instead.)
    const nf = await caught('unknown id', () => hcn.loadBalancers.get('00000000-0000-4000-8000-000000000001'));
    expect(nf instanceof HcnNotFoundError, 'HcnNotFoundError');
    expect((await hcn.loadBalancers.delete('00000000-0000-4000-8000-000000000001')) === false, 'delete of a missing LB is false');

    // 3. Port in use: a second load balancer on the same VIP, protocol and port (0x803B0013).
    const lb = await hcn.loadBalancers.create(spec);
    try {
      const pu = await caught('same frontend twice', () => hcn.loadBalancers.create(spec));
      expect(pu instanceof HcnPortInUseError && (pu as HcnError).hresult === 0x803b0013, 'HcnPortInUseError');
    } finally {
      await lb.delete();
    }

    const sim = hcn.simulator;
    if (!sim) return;

    // 4. A host that lacks a feature: DSR needs HNS 10.2 (or 9.3-9.x).
    await sim.setVersion(10, 1);
    const fe = await caught('DSR on HNS 10.1', async () => spec && LoadBalancer.builder(spec).build({ features: await hcn.features({ refresh: true }) }));
    expect(fe instanceof HcnFeatureNotSupportedError && fe.feature === 'dsr' && fe.minVersion === '10.2', 'feature error names dsr and 10.2');
    await sim.reset();
    await hcn.features({ refresh: true });

    // 5. HNS stopped (HCN_E_MANAGER_STOPPED): "unavailable" is not "not found" — never treat it as gone.
    await sim.failNext('HcnCreateLoadBalancer', 0x803b0020);
    const su = await caught('HNS stopped', () => hcn.loadBalancers.create(spec));
    expect(su instanceof HcnServiceUnavailableError, 'HcnServiceUnavailableError');

    // 6. A hung HNS call: the promise rejects at the deadline instead of hanging the process.
    await sim.hang('HcnEnumerateLoadBalancers');
    const to = await caught('hung enumerate', () => hcn.loadBalancers.list({ timeoutMs: 200 }));
    await sim.release();
    expect(to instanceof HcnTimeoutError, 'HcnTimeoutError');
    console.log('every error came back typed');
  } finally {
    await hcn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
