/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The subcommands of aoectl (examples/aoectl.c dispatches to them).
 *
 * Each entry point gets the command line from its subcommand's name on,
 * argv[0] = "discover", "copy", ..., so that it parses its options with
 * getopt_long as a program of its own would; tool_init has been called
 * with its name, so its messages start "aoectl NAME: ".  Each returns
 * the exit status (TOOL_EXIT_OK, TOOL_EXIT_FAILED, TOOL_EXIT_USAGE; see
 * its --help), or exits with it on an error.
 */
#ifndef AOE_AOECTL_H
#define AOE_AOECTL_H

/* aoectl discover: broadcast Query Config on the -i interfaces and list
 * the targets that answer, with what IDENTIFY says (aoectl-discover.c). */
int aoectl_discover_main (int argc, char **argv);

/* aoectl stat: libaoe's live figures for one target, one probe read per
 * sample (aoectl-stat.c). */
int aoectl_stat_main (int argc, char **argv);

/* aoectl copy: a target, or a range of it, to or from a file, a block
 * device or a pipe, with aio commands in flight (aoectl-copy.c). */
int aoectl_copy_main (int argc, char **argv);

/* aoectl config: read, test or set the target's config string
 * (aoectl-admin.c). */
int aoectl_config_main (int argc, char **argv);

/* aoectl mask: read or edit the target's MAC mask list (aoectl-admin.c). */
int aoectl_mask_main (int argc, char **argv);

/* aoectl reserve: read, set or release the target's reservation
 * (aoectl-admin.c). */
int aoectl_reserve_main (int argc, char **argv);

#endif /* AOE_AOECTL_H */
