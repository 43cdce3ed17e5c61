#!/usr/bin/env bash
# Configures and builds one build tree: tools/build.sh [DIR] [cmake args...]
# Defaults to build/ (the README's path to build/bin/hush-interop).
# HUSH_TARGETS="a b" builds only those targets (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
targets=()
for t in ${HUSH_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
