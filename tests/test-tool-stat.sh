#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-stat.sh: aoectl stat against vblade.
#
# --json: one object per sample with every field, the probe read moving
# exactly one frame per sample (17 sectors at MTU 9000), counters that
# only grow, intervals as asked; the text table; running while another
# initiator (aoectl copy) moves data; options after the target; and exit 1, one line, when the target
# stops answering in the middle.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
aoectl=$(tool_bin aoectl)
stat=("$aoectl" stat)

tb_setup --mtu 9000
tb_image "$TB_DIR/disk.img" 64M random
tb_vblade 0 1 "$TB_DIR/disk.img" -b 12

# ---- JSON: 3 samples, 0.3 s apart ----
# (-i after the target, as every option may be.)
tool_expect 0 tb_init_exec "${stat[@]}" e0.1 -i "$TB_IFACE" --json --count 3 \
  --interval 0.3
[ "$(wc -l < "$TOOL_OUT")" -eq 3 ] || tool_fail "not 3 JSON lines"
jq -e -s 'length == 3 and ([.[].sample] == [1, 2, 3])' "$TOOL_OUT" > /dev/null ||
  tool_fail "samples not numbered 1, 2, 3"
jq -e -s 'all(.[];
  .target == "e0.1" and .size == 67108864 and .ports == 1
  and .window_max == 12 and .window >= 1 and .window <= 12
  and .in_flight == 0
  and .srtt_us > 0 and .rttvar_us >= 0 and .rto_us >= 20000
  and .timeouts == 0 and .drops == 0 and .capture_drops == 0
  and .dropped_foreign == 0 and .dropped_malformed == 0
  and .bytes_written == 0 and .bytes == .bytes_read
  and .bytes_interval == 8704 and .probe_latency_us > 0
  and .frames_received <= .frames_sent
  and .interval_s > 0.2 and .interval_s < 1.5
  and .throughput_bytes_per_s > 0)' "$TOOL_OUT" > /dev/null ||
  tool_fail "a JSON sample is wrong"
jq -e -s '.[0].bytes_read == 8704 and .[1].bytes_read == 17408
  and .[2].bytes_read == 26112
  and .[0].frames_sent < .[1].frames_sent
  and .[1].frames_sent < .[2].frames_sent
  and .[0].time_s < .[1].time_s and .[1].time_s < .[2].time_s
  and (.[2].time_s | . > 0.8 and . < 3)' "$TOOL_OUT" > /dev/null ||
  tool_fail "the samples do not add up"

# ---- one sample, text ----
tool_expect 0 tb_init_exec "${stat[@]}" -i "$TB_IFACE" e0.1
[ "$(wc -l < "$TOOL_OUT")" -eq 3 ] || tool_fail "text: not header, columns, one row"
grep -q '^e0\.1: 67108864 bytes, 1 port(s), buffer count 12, 17 sectors per frame$' \
  "$TOOL_OUT" || tool_fail "text: header"
head -n 2 "$TOOL_OUT" | tail -n 1 | grep -q 'window.*srtt_us.*rexmit.*MB/s.*probe_us' ||
  tool_fail "text: column names"
tail -n 1 "$TOOL_OUT" | grep -Eq '^ +[0-9.]+ +[0-9]+/12 +0 +[0-9]+ ' ||
  tool_fail "text: the row"
[ ! -s "$TOOL_ERR" ] || tool_fail "text: printed on stderr"

# ---- while another initiator copies the whole disk ----
tb_init_bg "$aoectl" copy -i "$TB_IFACE" -q --request-size 64K -R 2 e0.1 /dev/null
copy_pid=$TB_BG_PID
tool_expect 0 tb_init_exec "${stat[@]}" -i "$TB_IFACE" e0.1 --json -c 4 -n 0.2
jq -e -s 'length == 4 and all(.[]; .timeouts == 0 and .bytes_interval == 8704)' \
  "$TOOL_OUT" > /dev/null || tool_fail "samples during a copy are wrong"
wait "$copy_pid" || tool_fail "the concurrent copy failed: $(cat "$TB_BG_LOG")"

# ---- the target goes away mid-run: exit 1, one line ----
tb_init_bg "${stat[@]}" -i "$TB_IFACE" e0.1 --json -n 0.2 -c 1000
stat_pid=$TB_BG_PID
tb_wait_for 10 test -s "$TB_BG_LOG" || tool_fail "aoectl stat printed nothing"
tb_vblade_stop "$TB_VBLADE_PID"
status=0
wait "$stat_pid" || status=$?
tail -n 3 "$TB_BG_LOG"
[ "$status" -eq 1 ] || tool_fail "aoectl stat exited $status, expected 1"
[ "$(grep -vc '^{' "$TB_BG_LOG")" -eq 1 ] || tool_fail "not one error line"
grep -q '^aoectl stat: aoe_pread: read of 8704 bytes at offset [0-9]* failed: I/O error' \
  "$TB_BG_LOG" || tool_fail "the error line: $(grep -v '^{' "$TB_BG_LOG")"
echo "test-tool-stat.sh: PASS"
