#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-stats.sh: the live figures of a running nbdkit aoe
# (stats=PATH) and their reader, aoectl stat --server.  nbdkit serves two
# targets (e0.1, e0.2, no target key):
#  1. the file is there at once, readable with cat, every export listed
#     with its size, no figures before a client;
#  2. during a copy from e0.1, aoectl stat --server PATH e0.1 --json
#     shows frames and bytes growing from sample to sample and a
#     throughput; it runs in a network namespace of its own with no
#     interface (unshare -n) and under strace, which sees not one
#     socket made: the reader sends no frame;
#  3. the text table lists both exports, a target column first;
#  4. errors, one line each: an export the server lacks, no such file,
#     -i with --server (exit 2), a file that is no statistics file (2),
#     a file no longer rewritten (1);
#  5. nbdkit, stopped, removes its file.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
. "$AOE_SRCDIR/tests/tool-functions.sh"
requires_plugin
tool_requires aoectl
requires nbdcopy --version
requires strace -V
requires unshare --version
aoectl=$(tool_bin aoectl)

plugin_target 32M random
tb_image "$TB_DIR/e0.2.img" 4M random
tb_vblade 0 2 "$TB_DIR/e0.2.img"

sock=$TB_DIR/nbd.sock stats=$TB_DIR/aoe.stats
tb_init_bg nbdkit -f -U "$sock" "$AOE_PLUGIN" iface="$TB_IFACE" \
  discover-timeout=1 stats="$stats"
nbdkit_pid=$TB_BG_PID log=$TB_BG_LOG
tb_wait_for 20 test -S "$sock" || fail "nbdkit did not start: $(cat "$log")"

# ---- 1. the file, before any client ----
cat "$stats"
grep -qx 'export e0.1' "$stats" && grep -qx 'export e0.2' "$stats" ||
  fail "the statistics file does not list e0.1 and e0.2"
grep -qx 'size 4194304' "$stats" || fail "no size of e0.2 in the file"
tool_expect 0 "$aoectl" stat --server "$stats" --json
[ "$(jq -s 'length' "$TOOL_OUT")" = 2 ] || fail "not two JSON rows"
[ "$(jq -s '[.[].frames_sent] | add' "$TOOL_OUT")" = 0 ] ||
  fail "figures before any client"

# ---- 2. figures moving during a copy, no frame sent by the reader ----
uri="nbd+unix:///e0.1?socket=$sock"
tb_init_bg sh -c 'while nbdcopy "$1" null:; do :; done' sh "$uri"
copier=$TB_BG_PID
# opened: the server has a client on e0.1 (its figures are live).
opened ()
{
  sed -n '/^export e0.1$/,/^export /p' "$stats" | grep -qx 'open 1'
}
tb_wait_for 10 opened || fail "e0.1 never opened: $(cat "$stats")"
# 1.5 s between samples: every sample is a newer rewrite (every second).
# Under the sanitizers LeakSanitizer cannot run in a traced process (it
# stops the process with ptrace itself): leaks are checked by the
# untraced runs below.
tool_expect 0 unshare -n strace -f -qq -o "$TB_DIR/strace.log" \
  -e trace=socket,connect,sendto,sendmsg,sendmmsg \
  env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$aoectl" stat --server "$stats" e0.1 --interval 1.5 --count 3 --json
jq -c '[.sample, .frames_sent, .bytes, .throughput_bytes_per_s]' "$TOOL_OUT"
[ "$(jq -s 'length' "$TOOL_OUT")" = 3 ] || fail "not three samples"
jq -se 'all(.[]; .target == "e0.1" and .probe_latency_us == null)' \
  "$TOOL_OUT" > /dev/null || fail "rows of another target, or a probe"
jq -se '.[0].frames_sent < .[1].frames_sent and
        .[1].frames_sent < .[2].frames_sent and
        .[0].bytes < .[1].bytes and .[1].bytes < .[2].bytes and
        .[2].bytes_interval > 0 and .[2].throughput_bytes_per_s > 0' \
  "$TOOL_OUT" > /dev/null || fail "the figures did not move during the copy"
echo "reader: $(wc -l < "$TB_DIR/strace.log") traced calls (none expected)"
[ ! -s "$TB_DIR/strace.log" ] || fail "strace saw: $(cat "$TB_DIR/strace.log")"
_tb_kill "$copier"

# ---- 3. the text table ----
tool_expect 0 "$aoectl" stat --server "$stats"
grep -Eq '^e0\.1: 33554432 bytes, 1 port\(s\)' "$TOOL_OUT" ||
  fail "no header line of e0.1"
grep -Eq '^e0\.2: 4194304 bytes, .*no client yet' "$TOOL_OUT" ||
  fail "no header line of e0.2"
grep -Eq '^target +time_s +window' "$TOOL_OUT" || fail "no column line"
[ "$(grep -Ec '^e0\.[12] +[0-9]' "$TOOL_OUT")" = 2 ] || fail "not two rows"

# ---- 4. errors ----
tool_expect_error 2 "e5\.5: the server of .* does not serve it \(its exports: e0\.1 e0\.2\)" \
  "$aoectl" stat --server "$stats" e5.5
tool_expect_error 2 "cannot read the statistics file $TB_DIR/none: No such file" \
  "$aoectl" stat --server "$TB_DIR/none"
tool_expect_error 2 "no -i" "$aoectl" stat --server "$stats" -i lo
echo "hello" > "$TB_DIR/bad.stats"
tool_expect_error 2 "bad\.stats: no version line: not an nbdkit aoe statistics file" \
  "$aoectl" stat --server "$TB_DIR/bad.stats"
sed 's/^monotonic_s .*/monotonic_s 1.0/' "$stats" > "$TB_DIR/old.stats"
tool_expect_error 1 "old\.stats: not rewritten for [0-9]+ s: is its nbdkit \(pid $nbdkit_pid\) still running" \
  "$aoectl" stat --server "$TB_DIR/old.stats"

# ---- 5. stopped, nbdkit removes its file ----
_tb_kill "$nbdkit_pid"
[ ! -e "$stats" ] || fail "nbdkit left its statistics file behind"
echo "test-plugin-stats.sh: ok"
