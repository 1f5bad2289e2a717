/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests for what aoectl prints that needs no target: the layout of
 * aoectl copy's progress bar (examples/copy-progress.c: the line fits
 * widths 40, 80 and 200 exactly, one column short; what is dropped when
 * narrow; the ETA text) and the text and JSON output of strings
 * (examples/tool-common.c: valid UTF-8 kept, control characters and
 * bytes that are not UTF-8 escaped), and sizes for humans (aoectl
 * stat's listing: tool_format_size).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "copy-progress.h"
#include "tool-common.h"

/* Bytes in a MiB. */
#define MIB (1024 * 1024)

/* A quarter of 256 MiB copied at 112.3 MB/s, 12 s left: the view the
 * width tests draw. */
static const struct progress_view quarter = {
  .label = "copy", .done = 64 * MIB, .total = 256 * MIB, .mb_per_s = 112.3,
  .eta_s = 12,
};

/* Format v at width into a buffer and check the line's length. */
static const char *
format (const struct progress_view *v, unsigned width, size_t want_len)
{
  static char line[PROGRESS_MAX_WIDTH + 1];

  assert_int_equal (progress_format (line, sizeof line, width, v), want_len);
  assert_int_equal (strlen (line), want_len);
  return line;
}

/* The string of n copies of c followed by m copies of d (bars). */
static const char *
bar (char c, size_t n, char d, size_t m)
{
  static char text[PROGRESS_MAX_WIDTH + 1];

  memset (text, c, n);
  memset (text + n, d, m);
  text[n + m] = '\0';
  return text;
}

/* Check that the quarter view at width is "copy  25.00% [BAR]TAIL" with a
 * bar of filled '#' and empty '.', one column short of the width. */
static void
expect_quarter (unsigned width, size_t filled, size_t empty, const char *tail)
{
  char want[2 * PROGRESS_MAX_WIDTH];

  snprintf (want, sizeof want, "copy  25.00%% [%s]%s",
            bar ('#', filled, '.', empty), tail);
  assert_int_equal (strlen (want), width - 1);
  assert_string_equal (format (&quarter, width, width - 1), want);
}

/* The tail of the quarter view with everything shown: the done bytes as
 * wide as the total, the rate 6 wide. */
#define FULL_TAIL "  64.0/256.0 MiB  112.3 MB/s ETA 00:12"

/* The widths: 80 columns, everything, the bar takes the 26 columns
 * left; 200, a bar of 146; 49, the sizes go first, the rate stays; 40,
 * the sizes and the rate make way for a bar of 14. */
static void
test_widths (void **state)
{
  expect_quarter (80, 6, 20, FULL_TAIL);
  expect_quarter (200, 36, 110, FULL_TAIL);
  expect_quarter (49, 2, 9, "  112.3 MB/s ETA 00:12");
  expect_quarter (40, 3, 11, " ETA 00:12");
}

/* Narrower than the text: cut; no room at all: empty.  Wider than
 * PROGRESS_MAX_WIDTH or than the buffer: as wide as they allow (laid out
 * for that width). */
static void
test_width_limits (void **state)
{
  char small[20];

  assert_string_equal (format (&quarter, 10, 9), "copy  25.");
  assert_string_equal (format (&quarter, 1, 0), "");
  assert_string_equal (format (&quarter, 0, 0), "");
  format (&quarter, 5000, PROGRESS_MAX_WIDTH - 1);
  assert_int_equal (progress_format (small, sizeof small, 80, &quarter), 19);
  assert_string_equal (small, "copy  25.00% ETA 00");
}

/* Done, and a stream of unknown length (no bar, no ETA; padded). */
static void
test_done_and_stream (void **state)
{
  struct progress_view v = quarter;
  char want[2 * PROGRESS_MAX_WIDTH];

  v.done = v.total;
  v.eta_s = 0;
  snprintf (want, sizeof want, "copy 100.00%% [%s] 256.0/256.0 MiB  112.3 "
            "MB/s ETA 00:00", bar ('#', 26, '.', 0));
  assert_string_equal (format (&v, 80, 79), want);
  v.total = 0;
  v.label = "verify";
  snprintf (want, sizeof want, "verify 256.0 MiB 112.3 MB/s%s",
            bar (' ', 52, ' ', 0));
  assert_string_equal (format (&v, 80, 79), want);
}

/* The ETA text: "--:--" until known, MM:SS, H:MM:SS from an hour. */
static void
test_eta (void **state)
{
  struct progress_view v = quarter;
  char eta[PROGRESS_ETA_SIZE];
  const char *line;

  progress_format_eta (eta, -1);
  assert_string_equal (eta, "--:--");
  progress_format_eta (eta, 0);
  assert_string_equal (eta, "00:00");
  progress_format_eta (eta, 59.4);
  assert_string_equal (eta, "00:59");
  progress_format_eta (eta, 61);
  assert_string_equal (eta, "01:01");
  progress_format_eta (eta, 3599.6);
  assert_string_equal (eta, "1:00:00");
  progress_format_eta (eta, 3661);
  assert_string_equal (eta, "1:01:01");
  progress_format_eta (eta, 9999.0 * 3600);
  assert_string_equal (eta, "9999:00:00");
  progress_format_eta (eta, 10000.0 * 3600);
  assert_string_equal (eta, "--:--");
  progress_format_eta (eta, strtod ("nan", NULL));
  assert_string_equal (eta, "--:--");
  /* In the line, a longer ETA takes its room from the bar. */
  v.eta_s = -1;
  line = format (&v, 80, 79);
  assert_non_null (strstr (line, "]  64.0/256.0 MiB  112.3 MB/s ETA --:--"));
  v.eta_s = 3661;
  line = format (&v, 80, 79);
  assert_non_null (strstr (line, "]  64.0/256.0 MiB  112.3 MB/s ETA 1:01:01"));
  assert_non_null (strstr (line, bar ('[', 1, '#', 6)));
  assert_null (strstr (line, bar ('#', 7, '.', 0)));
}

/* What print (tool_print_json_string or tool_print_text_string) makes
 * of s. */
static char *
printed (void (*print) (FILE *, const char *), const char *s)
{
  static char *buf;
  size_t size;
  FILE *fp;

  free (buf);
  fp = open_memstream (&buf, &size);
  assert_non_null (fp);
  print (fp, s);
  assert_int_equal (fclose (fp), 0);
  return buf;
}

/* JSON: UTF-8 as it is; quotes, backslashes, control characters and
 * bytes that are not UTF-8 escaped. */
static void
test_json_string (void **state)
{
  void (*json) (FILE *, const char *) = tool_print_json_string;

  assert_string_equal (printed (json, "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  assert_string_equal (printed (json, "\xe2\x82\xac \xf0\x9f\x92\xbe"),
                       "\"\xe2\x82\xac \xf0\x9f\x92\xbe\"");
  assert_string_equal (printed (json, "a\"b\\c"), "\"a\\\"b\\\\c\"");
  assert_string_equal (printed (json, "\x01\n\x1f\x7f"),
                       "\"\\u0001\\u000a\\u001f\\u007f\"");
  assert_string_equal (printed (json, "\xc2\x85"), "\"\\u0085\"");   /* C1 */
  assert_string_equal (printed (json, "x\xe9"), "\"x\\u00e9\"");     /* Latin-1 */
  assert_string_equal (printed (json, "\xc0\xaf"), "\"\\u00c0\\u00af\"");
  assert_string_equal (printed (json, "\xed\xa0\x80"),             /* surrogate */
                       "\"\\u00ed\\u00a0\\u0080\"");
  assert_string_equal (printed (json, "\xf4\x90\x80\x80"),     /* > U+10FFFF */
                       "\"\\u00f4\\u0090\\u0080\\u0080\"");
  assert_string_equal (printed (json, "\xe2\x82"), "\"\\u00e2\\u0082\"");
  assert_string_equal (printed (json, "\xe2\x82x"), "\"\\u00e2\\u0082x\"");
  assert_string_equal (printed (json, ""), "\"\"");
}

/* Text: printable UTF-8 as it is; '\', control characters and bytes that
 * are not UTF-8 as \xXX. */
static void
test_text_string (void **state)
{
  void (*text) (FILE *, const char *) = tool_print_text_string;

  assert_string_equal (printed (text, "caf\xc3\xa9 \"x\""), "caf\xc3\xa9 \"x\"");
  assert_string_equal (printed (text, "\xf0\x9f\x92\xbe"), "\xf0\x9f\x92\xbe");
  assert_string_equal (printed (text, "a\\b"), "a\\x5cb");
  assert_string_equal (printed (text, "\x1b[2J\x7f"), "\\x1b[2J\\x7f");
  assert_string_equal (printed (text, "\xc2\x9b"), "\\xc2\\x9b");     /* C1 CSI */
  assert_string_equal (printed (text, "x\xe9y"), "x\\xe9y");
  assert_string_equal (printed (text, "\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

/* Sizes: bytes below 1 KiB, then three decimals of the largest power of
 * 1024 the value reaches. */
static void
test_format_size (void **state)
{
  char buf[TOOL_SIZE_BUFSIZE];
  static const struct {
    uint64_t bytes;
    const char *want;
  } cases[] = {
    { 0, "0B" }, { 1023, "1023B" }, { 1024, "1.000KiB" },
    { 1536, "1.500KiB" }, { 64ULL << 20, "64.000MiB" },
    { (1ULL << 30) - 512, "1.000GiB" }, { 1ULL << 30, "1.000GiB" },
    { 2ULL << 40, "2.000TiB" }, { UINT64_MAX, "16.000EiB" },
  };
  size_t i;

  (void) state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tool_format_size (cases[i].bytes, buf);
    assert_string_equal (buf, cases[i].want);
  }
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_widths),
    cmocka_unit_test (test_width_limits),
    cmocka_unit_test (test_done_and_stream),
    cmocka_unit_test (test_eta),
    cmocka_unit_test (test_json_string),
    cmocka_unit_test (test_text_string),
    cmocka_unit_test (test_format_size),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
