#!/usr/bin/env bash
# Builds dist/libringann.so from c/: liburing linked statically, so the library needs only libc.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
src=(c/uring.c)
[ -f c/kernels.c ] && src+=(c/kernels.c)
gcc -O2 -fPIC -shared -Wall -Wextra -o dist/libringann.so.tmp "${src[@]}" -Wl,-Bstatic -luring -Wl,-Bdynamic
mv dist/libringann.so.tmp dist/libringann.so
if ldd dist/libringann.so | grep -q liburing; then
  echo "build-native: liburing was linked dynamically; install liburing-dev (static liburing.a)" >&2
  exit 1
fi
echo "build-native: dist/libringann.so ($(stat -c %s dist/libringann.so) bytes; needs: $(ldd dist/libringann.so | awk '{print $1}' | grep -v vdso | tr '\n' ' '))"
