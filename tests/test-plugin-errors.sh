#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-errors.sh: every bad configuration makes nbdkit aoe exit
# non-zero before serving, with one clear error line: unknown or repeated
# keys, missing keys, out-of-range or malformed values, a missing
# interface, target names that are not eSHELF.SLOT or conflict with
# shelf=/slot=, a target that does not answer within discover-timeout
# (wrong shelf, or a MAC pin matching no port), and no permission for raw
# Ethernet (not root, no CAP_NET_RAW).  A correct configuration, with the
# right MAC pinned, serves.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires setpriv --version

plugin_target 16M

# bad WHAT PATTERN KEY=VALUE...: nbdkit aoe with these keys only (in the
# initiator namespace) must fail with a message matching PATTERN.
bad ()
{
  local what=$1 pattern=$2
  shift 2
  plugin_expect_error "$what" "$pattern" \
    tb_init_exec nbdkit -U - "$AOE_PLUGIN" "$@" --run 'exit 0'
}

i=iface=$TB_IFACE
bad "unknown key" "error: unknown parameter 'foo'" $i shelf=0 slot=1 foo=1
bad "missing iface" "error: the iface parameter is required" shelf=0 slot=1
bad "missing shelf" "error: the shelf parameter is required" $i slot=1
bad "missing slot" "error: the slot parameter is required" $i shelf=0
bad "repeated key" "error: shelf given more than once" $i shelf=0 shelf=0 slot=1
bad "shelf=65535" "error: shelf=65535: out of range: must be 0-65534" \
    $i shelf=65535 slot=1
bad "shelf=70000" "error: shelf=70000: out of range: must be 0-65534" \
    $i shelf=70000 slot=1
# Decimal only: nbdkit's own parsers would read 0x1 as 1 and 010 as 8.
bad "shelf=0x1" "error: shelf=0x1: expected a decimal number" \
    $i shelf=0x1 slot=1
bad "slot=+1" "error: slot=\+1: expected a decimal number" $i shelf=0 slot=+1
bad "mac twice" "error: mac=$TB_MAC_TARGET: MAC given twice" \
    $i shelf=0 slot=1 mac=$TB_MAC_TARGET mac=$TB_MAC_TARGET
bad "slot=255" "error: slot=255: out of range: must be 0-254" \
    $i shelf=0 slot=255
bad "slot=abc" "error: slot=abc: expected a decimal number" \
    $i shelf=0 slot=abc
bad "slot=1x" "error: slot=1x: expected a decimal number" $i shelf=0 slot=1x
bad "timeout=-1" "error: timeout=-1: expected a non-negative integer" \
    $i shelf=0 slot=1 timeout=-1
bad "timeout=1.5" "error: timeout: .*1\.5.*trailing garbage" \
    $i shelf=0 slot=1 timeout=1.5
bad "timeout=5000000" "error: timeout=5000000: out of range" \
    $i shelf=0 slot=1 timeout=5000000
bad "shelf=" "error: shelf=: expected a decimal number" $i shelf= slot=1
bad "discover-timeout=0" "error: discover-timeout=0: out of range" \
    $i shelf=0 slot=1 discover-timeout=0
bad "max-in-flight=0" "error: max-in-flight=0: out of range: must be 1-256" \
    $i shelf=0 slot=1 max-in-flight=0
bad "max-in-flight=257" "error: max-in-flight=257: out of range: must be 1-256" \
    $i shelf=0 slot=1 max-in-flight=257
bad "transport=bogus" "error: transport=bogus: expected pcap or packet" \
    $i shelf=0 slot=1 transport=bogus
bad "mac=zz" "error: mac=zz: not a MAC address" $i shelf=0 slot=1 mac=zz
bad "mac too long" "error: mac=.*: not a MAC address" \
    $i shelf=0 slot=1 mac=02:00:00:00:00:01:02
bad "iface=nosuch0" "error: iface=nosuch0: no such network interface" \
    iface=nosuch0 shelf=0 slot=1
bad "iface twice" "error: iface=$TB_IFACE: interface given twice" \
    $i $i shelf=0 slot=1
bad "iface=" "error: iface=: not a valid interface name" iface= shelf=0 slot=1
bad "iface too long" "error: iface=a{20}: not a valid interface name" \
    iface=aaaaaaaaaaaaaaaaaaaa shelf=0 slot=1

# target=eSHELF.SLOT, the name the kernel driver and the tools print
# (decimal, no leading zeros: one target, one name), also as nbdkit's
# magic key (a bare word); never together with shelf= or slot=.
name="not an AoE target name: expected eSHELF\.SLOT like e0\.1"
bad "target=e0" "error: target=e0: $name" $i target=e0
bad "target=e0.1.2" "error: target=e0\.1\.2: $name" $i target=e0.1.2
bad "target=x0.1" "error: target=x0\.1: $name" $i target=x0.1
bad "target=E0.1" "error: target=E0\.1: $name" $i target=E0.1
bad "target=e0." "error: target=e0\.: $name" $i target=e0.
bad "target=e.1" "error: target=e\.1: $name" $i target=e.1
bad "target=e+0.1" "error: target=e\+0\.1: $name" $i target=e+0.1
bad "target=" "error: target=: $name" $i target=
bad "target=e65535.1" \
    "error: target=e65535\.1: shelf out of range: must be 0-65534" \
    $i target=e65535.1
bad "target=e99999999999999999999.1" \
    "error: target=e9{20}\.1: shelf out of range: must be 0-65534" \
    $i target=e99999999999999999999.1
bad "target=e0.255" "error: target=e0\.255: slot out of range: must be 0-254" \
    $i target=e0.255
bad "target=e0.01" "error: target=e0\.01: leading zero: write e0\.1" \
    $i target=e0.01
bad "target=e00.1" "error: target=e00\.1: leading zero: write e0\.1" \
    $i target=e00.1
bad "bare e0.255" "error: target=e0\.255: slot out of range" $i e0.255
bad "bare eth0" "error: target=eth0: $name" $i eth0
bad "target twice" "error: target given more than once" \
    $i target=e0.1 target=e0.1
bad "bare name twice" "error: target given more than once" $i e0.1 e0.1
both="target=e0\.1 and shelf=/slot= both given: name the target once"
bad "target and shelf" "error: $both" $i target=e0.1 shelf=0
bad "slot and target" "error: $both" $i slot=1 target=e0.1
bad "all three" "error: $both" $i shelf=0 slot=1 e0.1
# Without a target every target is served: the keys about one disk
# have no meaning then.
bad "reserve without target" "error: reserve=true needs a target" \
    $i reserve=true
bad "mac without target" "error: mac= needs a target" $i mac=$TB_MAC_TARGET

# No target answering: vblade serves e0.1, we ask for e1.1.  The failure
# must come after about discover-timeout=1 s, not the default 5 s.
start=$(date +%s%N)
bad "nobody answers" "error: cannot serve AoE target e1\.1: .*check shelf=" \
    $i shelf=1 slot=1 discover-timeout=1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "nobody answers: failed after $ms ms"
if [ "$ms" -lt 900 ] || [ "$ms" -ge 4500 ]; then
  fail "discover-timeout=1 took $ms ms"
fi

# A MAC pin that matches no port of e0.1.
bad "wrong mac" "error: cannot serve AoE target e0\.1: .*check shelf=" \
    $i shelf=0 slot=1 mac=02:00:00:00:00:01 discover-timeout=1

# Not root and no CAP_NET_RAW.
nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all)
requires tb_init_exec "${nobody[@]}" test -r "$AOE_PLUGIN"
plugin_expect_error "not root" "error: cannot serve AoE target e0\.1: .*CAP_NET_RAW" \
  tb_init_exec "${nobody[@]}" nbdkit -U - "$AOE_PLUGIN" $i shelf=0 slot=1 \
  --run 'exit 0'

# Controls: the same target, correctly named (and with its MAC), serves.
plugin_run --run 'nbdinfo --size "$uri"'
plugin_run mac="$TB_MAC_TARGET" discover-timeout=2 --run 'nbdinfo --size "$uri"'
# Two pins, one of them matching no port: serves through the one that does.
plugin_run mac=02:00:00:00:00:01 mac="$TB_MAC_TARGET" discover-timeout=2 \
  --run 'nbdinfo --size "$uri"'
# A well-formed name nobody answers to fails naming it (test-plugin-info
# serves e0.1 by name).
bad "target=e0.8" \
    "error: cannot serve AoE target e0\.8: .*no AoE target e0\.8.*check its name" \
    $i target=e0.8 discover-timeout=1
# Leading zeros are still decimal: slot=08 is e0.8 (octal would refuse
# the digit 8; there is no e0.8, so discovery fails naming it).
bad "slot=08" "error: cannot serve AoE target e0\.8: .*no AoE target e0\.8" \
    $i shelf=00 slot=08 discover-timeout=1
echo "test-plugin-errors.sh: ok"
