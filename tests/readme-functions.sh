# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/readme-functions.sh: README.md's board guide as the tests run it
# (tests/test-readme-board.sh on the host, tests/test-board-fs.sh on the
# emulated board), read from README.md, never copied.
#
#   readme_block MARKER      the ```sh block after the README line holding
#                            MARKER ("board recipe: serve", "... stop")
#   readme_variant MODE      stdin's lines for MODE: nbd (the nbd module
#                            and nbd-client) or nbdfuse; a comment line
#                            "# with the nbd module" starts the nbd lines,
#                            "# or" the nbdfuse lines, "# then" the lines
#                            both run again

# readme_block MARKER: see above.
readme_block ()
{
  awk -v marker="$1" '
    index($0, marker) { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$AOE_SRCDIR/README.md"
}

# readme_variant MODE: see above.
readme_variant ()
{
  awk -v mode="$1" '
    /^# with the nbd module/ { section = "nbd" }
    /^# or/ { section = "nbdfuse" }
    /^# then/ { section = "" }
    section == "" || section == mode { print }'
}
