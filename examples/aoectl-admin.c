/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl config, aoectl mask, aoectl reserve: read and change an AoE
 * target's config string, MAC mask list and reservation.
 *
 *   aoectl config read|test|test-prefix|set|force-set TARGET [STRING]
 *   aoectl mask read|add|delete TARGET [MAC...]
 *   aoectl reserve read|set|force-set|release|force-release TARGET [MAC...]
 *
 * (each with -i IFACE, and --json for read, before or after the rest:
 * GNU getopt permutes; '--' ends the options).  Connects to the target
 * through every -i interface and sends one administration request
 * (libaoe's aoe_config_*, aoe_mask_*, aoe_reserve_*).  One table of
 * actions serves the parsing, the messages and --help of all three
 * groups.  Everything on the command line is checked before anything is
 * sent.  Exit status: 0 success (config test: it matches), 1 the target
 * refused or did not answer (config test: it does not match), 2 usage or
 * setup error.  Built only on <libaoe.h>.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaoe.h>

#include "aoectl.h"
#include "tool-common.h"

/* Most MACs one command line may name. */
#define MAX_MACS 64

/* What an action does with the target. */
enum action {
  CONFIG_READ, CONFIG_TEST, CONFIG_TEST_PREFIX, CONFIG_SET, CONFIG_FORCE_SET,
  MASK_READ, MASK_ADD, MASK_DELETE,
  RESERVE_READ, RESERVE_SET, RESERVE_FORCE_SET, RESERVE_RELEASE,
  RESERVE_FORCE_RELEASE,
};

/* What its arguments after the target are. */
enum arguments {
  ARGS_NONE,         /* nothing */
  ARGS_STRING,       /* exactly one string */
  ARGS_MACS,         /* one MAC or more */
  ARGS_MACS_OPTIONAL, /* MACs, or none for this initiator's */
};

/* One action of a group: how it is named, parsed and described. */
struct command {
  const char *group;     /* "config", "mask" or "reserve" */
  const char *verb;      /* "read", "set", ... */
  enum action action;    /* what it does */
  enum arguments args;   /* what follows the target */
  const char *help;      /* for --help; '\n' continues on the next line */
};

/* Every action, in the order --help lists them. */
static const struct command commands[] = {
  { "config", "read", CONFIG_READ, ARGS_NONE, "print the config string" },
  { "config", "test", CONFIG_TEST, ARGS_STRING,
    "exit 0 if it is STRING, 1 if not" },
  { "config", "test-prefix", CONFIG_TEST_PREFIX, ARGS_STRING,
    "exit 0 if it starts with STRING, 1 if not" },
  { "config", "set", CONFIG_SET, ARGS_STRING,
    "set it, unless it is set to something else\n"
    "(a STRING starting with '-' goes after '--')" },
  { "config", "force-set", CONFIG_FORCE_SET, ARGS_STRING,
    "set it whatever it was" },
  { "mask", "read", MASK_READ, ARGS_NONE,
    "print the MAC mask list, one MAC a line" },
  { "mask", "add", MASK_ADD, ARGS_MACS,
    "add MACs (only listed initiators get in:\n"
    "include your own, see reserve read)" },
  { "mask", "delete", MASK_DELETE, ARGS_MACS, "delete MACs" },
  { "reserve", "read", RESERVE_READ, ARGS_NONE,
    "print the reserve list, one MAC a line" },
  { "reserve", "set", RESERVE_SET, ARGS_MACS_OPTIONAL,
    "reserve for MACs (default: this initiator's\n"
    "MACs on the -i interfaces), unless another\n"
    "initiator holds the reservation" },
  { "reserve", "force-set", RESERVE_FORCE_SET, ARGS_MACS_OPTIONAL,
    "the same, whoever holds it" },
  { "reserve", "release", RESERVE_RELEASE, ARGS_NONE,
    "release our reservation" },
  { "reserve", "force-release", RESERVE_FORCE_RELEASE, ARGS_NONE,
    "release it, whoever holds it" },
};

/* Number of entries in commands. */
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* What a group is about, for its --help. */
struct group {
  const char *name;      /* "config", "mask" or "reserve" */
  const char *about;     /* the lines after "Usage:" */
  const char *notes;     /* printed after the actions */
  const char *exit_status; /* the "Exit status:" paragraph */
};

/* The three groups. */
static const struct group groups[] = {
  { "config",
    "Read, test or set the config string of an ATA-over-Ethernet target\n"
    "(the string it answers Query Config with, at most 1024 bytes).\n",
    "For example: aoectl config set -i eth0 e0.1 -- -rack-3\n",
    "Exit status: 0 success (test: it matches), 1 the target refused or did\n"
    "not answer (test: it does not match), 2 usage or setup error (bad\n"
    "arguments, unknown interface, target not found, no CAP_NET_RAW).\n" },
  { "mask",
    "Read or change the MAC mask list of an ATA-over-Ethernet target: the\n"
    "initiators it answers at all (an empty list: every initiator).\n",
    "MACs are written aa:bb:cc:dd:ee:ff.  vblade 25's mask edits are broken\n"
    "(its list corrupts itself); mask read and vblade -m are safe.\n",
    "Exit status: 0 success, 1 the target refused or did not answer, 2 usage\n"
    "or setup error (bad arguments, unknown interface, target not found, no\n"
    "CAP_NET_RAW).\n" },
  { "reserve",
    "Read, set or release the reservation of an ATA-over-Ethernet target:\n"
    "the initiators whose reads and writes it accepts (an empty list: every\n"
    "initiator).\n",
    "MACs are written aa:bb:cc:dd:ee:ff.\n",
    "Exit status: 0 success, 1 the target refused (reserved by another\n"
    "initiator) or did not answer, 2 usage or setup error (bad arguments,\n"
    "unknown interface, target not found, no CAP_NET_RAW).\n" },
};

/* What the command line asked for. */
struct options {
  struct tool_ifaces ifaces;     /* -i arguments */
  struct tool_target target;     /* eSHELF.SLOT */
  const struct command *command; /* the action */
  const char *string;            /* its string (ARGS_STRING) */
  uint8_t macs[MAX_MACS][6];     /* its MACs (ARGS_MACS*) */
  size_t nmacs;                  /* how many */
  bool json;                     /* --json (the read actions) */
};

/* The group being run (set by admin_main, read by usage, which
 * tool_next_option calls with the stream only). */
static const struct group *current_group;

/* What follows the target for c, as --help shows it. */
static const char *
args_synopsis (const struct command *c)
{
  switch (c->args) {
  case ARGS_STRING: return " STRING";
  case ARGS_MACS: return " MAC...";
  case ARGS_MACS_OPTIONAL: return " [MAC...]";
  default: return "";
  }
}

/* Write the verbs of group g into buf as "read, test or set" (for
 * messages that list what is possible). */
static void
list_verbs (const char *g, char *buf, size_t size)
{
  size_t i, n = 0, seen = 0, len = 0;

  for (i = 0; i < N_COMMANDS; i++)
    n += strcmp (commands[i].group, g) == 0;
  buf[0] = '\0';
  for (i = 0; i < N_COMMANDS && len < size; i++) {
    if (strcmp (commands[i].group, g) != 0)
      continue;
    seen++;
    len += (size_t) snprintf (buf + len, size - len, "%s%s",
                              seen == 1 ? "" : seen == n ? " or " : ", ",
                              commands[i].verb);
  }
}

/* Print the usage text of the current group to FP: the actions come from
 * the table, so that the help and the parser cannot disagree. */
static void
usage (FILE *fp)
{
  const struct group *g = current_group;
  size_t i, column = 0;
  char left[64];
  const char *h;

  for (i = 0; i < N_COMMANDS; i++)
    if (strcmp (commands[i].group, g->name) == 0) {
      size_t w = strlen (commands[i].verb) + strlen (args_synopsis (&commands[i]));

      if (w > column)
        column = w;
    }
  fprintf (fp, "Usage: %s ACTION -i IFACE [-i IFACE...] eSHELF.SLOT [ARGS]\n%s\n"
           "Actions (their ARGS follow the target):\n", tool_progname, g->about);
  for (i = 0; i < N_COMMANDS; i++) {
    if (strcmp (commands[i].group, g->name) != 0)
      continue;
    snprintf (left, sizeof left, "%s%s", commands[i].verb,
              args_synopsis (&commands[i]));
    fprintf (fp, "  %-*s  ", (int) column, left);
    for (h = commands[i].help; *h; h++) {
      fputc (*h, fp);
      if (*h == '\n')
        fprintf (fp, "  %-*s  ", (int) column, "");
    }
    fputc ('\n', fp);
  }
  fprintf (fp,
           "%s"
           "\n"
           "Options may come before or after the target.  Targets are named like\n"
           "the kernel driver names them: e0.1 is shelf 0, slot 1.\n"
           "\n"
           "  -i, --interface IFACE  interface to reach the target (repeat for several)\n"
           "                         -i all: every interface up with Ethernet\n"
           "  -j, --json             read: print one JSON object, {\"target\": ...,\n"
           "                         \"%s\": ...}, instead of text\n"
           "  -h, --help             print this help and exit\n"
           "  -V, --version          print the version and exit\n"
           "\n"
           "%s", g->notes, g->name, g->exit_status);
}

/* The action verb of the current group, or a usage error. */
static const struct command *
find_command (const char *verb)
{
  const char *g = current_group->name;
  char verbs[128];
  size_t i;

  for (i = 0; i < N_COMMANDS; i++)
    if (strcmp (commands[i].group, g) == 0
        && strcmp (commands[i].verb, verb) == 0)
      return &commands[i];
  list_verbs (g, verbs, sizeof verbs);
  if (tool_looks_like_target (verb))
    tool_usage_error ("'%s' is a target: the action comes first, as in "
                      "'aoectl %s read %s'", verb, g, verb);
  tool_usage_error ("unknown action '%s %s': expected %s", g, verb, verbs);
}

/* Parse the arguments of the action (args[0..n-1]) into opts. */
static void
parse_command_args (struct options *opts, char **args, size_t n)
{
  const struct command *c = opts->command;
  size_t i;

  switch (c->args) {
  case ARGS_NONE:
    if (n > 0)
      tool_usage_error ("'%s %s' takes no argument, got '%s'", c->group,
                        c->verb, args[0]);
    break;
  case ARGS_STRING:
    if (n != 1)
      tool_usage_error ("'%s %s' takes exactly one string", c->group,
                        c->verb);
    if (strlen (args[0]) > AOE_CONFIG_MAX)
      tool_usage_error ("the config string is %zu bytes, at most %d",
                        strlen (args[0]), AOE_CONFIG_MAX);
    opts->string = args[0];
    break;
  case ARGS_MACS:
  case ARGS_MACS_OPTIONAL:
    if (n == 0 && c->args == ARGS_MACS)
      tool_usage_error ("'%s %s' needs at least one MAC", c->group, c->verb);
    if (n > MAX_MACS)
      tool_usage_error ("too many MACs (at most %d)", MAX_MACS);
    for (i = 0; i < n; i++)
      tool_parse_mac (c->verb, args[i], opts->macs[i]);
    opts->nmacs = n;
    break;
  }
}

/* Fill OPTS from the command line: options anywhere (GNU getopt
 * permutes them to the front), then ACTION TARGET [ARGS]. */
static void
parse_options (int argc, char **argv, struct options *opts)
{
  static const struct option long_options[] = {
    { "json", no_argument, NULL, 'j' },
    TOOL_COMMON_LONG_OPTIONS,
  };
  char verbs[128];

  memset (opts, 0, sizeof *opts);
  while (tool_next_option (argc, argv, "j", long_options, &opts->ifaces,
                           usage) != -1)
    opts->json = true;   /* 'j', the only other option */
  if (optind >= argc) {
    list_verbs (current_group->name, verbs, sizeof verbs);
    tool_usage_error ("no action given: expected %s", verbs);
  }
  opts->command = find_command (argv[optind++]);
  if (optind >= argc)
    tool_usage_error ("no target given (eSHELF.SLOT, like e0.1)");
  tool_parse_target (argv[optind++], &opts->target);
  parse_command_args (opts, argv + optind, (size_t) (argc - optind));
  if (opts->json && strcmp (opts->command->verb, "read") != 0)
    tool_usage_error ("--json is for '%s read': '%s %s' prints nothing",
                      opts->command->group, opts->command->group,
                      opts->command->verb);
  tool_need_ifaces (&opts->ifaces);
}

/* Print a list of n MACs (of which macs holds up to max): one a line,
 * or with --json as {"target": NAME, "mask"|"reserve": [MAC, ...]}. */
static void
print_macs (const struct options *opts, const uint8_t (*macs)[6], int n,
            size_t max)
{
  char text[18];
  int i;

  if (opts->json)
    printf ("{\"target\": \"%s\", \"%s\": [", opts->target.name,
            opts->command->group);
  for (i = 0; i < n && (size_t) i < max; i++) {
    tool_format_mac (macs[i], text);
    if (opts->json)
      printf ("%s\"%s\"", i ? ", " : "", text);
    else
      printf ("%s\n", text);
  }
  if (opts->json)
    printf ("]}\n");
}

/* Print the config string: as it is (escaped where needed) on one line,
 * or with --json as {"target": NAME, "config": STRING}. */
static void
print_config (const struct options *opts, const char *config)
{
  if (opts->json) {
    printf ("{\"target\": \"%s\", \"config\": ", opts->target.name);
    tool_print_json_string (stdout, config);
    printf ("}\n");
  }
  else {
    tool_print_text_string (stdout, config);
    printf ("\n");
  }
}

/* Replace an empty MAC list by this initiator's MACs on every interface
 * the handle uses (-i all may stand for several). */
static void
default_to_own_macs (aoe_handle *h, struct options *opts)
{
  struct aoe_info info;
  size_t i;

  if (opts->nmacs > 0)
    return;
  if (aoe_get_info (h, &info, sizeof info) == -1)
    tool_library_error (TOOL_EXIT_USAGE);
  for (i = 0; i < info.ninterfaces && i < MAX_MACS; i++)
    if (aoe_get_interface_mac (h, (unsigned) i, opts->macs[i]) == -1)
      tool_library_error (TOOL_EXIT_USAGE);
  opts->nmacs = i;
}

/* Run a config test (prefix: test-prefix): exit status 0 match, 1 not. */
static int
config_test (aoe_handle *h, const struct options *opts, bool prefix)
{
  int r = prefix ? aoe_config_test_prefix (h, opts->string)
    : aoe_config_test (h, opts->string);

  if (r == -1)
    tool_library_error (TOOL_EXIT_FAILED);
  if (r == 0) {
    fprintf (stderr, "%s: %s: the config string does not %s \"",
             tool_progname, opts->target.name,
             prefix ? "start with" : "match");
    tool_print_text_string (stderr, opts->string);
    fprintf (stderr, "\"\n");
    return TOOL_EXIT_FAILED;
  }
  return TOOL_EXIT_OK;
}

/* Carry out the command on the connected handle; the exit status. */
static int
run (aoe_handle *h, struct options *opts)
{
  static uint8_t list[AOE_MAX_LIST_MACS][6];
  const uint8_t (*macs)[6] = (const uint8_t (*)[6]) opts->macs;
  char config[AOE_CONFIG_MAX + 1];
  int r = 0;

  switch (opts->command->action) {
  case CONFIG_READ:
    r = aoe_config_read (h, config, sizeof config);
    if (r >= 0)
      print_config (opts, config);
    break;
  case CONFIG_TEST:
    return config_test (h, opts, false);
  case CONFIG_TEST_PREFIX:
    return config_test (h, opts, true);
  case CONFIG_SET:
    r = aoe_config_set (h, opts->string);
    break;
  case CONFIG_FORCE_SET:
    r = aoe_config_force_set (h, opts->string);
    break;
  case MASK_READ:
  case RESERVE_READ:
    r = opts->command->action == MASK_READ
      ? aoe_mask_read (h, list, AOE_MAX_LIST_MACS)
      : aoe_reserve_read (h, list, AOE_MAX_LIST_MACS);
    if (r >= 0)
      print_macs (opts, (const uint8_t (*)[6]) list, r, AOE_MAX_LIST_MACS);
    break;
  case MASK_ADD:
    r = aoe_mask_add (h, macs, opts->nmacs);
    break;
  case MASK_DELETE:
    r = aoe_mask_delete (h, macs, opts->nmacs);
    break;
  case RESERVE_SET:
    default_to_own_macs (h, opts);
    r = aoe_reserve_set (h, macs, opts->nmacs);
    break;
  case RESERVE_FORCE_SET:
    default_to_own_macs (h, opts);
    r = aoe_reserve_force_set (h, macs, opts->nmacs);
    break;
  case RESERVE_RELEASE:
    r = aoe_reserve_release (h);
    break;
  case RESERVE_FORCE_RELEASE:
    r = aoe_reserve_force_set (h, NULL, 0);
    break;
  }
  if (r == -1)
    tool_library_error (TOOL_EXIT_FAILED);
  return TOOL_EXIT_OK;
}

/* The common body of aoectl config, mask and reserve: parse the action
 * of group name, connect, send the request. */
static int
admin_main (const char *name, int argc, char **argv)
{
  struct options opts;
  aoe_handle *h;
  size_t i;
  int status;

  for (i = 0; strcmp (groups[i].name, name) != 0; i++)
    ;
  current_group = &groups[i];
  parse_options (argc, argv, &opts);
  h = tool_connect (&opts.ifaces, &opts.target);
  status = run (h, &opts);
  aoe_close (h);
  return tool_finish (status);
}

/* aoectl config (see aoectl.h). */
int
aoectl_config_main (int argc, char **argv)
{
  return admin_main ("config", argc, argv);
}

/* aoectl mask (see aoectl.h). */
int
aoectl_mask_main (int argc, char **argv)
{
  return admin_main ("mask", argc, argv);
}

/* aoectl reserve (see aoectl.h). */
int
aoectl_reserve_main (int argc, char **argv)
{
  return admin_main ("reserve", argc, argv);
}
