/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The fake AoE target's command handlers: Issue ATA Command, Query Config,
 * MAC Mask List and Reserve/Release, with vblade 25's semantics (short
 * unpadded replies, 60-byte junk-tailed write and error replies, silence
 * on config test mismatches) but a correct MAC mask list.
 */
#include <stdio.h>
#include <string.h>

#include "fake-target-internal.h"

#define ATA_STATUS_OK ATA_STATUS_DRDY                  /* 0x40 */
#define ATA_STATUS_FAILED (ATA_STATUS_DRDY | ATA_STATUS_ERR) /* 0x41 */
#define MASK_CMD_READ 0     /* MCmd: read the mask list */
#define MASK_CMD_EDIT 1     /* MCmd: apply directives */
#define MASK_DIR_NONE 0     /* DCmd: no directive */
#define MASK_DIR_ADD 1      /* DCmd: add a MAC */
#define MASK_DIR_DELETE 2   /* DCmd: delete a MAC */
#define MASK_ERR_BAD_DIR 2  /* MError: bad DCmd directive */
#define MASK_ERR_FULL 3     /* MError: mask list full */
#define RESERVE_CMD_READ 0  /* RCmd: read the reserve list */
#define RESERVE_CMD_SET 1   /* RCmd: set if free or ours */
#define RESERVE_CMD_FORCE 2 /* RCmd: set unconditionally */

/* Start a reply: header with addresses swapped and R set, our
 * shelf.slot, the argument echoed up to arg_len bytes. */
void
fake_reply_start (const struct fake_target *t, const uint8_t *req,
                  size_t len, struct fake_answer *ans, size_t arg_len)
{
  size_t echo = len - AOE_HDR_LEN < arg_len ? len - AOE_HDR_LEN : arg_len;
  uint8_t *f = ans->frame;

  memcpy (f, req + 6, 6);
  memcpy (f + 6, t->cfg.mac, 6);
  memcpy (f + 12, req + 12, 2);
  f[14] = (uint8_t) ((req[14] & 0xF0) | AOE_FLAG_RESPONSE);
  f[15] = 0;
  aoe_put_be16 (f + 16, t->cfg.shelf);
  f[18] = t->cfg.slot;
  memcpy (f + 19, req + 19, 5);
  memcpy (f + AOE_HDR_LEN, req + AOE_HDR_LEN, echo);
  memset (f + AOE_HDR_LEN + echo, 0, arg_len - echo);
  ans->len = AOE_HDR_LEN + arg_len;
  ans->read_data = false;
}

/* Turn ans into an AoE error reply echoing the request (ATA: 60 bytes,
 * like vblade). */
void
fake_reply_aoe_error (const struct fake_target *t, const uint8_t *req,
                      size_t len, struct fake_answer *ans, uint8_t code)
{
  size_t echo = req[19] == AOE_CMD_ATA ? FAKE_ATA_PAD_LEN : len;

  if (echo > FAKE_ATA_PAD_LEN)
    echo = FAKE_ATA_PAD_LEN;
  fake_reply_start (t, req, len, ans, echo - AOE_HDR_LEN);
  ans->frame[14] |= AOE_FLAG_ERROR;
  ans->frame[15] = code;
}

/* Set the ATA status and error registers of an ATA reply, and the
 * sectors remaining: 0 on success, else the request's count stays (no
 * partial transfers), as vblade does. */
static void
ata_status (struct fake_answer *ans, uint8_t status, uint8_t error)
{
  ans->frame[25] = error;
  if ((status & ATA_STATUS_FAIL_MASK) == 0)
    ans->frame[26] = 0;
  ans->frame[27] = status;
}

/* READ SECTORS (EXT). */
static void
ata_read (struct fake_target *t, const struct aoe_ata_arg *a, uint64_t lba,
          struct fake_answer *ans)
{
  if (lba > t->cfg.sectors || a->sector_count > t->cfg.sectors - lba) {
    ata_status (ans, ATA_STATUS_FAILED, ATA_ERROR_IDNF);
    return;
  }
  fake_target_read_disk (t, lba, ans->frame + AOE_ATA_HDR_LEN,
                         a->sector_count);
  ans->len = AOE_ATA_HDR_LEN + 512 * (size_t) a->sector_count;
  ans->read_data = a->sector_count > 0;
  ata_status (ans, ATA_STATUS_OK, 0);
  t->counters.reads++;
}

/* WRITE SECTORS (EXT).  The reply is 60 bytes whose tail echoes the
 * first 24 bytes written, as vblade's does. */
static void
ata_write (struct fake_target *t, const uint8_t *req, size_t len,
           const struct aoe_ata_arg *a, uint64_t lba,
           struct fake_answer *ans)
{
  size_t bytes = 512 * (size_t) a->sector_count;

  if (len - AOE_ATA_HDR_LEN < bytes) {
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_BAD_ARG);
    return;
  }
  if (t->cfg.read_only) {
    ata_status (ans, ATA_STATUS_FAILED, ATA_ERROR_ABRT);
    return;
  }
  if (lba > t->cfg.sectors || a->sector_count > t->cfg.sectors - lba) {
    ata_status (ans, ATA_STATUS_FAILED, ATA_ERROR_IDNF);
    return;
  }
  fake_target_write_disk (t, lba, req + AOE_ATA_HDR_LEN, a->sector_count);
  if (bytes > 0) {
    memcpy (ans->frame + AOE_ATA_HDR_LEN, req + AOE_ATA_HDR_LEN,
            FAKE_ATA_PAD_LEN - AOE_ATA_HDR_LEN);
    ans->len = FAKE_ATA_PAD_LEN;
  }
  ata_status (ans, ATA_STATUS_OK, 0);
  t->counters.writes++;
}

/* IDENTIFY DEVICE: only with a sector count of 1, like vblade. */
static void
ata_identify (struct fake_target *t, const uint8_t *req, size_t len,
              const struct aoe_ata_arg *a, struct fake_answer *ans)
{
  char serial[21];

  if (a->sector_count != 1) {
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_BAD_ARG);
    return;
  }
  snprintf (serial, sizeof serial, "%u.%u:fake", t->cfg.shelf, t->cfg.slot);
  fake_identify_fill (ans->frame + AOE_ATA_HDR_LEN, t->cfg.sectors,
                      t->cfg.lba48, t->cfg.flush, t->cfg.flush_ext,
                      "libaoe fake target", serial, "FAKE1");
  ans->len = AOE_ATA_HDR_LEN + 512;
  ata_status (ans, ATA_STATUS_OK, 0);
  t->counters.identifies++;
}

/* FLUSH CACHE (EXT): status 0x00 like vblade when IDENTIFY offers it,
 * else ABRT. */
static void
ata_flush (struct fake_target *t, bool supported, struct fake_answer *ans)
{
  if (!supported) {
    ata_status (ans, ATA_STATUS_FAILED, ATA_ERROR_ABRT);
    return;
  }
  ata_status (ans, 0, 0);
  t->counters.flushes++;
}

/* The LBA an ATA command addresses: 28 bits for the LBA28 commands (as
 * vblade masks it), 48 otherwise. */
static uint64_t
ata_lba (const struct aoe_ata_arg *a)
{
  if (a->command == ATA_READ_SECTORS || a->command == ATA_WRITE_SECTORS)
    return a->lba & 0x0FFFFFFF;
  return a->lba;
}

/* Issue ATA Command. */
static void
answer_ata (struct fake_target *t, const uint8_t *req, size_t len,
            const struct aoe_header *h, struct fake_answer *ans,
            uint64_t now)
{
  struct aoe_ata_arg a;
  uint64_t lba;

  if (aoe_wire_get_ata (req, len, &a) == -1) {
    t->counters.malformed++;
    return;
  }
  if (a.sector_count > t->counters.max_scnt_seen)
    t->counters.max_scnt_seen = a.sector_count;
  if (t->nreserved > 0 && a.command != ATA_IDENTIFY &&
      !fake_mac_in ((const uint8_t (*)[6]) t->reserved, t->nreserved,
                    h->src)) {
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_RESERVED);
    return;
  }
  if (a.sector_count > t->cfg.sector_count) {
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_BAD_ARG);
    return;
  }
  lba = ata_lba (&a);
  fake_log_op (t, &(struct fake_op) {
      .ata_cmd = a.command, .aflags = a.aflags, .raw_lba = a.lba,
      .lba = lba, .count = a.sector_count, .tag = h->tag, .at = now,
    });
  fake_reply_start (t, req, len, ans, AOE_ATA_HDR_LEN - AOE_HDR_LEN);
  switch (a.command) {
  case ATA_READ_SECTORS:
  case ATA_READ_SECTORS_EXT:
    ata_read (t, &a, lba, ans);
    break;
  case ATA_WRITE_SECTORS:
  case ATA_WRITE_SECTORS_EXT:
    ata_write (t, req, len, &a, lba, ans);
    break;
  case ATA_IDENTIFY:
    ata_identify (t, req, len, &a, ans);
    break;
  case ATA_FLUSH_CACHE:
    ata_flush (t, t->cfg.flush, ans);
    break;
  case ATA_FLUSH_CACHE_EXT:
    ata_flush (t, t->cfg.flush_ext, ans);
    break;
  default:
    ata_status (ans, ATA_STATUS_FAILED, ATA_ERROR_ABRT);
    break;
  }
}

/* Fill a Query Config reply with our parameters and config string. */
static void
config_reply (const struct fake_target *t, const uint8_t *req, size_t len,
              uint8_t ccmd, struct fake_answer *ans)
{
  struct aoe_config_arg c = {
    .buffer_count = t->cfg.buffer_count, .firmware = t->cfg.firmware,
    .sector_count = t->cfg.sector_count, .aoe_version = AOE_VERSION,
    .ccmd = ccmd, .config_len = (uint16_t) t->config_len,
    .config = t->config,
  };

  fake_reply_start (t, req, len, ans, 0);
  ans->len = aoe_wire_put_config (ans->frame, sizeof ans->frame, &c);
}

/* Query Config Information, with vblade's semantics: test and prefix
 * mismatches and bad string lengths get silence. */
static void
answer_config (struct fake_target *t, const uint8_t *req, size_t len,
               struct fake_answer *ans)
{
  uint8_t ccmd;
  size_t cslen;
  const uint8_t *arg = req + AOE_CFG_HDR_LEN;
  uint8_t error = 0;

  if (len < AOE_CFG_HDR_LEN) {
    t->counters.malformed++;
    return;
  }
  ccmd = req[29] & 0x0F;
  cslen = aoe_get_be16 (req + 30);
  if (ccmd != AOE_CCMD_READ &&
      (cslen > AOE_MAX_CONFIG_LEN || cslen > len - AOE_CFG_HDR_LEN))
    return;
  switch (ccmd) {
  case AOE_CCMD_READ:
    break;
  case AOE_CCMD_TEST:
    if (cslen != t->config_len || memcmp (arg, t->config, cslen) != 0)
      return;
    break;
  case AOE_CCMD_TEST_PREFIX:
    if (cslen > t->config_len || memcmp (arg, t->config, cslen) != 0)
      return;
    break;
  case AOE_CCMD_SET:
    if (t->config_len > 0 &&
        (cslen != t->config_len || memcmp (arg, t->config, cslen) != 0)) {
      error = AOE_ERR_CONFIG_SET;
      break;
    }
    /* fall through */
  case AOE_CCMD_FORCE_SET:
    memcpy (t->config, arg, cslen);
    t->config_len = cslen;
    break;
  default:
    error = AOE_ERR_BAD_ARG;
    break;
  }
  t->counters.configs++;
  config_reply (t, req, len, ccmd, ans);
  if (error) {
    ans->frame[14] |= AOE_FLAG_ERROR;
    ans->frame[15] = error;
  }
}

/* Fill a MAC Mask List reply: mcmd and merror, then n directives taken
 * from dirs (8 bytes each) or, if dirs is NULL, the current list. */
static void
mask_reply (const struct fake_target *t, const uint8_t *req, size_t len,
            uint8_t merror, const uint8_t *dirs, unsigned n,
            struct fake_answer *ans)
{
  uint8_t list[FAKE_MAX_MASKS * 8];
  struct aoe_mask_arg m = { .mcmd = req[25], .merror = merror };
  unsigned i;

  if (dirs == NULL) {
    for (i = 0; i < t->nmasks; i++) {
      list[8 * i] = 0;
      list[8 * i + 1] = MASK_DIR_NONE;
      memcpy (list + 8 * i + 2, t->masks[i], 6);
    }
    dirs = list;
    n = t->nmasks;
  }
  m.dir_count = (uint8_t) n;
  m.dirs = dirs;
  fake_reply_start (t, req, len, ans, 0);
  ans->len = aoe_wire_put_mask (ans->frame, sizeof ans->frame, &m);
}

/* Remove mac from the mask list if present. */
static void
mask_delete (struct fake_target *t, const uint8_t *mac)
{
  unsigned i;

  for (i = 0; i < t->nmasks; i++)
    if (memcmp (t->masks[i], mac, 6) == 0) {
      memmove (t->masks[i], t->masks[i + 1], 6 * (t->nmasks - i - 1));
      t->nmasks--;
      return;
    }
}

/* MAC Mask List: read, or edit with add/delete directives applied in
 * order.  On a bad directive or a full list, MError says why and Dir
 * Count is the index of the failing directive. */
static void
answer_mask (struct fake_target *t, const uint8_t *req, size_t len,
             struct fake_answer *ans)
{
  struct aoe_mask_arg m;
  unsigned i;

  if (len < AOE_MASK_HDR_LEN) {
    t->counters.malformed++;
    return;
  }
  if (aoe_wire_get_mask (req, len, &m) == -1 ||
      (m.mcmd != MASK_CMD_READ && m.mcmd != MASK_CMD_EDIT)) {
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_BAD_ARG);
    return;
  }
  for (i = 0; m.mcmd == MASK_CMD_EDIT && i < m.dir_count; i++) {
    const uint8_t *dir = m.dirs + 8 * i;
    uint8_t merror = 0;

    switch (dir[1]) {
    case MASK_DIR_NONE:
      break;
    case MASK_DIR_ADD:
      if (fake_mac_in ((const uint8_t (*)[6]) t->masks, t->nmasks, dir + 2))
        break;
      if (t->nmasks >= t->mask_capacity)
        merror = MASK_ERR_FULL;
      else
        memcpy (t->masks[t->nmasks++], dir + 2, 6);
      break;
    case MASK_DIR_DELETE:
      mask_delete (t, dir + 2);
      break;
    default:
      merror = MASK_ERR_BAD_DIR;
      break;
    }
    if (merror) {
      mask_reply (t, req, len, merror, m.dirs, i, ans);
      return;
    }
  }
  mask_reply (t, req, len, 0, NULL, 0, ans);
}

/* Fill a Reserve/Release reply listing the reserve list. */
static void
reserve_reply (const struct fake_target *t, const uint8_t *req, size_t len,
               struct fake_answer *ans)
{
  struct aoe_reserve_arg r = {
    .rcmd = req[24], .nmacs = (uint8_t) t->nreserved,
    .macs = (const uint8_t *) t->reserved,
  };

  fake_reply_start (t, req, len, ans, 0);
  ans->len = aoe_wire_put_reserve (ans->frame, sizeof ans->frame, &r);
}

/* Reserve/Release: read; set (only if free or already ours; zero MACs
 * releases); force set. */
static void
answer_reserve (struct fake_target *t, const uint8_t *req, size_t len,
                const struct aoe_header *h, struct fake_answer *ans)
{
  struct aoe_reserve_arg r;
  bool ours;

  if (len < AOE_RESERVE_HDR_LEN) {
    t->counters.malformed++;
    return;
  }
  if (aoe_wire_get_reserve (req, len, &r) == -1 ||
      r.rcmd > RESERVE_CMD_FORCE ||
      (r.rcmd != RESERVE_CMD_READ && r.nmacs > FAKE_MAX_RESERVE)) {
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_BAD_ARG);
    return;
  }
  ours = t->nreserved == 0 ||
    fake_mac_in ((const uint8_t (*)[6]) t->reserved, t->nreserved, h->src);
  if (r.rcmd == RESERVE_CMD_FORCE || (r.rcmd == RESERVE_CMD_SET && ours)) {
    memcpy (t->reserved, r.macs, 6 * (size_t) r.nmacs);
    t->nreserved = r.nmacs;
  }
  reserve_reply (t, req, len, ans);
  if (r.rcmd == RESERVE_CMD_SET && !ours) {
    ans->frame[14] |= AOE_FLAG_ERROR;
    ans->frame[15] = AOE_ERR_RESERVED;
  }
}

/* Build the reply to a request that passed the address checks. */
void
fake_target_answer (struct fake_target *t, const uint8_t *req, size_t len,
                    const struct aoe_header *h, struct fake_answer *ans,
                    uint64_t now)
{
  switch (h->command) {
  case AOE_CMD_ATA:
    answer_ata (t, req, len, h, ans, now);
    break;
  case AOE_CMD_CONFIG:
    answer_config (t, req, len, ans);
    break;
  case AOE_CMD_MASK:
    answer_mask (t, req, len, ans);
    break;
  case AOE_CMD_RESERVE:
    answer_reserve (t, req, len, h, ans);
    break;
  default:
    fake_reply_aoe_error (t, req, len, ans, AOE_ERR_BAD_COMMAND);
    break;
  }
}
