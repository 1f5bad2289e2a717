#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-core-includes.sh SRCDIR: the sans-I/O core includes nothing
# from the shell.
#
# The core (lib/wire.*, lib/ata.*, lib/engine*, lib/admin-proto.*: the
# codecs and the engine, linked alone into the unit tests and the
# fuzzers) may include only ISO C standard headers (<...>: no POSIX, no
# libev, no libpcap, so no I/O, clock or thread sneaks in) and, in
# quotes, the other core headers and the public include/libaoe.h (itself
# held to ISO C headers here).  Every other #include line fails the test,
# printed as FILE:LINE: TEXT.
set -euo pipefail
src=${1:?usage: test-core-includes.sh SRCDIR}
. "$(dirname -- "$0")/functions.sh"   # fail

# The ISO C (C11) standard headers.
iso_c=" assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h
  iso646.h limits.h locale.h math.h setjmp.h signal.h stdalign.h stdarg.h
  stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h
  string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h "

shopt -s nullglob
core=("$src"/lib/wire.[ch] "$src"/lib/ata.[ch] "$src"/lib/engine*.[ch]
      "$src"/lib/admin-proto.[ch])
[ ${#core[@]} -ge 10 ] || fail "only ${#core[@]} core files found under $src/lib"

# The headers a core file may include in quotes: the core's own, and the
# public header.
quoted=" libaoe.h "
for f in "${core[@]}"; do
  case $f in *.h) quoted+="${f##*/} " ;; esac
done

bad=()
checked=0
for f in "${core[@]}" "$src/include/libaoe.h"; do
  while IFS= read -r hit; do
    line=${hit%%:*}
    text=${hit#*:}
    checked=$((checked + 1))
    if [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([^\>]+)\> ]]; then
      [[ $iso_c == *[[:space:]]"${BASH_REMATCH[1]}"[[:space:]]* ]] && continue
    elif [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
      [[ $f != */include/libaoe.h &&
         $quoted == *" ${BASH_REMATCH[1]} "* ]] && continue
    fi
    bad+=("${f#"$src"/}:$line: $text")
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$f" || true)
done
[ "$checked" -gt 0 ] || fail "no #include line found in the core"
if [ ${#bad[@]} -gt 0 ]; then
  printf '%s\n' "${bad[@]}" >&2
  fail "the core includes ${#bad[@]} header(s) that are neither ISO C nor the core's own (listed above)"
fi
echo "test-core-includes.sh: ok (${#core[@]} core files, $checked #include lines)"
