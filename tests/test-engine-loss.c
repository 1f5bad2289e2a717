/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: loss and recovery.  Lost requests and replies,
 * duplicate and late replies (never a double completion), exponential
 * backoff of retransmissions, deadline expiry and recovery, and a seeded
 * random-loss stress with a shadow copy of the disk.
 */
#include <stdlib.h>

#include "engine-test.h"

/* Send times of the ATA frames logged since from that address lba. */
static size_t
send_times (const struct harness *h, size_t from, uint64_t lba,
            uint64_t *times, size_t max)
{
  size_t i, n = 0;

  for (i = from; i < h->nlog && n < max; i++)
    if (h->log[i].is_ata && h->log[i].ata.lba == lba)
      times[n++] = h->log[i].at;
  return n;
}

/* A lost request is retransmitted; the read completes once. */
static void
test_lost_request (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r;

  harness_disk_fill (h, 0, 64, 2);
  harness_faults (h)->drop_requests = 1;
  r = harness_read (h, 0, 1);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 2);
  assert_int_equal (harness_stats (h).retransmits, 1);
  assert_int_equal (fake_target_counters (harness_target (h))->dropped_requests,
                    1);
  harness_free (h);
}

/* A request lost in the middle of a window is resent as soon as three
 * later replies overtake it (fast retransmit), long before the retransmit
 * timeout, and the window steps down by one instead of collapsing. */
static void
test_fast_retransmit (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *warm, *r;
  struct aoe_engine_stats st;
  uint64_t start;

  harness_disk_fill (h, 0, 17 * 64, 4);
  warm = harness_read (h, 0, 17 * 32);   /* RTT samples, a full window */
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (warm, 4);
  start = h->now;
  harness_faults (h)->drop_requests = 1;
  r = harness_read (h, 0, 17 * 16);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 4);
  st = harness_stats (h);
  assert_int_equal (st.retransmits, 1);
  assert_int_equal (st.timeouts, 0);
  /* The floor of the retransmit timeout alone is 20 ms. */
  assert_true (r->completed_at - start < AOE_RTO_MIN_US / 2);
  assert_true (st.window >= 4);
  harness_free (h);
}

/* A lost reply: the write is applied twice (idempotent), completes once;
 * the command's other frames are not resent. */
static void
test_lost_reply (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *w;

  harness_faults (h)->drop_replies = 1;
  w = harness_write (h, 0, 34, 8);   /* two frames */
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 0, 34, 8));
  assert_int_equal (harness_stats (h).retransmits, 1);
  assert_int_equal (fake_target_counters (harness_target (h))->writes, 3);
  harness_free (h);
}

/* Every reply duplicated: one completion each; the copies are counted
 * as duplicates and change nothing. */
static void
test_duplicate_replies (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r, *w;

  harness_disk_fill (h, 0, 64, 4);
  harness_faults (h)->duplicate_replies = 100;
  r = harness_read (h, 0, 64);    /* four frames */
  w = harness_write (h, 1000, 17, 5);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 4);
  assert_done_once (w, 0);
  assert_int_equal (harness_stats (h).duplicates, 5);
  assert_int_equal (harness_stats (h).retransmits, 0);
  /* The duplicates arrived after completion and did not touch the
   * (already returned) buffer. */
  assert_true (harness_pattern_ok (r->data, 0, 64, 4));
  harness_free (h);
}

/* The reply to the first transmission arrives after the retransmission
 * went out and before its reply: it completes the command (a late reply);
 * the retransmission's reply is then a duplicate. */
static void
test_late_reply_completes (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *r;
  struct aoe_engine_stats st;
  size_t from = h->nlog;
  uint64_t t[4];

  harness_disk_fill (h, 0, 8, 6);
  f->hold_replies = 2;   /* the first transmission's and the resend's */
  r = harness_read (h, 0, 8);
  /* Run until the retransmission is sent. */
  while (send_times (h, from, 0, t, 4) < 2)
    assert_true (harness_step (h, h->now + 10 * SEC));
  assert_int_equal (r->completions, 0);
  harness_advance (h, 10 * MS);
  assert_int_equal (fake_target_held (harness_target (h)), 2);
  fake_target_release_held (harness_target (h), h->now, false);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 6);
  st = harness_stats (h);
  assert_int_equal (st.late_replies, 1);
  assert_int_equal (st.duplicates, 1);
  harness_free (h);
}

/* The late reply arrives after the retransmission's reply: the command
 * completes once, on the first reply to arrive; the late one is only a
 * duplicate. */
static void
test_late_reply_after_completion (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *w;

  f->hold_replies = 1;
  w = harness_write (h, 50, 3, 3);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  assert_int_equal (fake_target_held (harness_target (h)), 1);
  fake_target_release_held (harness_target (h), h->now, false);
  assert_true (harness_run (h, 10 * SEC));
  assert_int_equal (w->completions, 1);
  assert_int_equal (harness_stats (h).duplicates, 1);
  assert_true (harness_disk_pattern_ok (h, 50, 3, 3));
  harness_free (h);
}

/* Check that the intervals between the send times double until they
 * reach AOE_RTO_MAX_US, starting from first_rto. */
static void
check_backoff (const uint64_t *t, size_t n, uint64_t first_rto)
{
  uint64_t expect = first_rto;
  size_t i;

  assert_true (n >= 6);
  for (i = 1; i < n; i++) {
    uint64_t gap = t[i] - t[i - 1];

    /* Allow one microsecond of harness stepping per interval. */
    assert_true (gap >= expect && gap <= expect + 2);
    expect = 2 * expect < AOE_RTO_MAX_US ? 2 * expect : AOE_RTO_MAX_US;
  }
}

/* Against a dead target, retransmissions of a frame back off
 * exponentially from the initial RTO (no RTT sample yet) up to the
 * ceiling. */
static void
test_backoff_initial_rto (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *r;
  uint64_t t[16];
  size_t n, from;

  harness_default_config (&c);
  c.timeout_ms = UINT32_MAX;
  h = harness_new (&c);
  harness_faults (h)->silent = true;
  from = h->nlog;
  r = harness_read (h, 7, 1);
  harness_advance (h, 40 * SEC);
  assert_int_equal (r->completions, 0);
  n = send_times (h, from, 7, t, 16);
  check_backoff (t, n, harness_stats (h).rto_us);
  harness_free (h);
}

/* After RTT samples, the RTO is small; backoff doubles from there. */
static void
test_backoff_after_samples (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *r;
  struct aoe_engine_stats st;
  uint64_t t[16];
  size_t n, from;
  int i;

  harness_default_config (&c);
  c.timeout_ms = UINT32_MAX;
  h = harness_new (&c);
  for (i = 0; i < 20; i++) {
    r = harness_read (h, (uint64_t) i, 1);
    assert_true (harness_run (h, SEC));
    assert_done_once (r, 0);
  }
  st = harness_stats (h);
  assert_true (st.srtt_us > 0 && st.srtt_us < 1000);
  assert_int_equal (st.rto_us, AOE_RTO_MIN_US);   /* floor on a fast link */

  harness_faults (h)->silent = true;
  from = h->nlog;
  r = harness_read (h, 9, 1);
  harness_advance (h, 30 * SEC);
  n = send_times (h, from, 9, t, 16);
  check_backoff (t, n, AOE_RTO_MIN_US);
  assert_int_equal (r->completions, 0);
  harness_free (h);
}

/* No answer within the timeout: EIO, counted; later commands succeed
 * once the target answers again. */
static void
test_deadline_and_recovery (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *r, *w, *r2;
  uint64_t start;
  size_t sent_after;
  unsigned i;

  harness_default_config (&c);
  c.timeout_ms = 3000;
  h = harness_new (&c);
  harness_faults (h)->silent = true;
  start = h->now;
  r = harness_read (h, 0, 40);
  w = harness_write (h, 100, 1, 1);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (r, EIO);
  assert_done_once (w, EIO);
  assert_true (r->completed_at >= start + 3 * SEC);
  assert_true (r->completed_at <= start + 3 * SEC + 2);
  assert_int_equal (harness_stats (h).timeouts, 2);
  assert_int_equal (aoe_engine_pending (h->engine), 0);
  /* Nothing more is sent for the dead commands. */
  sent_after = h->nlog;
  harness_advance (h, 30 * SEC);
  assert_int_equal (h->nlog, sent_after);

  assert_int_equal (harness_stats (h).window, 1);

  /* The target comes back. */
  harness_faults (h)->silent = false;
  harness_disk_fill (h, 0, 40, 12);
  r2 = harness_read (h, 0, 40);
  w = harness_write (h, 100, 1, 13);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r2, 12);
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 100, 1, 13));
  /* The window, collapsed to 1 by the losses, grows again. */
  for (i = 0; i < 64; i++)
    harness_read (h, i, 1);
  assert_true (harness_run (h, 10 * SEC));
  assert_true (harness_stats (h).window > 1);
  harness_free (h);
}

/* A per-command timeout overrides the engine's default. */
static void
test_per_command_timeout (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r;
  uint64_t start = h->now;

  harness_faults (h)->silent = true;
  r = harness_new_read (h, 0, 1);
  r->cmd.timeout_ms = 500;
  harness_submit (h, r);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (r, EIO);
  assert_true (r->completed_at - start >= 500 * MS);
  assert_true (r->completed_at - start < 600 * MS);
  harness_free (h);
}

/* Seeded random loss of requests and replies plus jitter, 300 mixed
 * commands against a shadow disk: every command completes exactly once
 * with success and the disk and every read match the shadow. */
static void
test_random_loss_stress (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct fake_faults *f;
  enum { SECTORS = 4096, NCMDS = 300 };
  struct harness_cmd *cmds[NCMDS];
  uint8_t *shadow = calloc (SECTORS, 512), *disk = calloc (SECTORS, 512);
  uint64_t rng = 12345;
  unsigned i;

  assert_non_null (shadow);
  assert_non_null (disk);
  harness_default_config (&c);
  c.target.sectors = SECTORS;
  c.target.seed = 99;
  c.timeout_ms = UINT32_MAX;
  h = harness_new (&c);
  f = harness_faults (h);
  f->drop_request_rate = 0.1;
  f->drop_reply_rate = 0.1;
  f->jitter_us = 3000;

  for (i = 0; i < NCMDS; i++) {
    uint64_t sector, count;

    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    count = 1 + (rng >> 33) % 80;
    sector = (rng >> 20) % (SECTORS - count);
    if ((rng >> 60) & 1) {
      /* The engine orders writes among themselves, not reads against
       * writes: let the reads in flight finish, then write alone. */
      assert_true (harness_run (h, 600 * SEC));
      cmds[i] = harness_write (h, sector, (uint32_t) count, i);
      memcpy (shadow + 512 * sector, cmds[i]->data, 512 * count);
      assert_true (harness_run (h, 600 * SEC));
    }
    else
      cmds[i] = harness_read (h, sector, (uint32_t) count);
    assert_int_equal (cmds[i]->submit_err, 0);
  }
  assert_true (harness_run (h, 600 * SEC));
  /* Check every read against the shadow as of its submission: replay. */
  memset (disk, 0, 512 * SECTORS);
  for (i = 0; i < NCMDS; i++) {
    struct harness_cmd *hc = cmds[i];
    size_t off = 512 * hc->cmd.sector, n = 512 * (size_t) hc->cmd.count;

    assert_done_once (hc, 0);
    if (hc->cmd.op == AOE_OP_WRITE)
      memcpy (disk + off, hc->data, n);
    else
      assert_memory_equal (hc->data, disk + off, n);
  }
  assert_memory_equal (disk, shadow, 512 * SECTORS);
  fake_target_read_disk (harness_target (h), 0, disk, SECTORS);
  assert_memory_equal (disk, shadow, 512 * SECTORS);
  assert_true (harness_stats (h).retransmits > 0);
  assert_int_equal (h->completed_in_submit, 0);
  free (shadow);
  free (disk);
  harness_free (h);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_lost_request),
    cmocka_unit_test (test_lost_reply),
    cmocka_unit_test (test_fast_retransmit),
    cmocka_unit_test (test_duplicate_replies),
    cmocka_unit_test (test_late_reply_completes),
    cmocka_unit_test (test_late_reply_after_completion),
    cmocka_unit_test (test_backoff_initial_rto),
    cmocka_unit_test (test_backoff_after_samples),
    cmocka_unit_test (test_deadline_and_recovery),
    cmocka_unit_test (test_per_command_timeout),
    cmocka_unit_test (test_random_loss_stress),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
