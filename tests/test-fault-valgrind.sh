#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-valgrind.sh: the library under valgrind memcheck.
#
# Against vblade in the test bed, the library test programs run under
# `valgrind --error-exitcode=1 --leak-check=full`: connect and IDENTIFY
# (lib-info), a whole-disk write and read (lib-rw), threads doing blocking
# reads and rewrites (lib-parallel), and aio with exactly-once checks
# (fault-aio), the last one with 5% of the requests lost so that the
# retransmission paths run too.  Any invalid access, uninitialised read or
# leak fails the test.  (The unit suite under valgrind is a step of
# scripts/check: meson test --suite unit --wrap=valgrind...)
#
# Registered in the "valgrind" suite: the sanitizer build (whose programs
# cannot run under valgrind) runs only the unit and integration suites.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires valgrind --version
requires nft --version

if grep -q __asan_init "$(lib_prog lib-info)"; then
  _tb_skip "the test programs are built with AddressSanitizer"
fi

lib_target 1500 16M random
vg=(valgrind -q --error-exitcode=1 --leak-check=full)

# under_valgrind NAME ARGS...: run test program NAME under valgrind in
# the initiator namespace.
under_valgrind ()
{
  local prog
  prog=$(lib_prog "$1")
  shift
  echo "==> valgrind $(basename "$prog") $*"
  tb_init_exec "${vg[@]}" "$prog" "$@" ||
    lib_fail "$(basename "$prog") failed under valgrind"
}

under_valgrind lib-info "$TB_IFACE" 0 1
under_valgrind lib-rw "$TB_IFACE" 0 1 write "$TB_DIR/written"
cmp "$TB_DIR/written" "$LIB_IMAGE" || lib_fail "the image differs"
under_valgrind lib-parallel "$TB_IFACE" 0 1 "$LIB_IMAGE" 4 3
fault_nft "$TB_NS_TARGET" "$(fault_chain loss "$TB_TIFACE" ingress \
  'numgen random mod 100 < 5 counter drop')"
under_valgrind fault-aio "$TB_IFACE" 0 1 "$LIB_IMAGE" 3 8
echo "test-fault-valgrind.sh: ok"
