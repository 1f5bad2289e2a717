/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: write ordering across several target ports of one
 * disk (two target processes exporting one image file, one per path).
 *
 * A write completes on the first reply to any of its copies.  When it
 * was sent more than once, another copy may still sit in its port's
 * queue; that port's target applies it later, and on top of any newer
 * overlapping write that went through another port and landed first.
 * (On one port the target's FIFO keeps them in order.)  These tests hold
 * such a copy in a stalled target's queue and check that a newer
 * overlapping write still has the last word.
 */
#include "engine-test.h"

/* True if logged frame i went to target t. */
static bool
sent_to (const struct harness *h, size_t i, const struct fake_target *t)
{
  return memcmp (h->log[i].hdr.dst, fake_target_mac (t), 6) == 0;
}

/* Index of the first logged write frame at or after from, or -1. */
static long
next_write_frame (const struct harness *h, size_t from)
{
  size_t i;

  for (i = from; i < h->nlog; i++)
    if (h->log[i].is_ata
        && (h->log[i].ata.command == ATA_WRITE_SECTORS_EXT
            || h->log[i].ata.command == ATA_WRITE_SECTORS))
      return (long) i;
  return -1;
}

/* Two verified ports A and B on one shared disk.  W1 goes to A, whose
 * reply is held beyond the retransmit timeout, so W1 is sent again on
 * A; A stalls with that copy W1' unserved in its queue.  The original
 * reply is then delivered and completes W1.  W2, overlapping W1 with
 * other data, is submitted after W1 completed (so no ordering rule holds
 * it back); round robin would put it on B.  Then A wakes up and applies
 * W1'.  The disk must hold W2's data, and both writes succeed. */
static void
test_stale_copy_on_other_port (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct fake_target *a, *b, *twin;
  struct harness_cmd *w1, *w2;
  long first, again;

  harness_default_config (&c);
  h = harness_new (&c);
  twin = harness_add_twin (h, &c);
  fake_target_share_disk (twin, harness_target (h));

  /* W1: whichever port it goes to holds its reply; call that one A. */
  harness_faults (h)->hold_replies = 1;
  fake_target_faults (twin)->hold_replies = 1;
  w1 = harness_write (h, 100, 8, 1);
  while (fake_target_held (twin) + fake_target_held (harness_target (h)) == 0)
    assert_true (harness_step (h, h->now + SEC));
  a = fake_target_held (twin) ? twin : harness_target (h);
  b = a == twin ? harness_target (h) : twin;
  fake_target_faults (b)->hold_replies = 0;
  first = next_write_frame (h, 0);
  assert_true (first >= 0);
  assert_true (sent_to (h, (size_t) first, a));

  /* The retransmit timeout passes: W1' goes out on A too, and A stalls
   * with it in its queue. */
  fake_target_faults (a)->hold_requests = 1;
  do {
    assert_true (harness_step (h, h->now + 10 * SEC));
    again = next_write_frame (h, (size_t) first + 1);
  } while (again < 0);
  assert_true (sent_to (h, (size_t) again, a));
  assert_int_equal (fake_target_held_requests (a), 1);
  assert_int_equal (harness_stats (h).retransmits, 1);

  /* The original reply arrives late and completes W1. */
  fake_target_release_held (a, h->now, false);
  assert_true (harness_run_until_done (h, w1, SEC));
  assert_done_once (w1, 0);
  assert_int_equal (fake_target_held_requests (a), 1);

  /* W2 over the same sectors, other data.  Let it go wherever the
   * engine sends it, and run a while (on B it is applied and answered
   * at once). */
  w2 = harness_write (h, 100, 8, 2);
  harness_advance (h, 10 * MS);

  /* A works through its queue: W1' (and whatever queued behind it). */
  fake_target_release_requests (a, h->now);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w2, 0);
  assert_false (harness_disk_pattern_ok (h, 100, 8, 1)); /* W1' on top */
  assert_true (harness_disk_pattern_ok (h, 100, 8, 2));
  harness_free (h);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_stale_copy_on_other_port),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
