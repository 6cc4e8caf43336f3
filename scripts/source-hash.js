#!/usr/bin/env node
// Prints (or, required, returns) the SHA-256 of everything the native addon is built from: binding.gyp,
// CMakeLists.txt, cmake/ and src/ (paths and contents), plus the versions of the packages whose headers
// it compiles against. `npm run prebuild` writes it to prebuilds/SOURCES.sha256; `prepack` compares it
// with the current sources, so a package can never ship prebuilds of older sources.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function files(root, rel) {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(rel, f))
    .filter((f) => fs.statSync(path.join(root, f)).isFile());
}

/** The hash of the addon's sources under `root` (a package root). */
function sourceHash(root) {
  const hash = crypto.createHash('sha256');
  const list = ['binding.gyp', 'CMakeLists.txt', 'cmake', 'src']
    .flatMap((rel) => files(root, rel))
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => !f.endsWith('.md'))
    .sort();
  for (const f of list) {
    hash.update(`${f}\0`);
    hash.update(fs.readFileSync(path.join(root, f)));
    hash.update('\0');
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const dep of ['node-addon-api', '@nozbe/simdjson']) hash.update(`${dep}@${(pkg.dependencies || {})[dep] || ''}\0`);
  return hash.digest('hex');
}

module.exports = { sourceHash };

if (require.main === module) process.stdout.write(sourceHash(process.argv[2] || path.join(__dirname, '..')) + '\n');
