#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-bench-smoke.sh: the benchmark suite still works end to end.
#
# 1. `scripts/bench --quick` completes, writes a report whose tables have a
#    figure for every path, MTU and direction, a target table with a
#    verdict on every target, a PNG chart, and leaves no namespace behind.
# 2. The benchmark programs do what they claim: with --bytes they move
#    exactly that much, and their writes land where they say (checked in
#    the image vblade serves); bad arguments get one-line errors.
# 3. `scripts/bench --cost --quick` at MTU 9000 measures what it says: 128
#    KiB requests in full frames (16 per request each way: 131,072 frames
#    per GiB, 1% spare for a real loss on a loaded machine), the CPU of
#    nbdkit and vblade, and a row for every path and direction.
set -euo pipefail
. "$AOE_SRCDIR/tests/functions.sh"
requires_root
for tool in vblade nbdkit nbdcopy gnuplot jq cmp fio; do
  requires command -v "$tool"
done
requires test -n "${AOE_PLUGIN:-}"
requires test -f "$AOE_PLUGIN"
raw=$AOE_BUILDDIR/tests/bench/aoe-raw
bench=$AOE_BUILDDIR/examples/aoe-bench
[ -x "$raw" ] && [ -x "$bench" ] || _tb_die "aoe-raw or aoe-bench not built"

out=$(mktemp -d "${TMPDIR:-/tmp}/aoe-bench-smoke.XXXXXX")
cleanup_fn rm -rf "$out"

# ---- 1. scripts/bench --quick ----

if ! "$AOE_SRCDIR/scripts/bench" --quick --build-dir "$AOE_BUILDDIR" \
     --out "$out" > "$out/bench.log" 2>&1; then
  cat "$out/bench.log"
  _tb_die "scripts/bench --quick failed"
fi
cat "$out/bench.log"
md=$out/latest.md

# count_rows REGEX: lines of the report matching the extended REGEX.
count_rows ()
{
  grep -cE "$1" "$md" || true
}

num='[0-9]+(\.[0-9]+)?'
# Throughput: raw, then three paths with a ratio, for 2 MTUs x 2 directions.
rows=$(count_rows "^\| (1500|9000) \| (read|write) \| $num \| $num \([0-9]+%\) \| $num \([0-9]+%\) \| $num \([0-9]+%\) \|$")
[ "$rows" -eq 4 ] || _tb_die "throughput table: $rows complete rows, expected 4"
# Latency: p50 / p99 of raw, libaoe aio (ratio), libaoe sync (ratio).
rows=$(count_rows "^\| (1500|9000) \| (read|write) \| $num / $num \| $num / $num \| ${num}x \| $num / $num \| ${num}x \|$")
[ "$rows" -eq 4 ] || _tb_die "latency table: $rows complete rows, expected 4"
# CPU per GiB: raw, libaoe, ratio, nbdkit aoe, nbdcopy, nbdkit file, nbdcopy.
rows=$(count_rows "^\| (1500|9000) \| (read|write) \| $num \| $num \| ${num}x \| $num \| $num \| $num \| $num \|$")
[ "$rows" -eq 4 ] || _tb_die "CPU table: $rows complete rows, expected 4"
# vblade's CPU during raw, libaoe and nbdkit aoe runs (percent).
rows=$(count_rows "^\| (1500|9000) \| (read|write) \| [0-9]+ \| [0-9]+ \| [0-9]+ \|$")
[ "$rows" -eq 4 ] || _tb_die "target CPU table: $rows complete rows, expected 4"
rows=$(count_rows "\| (PASS|\*\*MISS\*\*) \|$")
[ "$rows" -eq 5 ] || _tb_die "targets table: $rows verdicts, expected 5"
grep -qE "^Peak RSS .*: aoe $num MiB, file $num MiB\.$" "$md" ||
  _tb_die "no peak RSS line"
grep -q 'quick run' "$md" || _tb_die "the --quick warning is missing"

# 28 measurements (7 paths x 2 MTUs x 2 directions), all of them real.
[ "$(wc -l < "$out/latest.jsonl")" -eq 28 ] ||
  _tb_die "expected 28 measurements in latest.jsonl"
jq -e 'select(.bytes <= 0 or .seconds <= 0)' "$out/latest.jsonl" >/dev/null &&
  _tb_die "a measurement moved no bytes"
[ "$(jq -r 'select(.path == "nbd-aoe") | .peak_rss_kib > 0' \
      "$out/latest.jsonl" | sort -u)" = true ] ||
  _tb_die "nbd-aoe runs without a peak RSS"

# The chart is a PNG.
[ "$(head -c 8 "$out/latest.png" | od -An -tx1 | tr -d ' \n')" = \
  89504e470d0a1a0a ] || _tb_die "latest.png is not a PNG"

# The bench's namespaces are gone.
ns=$(sed -n 's/^ *namespaces //p' "$out/bench.log")
[ -n "$ns" ] || _tb_die "the bench log names no namespaces"
for n in $ns; do
  if ip netns list | grep -qw -- "$n"; then
    _tb_die "namespace $n was left behind"
  fi
done

# One-line errors for bad arguments (noif0 does not exist: should a bad
# argument slip through, the program fails there and sends nothing).
# expect_usage_error STATUS PATTERN CMD...: CMD exits STATUS with exactly
# one stderr line matching PATTERN.
expect_usage_error ()
{
  local want=$1 pattern=$2 status=0
  shift 2
  "$@" > /dev/null 2> "$out/err" || status=$?
  [ "$status" -eq "$want" ] || _tb_die "$*: exit $status, expected $want"
  [ "$(wc -l < "$out/err")" -eq 1 ] && grep -qE "$pattern" "$out/err" ||
    _tb_die "$*: expected one line matching '$pattern', got: $(cat "$out/err")"
}
expect_usage_error 1 'unknown argument' "$AOE_SRCDIR/scripts/bench" --bogus
expect_usage_error 1 'reps must be' "$AOE_SRCDIR/scripts/bench" --reps x
expect_usage_error 2 "requests: '0' is not a number" "$bench" -R 0 -i noif0 e0.1
expect_usage_error 2 'request-size' "$bench" --request-size 1000 -i noif0 e0.1
expect_usage_error 2 'mode must be' "$bench" -m nope -i noif0 e0.1
expect_usage_error 2 "unknown option '-q'" "$bench" -q 1 -i noif0 e0.1
expect_usage_error 2 "unknown option '-p'" "$bench" -p rand -i noif0 e0.1
expect_usage_error 2 "'0' is not a target name" "$bench" -i noif0 0 1
expect_usage_error 2 'no target given' "$bench" -i noif0
expect_usage_error 2 'no interface given' "$bench" e0.1
expect_usage_error 2 'no such interface: noif0' "$bench" -i noif0 e0.1
expect_usage_error 2 "SLOT: '255' is not a number" "$raw" noif0 0 255
expect_usage_error 1 'no interface' "$raw" nosuch0 0 1

# ---- 2. the programs move what they claim ----

tb_setup --mtu 9000
image=$TB_DIR/disk.img
tb_image "$image" 8M
tb_vblade 0 1 "$image"
zeros=$TB_DIR/zeros
head -c 8M /dev/zero > "$zeros"

# check_write NAME PROGRAM ARGS...: a 1 MiB sequential --write run of
# requests of 64 KiB (ARGS name the target and the request size, as each
# program takes them) moves exactly 1 MiB, and exactly the first MiB of
# the zeroed image changes.
check_write ()
{
  local name=$1 json
  shift
  cp "$zeros" "$image"
  json=$(tb_init_exec "$@" --write -n 1M --json)
  [ "$(jq .bytes <<<"$json")" -eq 1048576 ] ||
    _tb_die "$name: moved $(jq .bytes <<<"$json") bytes, expected 1048576"
  [ "$(jq .requests <<<"$json")" -eq 16 ] || _tb_die "$name: expected 16 requests"
  cmp -s -n 1M "$image" "$zeros" && _tb_die "$name: the first MiB was not written"
  cmp -s -i 1M "$image" "$zeros" || _tb_die "$name: wrote past the first MiB"
  [ "$(head -c 1M "$image" | tr -d '\0' | wc -c)" -gt 1000000 ] ||
    _tb_die "$name: the first MiB is mostly zeros"
}
check_write aoe-raw "$raw" -r 64K "$TB_IFACE" 0 1
check_write aoe-bench "$bench" --request-size 64K -i "$TB_IFACE" e0.1
# (Options after the target too.)
check_write "aoe-bench sync" "$bench" -i "$TB_IFACE" e0.1 -m sync -R 2 \
  --request-size 64K
check_write "aoe-bench libev" "$bench" -m libev --request-size 64K \
  -i "$TB_IFACE" e0.1

# Reads with --bytes, and random reads stay inside the disk.
json=$(tb_init_exec "$raw" -n 2M -r 128K --json "$TB_IFACE" 0 1)
[ "$(jq .bytes <<<"$json")" -eq 2097152 ] || _tb_die "aoe-raw read: wrong byte count"
json=$(tb_init_exec "$bench" --pattern rand --request-size 4K -R 8 -n 4M --json \
  -i "$TB_IFACE" e0.1)
[ "$(jq .bytes <<<"$json")" -eq 4194304 ] && [ "$(jq .requests <<<"$json")" -eq 1024 ] ||
  _tb_die "aoe-bench random read: wrong byte count: $json"
[ "$(jq -r .pattern <<<"$json")" = rand ] || _tb_die "aoe-bench: pattern not rand"
# ---- 3. scripts/bench --cost --quick ----

if ! "$AOE_SRCDIR/scripts/bench" --cost --quick --mtu 9000 \
     --build-dir "$AOE_BUILDDIR" --out "$out" > "$out/cost.log" 2>&1; then
  cat "$out/cost.log"
  _tb_die "scripts/bench --cost --quick failed"
fi
cat "$out/cost.md"
for rw in write read; do
  row=$(jq -c --arg rw "$rw" 'select(.path == "nbd-aoe" and .rw == $rw)' \
          "$out/cost.jsonl")
  [ -n "$row" ] || _tb_die "bench --cost: no nbd-aoe $rw measurement"
  jq -e '.frames_tx_per_gib >= 131072 and .frames_tx_per_gib <= 132383
         and .frames_rx_per_gib >= 131072 and (.cpu_seconds | type) == "number"
         and .target_cpu_s_per_gib != null' <<<"$row" >/dev/null ||
    _tb_die "bench --cost: nbd-aoe $rw figures are off: $row"
  grep -qE "^\| 9000 \| $rw \| nbd-file \| this \|" "$out/cost.md" ||
    _tb_die "bench --cost: no nbd-file $rw row in cost.md"
done
echo "test-bench-smoke.sh: ok"
