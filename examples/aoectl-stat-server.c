/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat --server PATH: the live figures of a running nbdkit aoe,
 * read from the statistics file its stats=PATH key makes it rewrite
 * every second (nbd-plugin/stats-format.h has the format).  Nothing is
 * sent on any network: the figures are those of the server's own
 * handles, one per export.  The plugin replaces the file by a rename, so
 * every read sees one whole sample.  A file that stops changing means
 * that the server is gone (it removes the file when it stops cleanly;
 * one killed leaves it behind): after STALE_PERIODS periods without a
 * rewrite the command fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaoe.h>

#include "aoectl-stat.h"
#include "stats-format.h"
#include "tool-common.h"

/* Periods without a rewrite after which the server counts as gone. */
#define STALE_PERIODS 5

/* Largest statistics file read (a few hundred bytes per export). */
#define MAX_FILE_BYTES (16u << 20)

/* The whole file path, NUL-terminated, malloc'd; exits with status on
 * an error. */
static char *
read_whole (const char *path, int status)
{
  FILE *fp = fopen (path, "r");
  char *buf;
  size_t len;

  if (fp == NULL)
    tool_die (status, "cannot read the statistics file %s: %s", path,
              strerror (errno));
  buf = malloc (MAX_FILE_BYTES + 1);
  if (buf == NULL)
    tool_die (status, "out of memory");
  len = fread (buf, 1, MAX_FILE_BYTES, fp);
  if (ferror (fp))
    tool_die (status, "cannot read the statistics file %s: %s", path,
              strerror (errno));
  fclose (fp);
  buf[len] = '\0';
  return buf;
}

/* Read and parse the file into *f (exit with status on an error), and
 * check that the server still rewrites it. */
static void
load (const char *path, struct aoe_statsfile *f, int status)
{
  char *text = read_whole (path, status);
  char err[256];
  double age, limit;

  if (aoe_statsfile_parse (text, f, err, sizeof err) == -1)
    tool_die (status, "%s: %s", path, err);
  free (text);
  age = tool_now () - f->monotonic_s;
  limit = STALE_PERIODS * (f->period_s > 0 ? f->period_s : 1);
  if (age > limit)
    tool_die (TOOL_EXIT_FAILED, "%s: not rewritten for %.0f s: is its "
              "nbdkit (pid %ld) still running?", path, age, f->pid);
}

/* The names of f's exports, space-separated, into buf (for messages). */
static void
export_names (const struct aoe_statsfile *f, char *buf, size_t size)
{
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < f->nexports && used < size; i++)
    used += (size_t) snprintf (buf + used, size - used, "%s%s",
                               i ? " " : "", f->exports[i].name);
  if (f->nexports == 0)
    snprintf (buf, size, "none yet");
}

/* True if export e of the file is to be shown (target NULL: all). */
static bool
selected (const struct aoe_statsfile_export *e, const char *target)
{
  return target == NULL || strcmp (e->name, target) == 0;
}

/* Export e of the file f as a sample. */
static struct stat_sample
sample_of (const struct aoe_statsfile *f,
           const struct aoe_statsfile_export *e)
{
  struct stat_sample s = { .stats = e->stats, .at = f->monotonic_s,
                           .probe_s = -1, .rate = e->throughput };

  return s;
}

/* Print the text header: every export shown, then the columns. */
static void
print_header (const struct aoe_statsfile *f, const char *target)
{
  size_t i;

  for (i = 0; i < f->nexports; i++) {
    const struct aoe_statsfile_export *e = &f->exports[i];

    if (selected (e, target))
      stat_print_text_target (e->name, &e->info,
                              e->open ? NULL
                              : " (no client yet: no figures)");
  }
  stat_print_text_columns (true);
}

/* Print sample n of every export shown of cur; prev is the file read
 * before (an export new since then is its own previous sample). */
static void
print_sample (const struct aoe_statsfile *cur,
              const struct aoe_statsfile *prev, const char *target,
              double start, unsigned long n, bool json)
{
  size_t i;

  for (i = 0; i < cur->nexports; i++) {
    const struct aoe_statsfile_export *e = &cur->exports[i];
    const struct aoe_statsfile_export *pe = aoe_statsfile_find (prev, e->name);
    struct stat_sample s, p;

    if (!selected (e, target))
      continue;
    s = sample_of (cur, e);
    p = pe ? sample_of (prev, pe) : s;
    if (json)
      stat_print_json_row (e->name, &e->info, &s, &p, start, n);
    else
      stat_print_text_row (e->name, &s, start);
  }
}

/* aoectl stat --server (aoectl-stat.h): the first read checks the file
 * and the target, then one sample of every export shown per interval. */
int
aoectl_stat_server (const char *path, const char *target, double interval_s,
                    unsigned long count, bool json)
{
  struct aoe_statsfile prev, cur;
  char names[512];
  double start, next;
  unsigned long n;

  load (path, &prev, TOOL_EXIT_USAGE);
  if (target && aoe_statsfile_find (&prev, target) == NULL) {
    export_names (&prev, names, sizeof names);
    tool_die (TOOL_EXIT_USAGE, "%s: the server of %s does not serve it "
              "(its exports: %s)", target, path, names);
  }
  start = prev.monotonic_s;
  if (!json)
    print_header (&prev, target);
  next = tool_now ();
  for (n = 1; count == 0 || n <= count; n++) {
    next += interval_s;
    if (n > 1 || count != 1)
      stat_sleep_until (next);
    load (path, &cur, TOOL_EXIT_FAILED);
    print_sample (&cur, &prev, target, start, n, json);
    aoe_statsfile_free (&prev);
    prev = cur;
    if (fflush (stdout) == EOF)
      break;   /* the reader went away: tool_finish reports it */
  }
  aoe_statsfile_free (&prev);
  return tool_finish (TOOL_EXIT_OK);
}
