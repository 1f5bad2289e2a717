/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: the data path on a healthy target.  Connect,
 * read/write round trips over several frames, splitting big commands into
 * frames of the negotiated size (and the sectors-per-frame rule at its
 * edges), LBA28 vs LBA48 command choice, flush command choice, and checks
 * done at submit time.
 */
#include "engine-test.h"

/* Connect learns the port and the identity (like vblade's). */
static void
test_connect (void **state)
{
  struct harness *h = default_harness ();
  const struct aoe_identity *id = aoe_engine_identity (h->engine);
  uint8_t mac[6];
  unsigned iface, bufcnt;

  assert_non_null (id);
  assert_int_equal (id->sectors, 65536);
  assert_true (id->lba48);
  assert_true (id->flush);
  assert_false (id->flush_ext);
  assert_string_equal (id->model, "libaoe fake target");
  assert_string_equal (id->serial, "0.1:fake");
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  aoe_engine_port_info (h->engine, 0, mac, &iface, &bufcnt);
  assert_memory_equal (mac, fake_target_mac (harness_target (h)), 6);
  assert_int_equal (iface, 0);
  assert_int_equal (bufcnt, 16);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 17);
  assert_int_equal (aoe_engine_pending (h->engine), 0);
  harness_free (h);
}

/* A write of 100 sectors (6 frames of at most 17) lands on the disk; a
 * read brings it back; each completes exactly once. */
static void
test_round_trip (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *w, *r;
  size_t from = h->nlog;
  struct aoe_engine_stats st;

  w = harness_write (h, 10, 100, 7);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  assert_int_equal (harness_count_rw_frames (h, from), 6);
  assert_true (harness_disk_pattern_ok (h, 10, 100, 7));
  /* Neighbours untouched. */
  assert_false (harness_disk_pattern_ok (h, 9, 1, 7));
  assert_false (harness_disk_pattern_ok (h, 110, 1, 7));

  from = h->nlog;
  r = harness_read (h, 10, 100);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 7);
  assert_int_equal (harness_count_rw_frames (h, from), 6);

  st = harness_stats (h);
  assert_int_equal (st.bytes_written, 100 * 512);
  assert_int_equal (st.bytes_read, 100 * 512);
  assert_int_equal (st.retransmits, 0);
  assert_int_equal (st.commands_completed, 2 + 2); /* + connect's two */
  assert_int_equal (h->completed_in_submit, 0);
  harness_free (h);
}

/* Reads of data put on the disk directly, at odd offsets and sizes. */
static void
test_read_various_sizes (void **state)
{
  static const struct { uint64_t sector; uint32_t count; } cases[] = {
    { 0, 1 }, { 1, 16 }, { 3, 17 }, { 100, 18 }, { 1000, 34 }, { 65535, 1 },
    { 65536 - 35, 35 }, { 5000, 255 }, { 6000, 256 },
  };
  struct harness *h = default_harness ();
  size_t i;

  harness_disk_fill (h, 0, 65536, 3);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct harness_cmd *r = harness_read (h, cases[i].sector, cases[i].count);

    assert_true (harness_run (h, 10 * SEC));
    assert_read_pattern (r, 3);
  }
  harness_free (h);
}

/* Split a command and check every frame: sizes, LBAs and coverage. */
static void
check_split (unsigned mtu, unsigned max_sectors, unsigned expect_sectors)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *w, *r;
  const uint32_t count = 2048;   /* 1 MiB */
  size_t from, i, nframes = 0;
  uint64_t covered = 0;

  harness_default_config (&c);
  c.mtu = mtu;
  c.max_sectors = max_sectors;
  h = harness_new (&c);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), expect_sectors);

  from = h->nlog;
  w = harness_write (h, 4096, count, 11);
  assert_true (harness_run (h, 60 * SEC));
  assert_done_once (w, 0);
  for (i = from; i < h->nlog; i++) {
    const struct harness_frame *f = &h->log[i];

    assert_true (f->is_ata);
    assert_true (f->ata.sector_count >= 1);
    assert_true (f->ata.sector_count <= expect_sectors);
    assert_int_equal (f->len, AOE_ATA_HDR_LEN + 512 * f->ata.sector_count);
    assert_true (f->len <= mtu + 14);
    covered += f->ata.sector_count;
    nframes++;
  }
  assert_int_equal (covered, count);
  assert_int_equal (nframes, (count + expect_sectors - 1) / expect_sectors);
  assert_int_equal (fake_target_counters (harness_target (h))->max_scnt_seen,
                    expect_sectors);
  assert_true (harness_disk_pattern_ok (h, 4096, count, 11));

  r = harness_read (h, 4096, count);
  assert_true (harness_run (h, 60 * SEC));
  assert_read_pattern (r, 11);
  harness_free (h);
}

/* 1 MiB at MTU 9000: 17-sector frames. */
static void
test_split_jumbo (void **state)
{
  check_split (9000, 0, 17);
}

/* 1 MiB at MTU 1500: 2-sector frames. */
static void
test_split_1500 (void **state)
{
  check_split (1500, 0, 2);
}

/* A user cap on frame sectors wins over MTU and target. */
static void
test_split_capped (void **state)
{
  check_split (9000, 5, 5);
}

/* A target advertising fewer sectors than the MTU allows is obeyed. */
static void
test_split_target_limit (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *w;

  harness_default_config (&c);
  c.target.sector_count = 8;
  h = harness_new (&c);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 8);
  w = harness_write (h, 0, 100, 1);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  assert_int_equal (fake_target_counters (harness_target (h))->max_scnt_seen,
                    8);
  harness_free (h);
}

/* One case of the sectors-per-frame rule: aoe_frame_sectors (mtu,
 * advertised, cap) must be expect. */
struct frame_sectors_case {
  unsigned mtu;         /* the interface's MTU */
  unsigned advertised;  /* the target's sector count (0 means 2) */
  unsigned cap;         /* the user's cap (0: none) */
  unsigned expect;      /* sectors per frame */
};

/* The sectors-per-frame rule at its edges: the MTU bound (MTU - 36) /
 * 512 from one sector at AOE_MIN_MTU (none below), the target's count (0
 * means 2), the user's cap (0: none), and the AOE_MAX_FRAME buffer (17
 * sectors, whatever the MTU). */
static void
test_frame_sectors_rule (void **state)
{
  static const struct frame_sectors_case cases[] = {
    /* MTU bound: 36 + 511 carries no sector, 36 + 512 one. */
    { 0, 255, 0, 0 }, { 36, 255, 0, 0 },
    { 36 + 511, 255, 0, 0 }, { 36 + 511, 0, 0, 0 }, { 36 + 511, 255, 1, 0 },
    { 36 + 512, 255, 0, 1 }, { 36 + 1023, 255, 0, 1 },
    { 36 + 1024, 255, 0, 2 }, { 1500, 255, 0, 2 }, { 9000, 255, 0, 17 },
    /* Beyond MTU 9000 the frame buffer bounds it. */
    { 65535, 255, 0, 17 },
    /* The target's count: 0 means 2, 1 is obeyed, 255 is bounded. */
    { 9000, 0, 0, 2 }, { 1500, 0, 0, 2 }, { 36 + 512, 0, 0, 1 },
    { 9000, 1, 0, 1 }, { 9000, 8, 0, 8 }, { 9000, 255, 0, 17 },
    /* The user's cap: 0 is none, 1 wins, above the others changes
     * nothing. */
    { 9000, 255, 1, 1 }, { 9000, 8, 5, 5 }, { 9000, 8, 9, 8 },
    { 9000, 255, 255, 17 }, { 1500, 255, 3, 2 },
  };
  size_t i;

  assert_int_equal (AOE_MIN_MTU, 36 + 512);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct frame_sectors_case *c = &cases[i];

    if (aoe_frame_sectors (c->mtu, c->advertised, c->cap) != c->expect)
      fail_msg ("aoe_frame_sectors (%u, %u, %u) = %u, expected %u",
                c->mtu, c->advertised, c->cap,
                aoe_frame_sectors (c->mtu, c->advertised, c->cap),
                c->expect);
  }
}

/* An engine refuses an interface whose MTU carries no sector (EINVAL),
 * and accepts the smallest one that does. */
static void
test_engine_min_mtu (void **state)
{
  struct aoe_engine_config cfg = { 0 };
  struct aoe_iface_info iface = { .mac = { 0x02, 0, 0, 0, 0, 1 } };
  struct aoe_engine *e;

  iface.mtu = AOE_MIN_MTU - 1;
  errno = 0;
  assert_null (aoe_engine_new (&cfg, &iface, 1));
  assert_int_equal (errno, EINVAL);
  iface.mtu = AOE_MIN_MTU;
  e = aoe_engine_new (&cfg, &iface, 1);
  assert_non_null (e);
  aoe_engine_free (e);
}

/* A port at the smallest MTU carries one-sector frames. */
static void
test_split_min_mtu (void **state)
{
  check_split (AOE_MIN_MTU, 0, 1);
}

/* The largest command (32 MiB) is split and completes. */
static void
test_largest_command (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *w, *r;
  const uint32_t count = AOE_MAX_CMD_BYTES / 512;

  harness_default_config (&c);
  c.target.sectors = 2 * count;
  h = harness_new (&c);
  w = harness_write (h, count, count, 5);
  assert_true (harness_run (h, 600 * SEC));
  assert_done_once (w, 0);
  r = harness_read (h, count, count);
  assert_true (harness_run (h, 600 * SEC));
  assert_read_pattern (r, 5);
  harness_free (h);
}

/* aoe_engine_next_frame_parts leaves a write's data in the command's
 * buffer: each frame is its header, then a pointer to the frame's
 * sectors of that buffer; a read's frame is whole.  Joined, the parts
 * are the frames the target takes (the data lands). */
static void
test_frame_parts (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *w = harness_write (h, 10, 40, 3), *r;
  static const uint32_t pieces[] = { 17, 17, 6 };
  uint8_t frame[AOE_MAX_FRAME + 64];
  struct aoe_frame_data data;
  unsigned i, iface;
  size_t len;

  for (i = 0; i < 3; i++) {
    len = aoe_engine_next_frame_parts (h->engine, h->now, frame,
                                       sizeof frame, &iface, &data);
    assert_int_equal (len, AOE_ATA_HDR_LEN);
    assert_ptr_equal (data.data, w->data + (i == 0 ? 0 : 17 * 512 * i));
    assert_int_equal (data.len, pieces[i] * 512);
    memcpy (frame + len, data.data, data.len);
    fake_target_receive (harness_target (h), frame, len + data.len, h->now);
  }
  assert_int_equal (aoe_engine_next_frame_parts (h->engine, h->now, frame,
                                                 sizeof frame, &iface, &data),
                    0);
  assert_int_equal (data.len, 0);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  assert_true (harness_disk_pattern_ok (h, 10, 40, 3));

  r = harness_read (h, 10, 1);
  len = aoe_engine_next_frame_parts (h->engine, h->now, frame, sizeof frame,
                                     &iface, &data);
  assert_int_equal (len, 60);   /* padded to Ethernet's minimum */
  assert_null (data.data);
  assert_int_equal (data.len, 0);
  fake_target_receive (harness_target (h), frame, len, h->now);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 3);
  harness_free (h);
}

/* An LBA28 target gets READ/WRITE SECTORS (0x20/0x30) without the E flag
 * and with lba3 = 0xE0 | LBA bits 24-27; data lands at the right LBA. */
static void
test_lba28_commands (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *w, *r;
  const struct fake_target *t;
  const uint64_t sector = 0x0ABCDE00;
  size_t i;

  harness_default_config (&c);
  c.target.lba48 = false;
  c.target.sectors = 0x0FFFFFFF;   /* the LBA28 maximum */
  h = harness_new (&c);
  t = harness_target (h);
  assert_false (aoe_engine_identity (h->engine)->lba48);
  assert_int_equal (aoe_engine_identity (h->engine)->sectors, 0x0FFFFFFF);

  w = harness_write (h, sector, 40, 9);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  r = harness_read (h, sector, 40);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 9);
  /* The last sector of an LBA28 disk. */
  w = harness_write (h, 0x0FFFFFFE, 1, 10);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);

  assert_true (harness_disk_pattern_ok (h, sector, 40, 9));
  assert_true (harness_disk_pattern_ok (h, 0x0FFFFFFE, 1, 10));
  for (i = 0; i < fake_target_nops (t); i++) {
    const struct fake_op *op = fake_target_op (t, i);

    if (op->ata_cmd == ATA_IDENTIFY)
      continue;
    assert_true (op->ata_cmd == ATA_READ_SECTORS ||
                 op->ata_cmd == ATA_WRITE_SECTORS);
    assert_int_equal (op->aflags & AOE_AFLAG_EXTENDED, 0);
    assert_int_equal (op->aflags & AOE_AFLAG_WRITE,
                      op->ata_cmd == ATA_WRITE_SECTORS ? AOE_AFLAG_WRITE : 0);
    assert_int_equal (op->raw_lba >> 28, 0xE);      /* LBA + obsolete bits */
    assert_int_equal (op->raw_lba >> 32, 0);        /* lba4, lba5 zero */
    assert_int_equal (op->raw_lba & 0x0FFFFFFF, op->lba);
  }
  harness_free (h);
}

/* An LBA48 target gets READ/WRITE SECTORS EXT (0x24/0x34) with the E
 * flag, including beyond 2^28 sectors. */
static void
test_lba48_commands (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *w, *r;
  const struct fake_target *t;
  const uint64_t sector = (UINT64_C (1) << 28) + 12345;
  size_t i;

  harness_default_config (&c);
  c.target.sectors = UINT64_C (1) << 29;
  h = harness_new (&c);
  t = harness_target (h);
  assert_int_equal (aoe_engine_identity (h->engine)->sectors,
                    UINT64_C (1) << 29);
  w = harness_write (h, sector, 40, 4);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (w, 0);
  r = harness_read (h, sector, 40);
  assert_true (harness_run (h, 10 * SEC));
  assert_read_pattern (r, 4);
  assert_true (harness_disk_pattern_ok (h, sector, 40, 4));
  for (i = 0; i < fake_target_nops (t); i++) {
    const struct fake_op *op = fake_target_op (t, i);

    if (op->ata_cmd == ATA_IDENTIFY)
      continue;
    assert_true (op->ata_cmd == ATA_READ_SECTORS_EXT ||
                 op->ata_cmd == ATA_WRITE_SECTORS_EXT);
    assert_int_equal (op->aflags & AOE_AFLAG_EXTENDED, AOE_AFLAG_EXTENDED);
    assert_true (op->lba >= sector && op->lba < sector + 40);
  }
  harness_free (h);
}

/* Flush uses FLUSH CACHE EXT only when IDENTIFY offers just that. */
static void
check_flush_command (bool flush, bool flush_ext, uint8_t expect_cmd)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *f;
  size_t from;

  harness_default_config (&c);
  c.target.flush = flush;
  c.target.flush_ext = flush_ext;
  h = harness_new (&c);
  from = h->nlog;
  f = harness_flush (h);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (f, 0);
  assert_int_equal (h->nlog - from, 1);
  assert_true (h->log[from].is_ata);
  assert_int_equal (h->log[from].ata.command, expect_cmd);
  assert_int_equal (h->log[from].ata.sector_count, 0);
  assert_int_equal (fake_target_counters (harness_target (h))->flushes, 1);
  harness_free (h);
}

/* FLUSH CACHE (0xE7) or FLUSH CACHE EXT (0xEA) as IDENTIFY allows. */
static void
test_flush_commands (void **state)
{
  check_flush_command (true, false, ATA_FLUSH_CACHE);
  check_flush_command (false, true, ATA_FLUSH_CACHE_EXT);
  check_flush_command (true, true, ATA_FLUSH_CACHE_EXT);
}

/* Without FLUSH CACHE in IDENTIFY, flush is refused at submit. */
static void
test_flush_unsupported (void **state)
{
  struct harness_config c;
  struct harness *h;
  struct harness_cmd *f;
  size_t from;

  harness_default_config (&c);
  c.target.flush = false;
  h = harness_new (&c);
  from = h->nlog;
  f = harness_flush (h);
  assert_int_equal (f->submit_err, ENOTSUP);
  harness_run (h, 1 * SEC);
  assert_int_equal (f->completions, 0);
  assert_int_equal (h->nlog, from);
  harness_free (h);
}

/* Submit a read that must be refused with err and send nothing. */
static void
check_refused (struct harness *h, struct harness_cmd *hc, int err)
{
  size_t from = h->nlog;

  assert_int_equal (harness_submit (h, hc), err);
  harness_run (h, 1 * SEC);
  assert_int_equal (hc->completions, 0);
  assert_int_equal (h->nlog, from);
}

/* Ranges past the capacity: ENOSPC from submit, nothing sent. */
static void
test_range_past_capacity (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *ok;

  check_refused (h, harness_new_read (h, 65535, 2), ENOSPC);
  check_refused (h, harness_new_read (h, 65536, 1), ENOSPC);
  check_refused (h, harness_new_write (h, 65536, 1, 1), ENOSPC);
  check_refused (h, harness_new_read (h, UINT64_MAX - 1, 2), ENOSPC);
  check_refused (h, harness_new_write (h, UINT64_MAX, 1, 1), ENOSPC);
  /* Exactly up to the end is fine. */
  ok = harness_read (h, 65536 - 20, 20);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (ok, 0);
  harness_free (h);
}

/* Bad fields: EINVAL; no identity yet: ENOTCONN. */
static void
test_submit_validation (void **state)
{
  struct harness_config c;
  struct harness *h = default_harness ();
  struct harness_cmd *hc;

  hc = harness_new_read (h, 0, 1);
  hc->cmd.count = 0;
  check_refused (h, hc, EINVAL);
  hc = harness_new_read (h, 0, 1);
  hc->cmd.buf = NULL;
  check_refused (h, hc, EINVAL);
  hc = harness_new_write (h, 0, 1, 1);
  hc->cmd.count = AOE_MAX_CMD_BYTES / 512 + 1;
  check_refused (h, hc, EINVAL);
  hc = harness_new_read (h, 0, 1);
  hc->cmd.complete = NULL;
  check_refused (h, hc, EINVAL);
  hc = harness_new_control (h, AOE_CMD_CONFIG, NULL, 0, 0xFFFF, 0xFF,
                            (uint8_t[6]) { 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff }, -1);
  hc->cmd.on_reply = NULL;
  check_refused (h, hc, EINVAL);
  hc = harness_new_control (h, AOE_CMD_CONFIG, NULL, 0, 0xFFFF, 0xFF,
                            (uint8_t[6]) { 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff }, 5);   /* no such iface */
  check_refused (h, hc, EINVAL);
  harness_free (h);

  harness_default_config (&c);
  c.no_connect = true;
  h = harness_new (&c);
  check_refused (h, harness_new_read (h, 0, 1), ENOTCONN);
  check_refused (h, harness_new_write (h, 0, 1, 1), ENOTCONN);
  check_refused (h, harness_new_flush (h), ENOTCONN);
  harness_free (h);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_connect),
    cmocka_unit_test (test_round_trip),
    cmocka_unit_test (test_read_various_sizes),
    cmocka_unit_test (test_split_jumbo),
    cmocka_unit_test (test_split_1500),
    cmocka_unit_test (test_split_capped),
    cmocka_unit_test (test_split_target_limit),
    cmocka_unit_test (test_frame_sectors_rule),
    cmocka_unit_test (test_engine_min_mtu),
    cmocka_unit_test (test_split_min_mtu),
    cmocka_unit_test (test_largest_command),
    cmocka_unit_test (test_frame_parts),
    cmocka_unit_test (test_lba28_commands),
    cmocka_unit_test (test_lba48_commands),
    cmocka_unit_test (test_flush_commands),
    cmocka_unit_test (test_flush_unsupported),
    cmocka_unit_test (test_range_past_capacity),
    cmocka_unit_test (test_submit_validation),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
