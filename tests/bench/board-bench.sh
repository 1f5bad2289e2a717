#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/bench/board-bench.sh: scripts/bench --board.  On the emulated
# ARM926 board (tests/vm/arm926.sh), in one boot, the kernel's
# aoe driver against nbdkit aoe + nbd-client reading and writing the same
# vblade target (tests/bench/board-guest-bench.sh), then a table of the
# medians: MB/s, the board's CPU seconds per MiB, and the NBD path's
# ratios to the kernel driver (throughput ratio: above 1 is faster; CPU
# ratio: below 1 is cheaper).  Emulation makes the absolute figures
# meaningless; the ratios on the same emulated CPU are the point.
#
# Usage: board-bench.sh [--mib N] [--reps N] [--out DIR] [--profile] [--stock-aoe]
#   --mib N    MiB per measurement (default 32)
#   --reps N   repetitions, interleaved (default 3)
#   --out DIR  where board.md and board.txt go (default bench-results/);
#              after a stall also board-stall.txt, the stalled path's state
#   --profile  also put Debian's armel perf on the board and profile the
#              whole board (kernel and user space) over one more dd of
#              --mib per path and direction: DIR/board-profile.txt, and
#              the processes' and binaries' shares in board.md
#   --stock-aoe  the kernel's aoe driver without the board kernel's stall
#              fix (tests/vm/board-aoe-kick.patch): a stall of it ends
#              the run but does not fail the bench, whose board.md then
#              holds what was measured and board-stall.txt the state
# Needs root (the test bed) and AOE_BUILDDIR (the board's cache).
set -euo pipefail
AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export AOE_SRCDIR
. "$AOE_SRCDIR/tests/functions.sh"
. "$AOE_SRCDIR/tests/vm/arm926.sh"

mib=32 reps=3 out=$AOE_SRCDIR/bench-results profile_mib=0 stock=
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) mib=${2:-}; shift ;;
    --reps) reps=${2:-}; shift ;;
    --out) out=${2:-}; shift ;;
    --profile) profile_mib=pending ;;
    --stock-aoe) stock=1 ;;
    *) _tb_die "unknown argument '$1' (usage: board-bench.sh [--mib N] [--reps N] [--out DIR] [--profile] [--stock-aoe])" ;;
  esac
  shift
done
[[ "$mib" =~ ^[1-9][0-9]*$ ]] || _tb_die "--mib must be a positive number, got '$mib'"
[[ "$reps" =~ ^[1-9][0-9]?$ ]] || _tb_die "--reps must be 1-99, got '$reps'"
[ -n "$out" ] || _tb_die "--out needs a directory"
[ "$profile_mib" = 0 ] || { profile_mib=$mib; board_with_perf; }
[ -z "$stock" ] || board_stock_aoe

requires command -v vblade
tb_setup --mtu 1500
image=$TB_DIR/disk.img
tb_image "$image" "$(( mib + 4 ))M"
tb_vblade 0 1 "$image"
board_prepare
board_net_join

guest=$BOARD_DIR/guest-bench.sh
{ cat "$AOE_SRCDIR/tests/bench/board-guest-bench.sh"; echo 'main "$@"'; } > "$guest"
echo "board bench: $mib MiB per measurement, $reps repetitions, one boot"
# A measurement of 32 MiB takes tens of seconds on the emulated board.
board_run $(( 600 + mib * (reps + 2) * 8 )) "$guest" "$mib" "$reps" "$profile_mib"
board_results BOARD-BENCH > "$BOARD_DIR/bench.txt"
mkdir -p "$out" || _tb_die "cannot create $out"
if [ "$profile_mib" != 0 ]; then
  # Kept even if the run fails below (a stall of the kernel's driver).
  board_results BOARD-PROFILE > "$out/board-profile.txt"
fi
stalls=$(board_results BOARD-STALL)
# The stalled path's state (board-guest-bench.sh's stall_state).
[ -z "$stalls" ] || board_results BOARD-DIAG > "$out/board-stall.txt"
measured=$(wc -l < "$BOARD_DIR/bench.txt")
if [ -z "$stalls" ]; then
  [ "$measured" -eq $(( reps * 4 )) ] ||
    vm_fail "the board printed $measured measurements, expected $(( reps * 4 ))"
fi
# The stock driver's stall is what --stock-aoe is for.
if [ -z "$stock" ] || [ -z "$stalls" ]; then
  grep -q 'path=nbd-aoe' "$BOARD_DIR/bench.txt" && grep -q 'path=kernel-aoe' "$BOARD_DIR/bench.txt" ||
    vm_fail "the board measured only one path (stalled: ${stalls:-none})"
fi

cp "$BOARD_DIR/bench.txt" "$out/board.txt"
# Medians per path and direction, and the NBD path's ratios.
awk -v mib="$mib" -v reps="$reps" '
  function field(name,   i) {
    for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2)
  }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return 0
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  # A median in format f, or "-" for a path not measured (median 0).
  function cell(value, f) {
    return value > 0 ? sprintf(f, value) : "-"
  }
  {
    k = field("path") " " field("rw")
    s = field("seconds"); c = field("cpu_seconds"); b = field("bytes")
    mbs[k] = mbs[k] " " (b / s / 1e6)
    cpm[k] = cpm[k] " " (c / (b / 1048576))
  }
  END {
    print "| direction | kernel aoe MB/s | nbd-aoe MB/s | throughput ratio | kernel aoe CPU s/MiB | nbd-aoe CPU s/MiB | CPU ratio |"
    print "|---|---|---|---|---|---|---|"
    split("read write", rws, " ")
    for (r = 1; r <= 2; r++) {
      rw = rws[r]
      km = median(mbs["kernel-aoe " rw]); nm = median(mbs["nbd-aoe " rw])
      kc = median(cpm["kernel-aoe " rw]); nc = median(cpm["nbd-aoe " rw])
      printf "| %s | %s | %s | %s | %s | %s | %s |\n", rw, cell(km, "%.2f"), cell(nm, "%.2f"),
             (km > 0 && nm > 0 ? sprintf("%.2fx", nm / km) : "n/a"), cell(kc, "%.4f"), cell(nc, "%.4f"),
             (kc > 0 && nc > 0 ? sprintf("%.2fx", nc / kc) : "n/a")
    }
    printf "\nMedians of %d measurements in %d interleaved repetitions, %d MiB each (dd bs=1M through the page cache), one boot of the emulated ARM926 board.\n", NR, reps, mib
    if (stalls != "") printf "Stalled (no progress for 120 s, the board reset itself there): %s.\n", stalls
  }' stalls="$stalls" "$BOARD_DIR/bench.txt" > "$out/board.md" || _tb_die "cannot write $out/board.md"
# Which kernel driver ran, and how often it found no free frame with
# none outstanding (board-guest-bench.sh's kicked_report): the fix's
# timer resumes it each time, the stock driver only on a new request.
kicked=$(board_results BOARD-KICKED |
           sed -n 's/.* rep=\([^ ]*\) kicked=\(.*\)/repetition \1: \2/p' | paste -sd ',' | sed 's/,/, /g')
if [ -n "$stock" ]; then
  driver="linux-source-6.1's stock driver (--stock-aoe)"
else
  driver="linux-source-6.1's with tests/vm/board-aoe-kick.patch (the stock driver stalls on this board)"
fi
printf '%s\n' "The kernel's aoe driver is $driver. Times it found no free frame with none outstanding (debugfs \"kicked\"), each a stall of the stock driver unless a new request came: ${kicked:-none reported}." \
  >> "$out/board.md"
if [ "$profile_mib" != 0 ]; then
  [ -s "$out/board-profile.txt" ] || vm_fail "the board printed no profile"
  # The shares of processes and binaries, per path and direction.
  for sort in comm dso; do
    printf '\n## perf on the board: %s, %s MiB per path and direction\n\n' \
      "$( [ $sort = comm ] && echo processes || echo binaries)" "$mib"
    echo '| path | direction | top shares of all samples |'
    echo '|---|---|---|'
    awk -v sort="$sort" '
      { for (i = 1; i <= NF; i++) if (index($i, "=")) { split($i, kv, "="); f[kv[1]] = kv[2] } }
      f["sort"] != sort { next }
      { k = f["path"] " | " f["rw"]; line = $4 " " $5
        if (n[k]++ < 6) row[k] = row[k] (row[k] ? ", " : "") line }
      END { for (k in row) printf "| %s | %s |\n", k, row[k] }' "$out/board-profile.txt" | sort
  done >> "$out/board.md"
fi
cat "$out/board.md"
extra=
[ "$profile_mib" = 0 ] || extra+=", profile: $out/board-profile.txt"
[ -z "$stalls" ] || extra+=", stalled state: $out/board-stall.txt"
echo "board bench: wrote $out/board.md (raw lines: $out/board.txt$extra)"
