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
# 3. aoectl(1), examples/aoectl.pod, has a "=head2 aoectl NAME" section
#    and a SYNOPSIS line for every subcommand of the dispatcher table of
#    examples/aoectl.c; each long option of a subcommand (its option
#    table, and the --xxx of its help text and messages) is named in its
#    section and has an "=item" there or in COMMON OPTIONS (the options
#    every tool shares, TOOL_COMMON_LONG_OPTIONS of tool-common.h: there)
#    that gives its short letter too; every action of config, mask and
#    reserve has an "=item B<GROUP VERB>"; and a section documents no
#    option that its subcommand lacks.  aoe-bench(1) likewise: every
#    option of examples/aoe-bench.c an "=item" of its OPTIONS, and no
#    other.
# 4. man(1) renders every generated PAGE (the man_pages of meson.build)
#    with no groff warning.
# Needs podchecker (perl), and man(1) (man-db) for 4; without them it
# skips (exit 77) after the checks it could make, or fails under
# CI=true.  Exit 1 on the first failing check, after listing every
# problem of that check.
set -euo pipefail

src=${AOE_SRCDIR:?AOE_SRCDIR must name the source tree}
pod=$src/lib/libaoe.pod
syms=$src/lib/libaoe.syms
header=$src/include/libaoe.h
example=$src/tests/man-example.c
aoectl_pod=$src/examples/aoectl.pod
aoectl_c=$src/examples/aoectl.c
tool_common_h=$src/examples/tool-common.h
bench_pod=$src/examples/aoe-bench.pod
bench_c=$src/examples/aoe-bench.c

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

# ---- 3. aoectl(1) and aoe-bench(1) against the programs' code ----
# The lines of POD's section HEADING (a whole "=headN TITLE" line), up to
# the next heading of level N or above.
pod_section ()
{
  awk -v heading="$2" '
    in_section && /^=head[1-4] / && substr ($1, 6) + 0 <= level { exit }
    in_section { print }
    $0 == heading { in_section = 1; level = substr ($1, 6) + 0 }' "$1"
}
# The long options of the C source FILE, "NAME LETTER" a line (LETTER
# "-" if it has none, "?" if only its text names it): the entries of
# its struct option tables, then every --NAME in its string literals
# (help text, messages; escaped quotes taken out first).
long_options ()
{
  sed -n 's/^[[:space:]]*{ "\([a-z][a-z-]*\)", [a-z]*_argument, NULL, \([^ }]*\) }.*/\1 \2/p' "$1" |
    sed "s/ '\\(.\\)'\$/ \\1/; / [^ ]\\{2,\\}\$/s/ [^ ]*\$/ -/"
  sed 's/\\"//g' "$1" | grep -o '"[^"]*"' | grep -o -- '--[a-z][a-z-]*' |
    sed 's/^--//; s/$/ ?/'
}
# The long options (NAME) of the "=item" lines of pod text on stdin.
item_options ()
{
  grep '^=item ' | grep -o 'B<--[a-z][a-z-]*>' | sed 's/^B<--//; s/>$//'
}
# check_options WHAT SECTION ITEMS COMMON FILE [OTHER...]: every long
# option of FILE that COMMON (names, one a line) lacks is named
# (B<--NAME>) in SECTION and has an "=item" in ITEMS (pod text: SECTION,
# or SECTION and COMMON OPTIONS) with its letter (B<-L>); every "=item"
# option of SECTION is one of FILE's, or an OTHER.  Problems are
# appended to missing; FILE's options are added to all_options.
declare -A all_options=()
check_options ()
{
  local what=$1 section=$2 items=$3 common=$4 file=$5 name letter item
  local -A known=()
  shift 5
  while read -r name letter; do
    all_options[$name]=1
    # A letter from a table wins over the "?" of a mere mention.
    if [ "${known[$name]:-?}" = '?' ]; then known[$name]=$letter; fi
  done < <(long_options "$file")
  for name in "${!known[@]}"; do
    grep -qx -- "$name" <<<"$common" && continue
    letter=${known[$name]}
    grep -qF -- "B<--$name>" <<<"$section" ||
      { missing+=("$what: --$name"); continue; }
    item=$(grep '^=item ' <<<"$items" | grep -F -- "B<--$name>" | head -n 1)
    if [ -z "$item" ]; then
      missing+=("$what: =item for --$name")
    elif [ "$letter" != - ] && [ "$letter" != '?' ] &&
         ! grep -qF -- "B<-$letter>" <<<"$item"; then
      missing+=("$what: B<-$letter> in the =item of --$name")
    fi
  done
  while read -r name; do
    [ -n "${known[$name]:-}" ] || [[ " $* " == *" $name "* ]] ||
      missing+=("$what: --$name is no option of $(basename "$file")")
  done < <(item_options <<<"$section")
}
for f in "$aoectl_pod" "$bench_pod"; do
  [ -f "$f" ] || fail "$f: missing"
done
common=$(long_options "$tool_common_h" | awk '$2 != "?" { print $1 }')
[ -n "$common" ] || fail "no option in TOOL_COMMON_LONG_OPTIONS of $tool_common_h"
common_section=$(pod_section "$aoectl_pod" "=head1 COMMON OPTIONS")
synopsis=$(pod_section "$aoectl_pod" "=head1 SYNOPSIS")
missing=()
mapfile -t subcommands < <(sed -n '/subcommands\[\] = {/,/^};/s/^[[:space:]]*{ "\([a-z][a-z-]*\)", \([a-z_]*\),.*/\1 \2/p' "$aoectl_c")
[ ${#subcommands[@]} -gt 0 ] || fail "no subcommand found in $aoectl_c"
for entry in "${subcommands[@]}"; do
  read -r name main <<<"$entry"
  file=$(grep -l "^$main (" "$src"/examples/aoectl*.c | head -n 1)
  [ -n "$file" ] || fail "no examples/aoectl*.c defines $main (aoectl $name)"
  section=$(pod_section "$aoectl_pod" "=head2 aoectl $name")
  if [ -z "$section" ]; then
    missing+=("a section =head2 aoectl $name")
    continue
  fi
  grep -q "^ aoectl $name\\>" <<<"$synopsis" ||
    missing+=("SYNOPSIS: aoectl $name")
  check_options "aoectl $name" "$section" "$section"$'\n'"$common_section" \
    "$common" "$file"
  while read -r verb; do
    grep -qF -- "=item B<$name $verb>" <<<"$section" ||
      missing+=("aoectl $name: =item B<$name $verb>")
  done < <(sed -n "s/^[[:space:]]*{ \"$name\", \"\\([a-z][a-z-]*\\)\",.*/\\1/p" "$file")
done
# The options every tool shares, with their letters, in COMMON OPTIONS,
# and there none that no subcommand has.
check_options "COMMON OPTIONS" "$common_section" "$common_section" "" \
  "$tool_common_h" "${!all_options[@]}"
[ ${#missing[@]} -eq 0 ] ||
  fail "examples/aoectl.pod lacks (or has more than the code): $(printf '%s; ' "${missing[@]}")"
bench_section=$(pod_section "$bench_pod" "=head1 OPTIONS")
check_options "aoe-bench OPTIONS" "$bench_section" "$bench_section" "" "$bench_c"
[ ${#missing[@]} -eq 0 ] ||
  fail "examples/aoe-bench.pod lacks (or has more than the code): $(printf '%s; ' "${missing[@]}")"
echo "test-man-pages: aoectl(1): ${#subcommands[@]} subcommands, their options and actions OK; aoe-bench(1): options OK"

# ---- 4. man renders every generated page without a warning ----
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
