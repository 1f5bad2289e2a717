#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/fuzz/run.sh: build the libFuzzer harnesses with clang and run them.
#
#   tests/fuzz/run.sh [--seconds N] [--out DIR] [HARNESS...]
#
# HARNESS: wire (codecs and IDENTIFY parsing, tests/fuzz/fuzz-wire.c) and
# engine (the engine's receive path, tests/fuzz/fuzz-engine.c); default
# both.  Each is built with clang -fsanitize=fuzzer,address,undefined
# (every sanitizer report is fatal) from the sources of the pure core
# (lib/wire.c, lib/ata.c, lib/engine*.c) and runs for N seconds (default
# 30) with the corpus in DIR/corpus-HARNESS (default DIR: build-fuzz/ in
# the source tree), seeded from the vblade captures in tests/fixtures/ and
# the engine programs in tests/fuzz/seeds/.  The corpus grows from run to
# run.  A crash leaves DIR/crash-* (replay it with the harness binary, or
# with the meson-built fuzz-HARNESS-replay); the script then exits 1.
#
# Why a script and not meson: the project's builds use the system C
# compiler (gcc on Debian), and a meson build directory has exactly one C
# compiler, while libFuzzer needs clang; building the few core files
# directly keeps scripts/check from needing a third build directory.
# Meson builds the same harnesses with any compiler as fuzz-*-replay
# unit tests that run them over the seed corpus.
#
# Exit status: 0 no finding, 1 a crash or sanitizer report, 2 usage or
# build failure, 77 no clang with libFuzzer (scripts/check turns that into
# a failure under CI).
set -uo pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
seconds=30
out=$srcdir/build-fuzz
harnesses=()

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    wire|engine) harnesses+=("$1"); shift ;;
    *) echo "usage: $0 [--seconds N] [--out DIR] [wire|engine...]" >&2
       exit 2 ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "$0: --seconds takes a number" >&2
  exit 2
fi
[ ${#harnesses[@]} -gt 0 ] || harnesses=(wire engine)

clang=${CLANG:-clang}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput (const char *d, unsigned long n) { return 0; }\n' \
  > "$probe/probe.c"
if ! "$clang" -fsanitize=fuzzer "$probe/probe.c" -o "$probe/probe" 2>/dev/null; then
  echo "$0: SKIP: $clang with -fsanitize=fuzzer is not available" >&2
  exit 77
fi

mkdir -p "$out" || exit 2
cflags=(-g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -I"$srcdir/include" -I"$srcdir/lib" -I"$srcdir/tests/fuzz")
core=("$srcdir/lib/wire.c" "$srcdir/lib/ata.c")
status=0

for name in "${harnesses[@]}"; do
  sources=("$srcdir/tests/fuzz/fuzz-$name.c" "${core[@]}")
  [ "$name" = engine ] && sources+=("$srcdir"/lib/engine*.c)
  echo "==> fuzz-$name: build"
  "$clang" "${cflags[@]}" -o "$out/fuzz-$name" "${sources[@]}" || exit 2
  corpus=$out/corpus-$name
  mkdir -p "$corpus"
  cp -n "$srcdir"/tests/fixtures/*.bin "$corpus"/
  [ "$name" = engine ] && cp -n "$srcdir"/tests/fuzz/seeds/*.bin "$corpus"/
  echo "==> fuzz-$name: ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs"
  ( cd "$out" &&
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "./fuzz-$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "corpus-$name" \
      > "fuzz-$name.log" 2>&1 )
  result=$?
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' \
    "$out/fuzz-$name.log" | tail -n 4
  if [ "$result" -ne 0 ]; then
    echo "$0: fuzz-$name FAILED (exit $result); log $out/fuzz-$name.log" >&2
    tail -n 40 "$out/fuzz-$name.log" >&2
    status=1
  fi
done
exit "$status"
