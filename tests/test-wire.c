/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests for the AoE wire codecs (lib/wire.c): byte vectors for every
 * encoder and decoder, round trips, every too-short and overlong case,
 * and real replies captured from vblade 25 (fixtures/vblade-frames.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wire.h"
#include "fixtures/vblade-frames.h"

/* A header with every field distinct, and its 24 wire bytes. */
static const struct aoe_header sample_header = {
  .dst = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 },
  .src = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb },
  .version = 1, .flags = AOE_FLAG_RESPONSE | AOE_FLAG_ERROR, .error = 2,
  .shelf = 0x1234, .slot = 0x56, .command = AOE_CMD_CONFIG,
  .tag = 0x89abcdef,
};
static const uint8_t sample_header_bytes[24] = {
  0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
  0x88, 0xa2, 0x1c, 0x02, 0x12, 0x34, 0x56, 0x01, 0x89, 0xab, 0xcd, 0xef,
};

/* Big-endian helpers read and write the documented byte order. */
static void
test_be_helpers (void **state)
{
  uint8_t b[4] = { 0 };

  aoe_put_be16 (b, 0xA1B2);
  assert_int_equal (b[0], 0xA1);
  assert_int_equal (b[1], 0xB2);
  assert_int_equal (aoe_get_be16 (b), 0xA1B2);
  aoe_put_be32 (b, 0xC3D4E5F6);
  assert_memory_equal (b, ((uint8_t[]) { 0xC3, 0xD4, 0xE5, 0xF6 }), 4);
  assert_int_equal (aoe_get_be32 (b), 0xC3D4E5F6);
  assert_int_equal (aoe_get_be32 ((uint8_t[]) { 0xff, 0, 0, 1 }), 0xff000001);
}

/* The header encodes to the expected bytes and decodes back. */
static void
test_header_vector (void **state)
{
  uint8_t buf[24];
  struct aoe_header h;

  memset (buf, 0xEE, sizeof buf);
  aoe_wire_put_header (buf, &sample_header);
  assert_memory_equal (buf, sample_header_bytes, 24);

  memset (&h, 0, sizeof h);
  assert_int_equal (aoe_wire_get_header (sample_header_bytes, 24, &h), 0);
  assert_memory_equal (h.dst, sample_header.dst, 6);
  assert_memory_equal (h.src, sample_header.src, 6);
  assert_int_equal (h.version, 1);
  assert_int_equal (h.flags, AOE_FLAG_RESPONSE | AOE_FLAG_ERROR);
  assert_int_equal (h.error, 2);
  assert_int_equal (h.shelf, 0x1234);
  assert_int_equal (h.slot, 0x56);
  assert_int_equal (h.command, AOE_CMD_CONFIG);
  assert_int_equal (h.tag, 0x89abcdef);
}

/* Version and flags are masked to their nibbles on encode. */
static void
test_header_nibbles (void **state)
{
  struct aoe_header h = sample_header;
  uint8_t buf[24];

  h.version = 0x21;   /* only the low nibble fits */
  h.flags = 0xF8;
  aoe_wire_put_header (buf, &h);
  assert_int_equal (buf[14], 0x18);
}

/* Short frames, foreign EtherTypes and NULL are rejected; trailing
 * bytes are not. */
static void
test_header_rejects (void **state)
{
  uint8_t buf[64];
  struct aoe_header h;

  memset (buf, 0, sizeof buf);
  memcpy (buf, sample_header_bytes, 24);
  assert_int_equal (aoe_wire_get_header (buf, 23, &h), -1);
  assert_int_equal (aoe_wire_get_header (buf, 0, &h), -1);
  assert_int_equal (aoe_wire_get_header (NULL, 24, &h), -1);
  assert_int_equal (aoe_wire_get_header (buf, 64, &h), 0);
  buf[13] = 0x00;  /* EtherType 0x8800 */
  assert_int_equal (aoe_wire_get_header (buf, 64, &h), -1);
  buf[12] = 0x08;  /* IPv4 */
  assert_int_equal (aoe_wire_get_header (buf, 64, &h), -1);
}

/* The ATA argument: LBA little-endian, reserved bytes zeroed. */
static void
test_ata_vector (void **state)
{
  struct aoe_ata_arg a = {
    .aflags = AOE_AFLAG_EXTENDED | AOE_AFLAG_WRITE, .feature = 0x12,
    .sector_count = 17, .command = 0x34, .lba = 0x0000A1B2C3D4E5F6,
  };
  static const uint8_t expect[12] = {
    0x41, 0x12, 0x11, 0x34, 0xF6, 0xE5, 0xD4, 0xC3, 0xB2, 0xA1, 0x00, 0x00,
  };
  uint8_t buf[36];
  struct aoe_ata_arg d;

  memset (buf, 0xEE, sizeof buf);
  aoe_wire_put_ata (buf, &a);
  assert_memory_equal (buf + 24, expect, 12);
  assert_int_equal (buf[23], 0xEE);  /* the header is not touched */

  assert_int_equal (aoe_wire_get_ata (buf, 36, &d), 0);
  assert_int_equal (d.aflags, a.aflags);
  assert_int_equal (d.feature, a.feature);
  assert_int_equal (d.sector_count, a.sector_count);
  assert_int_equal (d.command, a.command);
  assert_int_equal (d.lba, a.lba);
}

/* Only 48 LBA bits go on the wire. */
static void
test_ata_lba_truncated (void **state)
{
  struct aoe_ata_arg a = { .lba = UINT64_MAX }, d;
  uint8_t buf[36];

  aoe_wire_put_ata (buf, &a);
  assert_int_equal (buf[34], 0);
  assert_int_equal (buf[35], 0);
  assert_int_equal (aoe_wire_get_ata (buf, 36, &d), 0);
  assert_int_equal (d.lba, (UINT64_C (1) << 48) - 1);
}

/* ATA decode needs 36 bytes and accepts more. */
static void
test_ata_rejects (void **state)
{
  uint8_t buf[60] = { 0 };
  struct aoe_ata_arg d;

  assert_int_equal (aoe_wire_get_ata (buf, 35, &d), -1);
  assert_int_equal (aoe_wire_get_ata (NULL, 36, &d), -1);
  assert_int_equal (aoe_wire_get_ata (buf, 36, &d), 0);
  assert_int_equal (aoe_wire_get_ata (buf, 60, &d), 0);
}

/* Query Config encodes to the expected bytes and decodes back. */
static void
test_config_vector (void **state)
{
  struct aoe_config_arg c = {
    .buffer_count = 0x0102, .firmware = 0x4019, .sector_count = 17,
    .aoe_version = 1, .ccmd = AOE_CCMD_TEST_PREFIX, .config_len = 3,
    .config = (const uint8_t *) "abc",
  };
  static const uint8_t expect[11] = {
    0x01, 0x02, 0x40, 0x19, 0x11, 0x12, 0x00, 0x03, 'a', 'b', 'c',
  };
  uint8_t buf[64];
  struct aoe_config_arg d;

  memset (buf, 0xEE, sizeof buf);
  assert_int_equal (aoe_wire_put_config (buf, sizeof buf, &c), 35);
  assert_memory_equal (buf + 24, expect, sizeof expect);
  assert_int_equal (buf[35], 0xEE);  /* nothing written past the end */

  assert_int_equal (aoe_wire_get_config (buf, 35, &d), 0);
  assert_int_equal (d.buffer_count, 0x0102);
  assert_int_equal (d.firmware, 0x4019);
  assert_int_equal (d.sector_count, 17);
  assert_int_equal (d.aoe_version, 1);
  assert_int_equal (d.ccmd, AOE_CCMD_TEST_PREFIX);
  assert_int_equal (d.config_len, 3);
  assert_ptr_equal (d.config, buf + 32);
  /* Trailing padding is accepted. */
  assert_int_equal (aoe_wire_get_config (buf, 60, &d), 0);
  assert_int_equal (d.config_len, 3);
}

/* Config encode refuses what does not fit and strings over 1024 bytes;
 * exactly 1024 and exactly cap are fine. */
static void
test_config_encode_limits (void **state)
{
  static uint8_t big[AOE_CFG_HDR_LEN + AOE_MAX_CONFIG_LEN + 1];
  static uint8_t str[AOE_MAX_CONFIG_LEN + 1];
  struct aoe_config_arg c = { .config = str };

  c.config_len = AOE_MAX_CONFIG_LEN;
  assert_int_equal (aoe_wire_put_config (big, sizeof big, &c),
                    AOE_CFG_HDR_LEN + AOE_MAX_CONFIG_LEN);
  c.config_len = AOE_MAX_CONFIG_LEN + 1;
  assert_int_equal (aoe_wire_put_config (big, sizeof big, &c), 0);
  c.config_len = 10;
  assert_int_equal (aoe_wire_put_config (big, 42, &c), 42);
  assert_int_equal (aoe_wire_put_config (big, 41, &c), 0);
  c.config_len = 0;
  assert_int_equal (aoe_wire_put_config (big, 32, &c), 32);
  assert_int_equal (aoe_wire_put_config (big, 31, &c), 0);
}

/* Config decode rejects short frames, strings running past the frame
 * and lengths over 1024 even when the frame is long enough. */
static void
test_config_decode_rejects (void **state)
{
  static uint8_t buf[AOE_CFG_HDR_LEN + 2048];
  struct aoe_config_arg d;

  memcpy (buf, sample_header_bytes, 24);
  assert_int_equal (aoe_wire_get_config (buf, 31, &d), -1);
  assert_int_equal (aoe_wire_get_config (NULL, 32, &d), -1);
  aoe_put_be16 (buf + 30, 0);
  assert_int_equal (aoe_wire_get_config (buf, 32, &d), 0);
  aoe_put_be16 (buf + 30, 5);
  assert_int_equal (aoe_wire_get_config (buf, 36, &d), -1);
  assert_int_equal (aoe_wire_get_config (buf, 37, &d), 0);
  aoe_put_be16 (buf + 30, AOE_MAX_CONFIG_LEN + 1);
  assert_int_equal (aoe_wire_get_config (buf, sizeof buf, &d), -1);
  aoe_put_be16 (buf + 30, 0xFFFF);
  assert_int_equal (aoe_wire_get_config (buf, sizeof buf, &d), -1);
  aoe_put_be16 (buf + 30, AOE_MAX_CONFIG_LEN);
  assert_int_equal (aoe_wire_get_config (buf, sizeof buf, &d), 0);
}

/* MAC Mask List: vector, round trip, limits. */
static void
test_mask_vector (void **state)
{
  static const uint8_t dirs[16] = {
    0, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0A,
    0, 2, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0B,
  };
  struct aoe_mask_arg m = { .mcmd = 1, .merror = 0, .dir_count = 2,
                            .dirs = dirs };
  uint8_t buf[64];
  struct aoe_mask_arg d;

  memset (buf, 0xEE, sizeof buf);
  assert_int_equal (aoe_wire_put_mask (buf, sizeof buf, &m), 44);
  assert_memory_equal (buf + 24, ((uint8_t[]) { 0, 1, 0, 2 }), 4);
  assert_memory_equal (buf + 28, dirs, 16);
  assert_int_equal (buf[44], 0xEE);

  assert_int_equal (aoe_wire_get_mask (buf, 44, &d), 0);
  assert_int_equal (d.mcmd, 1);
  assert_int_equal (d.merror, 0);
  assert_int_equal (d.dir_count, 2);
  assert_ptr_equal (d.dirs, buf + 28);
  assert_int_equal (aoe_wire_get_mask (buf, 60, &d), 0);  /* padding */
  /* Directives running past the frame, short frames. */
  assert_int_equal (aoe_wire_get_mask (buf, 43, &d), -1);
  assert_int_equal (aoe_wire_get_mask (buf, 27, &d), -1);
  assert_int_equal (aoe_wire_get_mask (NULL, 44, &d), -1);
  buf[27] = 0;
  assert_int_equal (aoe_wire_get_mask (buf, 28, &d), 0);
  buf[27] = 255;
  assert_int_equal (aoe_wire_get_mask (buf, 64, &d), -1);
  /* Encode limits. */
  assert_int_equal (aoe_wire_put_mask (buf, 43, &m), 0);
  m.dir_count = 0;
  assert_int_equal (aoe_wire_put_mask (buf, 28, &m), 28);
  assert_int_equal (aoe_wire_put_mask (buf, 27, &m), 0);
}

/* Reserve/Release: vector, round trip, limits. */
static void
test_reserve_vector (void **state)
{
  static const uint8_t macs[12] = {
    0x02, 0, 0, 0, 0, 0x0A, 0x02, 0, 0, 0, 0, 0x0B,
  };
  struct aoe_reserve_arg r = { .rcmd = 2, .nmacs = 2, .macs = macs };
  uint8_t buf[64];
  struct aoe_reserve_arg d;

  memset (buf, 0xEE, sizeof buf);
  assert_int_equal (aoe_wire_put_reserve (buf, sizeof buf, &r), 38);
  assert_int_equal (buf[24], 2);
  assert_int_equal (buf[25], 2);
  assert_memory_equal (buf + 26, macs, 12);
  assert_int_equal (buf[38], 0xEE);

  assert_int_equal (aoe_wire_get_reserve (buf, 38, &d), 0);
  assert_int_equal (d.rcmd, 2);
  assert_int_equal (d.nmacs, 2);
  assert_ptr_equal (d.macs, buf + 26);
  assert_int_equal (aoe_wire_get_reserve (buf, 60, &d), 0);
  assert_int_equal (aoe_wire_get_reserve (buf, 37, &d), -1);
  assert_int_equal (aoe_wire_get_reserve (buf, 25, &d), -1);
  assert_int_equal (aoe_wire_get_reserve (NULL, 38, &d), -1);
  buf[25] = 0;
  assert_int_equal (aoe_wire_get_reserve (buf, 26, &d), 0);
  assert_int_equal (aoe_wire_put_reserve (buf, 37, &r), 0);
  r.nmacs = 0;
  assert_int_equal (aoe_wire_put_reserve (buf, 26, &r), 26);
  assert_int_equal (aoe_wire_put_reserve (buf, 25, &r), 0);
}

/* Encoders given a NULL variable part write zeroes (never read NULL). */
static void
test_null_tails (void **state)
{
  uint8_t buf[64];
  struct aoe_config_arg c = { .config_len = 4 };
  struct aoe_mask_arg m = { .dir_count = 1 };
  struct aoe_reserve_arg r = { .nmacs = 1 };

  memset (buf, 0xEE, sizeof buf);
  assert_int_equal (aoe_wire_put_config (buf, sizeof buf, &c), 36);
  assert_memory_equal (buf + 32, ((uint8_t[4]) { 0 }), 4);
  assert_int_equal (aoe_wire_put_mask (buf, sizeof buf, &m), 36);
  assert_memory_equal (buf + 28, ((uint8_t[8]) { 0 }), 8);
  assert_int_equal (aoe_wire_put_reserve (buf, sizeof buf, &r), 32);
  assert_memory_equal (buf + 26, ((uint8_t[6]) { 0 }), 6);
}

/* Header + argument round trips for every command through one buffer. */
static void
test_round_trips (void **state)
{
  uint8_t buf[128];
  struct aoe_header h = sample_header, hd;
  struct aoe_ata_arg a = { .aflags = 0x40, .sector_count = 2,
                           .command = 0x24, .lba = 0x123456789A }, ad;
  unsigned v;

  for (v = 0; v < 16; v++) {
    h.version = v;
    h.flags = (uint8_t) (15 - v);
    h.tag = 0x01020304u * v;
    aoe_wire_put_header (buf, &h);
    aoe_wire_put_ata (buf, &a);
    assert_int_equal (aoe_wire_get_header (buf, 36, &hd), 0);
    assert_int_equal (aoe_wire_get_ata (buf, 36, &ad), 0);
    assert_int_equal (hd.version, v);
    assert_int_equal (hd.flags, 15 - v);
    assert_int_equal (hd.tag, h.tag);
    assert_int_equal (ad.lba, a.lba);
  }
}

/* vblade's start-up announcement: tag 0, version nibble 0, broadcast,
 * buffer count 16, firmware 0x4019, 17 sectors at MTU 9000, 32 bytes. */
static void
test_vblade_announce (void **state)
{
  struct aoe_header h;
  struct aoe_config_arg c;

  assert_int_equal (sizeof vblade_announce, 32);
  assert_int_equal (aoe_wire_get_header (vblade_announce,
                                         sizeof vblade_announce, &h), 0);
  assert_memory_equal (h.dst, ((uint8_t[6]) { 0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff }), 6);
  assert_int_equal (h.version, 0);
  assert_int_equal (h.flags, AOE_FLAG_RESPONSE);
  assert_int_equal (h.tag, 0);
  assert_int_equal (h.shelf, 0);
  assert_int_equal (h.slot, 1);
  assert_int_equal (h.command, AOE_CMD_CONFIG);
  assert_int_equal (aoe_wire_get_config (vblade_announce,
                                         sizeof vblade_announce, &c), 0);
  assert_int_equal (c.buffer_count, 16);
  assert_int_equal (c.firmware, 0x4019);
  assert_int_equal (c.sector_count, 17);
  assert_int_equal (c.aoe_version, 1);
  assert_int_equal (c.config_len, 0);
}

/* Decode a captured config reply and check what vblade 25 says. */
static void
check_vblade_config (const uint8_t *frame, size_t len, uint32_t tag,
                     uint8_t sector_count)
{
  struct aoe_header h;
  struct aoe_config_arg c;

  assert_int_equal (len, 32);  /* short, unpadded */
  assert_int_equal (aoe_wire_get_header (frame, len, &h), 0);
  assert_int_equal (h.version, 1);
  assert_int_equal (h.flags, AOE_FLAG_RESPONSE);
  assert_int_equal (h.tag, tag);
  assert_int_equal (h.shelf, 0);
  assert_int_equal (h.slot, 1);
  assert_int_equal (aoe_wire_get_config (frame, len, &c), 0);
  assert_int_equal (c.buffer_count, 16);
  assert_int_equal (c.firmware, 0x4019);
  assert_int_equal (c.sector_count, sector_count);
  assert_int_equal (c.aoe_version, 1);
  assert_int_equal (c.ccmd, AOE_CCMD_READ);
  assert_int_equal (c.config_len, 0);
}

/* Query Config replies at MTU 9000 (17 sectors) and 1500 (2). */
static void
test_vblade_config (void **state)
{
  check_vblade_config (vblade_config_9000, sizeof vblade_config_9000,
                       0x0A0E0001, 17);
  check_vblade_config (vblade_config_1500, sizeof vblade_config_1500,
                       0x0A0E0007, 2);
}

/* The 60-byte write reply: status 0x40, nothing remaining; its tail
 * echoes written data and is ignored. */
static void
test_vblade_write_reply (void **state)
{
  struct aoe_header h;
  struct aoe_ata_arg a;

  assert_int_equal (sizeof vblade_write, 60);
  assert_int_equal (aoe_wire_get_header (vblade_write, 60, &h), 0);
  assert_int_equal (h.flags, AOE_FLAG_RESPONSE);
  assert_int_equal (h.command, AOE_CMD_ATA);
  assert_int_equal (h.tag, 0x0A0E0003);
  assert_int_equal (aoe_wire_get_ata (vblade_write, 60, &a), 0);
  assert_int_equal (a.aflags, AOE_AFLAG_EXTENDED | AOE_AFLAG_WRITE);
  assert_int_equal (a.command, 0x40);   /* status DRDY */
  assert_int_equal (a.feature, 0);      /* error register */
  assert_int_equal (a.sector_count, 0);
  assert_int_equal (a.lba, 5);
  /* The junk tail is the first bytes written (pattern 7i + 3). */
  assert_int_equal (vblade_write[36], 3);
  assert_int_equal (vblade_write[37], 10);
}

/* The 36-byte reply to a read crossing the end: status 0x41, IDNF. */
static void
test_vblade_read_past_end (void **state)
{
  struct aoe_header h;
  struct aoe_ata_arg a;

  assert_int_equal (sizeof vblade_read_past_end, 36);
  assert_int_equal (aoe_wire_get_header (vblade_read_past_end, 36, &h), 0);
  assert_int_equal (h.flags, AOE_FLAG_RESPONSE);
  assert_int_equal (aoe_wire_get_ata (vblade_read_past_end, 36, &a), 0);
  assert_int_equal (a.command, 0x41);
  assert_int_equal (a.feature, 0x10);
  assert_int_equal (a.lba, 16383);      /* echoed */
}

/* IDENTIFY with scnt 2: AoE error 2 (bad argument), 60 bytes. */
static void
test_vblade_aoe_error (void **state)
{
  struct aoe_header h;
  struct aoe_ata_arg a;

  assert_int_equal (sizeof vblade_identify_scnt2, 60);
  assert_int_equal (aoe_wire_get_header (vblade_identify_scnt2, 60, &h), 0);
  assert_int_equal (h.flags, AOE_FLAG_RESPONSE | AOE_FLAG_ERROR);
  assert_int_equal (h.error, AOE_ERR_BAD_ARG);
  assert_int_equal (h.tag, 0x0A0E0006);
  assert_int_equal (aoe_wire_get_ata (vblade_identify_scnt2, 60, &a), 0);
  assert_int_equal (a.command, 0xEC);   /* the request echoed */
  assert_int_equal (a.sector_count, 2);
}

/* The read reply carries 512 bytes of the data written before. */
static void
test_vblade_read_reply (void **state)
{
  struct aoe_ata_arg a;
  unsigned i;

  assert_int_equal (sizeof vblade_read, 548);
  assert_int_equal (aoe_wire_get_ata (vblade_read, 548, &a), 0);
  assert_int_equal (a.command, 0x40);
  assert_int_equal (a.sector_count, 0);
  for (i = 0; i < 512; i++)
    assert_int_equal (vblade_read[36 + i], (i * 7 + 3) & 0xFF);
}

/* Every prefix of every captured frame decodes or is rejected without
 * reading past its length (each prefix gets its own exact-size heap
 * block, so ASan catches any overread). */
static void
test_vblade_truncations (void **state)
{
  static const struct { const uint8_t *f; size_t len; } frames[] = {
    { vblade_announce, sizeof vblade_announce },
    { vblade_config_9000, sizeof vblade_config_9000 },
    { vblade_identify, sizeof vblade_identify },
    { vblade_write, sizeof vblade_write },
    { vblade_read_past_end, sizeof vblade_read_past_end },
  };
  struct aoe_header h;
  struct aoe_ata_arg a;
  struct aoe_config_arg c;
  struct aoe_mask_arg m;
  struct aoe_reserve_arg r;
  size_t i, len;

  for (i = 0; i < sizeof frames / sizeof frames[0]; i++)
    for (len = 0; len <= frames[i].len; len++) {
      uint8_t *copy = malloc (len ? len : 1);

      memcpy (copy, frames[i].f, len);
      assert_int_equal (aoe_wire_get_header (copy, len, &h),
                        len >= 24 ? 0 : -1);
      assert_int_equal (aoe_wire_get_ata (copy, len, &a),
                        len >= 36 ? 0 : -1);
      if (len < 32)
        assert_int_equal (aoe_wire_get_config (copy, len, &c), -1);
      else
        (void) aoe_wire_get_config (copy, len, &c);
      (void) aoe_wire_get_mask (copy, len, &m);
      (void) aoe_wire_get_reserve (copy, len, &r);
      free (copy);
    }
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_be_helpers),
    cmocka_unit_test (test_header_vector),
    cmocka_unit_test (test_header_nibbles),
    cmocka_unit_test (test_header_rejects),
    cmocka_unit_test (test_ata_vector),
    cmocka_unit_test (test_ata_lba_truncated),
    cmocka_unit_test (test_ata_rejects),
    cmocka_unit_test (test_config_vector),
    cmocka_unit_test (test_config_encode_limits),
    cmocka_unit_test (test_config_decode_rejects),
    cmocka_unit_test (test_mask_vector),
    cmocka_unit_test (test_reserve_vector),
    cmocka_unit_test (test_null_tails),
    cmocka_unit_test (test_round_trips),
    cmocka_unit_test (test_vblade_announce),
    cmocka_unit_test (test_vblade_config),
    cmocka_unit_test (test_vblade_write_reply),
    cmocka_unit_test (test_vblade_read_past_end),
    cmocka_unit_test (test_vblade_aoe_error),
    cmocka_unit_test (test_vblade_read_reply),
    cmocka_unit_test (test_vblade_truncations),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
