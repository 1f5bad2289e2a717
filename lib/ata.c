/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * ATA layer: command choice, IDENTIFY parsing, status and error mapping.
 *
 * See ata.h.  IDENTIFY words are little-endian and read byte by byte.
 */
#include <errno.h>
#include <string.h>

#include "ata.h"

/* IDENTIFY DEVICE word numbers and bits used here. */
#define ID_SERIAL 10          /* words 10-19: serial number */
#define ID_SERIAL_WORDS 10
#define ID_FIRMWARE 23        /* words 23-26: firmware revision */
#define ID_FIRMWARE_WORDS 4
#define ID_MODEL 27           /* words 27-46: model number */
#define ID_MODEL_WORDS 20
#define ID_LBA28_CAPACITY 60  /* words 60-61: LBA28 sectors */
#define ID_CMDSET2 83         /* command sets supported */
#define ID_CMDSET2_ENABLED 86 /* command sets enabled */
#define ID_LBA48_CAPACITY 100 /* words 100-103: LBA48 sectors */
#define ID_BIT_LBA48 (1u << 10)
#define ID_BIT_FLUSH (1u << 12)
#define ID_BIT_FLUSH_EXT (1u << 13)
#define ID_BLOCK_LEN 512      /* bytes in an IDENTIFY block */

/* The device/head register for LBA28 commands: LBA mode plus the two
 * obsolete always-one bits; the low nibble carries LBA bits 24-27. */
#define ATA_DEVHEAD_LBA 0xE0
/* The device/head register IDENTIFY is sent with (obsolete bits only). */
#define ATA_DEVHEAD_IDENTIFY 0xA0

/* Read IDENTIFY word n (little-endian). */
static unsigned
id_word (const uint8_t *data, unsigned n)
{
  return data[2 * n] | (unsigned) data[2 * n + 1] << 8;
}

/* True for bytes trimmed from the ends of IDENTIFY strings. */
static int
is_pad (char c)
{
  return c == ' ' || c == '\0';
}

/* Copy an IDENTIFY string of nwords words starting at word first into
 * out (2 * nwords + 1 bytes): swap the two bytes of each word, trim spaces
 * and NULs at both ends, and replace any remaining unprintable byte with
 * '?' so the result is always a clean NUL-terminated ASCII string. */
static void
id_string (const uint8_t *data, unsigned first, unsigned nwords, char *out)
{
  size_t n = 2 * (size_t) nwords;
  size_t start = 0, end = n, i;
  char raw[2 * 20];

  for (i = 0; i < nwords; i++) {
    raw[2 * i] = (char) data[2 * (first + i) + 1];
    raw[2 * i + 1] = (char) data[2 * (first + i)];
  }
  while (start < end && is_pad (raw[start]))
    start++;
  while (end > start && is_pad (raw[end - 1]))
    end--;
  for (i = start; i < end; i++) {
    unsigned char c = (unsigned char) raw[i];
    out[i - start] = (c >= 0x20 && c < 0x7F) ? (char) c : '?';
  }
  out[end - start] = '\0';
}

/* Parse a 512-byte IDENTIFY block. */
int
aoe_ata_parse_identify (const uint8_t *data, size_t len,
                        struct aoe_identity *id)
{
  unsigned w83, w86, i;

  if (data == NULL || len < ID_BLOCK_LEN)
    return -1;
  memset (id, 0, sizeof *id);
  w83 = id_word (data, ID_CMDSET2);
  w86 = id_word (data, ID_CMDSET2_ENABLED);
  id->lba48 = ((w83 | w86) & ID_BIT_LBA48) != 0;
  id->flush = (w83 & ID_BIT_FLUSH) != 0;
  id->flush_ext = (w83 & ID_BIT_FLUSH_EXT) != 0;
  if (id->lba48) {
    for (i = 0; i < 4; i++)
      id->sectors |= (uint64_t) id_word (data, ID_LBA48_CAPACITY + i)
        << (16 * i);
  }
  else
    id->sectors = id_word (data, ID_LBA28_CAPACITY) |
      (uint64_t) id_word (data, ID_LBA28_CAPACITY + 1) << 16;
  id_string (data, ID_MODEL, ID_MODEL_WORDS, id->model);
  id_string (data, ID_SERIAL, ID_SERIAL_WORDS, id->serial);
  id_string (data, ID_FIRMWARE, ID_FIRMWARE_WORDS, id->firmware);
  return 0;
}

/* Fill an ATA argument for a read or write of count sectors at lba. */
void
aoe_ata_build_rw (struct aoe_ata_arg *a, bool lba48, bool write,
                  uint64_t lba, uint8_t count)
{
  memset (a, 0, sizeof *a);
  a->sector_count = count;
  if (lba48) {
    a->aflags = AOE_AFLAG_EXTENDED;
    a->command = write ? ATA_WRITE_SECTORS_EXT : ATA_READ_SECTORS_EXT;
    a->lba = lba & ((UINT64_C (1) << 48) - 1);
  }
  else {
    a->command = write ? ATA_WRITE_SECTORS : ATA_READ_SECTORS;
    a->lba = (lba & 0xFFFFFF) |
      (uint64_t) ((lba >> 24 & 0x0F) | ATA_DEVHEAD_LBA) << 24;
  }
  if (write)
    a->aflags |= AOE_AFLAG_WRITE;
}

/* Fill an ATA argument for IDENTIFY DEVICE. */
void
aoe_ata_build_identify (struct aoe_ata_arg *a)
{
  memset (a, 0, sizeof *a);
  a->sector_count = 1;
  a->command = ATA_IDENTIFY;
  a->lba = (uint64_t) ATA_DEVHEAD_IDENTIFY << 24;
}

/* Fill an ATA argument for FLUSH CACHE (EXT). */
void
aoe_ata_build_flush (struct aoe_ata_arg *a, bool ext)
{
  memset (a, 0, sizeof *a);
  if (ext) {
    a->aflags = AOE_AFLAG_EXTENDED;
    a->command = ATA_FLUSH_CACHE_EXT;
  }
  else {
    a->command = ATA_FLUSH_CACHE;
    a->lba = (uint64_t) ATA_DEVHEAD_LBA << 24;
  }
}

/* Map ATA status and error registers to an errno. */
int
aoe_ata_errno (uint8_t status, uint8_t error, bool is_write)
{
  if ((status & ATA_STATUS_FAIL_MASK) == 0)
    return 0;
  if (error & ATA_ERROR_IDNF)
    return ENOSPC;
  if (is_write && (error & ATA_ERROR_ABRT))
    return EPERM;
  return EIO;
}

/* Map an AoE error code to an errno. */
int
aoe_error_errno (uint8_t aoe_error)
{
  switch (aoe_error) {
  case AOE_ERR_BAD_ARG:
    return EINVAL;
  case AOE_ERR_CONFIG_SET:
    return EEXIST;
  case AOE_ERR_RESERVED:
    return EACCES;
  default:
    return EIO;
  }
}

/* A short English name for an AoE error code. */
const char *
aoe_error_name (uint8_t aoe_error)
{
  switch (aoe_error) {
  case AOE_ERR_BAD_COMMAND:
    return "unrecognized command code";
  case AOE_ERR_BAD_ARG:
    return "bad argument parameter";
  case AOE_ERR_UNAVAILABLE:
    return "device unavailable";
  case AOE_ERR_CONFIG_SET:
    return "config string present";
  case AOE_ERR_VERSION:
    return "unsupported version";
  case AOE_ERR_RESERVED:
    return "target is reserved";
  default:
    return "unknown AoE error";
  }
}
