/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The statistics file's text format (see stats-format.h): one table of
 * the export's fields drives both the writer and the parser, so that the
 * two cannot drift apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats-format.h"

/* How a field is stored. */
enum field_type {
  FIELD_U64,                  /* uint64_t */
  FIELD_UINT,                 /* unsigned */
  FIELD_INT,                  /* int (0 or 1 here) */
  FIELD_DOUBLE,               /* double */
  FIELD_STRING,               /* char array of size bytes */
};

/* One key of an export: its name and where it lives in the struct. */
struct field {
  const char *key;            /* the key in the file */
  enum field_type type;       /* how it is stored */
  size_t offset;              /* offsetof in struct aoe_statsfile_export */
  size_t size;                /* bytes of a FIELD_STRING array */
};

/* A field of struct aoe_statsfile_export (m may name a nested member). */
#define F(key, type, m) \
  { key, type, offsetof (struct aoe_statsfile_export, m), \
    sizeof (((struct aoe_statsfile_export *) 0)->m) }
/* A counter of struct aoe_stats, keyed by its own name. */
#define S(m) F (#m, FIELD_U64, stats.m)
/* An unsigned of struct aoe_stats. */
#define SU(m) F (#m, FIELD_UINT, stats.m)

/* Every key of an export, in the order written. */
static const struct field fields[] = {
  F ("present", FIELD_INT, present),
  F ("open", FIELD_INT, open),
  F ("size", FIELD_U64, info.size),
  F ("model", FIELD_STRING, info.model),
  F ("serial", FIELD_STRING, info.serial),
  F ("ports", FIELD_UINT, info.nmacs),
  F ("buffer_count", FIELD_UINT, info.buffer_count),
  F ("sectors_per_frame", FIELD_UINT, info.sectors_per_frame),
  F ("throughput_bytes_per_s", FIELD_DOUBLE, throughput),
  SU (window), SU (window_max), SU (in_flight),
  S (srtt_us), S (rttvar_us), S (rto_us),
  S (frames_sent), S (frames_received), S (retransmits), S (timeouts),
  S (capture_drops), S (dropped_foreign), S (dropped_malformed),
  S (dropped_misaddressed), S (ports_rejected), S (late_replies),
  S (duplicates), S (aoe_errors), S (ata_errors), S (jumbo_fallbacks),
  S (bytes_read), S (bytes_written), S (commands_completed),
};

/* Number of entries in fields. */
#define NFIELDS (sizeof fields / sizeof fields[0])

/* Write field fl of export e as one line to fp. */
static void
write_field (FILE *fp, const struct field *fl,
             const struct aoe_statsfile_export *e)
{
  const char *p = (const char *) e + fl->offset;
  const char *s;

  fprintf (fp, "%s ", fl->key);
  switch (fl->type) {
  case FIELD_U64:
    fprintf (fp, "%" PRIu64 "\n", *(const uint64_t *) p);
    break;
  case FIELD_UINT:
    fprintf (fp, "%u\n", *(const unsigned *) p);
    break;
  case FIELD_INT:
    fprintf (fp, "%d\n", *(const int *) p);
    break;
  case FIELD_DOUBLE:
    fprintf (fp, "%.0f\n", *(const double *) p);
    break;
  case FIELD_STRING:
    /* One line: a control character would end or break it. */
    for (s = p; s < p + fl->size && *s; s++)
      fputc ((unsigned char) *s < 0x20 || *s == 0x7f ? '?' : *s, fp);
    fputc ('\n', fp);
    break;
  }
}

/* The file's own keys, then every export's fields (stats-format.h). */
char *
aoe_statsfile_format (const struct aoe_statsfile *f, size_t *len)
{
  char *buf = NULL;
  size_t i, j;
  FILE *fp = open_memstream (&buf, len);

  if (fp == NULL)
    return NULL;
  fprintf (fp, "# nbdkit aoe statistics (nbdkit-aoe-plugin(1), "
           "STATISTICS FILE): rewritten every period_s seconds\n"
           "version %d\npid %ld\nmonotonic_s %.6f\nperiod_s %.3f\n",
           AOE_STATSFILE_VERSION, f->pid, f->monotonic_s, f->period_s);
  for (i = 0; i < f->nexports; i++) {
    fprintf (fp, "export %s\n", f->exports[i].name);
    for (j = 0; j < NFIELDS; j++)
      write_field (fp, &fields[j], &f->exports[i]);
  }
  if (fclose (fp) == EOF) {
    free (buf);
    errno = ENOMEM;
    return NULL;
  }
  return buf;
}

/* The state of one parse. */
struct parser {
  struct aoe_statsfile *f;    /* being filled */
  unsigned line;              /* current line number, from 1 */
  bool have_version;          /* the version line was seen */
  char *err;                  /* where the reason goes */
  size_t errlen;              /* its size */
};

/* Set the parse error to "line N: ..." and return -1. */
static int
parse_error (struct parser *ps, const char *fmt, ...)
{
  va_list ap;
  int n = snprintf (ps->err, ps->errlen, "line %u: ", ps->line);

  va_start (ap, fmt);
  if (n >= 0 && (size_t) n < ps->errlen)
    vsnprintf (ps->err + n, ps->errlen - (size_t) n, fmt, ap);
  va_end (ap);
  return -1;
}

/* value as a non-negative decimal number: an integer into *u (u not
 * NULL), else a fraction into *d.  0, or -1. */
static int
parse_number (const char *value, uint64_t *u, double *d)
{
  char *end;

  if (value[0] < '0' || value[0] > '9')
    return -1;
  errno = 0;
  if (u)
    *u = strtoull (value, &end, 10);
  else
    *d = strtod (value, &end);
  return errno || *end ? -1 : 0;
}

/* value as an unsigned decimal integer into *out.  0, or -1. */
static int
parse_u64 (const char *value, uint64_t *out)
{
  return parse_number (value, out, NULL);
}

/* value as a non-negative decimal fraction into *out.  0, or -1. */
static int
parse_double (const char *value, double *out)
{
  return parse_number (value, NULL, out);
}

/* Store value into field fl of export e.  0, or -1 (bad number). */
static int
store_field (const struct field *fl, struct aoe_statsfile_export *e,
             const char *value)
{
  char *p = (char *) e + fl->offset;
  uint64_t v;

  switch (fl->type) {
  case FIELD_STRING:
    snprintf (p, fl->size, "%s", value);
    return 0;
  case FIELD_DOUBLE:
    return parse_double (value, (double *) p);
  default:
    break;
  }
  if (parse_u64 (value, &v) == -1)
    return -1;
  if (fl->type == FIELD_U64)
    *(uint64_t *) p = v;
  else if (v > (fl->type == FIELD_UINT ? UINT32_MAX : 1))
    return -1;
  else if (fl->type == FIELD_UINT)
    *(unsigned *) p = (unsigned) v;
  else
    *(int *) p = (int) v;
  return 0;
}

/* "export NAME": start a new export.  0, or -1. */
static int
start_export (struct parser *ps, const char *name)
{
  struct aoe_statsfile *f = ps->f;
  struct aoe_statsfile_export *e;

  if (name[0] == '\0' || strlen (name) >= AOE_STATSFILE_NAME_MAX)
    return parse_error (ps, "bad export name '%s'", name);
  if (aoe_statsfile_find (f, name) != NULL)
    return parse_error (ps, "export %s twice", name);
  e = realloc (f->exports, (f->nexports + 1) * sizeof *e);
  if (e == NULL)
    return parse_error (ps, "out of memory");
  f->exports = e;
  e = &f->exports[f->nexports++];
  memset (e, 0, sizeof *e);
  snprintf (e->name, sizeof e->name, "%s", name);
  return 0;
}

/* A key of the file itself (before the first export).  0, or -1. */
static int
file_key (struct parser *ps, const char *key, const char *value)
{
  uint64_t v;

  if (strcmp (key, "version") == 0) {
    if (parse_u64 (value, &v) == -1 || v != AOE_STATSFILE_VERSION)
      return parse_error (ps, "version %s: this reader knows version %d",
                          value, AOE_STATSFILE_VERSION);
    ps->have_version = true;
  }
  else if (strcmp (key, "pid") == 0) {
    if (parse_u64 (value, &v) == -1 || v > (uint64_t) INT32_MAX)
      return parse_error (ps, "bad pid '%s'", value);
    ps->f->pid = (long) v;
  }
  else if (strcmp (key, "monotonic_s") == 0) {
    if (parse_double (value, &ps->f->monotonic_s) == -1)
      return parse_error (ps, "bad monotonic_s '%s'", value);
  }
  else if (strcmp (key, "period_s") == 0) {
    if (parse_double (value, &ps->f->period_s) == -1)
      return parse_error (ps, "bad period_s '%s'", value);
  }
  return 0;                    /* unknown keys are for newer readers */
}

/* One "KEY VALUE" line (line, modified in place).  0, or -1. */
static int
parse_line (struct parser *ps, char *line)
{
  char *value = strchr (line, ' ');
  size_t i;

  if (value == NULL)
    value = line + strlen (line);
  else
    *value++ = '\0';
  if (strcmp (line, "export") == 0) {
    if (!ps->have_version)
      return parse_error (ps, "export before the version line");
    return start_export (ps, value);
  }
  if (ps->f->nexports == 0)
    return file_key (ps, line, value);
  for (i = 0; i < NFIELDS; i++)
    if (strcmp (fields[i].key, line) == 0) {
      if (store_field (&fields[i], &ps->f->exports[ps->f->nexports - 1],
                       value) == -1)
        return parse_error (ps, "bad value '%s' for %s", value, line);
      return 0;
    }
  return 0;
}

/* Line by line; a failure empties *f (stats-format.h). */
int
aoe_statsfile_parse (const char *text, struct aoe_statsfile *f, char *err,
                     size_t errlen)
{
  struct parser ps = { .f = f, .err = err, .errlen = errlen };
  char *copy = strdup (text), *line, *next;
  int r = 0;

  memset (f, 0, sizeof *f);
  if (copy == NULL) {
    snprintf (err, errlen, "out of memory");
    return -1;
  }
  for (line = copy; r == 0 && line != NULL; line = next) {
    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    ps.line++;
    if (line[0] != '\0' && line[0] != '#')
      r = parse_line (&ps, line);
  }
  if (r == 0 && !ps.have_version) {
    snprintf (err, errlen,
              "no version line: not an nbdkit aoe statistics file");
    r = -1;
  }
  free (copy);
  if (r == -1)
    aoe_statsfile_free (f);
  return r;
}

/* Free f's exports and empty it. */
void
aoe_statsfile_free (struct aoe_statsfile *f)
{
  free (f->exports);
  memset (f, 0, sizeof *f);
}

/* Linear search by name: a file holds a few exports. */
const struct aoe_statsfile_export *
aoe_statsfile_find (const struct aoe_statsfile *f, const char *name)
{
  size_t i;

  for (i = 0; i < f->nexports; i++)
    if (strcmp (f->exports[i].name, name) == 0)
      return &f->exports[i];
  return NULL;
}
