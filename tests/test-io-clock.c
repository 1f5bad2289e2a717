/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests of the I/O session's clock (lib/io-clock.h): events on
 * libaoe's loops take the loop's time and read the real clock only to
 * calibrate; a step of the wall clock (which libev's loop time follows)
 * costs a bounded error and is corrected; the time never runs
 * backwards, whoever read it.  The loop time here is built the way
 * libev builds ev_now: the monotonic reading plus a wall-clock offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "io-clock.h"

#define SEC 1000000u

/* The fake monotonic clock (microseconds) and how often it was read. */
static uint64_t fake_us;
static unsigned reads;

/* The fake clock's reader. */
static uint64_t
read_fake (void)
{
  reads++;
  return fake_us;
}

/* ev_now at fake time now_us, with the wall clock offset_s ahead of the
 * monotonic one. */
static double
loop_time (uint64_t now_us, double offset_s)
{
  return offset_s + (double) now_us / 1e6;
}

/* A fresh clock at fake time start_us, no reading counted yet. */
static struct aoe_io_clock
fresh_clock (uint64_t start_us)
{
  struct aoe_io_clock c = { 0 };

  fake_us = start_us;
  reads = 0;
  return c;
}

/* Events every 100 µs for 10 s read the real clock about once per
 * AOE_IO_CLOCK_RESYNC_S, and their times are exact (no step, no drift). */
static void
test_events_read_clock_only_to_calibrate (void **state)
{
  struct aoe_io_clock c = fresh_clock (5 * SEC);
  const double offset = 1.7e9;   /* a wall clock of today, as libev's */
  uint64_t t;

  for (t = 5 * SEC; t < 15 * SEC; t += 100) {
    uint64_t now;

    fake_us = t;
    now = aoe_io_clock_loop_now (&c, loop_time (t, offset), read_fake);
    /* Exact to the double's resolution at this magnitude. */
    assert_true (now + 1 >= t && now <= t + 1);
  }
  assert_true (reads >= 10 / AOE_IO_CLOCK_RESYNC_S - 1);
  assert_true (reads <= 10 / AOE_IO_CLOCK_RESYNC_S + 2);
}

/* The wall clock steps from offset before_s to after_s (libev's loop
 * time with it) 1 ms after a calibration: the next event reads the real
 * clock instead of taking the step, and the new offset is the
 * calibration from then on. */
static void
check_step_is_read (double before_s, double after_s)
{
  struct aoe_io_clock c = fresh_clock (SEC);
  uint64_t now;

  aoe_io_clock_loop_now (&c, loop_time (SEC, before_s), read_fake);
  fake_us = SEC + 1000;
  now = aoe_io_clock_loop_now (&c, loop_time (fake_us, after_s), read_fake);
  assert_int_equal (now, SEC + 1000);
  assert_int_equal (reads, 2);
  fake_us = SEC + 2000;
  now = aoe_io_clock_loop_now (&c, loop_time (fake_us, after_s), read_fake);
  assert_true (now + 1 >= SEC + 2000 && now <= SEC + 2001);
  assert_int_equal (reads, 2);
}

/* An hour forward (NTP at a board's boot): taken, it would time out
 * every command in flight. */
static void
test_wall_clock_step_forward_is_read (void **state)
{
  check_step_is_read (0, 3600);
}

/* Ten seconds back: the loop time runs backwards. */
static void
test_wall_clock_step_back_is_read (void **state)
{
  check_step_is_read (100, 90);
}

/* A step smaller than AOE_IO_CLOCK_RESYNC_S goes unseen until the next
 * calibration: the error is at most that step, and gone after it. */
static void
test_small_step_error_is_bounded (void **state)
{
  struct aoe_io_clock c = fresh_clock (SEC);
  const double step = AOE_IO_CLOCK_RESYNC_S / 2;
  uint64_t t, now;

  aoe_io_clock_loop_now (&c, loop_time (SEC, 0), read_fake);
  for (t = SEC; t <= 2 * SEC; t += 1000) {
    fake_us = t;
    now = aoe_io_clock_loop_now (&c, loop_time (t, step), read_fake);
    assert_true (now + 1 >= t);
    assert_true (now <= t + (uint64_t) (step * 1e6) + 1);
  }
  /* Calibrated again since: exact. */
  assert_true (now + 1 >= 2 * SEC && now <= 2 * SEC + 1);
}

/* Another thread's real reading later than the loop's time (the loop
 * woke before it): a following event's time is not earlier. */
static void
test_never_backwards_across_readers (void **state)
{
  struct aoe_io_clock c = fresh_clock (SEC);
  uint64_t direct, event;

  aoe_io_clock_loop_now (&c, loop_time (SEC, 0), read_fake);
  fake_us = SEC + 900;
  direct = aoe_io_clock_read_now (&c, read_fake);
  assert_int_equal (direct, SEC + 900);
  /* The loop's time of its wake-up, before that reading. */
  event = aoe_io_clock_loop_now (&c, loop_time (SEC + 300, 0), read_fake);
  assert_true (event >= direct);
  /* A real reading behind the latest time is raised too. */
  fake_us = SEC + 100;
  assert_true (aoe_io_clock_read_now (&c, read_fake) >= direct);
}

/* An uncalibrated clock (a new loop attached) reads at its first event. */
static void
test_uncalibrated_reads (void **state)
{
  struct aoe_io_clock c = fresh_clock (7 * SEC);

  assert_int_equal (aoe_io_clock_loop_now (&c, 42.0, read_fake), 7 * SEC);
  assert_int_equal (reads, 1);
  c.calibrated = false;
  fake_us = 7 * SEC + 10;
  assert_int_equal (aoe_io_clock_loop_now (&c, 42.0, read_fake), 7 * SEC + 10);
  assert_int_equal (reads, 2);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_events_read_clock_only_to_calibrate),
    cmocka_unit_test (test_wall_clock_step_forward_is_read),
    cmocka_unit_test (test_wall_clock_step_back_is_read),
    cmocka_unit_test (test_small_step_error_is_bounded),
    cmocka_unit_test (test_never_backwards_across_readers),
    cmocka_unit_test (test_uncalibrated_reads),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
