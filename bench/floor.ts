// Builds and runs the C++ floor (bench/floor/floor.cc): the simulator calls the bridge makes, with
// no JavaScript. It links the addon's own simulator objects from the node-gyp build (same code,
// same -O3) when they are there, else compiles the simulator sources itself. The binary is kept
// in build-bench/ and rebuilt when a source is newer.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../ts/native';

function newest(files: string[]): number {
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

/** Path of the floor binary, built first when missing or out of date. */
export function floorBinary(): string {
  const root = packageRoot();
  const out = path.join(root, 'build-bench', 'floor');
  const src = path.join(root, 'bench', 'floor', 'floor.cc');
  const simdjson = path.dirname(require.resolve('@nozbe/simdjson/package.json'));
  const objDir = path.join(root, 'build', 'Release', 'obj.target', 'hcn_sdk');
  const simSources = fs
    .readdirSync(path.join(root, 'src', 'sim'))
    .filter((f) => f.endsWith('.cc') && f !== 'dll_exports.cc')
    .map((f) => path.join('src', 'sim', f));
  const sources = [...simSources, 'src/hcn/text.cc', 'src/hcn/function_names.cc'];
  const objects = [...sources.map((s) => path.join(objDir, s.replace(/\.cc$/, '.o'))), path.join(objDir, 'node_modules', '@nozbe', 'simdjson', 'src', 'simdjson.o')];
  const useObjects = objects.every((o) => fs.existsSync(o));
  const inputs = useObjects ? [src, ...objects] : [src, ...sources.map((s) => path.join(root, s))];
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= newest(inputs)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const flags = ['-std=c++17', '-O3', '-fno-exceptions', '-DSIMDJSON_EXCEPTIONS=0', '-pthread', `-I${path.join(simdjson, 'src')}`];
  const link = useObjects ? objects : [...sources.map((s) => path.join(root, s)), path.join(simdjson, 'src', 'simdjson.cpp')];
  console.log(`building the C++ floor (${useObjects ? 'linking the addon build objects' : 'compiling the simulator'}) ...`);
  execFileSync('g++', [...flags, src, ...link, '-o', out], { stdio: 'inherit', cwd: root });
  return out;
}

/** Runs the floor with arguments; returns its JSON line. */
export function runFloor<T = Record<string, number>>(args: Array<string | number>): T {
  const text = execFileSync(floorBinary(), args.map(String), { encoding: 'utf8' });
  return JSON.parse(text.trim().split('\n').pop()!) as T;
}
