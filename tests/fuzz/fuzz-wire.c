/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * libFuzzer harness for the codecs: every AoE decoder (header, ATA,
 * Query Config, MAC Mask List, Reserve/Release) and IDENTIFY parsing, on
 * arbitrary bytes.  Besides "no crash, no sanitizer report", it checks
 * what the decoders promise: whatever decodes re-encodes to the same
 * bytes, pointers into the frame stay inside it, lengths are bounded and
 * IDENTIFY strings are terminated.
 *
 * Built by tests/fuzz/run.sh (clang -fsanitize=fuzzer) and, with
 * tests/fuzz/replay.c, by meson as a unit test over the seed corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ata.h"
#include "wire.h"
#include "fuzz.h"

/* Room for any frame the encoders can produce. */
#define ENCODE_CAP 4096

/* Stop the run with a message: a broken promise of the codecs. */
static void
broken (const char *what)
{
  fprintf (stderr, "fuzz-wire: %s\n", what);
  abort ();
}

/* True if [p, p + n) lies inside [data, data + size). */
static int
inside (const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
  return p >= data && n <= size && (size_t) (p - data) <= size - n;
}

/* Header: decodes only 24+ byte 0x88A2 frames; re-encodes exactly. */
static void
check_header (const uint8_t *data, size_t size)
{
  struct aoe_header h;
  uint8_t buf[AOE_HDR_LEN];

  if (aoe_wire_get_header (data, size, &h) < 0)
    return;
  if (size < AOE_HDR_LEN)
    broken ("header decoded from a short frame");
  aoe_wire_put_header (buf, &h);
  if (memcmp (buf, data, AOE_HDR_LEN) != 0)
    broken ("header does not re-encode to the same bytes");
}

/* ATA argument: bytes 24-33 re-encode exactly (34-35 are reserved). */
static void
check_ata (const uint8_t *data, size_t size)
{
  struct aoe_ata_arg a;
  uint8_t buf[AOE_ATA_HDR_LEN];

  if (aoe_wire_get_ata (data, size, &a) < 0)
    return;
  if (size < AOE_ATA_HDR_LEN)
    broken ("ATA argument decoded from a short frame");
  memset (buf, 0, sizeof buf);
  aoe_wire_put_ata (buf, &a);
  if (memcmp (buf + AOE_HDR_LEN, data + AOE_HDR_LEN, 10) != 0)
    broken ("ATA argument does not re-encode to the same bytes");
  (void) aoe_ata_errno (a.command, a.feature, a.aflags & AOE_AFLAG_WRITE);
}

/* Query Config: the string lies in the frame, at most 1024 bytes, and the
 * argument re-encodes exactly. */
static void
check_config (const uint8_t *data, size_t size)
{
  struct aoe_config_arg c;
  uint8_t buf[ENCODE_CAP];
  size_t n;

  if (aoe_wire_get_config (data, size, &c) < 0)
    return;
  if (c.config_len > AOE_MAX_CONFIG_LEN
      || !inside (c.config, c.config_len, data, size))
    broken ("config string outside the frame or too long");
  n = aoe_wire_put_config (buf, sizeof buf, &c);
  if (n != AOE_CFG_HDR_LEN + (size_t) c.config_len)
    broken ("config argument does not re-encode");
  if (memcmp (buf + AOE_HDR_LEN, data + AOE_HDR_LEN, n - AOE_HDR_LEN) != 0)
    broken ("config argument does not re-encode to the same bytes");
}

/* MAC Mask List: the directives lie in the frame and re-encode. */
static void
check_mask (const uint8_t *data, size_t size)
{
  struct aoe_mask_arg m;
  uint8_t buf[ENCODE_CAP];
  size_t n;

  if (aoe_wire_get_mask (data, size, &m) < 0)
    return;
  if (!inside (m.dirs, (size_t) m.dir_count * 8, data, size))
    broken ("mask directives outside the frame");
  n = aoe_wire_put_mask (buf, sizeof buf, &m);
  if (n != AOE_MASK_HDR_LEN + (size_t) m.dir_count * 8)
    broken ("mask argument does not re-encode");
  if (memcmp (buf + AOE_HDR_LEN + 1, data + AOE_HDR_LEN + 1,
              n - AOE_HDR_LEN - 1) != 0)
    broken ("mask argument does not re-encode to the same bytes");
}

/* Reserve/Release: the MACs lie in the frame and re-encode. */
static void
check_reserve (const uint8_t *data, size_t size)
{
  struct aoe_reserve_arg r;
  uint8_t buf[ENCODE_CAP];
  size_t n;

  if (aoe_wire_get_reserve (data, size, &r) < 0)
    return;
  if (!inside (r.macs, (size_t) r.nmacs * 6, data, size))
    broken ("reserve MACs outside the frame");
  n = aoe_wire_put_reserve (buf, sizeof buf, &r);
  if (n != AOE_RESERVE_HDR_LEN + (size_t) r.nmacs * 6)
    broken ("reserve argument does not re-encode");
  if (memcmp (buf + AOE_HDR_LEN, data + AOE_HDR_LEN, n - AOE_HDR_LEN) != 0)
    broken ("reserve argument does not re-encode to the same bytes");
}

/* IDENTIFY: parse the block after the ATA header (as the engine does) and
 * the input itself; strings must be terminated within their arrays. */
static void
check_identify (const uint8_t *data, size_t size)
{
  struct aoe_identity id;
  size_t i;

  for (i = 0; i < 2; i++) {
    const uint8_t *block = i == 0 ? data : data + AOE_ATA_HDR_LEN;
    size_t len = i == 0 ? size
      : size > AOE_ATA_HDR_LEN ? size - AOE_ATA_HDR_LEN : 0;

    if (aoe_ata_parse_identify (block, len, &id) < 0) {
      if (len >= 512)
        broken ("IDENTIFY refused a full block");
      continue;
    }
    if (len < 512)
      broken ("IDENTIFY parsed a short block");
    if (memchr (id.model, 0, sizeof id.model) == NULL
        || memchr (id.serial, 0, sizeof id.serial) == NULL
        || memchr (id.firmware, 0, sizeof id.firmware) == NULL)
      broken ("IDENTIFY string not terminated");
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  check_header (data, size);
  check_ata (data, size);
  check_config (data, size);
  check_mask (data, size);
  check_reserve (data, size);
  check_identify (data, size);
  if (size > 0 && aoe_error_name (data[0]) == NULL)
    broken ("no name for an AoE error code");
  (void) aoe_error_errno (size > 0 ? data[0] : 0);
  return 0;
}
