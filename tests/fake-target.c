/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * A scripted in-memory AoE target: life cycle, RAM disk, service model,
 * reply queue and fault injection.  The command handlers are in
 * fake-target-cmd.c.  See fake-target.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-target-internal.h"

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Allocation that aborts the test on failure. */
void *
fake_xrealloc (void *p, size_t n)
{
  void *q = realloc (p, n ? n : 1);

  if (q == NULL) {
    fprintf (stderr, "fake target: out of memory\n");
    abort ();
  }
  return q;
}

/* Grow a dynamic array *arr of *cap elements of size elem to hold need. */
static void
grow (void **arr, size_t *cap, size_t need, size_t elem)
{
  size_t n = *cap ? *cap : 16;

  if (need <= *cap)
    return;
  while (n < need)
    n *= 2;
  *arr = fake_xrealloc (*arr, n * elem);
  *cap = n;
}

/* The next value of the target's splitmix64 generator. */
static uint64_t
prng_next (struct fake_target *t)
{
  uint64_t z = (t->prng += UINT64_C (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * UINT64_C (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* True with probability rate (0 never draws, so a zero rate leaves the
 * sequence of other random faults unchanged). */
static bool
prng_chance (struct fake_target *t, double rate)
{
  if (rate <= 0)
    return false;
  return (prng_next (t) >> 11) * (1.0 / 9007199254740992.0) < rate;
}

/* Consume one shot of a fault counter: true if it was armed. */
static bool
take (unsigned *counter)
{
  if (*counter == 0)
    return false;
  (*counter)--;
  return true;
}

/* Create a target. */
struct fake_target *
fake_target_new (const struct fake_target_config *cfg)
{
  struct fake_target *t = fake_xrealloc (NULL, sizeof *t);

  memset (t, 0, sizeof *t);
  t->cfg = *cfg;
  if (t->cfg.rx_capacity == 0)
    t->cfg.rx_capacity = t->cfg.buffer_count > 0 ? t->cfg.buffer_count : 1;
  if (t->cfg.sector_count == 0)
    t->cfg.sector_count = 17;
  if (t->cfg.firmware == 0)
    t->cfg.firmware = 0x4019;
  if (t->cfg.service_us == 0)
    t->cfg.service_us = 10;
  if (t->cfg.latency_us == 0)
    t->cfg.latency_us = 50;
  t->nchunks = (cfg->sectors + FAKE_CHUNK_SECTORS - 1) / FAKE_CHUNK_SECTORS;
  t->chunks = fake_xrealloc (NULL, t->nchunks * sizeof *t->chunks);
  memset (t->chunks, 0, t->nchunks * sizeof *t->chunks);
  t->mask_capacity = FAKE_MAX_MASKS;
  t->prng = cfg->seed;
  t->answer = fake_xrealloc (NULL, sizeof *t->answer);
  return t;
}

/* Free it. */
void
fake_target_free (struct fake_target *t)
{
  size_t i;

  if (t == NULL)
    return;
  for (i = 0; i < t->nchunks; i++)
    free (t->chunks[i]);
  for (i = 0; i < t->nqueue; i++)
    free (t->queue[i].frame);
  for (i = 0; i < t->nheld_req; i++)
    free (t->held_req[i].frame);
  free (t->held_req);
  free (t->chunks);
  free (t->queue);
  free (t->busy);
  free (t->ops);
  free (t->answer);
  free (t);
}

/* The fault knobs. */
struct fake_faults *
fake_target_faults (struct fake_target *t)
{
  return &t->faults;
}

/* The counters. */
const struct fake_counters *
fake_target_counters (const struct fake_target *t)
{
  return &t->counters;
}

/* Number of operation log entries. */
size_t
fake_target_nops (const struct fake_target *t)
{
  return t->nops;
}

/* Operation log entry i. */
const struct fake_op *
fake_target_op (const struct fake_target *t, size_t i)
{
  return i < t->nops ? &t->ops[i] : NULL;
}

/* Append an entry to the operation log. */
void
fake_log_op (struct fake_target *t, const struct fake_op *op)
{
  grow ((void **) &t->ops, &t->ops_cap, t->nops + 1, sizeof *t->ops);
  t->ops[t->nops++] = *op;
}

/* Abort unless [lba, lba + count) lies on the disk. */
static void
check_range (const struct fake_target *t, uint64_t lba, size_t count)
{
  if (lba > t->cfg.sectors || count > t->cfg.sectors - lba) {
    fprintf (stderr, "fake target: disk access past the end\n");
    abort ();
  }
}

/* Share owner's RAM disk (see fake-target.h). */
void
fake_target_share_disk (struct fake_target *t, struct fake_target *owner)
{
  size_t i;

  if (owner->cfg.sectors != t->cfg.sectors || owner->disk_owner) {
    fprintf (stderr, "fake target: cannot share that disk\n");
    abort ();
  }
  for (i = 0; i < t->nchunks; i++)
    free (t->chunks[i]);
  memset (t->chunks, 0, t->nchunks * sizeof *t->chunks);
  t->disk_owner = owner;
}

/* Copy count sectors at lba out of the RAM disk. */
void
fake_target_read_disk (struct fake_target *t, uint64_t lba, void *buf,
                       size_t count)
{
  uint8_t *out = buf;
  size_t i;

  if (t->disk_owner)
    t = t->disk_owner;
  check_range (t, lba, count);
  for (i = 0; i < count; i++, lba++, out += 512) {
    const uint8_t *chunk = t->chunks[lba / FAKE_CHUNK_SECTORS];

    if (chunk)
      memcpy (out, chunk + (lba % FAKE_CHUNK_SECTORS) * 512, 512);
    else
      memset (out, 0, 512);
  }
}

/* Copy count sectors into the RAM disk at lba. */
void
fake_target_write_disk (struct fake_target *t, uint64_t lba,
                        const void *buf, size_t count)
{
  const uint8_t *in = buf;
  size_t i;

  if (t->disk_owner)
    t = t->disk_owner;
  check_range (t, lba, count);
  for (i = 0; i < count; i++, lba++, in += 512) {
    uint8_t **chunk = &t->chunks[lba / FAKE_CHUNK_SECTORS];

    if (*chunk == NULL) {
      *chunk = fake_xrealloc (NULL, FAKE_CHUNK_SECTORS * 512);
      memset (*chunk, 0, FAKE_CHUNK_SECTORS * 512);
    }
    memcpy (*chunk + (lba % FAKE_CHUNK_SECTORS) * 512, in, 512);
  }
}

/* Our MAC. */
const uint8_t *
fake_target_mac (const struct fake_target *t)
{
  return t->cfg.mac;
}

/* Change the config string. */
void
fake_target_set_config_string (struct fake_target *t, const char *s,
                               size_t len)
{
  if (len > AOE_MAX_CONFIG_LEN)
    len = AOE_MAX_CONFIG_LEN;
  memcpy (t->config, s, len);
  t->config_len = len;
}

/* The current config string. */
const uint8_t *
fake_target_config_string (const struct fake_target *t, size_t *len)
{
  *len = t->config_len;
  return t->config;
}

/* Number of masks. */
unsigned
fake_target_nmasks (const struct fake_target *t)
{
  return t->nmasks;
}

/* Mask i. */
const uint8_t *
fake_target_mask (const struct fake_target *t, unsigned i)
{
  return i < t->nmasks ? t->masks[i] : NULL;
}

/* Number of reserving MACs. */
unsigned
fake_target_nreserved (const struct fake_target *t)
{
  return t->nreserved;
}

/* Reserving MAC i. */
const uint8_t *
fake_target_reserved (const struct fake_target *t, unsigned i)
{
  return i < t->nreserved ? t->reserved[i] : NULL;
}

/* Set the mask list capacity. */
void
fake_target_set_mask_capacity (struct fake_target *t, unsigned n)
{
  if (n < 1)
    n = 1;
  if (n > FAKE_MAX_MASKS)
    n = FAKE_MAX_MASKS;
  t->mask_capacity = n;
}

/* Switch read-only mode. */
void
fake_target_set_read_only (struct fake_target *t, bool ro)
{
  t->cfg.read_only = ro;
}

/* True if mac is in the list of n MACs. */
bool
fake_mac_in (const uint8_t (*list)[6], unsigned n, const uint8_t *mac)
{
  unsigned i;

  for (i = 0; i < n; i++)
    if (memcmp (list[i], mac, 6) == 0)
      return true;
  return false;
}

/* Put a copy of frame on the reply queue, due at deliver_at. */
static void
enqueue (struct fake_target *t, const uint8_t *frame, size_t len,
         uint64_t deliver_at)
{
  struct fake_reply *r;

  grow ((void **) &t->queue, &t->queue_cap, t->nqueue + 1, sizeof *t->queue);
  r = &t->queue[t->nqueue++];
  r->deliver_at = deliver_at;
  r->order = t->next_order++;
  r->len = len;
  r->frame = fake_xrealloc (NULL, len);
  memcpy (r->frame, frame, len);
  t->counters.replies++;
}

/* Damage a reply in place as kind says; returns the new length. */
static size_t
mangle (struct fake_target *t, uint8_t *frame, size_t len, bool read_data,
        enum fake_mangle kind)
{
  switch (kind) {
  case FAKE_MANGLE_NONE:
    break;
  case FAKE_MANGLE_MAC:
    memcpy (frame + 6, t->faults.stranger_mac, 6);
    break;
  case FAKE_MANGLE_SHELF_SLOT:
    frame[18]++;
    break;
  case FAKE_MANGLE_TAG:
    aoe_put_be32 (frame + 20, aoe_get_be32 (frame + 20) ^ 0x00550000);
    break;
  case FAKE_MANGLE_COMMAND:
    frame[19] = (frame[19] + 1) % 4;
    break;
  case FAKE_MANGLE_SHORT:
    /* A read reply loses half its data; anything else its last
     * argument byte. */
    if (read_data)
      return AOE_ATA_HDR_LEN + (len - AOE_ATA_HDR_LEN) / 2;
    switch (frame[19]) {
    case AOE_CMD_ATA: return AOE_ATA_HDR_LEN - 1;
    case AOE_CMD_CONFIG: return AOE_CFG_HDR_LEN - 1;
    case AOE_CMD_MASK: return AOE_MASK_HDR_LEN - 1;
    default: return AOE_RESERVE_HDR_LEN - 1;
    }
  case FAKE_MANGLE_NO_RESPONSE:
    frame[14] &= (uint8_t) ~AOE_FLAG_RESPONSE;
    break;
  }
  return len;
}

/* Queue a forged copy of the answer: data poisoned with 0xEE, then
 * mangled. */
static void
enqueue_forgery (struct fake_target *t, const struct fake_answer *ans,
                 uint64_t deliver_at)
{
  uint8_t *copy = fake_xrealloc (NULL, ans->len);
  size_t len;

  memcpy (copy, ans->frame, ans->len);
  if (ans->read_data)
    memset (copy + AOE_ATA_HDR_LEN, 0xEE, ans->len - AOE_ATA_HDR_LEN);
  len = mangle (t, copy, ans->len, ans->read_data, t->faults.mangle);
  enqueue (t, copy, len, deliver_at);
  free (copy);
}

/* Apply the reply faults to a built answer and queue what survives. */
static void
send_answer (struct fake_target *t, struct fake_answer *ans, bool faulty,
             uint64_t deliver_at)
{
  struct fake_faults *f = &t->faults;
  unsigned copies = 1, i;

  if (faulty) {
    if (take (&f->drop_replies) || prng_chance (t, f->drop_reply_rate)) {
      t->counters.dropped_replies++;
      return;
    }
    if (take (&f->hold_replies))
      deliver_at = FAKE_HELD_FOREVER;
    else {
      if (take (&f->delay_replies))
        deliver_at += f->delay_us;
      if (f->jitter_us > 0)
        deliver_at += prng_next (t) % (f->jitter_us + 1);
    }
    if (take (&f->forge_replies))
      enqueue_forgery (t, ans, deliver_at);
    if (take (&f->mangle_replies))
      ans->len = mangle (t, ans->frame, ans->len, ans->read_data, f->mangle);
    if (take (&f->duplicate_replies))
      copies = 2;
  }
  for (i = 0; i < copies; i++)
    enqueue (t, ans->frame, ans->len, deliver_at);
}

/* True if the request is addressed to us and allowed by the mask list. */
static bool
for_us (const struct fake_target *t, const struct aoe_header *h)
{
  if (memcmp (h->dst, t->cfg.mac, 6) != 0 &&
      memcmp (h->dst, broadcast_mac, 6) != 0)
    return false;
  if (h->flags & AOE_FLAG_RESPONSE)
    return false;
  if (h->shelf != t->cfg.shelf && h->shelf != 0xFFFF)
    return false;
  if (h->slot != t->cfg.slot && h->slot != 0xFF)
    return false;
  if (t->nmasks > 0 &&
      !fake_mac_in ((const uint8_t (*)[6]) t->masks, t->nmasks, h->src))
    return false;
  return true;
}

/* Admit a request into the receive buffer at now: false if it is full
 * (the request is dropped); else *served_at is when its service ends. */
static bool
admit (struct fake_target *t, uint64_t now, uint64_t *served_at)
{
  size_t keep = 0, i;

  for (i = 0; i < t->nbusy; i++)
    if (t->busy[i] > now)
      t->busy[keep++] = t->busy[i];
  t->nbusy = keep;
  if (t->nbusy >= t->cfg.rx_capacity) {
    t->counters.overflow++;
    return false;
  }
  if (t->busy_until < now)
    t->busy_until = now;
  t->busy_until += t->cfg.service_us;
  *served_at = t->busy_until;
  grow ((void **) &t->busy, &t->busy_cap, t->nbusy + 1, sizeof *t->busy);
  t->busy[t->nbusy++] = *served_at;
  if (t->nbusy > t->counters.max_outstanding)
    t->counters.max_outstanding = t->nbusy;
  return true;
}

/* Build an ATA reply with the given status and error registers. */
static void
ata_error_answer (const struct fake_target *t, const uint8_t *req,
                  size_t len, struct fake_answer *ans, uint8_t status,
                  uint8_t error)
{
  fake_reply_start (t, req, len, ans, AOE_ATA_HDR_LEN - AOE_HDR_LEN);
  ans->frame[25] = error;
  ans->frame[27] = status;
}

/* Serve one request addressed to us (header h) at now. */
static void
serve_request (struct fake_target *t, const uint8_t *frame, size_t len,
               const struct aoe_header *hp, uint64_t now)
{
  struct fake_faults *f = &t->faults;
  struct fake_answer *ans = t->answer;
  struct aoe_header h = *hp;
  uint64_t served_at;
  bool is_ata, faulty;

  t->counters.requests++;
  is_ata = h.command == AOE_CMD_ATA && len >= AOE_ATA_HDR_LEN;
  faulty = f->only_ata_cmd == 0 || (is_ata && frame[27] == f->only_ata_cmd);
  if (f->silent || (f->max_frame > 0 && len > f->max_frame) ||
      (faulty && (take (&f->drop_requests) ||
                  prng_chance (t, f->drop_request_rate)))) {
    t->counters.dropped_requests++;
    return;
  }
  if (!admit (t, now, &served_at))
    return;

  ans->len = 0;
  ans->read_data = false;
  if (faulty && take (&f->aoe_error_replies))
    fake_reply_aoe_error (t, frame, len, ans, f->aoe_error);
  else if (is_ata && f->max_frame > 0
           && AOE_ATA_HDR_LEN + (size_t) frame[26] * 512 > f->max_frame)
    fake_reply_aoe_error (t, frame, len, ans, AOE_ERR_BAD_ARG);
  else if (faulty && is_ata && take (&f->ata_error_replies))
    ata_error_answer (t, frame, len, ans, f->ata_status, f->ata_error);
  else
    fake_target_answer (t, frame, len, &h, ans, served_at);
  if (ans->len == 0)
    return;
  send_answer (t, ans, faulty, served_at + t->cfg.latency_us);
}

/* Hand the target one frame seen on its wire. */
void
fake_target_receive (struct fake_target *t, const uint8_t *frame,
                     size_t len, uint64_t now)
{
  struct aoe_header h;

  if (aoe_wire_get_header (frame, len, &h) == -1 || !for_us (t, &h)) {
    t->counters.ignored++;
    return;
  }
  /* A stalled target: the request waits in its queue, behind any
   * request already waiting there. */
  if (t->nheld_req > 0 || take (&t->faults.hold_requests)) {
    struct fake_request *r;

    grow ((void **) &t->held_req, &t->held_req_cap, t->nheld_req + 1,
          sizeof *t->held_req);
    r = &t->held_req[t->nheld_req++];
    r->len = len;
    r->frame = fake_xrealloc (NULL, len);
    memcpy (r->frame, frame, len);
    return;
  }
  serve_request (t, frame, len, &h, now);
}

/* Requests stalled by hold_requests. */
size_t
fake_target_held_requests (const struct fake_target *t)
{
  return t->nheld_req;
}

/* Serve the stalled requests in arrival order. */
void
fake_target_release_requests (struct fake_target *t, uint64_t now)
{
  size_t i, n = t->nheld_req;
  struct fake_request *held = t->held_req;

  t->held_req = NULL;
  t->nheld_req = t->held_req_cap = 0;
  for (i = 0; i < n; i++) {
    struct aoe_header h;

    if (aoe_wire_get_header (held[i].frame, held[i].len, &h) == 0)
      serve_request (t, held[i].frame, held[i].len, &h, now);
    free (held[i].frame);
  }
  free (held);
}

/* Queue vblade's start-up announcement. */
void
fake_target_announce (struct fake_target *t, uint64_t now)
{
  uint8_t frame[AOE_CFG_HDR_LEN + AOE_MAX_CONFIG_LEN];
  struct aoe_header h = {
    .version = 0, .flags = AOE_FLAG_RESPONSE, .shelf = t->cfg.shelf,
    .slot = t->cfg.slot, .command = AOE_CMD_CONFIG, .tag = 0,
  };
  struct aoe_config_arg c = {
    .buffer_count = t->cfg.buffer_count, .firmware = t->cfg.firmware,
    .sector_count = t->cfg.sector_count, .aoe_version = AOE_VERSION,
    .config_len = (uint16_t) t->config_len, .config = t->config,
  };
  size_t len;

  memcpy (h.dst, broadcast_mac, 6);
  memcpy (h.src, t->cfg.mac, 6);
  aoe_wire_put_header (frame, &h);
  len = aoe_wire_put_config (frame, sizeof frame, &c);
  enqueue (t, frame, len, now + t->cfg.latency_us);
}

/* Index of the queued reply due first at or before now, or -1. */
static ssize_t
due_index (const struct fake_target *t, uint64_t now)
{
  ssize_t best = -1;
  size_t i;

  for (i = 0; i < t->nqueue; i++) {
    const struct fake_reply *r = &t->queue[i];

    if (r->deliver_at == FAKE_HELD_FOREVER || r->deliver_at > now)
      continue;
    if (best == -1 || r->deliver_at < t->queue[best].deliver_at ||
        (r->deliver_at == t->queue[best].deliver_at &&
         r->order < t->queue[best].order))
      best = (ssize_t) i;
  }
  return best;
}

/* The earliest delivery time among replies not held. */
uint64_t
fake_target_next_reply_time (const struct fake_target *t)
{
  uint64_t best = UINT64_MAX;
  size_t i;

  for (i = 0; i < t->nqueue; i++)
    if (t->queue[i].deliver_at != FAKE_HELD_FOREVER &&
        t->queue[i].deliver_at < best)
      best = t->queue[i].deliver_at;
  return best;
}

/* Pop the next reply due at now. */
size_t
fake_target_pop_reply (struct fake_target *t, uint64_t now, uint8_t *buf,
                       size_t cap)
{
  ssize_t i = due_index (t, now);
  size_t len;

  if (i == -1)
    return 0;
  len = t->queue[i].len;
  if (len > cap) {
    fprintf (stderr, "fake target: reply of %zu bytes exceeds buffer\n", len);
    abort ();
  }
  memcpy (buf, t->queue[i].frame, len);
  free (t->queue[i].frame);
  t->queue[i] = t->queue[--t->nqueue];
  return len;
}

/* Replies queued, held ones included. */
size_t
fake_target_queued (const struct fake_target *t)
{
  return t->nqueue;
}

/* Replies held. */
size_t
fake_target_held (const struct fake_target *t)
{
  size_t i, n = 0;

  for (i = 0; i < t->nqueue; i++)
    n += t->queue[i].deliver_at == FAKE_HELD_FOREVER;
  return n;
}

/* Compare two held replies by queueing order (qsort). */
static int
cmp_order (const void *a, const void *b)
{
  const struct fake_reply *x = a, *y = b;

  return x->order < y->order ? -1 : x->order > y->order;
}

/* Release every held reply at now, in held order or reversed. */
void
fake_target_release_held (struct fake_target *t, uint64_t now, bool reverse)
{
  size_t i, n = 0;
  struct fake_reply tmp;

  /* Gather the held replies at the front, sorted by queueing order, then
   * give them fresh orders (reversed if asked) after every other reply. */
  for (i = 0; i < t->nqueue; i++)
    if (t->queue[i].deliver_at == FAKE_HELD_FOREVER) {
      tmp = t->queue[n];
      t->queue[n++] = t->queue[i];
      t->queue[i] = tmp;
    }
  qsort (t->queue, n, sizeof *t->queue, cmp_order);
  for (i = 0; i < n; i++) {
    struct fake_reply *r = &t->queue[reverse ? n - 1 - i : i];

    r->deliver_at = now;
    r->order = t->next_order++;
  }
}

/* Store an IDENTIFY string: space padded, two bytes per word swapped. */
static void
put_id_string (uint8_t *block, unsigned first, unsigned nwords,
               const char *s)
{
  size_t n = strlen (s), i;

  for (i = 0; i < 2 * (size_t) nwords; i++) {
    char c = i < n ? s[i] : ' ';

    block[2 * first + (i ^ 1)] = (uint8_t) c;
  }
}

/* Store IDENTIFY word n (little-endian). */
static void
put_id_word (uint8_t *block, unsigned n, unsigned v)
{
  block[2 * n] = v & 0xFF;
  block[2 * n + 1] = (v >> 8) & 0xFF;
}

/* Fill a 512-byte IDENTIFY block like vblade's. */
void
fake_identify_fill (uint8_t block[512], uint64_t sectors, bool lba48,
                    bool flush, bool flush_ext, const char *model,
                    const char *serial, const char *firmware)
{
  unsigned features = (lba48 ? 1u << 10 : 0) | (flush ? 1u << 12 : 0) |
    (flush_ext ? 1u << 13 : 0);
  uint64_t lba28 = sectors < 0x0FFFFFFF ? sectors : 0x0FFFFFFF;
  unsigned i;

  memset (block, 0, 512);
  put_id_string (block, 10, 10, serial);
  put_id_string (block, 23, 4, firmware);
  put_id_string (block, 27, 20, model);
  put_id_word (block, 47, 0x8000);
  put_id_word (block, 49, 0x0200);           /* LBA supported */
  put_id_word (block, 50, 0x4000);
  put_id_word (block, 60, lba28 & 0xFFFF);
  put_id_word (block, 61, (lba28 >> 16) & 0xFFFF);
  put_id_word (block, 83, 0x4000 | features); /* supported */
  put_id_word (block, 84, 0x4000);
  put_id_word (block, 86, features);          /* enabled */
  put_id_word (block, 87, 0x4000);
  put_id_word (block, 93, 0x400B);
  if (lba48)
    for (i = 0; i < 4; i++)
      put_id_word (block, 100 + i, (sectors >> (16 * i)) & 0xFFFF);
}
