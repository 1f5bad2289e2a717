/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-copy's progress bar and rate arithmetic.
 *
 * The bar is drawn on stderr with a carriage return, at most every
 * PROGRESS_PERIOD_S seconds, and ended with a newline by progress_end.
 */
#ifndef AOE_COPY_PROGRESS_H
#define AOE_COPY_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* Least time between two redraws of the bar (seconds). */
#define PROGRESS_PERIOD_S 0.1

/* A progress bar. */
struct progress {
  bool enabled;        /* draw anything at all */
  bool drawn;          /* something was drawn (progress_end adds a newline) */
  const char *label;   /* "copy" or "verify" */
  uint64_t total;      /* bytes expected, 0 if unknown (a stream) */
  double started;      /* tool_now () at progress_start */
  double last_draw;    /* tool_now () at the last redraw */
};

/* Start a bar labelled label for total bytes (0: unknown). */
void progress_start (struct progress *p, bool enabled, const char *label,
                     uint64_t total);

/* Redraw with done bytes moved, unless drawn less than a period ago
 * (force: draw anyway). */
void progress_update (struct progress *p, uint64_t done, bool force);

/* Draw the final state and end the line. */
void progress_end (struct progress *p, uint64_t done);

/* End a partly drawn line (before an error message). */
void progress_interrupt (struct progress *p);

/* Bytes per second as MB/s (10^6 bytes), 0 if seconds is not positive. */
double progress_mb_per_s (uint64_t bytes, double seconds);

#endif /* AOE_COPY_PROGRESS_H */
