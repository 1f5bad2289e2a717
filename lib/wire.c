/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * AoE wire codecs: encode and decode AoE frames byte by byte.
 *
 * See wire.h.  Every multi-byte field is assembled from single bytes, so
 * the codecs work on any alignment and any host byte order.  Decoders
 * check every length they use against the frame length and ignore
 * trailing bytes.
 */
#include <string.h>

#include "wire.h"

/* Read a big-endian 16-bit value. */
uint16_t
aoe_get_be16 (const uint8_t *p)
{
  return (uint16_t) (p[0] << 8 | p[1]);
}

/* Read a big-endian 32-bit value. */
uint32_t
aoe_get_be32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 |
    (uint32_t) p[2] << 8 | (uint32_t) p[3];
}

/* Write a big-endian 16-bit value. */
void
aoe_put_be16 (uint8_t *p, uint16_t v)
{
  p[0] = v >> 8;
  p[1] = v & 0xFF;
}

/* Write a big-endian 32-bit value. */
void
aoe_put_be32 (uint8_t *p, uint32_t v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xFF;
  p[2] = (v >> 8) & 0xFF;
  p[3] = v & 0xFF;
}

/* Encode the Ethernet and AoE common header into buf[0..23]. */
void
aoe_wire_put_header (uint8_t *buf, const struct aoe_header *h)
{
  memcpy (buf, h->dst, 6);
  memcpy (buf + 6, h->src, 6);
  aoe_put_be16 (buf + 12, AOE_ETHERTYPE);
  buf[14] = (uint8_t) ((h->version & 0x0F) << 4 | (h->flags & 0x0F));
  buf[15] = h->error;
  aoe_put_be16 (buf + 16, h->shelf);
  buf[18] = h->slot;
  buf[19] = h->command;
  aoe_put_be32 (buf + 20, h->tag);
}

/* Decode the Ethernet and AoE common header. */
int
aoe_wire_get_header (const uint8_t *frame, size_t len, struct aoe_header *h)
{
  if (frame == NULL || len < AOE_HDR_LEN)
    return -1;
  if (aoe_get_be16 (frame + 12) != AOE_ETHERTYPE)
    return -1;
  memcpy (h->dst, frame, 6);
  memcpy (h->src, frame + 6, 6);
  h->version = frame[14] >> 4;
  h->flags = frame[14] & 0x0F;
  h->error = frame[15];
  h->shelf = aoe_get_be16 (frame + 16);
  h->slot = frame[18];
  h->command = frame[19];
  h->tag = aoe_get_be32 (frame + 20);
  return 0;
}

/* Encode the ATA argument into buf[24..35]; the LBA is little-endian. */
void
aoe_wire_put_ata (uint8_t *buf, const struct aoe_ata_arg *a)
{
  unsigned i;

  buf[24] = a->aflags;
  buf[25] = a->feature;
  buf[26] = a->sector_count;
  buf[27] = a->command;
  for (i = 0; i < 6; i++)
    buf[28 + i] = (a->lba >> (8 * i)) & 0xFF;
  buf[34] = 0;
  buf[35] = 0;
}

/* Decode the ATA argument. */
int
aoe_wire_get_ata (const uint8_t *frame, size_t len, struct aoe_ata_arg *a)
{
  unsigned i;

  if (frame == NULL || len < AOE_ATA_HDR_LEN)
    return -1;
  a->aflags = frame[24];
  a->feature = frame[25];
  a->sector_count = frame[26];
  a->command = frame[27];
  a->lba = 0;
  for (i = 0; i < 6; i++)
    a->lba |= (uint64_t) frame[28 + i] << (8 * i);
  return 0;
}

/* Copy n bytes of a variable part (config string, directives, MACs) into
 * buf at off.  A NULL source with n > 0 writes zeroes. */
static void
put_tail (uint8_t *buf, size_t off, const uint8_t *src, size_t n)
{
  if (n == 0)
    return;
  if (src != NULL)
    memcpy (buf + off, src, n);
  else
    memset (buf + off, 0, n);
}

/* Encode the Query Config argument and string from offset 24. */
size_t
aoe_wire_put_config (uint8_t *buf, size_t cap, const struct aoe_config_arg *c)
{
  size_t total = AOE_CFG_HDR_LEN + (size_t) c->config_len;

  if (c->config_len > AOE_MAX_CONFIG_LEN || total > cap)
    return 0;
  aoe_put_be16 (buf + 24, c->buffer_count);
  aoe_put_be16 (buf + 26, c->firmware);
  buf[28] = c->sector_count;
  buf[29] = (uint8_t) ((c->aoe_version & 0x0F) << 4 | (c->ccmd & 0x0F));
  aoe_put_be16 (buf + 30, c->config_len);
  put_tail (buf, AOE_CFG_HDR_LEN, c->config, c->config_len);
  return total;
}

/* Decode the Query Config argument; the string stays in the frame. */
int
aoe_wire_get_config (const uint8_t *frame, size_t len,
                     struct aoe_config_arg *c)
{
  uint16_t config_len;

  if (frame == NULL || len < AOE_CFG_HDR_LEN)
    return -1;
  config_len = aoe_get_be16 (frame + 30);
  if (config_len > AOE_MAX_CONFIG_LEN ||
      (size_t) config_len > len - AOE_CFG_HDR_LEN)
    return -1;
  c->buffer_count = aoe_get_be16 (frame + 24);
  c->firmware = aoe_get_be16 (frame + 26);
  c->sector_count = frame[28];
  c->aoe_version = frame[29] >> 4;
  c->ccmd = frame[29] & 0x0F;
  c->config_len = config_len;
  c->config = frame + AOE_CFG_HDR_LEN;
  return 0;
}

/* Encode the MAC Mask List argument and its 8-byte directives. */
size_t
aoe_wire_put_mask (uint8_t *buf, size_t cap, const struct aoe_mask_arg *m)
{
  size_t total = AOE_MASK_HDR_LEN + 8 * (size_t) m->dir_count;

  if (total > cap)
    return 0;
  buf[24] = 0;
  buf[25] = m->mcmd;
  buf[26] = m->merror;
  buf[27] = m->dir_count;
  put_tail (buf, AOE_MASK_HDR_LEN, m->dirs, 8 * (size_t) m->dir_count);
  return total;
}

/* Decode the MAC Mask List argument; the directives stay in the frame. */
int
aoe_wire_get_mask (const uint8_t *frame, size_t len, struct aoe_mask_arg *m)
{
  uint8_t dir_count;

  if (frame == NULL || len < AOE_MASK_HDR_LEN)
    return -1;
  dir_count = frame[27];
  if (8 * (size_t) dir_count > len - AOE_MASK_HDR_LEN)
    return -1;
  m->mcmd = frame[25];
  m->merror = frame[26];
  m->dir_count = dir_count;
  m->dirs = frame + AOE_MASK_HDR_LEN;
  return 0;
}

/* Encode the Reserve/Release argument and its 6-byte MACs. */
size_t
aoe_wire_put_reserve (uint8_t *buf, size_t cap,
                      const struct aoe_reserve_arg *r)
{
  size_t total = AOE_RESERVE_HDR_LEN + 6 * (size_t) r->nmacs;

  if (total > cap)
    return 0;
  buf[24] = r->rcmd;
  buf[25] = r->nmacs;
  put_tail (buf, AOE_RESERVE_HDR_LEN, r->macs, 6 * (size_t) r->nmacs);
  return total;
}

/* Decode the Reserve/Release argument; the MACs stay in the frame. */
int
aoe_wire_get_reserve (const uint8_t *frame, size_t len,
                      struct aoe_reserve_arg *r)
{
  uint8_t nmacs;

  if (frame == NULL || len < AOE_RESERVE_HDR_LEN)
    return -1;
  nmacs = frame[25];
  if (6 * (size_t) nmacs > len - AOE_RESERVE_HDR_LEN)
    return -1;
  r->rcmd = frame[24];
  r->nmacs = nmacs;
  r->macs = frame + AOE_RESERVE_HDR_LEN;
  return 0;
}
