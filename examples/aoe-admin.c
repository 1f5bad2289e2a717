/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-admin: read and change an AoE target's config string, MAC mask
 * list and reservation.
 *
 *   aoe-admin -i IFACE [-i IFACE...] eSHELF.SLOT COMMAND [ARGS]
 *
 * Connects to the target (through every -i interface) and sends one
 * administration request to its first port (libaoe's aoe_config_*,
 * aoe_mask_*, aoe_reserve_*).  Everything on the command line is checked
 * before anything is sent.  Exit status: 0 success (config test: it
 * matches), 1 the target refused or did not answer (config test: it does
 * not match), 2 usage or setup error.  Built only on <libaoe.h>.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaoe.h>

#include "tool-common.h"

/* Most MACs one command line may name. */
#define MAX_MACS 64

/* What a command does with the target. */
enum action {
  CONFIG_READ, CONFIG_TEST, CONFIG_TEST_PREFIX, CONFIG_SET, CONFIG_FORCE_SET,
  MASK_READ, MASK_ADD, MASK_DELETE,
  RESERVE_READ, RESERVE_SET, RESERVE_FORCE_SET, RESERVE_RELEASE,
  RESERVE_FORCE_RELEASE,
};

/* What its arguments are. */
enum arguments {
  ARGS_NONE,         /* nothing */
  ARGS_STRING,       /* exactly one string */
  ARGS_MACS,         /* one MAC or more */
  ARGS_MACS_OPTIONAL, /* MACs, or none for this initiator's */
};

/* One command of the command line. */
struct command {
  const char *group;     /* "config", "mask" or "reserve" */
  const char *verb;      /* "read", "set", ... */
  enum action action;    /* what it does */
  enum arguments args;   /* what follows it */
};

/* Every command. */
static const struct command commands[] = {
  { "config", "read", CONFIG_READ, ARGS_NONE },
  { "config", "test", CONFIG_TEST, ARGS_STRING },
  { "config", "test-prefix", CONFIG_TEST_PREFIX, ARGS_STRING },
  { "config", "set", CONFIG_SET, ARGS_STRING },
  { "config", "force-set", CONFIG_FORCE_SET, ARGS_STRING },
  { "mask", "read", MASK_READ, ARGS_NONE },
  { "mask", "add", MASK_ADD, ARGS_MACS },
  { "mask", "delete", MASK_DELETE, ARGS_MACS },
  { "reserve", "read", RESERVE_READ, ARGS_NONE },
  { "reserve", "set", RESERVE_SET, ARGS_MACS_OPTIONAL },
  { "reserve", "force-set", RESERVE_FORCE_SET, ARGS_MACS_OPTIONAL },
  { "reserve", "release", RESERVE_RELEASE, ARGS_NONE },
  { "reserve", "force-release", RESERVE_FORCE_RELEASE, ARGS_NONE },
};

/* What the command line asked for. */
struct options {
  struct tool_ifaces ifaces;     /* -i arguments */
  struct tool_target target;     /* eSHELF.SLOT */
  const struct command *command; /* the command */
  const char *string;            /* its string (ARGS_STRING) */
  uint8_t macs[MAX_MACS][6];     /* its MACs (ARGS_MACS*) */
  size_t nmacs;                  /* how many */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s -i IFACE [-i IFACE...] eSHELF.SLOT COMMAND [ARGS]\n"
           "Read and change an ATA-over-Ethernet target's config string, MAC mask\n"
           "list and reservation.  Options go before the target.\n"
           "\n"
           "Commands:\n"
           "  config read                print the config string\n"
           "  config test STRING         exit 0 if it is STRING, 1 if not\n"
           "  config test-prefix STRING  exit 0 if it starts with STRING, 1 if not\n"
           "  config set STRING          set it, unless it is set to something else\n"
           "  config force-set STRING    set it whatever it was\n"
           "  mask read                  print the MAC mask list, one MAC a line\n"
           "  mask add MAC...            add MACs (only listed initiators get in:\n"
           "                             include your own, see reserve read)\n"
           "  mask delete MAC...         delete MACs\n"
           "  reserve read               print the reserve list, one MAC a line\n"
           "  reserve set [MAC...]       reserve for MACs (default: this initiator's\n"
           "                             MACs on the -i interfaces), unless another\n"
           "                             initiator holds the reservation\n"
           "  reserve force-set [MAC...] the same, whoever holds it\n"
           "  reserve release            release our reservation\n"
           "  reserve force-release      release it, whoever holds it\n"
           "MACs are written aa:bb:cc:dd:ee:ff.  Targets are named like the kernel\n"
           "driver names them: e0.1 is shelf 0, slot 1.\n"
           "\n"
           "  -i, --interface IFACE  interface to reach the target (repeat for several)\n"
           "  -h, --help             print this help and exit\n"
           "  -V, --version          print the version and exit\n"
           "\n"
           "Exit status: 0 success (config test: it matches), 1 the target refused\n"
           "or did not answer (config test: it does not match), 2 usage or setup\n"
           "error (bad arguments, unknown interface, target not found, no CAP_NET_RAW).\n",
           tool_progname);
}

/* The command named by group and verb, or a usage error. */
static const struct command *
find_command (const char *group, const char *verb)
{
  size_t i;
  bool group_known = false;

  for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp (commands[i].group, group) != 0)
      continue;
    group_known = true;
    if (verb && strcmp (commands[i].verb, verb) == 0)
      return &commands[i];
  }
  if (!group_known)
    tool_usage_error ("unknown command '%s' (config, mask or reserve)", group);
  if (verb == NULL)
    tool_usage_error ("'%s' needs a sub-command", group);
  tool_usage_error ("unknown command '%s %s'", group, verb);
}

/* Parse the arguments of the command (args[0..n-1]) into opts. */
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

/* Fill OPTS from the command line. */
static void
parse_options (int argc, char **argv, struct options *opts)
{
  static const struct option long_options[] = {
    { "interface", required_argument, NULL, 'i' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  memset (opts, 0, sizeof *opts);
  opterr = 0;
  /* '+': stop at the target, so a config string may start with '-'. */
  while ((c = getopt_long (argc, argv, "+:i:hV", long_options, NULL)) != -1)
    tool_common_option (c, argc, argv, &opts->ifaces, usage);
  if (optind >= argc)
    tool_usage_error ("no target given (eSHELF.SLOT, like e0.1)");
  tool_parse_target (argv[optind++], &opts->target);
  if (optind >= argc)
    tool_usage_error ("no command given (config, mask or reserve)");
  opts->command = find_command (argv[optind],
                                optind + 1 < argc ? argv[optind + 1] : NULL);
  optind += 2;
  parse_command_args (opts, argv + optind, (size_t) (argc - optind));
  tool_need_ifaces (&opts->ifaces);
}

/* Print a list of n MACs (of which macs holds up to max), one a line. */
static void
print_macs (const uint8_t (*macs)[6], int n, size_t max)
{
  char text[18];
  int i;

  for (i = 0; i < n && (size_t) i < max; i++) {
    tool_format_mac (macs[i], text);
    printf ("%s\n", text);
  }
}

/* Replace an empty MAC list by this initiator's MACs on every interface. */
static void
default_to_own_macs (aoe_handle *h, struct options *opts)
{
  size_t i;

  if (opts->nmacs > 0)
    return;
  for (i = 0; i < opts->ifaces.n; i++)
    if (aoe_get_interface_mac (h, (unsigned) i, opts->macs[i]) == -1)
      tool_library_error (TOOL_EXIT_USAGE);
  opts->nmacs = opts->ifaces.n;
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
    if (r >= 0) {
      tool_print_text_string (stdout, config);
      printf ("\n");
    }
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
      print_macs ((const uint8_t (*)[6]) list, r, AOE_MAX_LIST_MACS);
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

int
main (int argc, char **argv)
{
  struct options opts;
  aoe_handle *h;
  int status;

  tool_init ("aoe-admin");
  parse_options (argc, argv, &opts);
  h = tool_connect (&opts.ifaces, &opts.target);
  status = run (h, &opts);
  aoe_close (h);
  return tool_finish (status);
}
