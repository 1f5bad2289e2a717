/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Administration requests: Query Config sub-commands (read, test, test
 * prefix, set, force set), the MAC Mask List and Reserve/Release.
 *
 * Pure functions over the codecs (lib/wire.h): they encode a request and
 * decode its reply into one struct, mapping AoE errors and mask MErrors
 * to errnos.  No I/O: the shell (lib/admin.c) sends the requests as
 * AOE_OP_CONTROL commands of the engine, and the unit tests
 * (tests/test-engine-admin.c) run them through the engine against the
 * fake target.
 */
#ifndef AOE_ADMIN_PROTO_H
#define AOE_ADMIN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* MAC Mask List sub-commands (byte 25) and directive commands. */
#define AOE_MCMD_READ 0        /* read the mask list */
#define AOE_MCMD_EDIT 1        /* apply the directives */
#define AOE_DCMD_NONE 0        /* directive: do nothing */
#define AOE_DCMD_ADD 1         /* directive: add the MAC */
#define AOE_DCMD_DELETE 2      /* directive: delete the MAC */

/* MAC Mask List errors (MError, byte 26). */
#define AOE_MERROR_UNSPECIFIED 1 /* unspecified error */
#define AOE_MERROR_BAD_DIR 2     /* bad DCmd directive */
#define AOE_MERROR_FULL 3        /* mask list full */

/* Reserve/Release sub-commands (byte 24). */
#define AOE_RCMD_READ 0        /* read the reserve list */
#define AOE_RCMD_SET 1         /* set it if free or ours */
#define AOE_RCMD_FORCE_SET 2   /* set it unconditionally */

/* Most MACs one mask or reserve list holds (the count is one byte). */
#define AOE_ADMIN_MAX_MACS 255

/* Largest admin request or reply frame (a full mask list). */
#define AOE_ADMIN_MAX_FRAME (AOE_MASK_HDR_LEN + 8 * AOE_ADMIN_MAX_MACS)

/* What a reply to an admin request said. */
struct aoe_admin_reply {
  uint8_t aoe_error;      /* AoE error code when the E flag is set, else 0 */
  uint8_t merror;         /* mask: MError (0: the edit succeeded) */
  unsigned failed_index;  /* mask: index of the failing directive (merror) */
  char config[AOE_MAX_CONFIG_LEN + 1]; /* config: the target's string, NUL-terminated */
  size_t config_len;      /* config: its length on the wire */
  unsigned nmacs;         /* mask or reserve: MACs in the list */
  uint8_t macs[AOE_ADMIN_MAX_MACS][6]; /* mask or reserve: the list */
  int has_list;           /* 1 if config or macs came with the reply */
};

/* Encode a Query Config request with sub-command ccmd (AOE_CCMD_*) and
 * the len bytes of s into buf (cap bytes).  Returns the frame length, or
 * 0 if len > 1024 or it does not fit.  The Ethernet and AoE header
 * (bytes 0-23) is left for the engine to fill. */
size_t aoe_admin_put_config (uint8_t *buf, size_t cap, uint8_t ccmd,
                             const char *s, size_t len);

/* Encode a MAC Mask List request: mcmd (AOE_MCMD_*) and, for an edit,
 * one directive dcmd (AOE_DCMD_*) per MAC of macs[0..n-1].  Returns the
 * frame length, or 0 if n > 255 or it does not fit. */
size_t aoe_admin_put_mask (uint8_t *buf, size_t cap, uint8_t mcmd,
                           uint8_t dcmd, const uint8_t (*macs)[6], size_t n);

/* Encode a Reserve/Release request: rcmd (AOE_RCMD_*) and the MACs
 * macs[0..n-1].  Returns the frame length, or 0 if n > 255 or it does
 * not fit. */
size_t aoe_admin_put_reserve (uint8_t *buf, size_t cap, uint8_t rcmd,
                              const uint8_t (*macs)[6], size_t n);

/* Decode a reply (whole frame) to an admin request of AoE command
 * aoe_cmd (AOE_CMD_CONFIG, _MASK or _RESERVE) into *r.  The list or
 * string is decoded also from error replies when present (vblade sends
 * the current string with error 4 and the current reserve list with
 * error 6).  Returns 0 on success; 1 if the frame cannot be decoded (the
 * caller keeps waiting for a good reply); otherwise an errno: the AoE
 * error mapped by aoe_error_errno (4 EEXIST, 6 EACCES, 2 EINVAL, other
 * EIO), or a mask MError mapped by aoe_admin_mask_errno. */
int aoe_admin_decode_reply (uint8_t aoe_cmd, const uint8_t *frame,
                            size_t len, struct aoe_admin_reply *r);

/* Map a mask MError to an errno: 3 (list full) ENOSPC, 2 (bad
 * directive) EINVAL, anything else EIO; 0 stays 0. */
int aoe_admin_mask_errno (uint8_t merror);

/* A short English name of a mask MError ("mask list full", ...). */
const char *aoe_admin_mask_error_name (uint8_t merror);

#endif /* AOE_ADMIN_PROTO_H */
