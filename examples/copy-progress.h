/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl copy's progress bar and rate arithmetic.
 *
 * The bar is drawn on stderr with a carriage return, at most every
 * PROGRESS_PERIOD_S seconds, as wide as the terminal (one column short,
 * so the terminal never wraps it), and ended with a newline by
 * progress_end.  It shows the percentage, the bytes, the average rate
 * and an ETA from the recent rate.  The line itself is made by a pure
 * function, progress_format, so that the layout can be unit-tested
 * (tests/test-tool-output.c) without a terminal.
 */
#ifndef AOE_COPY_PROGRESS_H
#define AOE_COPY_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Least time between two redraws of the bar (seconds). */
#define PROGRESS_PERIOD_S 0.1

/* Time constant of the recent rate the ETA comes from (seconds): long
 * enough to smooth out the bursts of a window of commands, short enough
 * to follow a change of speed within a few seconds. */
#define PROGRESS_RATE_TAU_S 3.0

/* Width assumed when neither the terminal nor $COLUMNS tells, and the
 * widest line drawn (a larger terminal gets a line this wide). */
#define PROGRESS_DEFAULT_WIDTH 80
#define PROGRESS_MAX_WIDTH 512

/* Bytes progress_format_eta writes at most, with the NUL. */
#define PROGRESS_ETA_SIZE 32

/* A progress bar. */
struct progress {
  bool enabled;        /* draw anything at all */
  bool drawn;          /* something was drawn (progress_end adds a newline) */
  const char *label;   /* "copy" or "verify" */
  uint64_t total;      /* bytes expected, 0 if unknown (a stream) */
  double started;      /* tool_now () at progress_start */
  double last_draw;    /* tool_now () at the last redraw */
  double rate_at;      /* tool_now () of the last rate sample */
  uint64_t rate_done;  /* bytes done at that sample */
  double recent_rate;  /* smoothed bytes per second, 0 until known */
};

/* What one drawing of the bar shows: the input of progress_format, kept
 * apart from the clock and the terminal so that the layout is a pure
 * function of it. */
struct progress_view {
  const char *label;   /* "copy" or "verify" */
  uint64_t done;       /* bytes moved */
  uint64_t total;      /* bytes expected, 0 if unknown (no bar, no ETA) */
  double mb_per_s;     /* average rate since the start, MB/s */
  double eta_s;        /* seconds left, negative while unknown */
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

/* Write the line for v into buf (size bytes, NUL-terminated; at most
 * PROGRESS_MAX_WIDTH are used): exactly width - 1 columns, padded with
 * spaces, so that each redraw covers the one before and the last column
 * stays free (a full line would make the terminal wrap).  Layout:
 * "LABEL PCT% [BAR] DONE/TOTAL MiB RATE MB/s ETA T", the numbers in
 * fixed widths so that the bar keeps its place as they change (until
 * 10000 MB/s, or an ETA of an hour or more); when the width is
 * short, the sizes go first, then the rate, then the bar (which is at
 * least 10 columns wide when shown), and what still does not fit is cut.
 * Without a total: "LABEL DONE MiB RATE MB/s".  Returns the length. */
size_t progress_format (char *buf, size_t size, unsigned width,
                        const struct progress_view *v);

/* Write seconds left as "MM:SS", or "H:MM:SS" from an hour on, into buf;
 * "--:--" if unknown (negative, or 10000 hours and more). */
void progress_format_eta (char buf[PROGRESS_ETA_SIZE], double seconds);

/* The width of the terminal on fd (TIOCGWINSZ), else $COLUMNS, else
 * PROGRESS_DEFAULT_WIDTH; at most PROGRESS_MAX_WIDTH. */
unsigned progress_terminal_width (int fd);

#endif /* AOE_COPY_PROGRESS_H */
