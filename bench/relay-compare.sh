#!/usr/bin/env bash
# hushd against the baseline relay (bench/baseline-relay.js, Node ws 8.18.3)
# on the goals of the performance issue (docs/BENCHMARKS.md, "hushd"):
#   G1  idle authenticated WebSockets: server RSS per connection <= 2 KiB
#   G2  server CPU per delivered envelope <= 1/3 of the baseline's, taken at
#       --cpu-rate and --rate (which both servers sustain: an overloaded
#       server's CPU per envelope says more about the overload than about the
#       code), and as fast as each can go with --max-devices connections (the
#       condition the issue measured the baseline in: 1,000 connections)
#   G3  end-to-end p99 <= 1 ms at 36,000 envelopes/s (--rate)
# Each server runs pinned to CPU 0 and hush-load to CPU 1 (taskset). CPU per
# envelope is utime+stime of the server process over the measured window
# divided by the envelopes delivered in it (hush-load --server-pid), so it
# holds on a shared machine; latencies do not, and are printed with the
# load average.
#
# Usage: bench/relay-compare.sh [--build-dir DIR] [--build] [--data-dir DIR]
#          [--idle N] [--devices N] [--cpu-rate R] [--rate R] [--size B] [--duration S] [--skip-idle]
#          [--max-devices N] [--sched-batch]
#   --build-dir DIR  where bin/hushd and bin/hush-load are (default build-bench)
#   --build          configure and build hushd and hush-load there first (RelWithDebInfo)
#   --data-dir DIR   parent of hushd's database directory (default: a new
#                    directory under /var/tmp, i.e. a real disk: every ack waits for an fsync)
#   --idle N         idle connections for G1 (default 19000)
#   --devices N      devices in the relay runs (default 200, in sender/receiver pairs)
#   --cpu-rate R     envelopes/s of the G2 runs (default 5000)
#   --rate R         envelopes/s of the G3 runs (default 36000)
#   --size B         envelope content bytes (default 256)
#   --duration S     measured seconds per relay run (default 10, after 2 s of warm-up)
#   --max-devices N  devices of the as-fast-as-possible runs (default 1000; 0 skips them)
#   --skip-idle      only the relay runs
#   --sched-batch    run hushd under SCHED_BATCH (chrt --batch 0): less CPU per
#                    envelope, more latency on a core shared with other work
# Needs node; runs `npm ci` in bench/relay when its node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-bench
build=0
data_parent=""
idle=19000
devices=200
rate=36000
cpu_rate=5000
size=256
duration=10
skip_idle=0
max_devices=1000
sched=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift ;;
    --build) build=1 ;;
    --data-dir) data_parent=$2; shift ;;
    --idle) idle=$2; shift ;;
    --devices) devices=$2; shift ;;
    --rate) rate=$2; shift ;;
    --cpu-rate) cpu_rate=$2; shift ;;
    --size) size=$2; shift ;;
    --duration) duration=$2; shift ;;
    --skip-idle) skip_idle=1 ;;
    --max-devices) max_devices=$2; shift ;;
    --sched-batch) sched=(chrt --batch 0) ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUSH_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build_dir" --target hushd hush-load --parallel "$(nproc)"
fi
hushd="$build_dir/bin/hushd"
load="$build_dir/bin/hush-load"
for b in "$hushd" "$load"; do [ -x "$b" ] || { echo "missing $b (try --build)" >&2; exit 1; }; done
if [ ! -d bench/relay/node_modules/ws ]; then (cd bench/relay && npm ci --no-audit --no-fund >/dev/null); fi

# Both servers and hush-load hold one descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
pin_server=()
pin_load=()
if command -v taskset >/dev/null 2>&1 && taskset -c 1 true 2>/dev/null; then
  pin_server=(taskset -c 0)
  pin_load=(taskset -c 1)
fi

work=$(mktemp -d "${data_parent:-/var/tmp}/relay-compare.XXXXXX")
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  exit 1
}

port=7800
# start_server hushd|baseline: a fresh server (fresh database) on a new port.
start_server() {
  port=$((port + 1))
  if [ "$1" = hushd ]; then
    rm -rf "$work/db"
    "${pin_server[@]}" "${sched[@]}" "$hushd" --data-dir "$work/db" --port "$port" --open-registration --log-level warn \
      --max-connections-per-address 100000 >"$work/hushd.log" 2>&1 &
  else
    "${pin_server[@]}" node bench/baseline-relay.js --port "$port" >"$work/baseline.log" 2>&1 &
  fi
  server_pid=$!
  wait_port "$port"
}

run_load() {  # target, then hush-load arguments; prints its JSON report
  local flag=()
  [ "$1" = baseline ] && flag=(--baseline)
  shift
  "${pin_load[@]}" "$load" "${flag[@]}" --port "$port" --server-pid "$server_pid" --json "$@" | tail -n 1
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
echo "relay-compare: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, pinned: ${pin_server[*]:-none} / ${pin_load[*]:-none}, hushd policy: ${sched[*]:-default}, data under $work"

results="$work/results"
: >"$results"
for target in hushd baseline; do
  if [ "$skip_idle" = 0 ]; then
    start_server "$target"
    echo "[$target] idle $idle, load $(loadavg)" >&2
    echo "idle $target $(loadavg | tr ' ' ,) $(run_load "$target" --idle "$idle" --hold 5 --connect-timeout 600 \
      --threads 1)" >>"$results"
    stop_server
  fi
  for r in "$cpu_rate" "$rate"; do
    start_server "$target"
    echo "[$target] relay $r/s, load $(loadavg)" >&2
    echo "relay@$r $target $(loadavg | tr ' ' ,) $(run_load "$target" --devices "$devices" --rate "$r" --size "$size" \
      --warmup 2 --duration "$duration")" >>"$results"
    stop_server
  done
  if [ "$max_devices" -gt 0 ]; then
    start_server "$target"
    echo "[$target] relay as fast as possible, $max_devices devices, load $(loadavg)" >&2
    echo "relay@max $target $(loadavg | tr ' ' ,) $(run_load "$target" --devices "$max_devices" --rate 0 --window 8 \
      --size "$size" --warmup 2 --duration "$duration")" >>"$results"
    stop_server
  fi
done

echo "raw hush-load reports (kind target load-average json):" >&2
cat "$results" >&2
node - "$results" "$idle" "$rate" "$cpu_rate" <<'EOF'
const fs = require('fs');
const [file, idle, rate, cpuRate] = process.argv.slice(2);
const runs = {};
for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const [kind, target, load, ...json] = line.split(' ');
  let r;
  try { r = JSON.parse(json.join(' ')); } catch { r = { error: json.join(' ') }; }
  runs[`${kind}/${target}`] = { ...r, load: load.replace(/,/g, ' ') };
}
const f = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '-');
const verdict = (ok) => (ok === undefined ? '' : ok ? 'MET' : 'MISSED');
const rows = [];
const ih = runs['idle/hushd'], ib = runs['idle/baseline'];
if (ih) {
  const kib = ih.rss_per_connection_kib;
  rows.push(['G1 idle RSS per connection', `${f(kib)} KiB (${ih.connected}/${ih.requested})`,
             ib ? `${f(ib.rss_per_connection_kib)} KiB (${ib.connected}/${ib.requested})` : '-',
             '<= 2 KiB', verdict(ih.connected === Number(idle) ? kib <= 2 : false), ih.load]);
}
const errs = (r) => `skipped ${r.skipped}, undelivered ${r.undelivered_at_end}, statuses ${JSON.stringify(r.send_statuses || {})}, closes ${JSON.stringify(r.close_codes || {})}`;
const ch2 = runs[`relay@${cpuRate}/hushd`], cb2 = runs[`relay@${cpuRate}/baseline`];
if (ch2 && cb2) {
  const ch = ch2.server_cpu_us_per_delivered, cb = cb2.server_cpu_us_per_delivered;
  rows.push([`G2 server CPU per delivered envelope at ${cpuRate}/s`, `${f(ch)} us`, `${f(cb)} us`,
             `<= 1/3 of baseline (${f(cb / 3)} us)`, verdict(ch <= cb / 3), `${ch2.load} / ${cb2.load}`]);
  rows.push([`delivered/s at ${cpuRate}/s (p50 / p99 ms)`, `${f(ch2.delivered_per_s, 0)} (${f(ch2.latency_ms.p50, 3)} / ${f(ch2.latency_ms.p99, 3)})`,
             `${f(cb2.delivered_per_s, 0)} (${f(cb2.latency_ms.p50, 3)} / ${f(cb2.latency_ms.p99, 3)})`, '', '', '']);
  rows.push([`errors at ${cpuRate}/s`, errs(ch2), errs(cb2), '', '', '']);
}
const rh = runs[`relay@${rate}/hushd`], rb = runs[`relay@${rate}/baseline`];
if (rh && rb) {
  rows.push([`G3 p99 at ${rate}/s (p50 / p99.9)`,
             `${f(rh.latency_ms.p99, 3)} ms (${f(rh.latency_ms.p50, 3)} / ${f(rh.latency_ms.p999, 3)})`,
             `${f(rb.latency_ms.p99, 3)} ms (${f(rb.latency_ms.p50, 3)} / ${f(rb.latency_ms.p999, 3)})`,
             '<= 1 ms', verdict(rh.latency_ms.p99 <= 1 && rh.delivered_per_s >= 0.99 * Number(rate)), `${rh.load} / ${rb.load}`]);
  rows.push([`delivered/s at ${rate}/s (server CPU per envelope)`, `${f(rh.delivered_per_s, 0)} (${f(rh.server_cpu_us_per_delivered)} us)`,
             `${f(rb.delivered_per_s, 0)} (${f(rb.server_cpu_us_per_delivered)} us)`, '', '', '']);
  rows.push([`G2 at ${rate}/s`, `${f(rh.server_cpu_us_per_delivered)} us`, `${f(rb.server_cpu_us_per_delivered)} us`,
             `<= 1/3 of baseline (${f(rb.server_cpu_us_per_delivered / 3)} us)`,
             verdict(rh.server_cpu_us_per_delivered <= rb.server_cpu_us_per_delivered / 3), '']);
  rows.push([`errors at ${rate}/s`, errs(rh), errs(rb), '', '', '']);
}
const mh = runs['relay@max/hushd'], mb = runs['relay@max/baseline'];
if (mh && mb) {
  const ch = mh.server_cpu_us_per_delivered, cb = mb.server_cpu_us_per_delivered;
  rows.push([`G2 as fast as possible, ${mh.devices} connections`, `${f(ch)} us`, `${f(cb)} us`,
             `<= 1/3 of baseline (${f(cb / 3)} us)`, verdict(ch <= cb / 3), `${mh.load} / ${mb.load}`]);
  rows.push(['delivered/s as fast as possible (p50 / p99 ms)',
             `${f(mh.delivered_per_s, 0)} (${f(mh.latency_ms.p50, 3)} / ${f(mh.latency_ms.p99, 3)})`,
             `${f(mb.delivered_per_s, 0)} (${f(mb.latency_ms.p50, 3)} / ${f(mb.latency_ms.p99, 3)})`, '', '', '']);
  rows.push(['errors as fast as possible', errs(mh), errs(mb), '', '', '']);
}
console.log('\n| goal | hushd | baseline | target | | load average (1/5/15 min) |');
console.log('|---|--:|--:|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
for (const [k, v] of Object.entries(runs)) if (v.error !== undefined) console.log(`${k}: no report: ${v.error}`);
EOF
