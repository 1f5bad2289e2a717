#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-shared-initiators.sh: several initiators share one target.
#
# AoE has no connections: every initiator on a host sees every reply on
# its interface, and a segment that floods (a hub, or a switch before it
# has learned) shows each host the replies meant for the others.  A reply
# must complete only the frame it answers:
#   1. 2 and then 4 aoectl copy processes on one interface (one MAC) write
#      and read disjoint ranges of one target at the same time, 10 rounds
#      each; every range byte-exact;
#   2. two "hosts" (two interfaces, two MACs) behind a bridge that floods
#      every frame to every port (learning off), 10 rounds, byte-exact;
#   3. nbdkit aoe serves an nbdcopy round trip while aoectl stat --interval
#      probes the same target from the same host and interface.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
requires command -v nbdcopy
copy=("$(tool_bin aoectl)" copy)
stat=("$(tool_bin aoectl)" stat)
rounds=${SHARED_ROUNDS:-10}
m=$((1024 * 1024))

# run_round N IFACE...: N aoectl copy processes at once, process i on the
# i-th IFACE (cycling), each on its own 16 MiB range of the 64 MiB target:
# the even ones write fresh random data, the odd ones read; then every
# written range must equal its source and every read range the image.
run_round ()
{
  local n=$1 i pids=() status=0 iface
  shift
  local ifaces=("$@")
  local len=$(( 64 * m / n ))
  for (( i = 0; i < n; i++ )); do
    iface=${ifaces[i % ${#ifaces[@]}]}
    if (( i % 2 == 0 )); then
      head -c "$len" /dev/urandom > "$TB_DIR/src$i"
      tb_init_exec "${copy[@]}" -q -i "$iface" -o $(( i * len )) \
        "$TB_DIR/src$i" e0.1 &
    else
      tb_init_exec "${copy[@]}" -q -i "$iface" -o $(( i * len )) -l "$len" \
        e0.1 "$TB_DIR/out$i" &
    fi
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    wait "$i" || status=$?
  done
  [ "$status" -eq 0 ] || tool_fail "an aoectl copy of $n failed (status $status)"
  for (( i = 0; i < n; i++ )); do
    if (( i % 2 == 0 )); then
      cmp -s "$TB_DIR/src$i" <(tail -c +$(( i * len + 1 )) "$TOOL_IMAGE" |
                                 head -c "$len") ||
        tool_fail "round of $n: range $i written wrong"
    else
      cmp -s "$TB_DIR/out$i" <(tail -c +$(( i * len + 1 )) "$TOOL_IMAGE" |
                                 head -c "$len") ||
        tool_fail "round of $n: range $i read wrong"
    fi
  done
}

# ---- 1. two and four processes on one interface ----
tb_setup --mtu 9000
TOOL_IMAGE=$TB_DIR/disk.img
tb_image "$TOOL_IMAGE" 64M random
tb_vblade 0 1 "$TOOL_IMAGE"
for n in 2 4; do
  start=$(date +%s%N)
  for (( r = 0; r < rounds; r++ )); do
    run_round "$n" "$TB_IFACE"
  done
  echo "$n initiators on one interface: $rounds rounds byte-exact in" \
       "$(( ($(date +%s%N) - start) / 1000000 )) ms"
done

# ---- 3. nbdkit aoe serving a copy while aoectl stat probes ----
if [ -n "${AOE_PLUGIN:-}" ]; then
  tb_init_bg "${stat[@]}" -i "$TB_IFACE" e0.1 --interval 0.05 --json
  stat_pid=$TB_BG_PID
  stat_log=$TB_BG_LOG
  head -c 64M /dev/urandom > "$TB_DIR/nbd-src"
  tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 slot=1 \
    --run "nbdcopy -C 4 -R 64 '$TB_DIR/nbd-src' \"\$uri\" &&
           nbdcopy -C 4 -R 64 \"\$uri\" '$TB_DIR/nbd-out'"
  cmp "$TB_DIR/nbd-src" "$TOOL_IMAGE" || tool_fail "nbdcopy wrote wrong data"
  cmp "$TB_DIR/nbd-src" "$TB_DIR/nbd-out" || tool_fail "nbdcopy read wrong data"
  _tb_alive "$stat_pid" || tool_fail "aoectl stat stopped: $(tail -3 "$stat_log")"
  _tb_kill "$stat_pid"
  samples=$(grep -c '"sample"' "$stat_log" || true)
  [ "$samples" -ge 5 ] || tool_fail "aoectl stat took only $samples samples"
  echo "nbdkit aoe + nbdcopy 64 MiB in and out byte-exact beside aoectl stat" \
       "($samples probe samples)"
fi
tb_teardown

# ---- 2. two hosts behind a flooding bridge ----
tool_two_initiators 64M random
for port in "$TOOL_PORT1" "$TB_TIFACE2"; do
  tb_target_exec ip link set dev "$port" type bridge_slave learning off \
    flood on || tool_fail "cannot turn learning off on $port"
done
# Forget what it learnt before (vblade's readiness probe): with no entry
# for either host, every reply floods to both.
tb_target_exec bridge fdb show br "$TOOL_BRIDGE" |
  while read -r mac _ dev rest; do
    case "$rest" in
      *permanent*|*self*) ;;
      *) tb_target_exec bridge fdb del "$mac" dev "$dev" master ;;
    esac
  done
# The bridge really floods: a probe on the second host's interface sees
# the first host's replies, addressed to the first host, and drops them.
tb_init_bg "${stat[@]}" -i "$TB_IFACE2" e0.1 --interval 0.1 --json
stat_pid=$TB_BG_PID
stat_log=$TB_BG_LOG
tb_wait_for 10 grep -q '"sample"' "$stat_log" || tool_fail "aoectl stat did not start"
start=$(date +%s%N)
for (( r = 0; r < rounds; r++ )); do
  run_round 2 "$TB_IFACE" "$TB_IFACE2"
done
echo "2 hosts on a flooding bridge: $rounds rounds byte-exact in" \
     "$(( ($(date +%s%N) - start) / 1000000 )) ms"
tb_init_exec "${copy[@]}" -q -i "$TB_IFACE" e0.1 "$TB_DIR/flooded"
sleep 0.3
_tb_kill "$stat_pid"
misaddressed=$(tail -1 "$stat_log" | jq .dropped_misaddressed)
[ "$misaddressed" -gt 0 ] ||
  tool_fail "the bridge did not flood: the probe saw no misaddressed reply"
echo "the probe on the second host dropped $misaddressed replies meant for" \
     "the first"
echo "test-shared-initiators.sh: ok"
