/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: the window of frames in flight.  It never exceeds
 * the target's buffer count (nor the user's cap), it is actually used
 * (pipelining), buffer counts of 0 and 1 still make progress, and a
 * target that buffers less than it advertises is survived.
 */
#include "engine-test.h"

/* Submit n reads of count sectors (a burst far larger than any window),
 * run them, check data; return the harness for further checks. */
static struct harness *
burst (const struct harness_config *c, unsigned n, uint32_t count)
{
  struct harness *h = harness_new (c);
  struct harness_cmd *r[128];
  unsigned i;

  assert_true (n <= 128);
  harness_disk_fill (h, 0, n * count, 77);
  for (i = 0; i < n; i++)
    r[i] = harness_read (h, (uint64_t) i * count, count);
  assert_true (harness_run (h, 600 * SEC));
  for (i = 0; i < n; i++)
    assert_read_pattern (r[i], 77);
  return h;
}

/* Buffer count 16: never more than 16 frames in flight or outstanding at
 * the target, nothing overflows, and the window is really used. */
static void
test_window_bounded_by_buffer_count (void **state)
{
  struct harness_config c;
  struct harness *h;
  const struct fake_counters *tc;

  harness_default_config (&c);
  h = burst (&c, 64, 34);
  tc = fake_target_counters (harness_target (h));
  assert_true (h->max_in_flight <= 16);
  assert_true (tc->max_outstanding <= 16);
  assert_int_equal (tc->overflow, 0);
  assert_int_equal (harness_stats (h).retransmits, 0);
  assert_int_equal (harness_stats (h).window_max, 16);
  /* Pipelining: starts at half the buffer count and grows. */
  assert_true (h->max_in_flight >= 8);
  assert_true (tc->max_outstanding >= 8);
  harness_free (h);
}

/* A user cap below the buffer count wins. */
static void
test_window_user_cap (void **state)
{
  struct harness_config c;
  struct harness *h;

  harness_default_config (&c);
  c.max_in_flight = 3;
  h = burst (&c, 40, 17);
  assert_true (h->max_in_flight <= 3);
  assert_true (h->max_in_flight >= 2);
  assert_true (fake_target_counters (harness_target (h))->max_outstanding
               <= 3);
  assert_int_equal (harness_stats (h).window_max, 3);
  harness_free (h);
}

/* A large buffer count allows a large window (up to the slot table). */
static void
test_window_large_buffer_count (void **state)
{
  struct harness_config c;
  struct harness *h;

  harness_default_config (&c);
  c.target.buffer_count = 64;
  h = burst (&c, 128, 34);
  assert_true (h->max_in_flight <= 64);
  assert_true (h->max_in_flight > 16);
  assert_int_equal (fake_target_counters (harness_target (h))->overflow, 0);
  harness_free (h);
}

/* Buffer count 0 or 1: one frame at a time, but progress. */
static void
check_tiny_buffer_count (uint16_t bufcnt)
{
  struct harness_config c;
  struct harness *h;
  const struct fake_counters *tc;

  harness_default_config (&c);
  c.target.buffer_count = bufcnt;
  c.target.rx_capacity = 1;
  h = burst (&c, 20, 40);
  tc = fake_target_counters (harness_target (h));
  assert_int_equal (h->max_in_flight, 1);
  assert_int_equal (tc->max_outstanding, 1);
  assert_int_equal (tc->overflow, 0);
  assert_int_equal (harness_stats (h).window_max, 1);
  harness_free (h);
}

/* Buffer count 0 (kernel bug: never sends anything). */
static void
test_buffer_count_zero (void **state)
{
  check_tiny_buffer_count (0);
}

/* Buffer count 1. */
static void
test_buffer_count_one (void **state)
{
  check_tiny_buffer_count (1);
}

/* A target that advertises 16 but holds only 4 requests drops the
 * excess (vblade with small socket buffers): the engine recovers by
 * retransmission, backs its window off, and the data is exact. */
static void
test_target_overflows (void **state)
{
  struct harness_config c;
  struct harness *h;
  const struct fake_counters *tc;

  harness_default_config (&c);
  c.target.rx_capacity = 4;
  h = burst (&c, 64, 34);
  tc = fake_target_counters (harness_target (h));
  assert_true (tc->overflow > 0);
  assert_true (tc->max_outstanding <= 4);
  assert_true (harness_stats (h).retransmits >= tc->overflow);
  assert_true (h->max_in_flight <= 16);
  harness_free (h);
}

/* The window collapses to 1 on loss and grows back afterwards. */
static void
test_window_collapse_and_growth (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *r[64];
  unsigned i;

  harness_default_config (&c);
  h = harness_new (&c);
  assert_int_equal (harness_stats (h).window, 8);
  harness_faults (h)->drop_requests = 1;
  r[0] = harness_read (h, 0, 1);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (r[0], 0);
  /* Collapsed by the loss (and grown by one reply since at most). */
  assert_true (harness_stats (h).window <= 2);
  for (i = 0; i < 64; i++)
    r[i] = harness_read (h, i, 1);
  assert_true (harness_run (h, 10 * SEC));
  for (i = 0; i < 64; i++)
    assert_done_once (r[i], 0);
  assert_true (harness_stats (h).window > 2);
  assert_true (harness_stats (h).window <= 16);
  harness_free (h);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_window_bounded_by_buffer_count),
    cmocka_unit_test (test_window_user_cap),
    cmocka_unit_test (test_window_large_buffer_count),
    cmocka_unit_test (test_buffer_count_zero),
    cmocka_unit_test (test_buffer_count_one),
    cmocka_unit_test (test_target_overflows),
    cmocka_unit_test (test_window_collapse_and_growth),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
