# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/lib-functions.sh: helpers shared by the library integration tests
# (tests/test-lib-*.sh), on top of the test bed in tests/functions.sh.
#
#   . "$AOE_SRCDIR/tests/lib-functions.sh"
#   lib_target 9000 64M random        # test bed + image + vblade e0.1
#   tb_init_exec "$(lib_prog lib-info)" "$TB_IFACE" 0 1
#
# Functions:
#   lib_prog NAME            full path of the built test program NAME
#   lib_example NAME         full path of the built example NAME
#   lib_target MTU SIZE [random] [VBLADE_OPTS...]
#                            tb_setup --mtu MTU, image $LIB_IMAGE of SIZE,
#                            vblade serving it as e0.1 on $TB_TIFACE
#   lib_fail MESSAGE         print "TEST: FAIL: MESSAGE" and exit 1
#   lib_expect_value FILE KEY VALUE
#                            FILE (key=value lines) has KEY=VALUE

AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
AOE_BUILDDIR=${AOE_BUILDDIR:-$AOE_SRCDIR/build}
. "$AOE_SRCDIR/tests/functions.sh"

# lib_fail MESSAGE: fail (tests/functions.sh), under the name the library
# tests use.
lib_fail ()
{
  fail "$@"
}

# Path of a built program under DIR of the build tree; fail if missing.
_lib_built ()
{
  local path=$AOE_BUILDDIR/$1/$2
  [ -x "$path" ] || lib_fail "$path is not built"
  echo "$path"
}

# lib_prog NAME: the test program tests/NAME.
lib_prog ()
{
  _lib_built tests "$1"
}

# lib_example NAME: the example examples/NAME.
lib_example ()
{
  _lib_built examples "$1"
}

# lib_target MTU SIZE [random] [VBLADE_OPTS...]: see above.
lib_target ()
{
  local mtu=$1 size=$2 fill=
  shift 2
  if [ "${1:-}" = random ]; then
    fill=random
    shift
  fi
  requires_root
  requires command -v vblade
  tb_setup --mtu "$mtu"
  LIB_IMAGE=$TB_DIR/disk.img
  tb_image "$LIB_IMAGE" "$size" $fill
  tb_vblade 0 1 "$LIB_IMAGE" "$@"
}

# lib_expect_value FILE KEY VALUE: FILE holds the line KEY=VALUE.
lib_expect_value ()
{
  local actual
  actual=$(sed -n "s/^$2=//p" "$1")
  [ "$actual" = "$3" ] || lib_fail "$2 is '$actual', expected '$3'"
}
