#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-dump.sh: `nbdkit aoe --dump-plugin` names the plugin
# and the versions of libaoe and libpcap, target is the magic config key
# (a bare word); --help lists every key.  Needs no root and no network:
# neither option loads more than the plugin.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin

out=$(nbdkit "$AOE_PLUGIN" --dump-plugin)
echo "$out"

grep -qx 'name=aoe' <<< "$out" || fail "no name=aoe"
grep -qx 'thread_model=parallel' <<< "$out" || fail "thread model is not parallel"
grep -qx 'api_version=2' <<< "$out" || fail "not API version 2"
grep -qx 'errno_is_preserved=1' <<< "$out" || fail "errno_is_preserved is not 1"
# A bare word is the target's name: `nbdkit aoe e0.1 iface=eth0`.
grep -qx 'magic_config_key=target' <<< "$out" ||
  fail "the magic config key is not target"
grep -Eqx 'version=[0-9]+\.[0-9]+\.[0-9]+' <<< "$out" || fail "no version"
grep -Eqx 'libaoe_version=[0-9]+\.[0-9]+\.[0-9]+' <<< "$out" ||
  fail "no libaoe_version"
grep -Eqx 'libpcap_version=.*libpcap.*[0-9]+\.[0-9]+.*' <<< "$out" ||
  fail "no libpcap_version"
for cb in pread pwrite flush get_ready cleanup block_size can_multi_conn; do
  grep -qx "has_$cb=1" <<< "$out" || fail "no $cb callback"
done

help=$(nbdkit "$AOE_PLUGIN" --help)
for key in iface target shelf slot mac timeout discover-timeout max-in-flight; do
  grep -Eq "^$key=" <<< "$help" || fail "--help does not list $key="
done
echo "test-plugin-dump.sh: ok"
