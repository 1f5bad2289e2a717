/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl: one command for the libaoe tools, with subcommands.
 *
 *   aoectl COMMAND [ARGS...]        discover, stat, copy, config, mask,
 *                                   reserve (aoectl.h)
 *   aoectl help [COMMAND]           this help, or COMMAND's
 *   aoectl --help | --version
 *
 * One program rather than one per task, so that nothing we install can
 * clash with another package's tools (Debian's aoetools, for the kernel
 * driver, has commands of the names our tools had: README, Tools).  This
 * file is only the dispatcher: a table of subcommands, each with the line
 * --help shows, and the errors for a missing or unknown one (one line,
 * exit 2, like every usage error of the tools).  Built only on
 * <libaoe.h>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aoectl.h"
#include "tool-common.h"

/* The program's name: the start of messages and of --version. */
#define PROGRAM "aoectl"

/* One subcommand: its name, its entry point and what it is for. */
struct subcommand {
  const char *name;                     /* argv[1] */
  int (*main) (int argc, char **argv);  /* called with argv[0] = name */
  const char *summary;                  /* one line for --help */
};

static int help_main (int argc, char **argv);

/* Every subcommand, in the order --help lists them. */
static const struct subcommand subcommands[] = {
  { "discover", aoectl_discover_main,
    "list the targets that answer on some interfaces" },
  { "stat", aoectl_stat_main,
    "show live figures of one target (window, RTT, retransmits...)" },
  { "copy", aoectl_copy_main,
    "copy a target, or a range of it, to or from a file" },
  { "config", aoectl_config_main,
    "read, test or set a target's config string" },
  { "mask", aoectl_mask_main, "read or edit a target's MAC mask list" },
  { "reserve", aoectl_reserve_main,
    "read, set or release a target's reservation" },
  { "help", help_main, "print this help, or a command's: help COMMAND" },
};

/* Number of entries in subcommands. */
#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

/* Print aoectl's own usage text (the table of subcommands) to fp. */
static void
usage (FILE *fp)
{
  size_t i;

  fprintf (fp,
           "Usage: %s COMMAND [ARGS...]\n"
           "       %s help [COMMAND]\n"
           "       %s --help | --version\n"
           "Find, watch, copy and administer ATA-over-Ethernet targets from user\n"
           "space, through libaoe (no aoe kernel module needed).\n"
           "\n"
           "Commands:\n", PROGRAM, PROGRAM, PROGRAM);
  for (i = 0; i < N_SUBCOMMANDS; i++)
    fprintf (fp, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf (fp,
           "\n"
           "Every command but help takes -i IFACE (repeat it for several paths);\n"
           "options may come before or after the target, and '--' ends them.\n"
           "Targets are named as the kernel driver names them: e0.1 is shelf 0,\n"
           "slot 1.  The commands need CAP_NET_RAW (root).  '%s help COMMAND'\n"
           "or '%s COMMAND --help' describes one.\n"
           "\n"
           "Exit status: 0 success, 1 the operation failed (or found nothing,\n"
           "or did not match), 2 usage or setup error; each command's help says\n"
           "what exactly.\n", PROGRAM, PROGRAM);
}

/* The subcommand called name, or a usage error (one line, exit 2). */
static const struct subcommand *
find_subcommand (const char *name)
{
  size_t i;

  for (i = 0; i < N_SUBCOMMANDS; i++)
    if (strcmp (subcommands[i].name, name) == 0)
      return &subcommands[i];
  tool_usage_error ("unknown command '%s'", name);
}

/* Run subcommand sc on argv[0..argc-1] (argv[0] its name), its messages
 * starting "aoectl NAME: "; its exit status. */
static int
run (const struct subcommand *sc, int argc, char **argv)
{
  if (sc->main != help_main)
    tool_init (PROGRAM, sc->name);
  return sc->main (argc, argv);
}

/* aoectl help [COMMAND]: this usage text (also for help --help, as the
 * usage promises COMMAND --help for every command), or COMMAND's (by
 * running it with --help, so there is one help text per command). */
static int
help_main (int argc, char **argv)
{
  char *help_argv[] = { NULL, (char *) "--help", NULL };
  const struct subcommand *sc;

  if (argc > 2)
    tool_usage_error ("help takes one command at most, got '%s'", argv[2]);
  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0) {
    usage (stdout);
    return tool_finish (TOOL_EXIT_OK);
  }
  sc = find_subcommand (argv[1]);
  if (sc->main == help_main)
    return help_main (1, argv);
  help_argv[0] = (char *) sc->name;
  return run (sc, 2, help_argv);
}

/* aoectl's own options (--help, --version), else the subcommand. */
int
main (int argc, char **argv)
{
  const char *arg;

  tool_init (PROGRAM, NULL);
  if (argc < 2)
    tool_usage_error ("no command given");
  arg = argv[1];
  if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
    usage (stdout);
    return tool_finish (TOOL_EXIT_OK);
  }
  if (strcmp (arg, "--version") == 0 || strcmp (arg, "-V") == 0) {
    tool_print_version ();
    return tool_finish (TOOL_EXIT_OK);
  }
  if (arg[0] == '-')
    tool_usage_error ("unknown option '%s': options go after the command",
                      arg);
  return run (find_subcommand (arg), argc - 1, argv + 1);
}
