/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * AoE wire codecs: encode and decode AoE frames byte by byte.
 *
 * Pure functions, no I/O.  Never casts a struct onto a frame (ARMv5 cores
 * fault or rotate on unaligned loads): every multi-byte field is read and
 * written a byte at a time, and every length is checked against the frame
 * before use.  Offsets are from the start of the Ethernet frame.
 * Decoders accept trailing bytes (Ethernet padding, vblade's junk tails)
 * and vblade's short unpadded replies (26, 28, 32 and 36 bytes on veth).
 */
#ifndef AOE_WIRE_H
#define AOE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define AOE_ETHERTYPE 0x88A2   /* EtherType of every AoE frame */
#define AOE_ETH_LEN 14         /* Ethernet header: dst, src, type */
#define AOE_HDR_LEN 24         /* Ethernet + AoE common header */
#define AOE_ATA_HDR_LEN 36     /* ... + ATA argument: data starts here */
#define AOE_CFG_HDR_LEN 32     /* ... + Query Config argument */
#define AOE_MASK_HDR_LEN 28    /* ... + MAC Mask List argument */
#define AOE_RESERVE_HDR_LEN 26 /* ... + Reserve/Release argument */
#define AOE_MAX_CONFIG_LEN 1024 /* longest config string (AoEr11) */
#define AOE_VERSION 1          /* the protocol version we send */

/* Header flags (low nibble of byte 14). */
#define AOE_FLAG_RESPONSE 0x08 /* R: this is a response */
#define AOE_FLAG_ERROR 0x04    /* E: the Error field is valid */

/* AoE command codes (byte 19). */
#define AOE_CMD_ATA 0     /* Issue ATA Command */
#define AOE_CMD_CONFIG 1  /* Query Config Information */
#define AOE_CMD_MASK 2    /* MAC Mask List */
#define AOE_CMD_RESERVE 3 /* Reserve/Release */

/* AoE error codes (byte 15, valid with AOE_FLAG_ERROR). */
#define AOE_ERR_BAD_COMMAND 1  /* unrecognized command code */
#define AOE_ERR_BAD_ARG 2      /* bad argument parameter */
#define AOE_ERR_UNAVAILABLE 3  /* device unavailable */
#define AOE_ERR_CONFIG_SET 4   /* config string present */
#define AOE_ERR_VERSION 5      /* unsupported version */
#define AOE_ERR_RESERVED 6     /* target is reserved */

/* ATA argument AFlags (byte 24). */
#define AOE_AFLAG_EXTENDED 0x40 /* E: LBA48 command */
#define AOE_AFLAG_DEVICE 0x10   /* D: device/head DEV bit */
#define AOE_AFLAG_ASYNC 0x02    /* A: asynchronous write */
#define AOE_AFLAG_WRITE 0x01    /* W: data follows the header */

/* Query Config sub-commands (low nibble of byte 29). */
#define AOE_CCMD_READ 0        /* read the config string */
#define AOE_CCMD_TEST 1        /* answer only on exact match */
#define AOE_CCMD_TEST_PREFIX 2 /* answer only if arg is a prefix */
#define AOE_CCMD_SET 3         /* set if empty, else error 4 */
#define AOE_CCMD_FORCE_SET 4   /* set unconditionally */

/* The AoE common header (bytes 0-23). */
struct aoe_header {
  uint8_t dst[6];   /* destination MAC */
  uint8_t src[6];   /* source MAC */
  uint8_t version;  /* protocol version (high nibble of byte 14) */
  uint8_t flags;    /* AOE_FLAG_* (low nibble of byte 14) */
  uint8_t error;    /* AoE error code (byte 15) */
  uint16_t shelf;   /* major address (bytes 16-17, big-endian) */
  uint8_t slot;     /* minor address (byte 18) */
  uint8_t command;  /* AOE_CMD_* (byte 19) */
  uint32_t tag;     /* opaque tag echoed by the target (bytes 20-23) */
};

/* The Issue ATA Command argument (bytes 24-35). */
struct aoe_ata_arg {
  uint8_t aflags;       /* AOE_AFLAG_* */
  uint8_t feature;      /* request: feature register; reply: error register */
  uint8_t sector_count; /* request: sectors; reply: sectors remaining */
  uint8_t command;      /* request: ATA command; reply: ATA status */
  uint64_t lba;         /* 48-bit LBA, little-endian on the wire */
};

/* The Query Config argument (bytes 24-31) and its string. */
struct aoe_config_arg {
  uint16_t buffer_count;  /* frames the target can queue */
  uint16_t firmware;      /* target firmware version */
  uint8_t sector_count;   /* max sectors per ATA frame (0 means 2) */
  uint8_t aoe_version;    /* high nibble of byte 29 */
  uint8_t ccmd;           /* AOE_CCMD_* (low nibble of byte 29) */
  uint16_t config_len;    /* length of the config string */
  const uint8_t *config;  /* decode: points into the frame; encode: source */
};

/* The MAC Mask List argument (bytes 24-27) and its directives. */
struct aoe_mask_arg {
  uint8_t mcmd;           /* 0 read, 1 edit */
  uint8_t merror;         /* 1 unspecified, 2 bad directive, 3 list full */
  uint8_t dir_count;      /* number of 8-byte directives */
  const uint8_t *dirs;    /* decode: points into the frame; encode: source */
};

/* The Reserve/Release argument (bytes 24-25) and its MAC list. */
struct aoe_reserve_arg {
  uint8_t rcmd;           /* 0 read, 1 set, 2 force set */
  uint8_t nmacs;          /* number of 6-byte MACs that follow */
  const uint8_t *macs;    /* decode: points into the frame; encode: source */
};

/* Read/write a big-endian 16/32-bit value byte by byte. */
uint16_t aoe_get_be16 (const uint8_t *p);
uint32_t aoe_get_be32 (const uint8_t *p);
void aoe_put_be16 (uint8_t *p, uint16_t v);
void aoe_put_be32 (uint8_t *p, uint32_t v);

/* Encode the Ethernet + AoE header into buf[0..23] (EtherType 0x88A2).
 * Byte 14 is (version << 4) | flags. */
void aoe_wire_put_header (uint8_t *buf, const struct aoe_header *h);

/* Decode the header.  0 on success; -1 if len < 24 or not EtherType
 * 0x88A2. */
int aoe_wire_get_header (const uint8_t *frame, size_t len,
                         struct aoe_header *h);

/* Encode the ATA argument into buf[24..35] (reserved bytes zeroed). */
void aoe_wire_put_ata (uint8_t *buf, const struct aoe_ata_arg *a);

/* Decode the ATA argument.  0, or -1 if len < 36. */
int aoe_wire_get_ata (const uint8_t *frame, size_t len,
                      struct aoe_ata_arg *a);

/* Encode the config argument and string into buf from offset 24; cap is
 * the size of buf.  Returns the total frame length (32 + config_len), or
 * 0 if it does not fit or config_len > 1024. */
size_t aoe_wire_put_config (uint8_t *buf, size_t cap,
                            const struct aoe_config_arg *c);

/* Decode the config argument; c->config points into frame.  0, or -1 if
 * len < 32 or the string runs past the frame or exceeds 1024 bytes. */
int aoe_wire_get_config (const uint8_t *frame, size_t len,
                         struct aoe_config_arg *c);

/* Encode the mask argument and directives (8 bytes each) from offset 24.
 * Returns the total frame length, or 0 if it does not fit. */
size_t aoe_wire_put_mask (uint8_t *buf, size_t cap,
                          const struct aoe_mask_arg *m);

/* Decode the mask argument; m->dirs points into frame.  0, or -1 if the
 * directives run past the frame. */
int aoe_wire_get_mask (const uint8_t *frame, size_t len,
                       struct aoe_mask_arg *m);

/* Encode the reserve argument and MACs from offset 24.  Returns the total
 * frame length, or 0 if it does not fit. */
size_t aoe_wire_put_reserve (uint8_t *buf, size_t cap,
                             const struct aoe_reserve_arg *r);

/* Decode the reserve argument; r->macs points into frame.  0, or -1 if
 * the MACs run past the frame. */
int aoe_wire_get_reserve (const uint8_t *frame, size_t len,
                          struct aoe_reserve_arg *r);

#endif /* AOE_WIRE_H */
