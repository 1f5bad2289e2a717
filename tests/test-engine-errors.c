/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: errors and hostile frames.  AoE error replies fail
 * at once with the mapped errno and are never retransmitted; ATA errors
 * map to EIO / ENOSPC / EPERM; spoofed, stale, mis-addressed and short
 * replies are ignored and counted while the data stays exact; fail_all
 * completes everything once.
 */
#include "engine-test.h"

/* One AoE error reply to a read of `sectors` fails the command with err;
 * nothing is resent, even for a command of several frames. */
static void
check_aoe_error (uint8_t code, int err, uint32_t sectors)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *r;
  struct aoe_engine_stats st;
  size_t from = h->nlog;

  f->aoe_error_replies = 1;
  f->aoe_error = code;
  r = harness_read (h, 0, sectors);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (r, err);
  st = harness_stats (h);
  assert_int_equal (st.aoe_errors, 1);
  assert_int_equal (st.retransmits, 0);
  assert_true (harness_count_rw_frames (h, from) <= 4);
  /* It failed on the first reply, long before any RTO. */
  assert_true (r->completed_at - h->log[from].at < 10 * MS);
  harness_free (h);
}

/* Every AoE error code maps as documented. */
static void
test_aoe_errors (void **state)
{
  const uint32_t four_frames = 17 * 4;

  check_aoe_error (AOE_ERR_BAD_COMMAND, EIO, four_frames);
  /* Bad argument on a small (2-sector) frame is a real error; on a large
   * one it means the frame is too big (test_aoe_error_oversized_frame). */
  check_aoe_error (AOE_ERR_BAD_ARG, EINVAL, 2);
  check_aoe_error (AOE_ERR_UNAVAILABLE, EIO, four_frames);
  check_aoe_error (AOE_ERR_CONFIG_SET, EEXIST, four_frames);
  check_aoe_error (AOE_ERR_VERSION, EIO, four_frames);
  check_aoe_error (AOE_ERR_RESERVED, EACCES, four_frames);
  check_aoe_error (42, EIO, four_frames);
}

/* A target refusing frames larger than it advertised answers AoE error
 * 2 (as vblade does when its MTU went down): the engine falls back to
 * 2-sector frames at once and the write completes, with no
 * retransmission storm.  Here the engine is told a larger limit than the
 * target's real one. */
static void
test_aoe_error_oversized_frame (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *w;
  struct aoe_config_arg cfg;
  struct aoe_engine_stats st;

  harness_default_config (&c);
  c.target.sector_count = 8;
  h = harness_new (&c);
  cfg = h->port_cfg;
  cfg.sector_count = 17;
  assert_int_equal (aoe_engine_add_port (h->engine, 0, h->port_mac, &cfg,
                                         h->now), 0);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 17);
  w = harness_write (h, 0, 17 * 3, 1);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  st = harness_stats (h);
  assert_int_equal (st.jumbo_fallbacks, 1);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 2);
  /* Only frames sent before the fallback were refused. */
  assert_true (st.aoe_errors >= 1 && st.aoe_errors <= 3);
  assert_int_equal (st.timeouts, 0);
  assert_true (harness_disk_pattern_ok (h, 0, 17 * 3, 1));
  harness_free (h);
}

/* One ATA error reply fails the command with err. */
static void
check_ata_error (bool write, uint8_t status, uint8_t error, int err)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *hc;

  f->ata_error_replies = 1;
  f->ata_status = status;
  f->ata_error = error;
  hc = write ? harness_write (h, 0, 34, 1) : harness_read (h, 0, 34);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (hc, err);
  assert_int_equal (harness_stats (h).ata_errors, 1);
  assert_int_equal (harness_stats (h).retransmits, 0);
  harness_free (h);
}

/* ATA status/error mapping through the engine. */
static void
test_ata_errors (void **state)
{
  check_ata_error (false, 0x41, ATA_ERROR_UNC, EIO);
  check_ata_error (false, 0x41, ATA_ERROR_ABRT, EIO);
  check_ata_error (true, 0x41, ATA_ERROR_ABRT, EPERM);
  check_ata_error (false, 0x41, ATA_ERROR_IDNF, ENOSPC);
  check_ata_error (true, 0x41, ATA_ERROR_IDNF, ENOSPC);
  check_ata_error (false, ATA_STATUS_DF | ATA_STATUS_DRDY, 0, EIO);
  check_ata_error (true, ATA_STATUS_BSY, 0, EIO);
}

/* A read-only target (vblade -r): writes fail with EPERM, reads work. */
static void
test_read_only_target (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *w, *r;

  harness_disk_fill (h, 0, 10, 3);
  fake_target_set_read_only (harness_target (h), true);
  w = harness_write (h, 0, 10, 4);
  r = harness_read (h, 0, 10);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, EPERM);
  assert_read_pattern (r, 3);
  assert_true (harness_disk_pattern_ok (h, 0, 10, 3));
  harness_free (h);
}

/* The target's disk is smaller than IDENTIFY claimed (e.g. shrunk
 * since): reads past its end get IDNF and fail with ENOSPC. */
static void
test_idnf_from_target (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *r;
  struct aoe_identity id;

  harness_default_config (&c);
  h = harness_new (&c);
  id = *aoe_engine_identity (h->engine);
  id.sectors = 2 * 65536;      /* the engine believes it is bigger */
  aoe_engine_set_identity (h->engine, &id, 0);
  r = harness_read (h, 65536 - 1, 2);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (r, ENOSPC);
  harness_free (h);
}

/* Forge a copy of every reply (data poisoned with 0xEE) damaged as kind
 * says, delivered before the genuine one: reads stay exact, each
 * command completes once, and the forgeries are counted as dropped. */
static void
check_forgeries (enum fake_mangle kind, bool foreign)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *r, *w;
  struct aoe_engine_stats before, after;
  uint64_t dropped;

  harness_disk_fill (h, 0, 100, 21);
  before = harness_stats (h);
  f->forge_replies = 1000;
  f->mangle = kind;
  memcpy (f->stranger_mac, (uint8_t[6]) { 0x02, 0, 0, 0, 0, 0x66 }, 6);
  r = harness_read (h, 0, 100);       /* 6 frames */
  w = harness_write (h, 200, 20, 22); /* 2 frames */
  assert_true (harness_run (h, 60 * SEC));
  assert_read_pattern (r, 21);
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 200, 20, 22));
  after = harness_stats (h);
  dropped = foreign ? after.dropped_foreign - before.dropped_foreign
                    : after.dropped_malformed - before.dropped_malformed;
  assert_int_equal (dropped, 8);
  assert_int_equal (after.retransmits, before.retransmits);
  harness_free (h);
}

/* Replies from a MAC that is not a port. */
static void
test_spoof_foreign_mac (void **state)
{
  check_forgeries (FAKE_MANGLE_MAC, true);
}

/* Replies about another shelf.slot. */
static void
test_spoof_wrong_shelf_slot (void **state)
{
  check_forgeries (FAKE_MANGLE_SHELF_SLOT, true);
}

/* Replies with a stale tag (another generation of the slot). */
static void
test_spoof_stale_tag (void **state)
{
  check_forgeries (FAKE_MANGLE_TAG, true);
}

/* Replies with another AoE command code. */
static void
test_spoof_wrong_command (void **state)
{
  check_forgeries (FAKE_MANGLE_COMMAND, true);
}

/* Truncated replies: reads lose half their data, writes their status. */
static void
test_spoof_short_frame (void **state)
{
  check_forgeries (FAKE_MANGLE_SHORT, false);
}

/* A "reply" without the response flag is not a reply at all. */
static void
test_spoof_not_a_response (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  struct harness_cmd *r;
  uint64_t received;

  harness_disk_fill (h, 0, 17, 2);
  received = harness_stats (h).frames_received;
  f->forge_replies = 1;
  f->mangle = FAKE_MANGLE_NO_RESPONSE;
  r = harness_read (h, 0, 17);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 2);
  assert_int_equal (harness_stats (h).frames_received, received + 1);
  harness_free (h);
}

/* A genuine reply replaced by a mangled one is as good as lost: the
 * frame is retransmitted and the data still arrives intact. */
static void
test_mangled_reply_retransmitted (void **state)
{
  static const enum fake_mangle kinds[] = {
    FAKE_MANGLE_MAC, FAKE_MANGLE_SHELF_SLOT, FAKE_MANGLE_TAG,
    FAKE_MANGLE_COMMAND, FAKE_MANGLE_SHORT, FAKE_MANGLE_NO_RESPONSE,
  };
  size_t i;

  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    struct harness *h = default_harness ();
    struct fake_faults *f = harness_faults (h);
    struct harness_cmd *r;

    harness_disk_fill (h, 0, 17, 30);
    f->mangle_replies = 1;
    f->mangle = kinds[i];
    memcpy (f->stranger_mac, (uint8_t[6]) { 0x02, 0, 0, 0, 0, 0x66 }, 6);
    r = harness_read (h, 0, 17);
    assert_true (harness_run (h, 10 * SEC));
    assert_read_pattern (r, 30);
    assert_int_equal (harness_stats (h).retransmits, 1);
    harness_free (h);
  }
}

/* Garbage injected on the wire is counted, never fatal. */
static void
test_garbage_frames (void **state)
{
  struct harness *h = default_harness ();
  struct aoe_engine_stats before = harness_stats (h), after;
  uint8_t frame[64];
  struct harness_cmd *r;
  size_t len;

  memset (frame, 0, sizeof frame);
  harness_inject (h, frame, 10);            /* shorter than a header */
  harness_inject (h, frame, 0);
  frame[12] = 0x08;                          /* IPv4, not AoE */
  harness_inject (h, frame, sizeof frame);
  after = harness_stats (h);
  assert_int_equal (after.dropped_malformed, before.dropped_malformed + 3);

  /* A response in our tag space (initiator id 0) naming a slot that is
   * not in use. */
  aoe_wire_put_header (frame, &(struct aoe_header) {
      .version = 1, .flags = AOE_FLAG_RESPONSE, .shelf = 0, .slot = 1,
      .command = AOE_CMD_ATA, .tag = 0x80001234 });
  memcpy (frame, h->iface.mac, 6);
  memcpy (frame + 6, fake_target_mac (harness_target (h)), 6);
  harness_inject (h, frame, 60);
  /* ... and one with bit 31 clear: a kernel driver's tag, never ours. */
  aoe_put_be32 (frame + 20, 0x0001FFFF);
  harness_inject (h, frame, 60);
  before = after;
  after = harness_stats (h);
  assert_int_equal (after.dropped_foreign, before.dropped_foreign + 2);

  /* Every length of an all-0xFF AoE response. */
  for (len = 0; len <= sizeof frame; len++) {
    memset (frame, 0xFF, sizeof frame);
    frame[12] = 0x88;
    frame[13] = 0xA2;
    harness_inject (h, frame, len);
  }
  /* The engine still works. */
  r = harness_read (h, 0, 1);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (r, 0);
  harness_free (h);
}

/* fail_all completes queued and in-flight commands exactly once with the
 * given err; their late replies are ignored. */
static void
test_fail_all (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *cmds[40];
  unsigned i;

  harness_faults (h)->hold_replies = 1000;
  for (i = 0; i < 40; i++)
    cmds[i] = i % 2 ? harness_write (h, 100 * i, 50, i)
                    : harness_read (h, 100 * i, 50);
  harness_advance (h, 1 * MS);
  assert_true (aoe_engine_pending (h->engine) == 40);
  aoe_engine_fail_all (h->engine, ESHUTDOWN);
  assert_int_equal (aoe_engine_pending (h->engine), 0);
  for (i = 0; i < 40; i++)
    assert_done_once (cmds[i], ESHUTDOWN);
  fake_target_release_held (harness_target (h), h->now, false);
  assert_true (harness_run (h, 10 * SEC));
  for (i = 0; i < 40; i++)
    assert_int_equal (cmds[i]->completions, 1);
  assert_int_equal (harness_stats (h).in_flight, 0);
  harness_free (h);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_aoe_errors),
    cmocka_unit_test (test_aoe_error_oversized_frame),
    cmocka_unit_test (test_ata_errors),
    cmocka_unit_test (test_read_only_target),
    cmocka_unit_test (test_idnf_from_target),
    cmocka_unit_test (test_spoof_foreign_mac),
    cmocka_unit_test (test_spoof_wrong_shelf_slot),
    cmocka_unit_test (test_spoof_stale_tag),
    cmocka_unit_test (test_spoof_wrong_command),
    cmocka_unit_test (test_spoof_short_frame),
    cmocka_unit_test (test_spoof_not_a_response),
    cmocka_unit_test (test_mangled_reply_retransmitted),
    cmocka_unit_test (test_garbage_frames),
    cmocka_unit_test (test_fail_all),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
