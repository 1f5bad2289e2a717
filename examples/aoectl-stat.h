/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat's two sources of figures share one output: its own probe
 * session (aoectl-stat.c) and a running nbdkit aoe's statistics file
 * (aoectl stat --server, aoectl-stat-server.c).  stat-print.c prints a
 * sample of either, as text rows or JSON objects, the same way.
 */
#ifndef AOE_AOECTL_STAT_H
#define AOE_AOECTL_STAT_H

#include <stdbool.h>

#include <libaoe.h>

/* One sample of one target. */
struct stat_sample {
  struct aoe_stats stats;     /* libaoe's counters */
  double at;                  /* monotonic seconds when taken */
  double probe_s;             /* how long the probe read took; < 0: no
                                 probe (figures of a server) */
  double rate;                /* bytes per second to show as throughput */
};

/* Bytes read and written in total. */
uint64_t stat_bytes_moved (const struct aoe_stats *st);

/* The throughput from prev to s, bytes per second (0 over no time). */
double stat_rate (const struct stat_sample *s, const struct stat_sample *prev);

/* Print the text line describing target name (size, ports, buffer
 * count, sectors per frame), then note (NULL: nothing) before the
 * newline. */
void stat_print_text_target (const char *name, const struct aoe_info *info,
                             const char *note);

/* Print the column names of the text rows; with_target: a first column
 * naming the target (several targets in one table). */
void stat_print_text_columns (bool with_target);

/* Print s as a text row, time counted from start; name: the first
 * column (NULL: none, as stat_print_text_columns (false)). */
void stat_print_text_row (const char *name, const struct stat_sample *s,
                          double start);

/* Print s (sample number n of target name) as one JSON object on one
 * line; prev is the sample before (for the interval fields). */
void stat_print_json_row (const char *name, const struct aoe_info *info,
                          const struct stat_sample *s,
                          const struct stat_sample *prev, double start,
                          unsigned long n);

/* Sleep until the monotonic time deadline (seconds, as tool_now). */
void stat_sleep_until (double deadline);

/* aoectl stat --server PATH: the figures of a running nbdkit aoe read
 * from its statistics file (stats=PATH), of the export called target
 * (NULL: every export), count samples (0: forever) every interval_s;
 * sends no frame.  Returns the exit status. */
int aoectl_stat_server (const char *path, const char *target,
                        double interval_s, unsigned long count, bool json);

#endif /* AOE_AOECTL_STAT_H */
