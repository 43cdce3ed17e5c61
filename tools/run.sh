#!/usr/bin/env bash
# The README's main job: install dependencies, build, and start hushd, the
# Hush server, on the embedded default (SQLite in ./hushd-data, loopback
# 127.0.0.1:7443). Extra arguments go to hushd (see build/bin/hushd --help);
# HUSH_* environment variables work as documented in docs/OPERATIONS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh build -DHUSH_BUILD_TESTS=OFF -DHUSH_BUILD_BENCH=OFF
data_dir=${HUSH_DATA_DIR:-hushd-data}
cat >&2 <<MSG
Starting hushd (data in $data_dir). In another terminal:
  build/bin/hushd invite create --data-dir $data_dir     # a one-time invite for a new user
  build/bin/hush init --server http://127.0.0.1:${HUSH_PORT:-7443} --user NAME --invite TOKEN
The README's walkthrough goes on from there. Stop the server with Ctrl-C.
MSG
exec build/bin/hushd --data-dir "$data_dir" "$@"
