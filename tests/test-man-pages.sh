#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-man-pages.sh: the man pages.
#
#   AOE_SRCDIR=SRC test-man-pages.sh [PAGE...]
#
# 1. podchecker passes every *.pod of the source tree (found, so a new
#    page is covered without a change here) with no error and no
#    warning, and a meson.build names each (so that it is built).
# 2. libaoe(3), lib/libaoe.pod, lists every function of lib/libaoe.syms
#    (an "=item B<aoe_...>" of its FUNCTIONS), names no aoe_* or AOE_*
#    identifier that include/libaoe.h does not declare, and its EXAMPLE
#    is tests/man-example.c (built with the tests) verbatim.
# 3. man(1) renders every generated PAGE (the man_pages of meson.build)
#    with no groff warning.
# Needs podchecker (perl), and man(1) (man-db) for 3; without them it
# skips (exit 77) after the checks it could make, or fails under
# CI=true.  Exit 1 on the first failing check, after listing every
# problem of that check.
set -euo pipefail

src=${AOE_SRCDIR:?AOE_SRCDIR must name the source tree}
pod=$src/lib/libaoe.pod
syms=$src/lib/libaoe.syms
header=$src/include/libaoe.h
example=$src/tests/man-example.c
. "$src/tests/functions.sh"   # fail

# Skip (exit 77) because of MESSAGE, or fail under CI=true: CI must run
# every check.
skip ()
{
  [ "${CI:-}" != true ] || fail "CI=true forbids skipping: $*"
  echo "test-man-pages: SKIP: $*" >&2
  exit 77
}

command -v podchecker >/dev/null 2>&1 || skip "podchecker not found (perl)"

# ---- 1. podchecker on every *.pod (not in .git or build directories) ----
# The files of the source tree called NAME (a find pattern).
source_files ()
{
  find "$src" \( -name .git -o -type d -exec test -e '{}/meson-private' \; \) \
    -prune -o -name "$1" -print | sort
}
mapfile -t pods < <(source_files '*.pod')
[ ${#pods[@]} -gt 0 ] || fail "no *.pod file under $src"
mapfile -t meson_files < <(source_files meson.build)
unbuilt=()
for p in "${pods[@]}"; do
  grep -qF -- "'$(basename "$p")'" "${meson_files[@]}" || unbuilt+=("$p")
done
[ ${#unbuilt[@]} -eq 0 ] ||
  fail "no meson.build builds: ${unbuilt[*]} (see man_pages in meson.build)"
bad=0
for p in "${pods[@]}"; do
  # podchecker exits 0 with warnings: any line but "pod syntax OK" fails.
  out=$(podchecker -warnings -warnings "$p" 2>&1) || true
  if [ "$out" != "$p pod syntax OK." ]; then
    echo "$out" >&2
    bad=1
  fi
done
[ $bad -eq 0 ] || fail "podchecker found problems (above)"
echo "test-man-pages: podchecker: ${#pods[@]} page(s) OK"

# ---- 2. libaoe(3) against the ABI, the header and the example ----
mapfile -t functions < <(sed -n 's/^[[:space:]]*\(aoe_[a-z0-9_]*\);.*/\1/p' "$syms")
[ ${#functions[@]} -gt 0 ] || fail "no function found in $syms"
missing=()
for f in "${functions[@]}"; do
  grep -q -- "^=item B<$f>" "$pod" || missing+=("$f")
done
[ ${#missing[@]} -eq 0 ] ||
  fail "the FUNCTIONS of lib/libaoe.pod lack (=item B<NAME> ...): ${missing[*]}"
unknown=()
while read -r ident; do
  case $ident in
    *_) grep -q -- "\\<$ident" "$header" || unknown+=("$ident*") ;;
    *) grep -qw -- "$ident" "$header" || unknown+=("$ident") ;;
  esac
done < <(grep -o '\<\(aoe\|AOE\)_[A-Za-z0-9_]*' "$pod" | sort -u)
[ ${#unknown[@]} -eq 0 ] ||
  fail "lib/libaoe.pod names what include/libaoe.h does not declare: ${unknown[*]}"
# The verbatim lines of the EXAMPLE section, one leading space off (the
# blank lines between them kept), against the program after its leading
# comment.
diff -u <(sed '1,/\*\//d' "$example") \
        <(awk '/^=head1 / { in_example = $2 == "EXAMPLE"; next }
               in_example && /^ / { for (; blanks > 0; blanks--) print "";
                                    print substr ($0, 2); started = 1 }
               in_example && started && /^$/ { blanks++ }' "$pod") ||
  fail "the EXAMPLE of lib/libaoe.pod differs from tests/man-example.c (diff above)"
echo "test-man-pages: libaoe(3): ${#functions[@]} functions, header names and example OK"

# ---- 3. man renders every generated page without a warning ----
[ $# -gt 0 ] || skip "no generated page (pod2man not found?): rendering not checked"
# A package build (dh_auto_test) may have perl but no man-db.
command -v man >/dev/null 2>&1 ||
  skip "man not found (man-db): rendering of the generated pages not checked"
for page in "$@"; do
  [ -s "$page" ] || fail "$page: missing or empty"
  # The width of a terminal man gets when there is none: 80 columns.
  # man-db's seccomp sandbox cannot start in some containers.
  if ! errors=$(LC_ALL=C.UTF-8 MANWIDTH=80 MAN_DISABLE_SECCOMP=1 \
                  man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null); then
    fail "man -l $page failed: $errors"
  fi
  [ -z "$errors" ] || fail "man -l $page warns: $errors"
  echo "test-man-pages: $(basename "$page") renders without a warning"
done
