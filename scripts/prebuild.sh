#!/usr/bin/env bash
# npm run prebuild: the binaries shipped inside the npm package, found at require time by
# node-gyp-build (prebuilds/<platform>-<arch>/*.node, Node-API so one file serves every Node >= 20).
#   - this host's platform (prebuilds/linux-x64/ on Linux) with prebuildify + node-gyp (binding.gyp)
#   - prebuilds/win32-x64/ with the mingw-w64 cross build of the Windows-ABI lane (Linux hosts)
# Windows (MSVC) prebuilds come from .github/workflows/windows.yml instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# node-gyp honours npm's nodedir (local headers) only through the environment.
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  if [ -n "$nodedir" ] && [ "$nodedir" != undefined ] && [ "$nodedir" != null ]; then
    export npm_config_nodedir="$nodedir"
  fi
fi

host="$(node -p 'process.platform + "-" + process.arch')"
echo "[prebuild] $host: prebuildify --napi (node-gyp)"
rm -rf "prebuilds/$host"
# --tag-libc: a glibc build must not be picked on musl (Alpine), where it cannot load.
npx --no-install prebuildify --napi --strip --tag-libc

if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ]; then
  echo "[prebuild] win32-x64: mingw-w64 cross build (scripts/wine-lane.sh --build-only)"
  rm -rf prebuilds/win32-x64
  bash scripts/wine-lane.sh --build-only
else
  echo "[prebuild] win32-x64 skipped: the cross build needs an x86_64 Linux host"
fi

# Which sources these prebuilds were built from: prepack refuses to pack when they differ.
node scripts/source-hash.js > prebuilds/SOURCES.sha256
find prebuilds -name '*.node' -print | sort
echo "[prebuild] sources: $(cat prebuilds/SOURCES.sha256)"
