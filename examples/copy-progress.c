/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl copy's progress bar; see copy-progress.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "copy-progress.h"
#include "tool-common.h"

/* Narrowest bar worth drawing, in characters between the brackets. */
#define MIN_BAR 10

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
  p->rate_at = p->started;
  p->rate_done = 0;
  p->recent_rate = 0;
}

double
progress_mb_per_s (uint64_t bytes, double seconds)
{
  return seconds > 0 ? (double) bytes / seconds / 1e6 : 0;
}

void
progress_format_eta (char buf[PROGRESS_ETA_SIZE], double seconds)
{
  unsigned long s;

  if (!(seconds >= 0) || seconds >= 10000.0 * 3600) {
    snprintf (buf, PROGRESS_ETA_SIZE, "--:--");
    return;
  }
  s = (unsigned long) (seconds + 0.5);
  if (s < 3600)
    snprintf (buf, PROGRESS_ETA_SIZE, "%02lu:%02lu", s / 60, s % 60);
  else
    snprintf (buf, PROGRESS_ETA_SIZE, "%lu:%02lu:%02lu", s / 3600,
              s / 60 % 60, s % 60);
}

/* A line being built in a buffer of limited length (progress_format). */
struct line {
  char *buf;           /* the text, NUL-terminated */
  size_t len;          /* its length */
  size_t max;          /* the most it may hold (the buffer's size - 1) */
};

/* Append the formatted text to l, cutting what does not fit. */
static void __attribute__ ((format (printf, 2, 3)))
line_add (struct line *l, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (l->buf + l->len, l->max + 1 - l->len, fmt, ap);
  va_end (ap);
  if (n > 0)
    l->len = l->len + (size_t) n > l->max ? l->max : l->len + (size_t) n;
}

/* Append c to l count times (cut at the end of the line). */
static void
line_repeat (struct line *l, char c, size_t count)
{
  for (; count > 0 && l->len < l->max; count--)
    l->buf[l->len++] = c;
  l->buf[l->len] = '\0';
}

size_t
progress_format (char *buf, size_t size, unsigned width,
                 const struct progress_view *v)
{
  char head[64], sizes[64], rate[32], eta[PROGRESS_ETA_SIZE + 8];
  char eta_text[PROGRESS_ETA_SIZE];
  struct line l = { .buf = buf };
  double fraction;
  size_t fixed, bar = 0, filled;
  int total_width;
  bool with_sizes = true, with_rate = true;

  if (size == 0)
    return 0;
  if (width > PROGRESS_MAX_WIDTH)
    width = PROGRESS_MAX_WIDTH;
  /* One column short of the width; never more than the buffer holds. */
  l.max = width > 1 ? width - 1 : 0;
  if (l.max > size - 1)
    l.max = size - 1;
  buf[0] = '\0';

  if (v->total == 0) {
    line_add (&l, "%s %.1f MiB %.1f MB/s", v->label, (double) v->done / MIB,
              v->mb_per_s);
    line_repeat (&l, ' ', l.max - l.len);
    return l.len;
  }

  /* Fixed widths (the done bytes as wide as the total, the rate as wide
   * as 9999.9), so that the layout stays put from one redraw to the
   * next. */
  fraction = v->done >= v->total ? 1.0 : (double) v->done / (double) v->total;
  snprintf (head, sizeof head, "%s %6.2f%%", v->label, fraction * 100);
  total_width = snprintf (sizes, sizeof sizes, "%.1f",
                          (double) v->total / MIB);
  snprintf (sizes, sizeof sizes, " %*.1f/%.1f MiB", total_width,
            (double) v->done / MIB, (double) v->total / MIB);
  snprintf (rate, sizeof rate, " %6.1f MB/s", v->mb_per_s);
  progress_format_eta (eta_text, v->eta_s);
  snprintf (eta, sizeof eta, " ETA %s", eta_text);

  /* The bar takes what the text leaves; drop the sizes, then the rate,
   * until it has at least MIN_BAR columns, or draw no bar. */
  for (;;) {
    fixed = strlen (head) + strlen (" []") + strlen (eta)
      + (with_sizes ? strlen (sizes) : 0) + (with_rate ? strlen (rate) : 0);
    if (fixed + MIN_BAR <= l.max) {
      bar = l.max - fixed;
      break;
    }
    if (with_sizes)
      with_sizes = false;
    else if (with_rate)
      with_rate = false;
    else
      break;
  }

  line_add (&l, "%s", head);
  if (bar > 0) {
    filled = (size_t) (fraction * (double) bar);
    line_add (&l, " [");
    line_repeat (&l, '#', filled);
    line_repeat (&l, '.', bar - filled);
    line_add (&l, "]");
  }
  line_add (&l, "%s%s%s", with_sizes ? sizes : "", with_rate ? rate : "",
            eta);
  line_repeat (&l, ' ', l.max - l.len);
  return l.len;
}

unsigned
progress_terminal_width (int fd)
{
  struct winsize ws;
  const char *columns;
  char *end;
  unsigned long n;

  if (ioctl (fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    n = ws.ws_col;
  else {
    columns = getenv ("COLUMNS");
    if (columns == NULL || columns[0] < '1' || columns[0] > '9')
      return PROGRESS_DEFAULT_WIDTH;
    n = strtoul (columns, &end, 10);
    if (*end != '\0')
      return PROGRESS_DEFAULT_WIDTH;
  }
  return n > PROGRESS_MAX_WIDTH ? PROGRESS_MAX_WIDTH : (unsigned) n;
}

/* Fold the bytes done since the last rate sample into the recent rate
 * (an exponentially weighted average with time constant
 * PROGRESS_RATE_TAU_S; the first sample sets it). */
static void
sample_rate (struct progress *p, uint64_t done, double now)
{
  double dt = now - p->rate_at, rate;

  if (dt < PROGRESS_PERIOD_S || done < p->rate_done)
    return;
  rate = (double) (done - p->rate_done) / dt;
  if (p->recent_rate == 0)
    p->recent_rate = rate;
  else
    p->recent_rate += (rate - p->recent_rate) * dt / (PROGRESS_RATE_TAU_S + dt);
  p->rate_at = now;
  p->rate_done = done;
}

/* Draw the bar for done bytes at time now, as wide as stderr's terminal. */
static void
draw (struct progress *p, uint64_t done, double now)
{
  char line[PROGRESS_MAX_WIDTH + 1];
  struct progress_view v = {
    .label = p->label, .done = done, .total = p->total,
    .mb_per_s = progress_mb_per_s (done, now - p->started), .eta_s = -1,
  };

  sample_rate (p, done, now);
  if (p->total > 0 && done >= p->total)
    v.eta_s = 0;
  else if (p->total > 0 && p->recent_rate > 0)
    v.eta_s = (double) (p->total - done) / p->recent_rate;
  progress_format (line, sizeof line,
                   progress_terminal_width (STDERR_FILENO), &v);
  fprintf (stderr, "\r%s", line);
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
