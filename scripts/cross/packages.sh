# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# scripts/cross/packages.sh: a foreign architecture's Debian packages,
# downloaded and unpacked without installing them (no maintainer script
# runs, no multiarch version lock with the build machine's packages).
# Sourced by scripts/cross-check (the cross sysroots) and
# tests/vm/arm926.sh (the emulated board's root file system).
#
#   debs_closure ARCH PROVIDED PKG...   PKGs and, recursively, the first
#                                       alternative of each dependency,
#                                       minus the names in PROVIDED
#                                       (" a b c "), one a line, sorted
#   debs_unpack ARCH CACHE DIR PKG...   download PKGs of ARCH into CACHE
#                                       (kept: a .deb already there is not
#                                       fetched again) and unpack them
#                                       into DIR
# Both print errors on stderr and return non-zero on failure.

# debs_closure ARCH PROVIDED PKG...: see above.
debs_closure ()
{
  local arch=$1 provided=$2 pkg dep
  shift 2
  local -A seen=()
  local level=("$@") next
  while [ ${#level[@]} -gt 0 ]; do
    for pkg in "${level[@]}"; do
      seen[$pkg]=1
    done
    next=()
    while read -r dep; do
      case "$provided" in *" $dep "*) continue ;; esac
      [ -n "${seen[$dep]:-}" ] || next+=("$dep")
    done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts \
               --no-breaks --no-replaces --no-enhances "${level[@]/%/:$arch}" |
             awk '$1 ~ /^\|?(Pre)?Depends:$/ {
                    if (!later && $2 !~ /^</) { sub(/:.*$/, "", $2); print $2 }
                    later = ($1 ~ /^\|/)
                  }' | sort -u)
    level=("${next[@]}")
  done
  printf '%s\n' "${!seen[@]}" | sort
}

# _debs_files ARCH PKG...: the file names apt-get download gives PKGs of
# ARCH at their candidate versions (the epoch's colon is %3a), one a line.
_debs_files ()
{
  local arch=$1
  shift
  apt-cache show --no-all-versions "${@/%/:$arch}" |
    awk '/^Package: / { p = $2 } /^Version: / { v = $2 }
         /^Architecture: / { a = $2 }
         /^$/ && p != "" { gsub(/:/, "%3a", v); print p "_" v "_" a ".deb"; p = "" }
         END { if (p != "") { gsub(/:/, "%3a", v); print p "_" v "_" a ".deb" } }'
}

# debs_unpack ARCH CACHE DIR PKG...: see above.
debs_unpack ()
{
  local arch=$1 cache=$2 dir=$3 file pkg missing=() files
  shift 3
  mkdir -p "$cache" "$dir" || return 1
  mapfile -t files < <(_debs_files "$arch" "$@")
  [ ${#files[@]} -eq $# ] ||
    { echo "apt knows only ${#files[@]} of the $# packages: $*" >&2; return 1; }
  for file in "${files[@]}"; do
    [ -f "$cache/$file" ] || missing+=("${file%%_*}:$arch")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "${missing[@]}") ||
      { echo "apt-get download failed for: ${missing[*]}" >&2; return 1; }
  fi
  for file in "${files[@]}"; do
    dpkg-deb -x "$cache/$file" "$dir" ||
      { echo "cannot unpack $cache/$file" >&2; return 1; }
  done
}
