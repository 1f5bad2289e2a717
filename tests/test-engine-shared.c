/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: a shared segment.  Other initiators on the same
 * interface (same MAC) overhear every reply and must never take one
 * (tags carry the initiator id); replies flooded to us for another MAC,
 * or coming from a port the frame did not go to, are dropped; a new port
 * claiming the target carries no data until it proved to be the same
 * disk (lib/engine-verify.c), and one that is another disk, or stays
 * silent, never receives a data frame.
 */
#include "engine-test.h"

/* n harnesses on one interface MAC (the harness's fixed initiator MAC),
 * initiator ids 1..n, each with its own target of the same MAC whose disk
 * holds pattern seed i + 1: every reply reaches every engine.  On a
 * wrongly accepted reply an engine reads another seed. */
static void
make_shared (struct harness **hs, unsigned n)
{
  struct harness_config c;
  unsigned i, k;

  for (i = 0; i < n; i++) {
    harness_default_config (&c);
    c.initiator_id = (uint16_t) (i + 1);
    c.target.seed = i + 1;
    hs[i] = harness_new (&c);
    harness_disk_fill (hs[i], 0, 4096, i + 1);
  }
  for (i = 0; i < n; i++)
    for (k = 0; k < n; k++)
      if (k != i)
        hs[i]->overhear[hs[i]->noverhear++] = hs[k]->engine;
}

/* Step every harness until all are idle or time runs out. */
static void
run_shared (struct harness **hs, unsigned n, uint64_t max_us)
{
  uint64_t limit = hs[0]->now + max_us;
  bool any;
  unsigned i;

  do {
    any = false;
    for (i = 0; i < n; i++)
      any |= harness_step (hs[i], limit);
  } while (any);
}

/* Two and four initiators sharing one MAC read and write the same
 * sectors at once: each completes with its own data only, and counts the
 * others' replies as foreign. */
static void
test_initiators_share_a_mac (void **state)
{
  static const unsigned counts[] = { 2, 4 };
  struct harness *hs[4];
  struct harness_cmd *cmds[4][8];
  unsigned t, i, j, n;

  for (t = 0; t < 2; t++) {
    n = counts[t];
    make_shared (hs, n);
    for (i = 0; i < n; i++)
      for (j = 0; j < 8; j++)
        cmds[i][j] = j % 2 ? harness_write (hs[i], 2048 + j * 64, 64,
                                            100 + i)
                           : harness_read (hs[i], j * 64, 64);
    run_shared (hs, n, 60 * SEC);
    for (i = 0; i < n; i++) {
      for (j = 0; j < 8; j++)
        if (j % 2)
          assert_done_once (cmds[i][j], 0);
        else
          assert_read_pattern (cmds[i][j], i + 1);
      for (j = 1; j < 8; j += 2)
        assert_true (harness_disk_pattern_ok (hs[i], 2048 + j * 64, 64,
                                              100 + i));
      assert_true (harness_stats (hs[i]).dropped_foreign > 0);
      assert_int_equal (harness_stats (hs[i]).timeouts, 0);
    }
    for (i = 0; i < n; i++)
      harness_free (hs[i]);
  }
}

/* Hold the next reply of target t, run the engine until it is held, and
 * pop it into buf.  Returns its length. */
static size_t
catch_reply (struct harness *h, struct fake_target *t, uint8_t *buf,
             size_t cap)
{
  fake_target_faults (t)->hold_replies = 1;
  while (fake_target_held (t) == 0)
    assert_true (harness_step (h, h->now + 10 * SEC));
  fake_target_release_held (t, h->now, false);
  return fake_target_pop_reply (t, h->now, buf, cap);
}

/* A reply with the right tag but addressed to another MAC (a flooding
 * switch showed us another host's traffic) is dropped; the real one then
 * completes the read. */
static void
test_misaddressed_reply_dropped (void **state)
{
  struct harness *h = default_harness ();
  static uint8_t frame[AOE_MAX_FRAME + 64];
  struct harness_cmd *r;
  size_t len;

  harness_disk_fill (h, 0, 17, 9);
  r = harness_read (h, 0, 17);
  len = catch_reply (h, harness_target (h), frame, sizeof frame);
  assert_true (len > 0);
  frame[5] ^= 0x01;             /* dst: another host's MAC */
  harness_inject (h, frame, len);
  assert_int_equal (r->completions, 0);
  assert_int_equal (harness_stats (h).dropped_misaddressed, 1);
  frame[5] ^= 0x01;
  harness_inject (h, frame, len);
  assert_read_pattern (r, 9);
  harness_free (h);
}

/* A reply from a verified port the frame was not sent to is dropped:
 * only the port a frame went to may answer it. */
static void
test_wrong_port_reply_dropped (void **state)
{
  struct fake_target *twin, *sent_to, *other;
  static uint8_t frame[AOE_MAX_FRAME + 64];
  struct harness *h = twin_harness (&twin);
  struct harness_cmd *r;
  struct aoe_engine_stats before;
  size_t len;

  fake_target_faults (twin)->hold_replies = 1;
  harness_faults (h)->hold_replies = 1;
  r = harness_read (h, 0, 1);
  while (fake_target_held (twin) + fake_target_held (harness_target (h)) == 0)
    assert_true (harness_step (h, h->now + SEC));
  sent_to = fake_target_held (twin) ? twin : harness_target (h);
  other = sent_to == twin ? harness_target (h) : twin;
  fake_target_release_held (sent_to, h->now, false);
  len = fake_target_pop_reply (sent_to, h->now, frame, sizeof frame);
  assert_true (len > 0);
  memcpy (frame + 6, fake_target_mac (other), 6);
  before = harness_stats (h);
  harness_inject (h, frame, len);
  assert_int_equal (r->completions, 0);
  assert_int_equal (harness_stats (h).dropped_foreign,
                    before.dropped_foreign + 1);
  memcpy (frame + 6, fake_target_mac (sent_to), 6);
  harness_inject (h, frame, len);
  assert_done_once (r, 0);
  harness_free (h);
}

/* A stranger announces the bound shelf.slot after connect (tag 0, as
 * vblade does): the engine checks it, and the data goes to the verified
 * port only while it does.  Returns the stranger. */
static struct fake_target *
announce_stranger (struct harness *h, const struct fake_target_config *tc)
{
  struct fake_target *t = harness_add_target (h, tc);

  fake_target_announce (t, h->now);
  return t;
}

/* Writes and reads while the stranger is around: all on the real disk,
 * exact; the stranger never sees a READ or WRITE of user data. */
static void
assert_data_avoids (struct harness *h, struct fake_target *stranger)
{
  struct harness_cmd *w, *r;
  uint64_t reads_before = fake_target_counters (stranger)->reads;

  w = harness_write (h, 1000, 17 * 20, 77);
  r = harness_read (h, 3000, 17 * 4);
  harness_disk_fill (h, 3000, 17 * 4, 78);
  assert_true (harness_run (h, 120 * SEC));
  assert_done_once (w, 0);
  assert_read_pattern (r, 78);
  assert_true (harness_disk_pattern_ok (h, 1000, 17 * 20, 77));
  assert_int_equal (fake_target_counters (stranger)->writes, 0);
  assert_int_equal (fake_target_counters (stranger)->reads, reads_before);
}

/* A stranger whose IDENTIFY differs (another capacity) is rejected at its
 * IDENTIFY, before any read, and carries nothing. */
static void
test_stranger_other_identity_rejected (void **state)
{
  struct harness *h = default_harness ();
  struct fake_target_config tc;
  struct fake_target *s;
  struct aoe_port_stats ps;

  tc = (struct fake_target_config) {
    .mac = { 0x02, 0, 0, 0, 0, 0x66 }, .shelf = 0, .slot = 1,
    .sectors = 131072, .buffer_count = 64, .sector_count = 17,
    .lba48 = true, .flush = true, .seed = 3,
  };
  s = announce_stranger (h, &tc);
  assert_true (harness_run (h, 10 * SEC));
  assert_int_equal (aoe_engine_nports (h->engine), 2);
  aoe_engine_port_stats (h->engine, 1, &ps);
  assert_true (ps.rejected);
  assert_int_equal (fake_target_counters (s)->identifies, 1);
  assert_int_equal (fake_target_counters (s)->reads, 0);
  assert_int_equal (harness_stats (h).ports_rejected, 1);
  assert_data_avoids (h, s);
  /* Its later announcements change nothing and are not checked again. */
  fake_target_announce (s, h->now);
  assert_true (harness_run (h, 10 * SEC));
  assert_int_equal (fake_target_counters (s)->identifies, 1);
  assert_int_equal (harness_stats (h).ports_rejected, 1);
  harness_free (h);
}

/* A stranger with the very same IDENTIFY and Query Config (two vblades
 * of one host serving different images of one size as the same
 * shelf.slot) is told apart by the sectors it returns: rejected. */
static void
test_stranger_other_data_rejected (void **state)
{
  struct harness *h = default_harness ();
  struct harness_config c;
  struct fake_target *s;
  struct aoe_port_stats ps;
  uint8_t junk[ATA_SECTOR_SIZE];

  harness_default_config (&c);
  c.target.mac[5] = 0x77;
  s = announce_stranger (h, &c.target);
  memset (junk, 0xA5, sizeof junk);
  fake_target_write_disk (s, 65536 / 2, junk, 1);   /* the middle sector */
  assert_true (harness_run (h, 10 * SEC));
  aoe_engine_port_stats (h->engine, 1, &ps);
  assert_true (ps.rejected);
  assert_int_equal (fake_target_counters (s)->identifies, 1);
  assert_true (fake_target_counters (s)->reads >= 2);
  assert_data_avoids (h, s);
  harness_free (h);
}

/* A stranger that announces and then answers nothing is never verified:
 * connect-style waiting ends (a verdict "no answer"), it is asked again
 * later with a growing pause, and no data frame ever goes to it. */
static void
test_silent_stranger_carries_nothing (void **state)
{
  struct harness *h = default_harness ();
  struct harness_config c;
  struct fake_target *s;
  struct aoe_port_stats ps;
  uint64_t asked;

  harness_default_config (&c);
  c.target.mac[5] = 0x88;
  s = announce_stranger (h, &c.target);
  fake_target_faults (s)->silent = true;
  assert_true (harness_run (h, 10 * SEC));
  assert_int_equal (aoe_engine_ports_unsettled (h->engine), 0);
  aoe_engine_port_stats (h->engine, 1, &ps);
  assert_false (ps.verified);
  assert_false (ps.rejected);
  assert_data_avoids (h, s);
  harness_advance (h, 120 * SEC);
  asked = fake_target_counters (s)->dropped_requests;
  /* Asked again, but backing off: a handful of IDENTIFYs (each with its
   * retransmissions) in two minutes. */
  assert_true (asked >= 4 && asked <= 60);
  assert_int_equal (fake_target_counters (s)->writes, 0);
  harness_free (h);
}

/* A second port of the same disk (its disk holds the same bytes) is
 * verified and then carries data. */
static void
test_twin_verified_and_used (void **state)
{
  struct fake_target *twin;
  struct harness *h = twin_harness (&twin);
  struct harness_cmd *w;

  w = harness_write (h, 0, 17 * 64, 5);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  assert_true (fake_target_counters (twin)->writes > 0);
  assert_true (fake_target_counters (harness_target (h))->writes > 0);
  harness_free (h);
}

/* A stranger whose config string differs is rejected without a frame. */
static void
test_stranger_other_config_rejected (void **state)
{
  struct harness *h = default_harness ();
  struct harness_config c;
  struct fake_target *s;
  struct aoe_port_stats ps;

  harness_default_config (&c);
  c.target.mac[5] = 0x99;
  s = harness_add_target (h, &c.target);
  fake_target_set_config_string (s, "other", 5);
  fake_target_announce (s, h->now);
  assert_true (harness_run (h, 10 * SEC));
  aoe_engine_port_stats (h->engine, 1, &ps);
  assert_true (ps.rejected);
  assert_int_equal (fake_target_counters (s)->identifies, 0);
  assert_data_avoids (h, s);
  harness_free (h);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_initiators_share_a_mac),
    cmocka_unit_test (test_misaddressed_reply_dropped),
    cmocka_unit_test (test_wrong_port_reply_dropped),
    cmocka_unit_test (test_stranger_other_identity_rejected),
    cmocka_unit_test (test_stranger_other_data_rejected),
    cmocka_unit_test (test_silent_stranger_carries_nothing),
    cmocka_unit_test (test_twin_verified_and_used),
    cmocka_unit_test (test_stranger_other_config_rejected),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
