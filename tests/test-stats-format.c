/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests for the text format of nbdkit aoe's statistics file
 * (nbd-plugin/stats-format.c), shared by the plugin (writer) and aoectl
 * stat --server (reader): every field survives a round trip; keys a
 * reader does not know are ignored; strings cannot break a line; and
 * every malformed file is refused with a one-line reason naming the line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats-format.h"

/* Two exports, every field set to a distinct value. */
static void
fill (struct aoe_statsfile *f, struct aoe_statsfile_export e[2])
{
  memset (e, 0, 2 * sizeof *e);
  snprintf (e[0].name, sizeof e[0].name, "e0.1");
  e[0].present = 1;
  e[0].open = 1;
  e[0].info.size = 67108864;
  snprintf (e[0].info.model, sizeof e[0].info.model, "Coraid vblade");
  snprintf (e[0].info.serial, sizeof e[0].info.serial, "0.1:host");
  e[0].info.nmacs = 2;
  e[0].info.buffer_count = 16;
  e[0].info.sectors_per_frame = 17;
  e[0].throughput = 123456789;
  e[0].stats.window = 12;
  e[0].stats.window_max = 16;
  e[0].stats.in_flight = 3;
  e[0].stats.srtt_us = 101;
  e[0].stats.rttvar_us = 7;
  e[0].stats.rto_us = 20000;
  e[0].stats.frames_sent = UINT64_MAX;
  e[0].stats.frames_received = 1000;
  e[0].stats.retransmits = 4;
  e[0].stats.timeouts = 1;
  e[0].stats.capture_drops = 2;
  e[0].stats.dropped_foreign = 3;
  e[0].stats.dropped_malformed = 5;
  e[0].stats.dropped_misaddressed = 6;
  e[0].stats.ports_rejected = 8;
  e[0].stats.late_replies = 9;
  e[0].stats.duplicates = 10;
  e[0].stats.aoe_errors = 11;
  e[0].stats.ata_errors = 13;
  e[0].stats.jumbo_fallbacks = 14;
  e[0].stats.bytes_read = 1u << 30;
  e[0].stats.bytes_written = 12345;
  e[0].stats.commands_completed = 77;
  snprintf (e[1].name, sizeof e[1].name, "e1.0");
  e[1].info.size = 4096;
  memset (f, 0, sizeof *f);
  f->pid = 4242;
  f->monotonic_s = 1234.5;
  f->period_s = 1;
  f->exports = e;
  f->nexports = 2;
}

/* f formatted, checked to be parsed into *g without an error (the
 * text, to free). */
static char *
format_and_parse (const struct aoe_statsfile *f, struct aoe_statsfile *g)
{
  char err[128];
  size_t len;
  char *text = aoe_statsfile_format (f, &len);

  assert_non_null (text);
  assert_int_equal (strlen (text), len);
  assert_int_equal (aoe_statsfile_parse (text, g, err, sizeof err), 0);
  return text;
}

/* format, then parse: the same file. */
static void
test_round_trip (void **state)
{
  struct aoe_statsfile_export e[2];
  struct aoe_statsfile f, g;
  char *text;

  fill (&f, e);
  text = format_and_parse (&f, &g);
  assert_int_equal (g.pid, 4242);
  assert_true (g.monotonic_s == 1234.5);
  assert_true (g.period_s == 1);
  assert_int_equal (g.nexports, 2);
  assert_memory_equal (&g.exports[0].stats, &e[0].stats, sizeof e[0].stats);
  assert_string_equal (g.exports[0].name, "e0.1");
  assert_string_equal (g.exports[0].info.model, "Coraid vblade");
  assert_string_equal (g.exports[0].info.serial, "0.1:host");
  assert_int_equal (g.exports[0].info.size, 67108864);
  assert_int_equal (g.exports[0].info.nmacs, 2);
  assert_int_equal (g.exports[0].info.buffer_count, 16);
  assert_int_equal (g.exports[0].info.sectors_per_frame, 17);
  assert_int_equal (g.exports[0].present, 1);
  assert_int_equal (g.exports[0].open, 1);
  assert_true (g.exports[0].throughput == 123456789);
  assert_ptr_equal (aoe_statsfile_find (&g, "e1.0"), &g.exports[1]);
  assert_int_equal (g.exports[1].info.size, 4096);
  assert_int_equal (g.exports[1].open, 0);
  assert_null (aoe_statsfile_find (&g, "e9.9"));
  aoe_statsfile_free (&g);
  free (text);
}

/* A model holding a newline or other control characters stays on one
 * line (written as '?'), so it cannot inject keys. */
static void
test_control_characters (void **state)
{
  struct aoe_statsfile_export e[2];
  struct aoe_statsfile f, g;
  char *text;

  fill (&f, e);
  snprintf (e[0].info.model, sizeof e[0].info.model, "a\nopen 0\tb");
  text = format_and_parse (&f, &g);
  assert_non_null (strstr (text, "\nmodel a?open 0?b\n"));
  assert_int_equal (g.exports[0].open, 1);
  aoe_statsfile_free (&g);
  free (text);
}

/* Keys a reader does not know, comments and blank lines are skipped. */
static void
test_unknown_keys (void **state)
{
  struct aoe_statsfile g;
  char err[128];

  assert_int_equal (aoe_statsfile_parse ("# c\n\nversion 1\nfuture 7\n"
                                         "export e0.1\nnew_counter 3\n"
                                         "frames_sent 5\n", &g, err,
                                         sizeof err), 0);
  assert_int_equal (g.nexports, 1);
  assert_int_equal (g.exports[0].stats.frames_sent, 5);
  aoe_statsfile_free (&g);
}

/* Parse text, which must fail with a reason containing want. */
static void
refused (const char *text, const char *want)
{
  struct aoe_statsfile g;
  char err[128];

  assert_int_equal (aoe_statsfile_parse (text, &g, err, sizeof err), -1);
  if (strstr (err, want) == NULL)
    fail_msg ("reason '%s' lacks '%s'", err, want);
  assert_null (strchr (err, '\n'));
  assert_int_equal (g.nexports, 0);
  assert_null (g.exports);
}

/* Malformed files. */
static void
test_refused (void **state)
{
  refused ("", "no version line");
  refused ("hello\n", "no version line");
  refused ("version 2\n", "line 1: version 2: this reader knows version 1");
  refused ("export e0.1\nversion 1\n", "line 1: export before the version");
  refused ("version 1\nexport e0.1\nframes_sent -1\n",
           "line 3: bad value '-1' for frames_sent");
  refused ("version 1\nexport e0.1\nframes_sent 1x\n", "line 3: bad value");
  refused ("version 1\nexport e0.1\nframes_sent 99999999999999999999\n",
           "line 3: bad value");
  refused ("version 1\nexport e0.1\nwindow 4294967296\n", "line 3: bad value");
  refused ("version 1\nexport e0.1\nopen 2\n", "line 3: bad value '2'");
  refused ("version 1\nexport e0.1\nexport e0.1\n", "line 3: export e0.1 twice");
  refused ("version 1\nexport \n", "line 2: bad export name");
  refused ("version 1\npid abc\n", "line 2: bad pid");
  refused ("version 1\nmonotonic_s x\n", "line 2: bad monotonic_s");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_round_trip),
    cmocka_unit_test (test_control_characters),
    cmocka_unit_test (test_unknown_keys),
    cmocka_unit_test (test_refused),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
