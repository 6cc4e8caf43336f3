// Shared setup of the reconcile tests: one simulated client per test file (the embedded simulator is
// one HNS per process), numbered DSR specs, duplicate injection through a simulator state file, and
// the leak check.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { Hcn } from '../../ts/client';
import { LoadBalancer } from '../../ts/builders/load-balancer-builder';
import type { LoadBalancerSpec } from '../../ts/schema/models';

export const BACKENDS = ['10.0.0.14', '10.0.0.15'];

/** VIP number i: 13.1.<hi>.<lo>, inside 13.1.0.0/16. */
export function vip(i: number): string {
  return `13.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** Desired load balancer number i: DSR, TCP 80 → 8080, the simulator's two local pods by IP. */
export function spec(i: number, options: { backends?: string[]; port?: number; sourceVip?: string; frontend?: string } = {}): LoadBalancerSpec {
  return LoadBalancer.builder()
    .frontend(options.frontend ?? vip(i))
    .sourceVip(options.sourceVip ?? '10.231.111.97')
    .backends(options.backends ?? BACKENDS)
    .port({ protocol: 'tcp', external: options.port ?? 80, internal: 8080 })
    .dsr()
    .build();
}

export function specs(n: number, from = 0): LoadBalancerSpec[] {
  return Array.from({ length: n }, (_, k) => spec(from + k));
}

export async function openSimulated(): Promise<Hcn> {
  const hcn = await Hcn.open({ backend: 'simulated' });
  await hcn.simulator!.reset();
  return hcn;
}

/**
 * Gives HNS a second load balancer on the frontend of `existingId` (what HNS rehydration after a
 * restart can leave, kubernetes#139519): the simulator refuses such a create, so the copy goes in
 * through a state file. `change` edits the copy. Returns the copy's ID (lower-case).
 */
export async function injectDuplicate(
  hcn: Hcn,
  existingId: string,
  change: (lb: Record<string, unknown>) => void = () => undefined,
): Promise<{ id: string; cleanup: () => Promise<void> }> {
  const sim = hcn.simulator!;
  const state = (await sim.dump()) as { LoadBalancers: Array<Record<string, unknown>> };
  const original = state.LoadBalancers.find((lb) => String(lb.ID).toLowerCase() === existingId.toLowerCase());
  if (!original) throw new Error(`no load balancer ${existingId} in the simulator`);
  const id = randomUUID();
  const copy = { ...structuredClone(original), ID: id.toUpperCase() };
  change(copy);
  state.LoadBalancers.push(copy);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-reconcile-'));
  const file = path.join(dir, 'hns.json');
  fs.writeFileSync(file, JSON.stringify(state));
  await sim.configure(file);
  return {
    id,
    cleanup: async () => {
      await sim.configure(null);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until no native call of the client is running (an aborted call may still be in HNS). */
export async function settle(hcn: Hcn): Promise<void> {
  while (hcn.poolStats().busy > 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Nothing leaked in the simulator: no open handle, no unfreed string. */
export async function assertNoLeaks(t: ExecutionContext, hcn: Hcn): Promise<void> {
  await settle(hcn);
  const s = hcn.simulator!.stats();
  t.is(s.liveHandles, 0, 'live HCN handles');
  t.is(s.liveStrings, 0, 'live HCN strings');
}
