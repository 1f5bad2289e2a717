/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl discover: list the AoE targets reachable through some interfaces.
 *
 *   aoectl discover -i IFACE [-i IFACE...] [--timeout MS] [--json]
 *
 * Broadcasts a Query Config on each interface (aoe_discover), waits MS
 * milliseconds for answers, IDENTIFYs every target found and prints one
 * block per target (or a JSON array with --json).
 *
 * Exit status: 0 if at least one target answered, 1 if none did, 2 on a
 * usage error or a failure (bad interface, no permission: one line on
 * stderr).  Needs CAP_NET_RAW (root).  Built only on <libaoe.h>.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaoe.h>

#include "aoectl.h"
#include "tool-common.h"

/* Exit statuses (documented in --help). */
#define EXIT_FOUND TOOL_EXIT_OK
#define EXIT_NONE_FOUND TOOL_EXIT_FAILED

/* What the command line asked for. */
struct options {
  struct tool_ifaces ifaces;          /* -i arguments, in order */
  unsigned timeout_ms;                /* --timeout */
  bool json;                          /* --json */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s -i IFACE [-i IFACE...] [--timeout MS] [--json]\n"
           "List the ATA-over-Ethernet targets that answer a broadcast Query Config\n"
           "on the given interfaces, with what IDENTIFY says about each.\n"
           "\n"
           "  -i, --interface IFACE  interface to search (repeat for several)\n"
           "                         -i all: every interface up with Ethernet\n"
           "  -t, --timeout MS       how long to wait for answers (default %d, 1-%d)\n"
           "  -j, --json             print a JSON array instead of text\n"
           "  -h, --help             print this help and exit\n"
           "  -V, --version          print the version and exit\n"
           "\n"
           "Exit status: 0 at least one target found, 1 none found,\n"
           "2 usage error or failure (unknown interface, no CAP_NET_RAW).\n",
           tool_progname, TOOL_DISCOVER_DEFAULT_TIMEOUT_MS,
           TOOL_DISCOVER_MAX_TIMEOUT_MS);
}

/* Fill OPTS from the command line. */
static void
parse_options (int argc, char **argv, struct options *opts)
{
  static const struct option long_options[] = {
    { "timeout", required_argument, NULL, 't' },
    { "json", no_argument, NULL, 'j' },
    TOOL_COMMON_LONG_OPTIONS,
  };
  int c;

  memset (opts, 0, sizeof *opts);
  opts->timeout_ms = TOOL_DISCOVER_DEFAULT_TIMEOUT_MS;
  while ((c = tool_next_option (argc, argv, "t:j", long_options,
                                &opts->ifaces, usage)) != -1) {
    switch (c) {
    case 't':
      opts->timeout_ms = tool_parse_discover_timeout (optarg);
      break;
    case 'j':
      opts->json = true;
      break;
    }
  }
  if (optind < argc)
    tool_usage_error ("unexpected argument '%s'", argv[optind]);
  tool_need_ifaces (&opts->ifaces);
}

/* Print one target T as a text block. */
static void
print_text (const struct aoe_target_info *t)
{
  char mac[18];

  tool_format_mac (t->mac, mac);
  printf ("e%u.%u%s\n", t->shelf, t->slot,
          t->conflict ? "  CONFLICT: another disk answers as this target too"
                      : "");
  printf ("  mac:               %s\n", mac);
  printf ("  interface:         %s\n", t->iface);
  if (t->identified) {
    printf ("  capacity:          %" PRIu64 " bytes (%" PRIu64 " sectors, %s)\n",
            t->size, t->size / AOE_SECTOR_SIZE, t->lba48 ? "LBA48" : "LBA28");
    printf ("  model:             ");
    tool_print_text_string (stdout, t->model);
    printf ("\n  serial:            ");
    tool_print_text_string (stdout, t->serial);
    printf ("\n  firmware:          ");
    tool_print_text_string (stdout, t->firmware);
    printf ("\n");
  }
  else
    printf ("  identify:          no answer (capacity, model unknown)\n");
  printf ("  buffer count:      %u\n", t->buffer_count);
  printf ("  sectors per frame: %u\n", t->sectors_per_frame);
  printf ("  firmware version:  0x%04x\n", t->firmware_version);
  printf ("  config string:     \"");
  tool_print_text_string (stdout, t->config);
  printf ("\"\n");
}

/* Print "KEY": followed by the JSON string VALUE, or null if !PRESENT. */
static void
print_json_field (const char *key, const char *value, bool present)
{
  printf ("    \"%s\": ", key);
  if (present)
    tool_print_json_string (stdout, value);
  else
    printf ("null");
  printf (",\n");
}

/* Print one target T as a JSON object (LAST: no trailing comma). */
static void
print_json (const struct aoe_target_info *t, bool last)
{
  char mac[18];

  tool_format_mac (t->mac, mac);
  printf ("  {\n");
  printf ("    \"target\": \"e%u.%u\",\n", t->shelf, t->slot);
  printf ("    \"shelf\": %u,\n", t->shelf);
  printf ("    \"slot\": %u,\n", t->slot);
  print_json_field ("mac", mac, true);
  print_json_field ("interface", t->iface, true);
  printf ("    \"identified\": %s,\n", t->identified ? "true" : "false");
  printf ("    \"conflict\": %s,\n", t->conflict ? "true" : "false");
  if (t->identified) {
    printf ("    \"size\": %" PRIu64 ",\n", t->size);
    printf ("    \"lba48\": %s,\n", t->lba48 ? "true" : "false");
  }
  else
    printf ("    \"size\": null,\n    \"lba48\": null,\n");
  print_json_field ("model", t->model, t->identified);
  print_json_field ("serial", t->serial, t->identified);
  print_json_field ("firmware", t->firmware, t->identified);
  printf ("    \"buffer_count\": %u,\n", t->buffer_count);
  printf ("    \"sectors_per_frame\": %u,\n", t->sectors_per_frame);
  printf ("    \"firmware_version\": %u,\n", t->firmware_version);
  printf ("    \"config\": ");
  tool_print_json_string (stdout, t->config);
  printf ("\n  }%s\n", last ? "" : ",");
}

/* aoectl discover (see aoectl.h): broadcast, wait, print what answered. */
int
aoectl_discover_main (int argc, char **argv)
{
  struct options opts;
  struct aoe_target_info *targets;
  size_t i, n;

  parse_options (argc, argv, &opts);
  n = tool_discover (&opts.ifaces, opts.timeout_ms, !opts.json, &targets);
  if (opts.json) {
    printf ("[\n");
    for (i = 0; i < n; ++i)
      print_json (&targets[i], i + 1 == n);
    printf ("]\n");
  }
  else {
    for (i = 0; i < n; ++i) {
      if (i > 0)
        printf ("\n");
      print_text (&targets[i]);
    }
  }
  aoe_free_targets (targets);
  return tool_finish (n > 0 ? EXIT_FOUND : EXIT_NONE_FOUND);
}
