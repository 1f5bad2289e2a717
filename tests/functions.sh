# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/functions.sh: the integration test bed of libaoe.
#
# Source it from a shell test:
#
#   . "$AOE_SRCDIR/tests/functions.sh"
#   requires_root
#   tb_setup --mtu 9000
#   tb_image "$TB_DIR/disk.img" 64M
#   tb_vblade 0 1 "$TB_DIR/disk.img"
#   tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 slot=1 --run '...'
#
# Everything that touches the network happens inside two network namespaces
# created here (target and initiator) joined by veth pairs created directly
# inside them: the host namespace never sees them, and no frame is ever sent
# on an interface this run did not create.  Every resource is registered
# with cleanup_fn and released at exit, also on failure, INT and TERM.
#
# Rules for tests: do not set your own EXIT/INT/TERM traps (use cleanup_fn);
# call tb_* functions directly, not inside $(...) or ( ... ) subshells, so
# their cleanups are registered in the main shell.
#
# Functions (see each one's comment):
#   fail MESSAGE...          requires CMD [ARGS...]   requires_root
#   cleanup_fn CMD [ARGS...]
#   tb_setup [--mtu N]       tb_add_path [--mtu N]
#   tb_image PATH SIZE [random]
#   tb_vblade [--path 2] SHELF SLOT IMAGE [VBLADE_OPTS...]   tb_vblade_stop [PID]
#   tb_init_exec CMD...      tb_target_exec CMD...
#   tb_bg CMD...             tb_init_bg CMD...         tb_teardown
#   tb_wait_for SECONDS CMD...
# Helper: tests/tb-aoe.py, raw Query Config probe and AoE frame sniffer
# (run it with "$TB_PYTHON").
#
# Variables: TB_PYTHON (always); set by tb_setup: TB_ID TB_NS_TARGET
# TB_NS_INIT TB_IFACE TB_TIFACE TB_MAC_INIT TB_MAC_TARGET TB_MTU TB_DIR; by
# tb_add_path: TB_IFACE2 TB_TIFACE2 TB_MAC_INIT2 TB_MAC_TARGET2; by
# tb_vblade: TB_VBLADE_PID TB_VBLADE_LOG; by tb_bg and tb_init_bg:
# TB_BG_PID TB_BG_LOG.  TB_PROBE_IFACE (default $TB_IFACE): where
# tb_vblade listens for path 1's target; the VM bed (tests/vm/) sets it to
# the bridge it puts $TB_IFACE in, since a bridge port's frames arrive on
# the bridge.
#
# Environment honoured: CI=true makes an unmet requirement a failure, not
# a skip; AOE_SANITIZE_PRELOAD=/path/libasan.so makes every `nbdkit` found
# on PATH run with that runtime preloaded (plugins built with
# -Db_sanitize=address need it: nbdkit itself is not instrumented).

# Sourcing twice would reset the cleanup list: do it once.
if [ -n "${_tb_sourced:-}" ]; then
  return 0
fi
_tb_sourced=1

# Directory holding this file (and its helper tb-aoe.py).
_tb_testsdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The Python interpreter for tb-aoe.py: the system one if present (a
# version manager's shim may not exec, so its pid would not be Python's).
TB_PYTHON=${TB_PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
export TB_PYTHON

# Shell-quoted command lines run at exit, last registered first.
_tb_cleanups=()

# Pids of the background processes started here (the only ones we kill).
_tb_pids=()

# The shell that sourced this file: cleanups run only there.
_tb_main_pid=$BASHPID

# Name of the running test, for messages.
_tb_name=$(basename -- "$0")

# ---- failure, skipping, cleanup ----

# fail MESSAGE...: print "TEST: FAIL: MESSAGE" (TEST: the script's file
# name, from $0) on stderr and exit 1 (cleanups run).  Every test's
# failed check ends here.
fail ()
{
  echo "$_tb_name: FAIL: $*" >&2
  exit 1
}

# Print a one-line error naming the test and exit 1 (cleanups run).
_tb_die ()
{
  echo "$_tb_name: error: $*" >&2
  exit 1
}

# True if the environment says we run in CI (CI=true, as most CI systems set).
_tb_in_ci ()
{
  [ "${CI:-}" = true ]
}

# Skip the test (exit 77) because of MESSAGE; under CI=true as root a skip
# is a failure instead (exit 1): CI must run every integration test.
_tb_skip ()
{
  if _tb_in_ci && [ "$(id -u)" -eq 0 ]; then
    echo "$_tb_name: FAIL (CI=true forbids skipping): $*" >&2
    exit 1
  fi
  echo "$_tb_name: SKIP: $*" >&2
  exit 77
}

# requires CMD [ARGS...]: run CMD quietly; if it fails, skip the test.
requires ()
{
  if [ $# -eq 0 ]; then
    _tb_die "requires: no command given"
  fi
  if ! "$@" >/dev/null 2>&1; then
    _tb_skip "requirement not met: $*"
  fi
}

# requires_root: skip unless running as uid 0.  Under CI=true not being
# root is itself a failure, since CI must run the integration suites.
requires_root ()
{
  if [ "$(id -u)" -ne 0 ]; then
    if _tb_in_ci; then
      echo "$_tb_name: FAIL: CI=true but not running as root" >&2
      exit 1
    fi
    echo "$_tb_name: SKIP: needs root (network namespaces)" >&2
    exit 77
  fi
}

# cleanup_fn CMD [ARGS...]: run CMD at exit (LIFO), also on failure, INT
# and TERM.  Errors of cleanup commands do not stop the other cleanups.
cleanup_fn ()
{
  local line
  if [ $# -eq 0 ]; then
    _tb_die "cleanup_fn: no command given"
  fi
  printf -v line '%q ' "$@"
  _tb_cleanups+=("$line")
}

# Run every registered cleanup, last first, and forget them.
_tb_run_cleanups ()
{
  local i
  trap '' INT TERM
  set +e
  for (( i = ${#_tb_cleanups[@]} - 1; i >= 0; i-- )); do
    eval "${_tb_cleanups[i]}"
  done
  _tb_cleanups=()
}

# After a failure, the last lines of every background process's log
# (tb_bg's $TB_DIR/bg-PID.log) on stderr: the logs go with $TB_DIR, and a
# crashed server's last words are what explains the failure.
_tb_show_bg_logs ()
{
  local f
  for f in "${TB_DIR:-/nonexistent}"/bg-*.log; do
    [ -s "$f" ] || continue
    echo "--- last lines of ${f##*/} ---" >&2
    tail -n 20 "$f" >&2
  done
}

# EXIT trap: tear down, keeping the test's exit status.
_tb_on_exit ()
{
  local status=$?
  if [ "$BASHPID" = "$_tb_main_pid" ]; then
    [ "$status" = 0 ] || [ "$status" = 77 ] || _tb_show_bg_logs
    _tb_run_cleanups
    if [ -n "${_tb_wrapper_dir:-}" ]; then
      rm -rf "$_tb_wrapper_dir"
    fi
  fi
  exit "$status"
}

# INT/TERM trap: exit with 128+signal, which runs the EXIT trap.
_tb_on_signal ()
{
  echo "$_tb_name: interrupted by SIG$1" >&2
  exit "$2"
}

trap _tb_on_exit EXIT
trap '_tb_on_signal INT 130' INT
trap '_tb_on_signal TERM 143' TERM

# ---- processes ----

# True if PID is a process that has not exited (zombies count as exited).
_tb_alive ()
{
  local stat state
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  state=${stat##*) }
  [ "${state%% *}" != Z ]
}

# True if PID was started by this test bed.
_tb_is_ours ()
{
  local p
  for p in "${_tb_pids[@]}"; do
    [ "$p" = "$1" ] && return 0
  done
  return 1
}

# Stop PID (one we started): SIGTERM, up to 5 s grace, then SIGKILL; reap it.
_tb_kill ()
{
  local pid=$1 i
  if ! _tb_is_ours "$pid"; then
    echo "$_tb_name: refusing to kill pid $pid: not started by the test bed" >&2
    return 1
  fi
  if _tb_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for (( i = 0; i < 50; i++ )); do
      _tb_alive "$pid" || break
      sleep 0.1
    done
    if _tb_alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  return 0
}

# Start CMD... in the background with output to LOG, remember its pid in
# _tb_last_pid and register its termination at exit.  An empty LOG means
# $TB_DIR/bg-PID.log: the child opens it under its final name itself
# (renaming the file afterwards would race with the child's own open).
_tb_spawn ()
{
  local log=$1
  shift
  if [ -z "$log" ]; then
    ( exec "$@" </dev/null >>"$TB_DIR/bg-$BASHPID.log" 2>&1 ) &
  else
    "$@" </dev/null >"$log" 2>&1 &
  fi
  _tb_last_pid=$!
  _tb_pids+=("$_tb_last_pid")
  cleanup_fn _tb_kill "$_tb_last_pid"
}

# tb_wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds (0) or
# SECONDS have passed (1, with a message).
tb_wait_for ()
{
  local seconds=$1 deadline
  shift
  if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ $# -eq 0 ]; then
    _tb_die "usage: tb_wait_for SECONDS CMD..."
  fi
  deadline=$(( $(date +%s%N) + seconds * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s%N)" -ge "$deadline" ]; then
      echo "$_tb_name: timed out after ${seconds}s waiting for: $*" >&2
      return 1
    fi
    sleep 0.1
  done
}

# ---- namespaces and links ----

# Fail unless tb_setup has run in this shell.
_tb_need_setup ()
{
  if [ -z "${TB_ID:-}" ]; then
    _tb_die "$1: call tb_setup first"
  fi
}

# Parse an optional "--mtu N" from the arguments of function FN into
# _tb_mtu (default DEFAULT).
_tb_parse_mtu ()
{
  local fn=$1 default=$2
  shift 2
  _tb_mtu=$default
  if [ $# -eq 0 ]; then
    return 0
  fi
  if [ $# -ne 2 ] || [ "$1" != --mtu ]; then
    _tb_die "usage: $fn [--mtu N]"
  fi
  if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 68 ] || [ "$2" -gt 65535 ]; then
    _tb_die "$fn: --mtu must be a number from 68 to 65535, got '$2'"
  fi
  _tb_mtu=$2
}

# A fresh random id: 6 hex digits not used by any existing namespace.
_tb_new_id ()
{
  local id
  while :; do
    id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
    if ! ip netns list | grep -q -- "-$id-"; then
      echo "$id"
      return
    fi
  done
}

# The MAC address of IFACE in namespace NS.
_tb_mac ()
{
  local line
  line=$(ip -n "$1" -o link show dev "$2") ||
    _tb_die "cannot read the MAC address of $2 in $1"
  sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p' <<< "$line"
}

# Delete namespace NS if it exists (its veth ends go with it).
_tb_del_netns ()
{
  if [ -e "/run/netns/$1" ]; then
    ip netns delete "$1" 2>/dev/null
  fi
}

# Create namespace NS (registered for deletion first, so a half-made
# namespace is removed too), with lo up and IPv6 off so no router or
# neighbour discovery chatter appears on the test links.
_tb_add_netns ()
{
  cleanup_fn _tb_del_netns "$1"
  ip netns add "$1" || _tb_die "cannot create network namespace $1"
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
  ip -n "$1" link set lo up || _tb_die "cannot bring up lo in $1"
}

# Create a veth pair IFACE (initiator ns) <-> TIFACE (target ns) with MTU,
# both up.  It is created inside the initiator namespace, never the host's.
_tb_make_pair ()
{
  local iface=$1 tiface=$2 mtu=$3
  ip -n "$TB_NS_INIT" link add "$iface" mtu "$mtu" type veth \
     peer name "$tiface" netns "$TB_NS_TARGET" mtu "$mtu" ||
    _tb_die "cannot create veth pair $iface/$tiface"
  ip -n "$TB_NS_INIT" link set "$iface" up &&
    ip -n "$TB_NS_TARGET" link set "$tiface" up ||
    _tb_die "cannot bring up veth pair $iface/$tiface"
  tb_wait_for 5 _tb_link_up "$TB_NS_INIT" "$iface" ||
    _tb_die "$iface did not come up"
  tb_wait_for 5 _tb_link_up "$TB_NS_TARGET" "$tiface" ||
    _tb_die "$tiface did not come up"
}

# True if IFACE in NS is operationally up.
_tb_link_up ()
{
  ip -n "$1" -o link show dev "$2" | grep -q 'state UP'
}

# tb_setup [--mtu N]: two fresh namespaces joined by a veth pair, a temp dir.
tb_setup ()
{
  requires_root
  requires ip netns list
  if [ -n "${_tb_setup_done:-}" ]; then
    _tb_die "tb_setup: already set up (id $TB_ID)"
  fi
  _tb_setup_done=1
  # Inherited from a parent test: they describe its bed, not this one.
  unset TB_IFACE2 TB_TIFACE2 TB_MAC_INIT2 TB_MAC_TARGET2 TB_VBLADE_PID \
        TB_VBLADE_LOG TB_BG_PID TB_BG_LOG TB_PROBE_IFACE
  _tb_parse_mtu tb_setup 9000 "$@"
  TB_MTU=$_tb_mtu
  TB_ID=$(_tb_new_id)
  TB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/aoe-tb-$TB_ID.XXXXXX") ||
    _tb_die "cannot create a temporary directory"
  cleanup_fn rm -rf --one-file-system "$TB_DIR"
  TB_NS_TARGET=aoe-$TB_ID-target
  TB_NS_INIT=aoe-$TB_ID-init
  # veth names: 10 characters (the kernel allows 15).
  TB_IFACE=ai${TB_ID}p1
  TB_TIFACE=at${TB_ID}p1
  _tb_add_netns "$TB_NS_TARGET"
  _tb_add_netns "$TB_NS_INIT"
  _tb_make_pair "$TB_IFACE" "$TB_TIFACE" "$TB_MTU"
  TB_MAC_INIT=$(_tb_mac "$TB_NS_INIT" "$TB_IFACE")
  TB_MAC_TARGET=$(_tb_mac "$TB_NS_TARGET" "$TB_TIFACE")
  export TB_ID TB_NS_TARGET TB_NS_INIT TB_IFACE TB_TIFACE TB_MAC_INIT \
         TB_MAC_TARGET TB_MTU TB_DIR
}

# tb_add_path [--mtu N]: a second veth pair between the same namespaces,
# $TB_IFACE2 (initiator) <-> $TB_TIFACE2 (target), for multipath.
tb_add_path ()
{
  _tb_need_setup tb_add_path
  if [ -n "${TB_IFACE2:-}" ]; then
    _tb_die "tb_add_path: the second path already exists"
  fi
  _tb_parse_mtu tb_add_path "$TB_MTU" "$@"
  TB_IFACE2=ai${TB_ID}p2
  TB_TIFACE2=at${TB_ID}p2
  _tb_make_pair "$TB_IFACE2" "$TB_TIFACE2" "$_tb_mtu"
  TB_MAC_INIT2=$(_tb_mac "$TB_NS_INIT" "$TB_IFACE2")
  TB_MAC_TARGET2=$(_tb_mac "$TB_NS_TARGET" "$TB_TIFACE2")
  export TB_IFACE2 TB_TIFACE2 TB_MAC_INIT2 TB_MAC_TARGET2
}

# tb_init_exec CMD...: run CMD inside the initiator namespace.  For a
# background process use tb_init_bg: with `tb_init_exec CMD &`, $! would be
# a subshell's pid, not CMD's.
tb_init_exec ()
{
  _tb_need_setup tb_init_exec
  ip netns exec "$TB_NS_INIT" "$@"
}

# tb_target_exec CMD...: run CMD inside the target namespace.
tb_target_exec ()
{
  _tb_need_setup tb_target_exec
  ip netns exec "$TB_NS_TARGET" "$@"
}

# tb_bg CMD...: start CMD in the background (in the current namespaces);
# its pid goes to TB_BG_PID, its output to $TB_DIR/bg-PID.log (TB_BG_LOG),
# and it is stopped at exit (SIGTERM, then SIGKILL after 5 s).
tb_bg ()
{
  _tb_need_setup tb_bg
  if [ $# -eq 0 ]; then
    _tb_die "usage: tb_bg CMD..."
  fi
  _tb_spawn "" "$@"
  TB_BG_PID=$_tb_last_pid
  TB_BG_LOG=$TB_DIR/bg-$TB_BG_PID.log
  # Make it exist at once (both sides append, so neither truncates).
  : >> "$TB_BG_LOG"
}

# tb_init_bg CMD...: tb_bg, inside the initiator namespace.
tb_init_bg ()
{
  _tb_need_setup tb_init_bg
  tb_bg ip netns exec "$TB_NS_INIT" "$@"
}

# tb_teardown: run every registered cleanup now, last first (exit does it
# otherwise), e.g. to check afterwards that nothing is left.
tb_teardown ()
{
  local errexit=
  case $- in *e*) errexit=1 ;; esac
  _tb_run_cleanups
  trap '_tb_on_signal INT 130' INT
  trap '_tb_on_signal TERM 143' TERM
  if [ -n "$errexit" ]; then
    set -e
  fi
  unset _tb_setup_done TB_ID
}

# ---- disk images and vblade ----

# tb_image PATH SIZE [random]: create a sparse image of SIZE bytes (suffixes
# K, M, G allowed, powers of 1024), or one full of random bytes.
tb_image ()
{
  local path=${1:-} size=${2:-} fill=${3:-}
  if [ -z "$path" ] || ! [[ "$size" =~ ^[0-9]+[KMG]?$ ]]; then
    _tb_die "usage: tb_image PATH SIZE[K|M|G] [random]"
  fi
  rm -f "$path"
  case "$fill" in
    "") truncate -s "$size" "$path" ;;
    random) head -c "$size" /dev/urandom > "$path" ;;
    *) _tb_die "tb_image: unknown fill '$fill' (only 'random')" ;;
  esac || _tb_die "tb_image: cannot create $path"
}

# tb_vblade [--path 2] SHELF SLOT IMAGE [VBLADE_OPTS...]: start vblade in the
# target namespace on $TB_TIFACE (or $TB_TIFACE2 with --path 2), pid in
# TB_VBLADE_PID, log in TB_VBLADE_LOG, killed at exit.  Returns once vblade
# answers a Query Config on the matching initiator interface, or has sent
# its start-up announcement there (so a -m mask excluding us still works).
tb_vblade ()
{
  local tiface iface shelf slot image log probe_pid ready status
  _tb_need_setup tb_vblade
  tiface=$TB_TIFACE
  iface=${TB_PROBE_IFACE:-$TB_IFACE}
  if [ "${1:-}" = --path ]; then
    case "${2:-}" in
      1) ;;
      2) [ -n "${TB_TIFACE2:-}" ] || _tb_die "tb_vblade --path 2: call tb_add_path first"
         tiface=$TB_TIFACE2
         iface=$TB_IFACE2 ;;
      *) _tb_die "tb_vblade: --path must be 1 or 2" ;;
    esac
    shift 2
  fi
  if [ $# -lt 3 ]; then
    _tb_die "usage: tb_vblade [--path 2] SHELF SLOT IMAGE [VBLADE_OPTS...]"
  fi
  shelf=$1 slot=$2 image=$3
  shift 3
  [[ "$shelf" =~ ^[0-9]+$ && "$slot" =~ ^[0-9]+$ ]] ||
    _tb_die "tb_vblade: shelf and slot must be numbers, got '$shelf' '$slot'"
  [ -f "$image" ] || _tb_die "tb_vblade: no image file $image"
  requires command -v vblade
  log=$(mktemp "$TB_DIR/vblade-e$shelf.$slot.XXXXXX.log")

  # Listen first (the probe also sends Query Config until answered), then
  # start vblade, so its start-up announcement cannot be missed.
  ready=$TB_DIR/probe-$$-$RANDOM.ready
  if [ -n "$TB_PYTHON" ]; then
    ip netns exec "$TB_NS_INIT" "$TB_PYTHON" "$_tb_testsdir/tb-aoe.py" config \
       --ready-file "$ready" "$iface" "$shelf" "$slot" 10 \
       > "$ready.out" 2>&1 &
    probe_pid=$!
    _tb_pids+=("$probe_pid")
    cleanup_fn _tb_kill "$probe_pid"
    tb_wait_for 5 test -e "$ready" ||
      _tb_die "tb_vblade: the readiness probe did not start: $(cat "$ready.out")"
  fi

  # vblade takes its options before the positional arguments.
  _tb_spawn "$log" ip netns exec "$TB_NS_TARGET" \
    vblade "$@" "$shelf" "$slot" "$tiface" "$image"
  TB_VBLADE_PID=$_tb_last_pid
  TB_VBLADE_LOG=$log

  if [ -z "${probe_pid:-}" ]; then
    # No python3 for a probe: settle and check vblade is still running.
    sleep 0.5
  else
    while _tb_alive "$probe_pid" && _tb_alive "$TB_VBLADE_PID"; do
      sleep 0.05
    done
    if _tb_alive "$probe_pid"; then
      _tb_kill "$probe_pid"
    else
      status=0
      wait "$probe_pid" || status=$?
      [ "$status" -eq 0 ] ||
        _tb_die "vblade e$shelf.$slot on $tiface did not answer: $(tr '\n' ' ' < "$ready.out")"
    fi
  fi
  _tb_alive "$TB_VBLADE_PID" ||
    _tb_die "vblade e$shelf.$slot exited at start: $(tr '\n' ' ' < "$log")"
  export TB_VBLADE_PID TB_VBLADE_LOG
}

# tb_vblade_stop [PID]: stop a vblade we started (default $TB_VBLADE_PID)
# and wait for it to exit.
tb_vblade_stop ()
{
  local pid=${1:-${TB_VBLADE_PID:-}}
  if [ -z "$pid" ]; then
    _tb_die "tb_vblade_stop: no vblade running"
  fi
  _tb_kill "$pid" || _tb_die "tb_vblade_stop: $pid is not a vblade we started"
}

# ---- sanitizer support ----


# With AOE_SANITIZE_PRELOAD set (path of libasan.so), put a wrapper named
# nbdkit first on PATH that preloads it: a plugin built with
# -Db_sanitize=address cannot be loaded into the uninstrumented nbdkit
# otherwise.  Leak detection is off in nbdkit (its own leaks are not ours).
#
# Preloading libasan into an uninstrumented program that also loads
# libp11-kit (nbdkit does, through gnutls) corrupts glibc's setlocale lock
# on Debian 12 (glibc 2.36, libasan 8): the process later hangs forever in
# the next setlocale/freelocale/mbrtowc that takes it.  Seen with nbdkit's
# own `file` plugin and no libaoe code: `nbdkit file /nonexistent` hangs in
# exit(), and `file` (run by nbdinfo under --run) hangs in mbrtowc.  So:
#  - libp11-kit is preloaded right after the runtime, which keeps nbdkit's
#    exit path out of the deadlock (found by experiment);
#  - --run commands get LD_PRELOAD removed, so nbdinfo, nbdcopy, file...
#    run as usual.
_tb_wrap_nbdkit ()
{
  local real dir preload p11
  [ -f "$AOE_SANITIZE_PRELOAD" ] ||
    _tb_die "AOE_SANITIZE_PRELOAD=$AOE_SANITIZE_PRELOAD: no such file"
  real=$(command -v nbdkit) || return 0
  # A parent test's wrapper is already first on PATH: keep it.
  if grep -q "Generated by tests/functions.sh" "$real" 2>/dev/null; then
    return 0
  fi
  preload=$AOE_SANITIZE_PRELOAD
  p11=$(ldd "$real" 2>/dev/null |
          sed -n 's/.*libp11-kit\.so[^ ]* => \([^ ]*\) .*/\1/p' || true)
  if [ -n "$p11" ]; then
    preload=$preload:$p11
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/aoe-tb-sanitize.XXXXXX") ||
    _tb_die "cannot create a temporary directory"
  # Removed at exit, not with the test bed: a test may tb_teardown and
  # set up a new bed, and its nbdkit must still be the wrapper.
  _tb_wrapper_dir=$dir
  cat > "$dir/nbdkit" <<EOF
#!/usr/bin/env bash
# Generated by tests/functions.sh: run nbdkit with the ASan runtime
# preloaded, and the --run command without it.
args=()
while [ \$# -gt 0 ]; do
  case "\$1" in
    --run) args+=("\$1" "unset LD_PRELOAD; \${2-}"); shift 2 || shift ;;
    --run=*) args+=("--run=unset LD_PRELOAD; \${1#--run=}"); shift ;;
    *) args+=("\$1"); shift ;;
  esac
done
LD_PRELOAD="$preload\${LD_PRELOAD:+:\$LD_PRELOAD}" \\
ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0" \\
exec "$real" "\${args[@]}"
EOF
  # Readable by all: tests also run nbdkit as an unprivileged user.
  chmod 755 "$dir" "$dir/nbdkit"
  PATH=$dir:$PATH
  export PATH
}

if [ -n "${AOE_SANITIZE_PRELOAD:-}" ]; then
  _tb_wrap_nbdkit
fi
