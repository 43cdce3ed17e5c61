#!/usr/bin/env bash
# Configures and builds one build tree: tools/build.sh [DIR] [cmake args...]
# Defaults to build/ (the README's path to build/bin/hush-interop).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" --parallel "$(nproc)"
