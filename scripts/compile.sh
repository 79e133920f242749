#!/usr/bin/env bash
# dist/ringann: one executable with the Bun runtime, our code, every Worker and the native library.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/libringann.so ] || bash scripts/build-native.sh
mkdir -p dist
mapfile -t workers < <(find src -name '*-worker.ts' | sort)
./node_modules/.bin/bun build --compile --minify-syntax src/cli/main.ts "${workers[@]}" --outfile dist/ringann.tmp >/dev/null
mv dist/ringann.tmp dist/ringann
echo "compile: dist/ringann ($(( $(stat -c %s dist/ringann) / 1048576 )) MiB, workers: ${#workers[@]})"
