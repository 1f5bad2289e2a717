#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-copy.sh: aoectl copy against vblade.
#
# Round trips byte-exact with --verify in both directions (files, and
# stdin/stdout), a range (--offset/--length with suffixes), a source
# ending in the middle of a sector (the rest of that sector is kept), odd
# numbers of requests in flight (-R) and request sizes, a source longer
# than the target (a file is refused before anything is written, a stream
# stops at the end with exit 1), --verify catching a target changed behind our back (by a
# checksum when the file side is a pipe), options after SRC and DST, and
# the progress bar: shown on a terminal (script(1) gives one) as wide as
# the terminal (stty cols), else $COLUMNS, else 80 columns, with an ETA;
# not when stderr is a file, forced with --progress, suppressed with
# --quiet.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
requires command -v script
requires command -v stty
aoectl=$(tool_bin aoectl)
copy=("$aoectl" copy)

tb_setup --mtu 9000
image=$TB_DIR/disk.img
tb_image "$image" 64M random
tb_vblade 0 1 "$image"
m=$((1024 * 1024))

# ---- the whole target to a file and back, verified ----
# (Options after SRC and DST are options too.)
tool_expect 0 tb_init_exec "${copy[@]}" e0.1 "$TB_DIR/out.img" -i "$TB_IFACE" --verify
cmp "$image" "$TB_DIR/out.img"
grep -Eq '^aoectl copy: copied 67108864 bytes from e0\.1 to .* in [0-9.]+ s \([0-9.]+ MB/s\), [0-9]+ retransmits, verified$' "$TOOL_ERR" ||
  tool_fail "no summary line: $(cat "$TOOL_ERR")"
[ "$(wc -l < "$TOOL_ERR")" -eq 1 ] || tool_fail "more than the summary on stderr"
[ ! -s "$TOOL_OUT" ] || tool_fail "printed to stdout"

head -c 64M /dev/urandom > "$TB_DIR/new.img"
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" --verify -R 32 \
  --request-size 1M "$TB_DIR/new.img" e0.1
cmp "$TB_DIR/new.img" "$image"
grep -q 'copied 67108864 bytes from .*new.img to e0.1 .*, verified$' "$TOOL_ERR" ||
  tool_fail "summary: $(cat "$TOOL_ERR")"

# ---- a range, with suffixes; the rest of the target is untouched ----
cp "$image" "$TB_DIR/before.img"
head -c 3M /dev/urandom > "$TB_DIR/range.bin"
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" --verify --offset 5M \
  --length 3MiB "$TB_DIR/range.bin" e0.1
cmp "$TB_DIR/range.bin" <(tail -c +$((5 * m + 1)) "$image" | head -c $((3 * m)))
cmp <(head -c $((5 * m)) "$TB_DIR/before.img") <(head -c $((5 * m)) "$image")
cmp <(tail -c +$((8 * m + 1)) "$TB_DIR/before.img") \
    <(tail -c +$((8 * m + 1)) "$image")
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" -o 5M -l 3M --verify \
  e0.1 "$TB_DIR/range.out"
cmp "$TB_DIR/range.bin" "$TB_DIR/range.out"
# --length shorter than the source copies its beginning only.
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" -o 1M -l 512 \
  "$TB_DIR/range.bin" e0.1
cmp <(head -c 512 "$TB_DIR/range.bin") <(tail -c +$((m + 1)) "$image" | head -c 512)

# ---- stdin and stdout; a source ending mid-sector ----
cp "$image" "$TB_DIR/before.img"
head -c 1000001 /dev/urandom > "$TB_DIR/odd.bin"
tool_expect 0 tb_init_exec bash -c \
  "cat '$TB_DIR/odd.bin' | '$aoectl' copy -i '$TB_IFACE' --verify -o 2M --request-size 4096 -R 3 - e0.1"
grep -q 'copied 1000001 bytes from - to e0.1' "$TOOL_ERR" ||
  tool_fail "stdin summary: $(cat "$TOOL_ERR")"
cmp "$TB_DIR/odd.bin" <(tail -c +$((2 * m + 1)) "$image" | head -c 1000001)
# The bytes after the data, up to the end of its last sector, are kept.
cmp <(tail -c +$((2 * m + 1000002)) "$TB_DIR/before.img" | head -c 100) \
    <(tail -c +$((2 * m + 1000002)) "$image" | head -c 100)
tool_expect 0 tb_init_exec bash -c \
  "'$aoectl' copy -i '$TB_IFACE' --verify -l 7M --request-size 512 --requests 1 e0.1 - | cmp - <(head -c 7M '$image')"
tool_expect 0 tb_init_exec bash -c \
  "'$aoectl' copy -i '$TB_IFACE' -q e0.1 - | sha256sum > '$TB_DIR/sum'"
[ "$(cut -d' ' -f1 "$TB_DIR/sum")" = "$(sha256sum < "$image" | cut -d' ' -f1)" ] ||
  tool_fail "whole target through a pipe differs"
[ ! -s "$TOOL_ERR" ] || tool_fail "--quiet printed: $(cat "$TOOL_ERR")"

# ---- a source longer than the target ----
head -c $((64 * m + 512)) /dev/zero > "$TB_DIR/big.img"
sha_before=$(sha256sum < "$image")
tool_expect_error 2 'big\.img is 67109376 bytes, longer than the 67108864 bytes of e0\.1' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" "$TB_DIR/big.img" e0.1
tool_expect_error 2 'longer than the 1048576 bytes of e0\.1 from offset 66060288' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" -o 63M "$TB_DIR/range.bin" e0.1
[ "$(sha256sum < "$image")" = "$sha_before" ] ||
  tool_fail "a refused copy changed the target"
tool_expect_error 1 '- is longer than the 1048576 bytes of e0\.1 from offset 66060288' \
  tb_init_exec bash -c "cat '$TB_DIR/range.bin' | '$aoectl' copy -i '$TB_IFACE' -o 63M - e0.1"
cmp <(head -c 1M "$TB_DIR/range.bin") <(tail -c 1M "$image")

# ---- --verify notices a target that changed behind the copy ----
# The file side is a pipe, so verify compares checksums.  Its reader
# waits for the first byte (so the first chunk has been read from the
# target), overwrites 8 bytes of that chunk in the image behind vblade,
# then drains the rest: the verify pass reads the changed data.
cat > "$TB_DIR/mangle.sh" <<EOF
#!/bin/sh
head -c 1 > /dev/null
printf 'XXXXXXXX' | dd of='$image' bs=1 seek=4096 conv=notrunc status=none
cat > /dev/null
EOF
chmod +x "$TB_DIR/mangle.sh"
tool_expect_error 1 '^aoectl copy: verify failed: the 262144 bytes at offset 0 of e0\.1 differ from what was copied$' \
  tb_init_exec bash -c \
  "set -o pipefail; '$aoectl' copy -i '$TB_IFACE' -q --verify -l 1M e0.1 - | '$TB_DIR/mangle.sh'"
# With a file it can re-read, verify compares the file with the target.
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" -q --verify -l 1M e0.1 \
  "$TB_DIR/v.img"

# ---- progress bar: terminal only, unless forced; as wide as the terminal ----
# bar_lines FILE: the redraws of the bar in FILE, one a line (the bar
# starts each with a carriage return).
bar_lines ()
{
  tr '\r' '\n' < "$1" | grep -E '^(copy|verify) ' || :
}

# check_bar FILE WIDTH: every redraw in FILE is WIDTH - 1 columns (the
# bar fills the width but its last column), the first has no ETA yet
# ("--:--"), the last is 100% with ETA 00:00.
check_bar ()
{
  local file=$1 width=$2 lines
  lines=$(bar_lines "$file")
  [ -n "$lines" ] || tool_fail "no progress bar: $(cat -v "$file")"
  awk -v w=$((width - 1)) 'length($0) != w { exit 1 }' <<< "$lines" ||
    tool_fail "a redraw is not $((width - 1)) columns wide: $(awk '{ print length($0) ": " $0 }' <<< "$lines")"
  head -n 1 <<< "$lines" | grep -q 'ETA --:-- *$' ||
    tool_fail "the first redraw shows an ETA already: $(head -n 1 <<< "$lines")"
  tail -n 1 <<< "$lines" | grep -Eq '^copy 100\.00% \[#+\] (.* )?ETA 00:00 *$' ||
    tool_fail "the last redraw: $(tail -n 1 <<< "$lines")"
}

# On a terminal of 60 columns (stty on script's pty): the bar fits it.
tool_expect 0 tb_init_exec script -q -e -c \
  "stty cols 60 rows 24; '$aoectl' copy -i '$TB_IFACE' -l 16M e0.1 '$TB_DIR/p.img'" /dev/null
check_bar "$TOOL_OUT" 60
bar_lines "$TOOL_OUT" | tail -n 1 | grep -Eq '\] +[0-9.]+ MB/s ETA 00:00 *$' ||
  tool_fail "60 columns: no rate: $(bar_lines "$TOOL_OUT" | tail -n 1)"
grep -q 'copied 16777216 bytes' "$TOOL_OUT" || tool_fail "no summary on a terminal"
# A wide terminal: everything, the sizes too.
tool_expect 0 tb_init_exec script -q -e -c \
  "stty cols 150 rows 24; '$aoectl' copy -i '$TB_IFACE' -l 16M e0.1 '$TB_DIR/p.img'" /dev/null
check_bar "$TOOL_OUT" 150
bar_lines "$TOOL_OUT" | tail -n 1 | grep -Eq '\] 16\.0/16\.0 MiB +[0-9.]+ MB/s ETA' ||
  tool_fail "150 columns: no sizes: $(bar_lines "$TOOL_OUT" | tail -n 1)"
tool_expect 0 tb_init_exec script -q -e -c \
  "'$aoectl' copy -i '$TB_IFACE' -q -l 16M e0.1 '$TB_DIR/p.img'" /dev/null
[ ! -s "$TOOL_OUT" ] || tool_fail "--quiet on a terminal printed: $(cat -v "$TOOL_OUT")"
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" -l 16M e0.1 "$TB_DIR/p.img"
if grep -q $'\r' "$TOOL_ERR" || grep -q '%' "$TOOL_ERR"; then
  tool_fail "progress shown with stderr not a terminal: $(cat -v "$TOOL_ERR")"
fi
# Forced with stderr a file: $COLUMNS, else 80 columns.
tool_expect 0 tb_init_exec env COLUMNS=45 "${copy[@]}" -i "$TB_IFACE" \
  --progress -l 16M e0.1 "$TB_DIR/p.img"
check_bar "$TOOL_ERR" 45
tool_expect 0 tb_init_exec env -u COLUMNS "${copy[@]}" -i "$TB_IFACE" \
  --progress -l 16M e0.1 "$TB_DIR/p.img"
check_bar "$TOOL_ERR" 80
grep -q $'\r''verify' "$TOOL_ERR" && tool_fail "a verify bar without --verify"
tool_expect 0 tb_init_exec env COLUMNS=junk "${copy[@]}" -i "$TB_IFACE" \
  --progress --verify -l 16M e0.1 "$TB_DIR/p.img"
bar_lines "$TOOL_ERR" | grep -q '^verify 100\.00% ' || tool_fail "no verify bar"
awk 'length($0) != 79 { exit 1 }' <<< "$(bar_lines "$TOOL_ERR")" ||
  tool_fail "COLUMNS=junk: not 80 columns"

# ---- failures of the file side ----
tool_expect_error 2 'nodir/out\.img: No such file or directory' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" e0.1 "$TB_DIR/nodir/out.img"
tool_expect_error 2 'nosuch\.img: No such file or directory' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" "$TB_DIR/nosuch.img" e0.1
tool_expect_error 1 '^aoectl copy: cannot write -: Broken pipe$' \
  tb_init_exec bash -c \
  "set -o pipefail; '$aoectl' copy -i '$TB_IFACE' -q e0.1 - | head -c 1 > /dev/null"
echo "test-tool-copy.sh: PASS"
