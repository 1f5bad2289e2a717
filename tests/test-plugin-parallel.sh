#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-parallel.sh: data integrity under parallel load.
#
# plugin-parallel (tests/plugin-parallel.c, after libnbd's aio-parallel)
# opens 4 connections to nbdkit aoe, keeps 64 commands in flight on each
# for 10 s with random reads and writes, half of them not sector-aligned
# and a quarter crowding sector boundaries shared between connections,
# checks every read against a shadow copy of the disk, and finally compares
# the image file vblade serves with the shadow.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
stress=$AOE_BUILDDIR/tests/plugin-parallel
requires test -x "$stress"

plugin_target 64M random
plugin_run --run "$(printf '%q ' "$stress") \"\$unixsocket\" \
  $(printf '%q' "$PLUGIN_IMAGE") 10 4"
echo "test-plugin-parallel.sh: ok"
