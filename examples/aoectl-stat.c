/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat: live figures of an AoE target seen from this initiator;
 * without a target, the list of every target (aoectl-stat-list.c).
 *
 *   aoectl stat -i IFACE [-i IFACE...] eSHELF.SLOT [--interval S]
 *               [--count N] [--json]
 *   aoectl stat -i IFACE [-i IFACE...] [--timeout MS] [--bytes] [--json]
 *   aoectl stat --server PATH [eSHELF.SLOT] [--interval S] [--count N]
 *               [--json]
 *
 * Connects, then once per sample sends one light probe (a read of one
 * frame, at a different place each time) and prints libaoe's view of
 * the session: window, frames in flight, SRTT/RTTVAR/RTO, frames sent
 * and received, retransmits, timeouts, drops, bytes moved, throughput
 * over the interval and the probe's latency.  One probe per interval
 * loads the target so little that it can run while other initiators
 * work.  With --server PATH it reads a running nbdkit aoe's figures
 * instead (aoectl-stat-server.c); the output is stat-print.c's for both.
 * Built only on <libaoe.h>.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libaoe.h>

#include "aoectl.h"
#include "aoectl-stat-list.h"
#include "aoectl-stat.h"
#include "tool-common.h"

/* Largest --interval, seconds. */
#define MAX_INTERVAL_S 86400.0

/* Largest --count. */
#define MAX_COUNT 100000000UL

/* Command timeout of the probes (ms): a probe that takes longer means
 * the target is in trouble, and the tool should say so. */
#define PROBE_TIMEOUT_MS 10000

/* What the command line asked for. */
struct options {
  struct tool_ifaces ifaces;  /* -i arguments */
  struct tool_target target;  /* eSHELF.SLOT */
  double interval_s;          /* --interval, 0 if not given */
  unsigned long count;        /* --count, 0: forever (with --interval) */
  bool json;                  /* --json */
  bool list;                  /* no target: list every target */
  unsigned timeout_ms;        /* --timeout of the list, 0 if not given */
  bool bytes;                 /* --bytes: the list's sizes in bytes */
  const char *server;         /* --server PATH, or NULL: probe ourselves */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s -i IFACE [-i IFACE...] eSHELF.SLOT [--interval S]\n"
           "                   [--count N] [--json]\n"
           "       %s --server PATH [eSHELF.SLOT] [--interval S] [--count N]\n"
           "                   [--json]\n"
           "       %s -i IFACE [-i IFACE...] [--timeout MS] [--bytes] [--json]\n"
           "Show live figures of an ATA-over-Ethernet target: window, frames in\n"
           "flight, round-trip times, frames sent and received, retransmits,\n"
           "timeouts, drops, bytes moved, throughput and the latency of a probe\n"
           "read of one frame sent each interval.  Without --interval and\n"
           "--count, one sample; with --interval, one every S seconds until\n"
           "interrupted or --count samples (--count alone: every second).\n"
           "With --server, the figures of a running nbdkit aoe, read from the\n"
           "statistics file it rewrites every second (its stats=PATH key): every\n"
           "export, or the one named; no frame is sent, no -i is taken.\n"
           "Options may come before or after the target.  Without a target (and\n"
           "without --server), list every target that answers, one line each:\n"
           "name, size (powers of 1024), state, ports, interfaces, serial, model.\n"
           "\n"
           "  -i, --interface IFACE  interface to reach the target (repeat for several)\n"
           "                         -i all: every interface up with Ethernet\n"
           "  -n, --interval S       seconds between samples (fractions allowed)\n"
           "  -c, --count N          number of samples\n"
           "  -j, --json             one JSON object per sample, one per line\n"
           "                         (listing: a JSON array)\n"
           "  -t, --timeout MS       listing: how long to wait for answers\n"
           "                         (default %d, 1-%d)\n"
           "  -b, --bytes            listing: sizes in bytes\n"
           "  -s, --server PATH      read nbdkit aoe's statistics file PATH\n"
           "  -h, --help             print this help and exit\n"
           "  -V, --version          print the version and exit\n"
           "\n"
           "Exit status: 0 success, 1 a probe read failed (the target stopped\n"
           "answering; listing: no target answered; --server: the server's file\n"
           "is no longer rewritten), 2 usage or setup error (bad arguments,\n"
           "unknown interface, target not found, no CAP_NET_RAW, a statistics\n"
           "file that cannot be read).\n",
           tool_progname, tool_progname, tool_progname,
           TOOL_DISCOVER_DEFAULT_TIMEOUT_MS, TOOL_DISCOVER_MAX_TIMEOUT_MS);
}

/* Options that belong to one mode only: the listing (no target left
 * after the options) takes no --interval or --count, a target no
 * --timeout or --bytes.  True, with opts->list set and its defaults
 * filled in, if the listing was asked for. */
static bool
check_list_options (int argc, struct options *opts)
{
  if (optind < argc || opts->server) {
    if (opts->timeout_ms || opts->bytes)
      tool_usage_error ("--timeout and --bytes are for the list of targets "
                        "(no target given, no --server)");
    return false;
  }
  if (opts->interval_s || opts->count)
    tool_usage_error ("--interval and --count need a target (eSHELF.SLOT)");
  tool_need_ifaces (&opts->ifaces);
  opts->list = true;
  if (opts->timeout_ms == 0)
    opts->timeout_ms = TOOL_DISCOVER_DEFAULT_TIMEOUT_MS;
  return true;
}

/* --server PATH: no interface (no frame is sent), and the target is
 * optional (without it, every export of the server). */
static void
parse_server_options (int argc, char **argv, struct options *opts)
{
  if (opts->ifaces.n > 0)
    tool_usage_error ("--server reads the server's statistics file and "
                      "sends no frame: no -i");
  if (optind < argc)
    tool_parse_only_target (argc, argv, &opts->target);
}

/* Fill OPTS from the command line. */
static void
parse_options (int argc, char **argv, struct options *opts)
{
  static const struct option long_options[] = {
    { "interval", required_argument, NULL, 'n' },
    { "count", required_argument, NULL, 'c' },
    { "json", no_argument, NULL, 'j' },
    { "timeout", required_argument, NULL, 't' },
    { "bytes", no_argument, NULL, 'b' },
    { "server", required_argument, NULL, 's' },
    TOOL_COMMON_LONG_OPTIONS,
  };
  int c;

  memset (opts, 0, sizeof *opts);
  while ((c = tool_next_option (argc, argv, "n:c:jt:bs:", long_options,
                                &opts->ifaces, usage)) != -1) {
    switch (c) {
    case 'n':
      opts->interval_s = tool_parse_seconds ("--interval", optarg,
                                             MAX_INTERVAL_S);
      break;
    case 'c':
      opts->count = tool_parse_number ("--count", optarg, 1, MAX_COUNT);
      break;
    case 'j':
      opts->json = true;
      break;
    case 'b':
      opts->bytes = true;
      break;
    case 't':
      opts->timeout_ms = tool_parse_discover_timeout (optarg);
      break;
    case 's':
      opts->server = optarg;
      break;
    }
  }
  if (check_list_options (argc, opts))
    return;
  if (opts->server)
    parse_server_options (argc, argv, opts);
  else {
    tool_parse_only_target (argc, argv, &opts->target);
    tool_need_ifaces (&opts->ifaces);
  }
  if (opts->interval_s == 0 && opts->count == 0)
    opts->count = 1;
  if (opts->interval_s == 0)
    opts->interval_s = 1;
}

/* Read one frame at the probe_index-th frame-sized place of the target
 * (wrapping around), timing it into s->probe_s, then take the counters.
 * Exits TOOL_EXIT_FAILED if the read fails. */
static void
take_sample (aoe_handle *h, const struct aoe_info *info, void *buf,
             size_t frame, uint64_t probe_index, struct stat_sample *s)
{
  uint64_t places = info->size / frame;
  uint64_t offset = places ? (probe_index % places) * frame : 0;
  size_t len = info->size < frame ? (size_t) info->size : frame;
  double start = tool_now ();

  if (len > 0 && aoe_pread (h, buf, len, offset) == -1)
    tool_library_error (TOOL_EXIT_FAILED);
  s->probe_s = tool_now () - start;
  if (aoe_get_stats (h, &s->stats, sizeof s->stats) == -1)
    tool_library_error (TOOL_EXIT_FAILED);
  s->at = tool_now ();
}



/* aoectl stat (see aoectl.h): connect, then one probe and one line of
 * figures per interval. */
int
aoectl_stat_main (int argc, char **argv)
{
  struct options opts;
  struct aoe_info info;
  struct stat_sample prev, cur;
  aoe_handle *h;
  size_t frame;
  void *buf;
  double start, next;
  unsigned long n;

  parse_options (argc, argv, &opts);
  if (opts.list)
    return aoectl_stat_list (&opts.ifaces, opts.timeout_ms, opts.bytes,
                             opts.json);
  if (opts.server)
    return aoectl_stat_server (opts.server,
                               opts.target.name[0] ? opts.target.name : NULL,
                               opts.interval_s,
                               opts.count, opts.json);
  h = tool_connect (&opts.ifaces, &opts.target);
  if (aoe_get_info (h, &info, sizeof info) == -1
      || aoe_set_timeout (h, PROBE_TIMEOUT_MS) == -1
      || aoe_get_stats (h, &prev.stats, sizeof prev.stats) == -1)
    tool_library_error (TOOL_EXIT_USAGE);
  frame = (size_t) (info.sectors_per_frame ? info.sectors_per_frame : 1)
    * AOE_SECTOR_SIZE;
  buf = malloc (frame);
  if (buf == NULL)
    tool_die (TOOL_EXIT_USAGE, "out of memory");
  start = prev.at = tool_now ();
  prev.probe_s = 0;
  if (!opts.json) {
    stat_print_text_target (opts.target.name, &info, NULL);
    stat_print_text_columns (false);
  }

  next = start;
  for (n = 1; opts.count == 0 || n <= opts.count; n++) {
    /* The first sample measures over the first interval too. */
    next += opts.interval_s;
    if (n > 1 || opts.count != 1)
      stat_sleep_until (next);
    take_sample (h, &info, buf, frame, n - 1, &cur);
    cur.rate = stat_rate (&cur, &prev);
    if (opts.json)
      stat_print_json_row (opts.target.name, &info, &cur, &prev, start, n);
    else
      stat_print_text_row (NULL, &cur, start);
    if (fflush (stdout) == EOF)
      break;   /* the reader went away: tool_finish reports it */
    prev = cur;
  }
  free (buf);
  aoe_close (h);
  return tool_finish (TOOL_EXIT_OK);
}
