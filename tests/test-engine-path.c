/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: path trouble.  A path MTU that shrinks under a copy
 * (large frames vanish, or the target refuses them with AoE error 2) makes
 * the engine fall back to 2-sector frames and carry on; a target restart
 * does not; retransmitted writes stay on their port unless it is demoted
 * (a copy stuck in a slow target's queue must not overtake a newer write
 * sent through another port); a dead port is demoted and its frames move
 * to the working one.
 */
#include "engine-test.h"

/* Largest frame a 1500-byte MTU carries (Ethernet header included). */
#define FRAME_1500 (1500 + AOE_ETH_LEN)

/* Writes whose large frames vanish on the path: fall back, complete,
 * data exact, no command times out. */
static void
test_mtu_drop_writes_fall_back (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *w;
  struct aoe_engine_stats st;

  assert_int_equal (aoe_engine_frame_sectors (h->engine), 17);
  harness_faults (h)->max_frame = FRAME_1500;
  w = harness_write (h, 0, 17 * 8, 3);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  st = harness_stats (h);
  assert_int_equal (st.jumbo_fallbacks, 1);
  assert_int_equal (st.timeouts, 0);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 2);
  assert_true (harness_disk_pattern_ok (h, 0, 17 * 8, 3));
  /* Later commands go out as small frames straight away. */
  w = harness_write (h, 1000, 40, 4);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 1000, 40, 4));
  harness_free (h);
}

/* Reads the target refuses as too large (vblade's AoE error 2 after its
 * MTU went down): fall back at once, no retransmission storm. */
static void
test_mtu_drop_reads_fall_back (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r;
  struct aoe_engine_stats st;
  uint64_t start;

  harness_disk_fill (h, 0, 17 * 4, 5);
  harness_faults (h)->max_frame = FRAME_1500;
  start = h->now;
  r = harness_read (h, 0, 17 * 4);
  assert_true (harness_run (h, 60 * SEC));
  assert_read_pattern (r, 5);
  st = harness_stats (h);
  assert_int_equal (st.jumbo_fallbacks, 1);
  assert_true (st.aoe_errors >= 1 && st.aoe_errors <= 4);
  /* Each refused frame is resent once, shrunk, without waiting for a
   * timeout. */
  assert_true (st.retransmits <= st.aoe_errors);
  assert_int_equal (st.timeouts, 0);
  assert_true (r->completed_at - start < 50 * MS);
  harness_free (h);
}

/* A target that goes silent and comes back announcing itself (a vblade
 * restart) loses frames of every size: no fallback, everything
 * completes once it is back. */
static void
test_restart_keeps_large_frames (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *w;

  f->silent = true;
  w = harness_write (h, 0, 17 * 16, 6);
  assert_false (harness_run (h, 3 * SEC));
  f->silent = false;
  fake_target_announce (harness_target (h), h->now);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 0, 17 * 16, 6));
  assert_int_equal (harness_stats (h).jumbo_fallbacks, 0);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 17);
  harness_free (h);
}

/* Random loss (10% of requests and 10% of replies, like a bad link) hits
 * large and small frames alike: no jumbo fallback, however many large
 * frames happen to be lost in a row or in one window. */
static void
test_random_loss_keeps_large_frames (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct fake_faults *f;
  struct harness_cmd *cmds[64];
  unsigned i, round;

  harness_default_config (&c);
  c.target.seed = 4242;
  c.timeout_ms = UINT32_MAX;
  h = harness_new (&c);
  f = harness_faults (h);
  f->drop_request_rate = 0.1;
  f->drop_reply_rate = 0.1;
  for (round = 0; round < 8; round++) {
    for (i = 0; i < 64; i++) {
      uint64_t sector = (uint64_t) i * 17 * 16;
      cmds[i] = round % 2 ? harness_read (h, sector, 17 * 16)
                          : harness_write (h, sector, 17 * 16, round);
    }
    assert_true (harness_run (h, 3600 * SEC));
    for (i = 0; i < 64; i++)
      assert_done_once (cmds[i], 0);
  }
  assert_true (harness_stats (h).retransmits > 1000);
  assert_int_equal (harness_stats (h).jumbo_fallbacks, 0);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 17);
  harness_free (h);
}

/* A link that carries nothing for a while (no restart announcement
 * afterwards) loses frames of every size: no jumbo fallback either. */
static void
test_outage_keeps_large_frames (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *small, *big;

  small = harness_write (h, 0, 2, 1);
  assert_true (harness_run (h, 10 * SEC));
  f->silent = true;
  big = harness_write (h, 100, 17 * 16, 2);
  small = harness_write (h, 10000, 2, 3);
  assert_false (harness_run (h, 5 * SEC));
  f->silent = false;
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (big, 0);
  assert_done_once (small, 0);
  assert_true (harness_disk_pattern_ok (h, 100, 17 * 16, 2));
  assert_int_equal (harness_stats (h).jumbo_fallbacks, 0);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 17);
  harness_free (h);
}

/* Index of the port (0 or 1) frame i of the log was sent to. */
static int
frame_port (const struct harness *h, size_t i, const struct fake_target *twin)
{
  return memcmp (h->log[i].hdr.dst, fake_target_mac (twin), 6) == 0;
}

/* A lost write is retransmitted on the port it was sent to, while that
 * port is not demoted, even though another port has room. */
static void
test_write_retransmit_same_port (void **state)
{
  struct fake_target *twin;
  struct harness *h = twin_harness (&twin);
  struct harness_cmd *w;
  size_t i, from = h->nlog, n = 0;

  harness_faults (h)->drop_requests = 1;
  fake_target_faults (twin)->drop_requests = 1;
  w = harness_write (h, 0, 2, 7);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  assert_true (harness_stats (h).retransmits >= 1);
  for (i = from; i < h->nlog; i++)
    if (h->log[i].is_ata) {
      assert_int_equal (frame_port (h, i, twin), frame_port (h, from, twin));
      n++;
    }
  assert_true (n >= 2);
  harness_free (h);
}

/* A port that stops answering is demoted after a few losses: reads and
 * writes move to the other port and complete. */
static void
test_dead_port_demoted (void **state)
{
  struct fake_target *twin;
  struct harness *h = twin_harness (&twin);
  struct harness_cmd *w, *r;
  size_t i, from;
  unsigned late_to_dead = 0;

  fake_target_faults (twin)->silent = true;
  w = harness_write (h, 0, 17 * 32, 8);
  r = harness_read (h, 0, 17 * 32);
  assert_true (harness_run (h, 60 * SEC));
  assert_int_equal (w->completions, 1);
  assert_int_equal (w->err, 0);
  assert_int_equal (r->completions, 1);
  assert_int_equal (r->err, 0);
  assert_int_equal (harness_stats (h).timeouts, 0);
  /* Once demoted, the dead port gets at most a probe per second. */
  from = h->nlog;
  w = harness_write (h, 4096, 17 * 64, 9);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 4096, 17 * 64, 9));
  for (i = from; i < h->nlog; i++)
    if (h->log[i].is_ata && frame_port (h, i, twin))
      late_to_dead++;
  assert_true (late_to_dead <= 2);
  harness_free (h);
}

/* Entry point. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_mtu_drop_writes_fall_back),
    cmocka_unit_test (test_mtu_drop_reads_fall_back),
    cmocka_unit_test (test_restart_keeps_large_frames),
    cmocka_unit_test (test_random_loss_keeps_large_frames),
    cmocka_unit_test (test_outage_keeps_large_frames),
    cmocka_unit_test (test_write_retransmit_same_port),
    cmocka_unit_test (test_dead_port_demoted),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
