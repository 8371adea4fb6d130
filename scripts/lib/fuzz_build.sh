#!/usr/bin/env bash
# Configures (once) and builds the sanitizer + fuzz build: clang, ASan and
# UBSan on every object, libFuzzer coverage (meson option fuzz), asserts on.
# Builds only the targets the given suites' tests need (suite_targets.py),
# not the whole tree. Usage: fuzz_build.sh BUILD_DIR SUITE...
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1; shift
if [[ ! -f $dir/build.ninja ]]; then
  # -O1 -g: the sanitizers' recommended trade-off (readable stacks, quick
  # enough to fuzz). b_lundef=false: ASan's runtime is linked by the driver.
  CC=clang CXX=clang++ meson setup "$dir" --buildtype=plain -Doptimization=1 -Ddebug=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true >/dev/null
fi
# Regenerate first if a meson.build changed: the introspection read below
# would otherwise describe the old tree (a newly added fuzzer would be
# registered as a test but never built).
ninja -C "$dir" build.ninja >/dev/null
mapfile -t targets < <(scripts/lib/suite_targets.py "$dir" "$@")
ninja -C "$dir" -j"$(nproc)" "${targets[@]}"
