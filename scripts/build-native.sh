#!/usr/bin/env bash
# Builds build/libringann.so from c/: liburing linked statically, so the library needs only libc.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
src=(c/uring.c)
[ -f c/kernels.c ] && src+=(c/kernels.c)
gcc -O2 -fPIC -shared -Wall -Wextra -o build/libringann.so.tmp "${src[@]}" -Wl,-Bstatic -luring -Wl,-Bdynamic
mv build/libringann.so.tmp build/libringann.so
if ldd build/libringann.so | grep -q liburing; then
  echo "build-native: liburing was linked dynamically; install liburing-dev (static liburing.a)" >&2
  exit 1
fi
echo "build-native: build/libringann.so ($(stat -c %s build/libringann.so) bytes; needs: $(ldd build/libringann.so | awk '{print $1}' | grep -v vdso | tr '\n' ' '))"
