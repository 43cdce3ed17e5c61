#!/usr/bin/env bash
# The README's test command: installs dependencies, then runs every test —
#   1. the unit and scenario tests (GoogleTest via CTest), warnings as errors;
#   2. the interop suite: build/bin/hush-interop against libsignal-client 0.65.4;
#   3. under AddressSanitizer + UndefinedBehaviorSanitizer: libhush's and
#      hushd's unit and storage tests, the end-to-end tests against a
#      sanitized hushd, and the interop suite against a sanitized driver;
#   4. each libFuzzer target for a bounded time, seeded from interop/vectors.
# Ends with one line "N passed, M failed" over all stages; exits non-zero on
# any failure. HUSH_FUZZ_SECONDS (default 20) sets the time per fuzz target.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh || exit 1

passed=0
failed=0
logdir=$(mktemp -d)
stage() { echo; echo "==> $*"; }

# Adds a CTest run's counts ("X% tests passed, F tests failed out of T").
count_ctest() {
  local line total fails
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -n1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  passed=$((passed + total - fails)); failed=$((failed + fails))
}

stage "build (warnings as errors)"
if ! tools/build.sh build -DHUSH_WERROR=ON; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

stage "unit and scenario tests"
ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)" 2>&1 | tee "$logdir/ctest.log" | grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed'
count_ctest "$logdir/ctest.log"

stage "interop suite: hush-interop against @signalapp/libsignal-client 0.65.4"
node interop/suite/run.js --driver build/bin/hush-interop 2>&1 | tee "$logdir/interop.log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/interop.log" | tail -n1)
if [ -n "$line" ]; then
  passed=$((passed + $(cut -d' ' -f1 <<<"$line"))); failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
else
  failed=$((failed + 1))
fi

stage "unit, end-to-end and interop tests under AddressSanitizer + UndefinedBehaviorSanitizer"
# The protocol library's and the server's tests, the end-to-end tests (their
# hushd is the sanitized one from the same build: hostile clients, kill -9,
# malformed frames with ASan/UBSan watching the server), and the interop
# suite against a sanitized driver (hostile inputs from libsignal's side).
asan_tests="hush_core_tests hush_store_tests hush_server_unit_tests hush_server_db_tests hush_e2e_tests"
asan_targets="$asan_tests hushd hush-interop"
if HUSH_TARGETS="$asan_targets" tools/build.sh build-asan -DHUSH_SANITIZERS=address,undefined \
     -DHUSH_BUILD_BENCH=OFF -DHUSH_WERROR=ON; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  for t in $asan_tests; do
    build-asan/bin/$t --gtest_brief=1 2>&1 | tee "$logdir/$t.asan.log" | tail -n 3
    # --gtest_brief prints no "N tests, listed below" summary: failures are
    # what ran minus what passed or was skipped; no "ran" line means a crash.
    ran=$(grep -Eo '^\[==========\] [0-9]+ tests? from .* ran' "$logdir/$t.asan.log" | grep -Eo '^\[==========\] [0-9]+' | grep -Eo '[0-9]+$' || true)
    n=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$logdir/$t.asan.log" | grep -Eo '[0-9]+$' || echo 0)
    s=$(grep -cE '^\[  SKIPPED \] [A-Za-z]' "$logdir/$t.asan.log" || true)
    if [ -z "$ran" ]; then f=1; else f=$((ran - n - s)); fi
    grep -E '^\[  (FAILED  |SKIPPED )\] [A-Za-z]' "$logdir/$t.asan.log" || true
    passed=$((passed + n)); failed=$((failed + f))
  done
  node interop/suite/run.js --driver build-asan/bin/hush-interop 2>&1 | tee "$logdir/interop.asan.log" | grep -vE '^ok '
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/interop.asan.log" | tail -n1)
  if [ -n "$line" ]; then
    passed=$((passed + $(cut -d' ' -f1 <<<"$line"))); failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
  else
    failed=$((failed + 1))
  fi
  unset ASAN_OPTIONS UBSAN_OPTIONS
else
  echo "sanitizer build failed"; failed=$((failed + 1))
fi

stage "fuzzing (libFuzzer, ${HUSH_FUZZ_SECONDS:-20}s per target)"
if CC=clang CXX=clang++ HUSH_TARGETS=hush_fuzzers tools/build.sh build-fuzz -DHUSH_BUILD_FUZZERS=ON \
     -DHUSH_BUILD_TESTS=OFF -DHUSH_BUILD_BENCH=OFF; then
  if tools/fuzz.sh build-fuzz "${HUSH_FUZZ_SECONDS:-20}" >"$logdir/fuzz.log" 2>&1; then :; fi
  cat "$logdir/fuzz.log" | grep -E '^(ok|FAIL) '
  passed=$((passed + $(grep -c '^ok ' "$logdir/fuzz.log"))); failed=$((failed + $(grep -c '^FAIL ' "$logdir/fuzz.log")))
  if ! grep -qE '^(ok|FAIL) ' "$logdir/fuzz.log"; then echo "no fuzz target ran"; failed=$((failed + 1)); fi
else
  echo "fuzz build failed"; failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
