/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Private parts of the fake AoE target, shared by fake-target.c (life
 * cycle, service model, reply queue, faults) and fake-target-cmd.c (the
 * AoE and ATA command handlers).
 */
#ifndef AOE_FAKE_TARGET_INTERNAL_H
#define AOE_FAKE_TARGET_INTERNAL_H

#include "fake-target.h"

#define FAKE_CHUNK_SECTORS 2048 /* RAM disk allocation unit (1 MiB) */
#define FAKE_MAX_REPLY (AOE_ATA_HDR_LEN + 255 * 512) /* largest reply */
#define FAKE_ATA_PAD_LEN 60     /* vblade's write and ATA error replies */

/* A reply waiting to be delivered to the initiator. */
struct fake_reply {
  uint64_t deliver_at;   /* when it arrives (FAKE_HELD_FOREVER: held) */
  uint64_t order;        /* tie-breaker: queueing order */
  size_t len;            /* frame length */
  uint8_t *frame;        /* the frame (malloc'd) */
};

/* A request kept unserved by hold_requests. */
struct fake_request {
  size_t len;            /* frame length */
  uint8_t *frame;        /* the frame (malloc'd) */
};

/* What a command handler produced. */
struct fake_answer {
  uint8_t frame[FAKE_MAX_REPLY]; /* the reply */
  size_t len;                    /* its length; 0: stay silent */
  bool read_data;                /* a read reply carrying sector data */
};

/* The fake target. */
struct fake_target {
  struct fake_target_config cfg;    /* parameters (defaults filled in) */
  struct fake_faults faults;        /* fault knobs */
  struct fake_counters counters;    /* what happened */
  uint8_t **chunks;                 /* sparse RAM disk: NULL = zeroes */
  size_t nchunks;                   /* entries in chunks */
  struct fake_target *disk_owner;   /* whose chunks we serve (NULL: ours) */
  struct fake_request *held_req;    /* requests stalled by hold_requests */
  size_t nheld_req;                 /* entries in held_req */
  size_t held_req_cap;              /* allocated entries */
  uint8_t config[AOE_MAX_CONFIG_LEN]; /* Query Config string */
  size_t config_len;                /* its length */
  uint8_t masks[FAKE_MAX_MASKS][6]; /* MAC mask list */
  unsigned nmasks;                  /* entries in masks */
  unsigned mask_capacity;           /* most masks accepted */
  uint8_t reserved[FAKE_MAX_RESERVE][6]; /* reserve list */
  unsigned nreserved;               /* entries in reserved */
  uint64_t *busy;                   /* service end times, outstanding ones */
  size_t nbusy;                     /* entries in busy */
  size_t busy_cap;                  /* allocated entries */
  uint64_t busy_until;              /* end of the last service */
  struct fake_reply *queue;         /* replies not yet delivered */
  size_t nqueue;                    /* entries in queue */
  size_t queue_cap;                 /* allocated entries */
  uint64_t next_order;              /* next fake_reply.order */
  struct fake_op *ops;              /* operation log */
  size_t nops;                      /* entries in ops */
  size_t ops_cap;                   /* allocated entries */
  uint64_t prng;                    /* splitmix64 state */
  struct fake_answer *answer;       /* scratch reply being built */
};

/* Build the reply to a decoded request (fake-target-cmd.c).  now is the
 * time the request will be served (for the operation log). */
void fake_target_answer (struct fake_target *t, const uint8_t *req,
                         size_t len, const struct aoe_header *h,
                         struct fake_answer *ans, uint64_t now);

/* Start a reply in ans: the request's header with addresses swapped, R
 * set, our shelf.slot, and the argument bytes echoed up to arg_len. */
void fake_reply_start (const struct fake_target *t, const uint8_t *req,
                       size_t len, struct fake_answer *ans, size_t arg_len);

/* Turn ans into an AoE error reply (E flag, code), echoing the request
 * like vblade (up to 60 bytes). */
void fake_reply_aoe_error (const struct fake_target *t, const uint8_t *req,
                           size_t len, struct fake_answer *ans, uint8_t code);

/* Append an entry to the operation log. */
void fake_log_op (struct fake_target *t, const struct fake_op *op);

/* True if mac is in the list of n MACs. */
bool fake_mac_in (const uint8_t (*list)[6], unsigned n, const uint8_t *mac);

/* Allocation that aborts the test on failure. */
void *fake_xrealloc (void *p, size_t n);

#endif /* AOE_FAKE_TARGET_INTERNAL_H */
