/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * ATA layer: command choice, IDENTIFY parsing, status and error mapping.
 *
 * Pure functions, no I/O.  IDENTIFY words are little-endian 16-bit values
 * read byte by byte; strings are ASCII with the two bytes of each word
 * swapped.
 */
#ifndef AOE_ATA_H
#define AOE_ATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Bytes in one ATA sector: every transfer is whole sectors (the public
 * AOE_SECTOR_SIZE has this value: lib/handle.c checks). */
#define ATA_SECTOR_SIZE 512

/* ATA command codes libaoe sends. */
#define ATA_READ_SECTORS 0x20
#define ATA_READ_SECTORS_EXT 0x24
#define ATA_WRITE_SECTORS 0x30
#define ATA_WRITE_SECTORS_EXT 0x34
#define ATA_FLUSH_CACHE 0xE7
#define ATA_FLUSH_CACHE_EXT 0xEA
#define ATA_IDENTIFY 0xEC

/* ATA status bits. */
#define ATA_STATUS_BSY 0x80
#define ATA_STATUS_DRDY 0x40
#define ATA_STATUS_DF 0x20
#define ATA_STATUS_DRQ 0x08
#define ATA_STATUS_ERR 0x01
#define ATA_STATUS_FAIL_MASK 0xA9 /* BSY|DF|DRQ|ERR: success iff none set */

/* ATA error register bits. */
#define ATA_ERROR_UNC 0x40
#define ATA_ERROR_IDNF 0x10
#define ATA_ERROR_ABRT 0x04

/* Largest LBA28 address + 1. */
#define ATA_LBA28_LIMIT (UINT64_C (1) << 28)

/* What IDENTIFY DEVICE says about a disk. */
struct aoe_identity {
  uint64_t sectors;   /* capacity in 512-byte sectors */
  bool lba48;         /* word 83 or 86 bit 10 */
  bool flush;         /* word 83 bit 12: FLUSH CACHE (0xE7) */
  bool flush_ext;     /* word 83 bit 13: FLUSH CACHE EXT (0xEA) */
  char model[41];     /* words 27-46, swapped and trimmed */
  char serial[21];    /* words 10-19, swapped and trimmed */
  char firmware[9];   /* words 23-26, swapped and trimmed */
};

/* Parse a 512-byte IDENTIFY block.  Capacity from words 100-103 when LBA48,
 * else words 60-61.  0, or -1 if len < 512. */
int aoe_ata_parse_identify (const uint8_t *data, size_t len,
                            struct aoe_identity *id);

/* Fill an ATA argument for a read or write of count sectors (1-255) at
 * lba: READ/WRITE SECTORS EXT with the E flag when lba48, else READ/WRITE
 * SECTORS with lba3 = (lba >> 24 & 0x0F) | 0xE0. */
void aoe_ata_build_rw (struct aoe_ata_arg *a, bool lba48, bool write,
                       uint64_t lba, uint8_t count);

/* Fill an ATA argument for IDENTIFY DEVICE (scnt 1, lba3 0xA0). */
void aoe_ata_build_identify (struct aoe_ata_arg *a);

/* Fill an ATA argument for FLUSH CACHE EXT (ext) or FLUSH CACHE. */
void aoe_ata_build_flush (struct aoe_ata_arg *a, bool ext);

/* Map a reply's ATA status and error registers to an errno: 0 when
 * (status & 0xA9) == 0; ENOSPC for IDNF; EPERM for ABRT on a write; EIO
 * otherwise. */
int aoe_ata_errno (uint8_t status, uint8_t error, bool is_write);

/* Map an AoE error code (reply with the E flag) to an errno: 1 EIO,
 * 2 EINVAL, 3 EIO, 4 EEXIST, 5 EIO, 6 EACCES, anything else EIO. */
int aoe_error_errno (uint8_t aoe_error);

/* A short English name for an AoE error code ("bad argument", ...). */
const char *aoe_error_name (uint8_t aoe_error);

#endif /* AOE_ATA_H */
