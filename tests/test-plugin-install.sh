#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-install.sh: after `meson install`, `nbdkit aoe ...`
# finds the plugin by name, and the man page nbdkit-aoe-plugin(1) is
# installed.  The build is installed into a temporary DESTDIR; nbdkit's
# plugin directory is then replaced by the installed one with a bind mount
# inside a private mount namespace (unshare -m), so the host's real
# plugin directory is never touched.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires_root
requires meson --version
requires unshare --version
requires test -d "$AOE_BUILDDIR"

plugin_target 16M random
dest=$TB_DIR/dest
meson install -C "$AOE_BUILDDIR" --no-rebuild --quiet --destdir "$dest" \
  > "$TB_DIR/install.log" 2>&1 || {
  cat "$TB_DIR/install.log"
  fail "meson install failed"
}

plugin=$(find "$dest" -name nbdkit-aoe-plugin.so -print -quit)
man=$(find "$dest" -path '*/man1/nbdkit-aoe-plugin.1' -print -quit)
libaoe=$(find "$dest" -name 'libaoe.so.0' -print -quit)
[ -n "$plugin" ] || fail "nbdkit-aoe-plugin.so was not installed"
[ -n "$man" ] || fail "the man page nbdkit-aoe-plugin.1 was not installed"
[ -n "$libaoe" ] || fail "libaoe.so.0 was not installed"
grep -q 'SYNOPSIS' "$man" || fail "$man is not a man page"
grep -q 'discover-timeout' "$man" || fail "$man does not document discover-timeout"

plugindir=$(nbdkit --dump-config | sed -n 's/^plugindir=//p')
installed_dir=${plugin%/*}
if [ "${installed_dir#"$dest"}" != "$plugindir" ]; then
  _tb_skip "built with -Dplugindir=${installed_dir#"$dest"}, not nbdkit's $plugindir"
fi

# In a private mount namespace inside the initiator's network namespace:
# the installed plugin directory over nbdkit's, the installed libaoe on the
# library path (the installed plugin has no build-tree rpath).
by_name=$(printf '%q ' mount --bind "$installed_dir" "$plugindir")
export LD_LIBRARY_PATH=${libaoe%/*}
tb_init_exec unshare -m sh -c "$by_name && nbdkit aoe --dump-plugin" \
  > "$TB_DIR/dump.txt"
grep -qx 'name=aoe' "$TB_DIR/dump.txt" || fail "nbdkit aoe --dump-plugin"
grep -qx "path=$plugindir/nbdkit-aoe-plugin.so" "$TB_DIR/dump.txt" ||
  fail "nbdkit aoe did not load the installed plugin"

size=$(tb_init_exec unshare -m sh -c "$by_name && nbdkit -U - aoe \
  iface=$TB_IFACE shelf=0 slot=1 --run 'nbdinfo --size \"\$uri\"'")
[ "$size" = $(( 16 << 20 )) ] || fail "nbdkit aoe served size '$size'"
echo "test-plugin-install.sh: ok"
