/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests for what aoectl prints that needs no target: the text and
 * JSON output of strings (examples/tool-common.c: valid UTF-8 kept,
 * control characters and bytes that are not UTF-8 escaped).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tool-common.h"

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

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_json_string),
    cmocka_unit_test (test_text_string),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
