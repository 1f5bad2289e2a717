# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/tool-functions.sh: helpers shared by the tests of aoectl
# (tests/test-tool-*.sh) and of the plugin's reserve=true
# (tests/test-plugin-reserve.sh), on top of the test bed in
# tests/functions.sh.
#
#   . "$AOE_SRCDIR/tests/tool-functions.sh"
#   tool_requires aoectl
#   tool_two_initiators 64M random        # vblade e0.1 on a bridge
#   tool_expect 0 tb_init_exec "$(tool_bin aoectl)" mask read -i "$TB_IFACE" e0.1
#
# Functions:
#   tool_bin NAME            full path of the built program examples/NAME
#   tool_requires NAME...    root, vblade, jq and the built tools, or skip
#   tool_fail MESSAGE        print "TEST: FAIL: MESSAGE" and exit 1
#   tool_re STRING           STRING escaped for grep -E
#   tool_expect STATUS CMD...
#                            run CMD (stdout to $TOOL_OUT, stderr to
#                            $TOOL_ERR, both echoed for the log) and check
#                            its exit status
#   tool_expect_error STATUS PATTERN CMD...
#                            CMD exits STATUS with exactly one line on
#                            stderr, matching the grep -E PATTERN, and
#                            nothing on stdout
#   tool_two_initiators SIZE [random] [VBLADE_OPTS...]
#                            test bed with two initiator interfaces
#                            ($TB_IFACE, $TB_IFACE2: two MACs, two
#                            initiators) bridged to one vblade serving an
#                            image $TOOL_IMAGE of SIZE as e0.1
#
# Variables: TOOL_OUT TOOL_ERR (set by tool_expect*), TOOL_IMAGE,
# TOOL_BRIDGE (the bridge in the target namespace, now also $TB_TIFACE),
# TOOL_PORT1 (the target end of $TB_IFACE's veth pair, a bridge port).

AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
AOE_BUILDDIR=${AOE_BUILDDIR:-$AOE_SRCDIR/build}
. "$AOE_SRCDIR/tests/functions.sh"

# tool_bin NAME: the built tool examples/NAME.
tool_bin ()
{
  echo "$AOE_BUILDDIR/examples/$1"
}

# tool_fail MESSAGE: fail (tests/functions.sh), under the name the tool
# tests use.
tool_fail ()
{
  fail "$@"
}

# tool_requires NAME...: what every tool test needs, else skip.
tool_requires ()
{
  local name
  requires_root
  requires command -v vblade
  requires command -v jq
  for name in "$@"; do
    requires test -x "$(tool_bin "$name")"
  done
}

# Files receiving the output of the last tool_expect.
_tool_outputs ()
{
  if [ -z "${TOOL_OUT:-}" ]; then
    TOOL_OUT=$(mktemp "${TB_DIR:-${TMPDIR:-/tmp}}/tool-out.XXXXXX")
    TOOL_ERR=$(mktemp "${TB_DIR:-${TMPDIR:-/tmp}}/tool-err.XXXXXX")
    if [ -z "${TB_DIR:-}" ]; then
      cleanup_fn rm -f "$TOOL_OUT" "$TOOL_ERR"
    fi
  fi
}

# tool_expect STATUS CMD...: see above.
tool_expect ()
{
  local want=$1 status=0
  shift
  _tool_outputs
  "$@" > "$TOOL_OUT" 2> "$TOOL_ERR" || status=$?
  echo "\$ ${*##*/} -> $status" | cut -c 1-200 || :
  sed 's/^/  out: /' "$TOOL_OUT" | head -n 40 | cut -c 1-200 || :
  sed 's/^/  err: /' "$TOOL_ERR" | head -n 40 | cut -c 1-200 || :
  [ "$status" -eq "$want" ] ||
    tool_fail "'$*' exited $status, expected $want: $(cat "$TOOL_ERR")"
}

# tool_re STRING: STRING as a grep -E pattern matching it literally.
tool_re ()
{
  printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# tool_expect_error STATUS PATTERN CMD...: see above.
tool_expect_error ()
{
  local want=$1 pattern=$2
  shift 2
  tool_expect "$want" "$@"
  [ "$(wc -l < "$TOOL_ERR")" -eq 1 ] ||
    tool_fail "'$*': expected one line on stderr, got: $(cat "$TOOL_ERR")"
  [ ! -s "$TOOL_OUT" ] || tool_fail "'$*': printed to stdout on error"
  grep -Eq -- "$pattern" "$TOOL_ERR" ||
    tool_fail "'$*': stderr does not match '$pattern': $(cat "$TOOL_ERR")"
}

# tool_two_initiators SIZE [random] [VBLADE_OPTS...]: see above.  The
# target namespace bridges both veth pairs, and vblade listens on the
# bridge, so frames from either initiator interface reach it and its
# answers go back to the asker only.
tool_two_initiators ()
{
  local size=$1 fill=
  shift
  if [ "${1:-}" = random ]; then
    fill=random
    shift
  fi
  tb_setup --mtu 9000
  tb_add_path
  TOOL_BRIDGE=ab${TB_ID}br
  tb_target_exec ip link add "$TOOL_BRIDGE" type bridge stp_state 0 \
    forward_delay 0 || tool_fail "cannot create a bridge"
  tb_target_exec ip link set "$TB_TIFACE" master "$TOOL_BRIDGE" &&
    tb_target_exec ip link set "$TB_TIFACE2" master "$TOOL_BRIDGE" &&
    tb_target_exec ip link set "$TOOL_BRIDGE" mtu 9000 up ||
    tool_fail "cannot bridge $TB_TIFACE and $TB_TIFACE2"
  tb_wait_for 5 _tb_link_up "$TB_NS_TARGET" "$TOOL_BRIDGE" ||
    tool_fail "the bridge did not come up"
  # vblade serves the bridge; tb_vblade probes from $TB_IFACE.
  TOOL_PORT1=$TB_TIFACE
  TB_TIFACE=$TOOL_BRIDGE
  TOOL_IMAGE=$TB_DIR/disk.img
  tb_image "$TOOL_IMAGE" "$size" $fill
  tb_vblade 0 1 "$TOOL_IMAGE" "$@"
}
