/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The statistics file of nbdkit aoe (stats=PATH): its text format, written
 * by the plugin (nbd-plugin/stats.c) and read by `aoectl stat --server`
 * (examples/aoectl-stat-server.c).  Pure code, no nbdkit and no network,
 * so that both sides share it and tests/test-stats-format.c checks it.
 *
 * The format is lines of "KEY VALUE" (the value is the rest of the line),
 * '#' comments and blank lines; first the file's own keys (version,
 * pid, monotonic_s, period_s), then for every export a line "export
 * NAME" followed by that export's keys, named as aoectl stat --json
 * names them.  A reader ignores keys it does not know, so new keys can
 * be added without breaking older readers.
 */
#ifndef AOE_STATS_FORMAT_H
#define AOE_STATS_FORMAT_H

#include <stddef.h>

#include <libaoe.h>

/* The format's version (the "version" line); a reader refuses others. */
#define AOE_STATSFILE_VERSION 1

/* Longest export name kept (with its NUL). */
#define AOE_STATSFILE_NAME_MAX 32

/* One export's figures at one moment. */
struct aoe_statsfile_export {
  char name[AOE_STATSFILE_NAME_MAX]; /* export name, "eSHELF.SLOT" */
  int present;               /* 1 if the target answered the latest discovery */
  int open;                  /* 1 if its handle is connected (figures live) */
  struct aoe_info info;      /* size, model, serial, ports (nmacs), buffer
                                count, sectors per frame; the rest 0 */
  struct aoe_stats stats;    /* libaoe's counters (0 while not open) */
  double throughput;         /* bytes per second moved over the last period */
};

/* A whole statistics file. */
struct aoe_statsfile {
  long pid;                  /* the nbdkit process publishing it */
  double monotonic_s;        /* CLOCK_MONOTONIC seconds when it was written */
  double period_s;           /* seconds between two rewrites */
  struct aoe_statsfile_export *exports; /* nexports entries (malloc'd) */
  size_t nexports;           /* how many */
};

/* The text of f, NUL-terminated, in a malloc'd buffer (*len: its length
 * without the NUL); NULL with errno ENOMEM. */
extern char *aoe_statsfile_format (const struct aoe_statsfile *f,
                                   size_t *len);

/* Parse text into *f (f->exports malloc'd: aoe_statsfile_free).  0, or
 * -1 with a one-line reason in err (errlen bytes) and *f emptied. */
extern int aoe_statsfile_parse (const char *text, struct aoe_statsfile *f,
                                char *err, size_t errlen);

/* Free what aoe_statsfile_parse allocated in f. */
extern void aoe_statsfile_free (struct aoe_statsfile *f);

/* The export of f called name, or NULL. */
extern const struct aoe_statsfile_export *
aoe_statsfile_find (const struct aoe_statsfile *f, const char *name);

#endif /* AOE_STATS_FORMAT_H */
