/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Administration requests: encoding Query Config sub-commands, MAC Mask
 * List and Reserve/Release requests, and decoding their replies.  Pure
 * functions; see admin-proto.h.
 */
#include <errno.h>
#include <string.h>

#include "admin-proto.h"
#include "ata.h"

size_t
aoe_admin_put_config (uint8_t *buf, size_t cap, uint8_t ccmd,
                      const char *s, size_t len)
{
  struct aoe_config_arg c = {
    .aoe_version = AOE_VERSION,
    .ccmd = ccmd,
    .config_len = (uint16_t) len,
    .config = (const uint8_t *) s,
  };

  if (len > AOE_MAX_CONFIG_LEN || (len > 0 && s == NULL))
    return 0;
  return aoe_wire_put_config (buf, cap, &c);
}

size_t
aoe_admin_put_mask (uint8_t *buf, size_t cap, uint8_t mcmd, uint8_t dcmd,
                    const uint8_t (*macs)[6], size_t n)
{
  uint8_t dirs[8 * AOE_ADMIN_MAX_MACS];
  struct aoe_mask_arg m = { .mcmd = mcmd, .dirs = dirs };
  size_t i;

  if (n > AOE_ADMIN_MAX_MACS || (n > 0 && macs == NULL))
    return 0;
  memset (dirs, 0, 8 * n);
  for (i = 0; i < n; i++) {
    dirs[8 * i + 1] = dcmd;
    memcpy (dirs + 8 * i + 2, macs[i], 6);
  }
  m.dir_count = (uint8_t) n;
  return aoe_wire_put_mask (buf, cap, &m);
}

size_t
aoe_admin_put_reserve (uint8_t *buf, size_t cap, uint8_t rcmd,
                       const uint8_t (*macs)[6], size_t n)
{
  struct aoe_reserve_arg r = {
    .rcmd = rcmd,
    .nmacs = (uint8_t) n,
    .macs = (const uint8_t *) macs,
  };

  if (n > AOE_ADMIN_MAX_MACS || (n > 0 && macs == NULL))
    return 0;
  return aoe_wire_put_reserve (buf, cap, &r);
}

/* Decode a Query Config reply's string into r.  0, or -1 if the frame
 * is too short for what it claims. */
static int
decode_config (const uint8_t *frame, size_t len, struct aoe_admin_reply *r)
{
  struct aoe_config_arg c;

  if (aoe_wire_get_config (frame, len, &c) == -1)
    return -1;
  r->config_len = c.config_len;
  if (c.config_len > 0)
    memcpy (r->config, c.config, c.config_len);
  r->config[c.config_len] = '\0';
  r->has_list = 1;
  return 0;
}

/* Copy n MACs spaced stride bytes apart (mask directives: 8, the MAC at
 * offset 2; reserve list: 6) into r. */
static void
copy_macs (struct aoe_admin_reply *r, const uint8_t *first, unsigned n,
           size_t stride)
{
  unsigned i;

  for (i = 0; i < n; i++)
    memcpy (r->macs[i], first + stride * i, 6);
  r->nmacs = n;
  r->has_list = 1;
}

/* Decode a MAC Mask List reply into r.  On an MError, Dir Count is the
 * index of the failing directive and the directives may be absent
 * (vblade sends none), so only the header is read.  0, 1 (undecodable)
 * or the MError's errno. */
static int
decode_mask (const uint8_t *frame, size_t len, struct aoe_admin_reply *r)
{
  struct aoe_mask_arg m;

  if (len < AOE_MASK_HDR_LEN)
    return 1;
  r->merror = frame[26];
  if (r->merror != 0) {
    r->failed_index = frame[27];
    return aoe_admin_mask_errno (r->merror);
  }
  if (aoe_wire_get_mask (frame, len, &m) == -1)
    return 1;
  copy_macs (r, m.dirs + 2, m.dir_count, 8);
  return 0;
}

/* Decode a Reserve/Release reply's list into r.  0, or -1 if the frame
 * is too short for the MACs it claims. */
static int
decode_reserve (const uint8_t *frame, size_t len, struct aoe_admin_reply *r)
{
  struct aoe_reserve_arg res;

  if (aoe_wire_get_reserve (frame, len, &res) == -1)
    return -1;
  copy_macs (r, res.macs, res.nmacs, 6);
  return 0;
}

int
aoe_admin_decode_reply (uint8_t aoe_cmd, const uint8_t *frame, size_t len,
                        struct aoe_admin_reply *r)
{
  struct aoe_header hdr;
  int bad;

  memset (r, 0, sizeof *r);
  if (frame == NULL || aoe_wire_get_header (frame, len, &hdr) == -1
      || !(hdr.flags & AOE_FLAG_RESPONSE) || hdr.command != aoe_cmd)
    return 1;
  if (hdr.flags & AOE_FLAG_ERROR) {
    /* The list or string, when the target sent one, says why. */
    r->aoe_error = hdr.error;
    if (aoe_cmd == AOE_CMD_CONFIG)
      decode_config (frame, len, r);
    else if (aoe_cmd == AOE_CMD_RESERVE)
      decode_reserve (frame, len, r);
    return aoe_error_errno (hdr.error);
  }
  switch (aoe_cmd) {
  case AOE_CMD_CONFIG:
    bad = decode_config (frame, len, r);
    break;
  case AOE_CMD_MASK:
    return decode_mask (frame, len, r);
  case AOE_CMD_RESERVE:
    bad = decode_reserve (frame, len, r);
    break;
  default:
    return 1;
  }
  return bad ? 1 : 0;
}

int
aoe_admin_mask_errno (uint8_t merror)
{
  switch (merror) {
  case 0: return 0;
  case AOE_MERROR_FULL: return ENOSPC;
  case AOE_MERROR_BAD_DIR: return EINVAL;
  default: return EIO;
  }
}

const char *
aoe_admin_mask_error_name (uint8_t merror)
{
  switch (merror) {
  case 0: return "no error";
  case AOE_MERROR_UNSPECIFIED: return "unspecified error";
  case AOE_MERROR_BAD_DIR: return "bad directive";
  case AOE_MERROR_FULL: return "mask list full";
  default: return "unknown mask error";
  }
}
