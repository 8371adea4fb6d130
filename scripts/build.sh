#!/usr/bin/env bash
# Configure (once) and build maglb into ./build (release, warnings as errors).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${MAGLB_BUILD_DIR:-build}
if [[ ! -f $BUILD/build.ninja ]]; then
  meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" -j"$(nproc)"
