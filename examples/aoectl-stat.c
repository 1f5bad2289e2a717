/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat: live figures of an AoE target seen from this initiator;
 * without a target, the list of every target (aoectl-stat-list.c).
 *
 *   aoectl stat -i IFACE [-i IFACE...] eSHELF.SLOT [--interval S]
 *               [--count N] [--json]
 *   aoectl stat -i IFACE [-i IFACE...] [--timeout MS] [--bytes] [--json]
 *
 * Connects, then once per sample sends one light probe (a read of one
 * frame, at a different place each time) and prints libaoe's view of
 * the session: window, frames in flight, SRTT/RTTVAR/RTO, frames sent
 * and received, retransmits, timeouts, drops, bytes moved, throughput
 * over the interval and the probe's latency.  One probe per interval
 * loads the target so little that it can run while other initiators
 * work.  Built only on <libaoe.h>.
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
};

/* One sample: the counters, when they were taken, the probe's latency. */
struct sample {
  struct aoe_stats stats;     /* libaoe's counters */
  double at;                  /* tool_now () when taken */
  double probe_s;             /* how long the probe read took */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s -i IFACE [-i IFACE...] eSHELF.SLOT [--interval S]\n"
           "                   [--count N] [--json]\n"
           "       %s -i IFACE [-i IFACE...] [--timeout MS] [--bytes] [--json]\n"
           "Show live figures of an ATA-over-Ethernet target: window, frames in\n"
           "flight, round-trip times, frames sent and received, retransmits,\n"
           "timeouts, drops, bytes moved, throughput and the latency of a probe\n"
           "read of one frame sent each interval.  Without --interval and\n"
           "--count, one sample; with --interval, one every S seconds until\n"
           "interrupted or --count samples (--count alone: every second).\n"
           "Options may come before or after the target.  Without a target, list\n"
           "every target that answers, one line each: name, size (powers of\n"
           "1024), state, ports, interfaces, serial and model.\n"
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
           "  -h, --help             print this help and exit\n"
           "  -V, --version          print the version and exit\n"
           "\n"
           "Exit status: 0 success, 1 a probe read failed (the target stopped\n"
           "answering; listing: no target answered), 2 usage or setup error (bad\n"
           "arguments, unknown interface, target not found, no CAP_NET_RAW).\n",
           tool_progname, tool_progname, TOOL_DISCOVER_DEFAULT_TIMEOUT_MS,
           TOOL_DISCOVER_MAX_TIMEOUT_MS);
}

/* Options that belong to one mode only: the listing (no target left
 * after the options) takes no --interval or --count, a target no
 * --timeout or --bytes.  True, with opts->list set and its defaults
 * filled in, if the listing was asked for. */
static bool
check_list_options (int argc, struct options *opts)
{
  if (optind < argc) {
    if (opts->timeout_ms || opts->bytes)
      tool_usage_error ("--timeout and --bytes are for the list of targets "
                        "(no target given)");
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
    TOOL_COMMON_LONG_OPTIONS,
  };
  int c;

  memset (opts, 0, sizeof *opts);
  while ((c = tool_next_option (argc, argv, "n:c:jt:b", long_options,
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
    }
  }
  if (check_list_options (argc, opts))
    return;
  tool_parse_only_target (argc, argv, &opts->target);
  tool_need_ifaces (&opts->ifaces);
  if (opts->interval_s == 0 && opts->count == 0)
    opts->count = 1;
  if (opts->interval_s == 0)
    opts->interval_s = 1;
}

/* Sleep until the monotonic time deadline (seconds, as tool_now). */
static void
sleep_until (double deadline)
{
  struct timespec ts;

  ts.tv_sec = (time_t) deadline;
  ts.tv_nsec = (long) ((deadline - (double) ts.tv_sec) * 1e9);
  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

/* Read one frame at the probe_index-th frame-sized place of the target
 * (wrapping around), timing it into s->probe_s, then take the counters.
 * Exits TOOL_EXIT_FAILED if the read fails. */
static void
take_sample (aoe_handle *h, const struct aoe_info *info, void *buf,
             size_t frame, uint64_t probe_index, struct sample *s)
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

/* Bytes read and written in total. */
static uint64_t
bytes_moved (const struct aoe_stats *st)
{
  return st->bytes_read + st->bytes_written;
}

/* Drops of every kind: capture buffer, foreign, misaddressed and
 * malformed replies. */
static uint64_t
drops (const struct aoe_stats *st)
{
  return st->capture_drops + st->dropped_foreign + st->dropped_misaddressed
    + st->dropped_malformed;
}

/* Print the text header: the target, then the column names. */
static void
print_text_header (const struct options *opts, const struct aoe_info *info)
{
  printf ("%s: %" PRIu64 " bytes, %u port(s), buffer count %u, "
          "%u sectors per frame\n", opts->target.name, info->size,
          info->nmacs, info->buffer_count, info->sectors_per_frame);
  printf ("%8s %9s %8s %9s %9s %9s %9s %9s %7s %8s %7s %12s %9s %9s\n",
          "time_s", "window", "inflight", "srtt_us", "rttvar_us", "rto_us",
          "sent", "received", "rexmit", "timeouts", "drops", "bytes",
          "MB/s", "probe_us");
}

/* Print sample s as a text row; prev is the sample before (for rates). */
static void
print_text_row (const struct sample *s, const struct sample *prev,
                double start)
{
  const struct aoe_stats *st = &s->stats;
  double elapsed = s->at - prev->at;
  double rate = elapsed > 0
    ? (double) (bytes_moved (st) - bytes_moved (&prev->stats)) / elapsed : 0;
  char window[24];

  snprintf (window, sizeof window, "%u/%u", st->window, st->window_max);
  printf ("%8.2f %9s %8u %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
          " %9" PRIu64 " %7" PRIu64 " %8" PRIu64 " %7" PRIu64 " %12" PRIu64
          " %9.3f %9.0f\n",
          s->at - start, window, st->in_flight, st->srtt_us, st->rttvar_us,
          st->rto_us, st->frames_sent, st->frames_received, st->retransmits,
          st->timeouts, drops (st), bytes_moved (st), rate / 1e6,
          s->probe_s * 1e6);
}

/* Print sample s (number n) as one JSON object on one line. */
static void
print_json_row (const struct options *opts, const struct aoe_info *info,
                const struct sample *s, const struct sample *prev,
                double start, unsigned long n)
{
  const struct aoe_stats *st = &s->stats;
  double elapsed = s->at - prev->at;
  uint64_t moved = bytes_moved (st) - bytes_moved (&prev->stats);

  printf ("{\"target\":\"%s\",\"sample\":%lu,\"time_s\":%.6f,"
          "\"interval_s\":%.6f,\"size\":%" PRIu64 ",\"ports\":%u,"
          "\"window\":%u,\"window_max\":%u,\"in_flight\":%u,"
          "\"srtt_us\":%" PRIu64 ",\"rttvar_us\":%" PRIu64
          ",\"rto_us\":%" PRIu64 ",",
          opts->target.name, n, s->at - start, elapsed, info->size,
          info->nmacs, st->window, st->window_max, st->in_flight,
          st->srtt_us, st->rttvar_us, st->rto_us);
  printf ("\"frames_sent\":%" PRIu64 ",\"frames_received\":%" PRIu64
          ",\"retransmits\":%" PRIu64 ",\"timeouts\":%" PRIu64
          ",\"drops\":%" PRIu64 ",\"capture_drops\":%" PRIu64
          ",\"dropped_foreign\":%" PRIu64 ",\"dropped_malformed\":%" PRIu64
          ",\"dropped_misaddressed\":%" PRIu64 ",\"ports_rejected\":%" PRIu64
          ",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64
          ",\"bytes\":%" PRIu64 ",\"bytes_interval\":%" PRIu64
          ",\"throughput_bytes_per_s\":%.0f,\"probe_latency_us\":%.0f}\n",
          st->frames_sent, st->frames_received, st->retransmits,
          st->timeouts, drops (st), st->capture_drops, st->dropped_foreign,
          st->dropped_malformed, st->dropped_misaddressed, st->ports_rejected,
          st->bytes_read, st->bytes_written,
          bytes_moved (st), moved,
          elapsed > 0 ? (double) moved / elapsed : 0.0, s->probe_s * 1e6);
}

/* aoectl stat (see aoectl.h): connect, then one probe and one line of
 * figures per interval. */
int
aoectl_stat_main (int argc, char **argv)
{
  struct options opts;
  struct aoe_info info;
  struct sample prev, cur;
  aoe_handle *h;
  size_t frame;
  void *buf;
  double start, next;
  unsigned long n;

  parse_options (argc, argv, &opts);
  if (opts.list)
    return aoectl_stat_list (&opts.ifaces, opts.timeout_ms, opts.bytes,
                             opts.json);
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
  if (!opts.json)
    print_text_header (&opts, &info);

  next = start;
  for (n = 1; opts.count == 0 || n <= opts.count; n++) {
    /* The first sample measures over the first interval too. */
    next += opts.interval_s;
    if (n > 1 || opts.count != 1)
      sleep_until (next);
    take_sample (h, &info, buf, frame, n - 1, &cur);
    if (opts.json)
      print_json_row (&opts, &info, &cur, &prev, start, n);
    else
      print_text_row (&cur, &prev, start);
    if (fflush (stdout) == EOF)
      break;   /* the reader went away: tool_finish reports it */
    prev = cur;
  }
  free (buf);
  aoe_close (h);
  return tool_finish (TOOL_EXIT_OK);
}
