#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-usage.sh: every bad input of aoectl (no command or an
# unknown one, and of its stat, copy, config, mask and reserve) is one
# line on stderr, nothing on stdout, exit 2: bad target names, bad MACs,
# bad numbers and sizes, unknown actions and options, missing and extra
# arguments, unknown interfaces, a target that does not answer, a range
# past the end.  --help, help COMMAND and --version exit 0; options are
# accepted before and after the target, and '--' ends them.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
aoectl=$(tool_bin aoectl)
stat=("$aoectl" stat)
copy=("$aoectl" copy)
config=("$aoectl" config)
mask=("$aoectl" mask)
reserve=("$aoectl" reserve)
mac=02:00:00:00:00:01
# Before tb_setup the tools get an interface that does not exist: should
# a bad input slip through parsing, the tool fails at aoe_add_interface
# (a different message, so the test fails) and never sends a frame.

# usage PATTERN CMD...: exit 2, one line matching PATTERN, no stdout.
usage ()
{
  tool_expect_error 2 "$@"
}

# ---- aoectl itself: --help, --version, help, unknown commands ----
tool_expect 0 "$aoectl" --help
grep -q '^Usage: aoectl COMMAND' "$TOOL_OUT" || tool_fail "aoectl --help: usage"
for cmd in discover stat copy config mask reserve help; do
  grep -Eq "^  $cmd +[a-z]" "$TOOL_OUT" || tool_fail "aoectl --help does not list $cmd"
done
grep -q '^Exit status: 0 ' "$TOOL_OUT" || tool_fail "aoectl --help: exit status"
help_main=$(cat "$TOOL_OUT")
tool_expect 0 "$aoectl" -h
[ "$(cat "$TOOL_OUT")" = "$help_main" ] || tool_fail "aoectl -h differs from --help"
tool_expect 0 "$aoectl" help
[ "$(cat "$TOOL_OUT")" = "$help_main" ] || tool_fail "aoectl help differs from --help"
tool_expect 0 "$aoectl" help --help
[ "$(cat "$TOOL_OUT")" = "$help_main" ] || tool_fail "aoectl help --help differs from --help"
for flag in --version -V; do
  tool_expect 0 "$aoectl" "$flag"
  grep -Eq '^aoectl [0-9]+\.[0-9]+\.[0-9]+ \(libaoe [0-9.]+\)$' "$TOOL_OUT" ||
    tool_fail "aoectl $flag: $(cat "$TOOL_OUT")"
done
usage "^aoectl: no command given \\(try --help\\)$" "$aoectl"
usage "^aoectl: unknown command 'foo' \\(try --help\\)$" "$aoectl" foo
usage "^aoectl: unknown command 'foo'" "$aoectl" help foo
usage "help takes one command at most" "$aoectl" help copy stat
usage "^aoectl: unknown option '-i': options go after the command" \
  "$aoectl" -i noif0 discover
usage "unknown option '--bogus'" "$aoectl" --bogus

# ---- each command's --help (also as help COMMAND) and --version ----
for cmd in discover stat copy config mask reserve; do
  tool_expect 0 "$aoectl" "$cmd" --help
  grep -Eq "^Usage: aoectl $cmd (ACTION )?-i IFACE" "$TOOL_OUT" ||
    tool_fail "aoectl $cmd --help: usage"
  grep -q '^Exit status: 0 ' "$TOOL_OUT" || tool_fail "aoectl $cmd --help: exit status"
  help_cmd=$(cat "$TOOL_OUT")
  tool_expect 0 "$aoectl" help "$cmd"
  [ "$(cat "$TOOL_OUT")" = "$help_cmd" ] ||
    tool_fail "aoectl help $cmd differs from aoectl $cmd --help"
  tool_expect 0 "$aoectl" "$cmd" -h
  tool_expect 0 "$aoectl" "$cmd" --version
  grep -Eq '^aoectl [0-9]+\.[0-9]+\.[0-9]+ \(libaoe [0-9.]+\)$' "$TOOL_OUT" ||
    tool_fail "aoectl $cmd --version: $(cat "$TOOL_OUT")"
done
# config set's help says how to pass a string starting with '-'.
tool_expect 0 "$aoectl" config --help
grep -q "set STRING .*" "$TOOL_OUT" && grep -q -- "starting with '-' goes after '--'" \
  "$TOOL_OUT" || tool_fail "config --help does not explain '--'"
# No option letter of copy means something else in nbdcopy.
tool_expect 0 "$aoectl" copy --help
grep -q -- '-R, --requests N' "$TOOL_OUT" && grep -q -- '    --request-size N' "$TOOL_OUT" ||
  tool_fail "copy --help: -R/--requests, --request-size"
if grep -q -- '-Q\|--queue-depth' "$TOOL_OUT"; then
  tool_fail "copy --help still names -Q/--queue-depth"
fi

# ---- target names (every command parses them the same way) ----
for name in e0 e0. e.1 x0.1 E0.1 e0.1.2 e-1.1 e+1.1 'e0 .1' ' e0.1' e0.1x \
            e0.0x1 0.1 e 'e0.-1'; do
  usage "'$(tool_re "$name")' is not a target name: expected eSHELF\.SLOT" \
    "${stat[@]}" -i noif0 "$name"
  usage "'$(tool_re "$name")' is not a target name" \
    "${config[@]}" read -i noif0 "$name"
done
usage "'e65535\\.1': shelf must be 0-65534 \\(65535 is broadcast\\)" \
  "${stat[@]}" -i noif0 e65535.1
usage "shelf must be 0-65534" "${mask[@]}" read -i noif0 e99999999999999999999.1
usage "'e0\\.255': slot must be 0-254 \\(255 is broadcast\\)" \
  "${mask[@]}" read -i noif0 e0.255
usage "slot must be 0-254" "${copy[@]}" -i noif0 e0.300 out

# ---- common options ----
for tool in stat copy config mask reserve; do
  cmd=("$aoectl" "$tool")
  [[ $tool = @(config|mask|reserve) ]] && cmd+=(read)
  # (stat without a target lists every target: see ---- stat ----.)
  [ "$tool" = stat ] ||
    usage "^aoectl $tool: (no target given|expected SRC and DST)" "${cmd[@]}" -i noif0
  usage "^aoectl $tool: option '-i' needs an argument \\(try --help\\)$" "${cmd[@]}" -i
  usage "-i: empty interface name" "${cmd[@]}" -i '' e0.1
  usage "unknown option '--bogus'" "${cmd[@]}" --bogus
  usage "unknown option '-z'" "${cmd[@]}" -z
done
usage "unknown option '--bogus'" "$aoectl" discover --bogus
usage "unexpected argument 'extra'" "$aoectl" discover -i noif0 extra
usage "no interface given: use -i IFACE" "${stat[@]}" e0.1
usage "no interface given" "${config[@]}" read e0.1
usage "no interface given" "${copy[@]}" e0.1 out
usage "no interface given" "$aoectl" discover
usage "too many interfaces \\(at most 8\\)" "${stat[@]}" -i a -i b -i c -i d \
  -i e -i f -i g -i h -i i e0.1

# ---- stat ----
usage "unexpected argument 'more'" "${stat[@]}" -i noif0 e0.1 more
# Without a target: the listing, which needs an interface and takes no
# --interval or --count; --timeout and --bytes are the listing's only.
usage "^aoectl stat: aoe_add_interface: no such interface: noif0$" \
  "${stat[@]}" -i noif0
usage "no interface given" "${stat[@]}" --bytes
usage "--interval and --count need a target" "${stat[@]}" -i noif0 --count 2
usage "--interval and --count need a target" "${stat[@]}" -n 1 -i noif0
usage "--timeout and --bytes are for the list of targets" \
  "${stat[@]}" -i noif0 e0.1 --bytes
usage "--timeout and --bytes are for the list of targets" \
  "${stat[@]}" -i noif0 -t 100 e0.1
for bad in 0 -1 abc 600001 ''; do
  usage "--timeout: '$bad' is not a number from 1 to 600000" \
    "${stat[@]}" -i noif0 --timeout "$bad"
done
for bad in 0 -1 abc 1e9 '' 0.0 100000; do
  usage "--interval: '$bad' is not a number of seconds" \
    "${stat[@]}" -i noif0 --interval "$bad" e0.1
done
for bad in 0 -3 abc 1.5 '' 99999999999; do
  usage "--count: '$bad' is not a number from 1 to" \
    "${stat[@]}" e0.1 -i noif0 --count "$bad"
done

# ---- copy ----
usage "expected SRC and DST, got 1 argument" "${copy[@]}" -i noif0 e0.1
usage "expected SRC and DST, got 3 argument" "${copy[@]}" -i noif0 e0.1 a b
usage "neither 'a' nor 'b' is a target eSHELF\\.SLOT" "${copy[@]}" -i noif0 a b
usage "both 'e0\\.1' and 'e0\\.2' are targets" "${copy[@]}" -i noif0 e0.1 e0.2
usage "empty file name" "${copy[@]}" -i noif0 '' e0.1
usage "--offset: 100 is not a multiple of 512 bytes" "${copy[@]}" -i noif0 -o 100 e0.1 x
for bad in 1X 1KB abc -1 '' 1.5M 99999999999999999999 17179869184T; do
  usage "--offset: '$bad' is not a size" "${copy[@]}" -i noif0 --offset "$bad" e0.1 x
done
usage "--length: '12Q' is not a size" "${copy[@]}" -i noif0 --length 12Q e0.1 x
usage "--length: 1000 is not a multiple of 512" "${copy[@]}" e0.1 x -i noif0 -l 1000
for bad in 0 257 abc; do
  usage "--requests: '$bad' is not a number from 1 to 256" \
    "${copy[@]}" -i noif0 --requests "$bad" e0.1 x
  usage "--requests: '$bad' is not a number from 1 to 256" \
    "${copy[@]}" -i noif0 e0.1 x -R "$bad"
done
usage "unknown option '-Q'" "${copy[@]}" -i noif0 -Q 4 e0.1 x
usage "unknown option '--queue-depth'" "${copy[@]}" -i noif0 --queue-depth 4 e0.1 x
usage "--request-size: 64M is not from 512 to 32M" "${copy[@]}" -i noif0 --request-size 64M e0.1 x
usage "--request-size: 0 is not from 512 to 32M" "${copy[@]}" -i noif0 --request-size 0 e0.1 x
usage "--request-size: 700 is not a multiple of 512" "${copy[@]}" -i noif0 --request-size 700 e0.1 x
usage "--progress and --quiet contradict" "${copy[@]}" -i noif0 -p -q e0.1 x
# '--' ends the options: '-q' is then a file name (a third argument).
usage "expected SRC and DST, got 3 argument" "${copy[@]}" -i noif0 -- e0.1 x -q

# ---- config, mask, reserve ----
usage "^aoectl config: no action given: expected read, test, test-prefix, set or force-set \\(try --help\\)$" \
  "${config[@]}" -i noif0
usage "no action given: expected read, add or delete" "${mask[@]}"
usage "no action given: expected read, set, force-set, release or force-release" \
  "${reserve[@]}"
usage "^aoectl config: unknown action 'config write': expected read, test" \
  "${config[@]}" write -i noif0 e0.1 x
usage "unknown action 'mask set'" "${mask[@]}" set -i noif0 e0.1 "$mac"
usage "'e0\\.1' is a target: the action comes first, as in 'aoectl reserve read e0\\.1'" \
  "${reserve[@]}" -i noif0 e0.1 read
usage "no target given \\(eSHELF\\.SLOT, like e0\\.1\\)" "${mask[@]}" read -i noif0
usage "'config read' takes no argument, got 'x'" "${config[@]}" read -i noif0 e0.1 x
usage "'config set' takes exactly one string" "${config[@]}" set -i noif0 e0.1
usage "'config test' takes exactly one string" "${config[@]}" test -i noif0 e0.1 a b
usage "'mask add' needs at least one MAC" "${mask[@]}" add -i noif0 e0.1
usage "'mask delete' needs at least one MAC" "${mask[@]}" delete -i noif0 e0.1
usage "'reserve release' takes no argument" "${reserve[@]}" release -i noif0 e0.1 "$mac"
usage "'mask read' takes no argument" "${mask[@]}" read -i noif0 e0.1 "$mac"
for bad in zz:00:00:00:00:01 00:11:22:33:44 00:11:22:33:44:55:66 \
           001122334455 0:1:2:3:4:5 00-11-22-33-44-55 '' 00:11:22:33:44:5g \
           ' 00:11:22:33:44:55'; do
  usage "add: '$(tool_re "$bad")' is not a MAC address like aa:bb:cc:dd:ee:ff" \
    "${mask[@]}" add -i noif0 e0.1 "$mac" "$bad"
  usage "set: '$(tool_re "$bad")' is not a MAC address" \
    "${reserve[@]}" set -i noif0 e0.1 "$bad"
done
many=()
for i in $(seq 1 65); do many+=("$mac"); done
usage "too many MACs \\(at most 64\\)" "${reserve[@]}" set -i noif0 e0.1 "${many[@]}"
# Options after the target are options (the interface is then looked up:
# noif0 does not exist), and a config string starting with '-' is one
# only after '--'.
usage "aoe_add_interface: no such interface: noif0" \
  "${config[@]}" read e0.1 -i noif0
usage "aoe_add_interface: no such interface: noif0" \
  "${reserve[@]}" set e0.1 "$mac" -i noif0
usage "^aoectl config: unknown option '-x' \\(try --help\\)$" \
  "${config[@]}" set -i noif0 e0.1 -x
usage "aoe_add_interface: no such interface: noif0" \
  "${config[@]}" set -i noif0 e0.1 -- -x
usage "'config set' takes exactly one string" \
  "${config[@]}" set -i noif0 e0.1 -- -x -i

# ---- setup errors: unknown interface, silent target, range ----
tb_setup --mtu 9000
tb_image "$TB_DIR/disk.img" 1M
tb_vblade 0 1 "$TB_DIR/disk.img"
usage "nosuch0" tb_init_exec "${stat[@]}" -i nosuch0 e0.1
usage "nosuch0" tb_init_exec "${copy[@]}" -i nosuch0 e0.1 "$TB_DIR/x"
usage "nosuch0" tb_init_exec "${reserve[@]}" read -i nosuch0 e0.1
usage "^aoectl config: aoe_connect: no AoE target e7\\.7 answered on $TB_IFACE within 5000 ms" \
  tb_init_exec "${config[@]}" read -i "$TB_IFACE" e7.7
usage "--offset 2097152 is past the end of e0\\.1 \\(1048576 bytes\\)" \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" -o 2M e0.1 "$TB_DIR/x"
usage "--offset 524288 --length 1048576 ends past the end of e0\\.1" \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" -o 512K -l 1M "$TB_DIR/x" e0.1
[ ! -e "$TB_DIR/x" ] || tool_fail "a refused copy created its destination"
if command -v setpriv > /dev/null; then
  usage "CAP_NET_RAW|Operation not permitted" tb_init_exec setpriv \
    --reuid=nobody --regid=nogroup --clear-groups "${config[@]}" read \
    -i "$TB_IFACE" e0.1
fi
echo "test-tool-usage.sh: PASS"
