/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests of the engine tests' fake target itself: it must answer
 * like the real vblade 25, byte for byte where vblade is deterministic
 * (compared with the frames captured in fixtures/vblade-frames.h from
 * the same requests capture-vblade.py sends), and its receive buffer
 * must drop what exceeds its capacity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake-target.h"
#include "fixtures/vblade-frames.h"

#define SECTORS 16384 /* the captured image: 8 MiB */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A fake configured like the captured vblade (its MAC, 0.1, 8 MiB,
 * buffer count 16, 17 sectors, LBA48, FLUSH CACHE). */
static struct fake_target *
vblade_like (uint8_t sector_count)
{
  struct fake_target_config c = {
    .shelf = 0, .slot = 1, .sectors = SECTORS, .buffer_count = 16,
    .sector_count = sector_count, .lba48 = true, .flush = true,
  };

  memcpy (c.mac, vblade_config_9000 + 6, 6);
  return fake_target_new (&c);
}

/* Build the probe's request header: to dst, tag, command, shelf.slot. */
static void
probe_header (uint8_t *buf, const uint8_t *dst, uint16_t shelf,
              uint8_t slot, uint8_t cmd, uint32_t tag)
{
  struct aoe_header h = {
    .version = 1, .shelf = shelf, .slot = slot, .command = cmd, .tag = tag,
  };

  memcpy (h.dst, dst, 6);
  memcpy (h.src, vblade_config_9000, 6);   /* the probe's MAC */
  aoe_wire_put_header (buf, &h);
}

/* An ATA request of the probe; returns its length. */
static size_t
probe_ata (uint8_t *buf, uint32_t tag, uint8_t aflags, uint8_t scnt,
           uint8_t cmd, uint64_t lba, const uint8_t *data, size_t len)
{
  struct aoe_ata_arg a = { .aflags = aflags, .sector_count = scnt,
                           .command = cmd, .lba = lba };

  probe_header (buf, vblade_config_9000 + 6, 0, 1, AOE_CMD_ATA, tag);
  aoe_wire_put_ata (buf, &a);
  if (len > 0)
    memcpy (buf + AOE_ATA_HDR_LEN, data, len);
  return AOE_ATA_HDR_LEN + len;
}

/* Send one request at time now and return the reply's length (copied
 * into reply); 0 if none came. */
static size_t
exchange (struct fake_target *t, const uint8_t *req, size_t len,
          uint64_t now, uint8_t *reply, size_t cap)
{
  fake_target_receive (t, req, len, now);
  return fake_target_pop_reply (t, now + 1000000, reply, cap);
}

/* Query Config replies equal vblade's at both frame sizes. */
static void
test_config_like_vblade (void **state)
{
  uint8_t req[32], reply[2048];
  struct fake_target *t = vblade_like (17);
  size_t n;

  memset (req, 0, sizeof req);
  probe_header (req, bcast, 0xFFFF, 0xFF, AOE_CMD_CONFIG, 0x0A0E0001);
  n = exchange (t, req, sizeof req, 1, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_config_9000);
  assert_memory_equal (reply, vblade_config_9000, n);
  fake_target_free (t);

  t = vblade_like (2);
  aoe_put_be32 (req + 20, 0x0A0E0007);
  n = exchange (t, req, sizeof req, 1, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_config_1500);
  assert_memory_equal (reply, vblade_config_1500, n);
  fake_target_free (t);
}

/* The start-up announcement equals vblade's. */
static void
test_announce_like_vblade (void **state)
{
  struct fake_target *t = vblade_like (17);
  uint8_t reply[2048];
  size_t n;

  fake_target_announce (t, 1);
  n = fake_target_pop_reply (t, 1000000, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_announce);
  assert_memory_equal (reply, vblade_announce, n);
  fake_target_free (t);
}

/* Write, read back, read past the end, IDENTIFY with a bad count: the
 * same bytes as vblade (the 60-byte error reply only in its first 36:
 * vblade's tail is stale buffer content). */
static void
test_ata_like_vblade (void **state)
{
  struct fake_target *t = vblade_like (17);
  uint8_t req[AOE_ATA_HDR_LEN + 512], reply[AOE_ATA_HDR_LEN + 512 * 17];
  uint8_t pattern[512];
  size_t len, n, i;

  for (i = 0; i < 512; i++)
    pattern[i] = (uint8_t) (i * 7 + 3);
  len = probe_ata (req, 0x0A0E0003, 0x41, 1, 0x34, 5, pattern, 512);
  n = exchange (t, req, len, 1, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_write);
  assert_memory_equal (reply, vblade_write, n);

  len = probe_ata (req, 0x0A0E0004, 0x40, 1, 0x24, 5, NULL, 0);
  n = exchange (t, req, len, 2000000, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_read);
  assert_memory_equal (reply, vblade_read, n);

  len = probe_ata (req, 0x0A0E0005, 0x40, 2, 0x24, SECTORS - 1, NULL, 0);
  n = exchange (t, req, len, 4000000, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_read_past_end);
  assert_memory_equal (reply, vblade_read_past_end, n);

  len = probe_ata (req, 0x0A0E0006, 0x00, 2, 0xEC, 0xA0u << 24, NULL, 0);
  n = exchange (t, req, len, 6000000, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_identify_scnt2);
  assert_memory_equal (reply, vblade_identify_scnt2, AOE_ATA_HDR_LEN);
  fake_target_free (t);
}

/* IDENTIFY: same header and argument, same words except the strings
 * (serial, firmware, model). */
static void
test_identify_like_vblade (void **state)
{
  struct fake_target *t = vblade_like (17);
  uint8_t req[AOE_ATA_HDR_LEN], reply[AOE_ATA_HDR_LEN + 512];
  const uint8_t *mine = reply + AOE_ATA_HDR_LEN;
  const uint8_t *theirs = vblade_identify + AOE_ATA_HDR_LEN;
  size_t len, n;
  unsigned w;

  len = probe_ata (req, 0x0A0E0002, 0x00, 1, 0xEC, 0xA0u << 24, NULL, 0);
  n = exchange (t, req, len, 1, reply, sizeof reply);
  assert_int_equal (n, sizeof vblade_identify);
  assert_memory_equal (reply, vblade_identify, AOE_ATA_HDR_LEN);
  for (w = 0; w < 256; w++) {
    bool is_string = (w >= 10 && w <= 19) || (w >= 23 && w <= 46);

    if (is_string)
      continue;
    assert_int_equal (mine[2 * w] | mine[2 * w + 1] << 8,
                      theirs[2 * w] | theirs[2 * w + 1] << 8);
  }
  fake_target_free (t);
}

/* A burst beyond the receive buffer: the excess is dropped and counted,
 * the rest answered; outstanding requests drain with service time. */
static void
test_receive_buffer (void **state)
{
  struct fake_target_config c = {
    .mac = { 2, 0, 0, 0, 0, 1 }, .slot = 1, .sectors = 100,
    .buffer_count = 16, .service_us = 10, .latency_us = 50,
  };
  struct fake_target *t = fake_target_new (&c);
  const struct fake_counters *k = fake_target_counters (t);
  uint8_t req[AOE_ATA_HDR_LEN], reply[AOE_ATA_HDR_LEN + 512];
  unsigned i, got = 0;

  for (i = 0; i < 20; i++) {
    struct aoe_ata_arg a = { .sector_count = 1, .command = 0x24, .lba = i };
    struct aoe_header h = { .version = 1, .slot = 1, .tag = i };

    memcpy (h.dst, c.mac, 6);
    aoe_wire_put_header (req, &h);
    aoe_wire_put_ata (req, &a);
    fake_target_receive (t, req, sizeof req, 1000);
  }
  assert_int_equal (k->requests, 20);
  assert_int_equal (k->overflow, 4);
  assert_int_equal (k->max_outstanding, 16);
  /* Served one by one, 10 us apart, arriving 50 us later. */
  assert_int_equal (fake_target_next_reply_time (t), 1000 + 10 + 50);
  while (fake_target_pop_reply (t, 1000 + 16 * 10 + 50, reply,
                                sizeof reply) > 0)
    got++;
  assert_int_equal (got, 16);
  /* Once served, the buffer has room again. */
  fake_target_receive (t, req, sizeof req, 1000 + 16 * 10);
  assert_int_equal (k->overflow, 4);
  fake_target_free (t);
}

/* Held replies are released in order or reversed. */
static void
test_hold_and_release (void **state)
{
  struct fake_target_config c = {
    .mac = { 2, 0, 0, 0, 0, 1 }, .slot = 1, .sectors = 100,
    .buffer_count = 16,
  };
  struct fake_target *t = fake_target_new (&c);
  uint8_t req[AOE_ATA_HDR_LEN], reply[AOE_ATA_HDR_LEN + 512];
  uint32_t i;

  fake_target_faults (t)->hold_replies = 3;
  for (i = 0; i < 3; i++) {
    struct aoe_ata_arg a = { .sector_count = 1, .command = 0x24, .lba = i };
    struct aoe_header h = { .version = 1, .slot = 1, .tag = 100 + i };

    memcpy (h.dst, c.mac, 6);
    aoe_wire_put_header (req, &h);
    aoe_wire_put_ata (req, &a);
    fake_target_receive (t, req, sizeof req, 0);
  }
  assert_int_equal (fake_target_held (t), 3);
  assert_int_equal (fake_target_next_reply_time (t), UINT64_MAX);
  assert_int_equal (fake_target_pop_reply (t, UINT64_MAX - 1, reply,
                                           sizeof reply), 0);
  fake_target_release_held (t, 5000, true);
  for (i = 0; i < 3; i++) {
    assert_true (fake_target_pop_reply (t, 5000, reply, sizeof reply) > 0);
    assert_int_equal (aoe_get_be32 (reply + 20), 102 - i);
  }
  assert_int_equal (fake_target_queued (t), 0);
  fake_target_free (t);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_config_like_vblade),
    cmocka_unit_test (test_announce_like_vblade),
    cmocka_unit_test (test_ata_like_vblade),
    cmocka_unit_test (test_identify_like_vblade),
    cmocka_unit_test (test_receive_buffer),
    cmocka_unit_test (test_hold_and_release),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
