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
#include "engine-internal.h"   /* ghosts */

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

/* Two verified ports of one disk: the bound target and a twin sharing
 * its RAM disk. */
static struct harness *
shared_twin_harness (struct fake_target **twin)
{
  struct harness_config c;
  struct harness *h;

  harness_default_config (&c);
  h = harness_new (&c);
  *twin = harness_add_twin (h, &c);
  fake_target_share_disk (*twin, harness_target (h));
  return h;
}

/* The engine's port index of target t. */
static int
port_of (const struct harness *h, const struct fake_target *t)
{
  unsigned i;
  uint8_t mac[6];

  for (i = 0; i < aoe_engine_nports (h->engine); i++) {
    aoe_engine_port_info (h->engine, i, mac, NULL, NULL);
    if (memcmp (mac, fake_target_mac (t), 6) == 0)
      return (int) i;
  }
  return -1;
}

/* Write count sectors at sector (pattern seed) so that it completes with
 * a copy still out: the port it goes to (A, returned) holds its reply
 * past the retransmit timeout, the retransmission W1' goes out on A too
 * and is stalled in A's queue (stall) or lost on the way (!stall), then
 * the original reply arrives and completes the write. */
static struct fake_target *
complete_with_copy_out (struct harness *h, struct fake_target *twin,
                        uint64_t sector, uint32_t count, uint32_t seed,
                        bool stall)
{
  struct fake_target *a, *b;
  struct harness_cmd *w;
  uint64_t retransmits = harness_stats (h).retransmits;
  size_t from = h->nlog;
  long first, again;

  harness_faults (h)->hold_replies = 1;
  fake_target_faults (twin)->hold_replies = 1;
  w = harness_write (h, sector, count, seed);
  while (fake_target_held (twin) + fake_target_held (harness_target (h)) == 0)
    assert_true (harness_step (h, h->now + SEC));
  a = fake_target_held (twin) ? twin : harness_target (h);
  b = a == twin ? harness_target (h) : twin;
  fake_target_faults (b)->hold_replies = 0;
  first = next_write_frame (h, from);
  assert_true (first >= 0);
  assert_true (sent_to (h, (size_t) first, a));

  if (stall)
    fake_target_faults (a)->hold_requests = 1;
  else
    fake_target_faults (a)->drop_requests = 1;
  do {
    assert_true (harness_step (h, h->now + 10 * SEC));
    again = next_write_frame (h, (size_t) first + 1);
  } while (again < 0);
  assert_true (sent_to (h, (size_t) again, a));
  assert_int_equal (harness_stats (h).retransmits, retransmits + 1);

  fake_target_release_held (a, h->now, false);
  assert_true (harness_run_until_done (h, w, SEC));
  assert_done_once (w, 0);
  return a;
}

/* Two verified ports A and B on one shared disk.  W1 goes to A, whose
 * reply is held beyond the retransmit timeout, so W1 is sent again on
 * A; A stalls with that copy W1' unserved in its queue.  The original
 * reply is then delivered and completes W1.  W2, overlapping W1 with
 * other data, is submitted after W1 completed (so no ordering rule holds
 * it back); round robin would put it on B.  Then A wakes up and applies
 * W1'.  The disk must hold W2's data, and both writes succeed.  (The
 * engine sends W2 to A, behind W1' in A's queue, and A's reply to W2
 * ends the ghost.) */
static void
test_stale_copy_on_other_port (void **state)
{
  struct fake_target *a, *twin;
  struct harness *h = shared_twin_harness (&twin);
  struct harness_cmd *w2;

  a = complete_with_copy_out (h, twin, 100, 8, 1, true);
  assert_int_equal (fake_target_held_requests (a), 1);
  assert_int_equal (aoe_engine_ghost_port (h->engine, 100, 8), port_of (h, a));
  assert_int_equal (aoe_engine_ghost_port (h->engine, 108, 8), AOE_GHOST_ANY);

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
  assert_int_equal (aoe_engine_ghost_port (h->engine, 100, 8), AOE_GHOST_ANY);
  assert_int_equal (h->engine->nghosts, 0);
  harness_free (h);
}

/* The copies of a write are stalled at port A, which is demoted after
 * its timeouts, so the write's last retransmission moves to B and
 * completes there, with the copies still in A's queue.  A newer
 * overlapping write must not land before them: it waits (A is demoted)
 * until the ghost ends; A wakes up before that.  The disk holds the
 * newer data. */
static void
test_stale_copies_on_demoted_port (void **state)
{
  struct fake_target *a, *b, *twin;
  struct harness *h = shared_twin_harness (&twin);
  struct harness_cmd *w1, *w2;
  struct aoe_port_stats ps;

  harness_faults (h)->hold_requests = 1;
  fake_target_faults (twin)->hold_requests = 1;
  w1 = harness_write (h, 300, 8, 1);
  while (fake_target_held_requests (twin)
         + fake_target_held_requests (harness_target (h)) == 0)
    assert_true (harness_step (h, h->now + SEC));
  a = fake_target_held_requests (twin) ? twin : harness_target (h);
  b = a == twin ? harness_target (h) : twin;
  fake_target_faults (b)->hold_requests = 0;
  assert_true (harness_run_until_done (h, w1, 30 * SEC));
  assert_done_once (w1, 0);
  aoe_engine_port_stats (h->engine, (unsigned) port_of (h, a), &ps);
  assert_true (ps.demoted);
  assert_true (fake_target_held_requests (a) >= 2);

  w2 = harness_write (h, 300, 8, 2);
  harness_advance (h, 2 * SEC);
  fake_target_release_requests (a, h->now);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w2, 0);
  assert_true (harness_disk_pattern_ok (h, 300, 8, 2));
  harness_free (h);
}

/* A ghost's port goes dead (the copy was lost on the way, then the
 * target stops answering): the newer overlapping write held to that
 * port is not stuck there, it completes on the other port once the
 * ghost has ended. */
static void
test_ghost_on_dead_port (void **state)
{
  struct fake_target *a, *twin;
  struct harness *h = shared_twin_harness (&twin);
  struct harness_cmd *w2;
  uint64_t start;

  a = complete_with_copy_out (h, twin, 500, 8, 1, false);
  fake_target_faults (a)->silent = true;
  start = h->now;
  w2 = harness_write (h, 500, 8, 2);
  assert_true (harness_run_until_done (h, w2, 60 * SEC));
  assert_done_once (w2, 0);
  assert_true (h->now - start <= AOE_GHOST_LIFE_US + 5 * SEC);
  assert_true (harness_disk_pattern_ok (h, 500, 8, 2));
  harness_free (h);
}

/* Many ghosts on few ports: the table stays within its fixed size
 * (ghosts of a port merge), and every newer overlapping write still
 * completes with its data on the disk. */
static void
test_ghosts_bounded (void **state)
{
  struct fake_target *twin;
  struct harness *h = shared_twin_harness (&twin);
  struct harness_cmd *w2[3 * AOE_GHOSTS_PER_PORT];
  unsigned i, n = 3 * AOE_GHOSTS_PER_PORT;

  for (i = 0; i < n; i++) {
    complete_with_copy_out (h, twin, 1000 + 64 * i, 4, 1, false);
    assert_true (h->engine->nghosts <= 2 * AOE_GHOSTS_PER_PORT);
  }
  assert_true (h->engine->nghosts > 0);
  for (i = 0; i < n; i++)
    w2[i] = harness_write (h, 1000 + 64 * i, 4, 2);
  assert_true (harness_run (h, 60 * SEC));
  for (i = 0; i < n; i++) {
    assert_done_once (w2[i], 0);
    assert_true (harness_disk_pattern_ok (h, 1000 + 64 * i, 4, 2));
  }
  harness_free (h);
}

/* A port stalls for a while under a stream of sequential writes (a
 * target process descheduled): its frames time out, it is demoted, its
 * writes move to the other port and leave ghosts there.  After the
 * stall the port must be probed, restored, and carry writes again (the
 * ghosts, merged or not, must not pin frames to it and starve its
 * probes); every write lands. */
static void
test_stalled_port_restored (void **state)
{
  struct fake_target *a, *twin;
  struct harness *h = shared_twin_harness (&twin);
  struct harness_cmd *w[400];
  struct aoe_port_stats ps;
  uint64_t replies;
  unsigned i, pa;

  a = twin;
  pa = (unsigned) port_of (h, a);
  for (i = 0; i < 100; i++)
    w[i] = harness_write (h, 17 * 2 * i, 17 * 2, 1);
  assert_true (harness_run (h, 10 * SEC));
  fake_target_faults (a)->hold_requests = 1;
  for (i = 100; i < 200; i++)
    w[i] = harness_write (h, 17 * 2 * i, 17 * 2, 1);
  harness_advance (h, 300 * MS);
  aoe_engine_port_stats (h->engine, pa, &ps);
  assert_true (ps.demoted);
  assert_true (h->engine->nghosts > 0);   /* moved writes left them */
  fake_target_release_requests (a, h->now);
  assert_true (harness_run (h, 30 * SEC));
  aoe_engine_port_stats (h->engine, pa, &ps);
  replies = ps.replies;
  for (i = 200; i < 400; i++)
    w[i] = harness_write (h, 17 * 2 * i, 17 * 2, 1);
  assert_true (harness_run (h, 30 * SEC));
  harness_advance (h, 2 * SEC);
  for (i = 200; i < 400; i++)
    w[i] = harness_write (h, 17 * 2 * i, 17 * 2, 2);
  assert_true (harness_run (h, 30 * SEC));
  for (i = 0; i < 400; i++)
    assert_done_once (w[i], 0);
  aoe_engine_port_stats (h->engine, pa, &ps);
  assert_false (ps.demoted);
  assert_true (ps.replies > replies + 50);
  assert_true (harness_disk_pattern_ok (h, 0, 17 * 2 * 200, 1));
  assert_true (harness_disk_pattern_ok (h, 17 * 2 * 200, 17 * 2 * 200, 2));
  harness_free (h);
}

/* The common case leaves no ghost: overlapping writes answered on their
 * first copy, spread over both ports. */
static void
test_no_ghost_without_copies (void **state)
{
  struct fake_target *twin;
  struct harness *h = shared_twin_harness (&twin);
  struct harness_cmd *w[16];
  unsigned i;

  for (i = 0; i < 16; i++)
    w[i] = harness_write (h, 0, 17 * 4, i + 1);
  assert_true (harness_run (h, 10 * SEC));
  for (i = 0; i < 16; i++)
    assert_done_once (w[i], 0);
  assert_true (harness_disk_pattern_ok (h, 0, 17 * 4, 16));
  assert_int_equal (harness_stats (h).retransmits, 0);
  assert_int_equal (h->engine->nghosts, 0);
  assert_true (fake_target_counters (twin)->writes > 0);
  assert_true (fake_target_counters (harness_target (h))->writes > 0);
  harness_free (h);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_stale_copy_on_other_port),
    cmocka_unit_test (test_stale_copies_on_demoted_port),
    cmocka_unit_test (test_ghost_on_dead_port),
    cmocka_unit_test (test_ghosts_bounded),
    cmocka_unit_test (test_stalled_port_restored),
    cmocka_unit_test (test_no_ghost_without_copies),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
