/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat's output (see aoectl-stat.h): the text table and the JSON
 * objects, for a probe session and a server's statistics file alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <libaoe.h>

#include "aoectl-stat.h"
#include "tool-common.h"

/* Bytes read plus bytes written. */
uint64_t
stat_bytes_moved (const struct aoe_stats *st)
{
  return st->bytes_read + st->bytes_written;
}

/* Bytes moved between the two samples, per second. */
double
stat_rate (const struct stat_sample *s, const struct stat_sample *prev)
{
  double elapsed = s->at - prev->at;

  return elapsed > 0
    ? (double) (stat_bytes_moved (&s->stats)
                - stat_bytes_moved (&prev->stats)) / elapsed
    : 0;
}

/* Drops of every kind: capture buffer, foreign, misaddressed and
 * malformed replies. */
static uint64_t
drops (const struct aoe_stats *st)
{
  return st->capture_drops + st->dropped_foreign + st->dropped_misaddressed
    + st->dropped_malformed;
}

/* "NAME: SIZE bytes, ..." (aoectl-stat.h). */
void
stat_print_text_target (const char *name, const struct aoe_info *info,
                        const char *note)
{
  printf ("%s: %" PRIu64 " bytes, %u port(s), buffer count %u, "
          "%u sectors per frame%s\n", name, info->size, info->nmacs,
          info->buffer_count, info->sectors_per_frame, note ? note : "");
}

/* The column names, with a target column first if asked. */
void
stat_print_text_columns (bool with_target)
{
  if (with_target)
    printf ("%-10s ", "target");
  printf ("%8s %9s %8s %9s %9s %9s %9s %9s %7s %8s %7s %12s %9s %9s\n",
          "time_s", "window", "inflight", "srtt_us", "rttvar_us", "rto_us",
          "sent", "received", "rexmit", "timeouts", "drops", "bytes",
          "MB/s", "probe_us");
}

/* One text row; probe_us is "-" when there was no probe. */
void
stat_print_text_row (const char *name, const struct stat_sample *s,
                     double start)
{
  const struct aoe_stats *st = &s->stats;
  char window[24], probe[24];

  if (name)
    printf ("%-10s ", name);
  snprintf (window, sizeof window, "%u/%u", st->window, st->window_max);
  if (s->probe_s < 0)
    snprintf (probe, sizeof probe, "-");
  else
    snprintf (probe, sizeof probe, "%.0f", s->probe_s * 1e6);
  printf ("%8.2f %9s %8u %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
          " %9" PRIu64 " %7" PRIu64 " %8" PRIu64 " %7" PRIu64 " %12" PRIu64
          " %9.3f %9s\n",
          s->at - start, window, st->in_flight, st->srtt_us, st->rttvar_us,
          st->rto_us, st->frames_sent, st->frames_received, st->retransmits,
          st->timeouts, drops (st), stat_bytes_moved (st), s->rate / 1e6,
          probe);
}

/* One JSON object; probe_latency_us is null when there was no probe. */
void
stat_print_json_row (const char *name, const struct aoe_info *info,
                     const struct stat_sample *s,
                     const struct stat_sample *prev, double start,
                     unsigned long n)
{
  const struct aoe_stats *st = &s->stats;
  uint64_t moved = stat_bytes_moved (st) - stat_bytes_moved (&prev->stats);

  printf ("{\"target\":");
  tool_print_json_string (stdout, name);
  printf (",\"sample\":%lu,\"time_s\":%.6f,"
          "\"interval_s\":%.6f,\"size\":%" PRIu64 ",\"ports\":%u,"
          "\"window\":%u,\"window_max\":%u,\"in_flight\":%u,"
          "\"srtt_us\":%" PRIu64 ",\"rttvar_us\":%" PRIu64
          ",\"rto_us\":%" PRIu64 ",",
          n, s->at - start, s->at - prev->at, info->size,
          info->nmacs, st->window, st->window_max, st->in_flight,
          st->srtt_us, st->rttvar_us, st->rto_us);
  printf ("\"frames_sent\":%" PRIu64 ",\"frames_received\":%" PRIu64
          ",\"retransmits\":%" PRIu64 ",\"timeouts\":%" PRIu64
          ",\"drops\":%" PRIu64 ",\"capture_drops\":%" PRIu64
          ",\"dropped_foreign\":%" PRIu64 ",\"dropped_malformed\":%" PRIu64
          ",\"dropped_misaddressed\":%" PRIu64 ",\"ports_rejected\":%" PRIu64
          ",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64
          ",\"bytes\":%" PRIu64 ",\"bytes_interval\":%" PRIu64
          ",\"throughput_bytes_per_s\":%.0f,",
          st->frames_sent, st->frames_received, st->retransmits,
          st->timeouts, drops (st), st->capture_drops, st->dropped_foreign,
          st->dropped_malformed, st->dropped_misaddressed, st->ports_rejected,
          st->bytes_read, st->bytes_written,
          stat_bytes_moved (st), moved, s->rate);
  if (s->probe_s < 0)
    printf ("\"probe_latency_us\":null}\n");
  else
    printf ("\"probe_latency_us\":%.0f}\n", s->probe_s * 1e6);
}

/* clock_nanosleep to an absolute monotonic time, resumed after signals. */
void
stat_sleep_until (double deadline)
{
  struct timespec ts;

  ts.tv_sec = (time_t) deadline;
  ts.tv_nsec = (long) ((deadline - (double) ts.tv_sec) * 1e9);
  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}
