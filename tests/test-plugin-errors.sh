#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-errors.sh: every bad configuration makes nbdkit aoe exit
# non-zero before serving, with one clear error line: unknown or repeated
# keys, missing keys, out-of-range or malformed values, a missing
# interface, a target that does not answer within discover-timeout (wrong
# shelf, or a MAC pin matching no port), and no permission for raw
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

# No target answering: vblade serves e0.1, we ask for e1.1.  The failure
# must come after about discover-timeout=1 s, not the default 5 s.
start=$(date +%s%N)
bad "no target" "error: cannot serve AoE target e1\.1: .*check shelf=" \
    $i shelf=1 slot=1 discover-timeout=1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "no target: failed after $ms ms"
if [ "$ms" -lt 900 ] || [ "$ms" -ge 4500 ]; then
  echo "test-plugin-errors.sh: FAIL: discover-timeout=1 took $ms ms" >&2
  exit 1
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
# Leading zeros are still decimal: slot=08 is e0.8 (octal would refuse
# the digit 8; there is no e0.8, so discovery fails naming it).
bad "slot=08" "error: cannot serve AoE target e0\.8: .*no AoE target e0\.8" \
    $i shelf=00 slot=08 discover-timeout=1
echo "test-plugin-errors.sh: ok"
