# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/bench/guest-kernel.sh REPS SIZE LAT_SECONDS TUNED [PROFILE]: run inside the
# guest by `scripts/bench --kernel` (tests/vm/ boots it): libaoe's path
# to e0.1 beside the kernel's own aoe driver, on the same kernel.
#
# Paths (never two at once: the kernel's aoe driver is an initiator as
# soon as it is loaded, so it is loaded only while no nbdkit aoe runs):
#   libaoe      nbdkit aoe (the build's plugin) + nbd-client -unix, /dev/nbd0
#   nbd-sendmmsg  the same with LIBAOE_TX_RING=0: frames sent by sendmmsg
#               instead of the transmit ring (what the ring changes)
#   kernel      insmod aoe aoe_iflist=eth0, /dev/etherd/e0.1
#   nbd-memory  nbdkit's memory plugin (SIZE) + nbd-client -unix,
#               /dev/nbd0: the NBD path with no AoE and no network under
#               it, the floor any nbdkit plugin served so stands on
#   tuned ones  (TUNED, comma separated; sequential QD16 tests only)
#               nbd-mskb   libaoe with /dev/nbd0's max_sectors_kb raised to
#                          1024 (one NBD request per 1 MiB request)
#               nbd-conn4  libaoe with nbd-client -C 4 (multi-conn)
#               nbd-both   both
# Tests, each with fio (libaio, O_DIRECT) over SIZE from offset 0:
#   read-qd1, write-qd1, read-qd16, write-qd16   1 MiB sequential
#   lat                                          4 KiB random reads, QD1,
#                                                LAT_SECONDS
# and the guest's CPU over the test's I/O from /proc/stat (user, nice,
# system, irq, softirq: fio and every kernel thread), saved by fio's
# exec_prerun and exec_postrun (fio's start-up, slow under TCG, is left
# out); for the libaoe paths also nbdkit's share (/proc/PID/stat around
# the fio run, which includes fio's start-up while nbdkit idles) and
# fio's own (its usr_cpu + sys_cpu): the rest is the kernel's (block
# layer, nbd or aoe driver, network, softirqs).  Repetitions interleave
# the paths, A B C D D C B A: odd ones libaoe first, even ones the kernel
# first, nbd-sendmmsg and nbd-memory between them.
#
# With PROFILE (1), then perf in the guest over read-qd16 and write-qd16
# on libaoe and kernel (fio time-based over SIZE; perf record -a -g for 6
# s of the steady state, started by fio's exec_prerun): for each, in
# $VM_SHARE/profile-PATH-TEST.txt, the shares of processes, of binaries
# and of symbols (self), nbdkit's time inclusive in each system call
# (__x64_sys_*: where its system time goes), and fio's MB/s over the run;
# for libaoe, then a second run counting nbdkit's system calls, context
# switches and CPU per frame and per NBD request (guest-syscalls.py).
#
# Then the loss phase: the guest asks the host for 1% loss each way
# (touches $VM_SHARE/loss.request, waits for $VM_SHARE/loss.applied) and
# repeats read-qd16 and write-qd16 on libaoe and kernel.
#
# One JSON object per test in $VM_SHARE/kernel.jsonl: path, test, rep,
# loss (percent), bytes, seconds, mb_per_s, cpu_s, cpu_s_per_gib,
# nbdkit_cpu_s_per_gib and its user part nbdkit_user_s_per_gib (0 on the
# kernel path), fio_cpu_s_per_gib,
# lat_p50_us and lat_p99_us (lat only), and max_sectors_kb of the device
# under test (the largest request it passes on: NBD's or AoE's request size).
set -euo pipefail
. "$AOE_SRCDIR/tests/vm/guest-functions.sh"

reps=$1 size=$2 lat_seconds=$3 tuned=$4 profile=${5:-0}
# fio leaves its exec_prerun and exec_postrun output here.
cd /tmp
out=$VM_SHARE/kernel.jsonl
: > "$out"
# The longest a sequential test may run (loss can slow a path down a lot).
cap_seconds=60
hz=$(getconf CLK_TCK)
# /dev/nbd0's largest request before any tuning: a value written to its
# queue outlives nbd-client's disconnect, so every NBD path sets its own
# (path_up).
nbd_default_kb=$(cat /sys/block/nbd0/queue/max_sectors_kb) ||
  g_fail "no /sys/block/nbd0 (is the nbd module loaded?)"

# Busy CPU ticks of the whole guest in the copy of /proc/stat in file $1
# (its first line, cpu): user + nice + system + irq + softirq.  (fio sends
# an exec_prerun command's output to a file of its own, so the command
# copies instead of redirecting.)
busy_ticks ()
{
  local cpu user nice system idle iowait irq softirq rest
  read -r cpu user nice system idle iowait irq softirq rest < "$1"
  echo $(( user + nice + system + irq + softirq ))
}

# The user and system CPU ticks (utime stime) process $1 has used so
# far, "0 0" if there is none (the kernel path has no nbdkit).
proc_ticks ()
{
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0 0; return 0; }
  read -r -a fields <<< "${stat##*) }"
  echo "${fields[11]} ${fields[12]}"
}

# path_up PATH: connect PATH; prints the block device to test.  An NBD
# path also sets /dev/nbd0's largest request: 1024 KiB for the tunings
# that raise it, the default for the others.
path_up ()
{
  local kb=$nbd_default_kb
  case $1 in
    libaoe) g_nbd_up 0 0.1 ;;
    nbd-mskb) g_nbd_up 0 0.1; kb=1024 ;;
    nbd-conn4) g_nbd_up 0 0.1 -C 4 ;;
    nbd-both) g_nbd_up 0 0.1 -C 4; kb=1024 ;;
    nbd-sendmmsg) LIBAOE_TX_RING=0 g_nbd_up 0 0.1 ;;
    nbd-memory) memory_up ;;
    kernel) kernel_up ;;
    *) g_fail "unknown path $1" ;;
  esac >&2
  if [ "$1" = kernel ]; then
    echo /dev/etherd/e0.1
  else
    echo "$kb" > /sys/block/nbd0/queue/max_sectors_kb ||
      g_fail "cannot set /dev/nbd0's max_sectors_kb to $kb"
    echo /dev/nbd0
  fi
}

# max_sectors_kb DEV: the largest request block device DEV passes on.
max_sectors_kb ()
{
  local name
  name=$(basename "$(readlink -f "$1")")
  [ "$1" != /dev/etherd/e0.1 ] || name='etherd!e0.1'
  cat "/sys/block/$name/queue/max_sectors_kb"
}

# path_down PATH: disconnect PATH.
path_down ()
{
  if [ "$1" = kernel ]; then
    g_rmmod aoe
  else
    g_nbd_down 0
  fi
}

# memory_up: nbdkit's memory plugin of $size on /tmp/nbd0.sock, and
# /dev/nbd0 on it (path_down's g_nbd_down stops both).
memory_up ()
{
  rm -f /tmp/nbd0.sock /tmp/nbd0.pid
  nbdkit -P /tmp/nbd0.pid -U /tmp/nbd0.sock memory "$size" ||
    g_fail "nbdkit memory did not start"
  g_nbd_client 0
}

# kernel_up: load the kernel's aoe driver on eth0 and wait for e0.1.
kernel_up ()
{
  local i
  g_insmod aoe aoe_iflist=eth0
  for (( i = 0; i < 100; i++ )); do
    [ -b /dev/etherd/e0.1 ] && return 0
    echo > /dev/etherd/discover 2>/dev/null || true
    sleep 0.2
  done
  g_fail "the kernel's aoe driver found no e0.1"
}

# run_test PATH DEV TEST REP LOSS: one fio run of TEST on DEV, appended to
# $out as JSON.
run_test ()
{
  local path=$1 dev=$2 test=$3 rep=$4 loss=$5 args dir before after json
  local nbdkit_pid nbdkit_user0 nbdkit_sys0 nbdkit_user1 nbdkit_sys1
  case $test in
    read-qd1) args=(--rw=read --bs=1M --iodepth=1) ;;
    write-qd1) args=(--rw=write --bs=1M --iodepth=1) ;;
    read-qd16) args=(--rw=read --bs=1M --iodepth=16) ;;
    write-qd16) args=(--rw=write --bs=1M --iodepth=16) ;;
    lat) args=(--rw=randread --bs=4k --iodepth=1 --time_based) ;;
  esac
  dir=read
  [ "${test#write}" = "$test" ] || dir=write
  local runtime=$cap_seconds
  [ "$test" != lat ] || runtime=$lat_seconds
  rm -f /tmp/stat.before /tmp/stat.after
  nbdkit_pid=$(cat /tmp/nbd0.pid 2>/dev/null || echo none)
  [ "$path" != kernel ] || nbdkit_pid=none
  read -r nbdkit_user0 nbdkit_sys0 <<< "$(proc_ticks "$nbdkit_pid")"
  timeout -s KILL $(( runtime + 60 )) fio --name="$test" --filename="$dev" --direct=1 --ioengine=libaio \
      --size="$size" --offset=0 --runtime="$runtime" "${args[@]}" \
      --exec_prerun='cp /proc/stat /tmp/stat.before' \
      --exec_postrun='cp /proc/stat /tmp/stat.after' \
      --percentile_list=50:99 --output-format=json --output=/tmp/fio.json \
      >/dev/null 2>&1 || {
    cat /tmp/fio.json
    dmesg | tail -n 20
    g_fail "fio $test on $path failed or hung"
  }
  [ -s /tmp/stat.before ] && [ -s /tmp/stat.after ] ||
    g_fail "fio did not copy /proc/stat before and after $test on $path"
  read -r nbdkit_user1 nbdkit_sys1 <<< "$(proc_ticks "$nbdkit_pid")"
  before=$(busy_ticks /tmp/stat.before)
  after=$(busy_ticks /tmp/stat.after)
  json=$(jq -c --arg path "$path" --arg test "$test" --argjson rep "$rep" \
            --argjson loss "$loss" --arg dir "$dir" \
            --argjson cpu "$(( after - before ))" --argjson hz "$hz" \
            --argjson nu "$(( nbdkit_user1 - nbdkit_user0 ))" \
            --argjson ns "$(( nbdkit_sys1 - nbdkit_sys0 ))" \
            --argjson kb "$(max_sectors_kb "$dev")" '
    .jobs[0][$dir] as $d
    | ($d.runtime / 1000) as $s
    | {path: $path, test: $test, rep: $rep, loss: $loss,
       bytes: $d.io_bytes, seconds: $s, max_sectors_kb: $kb,
       mb_per_s: ($d.io_bytes / $s / 1e6),
       cpu_s: ($cpu / $hz),
       cpu_s_per_gib: ($cpu / $hz / ($d.io_bytes / 1073741824)),
       nbdkit_cpu_s_per_gib: (($nu + $ns) / $hz / ($d.io_bytes / 1073741824)),
       nbdkit_user_s_per_gib: ($nu / $hz / ($d.io_bytes / 1073741824)),
       fio_cpu_s_per_gib: (.jobs[0].job_runtime / 1000
                           * (.jobs[0].usr_cpu + .jobs[0].sys_cpu) / 100
                           / ($d.io_bytes / 1073741824))}
    + (if $test == "lat" then
         {lat_p50_us: ($d.clat_ns.percentile["50.000000"] / 1000),
          lat_p99_us: ($d.clat_ns.percentile["99.000000"] / 1000)}
       else {} end)' /tmp/fio.json) ||
    g_fail "cannot read fio's output for $test on $path"
  [ "$(jq .bytes <<< "$json")" != 0 ] || g_fail "fio $test on $path moved no data"
  echo "$json" >> "$out"
  g_say "$path $test rep $rep loss $loss%: $(jq -r '"\(.mb_per_s * 10 | round / 10) MB/s, \(.cpu_s_per_gib * 100 | round / 100) CPU s/GiB" + (if .lat_p50_us then ", p50 \(.lat_p50_us) us, p99 \(.lat_p99_us) us" else "" end)' <<< "$json")"
}

# measure PATH REP LOSS TEST...: connect PATH, run TESTs, disconnect.
measure ()
{
  local path=$1 rep=$2 loss=$3 dev test
  shift 3
  dev=$(path_up "$path")
  for test in "$@"; do
    run_test "$path" "$dev" "$test" "$rep" "$loss"
  done
  path_down "$path"
}

# The paths of repetition $1 in order: A B C D D C B A (and the tuned
# ones after).
rep_order ()
{
  if (( $1 % 2 )); then
    echo libaoe nbd-sendmmsg nbd-memory kernel
  else
    echo kernel nbd-memory nbd-sendmmsg libaoe
  fi
}

# report_lines N COMMAND...: the first N lines of perf report COMMAND's
# table (comments and blank lines dropped; none is not a failure).
report_lines ()
{
  local n=$1
  shift
  "$@" 2>/dev/null | grep -v -e '^#' -e '^ *$' | head -n "$n" || true
}

# steady_fio PATH DEV TEST PRERUN [WRAPPER...]: TEST (read-qd16 or
# write-qd16) on DEV time-based for 10 s, with PRERUN (a shell command,
# in the background; may be empty) started by fio's exec_prerun once the
# I/O begins, fio itself run by WRAPPER (a command taking fio's command
# line) if given.
steady_fio ()
{
  local path=$1 dev=$2 test=$3 prerun=$4
  shift 4
  timeout -s KILL 120 "$@" fio --name="$test" --filename="$dev" --direct=1 --ioengine=libaio \
      --size="$size" --offset=0 --bs=1M --iodepth=16 --rw="${test%-qd16}" --time_based \
      --runtime=10 ${prerun:+--exec_prerun="$prerun"} \
      --output-format=json --output=/tmp/fio.json >/tmp/steady.log 2>&1 ||
    g_fail "fio $test on $path failed under perf: $(tail -n 2 /tmp/steady.log)"
}

# profile_test PATH DEV TEST: perf over TEST on DEV (see the header).
profile_test ()
{
  local path=$1 dev=$2 test=$3 rw=${3%-qd16} file report
  file=$VM_SHARE/profile-$path-$test.txt
  rm -f /tmp/perf.data
  steady_fio "$path" "$dev" "$test" \
    'perf record -q -a -g -F 499 -e cpu-clock -o /tmp/perf.data -- sleep 6 >/dev/null 2>&1 &'
  while pgrep -x perf >/dev/null; do sleep 0.2; done
  [ -s /tmp/perf.data ] || g_fail "perf recorded nothing over $test on $path"
  report=(perf report -i /tmp/perf.data --stdio --percent-limit 0.5)
  {
    echo "# $path $test: $(jq -r --arg d "$rw" '.jobs[0][$d].bw_bytes / 1e6 * 10 | round / 10' /tmp/fio.json) MB/s"
    echo "## processes (share of all samples, idle included)"
    report_lines 12 "${report[@]}" --no-children -g none --sort comm
    echo "## binaries"
    report_lines 16 "${report[@]}" --no-children -g none --sort comm,dso
    echo "## symbols (self)"
    report_lines 40 "${report[@]}" --no-children -g none --sort comm,dso,sym
    if [ "$path" != kernel ]; then
      echo "## nbdkit: time inside each system call (inclusive)"
      report_lines 400 perf report -i /tmp/perf.data --stdio --children -g none --comm nbdkit --sort sym |
        grep -E '__x64_sys_|do_syscall_64|handle_softirqs|asm_exc_page_fault' || true
    fi
  } > "$file"
  [ "$path" = kernel ] || count_syscalls "$path" "$dev" "$test" "$file"
  g_say "profiled $path $test: $(head -n 1 "$file")"
}

# count_syscalls PATH DEV TEST FILE: a second run of TEST on DEV, under
# guest-syscalls.py counting nbdkit's system calls per frame and per NBD
# request (a pass of its own: perf record's sampling would disturb the
# count, and the count the profile); its table is appended to FILE.
count_syscalls ()
{
  local path=$1 dev=$2 test=$3 file=$4
  rm -f /tmp/syscalls.md
  steady_fio "$path" "$dev" "$test" "" python3 "$AOE_SRCDIR/tests/bench/guest-syscalls.py" \
    "$(cat /tmp/nbd0.pid)" eth0 nbd0 /tmp/syscalls.md
  [ -s /tmp/syscalls.md ] || g_fail "no system call count over $test on $path"
  {
    cat /tmp/syscalls.md
    echo "(the count's own run: $(jq -r --arg d "${test%-qd16}" '.jobs[0][$d].bw_bytes / 1e6 * 10 | round / 10' /tmp/fio.json) MB/s)"
  } >> "$file"
}

# profile_path PATH: connect PATH, profile read-qd16 and write-qd16.
profile_path ()
{
  local dev
  dev=$(path_up "$1")
  profile_test "$1" "$dev" read-qd16
  profile_test "$1" "$dev" write-qd16
  path_down "$1"
}

all_tests=(read-qd1 write-qd1 read-qd16 write-qd16 lat)
IFS=, read -r -a tuned_paths <<< "$tuned"
g_say "benchmark at MTU $VM_MTU: $reps repetitions of $size, paths $(rep_order 1) ${tuned_paths[*]}"
for (( rep = 1; rep <= reps; rep++ )); do
  for path in $(rep_order "$rep"); do
    measure "$path" "$rep" 0 "${all_tests[@]}"
  done
  for path in "${tuned_paths[@]}"; do
    measure "$path" "$rep" 0 read-qd16 write-qd16
  done
done

if [ "$profile" = 1 ]; then
  g_say "profiles (perf record -a -g)"
  command -v perf >/dev/null || g_fail "no perf on the host (linux-perf)"
  profile_path libaoe
  profile_path kernel
fi

g_say "asking the host for 1% loss each way"
touch "$VM_SHARE/loss.request"
for (( i = 0; i < 300; i++ )); do
  [ -e "$VM_SHARE/loss.applied" ] && break
  sleep 0.1
done
[ -e "$VM_SHARE/loss.applied" ] || g_fail "the host did not apply the loss"
for (( rep = 1; rep <= reps; rep++ )); do
  for path in $(rep_order "$rep"); do
    [ "$path" != nbd-sendmmsg ] && [ "$path" != nbd-memory ] || continue
    measure "$path" "$rep" 1 read-qd16 write-qd16
  done
done
g_say "ok"
