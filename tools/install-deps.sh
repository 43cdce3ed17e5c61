#!/usr/bin/env bash
# Installs everything Hush needs to build and test on Debian 12, as root:
# the Debian packages (compilers, libraries, test tools) and the pinned npm
# packages of the interop suite (interop/package-lock.json). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev            # libFuzzer and the sanitizer runtimes
  libsodium-dev libssl-dev libprotobuf-dev protobuf-compiler libsqlite3-dev
  nlohmann-json3-dev libcli11-dev libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tmux                                # drives `hush chat` in the CLI end-to-end tests
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian (a newer nodejs/npm already on PATH).
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -v '^$' || true)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "install-deps: Node.js >= 18 is needed for the interop suite (found $(node --version))" >&2
  exit 1
fi
if [ ! -d interop/node_modules/@signalapp/libsignal-client ] || \
   ! node -e 'process.exit(require("./interop/node_modules/@signalapp/libsignal-client/package.json").version==="0.65.4"?0:1)'; then
  echo "install-deps: npm ci (interop suite, @signalapp/libsignal-client 0.65.4)"
  (cd interop && npm ci --no-audit --no-fund --loglevel=error)
fi
