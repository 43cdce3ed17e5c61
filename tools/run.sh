#!/usr/bin/env bash
# The README's main job: install dependencies, build, and run the demo
# (two parties exchanging messages through libhush with persistent stores).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh build -DHUSH_BUILD_TESTS=OFF -DHUSH_BUILD_BENCH=OFF
exec build/bin/hush-demo "$@"
