// `hcn features`: which backend is active, its HNS version, and what that version supports.
import { Command } from 'commander';
import { FEATURE_TABLE, minVersionOf } from '../../features';
import { action, addGlobalOptions, examples, type RunState } from '../kit';
import { featuresView, renderFeatures } from '../views';

/** Registers `hcn features` on `program`. */
export function registerFeatures(program: Command, state: RunState): void {
  addGlobalOptions(
    examples(program.command('features').description('show the active backend, its HNS version and the features it supports'), 'hcn features', 'hcn features --json'),
  ).action(
    action(state, async (ctx) => {
      const hcn = await ctx.hcn();
      const features = await hcn.features();
      const view = featuresView(hcn.backend, ctx.globals.statePath ?? null, features, (name) => ({
        title: FEATURE_TABLE[name].title,
        minVersion: minVersionOf(name, features.version),
      }));
      if (ctx.globals.json) ctx.printJson(view);
      else ctx.print(renderFeatures(view, ctx.globals.out));
    }),
  );
}
