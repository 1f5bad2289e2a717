/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * A scripted in-memory AoE target for the engine unit tests.
 *
 * Built on the codecs (lib/wire.h, lib/ata.h).  It owns a RAM disk and
 * answers the AoE commands as vblade 25 does (including its short,
 * unpadded replies and the 60-byte junk-tailed write replies), except for
 * the MAC Mask List, which it implements correctly.  Time is simulated:
 * every call takes `now` in microseconds.
 *
 * Service model: the target serves requests one at a time, FIFO, each
 * taking service_us; a request is "outstanding" from its arrival until
 * its service ends.  Like vblade's socket buffer, it can hold rx_capacity
 * outstanding requests: requests arriving beyond that are dropped and
 * counted.  A reply leaves when the service ends and reaches the
 * initiator latency_us later (plus any fault delays).
 *
 * Faults are one-shot counters ("the next N ...") or seeded random rates,
 * set directly in struct fake_faults; they can be restricted to one ATA
 * command code.
 */
#ifndef AOE_FAKE_TARGET_H
#define AOE_FAKE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"
#include "ata.h"

#define FAKE_MAX_MASKS 32      /* mask list capacity (vblade: 32) */
#define FAKE_MAX_RESERVE 16    /* reserve list capacity */
#define FAKE_HELD_FOREVER UINT64_MAX /* deliver_at of a held reply */

/* How a mangled reply is damaged. */
enum fake_mangle {
  FAKE_MANGLE_NONE,        /* leave it alone */
  FAKE_MANGLE_MAC,         /* source MAC of a stranger */
  FAKE_MANGLE_SHELF_SLOT,  /* another shelf.slot */
  FAKE_MANGLE_TAG,         /* a stale tag: other generation, same slot */
  FAKE_MANGLE_COMMAND,     /* another AoE command code */
  FAKE_MANGLE_SHORT,       /* truncated: header ok, argument or data cut */
  FAKE_MANGLE_NO_RESPONSE, /* the R flag cleared */
};

/* Faults to inject.  Counters are consumed as they fire. */
struct fake_faults {
  uint8_t only_ata_cmd;        /* 0: faults hit every request; else only
                                  ATA requests with this command code */
  unsigned drop_requests;      /* drop the next N requests unseen */
  unsigned drop_replies;       /* serve the next N requests, lose the reply */
  double drop_request_rate;    /* fraction of requests lost at random */
  double drop_reply_rate;      /* fraction of replies lost at random */
  unsigned duplicate_replies;  /* send the next N replies twice */
  unsigned hold_replies;       /* hold the next N replies until released */
  unsigned hold_requests;      /* stall: keep the next N requests unserved
                                  (and every request after them, FIFO)
                                  until fake_target_release_requests */
  unsigned delay_replies;      /* delay the next N replies by delay_us */
  uint64_t delay_us;           /* extra delay for delay_replies */
  uint64_t jitter_us;          /* random extra delay 0..jitter_us per reply */
  unsigned aoe_error_replies;  /* answer the next N with the AoE E flag */
  uint8_t aoe_error;           /* ... and this AoE error code */
  unsigned ata_error_replies;  /* answer the next N ATA requests with */
  uint8_t ata_status;          /* ... this ATA status */
  uint8_t ata_error;           /* ... and this ATA error register */
  unsigned forge_replies;      /* precede the next N genuine replies with a
                                  forged copy (data bytes 0xEE) */
  unsigned mangle_replies;     /* replace the next N replies by a mangled one */
  enum fake_mangle mangle;     /* damage done by forge_replies/mangle_replies */
  uint8_t stranger_mac[6];     /* source MAC for FAKE_MANGLE_MAC */
  bool silent;                 /* answer nothing at all (target down) */
  size_t max_frame;            /* 0: no limit; else the path's MTU went down:
                                  longer requests vanish, and reads whose
                                  reply would be longer get AoE error 2
                                  (vblade's check against its own MTU) */
};

/* What the target saw and did. */
struct fake_counters {
  uint64_t requests;           /* AoE requests addressed to us */
  uint64_t ignored;            /* frames not for us, responses, masked MACs */
  uint64_t malformed;          /* requests too short to decode */
  uint64_t dropped_requests;   /* lost by drop faults or silence */
  uint64_t overflow;           /* dropped: rx_capacity outstanding already */
  uint64_t dropped_replies;    /* replies lost by drop faults */
  uint64_t replies;            /* replies queued for delivery */
  uint64_t reads;              /* ATA read commands served */
  uint64_t writes;             /* ATA write commands applied */
  uint64_t flushes;            /* FLUSH CACHE (EXT) served */
  uint64_t identifies;         /* IDENTIFY served */
  uint64_t configs;            /* Query Config requests served */
  unsigned max_outstanding;    /* most requests outstanding at once */
  unsigned max_scnt_seen;      /* largest ATA sector count requested */
};

/* One entry of the operation log: every ATA command served, in order. */
struct fake_op {
  uint8_t ata_cmd;             /* ATA command code */
  uint8_t aflags;              /* AoE ATA flags of the request */
  uint64_t raw_lba;            /* the six LBA bytes as sent */
  uint64_t lba;                /* decoded LBA (28 or 48 bits) */
  uint8_t count;               /* sectors */
  uint32_t tag;                /* request tag */
  uint64_t at;                 /* time it was served */
};

/* Parameters of a new target. */
struct fake_target_config {
  uint8_t mac[6];              /* our MAC */
  uint16_t shelf;              /* major */
  uint8_t slot;                /* minor */
  uint64_t sectors;            /* RAM disk size in 512-byte sectors */
  uint16_t buffer_count;       /* advertised in Query Config */
  unsigned rx_capacity;        /* requests it can hold (0: the buffer
                                  count, at least 1) */
  uint8_t sector_count;        /* advertised max sectors per frame; larger
                                  requests get AoE error 2 (0: 17) */
  uint16_t firmware;           /* Query Config firmware version (0: 0x4019) */
  bool lba48;                  /* IDENTIFY offers LBA48 */
  bool flush;                  /* IDENTIFY offers FLUSH CACHE (0xE7) */
  bool flush_ext;              /* IDENTIFY offers FLUSH CACHE EXT (0xEA) */
  bool read_only;              /* writes fail with status 0x41 error 0x04 */
  uint64_t service_us;         /* service time per request (0: 10 us) */
  uint64_t latency_us;         /* one-way reply latency (0: 50 us) */
  uint64_t seed;               /* PRNG seed for random faults */
};

/* The fake target (opaque). */
struct fake_target;

/* Create a target; the disk reads as zeroes.  Aborts on ENOMEM. */
struct fake_target *fake_target_new (const struct fake_target_config *cfg);

/* Free it. */
void fake_target_free (struct fake_target *t);

/* The fault knobs, to modify in place. */
struct fake_faults *fake_target_faults (struct fake_target *t);

/* The counters. */
const struct fake_counters *fake_target_counters (const struct fake_target *t);

/* The operation log: number of entries and entry i. */
size_t fake_target_nops (const struct fake_target *t);
const struct fake_op *fake_target_op (const struct fake_target *t, size_t i);

/* Copy count sectors at lba out of / into the RAM disk (the disk is
 * sparse: sectors never written read as zeroes).  Aborts past the end. */
void fake_target_read_disk (struct fake_target *t, uint64_t lba, void *buf,
                            size_t count);
void fake_target_write_disk (struct fake_target *t, uint64_t lba,
                             const void *buf, size_t count);

/* Make t serve owner's RAM disk instead of its own (two target
 * processes exporting one image file, as in a multipath setup): t's own
 * disk is freed, and owner must outlive t's disk accesses.  Both must have
 * the same size. */
void fake_target_share_disk (struct fake_target *t,
                             struct fake_target *owner);

/* Our MAC. */
const uint8_t *fake_target_mac (const struct fake_target *t);

/* Change the Query Config config string (len <= 1024). */
void fake_target_set_config_string (struct fake_target *t, const char *s,
                                    size_t len);

/* The current config string (not NUL-terminated) and its length. */
const uint8_t *fake_target_config_string (const struct fake_target *t,
                                          size_t *len);

/* The MAC mask list and the reserve list: count and entry i. */
unsigned fake_target_nmasks (const struct fake_target *t);
const uint8_t *fake_target_mask (const struct fake_target *t, unsigned i);
unsigned fake_target_nreserved (const struct fake_target *t);
const uint8_t *fake_target_reserved (const struct fake_target *t, unsigned i);

/* Set the mask list capacity (1..FAKE_MAX_MASKS; default 32). */
void fake_target_set_mask_capacity (struct fake_target *t, unsigned n);

/* Switch read-only mode on or off. */
void fake_target_set_read_only (struct fake_target *t, bool ro);

/* Hand the target one frame seen on its wire at now. */
void fake_target_receive (struct fake_target *t, const uint8_t *frame,
                          size_t len, uint64_t now);

/* Queue vblade's start-up announcement: an unsolicited Query Config
 * reply to ff:ff:ff:ff:ff:ff, tag 0, version nibble 0. */
void fake_target_announce (struct fake_target *t, uint64_t now);

/* The earliest deliver_at among queued replies that are not held, or
 * UINT64_MAX. */
uint64_t fake_target_next_reply_time (const struct fake_target *t);

/* Pop the next reply due at now into buf (cap bytes): returns its length,
 * or 0 if none is due. */
size_t fake_target_pop_reply (struct fake_target *t, uint64_t now,
                              uint8_t *buf, size_t cap);

/* Replies queued (held ones included) and held ones alone. */
size_t fake_target_queued (const struct fake_target *t);
size_t fake_target_held (const struct fake_target *t);

/* Release every held reply for delivery at now, in the order they were
 * held, or in reverse order. */
void fake_target_release_held (struct fake_target *t, uint64_t now,
                               bool reverse);

/* Requests kept unserved by hold_requests (the stalled queue). */
size_t fake_target_held_requests (const struct fake_target *t);

/* Serve every held request now, in arrival order (the stalled target
 * wakes up and works through its queue): writes land on the disk now. */
void fake_target_release_requests (struct fake_target *t, uint64_t now);

/* Fill a 512-byte IDENTIFY block like a real disk's: capacity, LBA48,
 * flush bits, byte-swapped space-padded strings. */
void fake_identify_fill (uint8_t block[512], uint64_t sectors, bool lba48,
                         bool flush, bool flush_ext, const char *model,
                         const char *serial, const char *firmware);

#endif /* AOE_FAKE_TARGET_H */
