#!/usr/bin/env bash
# Runs libhush's benchmarks and the same operations on libsignal-client
# 0.65.4 in one go, and prints per operation: libhush time, the cost of the
# primitive calls it makes, their ratio against the goal, libsignal's time and
# libsignal/libhush. See docs/BENCHMARKS.md.
#
# Usage: bench/compare.sh [--no-build] [--build-dir DIR] [--min-time S]
#                         [--node-min-time S] [--keep DIR]
#   --no-build       use DIR/bin/hush_bench as it is
#   --build-dir DIR  build tree (default build-bench)
#   --min-time S     Google Benchmark min time per repetition (default 0.3)
#   --node-min-time S  timed seconds per repetition in Node (default 1)
#   --keep DIR       keep the raw JSON (hush.json, libsignal.json) in DIR
# Runs pinned to CPU 1 with taskset when available. Times are the median of
# 3 repetitions. Needs node and interop/node_modules (tools/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
build_dir=build-bench
min_time=0.3
node_min_time=1
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --build-dir) build_dir=$2; shift ;;
    --min-time) min_time=$2; shift ;;
    --node-min-time) node_min_time=$2; shift ;;
    --keep) keep=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ]; then
  # Same configuration as tools/build.sh (RelWithDebInfo, -O2), but only the
  # benchmark target and what it links.
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHUSH_BUILD_TESTS=OFF -DHUSH_BUILD_BENCH=ON >/dev/null
  cmake --build "$build_dir" --target hush_bench --parallel "$(nproc)"
fi
bin="$build_dir/bin/hush_bench"
[ -x "$bin" ] || { echo "missing $bin (build with HUSH_BUILD_BENCH=ON)" >&2; exit 1; }

pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c 1 true 2>/dev/null; then pin=(taskset -c 1); fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)

"${pin[@]}" "$bin" --benchmark_format=json --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true \
  --benchmark_min_time="$min_time" >"$out/hush.json"
"${pin[@]}" node bench/libsignal_bench.js --min-time "$node_min_time" --repetitions 3 >"$out/libsignal.json"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$out"/*.json "$keep"/; fi

node - "$out/hush.json" "$out/libsignal.json" "${pin[*]:-none}" "$load_before" "$load_after" \
  "$(( $(date +%s) - start ))" <<'EOF'
const fs = require('fs');
const [hushFile, lsFile, pin, loadBefore, loadAfter, seconds] = process.argv.slice(2);
const hush = JSON.parse(fs.readFileSync(hushFile, 'utf8'));
const ls = JSON.parse(fs.readFileSync(lsFile, 'utf8'));

const toNs = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
const med = {};
for (const b of hush.benchmarks) {
  if (b.aggregate_name !== 'median') continue;
  const k = toNs[b.time_unit];
  const per = b.messages || 1; // BM_PingPong / BM_Prim_PingPong: 2 messages per iteration
  const name = b.run_name.replace(/\/min_time:[0-9.]+/, '');
  med[name] = { cpu: (b.cpu_time * k) / per, wall: (b.real_time * k) / per };
}
const need = (name) => { if (!med[name]) throw new Error(`missing benchmark ${name}`); return med[name]; };

// operation, hush benchmark, primitive twin, ratio goal, libsignal key
const rows = [
  ['session setup', 'BM_SessionSetup', 'BM_Prim_SessionSetup', 1.2, 'session_setup'],
  ['one-way 100 B (enc+dec)', 'BM_OneWay/100', 'BM_Prim_OneWay/100', 1.5, 'one_way_100'],
  ['one-way 1 KiB (enc+dec)', 'BM_OneWay/1024', 'BM_Prim_OneWay/1024', null, 'one_way_1024'],
  ['ping-pong, per message', 'BM_PingPong', 'BM_Prim_PingPong', 1.2, 'ping_pong'],
  ['fingerprint v2, 5200 it.', 'BM_Fingerprint', 'BM_Prim_Fingerprint', null, 'fingerprint'],
  ['  encrypt 100 B only', 'BM_Encrypt/100', 'BM_Prim_Encrypt/100', null, null],
  ['  decrypt 100 B only', 'BM_Decrypt/100', 'BM_Prim_Decrypt/100', null, null],
];

const fmt = (ns) => ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} us` : `${Math.round(ns)} ns`;
const pad = (s, n) => String(s).padStart(n);
const padr = (s, n) => String(s).padEnd(n);

function table(kind) {
  const lines = [];
  lines.push(`| operation | hush | primitives | hush/prim | goal | | libsignal | libsignal/hush | |`);
  lines.push(`|---|--:|--:|--:|--:|---|--:|--:|---|`);
  for (const [label, h, p, goal, lk] of rows) {
    const hv = need(h)[kind];
    const pv = need(p)[kind];
    const ratio = hv / pv;
    const verdict = goal === null ? '' : ratio <= goal ? 'PASS' : 'MISS';
    let lsv = '', lsr = '', faster = '';
    if (lk) {
      const r = ls.results[lk];
      const v = kind === 'cpu' ? r.cpu_ns : r.wall_ns;
      lsv = fmt(v);
      lsr = `${(v / hv).toFixed(2)}x`;
      faster = v > hv ? 'PASS' : 'MISS';
    }
    lines.push(`| ${label} | ${fmt(hv)} | ${fmt(pv)} | ${ratio.toFixed(2)}x | ${goal === null ? '-' : goal.toFixed(1) + 'x'} | ${verdict} | ${lsv} | ${lsr} | ${faster} |`);
  }
  return lines.join('\n');
}

console.log(`hush_bench (${hush.context.date}, ${hush.context.num_cpus} CPUs @ ${hush.context.mhz_per_cpu} MHz), ` +
  `libsignal-client ${ls.libsignal_client} on Node ${ls.node}; pinned: ${pin}; ` +
  `load average ${loadBefore} before, ${loadAfter} after; ${seconds} s`);
console.log('Medians of 3 repetitions. "primitives": the same crypto-seam calls alone (bench/primitives_bench.cpp).');
console.log('\nCPU time per operation (primary: the machine is shared, CPU time is what the code costs):\n');
console.log(table('cpu'));
console.log('\nWall-clock time per operation:\n');
console.log(table('wall'));

const sq = need('BM_DecryptWithSqliteCommit/real_time');
const dm = need('BM_Decrypt/100');
console.log(`\nDecrypt 100 B with SqliteProtocolStore commit (WAL, synchronous=FULL, fsync per commit): ` +
  `${fmt(sq.wall)} wall, ${fmt(sq.cpu)} CPU per message (in-memory store: ${fmt(dm.wall)} wall, ${fmt(dm.cpu)} CPU).`);

const call = (k) => (ls.results[k] ? ls.results[k].cpu_ns : NaN);
const calls = [
  ['X25519 keygen (random + base)', med['BM_RandomFill/32'].cpu + med['BM_X25519Base'].cpu, call('call_keygen')],
  ['X25519 agreement', med['BM_X25519Agree'].cpu, call('call_agree')],
  ['XEdDSA sign (random 64 + sign)', med['BM_RandomFill/64'].cpu + med['BM_XeddsaSign'].cpu, call('call_sign')],
  ['XEdDSA verify', med['BM_XeddsaVerify'].cpu, call('call_verify')],
];
console.log('\nSingle public-key calls, CPU: libhush seam vs libsignal-client (sync call through the Node binding):\n');
console.log('| call | libhush | libsignal | libsignal/hush |');
console.log('|---|--:|--:|--:|');
for (const [n, h, l] of calls) console.log(`| ${n} | ${fmt(h)} | ${fmt(l)} | ${(l / h).toFixed(2)}x |`);

console.log('\nPrimitives (CPU, median):\n');
const prims = Object.keys(med).filter((n) => !/^BM_(SessionSetup|OneWay|Encrypt|Decrypt|PingPong|Fingerprint|Prim_)/.test(n)).sort();
for (const n of prims) console.log(`  ${padr(n, 52)} ${pad(fmt(med[n].cpu), 10)}`);
EOF
