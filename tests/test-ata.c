/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Unit tests for the ATA layer (lib/ata.c): IDENTIFY parsing (a real
 * vblade 25 block and built ones), command building, and the status and
 * AoE error mappings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "ata.h"
#include "fake-target.h"
#include "fixtures/vblade-frames.h"

/* Store IDENTIFY word n of block. */
static void
set_word (uint8_t *block, unsigned n, unsigned v)
{
  block[2 * n] = v & 0xFF;
  block[2 * n + 1] = v >> 8;
}

/* vblade 25's IDENTIFY of an 8 MiB image: word 83 = 0x5400 (LBA48,
 * FLUSH CACHE, no FLUSH EXT), capacity 16384 sectors, its strings. */
static void
test_vblade_identify (void **state)
{
  const uint8_t *data = vblade_identify + AOE_ATA_HDR_LEN;
  struct aoe_identity id;

  assert_int_equal (sizeof vblade_identify, AOE_ATA_HDR_LEN + 512);
  assert_int_equal (data[2 * 83] | data[2 * 83 + 1] << 8, 0x5400);
  assert_int_equal (data[2 * 86] | data[2 * 86 + 1] << 8, 0x1400);
  assert_int_equal (aoe_ata_parse_identify (data, 512, &id), 0);
  assert_true (id.lba48);
  assert_true (id.flush);
  assert_false (id.flush_ext);
  assert_int_equal (id.sectors, 8 * 1024 * 1024 / 512);
  assert_string_equal (id.model, "Coraid EtherDrive vblade");
  assert_string_equal (id.firmware, "V25");
  /* The serial is "shelf.slot:hostname". */
  assert_memory_equal (id.serial, "0.1:", 4);
  assert_true (strlen (id.serial) > 4);
  assert_null (strchr (id.serial, ' '));
}

/* Blocks shorter than 512 bytes and NULL are rejected. */
static void
test_identify_too_short (void **state)
{
  uint8_t block[512] = { 0 };
  struct aoe_identity id;

  assert_int_equal (aoe_ata_parse_identify (block, 511, &id), -1);
  assert_int_equal (aoe_ata_parse_identify (block, 0, &id), -1);
  assert_int_equal (aoe_ata_parse_identify (NULL, 512, &id), -1);
  assert_int_equal (aoe_ata_parse_identify (block, 512, &id), 0);
  assert_int_equal (id.sectors, 0);
  assert_string_equal (id.model, "");
}

/* Without bit 10 in word 83 or 86, the capacity comes from words 60-61,
 * whatever words 100-103 say. */
static void
test_identify_lba28 (void **state)
{
  uint8_t block[512] = { 0 };
  struct aoe_identity id;

  set_word (block, 60, 0x5678);
  set_word (block, 61, 0x0123);
  set_word (block, 100, 0xFFFF);  /* ignored */
  set_word (block, 83, 0x4000 | 1 << 12);
  assert_int_equal (aoe_ata_parse_identify (block, 512, &id), 0);
  assert_false (id.lba48);
  assert_true (id.flush);
  assert_false (id.flush_ext);
  assert_int_equal (id.sectors, 0x01235678);
}

/* Bit 10 of word 86 alone means LBA48 too; 100-103 give 64 bits. */
static void
test_identify_lba48_from_word86 (void **state)
{
  uint8_t block[512] = { 0 };
  struct aoe_identity id;

  set_word (block, 60, 0xFFFF);   /* ignored */
  set_word (block, 61, 0x0FFF);
  set_word (block, 86, 1 << 10);
  set_word (block, 100, 0x1111);
  set_word (block, 101, 0x2222);
  set_word (block, 102, 0x0003);
  set_word (block, 103, 0x0000);
  set_word (block, 83, 1 << 13);
  assert_int_equal (aoe_ata_parse_identify (block, 512, &id), 0);
  assert_true (id.lba48);
  assert_false (id.flush);
  assert_true (id.flush_ext);
  assert_int_equal (id.sectors, UINT64_C (0x000322221111));
}

/* Strings: bytes swapped per word, spaces and NULs trimmed at both ends,
 * unprintable bytes replaced, a full-width field still terminated. */
static void
test_identify_strings (void **state)
{
  uint8_t block[512];
  struct aoe_identity id;
  unsigned i;

  memset (block, 0, sizeof block);
  /* Model "  AB C" + NULs: words 27.. hold swapped pairs. */
  memcpy (block + 54, "  BAC \0\0", 8);
  /* Firmware: all 8 bytes used, "12345678". */
  memcpy (block + 46, "21436587", 8);
  /* Serial: full 20 characters, one control byte. */
  for (i = 0; i < 20; i++)
    block[20 + (i ^ 1)] = (uint8_t) ('a' + i);
  block[20 + (5 ^ 1)] = 0x07;
  assert_int_equal (aoe_ata_parse_identify (block, 512, &id), 0);
  assert_string_equal (id.model, "AB C");
  assert_string_equal (id.firmware, "12345678");
  assert_string_equal (id.serial, "abcde?ghijklmnopqrst");
}

/* A model of 40 non-space characters fills the field exactly. */
static void
test_identify_full_model (void **state)
{
  uint8_t block[512];
  struct aoe_identity id;
  char model[41];

  memset (model, 'M', 40);
  model[39] = 'Z';
  model[40] = '\0';
  fake_identify_fill (block, 100, false, false, false, model, "S", "F");
  assert_int_equal (aoe_ata_parse_identify (block, 512, &id), 0);
  assert_string_equal (id.model, model);
  assert_string_equal (id.serial, "S");
  assert_string_equal (id.firmware, "F");
}

/* Round trips through the fake target's IDENTIFY builder. */
static void
test_identify_round_trips (void **state)
{
  static const uint64_t sizes[] = {
    0, 1, 16384, 0x0FFFFFFE, 0x0FFFFFFF, UINT64_C (0x10000000),
    UINT64_C (0xFFFFFFFFFFFF),
  };
  uint8_t block[512];
  struct aoe_identity id;
  size_t i;
  unsigned bits;

  for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    for (bits = 0; bits < 8; bits++) {
      bool lba48 = bits & 1, flush = bits & 2, flush_ext = bits & 4;

      fake_identify_fill (block, sizes[i], lba48, flush, flush_ext,
                          "model", "serial", "fw");
      assert_int_equal (aoe_ata_parse_identify (block, 512, &id), 0);
      assert_int_equal (id.lba48, lba48);
      assert_int_equal (id.flush, flush);
      assert_int_equal (id.flush_ext, flush_ext);
      /* Without LBA48 the capacity saturates at 2^28 - 1. */
      if (lba48 || sizes[i] < 0x0FFFFFFF)
        assert_int_equal (id.sectors, sizes[i]);
      else
        assert_int_equal (id.sectors, 0x0FFFFFFF);
      assert_string_equal (id.model, "model");
      assert_string_equal (id.serial, "serial");
      assert_string_equal (id.firmware, "fw");
    }
}

/* LBA28 reads and writes: 0x20/0x30, no E flag, lba3 = 0xE0 | bits
 * 24-27, bytes 4-5 zero; W only on writes. */
static void
test_build_rw_lba28 (void **state)
{
  struct aoe_ata_arg a;
  uint8_t buf[36];

  aoe_ata_build_rw (&a, false, false, 0x0ABCDEF1, 17);
  assert_int_equal (a.command, ATA_READ_SECTORS);
  assert_int_equal (a.aflags, 0);
  assert_int_equal (a.sector_count, 17);
  assert_int_equal (a.feature, 0);
  aoe_wire_put_ata (buf, &a);
  assert_memory_equal (buf + 28, ((uint8_t[]) { 0xF1, 0xDE, 0xBC, 0xEA,
                                                0x00, 0x00 }), 6);

  aoe_ata_build_rw (&a, false, true, 5, 1);
  assert_int_equal (a.command, ATA_WRITE_SECTORS);
  assert_int_equal (a.aflags, AOE_AFLAG_WRITE);
  assert_int_equal (a.lba, 0xE0000005);
  /* The highest LBA28 sector. */
  aoe_ata_build_rw (&a, false, false, ATA_LBA28_LIMIT - 1, 1);
  assert_int_equal (a.lba, 0xEFFFFFFF);
}

/* LBA48: 0x24/0x34 with the E flag, all 48 bits as given. */
static void
test_build_rw_lba48 (void **state)
{
  struct aoe_ata_arg a;
  uint8_t buf[36];

  aoe_ata_build_rw (&a, true, false, UINT64_C (0x123456789ABC), 2);
  assert_int_equal (a.command, ATA_READ_SECTORS_EXT);
  assert_int_equal (a.aflags, AOE_AFLAG_EXTENDED);
  assert_int_equal (a.sector_count, 2);
  aoe_wire_put_ata (buf, &a);
  assert_memory_equal (buf + 28, ((uint8_t[]) { 0xBC, 0x9A, 0x78, 0x56,
                                                0x34, 0x12 }), 6);
  aoe_ata_build_rw (&a, true, true, 0, 255);
  assert_int_equal (a.command, ATA_WRITE_SECTORS_EXT);
  assert_int_equal (a.aflags, AOE_AFLAG_EXTENDED | AOE_AFLAG_WRITE);
  assert_int_equal (a.lba, 0);
  assert_int_equal (a.sector_count, 255);
}

/* IDENTIFY: scnt 1, 0xEC, lba3 0xA0 (the byte vblade echoes). */
static void
test_build_identify (void **state)
{
  struct aoe_ata_arg a;
  uint8_t buf[36];

  memset (&a, 0xEE, sizeof a);
  aoe_ata_build_identify (&a);
  aoe_wire_put_ata (buf, &a);
  assert_memory_equal (buf + 24, ((uint8_t[]) { 0, 0, 1, 0xEC, 0, 0, 0,
                                                0xA0, 0, 0, 0, 0 }), 12);
}

/* FLUSH CACHE (0xE7) and FLUSH CACHE EXT (0xEA, E flag); no data. */
static void
test_build_flush (void **state)
{
  struct aoe_ata_arg a;

  memset (&a, 0xEE, sizeof a);
  aoe_ata_build_flush (&a, false);
  assert_int_equal (a.command, ATA_FLUSH_CACHE);
  assert_int_equal (a.sector_count, 0);
  assert_int_equal (a.aflags & AOE_AFLAG_WRITE, 0);
  assert_int_equal (a.feature, 0);
  aoe_ata_build_flush (&a, true);
  assert_int_equal (a.command, ATA_FLUSH_CACHE_EXT);
  assert_int_equal (a.aflags, AOE_AFLAG_EXTENDED);
  assert_int_equal (a.sector_count, 0);
  assert_int_equal (a.lba, 0);
}

/* Status/error register mapping. */
static void
test_ata_errno (void **state)
{
  /* Success: none of BSY, DF, DRQ, ERR. vblade's FLUSH returns 0x00. */
  assert_int_equal (aoe_ata_errno (0x40, 0, false), 0);
  assert_int_equal (aoe_ata_errno (0x00, 0, true), 0);
  assert_int_equal (aoe_ata_errno (0x50, 0xFF, false), 0);
  /* IDNF -> ENOSPC, for reads and writes, even with ABRT. */
  assert_int_equal (aoe_ata_errno (0x41, ATA_ERROR_IDNF, false), ENOSPC);
  assert_int_equal (aoe_ata_errno (0x41, ATA_ERROR_IDNF, true), ENOSPC);
  assert_int_equal (aoe_ata_errno (0x41, ATA_ERROR_IDNF | ATA_ERROR_ABRT,
                                   true), ENOSPC);
  /* ABRT on a write -> EPERM (read-only target); on a read -> EIO. */
  assert_int_equal (aoe_ata_errno (0x41, ATA_ERROR_ABRT, true), EPERM);
  assert_int_equal (aoe_ata_errno (0x41, ATA_ERROR_ABRT, false), EIO);
  /* Anything else failing -> EIO. */
  assert_int_equal (aoe_ata_errno (0x41, ATA_ERROR_UNC, false), EIO);
  assert_int_equal (aoe_ata_errno (0x41, 0, true), EIO);
  assert_int_equal (aoe_ata_errno (ATA_STATUS_BSY, 0, false), EIO);
  assert_int_equal (aoe_ata_errno (ATA_STATUS_DF | 0x40, 0, false), EIO);
  assert_int_equal (aoe_ata_errno (ATA_STATUS_DRQ | 0x40, 0, true), EIO);
}

/* The vblade read-past-end reply maps to ENOSPC. */
static void
test_vblade_idnf_maps_to_enospc (void **state)
{
  struct aoe_ata_arg a;

  assert_int_equal (aoe_wire_get_ata (vblade_read_past_end,
                                      sizeof vblade_read_past_end, &a), 0);
  assert_int_equal (aoe_ata_errno (a.command, a.feature, false), ENOSPC);
  assert_int_equal (aoe_wire_get_ata (vblade_write, sizeof vblade_write,
                                      &a), 0);
  assert_int_equal (aoe_ata_errno (a.command, a.feature, true), 0);
}

/* AoE error codes: errno mapping and names. */
static void
test_aoe_errors (void **state)
{
  unsigned code;

  assert_int_equal (aoe_error_errno (AOE_ERR_BAD_COMMAND), EIO);
  assert_int_equal (aoe_error_errno (AOE_ERR_BAD_ARG), EINVAL);
  assert_int_equal (aoe_error_errno (AOE_ERR_UNAVAILABLE), EIO);
  assert_int_equal (aoe_error_errno (AOE_ERR_CONFIG_SET), EEXIST);
  assert_int_equal (aoe_error_errno (AOE_ERR_VERSION), EIO);
  assert_int_equal (aoe_error_errno (AOE_ERR_RESERVED), EACCES);
  assert_int_equal (aoe_error_errno (0), EIO);
  assert_int_equal (aoe_error_errno (7), EIO);
  assert_int_equal (aoe_error_errno (255), EIO);

  assert_string_equal (aoe_error_name (AOE_ERR_BAD_ARG),
                       "bad argument parameter");
  assert_string_equal (aoe_error_name (AOE_ERR_RESERVED),
                       "target is reserved");
  for (code = 1; code <= 6; code++) {
    assert_non_null (aoe_error_name (code));
    assert_string_not_equal (aoe_error_name (code), "unknown AoE error");
    if (code > 1)
      assert_string_not_equal (aoe_error_name (code),
                               aoe_error_name (code - 1));
  }
  assert_string_equal (aoe_error_name (0), "unknown AoE error");
  assert_string_equal (aoe_error_name (200), "unknown AoE error");
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_vblade_identify),
    cmocka_unit_test (test_identify_too_short),
    cmocka_unit_test (test_identify_lba28),
    cmocka_unit_test (test_identify_lba48_from_word86),
    cmocka_unit_test (test_identify_strings),
    cmocka_unit_test (test_identify_full_model),
    cmocka_unit_test (test_identify_round_trips),
    cmocka_unit_test (test_build_rw_lba28),
    cmocka_unit_test (test_build_rw_lba48),
    cmocka_unit_test (test_build_identify),
    cmocka_unit_test (test_build_flush),
    cmocka_unit_test (test_ata_errno),
    cmocka_unit_test (test_vblade_idnf_maps_to_enospc),
    cmocka_unit_test (test_aoe_errors),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
