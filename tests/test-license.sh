#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-license.sh SRCDIR: the licence is stated where Debian and
# every other packager look for it.  LICENSE is the BSD-3-Clause text; every
# source file (C, headers, meson, shell, python, POD, linker scripts, the
# Debian packaging) carries "SPDX-License-Identifier: BSD-3-Clause" and the
# copyright notice in its first lines; debian/copyright names the same
# licence.  Binary test data (*.bin) and generated results are exempt.
set -euo pipefail
src=${1:?usage: test-license.sh SRCDIR}
. "$(dirname -- "$0")/functions.sh"   # fail

grep -q '^BSD 3-Clause License$' "$src/LICENSE" || fail "LICENSE is not the BSD 3-Clause text"
grep -q "^license : 'BSD-3-Clause'\|license : 'BSD-3-Clause'" "$src/meson.build" ||
  fail "meson.build does not say license : 'BSD-3-Clause'"
grep -q '^License: BSD-3-Clause$' "$src/debian/copyright" ||
  fail "debian/copyright does not name BSD-3-Clause"

missing=()
checked=0
while IFS= read -r -d '' f; do
  checked=$((checked + 1))
  head -n 6 "$f" | grep -q 'SPDX-License-Identifier: BSD-3-Clause' &&
    head -n 7 "$f" | grep -q 'Copyright (C) [0-9]* The libaoe authors' ||
    missing+=("${f#"$src"/}")
done < <(find "$src" \( -name 'build*' -o -name '.git' -o -name 'obj-*' \
                        -o -path "$src/debian/*/*" -o -name bench-results \) -prune -o \
              -type f \( -name '*.c' -o -name '*.h' -o -name '*.py' -o -name '*.sh' \
                         -o -name '*.pod' -o -name '*.syms' -o -name 'meson.build' \
                         -o -name '*.ini' -o -name 'meson_options.txt' \
                         -o -path "$src/scripts/*" -o -path "$src/debian/rules" \
                         -o -name '*.service' -o -name '*.socket' \) -print0)
[ "$checked" -gt 100 ] || fail "only $checked source files found under $src"
[ ${#missing[@]} -eq 0 ] ||
  fail "no SPDX line and copyright notice at the top of: ${missing[*]}"
echo "test-license.sh: ok ($checked files)"
