#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-tls.sh: an AoE disk served to other machines over
# TCP with TLS (nbdkit --tls=require --tls-psk), as README and
# nbdkit-aoe-plugin(1) describe ("Serving other machines").
#
# nbdkit aoe listens on 127.0.0.1 inside the initiator namespace (its own
# loopback, up) with a PSK file made by psktool.  A client with the key
# (libnbd's nbds://alice@HOST/?tls-psk-file=FILE) copies 8 MiB of random
# data in and out byte-exact (the image vblade serves compared too);
# a plain nbd:// client and one with a wrong key for the same user are
# refused, each with its error, and write nothing to the disk; then a
# local nbdkit nbd bridge with the key (README's recipe for nbd-client,
# which has no PSK) reads the disk byte-exact.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires nbdcopy --version
requires nbdinfo --version
requires command -v psktool
requires command -v jq
requires cmp --version

plugin_target 8M
port=10809
good=$TB_DIR/good.psk
wrong=$TB_DIR/wrong.psk
psktool -u alice -p "$good" > /dev/null
psktool -u alice -p "$wrong" > /dev/null
chmod 600 "$good" "$wrong"
cmp -s "$good" "$wrong" && fail "psktool made the same key twice"
url="nbds://alice@127.0.0.1:$port/?tls-psk-file=$good"
tb_init_exec ip link set lo up

pidfile=$TB_DIR/nbdkit.pid
tb_init_bg nbdkit -f -i 127.0.0.1 -p "$port" -P "$pidfile" \
  --tls=require --tls-psk="$good" "$AOE_PLUGIN" iface="$TB_IFACE" e0.1
nbdkit_log=$TB_BG_LOG
tb_wait_for 20 test -s "$pidfile" ||
  fail "nbdkit did not start listening: $(cat "$nbdkit_log")"

# With the key: size, then a byte-exact round trip.
size=$(tb_init_exec nbdinfo --size "$url")
[ "$size" -eq $((8 << 20)) ] || fail "nbdinfo over TLS: size $size"
tb_init_exec nbdinfo --json --no-content "$url" | jq -e '.TLS == true' > /dev/null ||
  fail "nbdinfo does not report a TLS connection"
head -c 8M /dev/urandom > "$TB_DIR/in.img"
tb_init_exec nbdcopy --flush "$TB_DIR/in.img" "$url"
cmp "$TB_DIR/in.img" "$PLUGIN_IMAGE" || fail "the disk differs from what was copied in"
tb_init_exec nbdcopy "$url" "$TB_DIR/out.img"
cmp "$TB_DIR/in.img" "$TB_DIR/out.img" || fail "the copy out differs"

# refused WHAT PATTERN URL: nbdcopy of other data to URL fails with a line
# matching PATTERN, and the disk is unchanged.
refused ()
{
  local what=$1 pattern=$2 to=$3 status=0
  tb_init_exec nbdcopy "$TB_DIR/other.img" "$to" 2> "$TB_DIR/err" || status=$?
  cat "$TB_DIR/err"
  [ "$status" -ne 0 ] || fail "$what: nbdcopy succeeded"
  grep -Eq -- "$pattern" "$TB_DIR/err" ||
    fail "$what: error does not match '$pattern': $(cat "$TB_DIR/err")"
  cmp "$TB_DIR/in.img" "$PLUGIN_IMAGE" || fail "$what: the disk was written"
}
head -c 8M /dev/urandom > "$TB_DIR/other.img"
refused "plain NBD" "server requires TLS" "nbd://127.0.0.1:$port/"
refused "wrong key" "gnutls_handshake" \
  "nbds://alice@127.0.0.1:$port/?tls-psk-file=$wrong"
grep -q "gnutls_handshake" "$nbdkit_log" ||
  fail "nbdkit logged no failed handshake: $(cat "$nbdkit_log")"
# And a user the server does not know (the client refuses before sending).
refused "unknown user" "username bob was not found" \
  "nbds://bob@127.0.0.1:$port/?tls-psk-file=$good"
# The server still serves the right client, also through the documented
# bridge for clients without PSK support (nbd-client has only X.509): a
# local nbdkit nbd holding the key, serving a Unix socket.
tb_init_exec nbdkit -U - nbd hostname=127.0.0.1 port="$port" tls=require \
  tls-psk="$good" tls-username=alice \
  --run "nbdcopy \"\$uri\" $(printf '%q' "$TB_DIR/out2.img")"
cmp "$TB_DIR/in.img" "$TB_DIR/out2.img" || fail "the copy out through the bridge differs"
echo "test-plugin-tls.sh: ok"
