// The simulator's VFP model: how long the `vfp` control request (synchronous, on the JS thread: the
// bound `hcn.vfp` documents) and the client's typed `hcn.vfp.rules()` take with N DSR load balancers of
// two local backends each (2N LB_DSR rules), and rendering/parsing all those rules as vfpctrl text.
// Run: npx tsc -p tsconfig.json && node dist-test/bench/vfp.js [--quick]
import { Hcn } from '../ts/client';
import { parseVfpRules, renderVfpRules } from '../ts/vfp';
import { LoadBalancer } from '../ts/builders/load-balancer-builder';
import { flags, histogram, machine, micros, now, printTable, writeResults } from './common';

async function main(): Promise<void> {
  const { quick } = flags();
  const sizes = quick ? [100] : [100, 1000];
  const reps = quick ? 3 : 7;
  // Its own in-memory simulator: never the user's default state file.
  const hcn = await Hcn.open({ backend: 'simulated', statePath: null, timeoutMs: 600_000 });
  await hcn.simulator!.reset();
  const spec = (i: number) =>
    LoadBalancer.builder()
      .frontend(`11.${(i >> 8) + 1}.${i & 255}.1`)
      .backends(['10.0.0.14', '10.0.0.15'])
      .port({ protocol: 'tcp', external: 80, internal: 8080 })
      .dsr()
      .build();
  const rows: Array<Record<string, string | number>> = [];
  const results: Record<string, unknown>[] = [];
  let ids: string[] = [];
  for (const n of sizes) {
    for (let start = ids.length; start < n; start += 16) {
      const batch = await Promise.all(Array.from({ length: Math.min(16, n - start) }, (_, k) => hcn.loadBalancers.create(spec(start + k))));
      ids = ids.concat(batch.map((h) => h.id));
    }
    const control: number[] = [];
    const client: number[] = [];
    const text: number[] = [];
    let rules = 0;
    let bytes = 0;
    for (let i = 0; i < reps; i++) {
      let t = now();
      await hcn.simulator!.control({ op: 'vfp' });
      control.push(micros(t) / 1000);
      t = now();
      const rows = await hcn.vfp.rules({ layer: 'LB_DSR' });
      client.push(micros(t) / 1000);
      rules = rows.length;
      t = now();
      const rendered = renderVfpRules(rows.map((r) => r.rule));
      parseVfpRules(rendered);
      text.push(micros(t) / 1000);
      bytes = rendered.length;
    }
    const c = histogram(control);
    const h = histogram(client);
    const x = histogram(text);
    rows.push({ loadBalancers: n, rules, 'vfp control p50 ms': c.p50, 'max ms': c.max, 'hcn.vfp.rules p50 ms': h.p50, 'render+parse p50 ms': x.p50, 'text KiB': Math.round(bytes / 1024) });
    results.push({ loadBalancers: n, rules, controlMs: c, clientRulesMs: h, renderParseMs: x, textBytes: bytes });
  }
  printTable('VFP model (simulator)', rows);
  await hcn.simulator!.reset();
  await hcn.close();
  if (!quick) console.log(`written: ${writeResults('vfp', { machine: machine(), reps, results })}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
