#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time:
#   tools/fuzz.sh BUILD_DIR SECONDS [TARGET...]
# The build comes from
#   CC=clang CXX=clang++ tools/build.sh build-fuzz -DHUSH_BUILD_FUZZERS=ON \
#     -DHUSH_BUILD_TESTS=OFF -DHUSH_BUILD_BENCH=OFF
# First writes the seed corpora (BUILD_DIR/fuzz/seeds/<target>/, from
# interop/vectors and the fuzz_decrypt fixture), then runs each target for
# SECONDS on BUILD_DIR/fuzz/corpus/<target>/ (new inputs go there and are kept
# for the next run; HUSH_FUZZ_FRESH=1 starts from the seeds alone) plus the
# seeds. Nothing is written outside BUILD_DIR.
#
# Prints one line per target:
#   ok   <target> (<execs> execs, <cov> coverage)
#   FAIL <target>: <reason>
# and after a FAIL line the crash input's path and the first lines of the
# sanitizer report (indented). Full logs: BUILD_DIR/fuzz/logs/<target>.log.
# Exits non-zero if any target failed. See docs/FUZZING.md.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: tools/fuzz.sh BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
build=$1
seconds=$2
shift 2
bin="$build/bin"
work="$build/fuzz"
report_lines=${HUSH_FUZZ_REPORT_LINES:-25}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$bin"/fuzz_*; do
    [ -x "$f" ] || continue
    n=$(basename "$f")
    [ "$n" = fuzz_seed_writer ] && continue
    targets+=("$n")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "FAIL fuzz: no fuzz targets in $bin (build with -DHUSH_BUILD_FUZZERS=ON)"
  exit 1
fi

mkdir -p "$work/logs"
[ "${HUSH_FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work/corpus"
rm -rf "$work/seeds"
failed=0
if [ -x "$bin/fuzz_seed_writer" ]; then
  if ! "$bin/fuzz_seed_writer" interop/vectors "$work/seeds" >"$work/logs/fuzz_seed_writer.log" 2>&1; then
    echo "FAIL fuzz_seed_writer: could not write the seed corpora (targets run without seeds)"
    sed -n "1,${report_lines}p" "$work/logs/fuzz_seed_writer.log" | sed 's/^/    /'
    failed=1
  fi
else
  echo "FAIL fuzz_seed_writer: $bin/fuzz_seed_writer not built (targets run without seeds)"
  failed=1
fi

symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1}
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer

# The reason a run failed, from its log.
reason_of() {
  local log=$1 rc=$2 line
  if line=$(grep -m1 -o '==HUSH-FUZZ== invariant violated: .*' "$log"); then
    echo "invariant violated: ${line#==HUSH-FUZZ== invariant violated: }"
  elif line=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer): [^ ]+' "$log"); then
    echo "${line#ERROR: }"
  elif line=$(grep -m1 -oE 'runtime error: .*' "$log"); then
    echo "UndefinedBehaviorSanitizer: ${line}"
  elif line=$(grep -m1 -oE 'ERROR: libFuzzer: [^(]*' "$log"); then
    echo "libFuzzer: ${line#ERROR: libFuzzer: }"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "did not finish (killed after the time limit)"
  else
    echo "exited with status $rc without a final report"
  fi
}

# The first lines of the report: from the first sanitizer/libFuzzer/invariant
# line on.
report_of() {
  local log=$1 start
  start=$(grep -nE '==HUSH-FUZZ==|==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer|fuzz_decrypt self-test|decrypt fixture:' "$log" |
    head -n1 | cut -d: -f1)
  if [ -n "$start" ]; then
    sed -n "${start},$((start + report_lines - 1))p" "$log"
  else
    tail -n "$report_lines" "$log"
  fi
}

for t in "${targets[@]}"; do
  exe="$bin/$t"
  log="$work/logs/$t.log"
  if [ ! -x "$exe" ]; then
    echo "FAIL $t: $exe not built"
    failed=1
    continue
  fi
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t" "$work/seeds/$t"
  # -max_total_time bounds the fuzzing; timeout bounds everything else
  # (a hang at start-up, a stuck merge) so the script always ends.
  timeout -k 10 $((seconds + 120)) "$exe" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$t/" \
    "$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1 </dev/null
  rc=$?
  execs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+')
  if [ "$rc" -eq 0 ] && [ -n "$execs" ] && grep -qE '^#[0-9]+[[:space:]]+DONE[[:space:]]' "$log"; then
    echo "ok   $t (${execs} execs, ${cov:-0} coverage)"
    continue
  fi
  failed=1
  echo "FAIL $t: $(reason_of "$log" "$rc")"
  crash=$(grep -m1 -oE 'Test unit written to .*' "$log" | sed 's/^Test unit written to //')
  if [ -n "$crash" ]; then
    echo "    crash input: $crash"
    echo "    reproduce:   $exe $crash"
  else
    echo "    crash input: none written (see $log)"
  fi
  report_of "$log" | sed 's/^/    /'
done
exit "$failed"
