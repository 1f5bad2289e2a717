/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-copy's progress bar; see copy-progress.h.
 */
#include <stdio.h>

#include "copy-progress.h"
#include "tool-common.h"

/* Width of the bar between brackets, in characters. */
#define BAR_WIDTH 30

/* Bytes per MiB, for display. */
#define MIB (1024.0 * 1024.0)

void
progress_start (struct progress *p, bool enabled, const char *label,
                uint64_t total)
{
  p->enabled = enabled;
  p->drawn = false;
  p->label = label;
  p->total = total;
  p->started = tool_now ();
  p->last_draw = 0;
}

double
progress_mb_per_s (uint64_t bytes, double seconds)
{
  return seconds > 0 ? (double) bytes / seconds / 1e6 : 0;
}

/* Draw the bar for done bytes at time now. */
static void
draw (struct progress *p, uint64_t done, double now)
{
  double rate = progress_mb_per_s (done, now - p->started);

  if (p->total > 0) {
    double fraction = done >= p->total ? 1.0 : (double) done / (double) p->total;
    int filled = (int) (fraction * BAR_WIDTH), i;

    fprintf (stderr, "\r%s %6.2f%% [", p->label, fraction * 100);
    for (i = 0; i < BAR_WIDTH; i++)
      fputc (i < filled ? '#' : '.', stderr);
    fprintf (stderr, "] %.1f/%.1f MiB %.1f MB/s ", (double) done / MIB,
             (double) p->total / MIB, rate);
  }
  else
    fprintf (stderr, "\r%s %.1f MiB %.1f MB/s ", p->label,
             (double) done / MIB, rate);
  fflush (stderr);
  p->drawn = true;
  p->last_draw = now;
}

void
progress_update (struct progress *p, uint64_t done, bool force)
{
  double now;

  if (!p->enabled)
    return;
  now = tool_now ();
  if (force || now - p->last_draw >= PROGRESS_PERIOD_S)
    draw (p, done, now);
}

void
progress_end (struct progress *p, uint64_t done)
{
  if (!p->enabled)
    return;
  draw (p, done, tool_now ());
  fputc ('\n', stderr);
  p->drawn = false;
}

void
progress_interrupt (struct progress *p)
{
  if (p->drawn)
    fputc ('\n', stderr);
  p->drawn = false;
}
