#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-service.sh: the systemd units nbd-plugin/nbdkit-aoe@.service
# and nbdkit-aoe@.socket, without a running systemd (none on test machines):
#  1. `meson install` puts them where systemd looks, unchanged, and
#     `systemctl --root=DESTDIR enable nbdkit-aoe@e0.1` enables both
#     (disable with the socket named too disables both);
#     `systemd-analyze verify` finds nothing wrong with the instance e0.1
#     (a misspelt key shows it would), and `systemd-analyze security`
#     rates the service's exposure at most 2.0;
#  2. the service's ExecStart, taken from the unit and expanded as
#     systemd expands it (%i, Environment=, the EnvironmentFile=s in
#     order), runs in the initiator namespace as systemd would run it:
#     the socket made and held by tests/socket-unit.py as the socket
#     unit says, passed as fd 3 (LISTEN_FDS), and the process as the
#     unprivileged user nobody with no groups (as DynamicUser=), with
#     exactly the unit's capability (CAP_NET_RAW: inheritable, ambient,
#     bounding), no_new_privs and RestrictAddressFamilies= (through
#     restrict-families, a seccomp filter).  It serves vblade's image
#     byte for byte, reading and writing, also under the export name of
#     the documented nbdtab line, with its statistics file in its
#     RuntimeDirectory=;
#  3. what it does under strace stays inside the unit's sandbox: only
#     system calls SystemCallFilter= allows, no writable and executable
#     memory (MemoryDenyWriteExecute=), no file opened for writing but
#     /dev/null and the statistics file in RuntimeDirectory=
#     (ProtectSystem=strict), no device but /dev/null
#     (PrivateDevices=);
#  4. without CAP_NET_RAW it fails with one clear error line;
#  5. killed with SIGKILL, it is started again as systemd does it: after
#     RestartSec= (Restart=on-failure), on the same socket, which the
#     socket unit keeps open meanwhile, any RuntimeDirectory= removed
#     first (RuntimeDirectoryPreserve=no: the statistics file's
#     directory); it serves again, also to a client that connected while
#     it was dead, and publishes its figures there (aoectl stat --server);
#  6. why the socket belongs to systemd: nbdkit -U, killed with SIGKILL,
#     leaves its socket behind and then refuses to start on it
#     ("Address already in use").
# The plugin comes from the build tree (the word `aoe` of ExecStart
# becomes $AOE_PLUGIN) and nbdkit from PATH (ExecStart names it without a
# path, for systemd's search path); /etc and /run of the units live
# below $TB_DIR/root.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires_root
requires systemd-analyze --version
requires systemctl --version
requires meson --version
requires setpriv --version
requires strace -V
requires nbdinfo --version
requires nbdcopy --version
requires jq --version
requires test -x "$AOE_BUILDDIR/examples/aoectl"
requires test -n "$TB_PYTHON"
requires test -d "$AOE_BUILDDIR"

service_unit=$AOE_SRCDIR/nbd-plugin/nbdkit-aoe@.service
socket_unit=$AOE_SRCDIR/nbd-plugin/nbdkit-aoe@.socket
socket_helper=$AOE_SRCDIR/tests/socket-unit.py
restrict=$AOE_BUILDDIR/tests/restrict-families
instance=e0.1
requires test -x "$restrict"

# ---- reading the units ----

# unit_values UNIT KEY: the value of every KEY= line, in order, with %i
# and %% expanded as systemd does (other specifiers are not expected).
unit_values ()
{
  local line
  while IFS= read -r line; do
    line=${line//%i/$instance}
    line=${line//%%/%}
    [[ "$line" != *%* ]] || fail "$1: unexpected specifier in '$line'"
    printf '%s\n' "$line"
  done < <(sed -n "s/^$2=//p" "$1")
}

# unit_value UNIT KEY: the value of the one KEY= line.
unit_value ()
{
  local v
  v=$(unit_values "$1" "$2")
  if [ -z "$v" ] || [ "$(wc -l <<< "$v")" -ne 1 ]; then
    fail "$1: expected exactly one $2= line"
  fi
  printf '%s' "$v"
}

# expect_value UNIT KEY VALUE: the one KEY= line of UNIT says VALUE.
expect_value ()
{
  [ "$(unit_value "$1" "$2")" = "$3" ] || fail "${1##*/}: $2= is not $3"
}

# last_value UNIT KEY DEFAULT: the value of the last KEY= line, or
# DEFAULT (systemd's) if there is none.
last_value ()
{
  local v
  v=$(unit_values "$1" "$2" | tail -n 1)
  printf '%s' "${v:-$3}"
}

# A line continued with a backslash would be read wrong here.
for unit in "$service_unit" "$socket_unit"; do
  ! grep -q '\\$' "$unit" || fail "$unit: continued lines are not parsed here"
done

# The environment systemd gives ExecStart: Environment= (unquoted words),
# then each EnvironmentFile= (a leading - means optional), later wins.
declare -A unit_env
# read_env_file PATH: KEY=VALUE lines, VALUE optionally in double quotes.
read_env_file ()
{
  local line key value
  while IFS= read -r line; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] ||
      fail "$1: cannot parse '$line'"
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    if [[ "$value" =~ ^\"(.*)\"$ ]]; then
      value=${BASH_REMATCH[1]}
    fi
    unit_env[$key]=$value
  done < "$1"
}

# expand_exec_start: ExecStart as argv in exec_argv, as systemd expands
# it: a word $NAME becomes the value split at white space (zero or more
# words), ${NAME} inside a word the value as it is.
expand_exec_start ()
{
  local cmdline word name value rest
  cmdline=$(unit_value "$service_unit" ExecStart)
  [[ "$cmdline" != *[\"\'\\]* && "$cmdline" =~ ^[a-z/] ]] ||
    fail "ExecStart: quotes, escapes or a prefix are not parsed here"
  exec_argv=()
  for word in $cmdline; do
    if [[ "$word" =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
      # shellcheck disable=SC2206 # splitting is the point
      exec_argv+=(${unit_env[${BASH_REMATCH[1]}]:-})
      continue
    fi
    rest=$word value=
    while [[ "$rest" =~ ^([^$]*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(.*)$ ]]; do
      name=${BASH_REMATCH[2]}
      value+=${BASH_REMATCH[1]}${unit_env[$name]:-}
      rest=${BASH_REMATCH[3]}
    done
    [[ "$rest" != *\$* ]] || fail "ExecStart: cannot expand '$word'"
    exec_argv+=("$value$rest")
  done
}

# ---- 1. installed, enabled, verified ----

plugin_target 64M random
root=$TB_DIR/root
dest=$TB_DIR/dest
meson install -C "$AOE_BUILDDIR" --no-rebuild --quiet --destdir "$dest" \
  > "$TB_DIR/install.log" 2>&1 || {
  cat "$TB_DIR/install.log"
  fail "meson install failed"
}
installed=$(find "$dest" -name 'nbdkit-aoe@.service' -print -quit)
[ -n "$installed" ] || fail "meson install did not install nbdkit-aoe@.service"
unitdir=${installed%/*}
echo "units installed in ${unitdir#"$dest"}"
case ${unitdir#"$dest"} in
  */lib/systemd/system) ;;
  *) fail "units installed in ${unitdir#"$dest"}, not a systemd unit directory" ;;
esac
cmp "$service_unit" "$unitdir/nbdkit-aoe@.service"
cmp "$socket_unit" "$unitdir/nbdkit-aoe@.socket"

# What the README tells users to type, minus --now (no systemd running).
systemctl --root="$dest" enable "nbdkit-aoe@$instance" 2>&1 | tee "$TB_DIR/enable.log"
wants=$dest/etc/systemd/system
[ -L "$wants/multi-user.target.wants/nbdkit-aoe@$instance.service" ] ||
  fail "systemctl enable did not enable nbdkit-aoe@$instance.service"
[ -L "$wants/sockets.target.wants/nbdkit-aoe@$instance.socket" ] ||
  fail "systemctl enable did not enable nbdkit-aoe@$instance.socket (Also=)"
# And what nbdkit-aoe-plugin(1) says to type to stop serving the target.
systemctl --root="$dest" disable "nbdkit-aoe@$instance.socket" \
  "nbdkit-aoe@$instance" 2>&1 | tee -a "$TB_DIR/enable.log"
left=$(find "$wants" -name "nbdkit-aoe@*")
[ -z "$left" ] || fail "systemctl disable left $left"
systemctl --root="$dest" enable "nbdkit-aoe@$instance" > /dev/null 2>&1

# verify_units DIR: systemd-analyze verify of the instance in DIR (the
# templates, and the instance names as links to them); its output, if
# any, on standard output.  Documentation= is checked against the
# installed man pages.
mandir=$(find "$dest" -type d -path '*/share/man' -print -quit)
man_check=()
if [ -z "$mandir" ]; then
  echo "no man page installed (no pod2man): Documentation= not checked"
  man_check=(--man=no)
fi
verify_units ()
{
  ln -sf nbdkit-aoe@.service "$1/nbdkit-aoe@$instance.service"
  ln -sf nbdkit-aoe@.socket "$1/nbdkit-aoe@$instance.socket"
  MANPATH=$mandir:$(manpath 2>/dev/null) systemd-analyze verify \
    "${man_check[@]}" "$1/nbdkit-aoe@$instance.service" \
    "$1/nbdkit-aoe@$instance.socket" 2>&1 || true
}
mkdir "$TB_DIR/units" "$TB_DIR/units-bad"
cp "$service_unit" "$socket_unit" "$TB_DIR/units/"
out=$(verify_units "$TB_DIR/units")
[ -z "$out" ] || fail "systemd-analyze verify: $out"
# A misspelt key is reported: an empty output above means something.
sed 's/^NoNewPrivileges=/NoNewPrivilege=/' "$service_unit" \
  > "$TB_DIR/units-bad/nbdkit-aoe@.service"
cp "$socket_unit" "$TB_DIR/units-bad/"
out=$(verify_units "$TB_DIR/units-bad")
echo "verify with a misspelt key: $out"
grep -q "Unknown key 'NoNewPrivilege'" <<< "$out" ||
  fail "systemd-analyze verify did not report a misspelt key"
# --threshold counts tenths: 20 is an exposure of 2.0.
systemd-analyze security --offline=yes --threshold=20 \
  "$TB_DIR/units/nbdkit-aoe@$instance.service" > "$TB_DIR/security.log" 2>&1 || {
  cat "$TB_DIR/security.log"
  fail "systemd-analyze security: exposure above 2.0"
}
grep 'Overall exposure' "$TB_DIR/security.log"

# ---- 2. the service as systemd runs it ----

# The configuration files: the per-instance one must win (AOE_IFACE).
mkdir -p "$root/etc/default" "$root/etc/nbdkit-aoe"
cat > "$root/etc/default/nbdkit-aoe" <<EOF
# every target
AOE_IFACE=nosuch0
AOE_OPTS="discover-timeout=3 timeout=20"
EOF
printf 'AOE_IFACE=%s\n' "$TB_IFACE" > "$root/etc/nbdkit-aoe/$instance.conf"

for assignment in $(unit_value "$service_unit" Environment); do
  [[ "$assignment" == *=* ]] || fail "Environment=: cannot parse $assignment"
  unit_env[${assignment%%=*}]=${assignment#*=}
done
while IFS= read -r file; do
  optional=
  if [[ "$file" == -* ]]; then
    optional=1 file=${file#-}
  fi
  [[ "$file" == /etc/* ]] || fail "EnvironmentFile=$file is not below /etc"
  if [ -e "$root$file" ]; then
    read_env_file "$root$file"
  elif [ -z "$optional" ]; then
    fail "EnvironmentFile=$file does not exist"
  fi
done < <(unit_values "$service_unit" EnvironmentFile)

expand_exec_start
echo "ExecStart: ${exec_argv[*]}"
[ "${exec_argv[0]}" = nbdkit ] || fail "ExecStart does not run nbdkit"
exec_argv[0]=$(command -v nbdkit)
plugin_words=0
for i in "${!exec_argv[@]}"; do
  if [ "${exec_argv[i]}" = aoe ]; then
    exec_argv[i]=$AOE_PLUGIN
    plugin_words=$(( plugin_words + 1 ))
  fi
done
[ "$plugin_words" -eq 1 ] || fail "ExecStart names the plugin aoe $plugin_words times"
# The statistics file, in the service's RuntimeDirectory= (below $root
# here, as the socket).
runtime_dir=/run/$(unit_value "$service_unit" RuntimeDirectory)
stats_words=0
for i in "${!exec_argv[@]}"; do
  if [ "${exec_argv[i]}" = "stats=$runtime_dir/stats" ]; then
    exec_argv[i]=stats=$root$runtime_dir/stats
    stats_words=$(( stats_words + 1 ))
  fi
done
[ "$stats_words" -eq 1 ] ||
  fail "ExecStart does not pass stats=$runtime_dir/stats once"
# The service's user (nobody) reaches it through $TB_DIR, as it reaches
# /run.
chmod 755 "$TB_DIR"
printf '%s\n' "${exec_argv[@]}" | grep -qx "target=$instance" ||
  fail "ExecStart does not pass target=$instance"
printf '%s\n' "${exec_argv[@]}" | grep -qx "iface=$TB_IFACE" ||
  fail "the per-instance file did not set AOE_IFACE"
printf '%s\n' "${exec_argv[@]}" | grep -qx "discover-timeout=3" ||
  fail "AOE_OPTS from /etc/default/nbdkit-aoe did not reach ExecStart"

# The process as the unit makes it.  Capabilities: CAP_X in the unit is
# x for setpriv.
expect_value "$service_unit" DynamicUser yes
expect_value "$service_unit" NoNewPrivileges yes
caps=CAP_NET_RAW
expect_value "$service_unit" AmbientCapabilities "$caps"
expect_value "$service_unit" CapabilityBoundingSet "$caps"
cap=${caps#CAP_}
cap=${cap,,}
read -r -a families <<< "$(unit_value "$service_unit" RestrictAddressFamilies)"
user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs)
sandbox=("${user[@]}" "--inh-caps=-all,+$cap" "--ambient-caps=+$cap"
         "--bounding-set=-all,+$cap" -- "$restrict" "${families[@]}" --)
requires tb_init_exec "${user[@]}" test -r "$AOE_PLUGIN"

# The socket unit's socket.
sock=$root$(unit_value "$socket_unit" ListenStream)
[ "$sock" = "$root/run/nbdkit-aoe/$instance.sock" ] || fail "ListenStream=$sock"
expect_value "$socket_unit" RemoveOnStop yes
restart_sec=$(unit_value "$service_unit" RestartSec)
[[ "$restart_sec" =~ ^[0-9]+s$ ]] || fail "RestartSec=$restart_sec is not N s"
expect_value "$service_unit" Restart on-failure
socket_unit_args=(--listen "$sock" --mode "$(unit_value "$socket_unit" SocketMode)"
  --user "$(unit_value "$socket_unit" SocketUser)"
  --group "$(unit_value "$socket_unit" SocketGroup)"
  --directory-mode "$(unit_value "$socket_unit" DirectoryMode)"
  --name "nbdkit-aoe@$instance.socket" --restart-sec "${restart_sec%s}"
  --pid-file "$TB_DIR/service.pid")
for key in "${!unit_env[@]}"; do
  socket_unit_args+=(--setenv "$key=${unit_env[$key]}")
done
# RuntimeDirectory= (for the statistics file only: it would take a
# socket along when removed), with systemd's defaults for its mode and
# preservation.
for dir in $(unit_values "$service_unit" RuntimeDirectory); do
  socket_unit_args+=(--runtime-directory "$root/run/$dir")
done
socket_unit_args+=(--runtime-directory-owner nobody
  --runtime-directory-mode "$(last_value "$service_unit" RuntimeDirectoryMode 0755)"
  --runtime-directory-preserve
  "$(last_value "$service_unit" RuntimeDirectoryPreserve no)")
uri="nbd+unix:///?socket=$sock"

# is_our_service PID: PID is the nbdkit of this test (its command line
# names this test bed's interface).
is_our_service ()
{
  tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline" | grep -q "iface=$TB_IFACE "
}
# kill_service: at exit, a service left behind by a helper killed in
# turn (the helper's last child, or the traced one).
kill_service ()
{
  local pid t
  for pid in $(cat "$TB_DIR/service.pid" 2>/dev/null) \
             $(for t in "$TB_DIR"/trace/t.*; do echo "${t##*.}"; done); do
    if [[ "$pid" =~ ^[0-9]+$ ]] && is_our_service "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}
cleanup_fn kill_service

# serves WHAT: the export is vblade's image, read and written, byte for
# byte (the image changes: its new contents come from $TB_DIR/new.img).
serves ()
{
  local size
  size=$(tb_init_exec nbdinfo --size "$uri") || fail "$1: nbdinfo failed"
  [ "$size" = "$(stat -c %s "$PLUGIN_IMAGE")" ] || fail "$1: size $size"
  rm -f "$TB_DIR/copy.img"
  tb_init_exec nbdcopy "$uri" "$TB_DIR/copy.img"
  cmp "$PLUGIN_IMAGE" "$TB_DIR/copy.img" || fail "$1: read differs"
  tb_image "$TB_DIR/new.img" 64M random
  tb_init_exec nbdcopy "$TB_DIR/new.img" "$uri"
  cmp "$PLUGIN_IMAGE" "$TB_DIR/new.img" || fail "$1: write differs"
  echo "$1: serves $size bytes, read and written byte for byte"
}

# ---- 3. the sandbox, under strace ----

# The service under strace (-ff: a file per process and thread): a shell
# sets LISTEN_PID to its own pid, which exec makes nbdkit's.
mkdir "$TB_DIR/trace"
tb_init_bg "$TB_PYTHON" "$socket_helper" "${socket_unit_args[@]}" --once -- \
  strace -ff -qq -o "$TB_DIR/trace/t" -- \
  sh -c 'export LISTEN_PID=$$; exec "$@"' sh \
  "${sandbox[@]}" "${exec_argv[@]}"
helper_pid=$TB_BG_PID
tb_wait_for 10 test -S "$sock" || fail "no socket: $(cat "$TB_BG_LOG")"
[ "$(stat -c '%a %U %G' "$sock")" = "660 root disk" ] ||
  fail "socket is $(stat -c '%a %U %G' "$sock"), not 660 root disk"
serves "under strace"
# The export name of the nbdtab line in nbdkit-aoe-plugin(1) works too.
size=$(tb_init_exec nbdinfo --size "nbd+unix:///$instance?socket=$sock")
[ "$size" = $(( 64 << 20 )) ] || fail "export name $instance: size '$size'"
# Stop nbdkit itself, as systemd stops a service's main process (the
# helper's child is strace; nbdkit is the process whose trace file holds
# its execve).  The helper then ends (--once) and removes the socket, as
# RemoveOnStop=yes.
main_trace=$(grep -lE '^execve\("[^"]*/nbdkit", .*\) = 0$' "$TB_DIR"/trace/t.* || true)
[ "$(wc -w <<< "$main_trace")" -eq 1 ] || fail "no nbdkit execve in the trace"
traced_pid=${main_trace##*.}
is_our_service "$traced_pid" || fail "pid $traced_pid is not the traced service"
kill -TERM "$traced_pid"
# helper_gone: the helper has ended.
helper_gone ()
{
  ! _tb_alive "$helper_pid"
}
tb_wait_for 10 helper_gone || fail "the helper did not end: $(cat "$TB_BG_LOG")"
[ ! -e "$sock" ] || fail "the socket is still there after the socket unit stopped"

# Every system call nbdkit made (after its exec) must be allowed by the
# unit's SystemCallFilter= lines: the first an allow list, then ~ lines
# denying.  syscall_group NAME: the calls of a systemd group, expanded.
syscall_group ()
{
  local word rest
  systemd-analyze syscall-filter "$1" | tail -n +2 | while read -r word rest; do
    case $word in
      '#'*|'') ;;
      @*) syscall_group "$word" ;;
      *) echo "$word" ;;
    esac
  done
}
allowed=$TB_DIR/allowed-syscalls
: > "$allowed"
first=1
while IFS= read -r filter; do
  deny=
  if [[ "$filter" == '~'* ]]; then
    deny=1 filter=${filter#\~}
  elif [ -z "$first" ]; then
    fail "SystemCallFilter=$filter: only the first line may allow"
  fi
  first=
  for item in $filter; do
    if [[ "$item" == @* ]]; then
      syscall_group "$item"
    else
      echo "$item"
    fi
  done | sort -u > "$TB_DIR/group"
  if [ -n "$deny" ]; then
    comm -23 "$allowed" "$TB_DIR/group" > "$TB_DIR/tmp" && mv "$TB_DIR/tmp" "$allowed"
  else
    mv "$TB_DIR/group" "$allowed"
  fi
done < <(unit_values "$service_unit" SystemCallFilter)
[ -s "$allowed" ] || fail "no system call allowed?"

# The trace lines of nbdkit: those after its execve in the file of the
# process that exec'd it, and the files of its threads (no execve).
{
  sed -n '/^execve("[^"]*\/nbdkit", .*) = 0$/,$p' "$main_trace"
  for t in "$TB_DIR"/trace/t.*; do
    grep -q '^execve(' "$t" || cat "$t"
  done
} > "$TB_DIR/nbdkit.trace"
echo "strace: $(wc -l < "$TB_DIR/nbdkit.trace") system calls of nbdkit"
sed -nE 's/^([a-z0-9_]+)\(.*/\1/p' "$TB_DIR/nbdkit.trace" | sort -u > "$TB_DIR/called"
refused=$(comm -23 "$TB_DIR/called" "$allowed" | tr '\n' ' ')
[ -z "$refused" ] || fail "system calls outside SystemCallFilter=: $refused"
# RestrictAddressFamilies= took effect (libaoe's AF_INET ioctl socket
# falls back to AF_UNIX) and AF_PACKET was allowed.
grep -qE '^socket\(AF_INET, .* EAFNOSUPPORT' "$TB_DIR/nbdkit.trace" ||
  fail "restrict-families did not refuse AF_INET"
grep -qE '^socket\(AF_PACKET, .*\) = [0-9]+$' "$TB_DIR/nbdkit.trace" ||
  fail "no AF_PACKET socket in the trace"
# MemoryDenyWriteExecute=: no mapping both writable and executable, no
# mprotect adding PROT_EXEC.
! grep -E '^(mmap|mprotect|pkey_mprotect)\(.*PROT_EXEC' "$TB_DIR/nbdkit.trace" |
  grep -E 'PROT_WRITE|^(mprotect|pkey_mprotect)' ||
  fail "writable and executable memory (MemoryDenyWriteExecute=)"
# ProtectSystem=strict and PrivateDevices=: what is opened for writing,
# and which devices.  Only opens that succeeded count (a refused one
# opened nothing: under the sanitizers the ASan runtime in nbdkit tries
# /dev/tty, which the sandbox's private /dev lacks anyway).
grep -E '^(open|openat|creat)\(.*\) = [0-9]+$' "$TB_DIR/nbdkit.trace" \
  > "$TB_DIR/opened" || true
[ -s "$TB_DIR/opened" ] || fail "no successful open in the trace (its format changed?)"
writes=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT' "$TB_DIR/opened" |
           grep -vF -e '"/dev/null"' -e "\"$root$runtime_dir/stats.tmp\"" || true)
[ -z "$writes" ] || fail "files opened for writing: $writes"
grep -qF "\"$root$runtime_dir/stats.tmp\"" "$TB_DIR/opened" ||
  fail "the statistics file was not written in $runtime_dir"
devices=$(grep -oE '^(open|openat)\([^"]*"/dev/[^"]*"' "$TB_DIR/opened" |
            grep -vF '"/dev/null"' || true)
[ -z "$devices" ] || fail "devices opened (PrivateDevices=): $devices"
echo "strace: $(wc -l < "$TB_DIR/called") different system calls, all allowed"

# ---- 4. without CAP_NET_RAW ----

plugin_expect_error "no CAP_NET_RAW" \
  "error: cannot serve AoE target e0\.1: .*CAP_NET_RAW" \
  tb_init_exec "$TB_PYTHON" "$socket_helper" "${socket_unit_args[@]}" --once -- \
  "${user[@]}" --inh-caps=-all --bounding-set=-all -- \
  "$restrict" "${families[@]}" -- "${exec_argv[@]}"

# ---- 5. killed, and started again ----

tb_init_bg "$TB_PYTHON" "$socket_helper" "${socket_unit_args[@]}" -- \
  "${sandbox[@]}" "${exec_argv[@]}"
helper_log=$TB_BG_LOG
tb_wait_for 10 test -S "$sock" || fail "no socket: $(cat "$helper_log")"
serves "started"
pid=$(cat "$TB_DIR/service.pid")
is_our_service "$pid" || fail "pid $pid is not the service"
# Exactly the unit's capability, as the unit's user, no_new_privs.
grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' \
  "/proc/$pid/status"
# The capability's bit: its number is its place in setpriv --list-caps.
cap_number=$(setpriv --list-caps | grep -nx "$cap" | cut -d: -f1)
[ -n "$cap_number" ] || fail "setpriv does not know $cap"
mask=$(printf '%016x' $(( 1 << (cap_number - 1) )))
for field in CapPrm CapEff CapBnd CapAmb; do
  [ "$(sed -n "s/^$field:\t//p" "/proc/$pid/status")" = "$mask" ] ||
    fail "$field is not exactly $caps ($mask)"
done
[ "$(sed -n 's/^Uid:\t\([0-9]*\).*/\1/p' "/proc/$pid/status")" = "$(id -u nobody)" ] ||
  fail "the service does not run as nobody"
[ -z "$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$pid/status")" ] ||
  fail "the service has supplementary groups"
grep -qx 'NoNewPrivs:	1' "/proc/$pid/status" || fail "no_new_privs is not set"
inode=$(stat -c %i "$sock")

kill -KILL "$pid"
# While it is dead (RestartSec=), the socket is still there and
# listening: a client connecting now is served once it is back.
tb_wait_for 5 grep -q "killed by SIGKILL" "$helper_log" ||
  fail "the helper did not see the kill: $(cat "$helper_log")"
[ -S "$sock" ] || fail "the socket is gone while the service is dead"
[ "$(stat -c %i "$sock")" = "$inode" ] || fail "the socket changed"
tb_init_bg nbdinfo --size "$uri"
waiting=$TB_BG_PID waiting_log=$TB_BG_LOG
start=$(date +%s)
# started_again: the helper has started the service a second time.
started_again ()
{
  [ "$(grep -c '^socket-unit: started' "$helper_log")" -ge 2 ]
}
tb_wait_for $(( ${restart_sec%s} + 10 )) started_again ||
  fail "not started again: $(cat "$helper_log")"
wait "$waiting" || fail "the client that waited failed: $(cat "$waiting_log")"
got=$(cat "$waiting_log")
[ "$got" = $(( 64 << 20 )) ] || fail "the client that waited got '$got'"
echo "started again after $(( $(date +%s) - start )) s" \
  "(RestartSec=$restart_sec); the waiting client got $got"
new_pid=$(cat "$TB_DIR/service.pid")
if [ "$new_pid" = "$pid" ] || ! is_our_service "$new_pid"; then
  fail "no new service process"
fi
[ "$(stat -c %i "$sock")" = "$inode" ] || fail "the socket changed"
serves "started again"
# Its live figures, where the unit puts them.
"$AOE_BUILDDIR/examples/aoectl" stat --server "$root$runtime_dir/stats" \
  e0.1 --json > "$TB_DIR/stats.json" || fail "aoectl stat --server failed"
cat "$TB_DIR/stats.json"
jq -e '.target == "e0.1" and .frames_sent > 0' "$TB_DIR/stats.json" > /dev/null ||
  fail "no figures of e0.1 in $runtime_dir/stats"

# ---- 6. nbdkit's own socket goes stale ----

naive=$TB_DIR/naive
mkdir "$naive"
chown nobody:nogroup "$naive"
# exec_argv without socket activation: nbdkit -U PATH.
naive_argv=("${exec_argv[0]}" -U "$naive/sock" "${exec_argv[@]:1}")
tb_init_bg "${sandbox[@]}" "${naive_argv[@]}"
naive_pid=$TB_BG_PID
tb_wait_for 10 test -S "$naive/sock" ||
  fail "nbdkit -U did not start: $(cat "$TB_BG_LOG")"
kill -KILL "$naive_pid"
wait "$naive_pid" 2>/dev/null || true
[ -S "$naive/sock" ] || fail "nbdkit -U killed left no socket behind (nothing to prove)"
status=0
tb_init_exec timeout 30 "${sandbox[@]}" "${naive_argv[@]}" 2> "$TB_DIR/naive.err" ||
  status=$?
echo "nbdkit -U on the stale socket: exit $status: $(cat "$TB_DIR/naive.err")"
if [ "$status" -eq 0 ] ||
   ! grep -q "$naive/sock: Address already in use" "$TB_DIR/naive.err"; then
  fail "nbdkit -U did not refuse its stale socket: the socket unit would not be needed"
fi
echo "test-plugin-service.sh: ok"
