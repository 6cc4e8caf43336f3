// `hcn version` (and `hcn --version`): the SDK's version, the addon's build, the active backend and
// its HNS version: what a bug report needs. Each part that cannot be read says why instead, and the
// command still succeeds (exit 0): a version query must work on a host where HNS does not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { addonOrigin, loadBinding, packageRoot } from '../../native';
import { renderPairs } from '../format';
import { action, addGlobalOptions, type RunState } from '../kit';
import { describeError } from '../report-error';

/** `hcn version --json`. */
export interface VersionView {
  /** The hcn-sdk package version. */
  sdk: string;
  /** Node.js running the command, and the Node-API version it offers. */
  node: { version: string; napi: number | null };
  /** The native addon; `error` says why it could not be loaded (then the other fields are null). */
  addon: {
    version: string | null;
    /** The Node-API version it was built for (package.json `binary.napi_versions`). */
    napi: number | null;
    platform: string;
    arch: string;
    /** `prebuild`, `build` (compiled on this machine) or `override` (HCN_SDK_ADDON). */
    kind: string | null;
    file: string | null;
    error: string | null;
  };
  /** The active backend and its HNS version; `error` says why HNS could not be asked. */
  backend: { name: string; statePath: string | null; hnsVersion: string | null; error: string | null };
}

function packageJson(): { version?: string; binary?: { napi_versions?: number[] } } {
  try {
    return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string; binary?: { napi_versions?: number[] } };
  } catch {
    return {};
  }
}

/** The SDK version from package.json (`0.0.0` when it cannot be read). */
export function sdkVersion(): string {
  return packageJson().version ?? '0.0.0';
}

const EXAMPLES = '\nExamples:\n  hcn version\n  hcn --version\n  hcn version --json --backend simulated';

/** Registers `hcn version` on `program`. */
export function registerVersion(program: Command, state: RunState): void {
  addGlobalOptions(
    program.command('version').description('print the SDK version, the addon build, the active backend and its HNS version').addHelpText('after', EXAMPLES),
  ).action(
    action(state, async (ctx) => {
      const pkg = packageJson();
      const napi = Number(process.versions.napi);
      const view: VersionView = {
        sdk: pkg.version ?? '0.0.0',
        node: { version: process.version, napi: Number.isFinite(napi) ? napi : null },
        addon: { version: null, napi: pkg.binary?.napi_versions?.[0] ?? null, platform: process.platform, arch: process.arch, kind: null, file: null, error: null },
        backend: { name: ctx.globals.backend, statePath: ctx.globals.statePath ?? null, hnsVersion: null, error: null },
      };
      try {
        const origin = addonOrigin();
        view.addon.file = origin.file;
        view.addon.kind = origin.kind;
        view.addon.version = loadBinding().version;
      } catch (err) {
        view.addon.error = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
      }
      if (view.addon.error === null) {
        try {
          const hcn = await ctx.hcn();
          const v = (await hcn.features()).version;
          view.backend.hnsVersion = v ? `${v.major}.${v.minor}` : null;
        } catch (err) {
          const d = describeError(err, { command: ctx.command, backend: ctx.globals.backend }).error;
          view.backend.error = `${d.code}: ${d.message.split('\n')[0]}`;
        }
      }
      if (ctx.globals.json) {
        ctx.printJson(view);
      } else {
        const a = view.addon;
        const b = view.backend;
        ctx.print(
          renderPairs([
            ['hcn-sdk', view.sdk],
            ['Node.js', `${view.node.version} (N-API ${view.node.napi ?? '?'})`],
            ['Addon', a.error ?? `${a.version}, N-API ${a.napi ?? '?'}, ${a.platform}-${a.arch}, ${a.kind === 'prebuild' ? 'prebuilt' : a.kind === 'build' ? 'built from source' : 'HCN_SDK_ADDON'}`],
            ['Addon file', a.file ?? '-'],
            ['Backend', `${b.name === 'hcn' ? 'hcn (this host\'s HNS)' : 'simulated (embedded HNS simulator)'}${b.statePath ? `, state ${b.statePath}` : ''}`],
            ['HNS version', b.error ?? b.hnsVersion ?? 'not reported'],
          ]),
        );
      }
    }),
  );
}
