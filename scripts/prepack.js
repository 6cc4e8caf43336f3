#!/usr/bin/env node
// `prepack` (runs before `npm pack` and `npm publish`): the package promises prebuilt addons for
// linux-x64 and win32-x64, so it is never packed without both, built from the current sources.
// When they are missing or stale it runs `npm run prebuild` (x86_64 Linux with g++ and mingw-w64);
// where that cannot work, or it fails, it refuses and says why and what to do.
//   HCN_PREPACK_BUILD=0   check only, never build (the package tests use it)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sourceHash } = require('./source-hash');

const TAGS = ['linux-x64', 'win32-x64'];
const root = process.cwd();

/** What is wrong with the prebuilds under root, one line each; [] when they are complete and current. */
function problems() {
  const out = [];
  for (const tag of TAGS) {
    const dir = path.join(root, 'prebuilds', tag);
    const nodes = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
    if (nodes.length === 0) out.push(`prebuilds/${tag}/ holds no .node file`);
  }
  if (out.length === 0) {
    const stampFile = path.join(root, 'prebuilds', 'SOURCES.sha256');
    const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
    if (stamp === '') out.push('prebuilds/SOURCES.sha256 is missing, so nothing says which sources the prebuilds were built from');
    else if (stamp !== sourceHash(root)) out.push('the prebuilds are stale: src/, binding.gyp, CMakeLists.txt or cmake/ changed since `npm run prebuild`');
  }
  return out;
}

function refuse(lines) {
  process.stderr.write(
    [
      'hcn-sdk prepack: refusing to pack without current prebuilds for linux-x64 and win32-x64:',
      ...lines.map((l) => `  - ${l}`),
      'The README promises that installing on Linux x64 and Windows x64 needs no compiler, so the package',
      'must carry both. Build them with `npm run prebuild` on an x86_64 Linux host with g++, make, Python 3',
      'and mingw-w64 (Debian: g++-mingw-w64-x86-64), then pack again.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

let wrong = problems();
if (wrong.length === 0) {
  process.stdout.write(`hcn-sdk prepack: prebuilds for ${TAGS.join(' and ')} are current\n`);
  process.exit(0);
}
if (process.env.HCN_PREPACK_BUILD === '0') refuse(wrong);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  refuse([...wrong, `this host is ${process.platform}-${process.arch}: the win32-x64 cross build needs x86_64 Linux`]);
}
process.stdout.write(`hcn-sdk prepack: ${wrong.join('; ')}: running npm run prebuild\n`);
const r = spawnSync('bash', [path.join(root, 'scripts', 'prebuild.sh')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) refuse([...wrong, `npm run prebuild failed (exit ${r.status ?? r.signal}); its output is above`]);
wrong = problems();
if (wrong.length > 0) refuse(wrong);
process.stdout.write('hcn-sdk prepack: prebuilds built\n');
