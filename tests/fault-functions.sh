# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/fault-functions.sh: helpers of the fault-injection tests
# (tests/test-fault-*.sh), on top of tests/plugin-functions.sh and
# tests/lib-functions.sh (lib_fail, lib_prog).
#
#   . "$AOE_SRCDIR/tests/fault-functions.sh"
#   requires_fault_tools
#   plugin_target 256M                     # test bed + image + vblade e0.1
#   fault_nbdkit_start                     # nbdkit aoe in the background
#   fault_nft "$TB_NS_TARGET" "table netdev loss { ... }"
#   fault_copy "$src" "$FAULT_URI"
#   fault_nbdkit_stop
#   fault_stat duplicates                  # a counter from its stats line
#
# Faults are nftables rules in the netdev family (ingress and egress hooks
# of the veth ends) loaded INSIDE the test bed's namespaces: they see only
# the test links and vanish with the namespaces.
#
# Where a fault can act: a frame dropped in an egress hook fails the
# sender's send(2) with ENOBUFS (and vblade exits on any send error), and
# the initiator's capture sees a frame before its own ingress hook runs.
# So fault_wire_target puts a wire in the target namespace: vblade serves
# on its own veth pair ($FAULT_VB_IFACE, peer $FAULT_WIRE_IFACE), and the
# table "wire" forwards frames between $TB_TIFACE and $FAULT_WIRE_IFACE
# with nft fwd.  Faults on the requests go on the ingress of $TB_TIFACE,
# faults on the replies on the ingress of $FAULT_WIRE_IFACE (both in
# $TB_NS_TARGET), where a drop is silent to both ends.
#
# Functions:
#   requires_fault_tools     skip unless plugin, nft, nbdcopy, jq and cmp work
#   fault_nft NS RULESET     load RULESET (nft syntax) in namespace NS
#   fault_wire_target SIZE [random]
#                            plugin_target, but vblade sits behind a wire:
#                            see "Where a fault can act" above
#   fault_chain NAME DEV HOOK RULE
#                            a ruleset text: table netdev NAME with one
#                            chain on DEV's HOOK (ingress|egress) holding
#                            "ether type 0x88a2 RULE", run before the wire
#   fault_packets NS TABLE   packets counted by the counters of TABLE
#   fault_nbdkit_start [NBDKIT_OPTS...] [-- KEY=VALUE...]
#                            nbdkit -f -v -D aoe.stats=1 with the plugin
#                            for e0.1 on $TB_IFACE (more iface= keys may be
#                            passed after --) in the initiator namespace,
#                            serving $FAULT_URI; pid FAULT_NBDKIT_PID, log
#                            FAULT_NBDKIT_LOG
#   fault_nbdkit_stop        stop it (its stats go to the log) and wait
#   fault_expect_no_errors   fail if nbdkit logged an error
#   fault_stat NAME          counter NAME ("duplicates", "foreign", ...)
#                            from the last stats line nbdkit logged
#   fault_copy FROM TO       nbdcopy FROM TO in the initiator namespace
#                            (prints the throughput; FAULT_MIBS holds it)
#   fault_copy_start FROM TO [NBDCOPY_OPTS...]
#                            the same in the background (FAULT_COPY_PID),
#                            with NBDCOPY_OPTS instead of -C 4 -R 64
#   fault_copy_finish        wait for it; fail if nbdcopy failed
#   fault_wait_allocated FILE BYTES SECONDS
#                            wait until FILE (sparse at first: the image,
#                            a copy's output) holds BYTES of data
#   fault_allocated FILE     bytes of data blocks FILE holds
#   fault_aio SECONDS [IFACES]
#                            run fault-aio (tests/fault-aio.c) on IFACES
#                            (default $TB_IFACE) against e0.1 and
#                            $PLUGIN_IMAGE; its counters go to
#                            $TB_DIR/aio.out
#   fault_aio_stat NAME      a counter fault_aio printed
#   fault_now_ms             milliseconds on a monotonic clock

. "$AOE_SRCDIR/tests/plugin-functions.sh"
. "$AOE_SRCDIR/tests/lib-functions.sh"

# requires_fault_tools: everything the fault tests need.
requires_fault_tools ()
{
  requires_plugin
  requires nft --version
  requires nbdcopy --version
  requires jq --version
  requires cmp --version
}

# fault_nft NS RULESET: load RULESET into the nftables of namespace NS.
fault_nft ()
{
  local ns=$1 ruleset=$2
  ip netns exec "$ns" nft -f - <<< "$ruleset" ||
    lib_fail "nft refused the ruleset in $ns: $ruleset"
}

# fault_chain NAME DEV HOOK RULE: the text of a netdev table NAME whose
# one chain on DEV's HOOK applies RULE to AoE frames (priority -10: before
# the wire's forwarding).
fault_chain ()
{
  local name=$1 dev=$2 hook=$3 rule=$4
  printf '%s\n' "table netdev $name {" "  chain $hook {" \
    "    type filter hook $hook device \"$dev\" priority -10;" \
    "    ether type 0x88a2 $rule" '  }' '}'
}

# fault_wire_target SIZE [random]: see "Where a fault can act" above.
# The image is $PLUGIN_IMAGE, vblade serves it as e0.1 and TB_MAC_TARGET
# is its MAC (the one the initiator sees).
fault_wire_target ()
{
  local size=$1 fill=${2:-}
  requires command -v vblade
  tb_setup --mtu "${PLUGIN_MTU:-9000}"
  PLUGIN_IMAGE=$TB_DIR/disk.img
  tb_image "$PLUGIN_IMAGE" "$size" $fill
  FAULT_VB_IFACE=aw${TB_ID}v
  FAULT_WIRE_IFACE=aw${TB_ID}w
  ip -n "$TB_NS_TARGET" link add "$FAULT_VB_IFACE" mtu "$TB_MTU" type veth \
     peer name "$FAULT_WIRE_IFACE" mtu "$TB_MTU" ||
    lib_fail "cannot create the wire's veth pair"
  ip -n "$TB_NS_TARGET" link set "$FAULT_VB_IFACE" up
  ip -n "$TB_NS_TARGET" link set "$FAULT_WIRE_IFACE" up
  fault_nft "$TB_NS_TARGET" "$(printf '%s\n' \
    'table netdev wire {' \
    '  chain requests {' \
    "    type filter hook ingress device \"$TB_TIFACE\" priority 0;" \
    "    fwd to \"$FAULT_WIRE_IFACE\"" \
    '  }' \
    '  chain replies {' \
    "    type filter hook ingress device \"$FAULT_WIRE_IFACE\" priority 0;" \
    "    fwd to \"$TB_TIFACE\"" \
    '  }' \
    '}')"
  TB_MAC_TARGET=$(_tb_mac "$TB_NS_TARGET" "$FAULT_VB_IFACE")
  TB_TIFACE=$FAULT_VB_IFACE tb_vblade 0 1 "$PLUGIN_IMAGE"
  export FAULT_VB_IFACE FAULT_WIRE_IFACE TB_MAC_TARGET
}

# fault_packets NS TABLE: the sum of the packet counters in TABLE.
fault_packets ()
{
  ip netns exec "$1" nft -j list table netdev "$2" |
    jq '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter)
         | .counter.packets] | add // 0'
}

# fault_now_ms: milliseconds since some fixed point (monotonic enough for
# the durations measured here).
fault_now_ms ()
{
  echo $(( $(date +%s%N) / 1000000 ))
}

# fault_nbdkit_start [NBDKIT_OPTS...] [-- KEY=VALUE...]: see above.
fault_nbdkit_start ()
{
  local opts=() keys=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  keys=("$@")
  FAULT_SOCK=$TB_DIR/nbd.sock
  rm -f "$FAULT_SOCK"
  tb_init_bg nbdkit -f -v -D aoe.stats=1 "${opts[@]}" -U "$FAULT_SOCK" \
    "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 slot=1 "${keys[@]}"
  FAULT_NBDKIT_PID=$TB_BG_PID
  FAULT_NBDKIT_LOG=$TB_BG_LOG
  FAULT_URI="nbd+unix:///?socket=$FAULT_SOCK"
  tb_wait_for 20 test -S "$FAULT_SOCK" || {
    grep -v ' debug: ' "$FAULT_NBDKIT_LOG" >&2
    lib_fail "nbdkit did not start"
  }
  export FAULT_URI
}

# fault_nbdkit_stop: SIGTERM the nbdkit started above and wait for it;
# it logs its statistics and per-port summary on the way out.
fault_nbdkit_stop ()
{
  # _tb_kill (functions.sh) stops only processes the test bed started.
  _tb_kill "$FAULT_NBDKIT_PID"
}

# fault_expect_no_errors: nbdkit's log holds no error line.
fault_expect_no_errors ()
{
  if grep -q 'error: ' "$FAULT_NBDKIT_LOG"; then
    grep 'error: ' "$FAULT_NBDKIT_LOG" | head -n 5 >&2
    lib_fail "nbdkit reported an error"
  fi
}

# fault_stat NAME: the number after NAME in nbdkit's last "stats (...)"
# lines (the plugin's -D aoe.stats=1 output, "eSHELF.SLOT: stats (...)").
fault_stat ()
{
  local value
  value=$(grep -E 'debug: e[0-9]+\.[0-9]+: stats \(' "$FAULT_NBDKIT_LOG" | tail -n 2 |
            sed -n "s/.* $1 \([0-9][0-9]*\).*/\1/p" | tail -n 1)
  [ -n "$value" ] || lib_fail "no '$1' figure in the nbdkit log"
  echo "$value"
}

# fault_copy FROM TO: nbdcopy in the initiator namespace with 4
# connections; prints and sets FAULT_MIBS (MiB/s of FROM's size).
fault_copy ()
{
  local from=$1 to=$2 start end size
  start=$(fault_now_ms)
  tb_init_exec nbdcopy -C 4 -R 64 "$from" "$to" ||
    lib_fail "nbdcopy $from $to failed"
  end=$(fault_now_ms)
  if [ -f "$from" ]; then
    size=$(stat -c %s "$from")
  else
    size=$(stat -c %s "$to")
  fi
  FAULT_MIBS=$(( size * 1000 / 1048576 / (end - start + 1) ))
  echo "copy $(basename "$from") -> $(basename "$to"):" \
       "$(( size / 1048576 )) MiB in $(( end - start )) ms, $FAULT_MIBS MiB/s"
}

# fault_round_trip SIZE [LABEL]: fresh random data ($TB_DIR/source.img,
# SIZE for head -c) copied into the running nbdkit's export and back out
# ($TB_DIR/out.img); the image and the copy must match it byte for byte.
# Sets FAULT_IN_MIBS and FAULT_OUT_MIBS.
fault_round_trip ()
{
  local size=$1 label=${2:+$2: } src=$TB_DIR/source.img out=$TB_DIR/out.img
  head -c "$size" /dev/urandom > "$src"
  rm -f "$out"
  fault_copy "$src" "$FAULT_URI"
  FAULT_IN_MIBS=$FAULT_MIBS
  cmp "$src" "$PLUGIN_IMAGE" || lib_fail "${label}the image differs from the source"
  fault_copy "$FAULT_URI" "$out"
  FAULT_OUT_MIBS=$FAULT_MIBS
  cmp "$src" "$out" || lib_fail "${label}the copy read back differs"
}

# fault_copy_start FROM TO [NBDCOPY_OPTS...]: nbdcopy FROM TO in the
# initiator namespace, in the background.
fault_copy_start ()
{
  local from=$1 to=$2 opts=(-C 4 -R 64)
  shift 2
  [ $# -eq 0 ] || opts=("$@")
  tb_init_bg nbdcopy "${opts[@]}" "$from" "$to"
  FAULT_COPY_PID=$TB_BG_PID
  FAULT_COPY_LOG=$TB_BG_LOG
}

# fault_copy_finish: wait for the copy started by fault_copy_start.
fault_copy_finish ()
{
  local status=0
  wait "$FAULT_COPY_PID" || status=$?
  cat "$FAULT_COPY_LOG"
  [ "$status" -eq 0 ] || lib_fail "nbdcopy failed (exit $status)"
}

# fault_wait_allocated FILE BYTES SECONDS: wait until FILE has BYTES of
# data blocks, i.e. a copy into it (sparse at first) is that far.
fault_wait_allocated ()
{
  local file=$1 want=$2 seconds=$3
  tb_wait_for "$seconds" _fault_allocated_at_least "$file" "$want" ||
    lib_fail "$file did not reach $want bytes within ${seconds}s"
}

# fault_allocated FILE: bytes of data blocks FILE holds.
fault_allocated ()
{
  echo $(( $(stat -c '%b * %B' "$1") ))
}

# True if FILE ($1) has at least $2 bytes allocated.
_fault_allocated_at_least ()
{
  [ "$(fault_allocated "$1")" -ge "$2" ]
}

# fault_aio SECONDS [IFACES]: see above.
fault_aio ()
{
  local prog
  prog=$(lib_prog fault-aio)
  tb_init_exec "$prog" "${2:-$TB_IFACE}" 0 1 "$PLUGIN_IMAGE" "$1" \
    > "$TB_DIR/aio.out" || {
    cat "$TB_DIR/aio.out"
    lib_fail "fault-aio failed"
  }
  tr '\n' ' ' < "$TB_DIR/aio.out"
  echo
}

# fault_aio_stat NAME: the value of NAME=... in fault-aio's output.
fault_aio_stat ()
{
  local value
  value=$(sed -n "s/^$1=//p" "$TB_DIR/aio.out")
  [ -n "$value" ] || lib_fail "fault-aio printed no $1"
  echo "$value"
}
