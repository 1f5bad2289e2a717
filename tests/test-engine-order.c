/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: ordering.  Reordered replies, overlapping writes
 * landing in submission order despite loss and retransmission, flush
 * completing only after every earlier write, and non-overlapping writes
 * not serialised needlessly.
 */
#include "engine-test.h"
#include "engine-internal.h"   /* AOE_DUPTHRESH */

/* The index in the target's operation log of the last write covering
 * sector, or -1. */
static long
last_write_of (const struct fake_target *t, uint64_t sector)
{
  long i, n = (long) fake_target_nops (t);

  for (i = n - 1; i >= 0; i--) {
    const struct fake_op *op = fake_target_op (t, (size_t) i);

    if ((op->ata_cmd == ATA_WRITE_SECTORS_EXT ||
         op->ata_cmd == ATA_WRITE_SECTORS) &&
        sector >= op->lba && sector < op->lba + op->count)
      return i;
  }
  return -1;
}

/* Replies held and released in reverse order still land in the right
 * places, each command completing once.  (A target port answers in
 * order, so the engine takes a frame overtaken by AOE_DUPTHRESH later
 * replies for lost and resends it: here that is spurious, costs a few
 * duplicate frames, and changes no data.) */
static void
test_reversed_replies (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r1, *r2;

  harness_disk_fill (h, 0, 200, 5);
  harness_faults (h)->hold_replies = 8;
  r1 = harness_read (h, 0, 68);     /* 4 frames */
  r2 = harness_read (h, 100, 68);   /* 4 frames */
  harness_advance (h, 1 * MS);
  assert_int_equal (fake_target_held (harness_target (h)), 8);
  fake_target_release_held (harness_target (h), h->now, true);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r1, 5);
  assert_read_pattern (r2, 5);
  assert_true (harness_stats (h).retransmits <= 8 - AOE_DUPTHRESH);
  assert_int_equal (harness_stats (h).timeouts, 0);
  harness_free (h);
}

/* Heavy jitter (replies overtake each other) on many reads. */
static void
test_jittered_replies (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r[32];
  unsigned i;

  harness_disk_fill (h, 0, 32 * 40, 6);
  harness_faults (h)->jitter_us = 5000;
  for (i = 0; i < 32; i++)
    r[i] = harness_read (h, 40 * i, 40);
  assert_true (harness_run (h, 60 * SEC));
  for (i = 0; i < 32; i++)
    assert_read_pattern (r[i], 6);
  harness_free (h);
}

/* Overlapping writes land in submission order even when the first one's
 * frames are lost and retransmitted: the second waits for the first. */
static void
test_overlapping_writes_ordered (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);
  struct harness_cmd *a, *b, *c;

  harness_faults (h)->drop_requests = 2;   /* A's first two frames */
  a = harness_write (h, 0, 51, 1);         /* sectors 0-50, 3 frames */
  b = harness_write (h, 10, 51, 2);        /* sectors 10-60 */
  c = harness_write (h, 40, 1, 3);         /* sector 40 */
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (a, 0);
  assert_done_once (b, 0);
  assert_done_once (c, 0);
  assert_true (harness_stats (h).retransmits >= 2);
  assert_true (a->completion_seq < b->completion_seq);
  assert_true (b->completion_seq < c->completion_seq);
  /* What each write left behind. */
  assert_true (harness_disk_pattern_ok (h, 0, 10, 1));
  assert_true (harness_disk_pattern_ok (h, 10, 30, 2));
  assert_true (harness_disk_pattern_ok (h, 40, 1, 3));
  assert_true (harness_disk_pattern_ok (h, 41, 20, 2));
  /* On the target, B's writes come after A's retransmissions. */
  assert_true (last_write_of (t, 0) < last_write_of (t, 10));
  harness_free (h);
}

/* Overlapping writes whose first one's reply (not request) is lost: the
 * retransmitted A must not overwrite B. */
static void
test_overlapping_writes_lost_reply (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *a, *b;

  harness_faults (h)->drop_replies = 1;
  a = harness_write (h, 0, 17, 1);
  b = harness_write (h, 0, 17, 2);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (a, 0);
  assert_done_once (b, 0);
  assert_true (harness_disk_pattern_ok (h, 0, 17, 2));
  harness_free (h);
}

/* Writes that do not overlap are not held back by a slow one. */
static void
test_disjoint_writes_not_serialised (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *a, *b;

  harness_faults (h)->drop_requests = 1;   /* A's only frame */
  a = harness_write (h, 0, 8, 1);
  b = harness_write (h, 1000, 8, 2);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (a, 0);
  assert_done_once (b, 0);
  assert_true (b->completion_seq < a->completion_seq);
  assert_true (b->completed_at < a->completed_at);
  harness_free (h);
}

/* A flush completes only after every earlier write, and the target sees
 * it after their last (re)transmission. */
static void
test_flush_after_writes (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);
  struct harness_cmd *w[4], *f, *later;
  size_t i, flush_op = 0, n;
  unsigned k;

  harness_faults (h)->drop_requests = 1;   /* w[0]'s first frame */
  for (k = 0; k < 4; k++)
    w[k] = harness_write (h, 1000 * k, 34, k);
  f = harness_flush (h);
  later = harness_write (h, 9000, 1, 9);   /* may pass the flush */
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (f, 0);
  assert_done_once (later, 0);
  for (k = 0; k < 4; k++) {
    assert_done_once (w[k], 0);
    assert_true (w[k]->completion_seq < f->completion_seq);
  }
  n = fake_target_nops (t);
  for (i = 0; i < n; i++)
    if (fake_target_op (t, i)->ata_cmd == ATA_FLUSH_CACHE)
      flush_op = i;
  assert_true (flush_op > 0);
  for (k = 0; k < 4; k++)
    assert_true ((size_t) last_write_of (t, 1000 * k) < flush_op);
  assert_int_equal (fake_target_counters (t)->flushes, 1);
  harness_free (h);
}

/* A flush with nothing before it goes out at once. */
static void
test_flush_alone (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *f;
  uint64_t start = h->now;

  f = harness_flush (h);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (f, 0);
  assert_true (f->completed_at - start < 1 * MS);
  harness_free (h);
}

/* A failed write still releases the flush behind it (which then
 * succeeds: the flush does not inherit the write's error). */
static void
test_flush_after_failed_write (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *ff = harness_faults (h);
  struct harness_cmd *w, *f;

  ff->ata_error_replies = 1;
  ff->ata_status = 0x41;
  ff->ata_error = ATA_ERROR_UNC;
  ff->only_ata_cmd = ATA_WRITE_SECTORS_EXT;
  w = harness_write (h, 0, 1, 1);
  f = harness_flush (h);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, EIO);
  assert_done_once (f, 0);
  assert_true (w->completion_seq < f->completion_seq);
  harness_free (h);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_reversed_replies),
    cmocka_unit_test (test_jittered_replies),
    cmocka_unit_test (test_overlapping_writes_ordered),
    cmocka_unit_test (test_overlapping_writes_lost_reply),
    cmocka_unit_test (test_disjoint_writes_not_serialised),
    cmocka_unit_test (test_flush_after_writes),
    cmocka_unit_test (test_flush_alone),
    cmocka_unit_test (test_flush_after_failed_write),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
