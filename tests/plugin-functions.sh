# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/plugin-functions.sh: helpers shared by the nbdkit aoe plugin tests
# (tests/test-plugin-*.sh), on top of the test bed in tests/functions.sh.
#
#   . "$AOE_SRCDIR/tests/plugin-functions.sh"
#   requires_plugin
#   plugin_target 64M random          # test bed + image + vblade e0.1
#   plugin_run --run 'nbdinfo "$uri"' # nbdkit aoe in the initiator ns
#
# Functions:
#   requires_plugin          skip unless $AOE_PLUGIN and nbdkit are usable
#   requires_nbdsh           make `nbdsh` work (see below) or skip
#   plugin_target SIZE [random] [VBLADE_OPTS...]
#                            tb_setup (MTU $PLUGIN_MTU, default 9000),
#                            image $PLUGIN_IMAGE of SIZE, vblade serving it
#                            as e0.1
#   plugin_run [NBDKIT_OPTS...] [KEY=VALUE...] [--run CMD]
#                            nbdkit -U - $AOE_PLUGIN iface=$TB_IFACE shelf=0
#                            slot=1 ARGS... inside the initiator namespace
#   plugin_expect_error WHAT PATTERN CMD...
#                            CMD must exit non-zero with a line on stderr
#                            matching the grep -E PATTERN

AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
. "$AOE_SRCDIR/tests/functions.sh"

# requires_plugin: the plugin was built and nbdkit can load it.
requires_plugin ()
{
  requires test -n "${AOE_PLUGIN:-}"
  requires test -f "$AOE_PLUGIN"
  requires nbdkit --version
  requires nbdkit "$AOE_PLUGIN" --version
}

# requires_fuse_mount: what a file system on an export needs without the
# nbd module: root, nbdfuse and FUSE, loop devices, unshare for a private
# mount namespace, mkfs.ext4 and e2fsck.
requires_fuse_mount ()
{
  requires_plugin
  requires_root
  requires unshare --version
  requires nbdfuse --version
  requires fusermount3 --version
  requires test -c /dev/fuse
  requires test -e /dev/loop-control
  requires losetup --version
  requires mkfs.ext4 -V
  requires e2fsck -V
}

# requires_nbdsh: nbdsh runs `python3 -m nbd`; when the first python3 on
# PATH lacks the nbd module (e.g. a pyenv interpreter shadowing the
# system's, which has python3-libnbd), put a wrapper named nbdsh using an
# interpreter that has it first on PATH.  Skip if there is none.
requires_nbdsh ()
{
  local py dir
  requires command -v nbdsh
  if nbdsh -c 'pass' >/dev/null 2>&1; then
    return 0
  fi
  for py in /usr/bin/python3 /usr/local/bin/python3; do
    if [ -x "$py" ] && "$py" -c 'import nbd' >/dev/null 2>&1; then
      dir=$(mktemp -d "${TMPDIR:-/tmp}/aoe-nbdsh.XXXXXX") ||
        _tb_die "cannot create a temporary directory"
      cleanup_fn rm -rf "$dir"
      printf '#!/bin/sh\nexec %s -m nbd "$@"\n' "$py" > "$dir/nbdsh"
      chmod +x "$dir/nbdsh"
      PATH=$dir:$PATH
      export PATH
      return 0
    fi
  done
  _tb_skip "no python3 with the nbd module (python3-libnbd) for nbdsh"
}

# plugin_target SIZE [random] [VBLADE_OPTS...]: the test bed with MTU
# $PLUGIN_MTU (default 9000), an image of SIZE (sparse, or random bytes) in $PLUGIN_IMAGE, and vblade
# serving it as e0.1 on the target side.
plugin_target ()
{
  local size=$1 fill=
  shift
  if [ "${1:-}" = random ]; then
    fill=random
    shift
  fi
  requires command -v vblade
  tb_setup --mtu "${PLUGIN_MTU:-9000}"
  PLUGIN_IMAGE=$TB_DIR/disk.img
  tb_image "$PLUGIN_IMAGE" "$size" $fill
  tb_vblade 0 1 "$PLUGIN_IMAGE" "$@"
}

# plugin_run ARGS...: run nbdkit with the plugin for e0.1 on $TB_IFACE in
# the initiator namespace, on a private Unix socket (-U -), passing ARGS
# (nbdkit options go first, so they are placed before the plugin; write
# an option and its value as one word: -Daoe.stats=1, --filter=log).
plugin_run ()
{
  local opts=()
  while [ $# -gt 0 ] && [[ "$1" == -* ]] && [ "$1" != --run ]; do
    opts+=("$1")
    shift
  done
  tb_init_exec nbdkit "${opts[@]}" -U - "$AOE_PLUGIN" \
    iface="$TB_IFACE" shelf=0 slot=1 "$@"
}

# plugin_expect_error WHAT PATTERN CMD...: run CMD, which must fail (exit
# status not 0) and print a stderr line matching PATTERN (grep -E).  WHAT
# names the case in messages.  The stderr of CMD is echoed for the log.
plugin_expect_error ()
{
  local what=$1 pattern=$2 err status
  shift 2
  err=$(mktemp "${TB_DIR:-${TMPDIR:-/tmp}}/err.XXXXXX")
  set +e
  "$@" 2> "$err" >/dev/null
  status=$?
  set -e
  echo "$what: exit $status: $(cat "$err")"
  if [ "$status" -eq 0 ]; then
    _tb_die "$what: expected failure, got exit status 0"
  fi
  if ! grep -Eq -- "$pattern" "$err"; then
    _tb_die "$what: no error message matching '$pattern'"
  fi
  if [ "$(grep -c 'error' "$err")" -ne 1 ]; then
    _tb_die "$what: expected exactly one error line"
  fi
  rm -f "$err"
}
