#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-testbed.sh: the test bed (tests/functions.sh) itself.
#
# 1. Namespaces, veth pairs (both paths, their MTUs) and vblade come up
#    where they should, vblade answers on the right interface, and the
#    helpers (requires, cleanup_fn, tb_wait_for, tb_image, tb_init_bg,
#    tb_vblade_stop) behave as documented.
# 2. Teardown leaves nothing behind (namespaces, veths, processes, temp
#    dirs, mounts, loop devices) after a clean exit, a failing command under
#    set -e, an explicit exit status, SIGTERM, and Ctrl-C (SIGINT to the
#    whole process group while a foreground command runs).
# 3. The host's own interfaces are untouched, and no AoE frame appears on
#    any host interface for the whole run (a passive sniffer listens).
set -euo pipefail
AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$AOE_SRCDIR/tests/functions.sh"

requires_root
requires ip netns list
requires command -v vblade
requires "$TB_PYTHON" -c 'import socket; socket.AF_PACKET'
requires losetup --version
requires test -e /dev/loop-control
requires setsid --version
requires env --default-signal=INT true

probe=$AOE_SRCDIR/tests/tb-aoe.py

# A description of the host's interfaces that must not change: name,
# flags, MTU, state, MAC and addresses (counters are left out).
host_links ()
{
  ip -o link show | sed -e 's/^[0-9]*: //' -e 's/ qdisc [^ ]*//' -e 's/ qlen [0-9]*//' | sort
  ip -o addr show | awk '{print $2, $3, $4}' | sort
}

# Stop a background process of ours, if it still runs, and reap it.
stop_quietly ()
{
  kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

work=$(mktemp -d /tmp/aoe-testbed-test.XXXXXX)
cleanup_fn rm -rf "$work"
host_links > "$work/links.before"

# Listen for AoE frames on every host interface for the whole test.
"$TB_PYTHON" "$probe" sniff --ready-file "$work/sniff.ready" > "$work/sniff.out" 2>&1 &
sniff_pid=$!
cleanup_fn stop_quietly "$sniff_pid"
tb_wait_for 5 test -e "$work/sniff.ready" || fail "the host sniffer did not start"

# ---- 1. bring-up ----

tb_setup --mtu 9000
[[ "$TB_NS_TARGET" == *"$TB_ID"* && "$TB_NS_INIT" == *"$TB_ID"* ]] ||
  fail "namespace names do not carry the run id $TB_ID"
ip netns list | grep -qw -- "$TB_NS_TARGET" || fail "no namespace $TB_NS_TARGET"
ip netns list | grep -qw -- "$TB_NS_INIT" || fail "no namespace $TB_NS_INIT"
[ "${#TB_IFACE}" -le 15 ] && [ "${#TB_TIFACE}" -le 15 ] || fail "veth names too long"
[ -d "$TB_DIR" ] || fail "no TB_DIR"

# Each veth end lives only in its namespace, is up, has the MTU and MAC.
check_link ()
{
  local ns=$1 iface=$2 mtu=$3 mac=$4 line
  line=$(ip -n "$ns" -o link show dev "$iface") || fail "$iface missing in $ns"
  [[ "$line" == *"mtu $mtu "* ]] || fail "$iface: wrong MTU: $line"
  [[ "$line" == *"state UP"* ]] || fail "$iface: not up: $line"
  [[ "$line" == *"link/ether $mac "* ]] || fail "$iface: MAC is not $mac: $line"
  if ip -o link show dev "$iface" >/dev/null 2>&1; then
    fail "$iface is visible in the host namespace"
  fi
}
check_link "$TB_NS_INIT" "$TB_IFACE" 9000 "$TB_MAC_INIT"
check_link "$TB_NS_TARGET" "$TB_TIFACE" 9000 "$TB_MAC_TARGET"
[ "$TB_MAC_INIT" != "$TB_MAC_TARGET" ] || fail "both ends have one MAC"

tb_add_path --mtu 1500
check_link "$TB_NS_INIT" "$TB_IFACE2" 1500 "$TB_MAC_INIT2"
check_link "$TB_NS_TARGET" "$TB_TIFACE2" 1500 "$TB_MAC_TARGET2"

# tb_image: sparse and random images of the exact size.
tb_image "$TB_DIR/sparse.img" 64M
[ "$(stat -c %s "$TB_DIR/sparse.img")" -eq $((64 << 20)) ] || fail "sparse image size"
[ "$(stat -c %b "$TB_DIR/sparse.img")" -lt 64 ] || fail "image is not sparse"
tb_image "$TB_DIR/random.img" 1M random
[ "$(stat -c %s "$TB_DIR/random.img")" -eq $((1 << 20)) ] || fail "random image size"
if cmp -s -n $((1 << 20)) "$TB_DIR/random.img" /dev/zero; then
  fail "random image is all zeroes"
fi
if (tb_image "$TB_DIR/bad.img" 12X) 2>/dev/null; then
  fail "tb_image accepted a bad size"
fi

# vblade on path 1 answers a Query Config from the initiator namespace with
# its MAC, default buffer count 16 and 17 sectors per frame at MTU 9000.
tb_vblade 0 1 "$TB_DIR/sparse.img"
vblade1=$TB_VBLADE_PID
[ "$(cat "/proc/$vblade1/comm")" = vblade ] || fail "TB_VBLADE_PID is not vblade"
[ "$(ip netns identify "$vblade1")" = "$TB_NS_TARGET" ] ||
  fail "vblade does not run in the target namespace"
reply=$(tb_init_exec "$TB_PYTHON" "$probe" config "$TB_IFACE" 0 1 5) ||
  fail "no answer from e0.1"
echo "path 1: $reply"
[[ "$reply" == *"mac=$TB_MAC_TARGET "* ]] || fail "e0.1 answered from the wrong MAC"
[[ "$reply" == *"dst=$TB_MAC_INIT "* ]] || fail "e0.1 answered to the wrong MAC"
[[ "$reply" == *"bufcnt=16 "* && "$reply" == *"scnt=17 "* ]] ||
  fail "e0.1: unexpected config (MTU 9000, default buffer count)"

# The sniffer sees AoE traffic where there is some (so its zero count on
# the host below means something): a query and its answer, in and out.
ip netns exec "$TB_NS_TARGET" "$TB_PYTHON" "$probe" sniff --ready-file "$work/tsniff.ready" 5 \
  > "$work/tsniff.out" 2>&1 &
tsniff_pid=$!
cleanup_fn stop_quietly "$tsniff_pid"
tb_wait_for 5 test -e "$work/tsniff.ready" || fail "the target sniffer did not start"
tb_init_exec "$TB_PYTHON" "$probe" config "$TB_IFACE" 0 1 5 >/dev/null || fail "no answer from e0.1"
stop_quietly "$tsniff_pid" || true
grep -q "^$TB_TIFACE broadcast $TB_MAC_INIT -> ff:ff:ff:ff:ff:ff" "$work/tsniff.out" &&
  grep -q "^$TB_TIFACE outgoing $TB_MAC_TARGET -> $TB_MAC_INIT" "$work/tsniff.out" ||
  fail "the sniffer missed the query or the reply: $(cat "$work/tsniff.out")"

# vblade on path 2 (MTU 1500, -b 4): 2 sectors per frame, buffer count 4.
tb_vblade --path 2 0 2 "$TB_DIR/random.img" -b 4
reply=$(tb_init_exec "$TB_PYTHON" "$probe" config "$TB_IFACE2" 0 2 5) ||
  fail "no answer from e0.2"
echo "path 2: $reply"
[[ "$reply" == *"mac=$TB_MAC_TARGET2 "* ]] || fail "e0.2 answered from the wrong MAC"
[[ "$reply" == *"bufcnt=4 "* && "$reply" == *"scnt=2 "* ]] ||
  fail "e0.2: unexpected config (MTU 1500, -b 4)"
# e0.2 serves only path 2: nothing answers for it on path 1.
if tb_init_exec "$TB_PYTHON" "$probe" config "$TB_IFACE" 0 2 1 >/dev/null 2>&1; then
  fail "e0.2 answered on path 1"
fi

# A MAC mask that excludes us: tb_vblade still returns (it sees the
# start-up announcement), but vblade ignores our queries.
tb_vblade 0 3 "$TB_DIR/sparse.img" -m 02:00:00:00:00:01
if tb_init_exec "$TB_PYTHON" "$probe" config "$TB_IFACE" 0 3 1 >/dev/null 2>&1; then
  fail "masked vblade answered"
fi

# A vblade that cannot start is reported, not waited for.
if (tb_vblade 0 4 "$TB_DIR/sparse.img" -Z) 2>"$work/badvblade.err"; then
  fail "tb_vblade did not fail for a vblade that exits"
fi
grep -q "vblade e0.4 exited at start: .*usage" "$work/badvblade.err" ||
  fail "no clear message for a failed vblade: $(cat "$work/badvblade.err")"

# tb_vblade_stop stops ours and refuses anybody else's process.
tb_vblade_stop "$vblade1"
if _tb_alive "$vblade1"; then
  fail "vblade $vblade1 still running after tb_vblade_stop"
fi
if (tb_vblade_stop $$) 2>/dev/null; then
  fail "tb_vblade_stop killed a process it did not start"
fi

# tb_init_bg runs in the initiator namespace.
# True if process PID runs in network namespace NS.
in_netns ()
{
  [ "$(ip netns identify "$1" 2>/dev/null)" = "$2" ]
}
tb_init_bg sleep 300
# (ip netns exec needs a moment to enter the namespace and exec.)
tb_wait_for 5 in_netns "$TB_BG_PID" "$TB_NS_INIT" ||
  fail "tb_init_bg did not run in the initiator namespace"
[ "$(tb_target_exec ip -o link show | grep -c "$TB_ID")" -eq 2 ] ||
  fail "the target namespace should hold exactly the two target veth ends"

# tb_wait_for: success at once, failure after its time limit.
tb_wait_for 5 true || fail "tb_wait_for 5 true failed"
start=$(date +%s%N)
if tb_wait_for 1 false 2>/dev/null; then
  fail "tb_wait_for 1 false succeeded"
fi
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -ge 900 ] && [ "$elapsed_ms" -lt 3000 ] ||
  fail "tb_wait_for 1 took $elapsed_ms ms"

# requires: pass, skip (77) and, under CI=true as root, fail (1).
run_requires ()
{
  env "$@" bash -c '. "$AOE_SRCDIR/tests/functions.sh"; requires "$REQ"; exit 0' \
    >/dev/null 2>&1 && echo 0 || echo $?
}
export AOE_SRCDIR
[ "$(run_requires CI= REQ=true)" = 0 ] || fail "requires true did not pass"
[ "$(run_requires CI= REQ=false)" = 77 ] || fail "requires false did not skip"
[ "$(run_requires CI=true REQ=false)" = 1 ] || fail "requires false under CI=true did not fail"

# cleanup_fn: LIFO order, arguments kept intact, the exit status kept.
status=0
bash -c '. "$AOE_SRCDIR/tests/functions.sh"
         cleanup_fn sh -c "echo \"\$1\" >> \"\$2\"" - "first arg" "$0"
         cleanup_fn sh -c "echo \"\$1\" >> \"\$2\"" - "second  arg" "$0"
         cleanup_fn false
         exit 5' "$work/order" || status=$?
[ "$status" -eq 5 ] || fail "exit status $status instead of 5 after cleanups"
printf 'second  arg\nfirst arg\n' | cmp -s - "$work/order" ||
  fail "cleanups did not run last-first with their arguments: $(cat "$work/order")"

# ---- 2. teardown in every way a test can end ----

cat > "$work/child.sh" <<'EOF'
# A test body that builds everything and then ends as $1 says.
set -euo pipefail
. "$AOE_SRCDIR/tests/functions.sh"
state=$2
tb_setup
tb_add_path
tb_image "$TB_DIR/disk.img" 16M
tb_vblade 0 1 "$TB_DIR/disk.img"
tb_init_bg sleep 300
mkdir "$TB_DIR/mnt"
mount -t tmpfs -o size=1M tmpfs "$TB_DIR/mnt"
cleanup_fn umount "$TB_DIR/mnt"
loop=$(losetup -f --show "$TB_DIR/disk.img")
cleanup_fn losetup -d "$loop"
printf '%s\n' "id=$TB_ID" "dir=$TB_DIR" "vblade=$TB_VBLADE_PID" \
  "bg=$TB_BG_PID" "loop=$loop" "mnt=$TB_DIR/mnt" > "$state"
touch "$state.ready"
case "$1" in
  ok) exit 0 ;;
  fail) false ;;
  exit3) exit 3 ;;
  wait) sleep 300 & wait $! ;;
  foreground) sleep 300 ;;
esac
echo "child: should not get here" >&2
exit 99
EOF

# True once READY_FILE exists or PID has exited.
ready_or_gone ()
{
  [ -e "$1" ] || ! _tb_alive "$2"
}

# Run the child ending as HOW; SIGNAL (or -) is sent to it (TERM: to the
# shell only, waiting in `wait`; INT: to its whole process group, as Ctrl-C
# does); check its exit status is EXPECT and that nothing it made is left.
teardown_case ()
{
  local how=$1 signal=$2 expect=$3 state=$work/state-$1 pid status=0
  local id dir vblade bg loop mnt
  setsid env --default-signal=INT,TERM bash "$work/child.sh" "$how" "$state" \
    > "$work/child-$how.log" 2>&1 &
  pid=$!
  tb_wait_for 30 ready_or_gone "$state.ready" "$pid"
  [ -e "$state.ready" ] ||
    fail "child '$how' did not come up: $(cat "$work/child-$how.log")"
  id=$(sed -n 's/^id=//p' "$state")
  # While it runs, its links exist in its namespaces and not in the host's.
  if ip -o link show | grep -q -- "$id"; then
    fail "child '$how': a veth of $id is visible in the host namespace"
  fi
  case "$signal" in
    TERM) kill -TERM "$pid" ;;
    INT) kill -INT -- "-$pid" ;;
  esac
  wait "$pid" || status=$?
  [ "$status" -eq "$expect" ] ||
    fail "child '$how' exited $status, expected $expect: $(cat "$work/child-$how.log")"
  dir=$(sed -n 's/^dir=//p' "$state")
  vblade=$(sed -n 's/^vblade=//p' "$state")
  bg=$(sed -n 's/^bg=//p' "$state")
  loop=$(sed -n 's/^loop=//p' "$state")
  mnt=$(sed -n 's/^mnt=//p' "$state")
  if ip netns list | grep -q -- "$id"; then
    fail "child '$how': namespaces of $id left behind"
  fi
  if ip -o link show | grep -q -- "$id"; then
    fail "child '$how': links of $id left behind"
  fi
  for p in "$vblade" "$bg"; do
    if _tb_alive "$p"; then
      fail "child '$how': process $p ($(cat "/proc/$p/comm")) left running"
    fi
  done
  [ ! -e "$dir" ] || fail "child '$how': $dir left behind"
  if grep -q " $mnt " /proc/mounts; then
    fail "child '$how': $mnt still mounted"
  fi
  if losetup "$loop" 2>/dev/null | grep -q "$dir"; then
    fail "child '$how': $loop still attached"
  fi
  echo "teardown after '$how' (status $status): nothing left of $id"
}

teardown_case ok - 0
teardown_case fail - 1
teardown_case exit3 - 3
teardown_case wait TERM 143
teardown_case foreground INT 130

# ---- 3. the host is untouched ----

host_links > "$work/links.after"
# Interfaces other tests create meanwhile are not ours to judge: compare
# only the lines of the interfaces that existed before.
while read -r line; do
  grep -qxF -- "$line" "$work/links.after" ||
    fail "host interface changed: '$line' is gone"
done < "$work/links.before"

stop_quietly "$sniff_pid" || true
cat "$work/sniff.out"
grep -qx 'aoe_frames=0' "$work/sniff.out" ||
  fail "AoE frames appeared on host interfaces: $(cat "$work/sniff.out")"

echo "test-testbed.sh: PASS"
