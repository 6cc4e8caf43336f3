#!/usr/bin/env bash
# The sanitizer lane: builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (cmake-js,
# HCN_SANITIZE=ON) into its own folder, compiles the tests, and runs the native tests
# (test/native/*.test.ts) with the addon's libasan preloaded into node. ava's worker processes and the
# tests' own child processes inherit LD_PRELOAD and the options, so every process that loads the
# addon is checked. Leak detection is off (node itself leaks at exit); HCN handle and string leaks
# are counted by the simulator and asserted by the tests. Any sanitizer report fails the lane.
#
# The build is a Debug one (-O0 -g): it compiles in well under a minute where -O3 with ASan takes
# several (simdjson), keeps every access the source makes, and gives exact stack traces.
#
# Usage: scripts/sanitize-lane.sh [--release] [--addon <sanitized hcn_sdk.node>] [--no-build] [test files...]
#   --release   build Release (-O3 -g) instead: slower to build, finds what only optimised code does
#   --addon     use this sanitized build instead of building one (e.g. a throwaway build)
#   --no-build  reuse the last build in $HCN_SANITIZE_OUT
# Env: HCN_SANITIZE_OUT (build folder, default build-sanitize), HCN_SANITIZE_TESTOUT (compiled
#   tests, default dist-test-sanitize).
# Last line: `sanitize: N passed, N failed`; exit status 0 only when nothing failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

out="${HCN_SANITIZE_OUT:-build-sanitize}"
testout="${HCN_SANITIZE_TESTOUT:-dist-test-sanitize}"
addon=""
build=1
config=Debug
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --addon) addon="$2"; build=0; shift 2 ;;
    --no-build) build=0; shift ;;
    --release) config=Release; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done

fail_lane() {
  echo "sanitize: $1" >&2
  echo "sanitize: 0 passed, 1 failed"
  exit 1
}

start=$SECONDS

if [ "$build" = 1 ]; then
  echo "sanitize: building the addon ($config) with ASan + UBSan into $out"
  debug=()
  [ "$config" = Debug ] && debug=(--debug)
  mkdir -p "$out"
  blog="$out/sanitize-build.log"
  if grep -q HCN_SANITIZE CMakeLists.txt; then
    npx cmake-js compile "${debug[@]}" --out "$out" --CDHCN_SANITIZE=ON >"$blog" 2>&1 || { tail -40 "$blog"; fail_lane "build failed (log: $blog)"; }
  else
    flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g"
    npx cmake-js compile "${debug[@]}" --out "$out" "--CDCMAKE_CXX_FLAGS=$flags" "--CDCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined" \
      >"$blog" 2>&1 || { tail -40 "$blog"; fail_lane "build failed (log: $blog)"; }
  fi
fi
if [ -z "$addon" ]; then
  addon="$out/$config/hcn_sdk.node"
  [ -f "$addon" ] || addon="$(find "$out" -name hcn_sdk.node -type f 2>/dev/null | head -n 1)"
  [ -n "$addon" ] && [ -f "$addon" ] || fail_lane "no hcn_sdk.node under $out"
fi
addon="$(cd "$(dirname "$addon")" && pwd)/$(basename "$addon")"

# The runtime the addon was linked against must be the one preloaded (a different libasan aborts).
libasan="$(ldd "$addon" | awk '/libasan\.so/ { print $3; exit }')"
[ -n "$libasan" ] || fail_lane "$addon is not linked against libasan: not a sanitizer build"
if [ "$(readlink -f "$libasan")" != "$(readlink -f "$(g++ -print-file-name=libasan.so)")" ]; then
  echo "sanitize: note: the addon's $libasan is not g++'s $(g++ -print-file-name=libasan.so); preloading the addon's"
fi

echo "sanitize: compiling tests into $testout"
# Other files may still have type errors while being written; tsc emits anyway.
mkdir -p "$testout"
npx tsc -p tsconfig.json --outDir "$testout" >"$testout/tsc.log" 2>&1 || echo "sanitize: tsc reported errors (see $testout/tsc.log); running what it emitted"
if [ ${#files[@]} -eq 0 ]; then
  files=("$testout"/test/native/*.test.js)
fi
[ -e "${files[0]}" ] || fail_lane "no native test files (${files[*]})"

logs="$(mktemp -d -t hcn-sanitize.XXXXXX)"
export HCN_SDK_ADDON="$addon"
export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"

# The preload reaches node and the addon loads (without the preload libasan refuses to start;
# LD_BIND_NOW makes a build with unresolved symbols fail here, not halfway through the tests).
LD_BIND_NOW=1 node -e "require('./$testout/ts/native').loadBinding()" \
  || fail_lane "the sanitized addon does not load under node with LD_PRELOAD=$libasan"

echo "sanitize: running ${#files[@]} test files under ASan + UBSan (addon: $addon)"
tap="$logs/tap.txt"
# Children of the tests get their hang guard scaled too: ASan on a loaded 2-core machine is slow.
HCN_TEST_HANG_SCALE=4 node node_modules/ava/entrypoints/cli.mjs --tap --timeout 180s "${files[@]}" >"$tap" 2>&1
ava_status=$?
unset LD_PRELOAD

passed=$(grep -cE '^ok [0-9]+' "$tap" || true)
skipped=$(grep -cE '^ok [0-9]+ .*# (SKIP|TODO)' "$tap" || true)
failed=$(grep -cE '^not ok [0-9]+' "$tap" || true)
passed=$((passed - skipped))

grep -E '^not ok [0-9]+' "$tap" | sed 's/^/  /'
reports=$(find "$logs" -name 'asan.*' -o -name 'ubsan.*' | sort)
if [ -n "$reports" ]; then
  first=1
  for r in $reports; do
    if [ "$first" = 1 ]; then
      echo "---- sanitizer report $(basename "$r") (first 40 lines)"
      head -n 40 "$r"
      first=0
    else
      echo "---- sanitizer report $(basename "$r"): $(grep -m1 -E 'ERROR: |runtime error' "$r" | sed 's/^==[0-9]*==//')"
    fi
  done
  # A report in a process that ava did not attribute to a test (a child, an after hook) still fails.
  n_reports=$(echo "$reports" | wc -l)
  [ "$failed" -ge "$n_reports" ] || failed=$n_reports
fi
# UBSan next to ASan (GCC) may write to stderr despite log_path: ava passes that into the TAP stream.
inline=$(grep -E 'runtime error: |ERROR: (Address|UndefinedBehavior|Leak)Sanitizer' "$tap" | sed 's/^[# ]*//' | sort | uniq -c | sort -rn)
if [ -n "$inline" ]; then
  echo "---- sanitizer findings in the test output (count, finding):"
  echo "$inline" | head -n 10
  n_inline=$(echo "$inline" | awk '{ n += $1 } END { print n }')
  [ "$failed" -ge "$n_inline" ] || failed=$n_inline
fi
if [ "$ava_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  tail -n 30 "$tap"
  failed=1
fi

if [ "$failed" -eq 0 ]; then
  rm -rf "$logs"
  echo "sanitize: $skipped skipped; $((SECONDS - start)) s"
else
  echo "sanitize: $skipped skipped; $((SECONDS - start)) s; TAP and sanitizer logs kept in $logs"
fi
echo "sanitize: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
