/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe_discover: broadcast Query Config to every shelf and slot on the
 * handle's interfaces, collect the answers until the time limit, IDENTIFY
 * each target found, and return them sorted.
 *
 * Discovery has its own session (interfaces, engine bound to no target,
 * temporary loop), so it works on a handle in any state and never
 * disturbs a connection's I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Capture buffer per interface: discovery answers are small. */
#define DISCOVER_BUFFER_BYTES (4u << 20)

/* Most targets one discovery reports. */
#define MAX_TARGETS 4096

/* The targets found so far. */
struct found {
  struct aoe_io *io;              /* the discovery session */
  struct aoe_target_info *items;  /* one per (shelf, slot, MAC) */
  size_t len;                     /* how many */
  size_t cap;                     /* allocated */
  unsigned *ifindex;              /* interface index of each item */
  bool out_of_memory;             /* an answer could not be stored */
  uint32_t timeout_ms;            /* time limit of each stage */
};

/* The entry for (shelf, slot, mac), or NULL. */
static struct aoe_target_info *
find_target (struct found *f, uint16_t shelf, uint8_t slot,
             const uint8_t mac[6])
{
  size_t i;

  for (i = 0; i < f->len; ++i)
    if (f->items[i].shelf == shelf && f->items[i].slot == slot
        && memcmp (f->items[i].mac, mac, 6) == 0)
      return &f->items[i];
  return NULL;
}

/* Make room for one more target.  0, or -1 if memory ran out. */
static int
grow (struct found *f)
{
  struct aoe_target_info *items;
  unsigned *ifindex;
  size_t cap;

  if (f->len < f->cap)
    return 0;
  cap = f->cap ? f->cap * 2 : 16;
  items = realloc (f->items, cap * sizeof *items);
  if (items == NULL)
    return -1;
  f->items = items;
  ifindex = realloc (f->ifindex, cap * sizeof *ifindex);
  if (ifindex == NULL)
    return -1;
  f->ifindex = ifindex;
  f->cap = cap;
  return 0;
}

/* on_answer of the broadcast: record a target not seen yet. */
static void
record_answer (struct aoe_config_query *q, const struct aoe_header *hdr,
               const struct aoe_config_arg *cfg, unsigned iface)
{
  struct found *f = q->opaque;
  struct aoe_transport *t = f->io->ifaces[iface].transport;
  struct aoe_target_info *ti;

  if (hdr->shelf == 0xFFFF || hdr->slot == 0xFF
      || find_target (f, hdr->shelf, hdr->slot, hdr->src) != NULL
      || f->len >= MAX_TARGETS)
    return;
  if (grow (f) == -1) {
    f->out_of_memory = true;
    return;
  }
  ti = &f->items[f->len];
  memset (ti, 0, sizeof *ti);
  ti->shelf = hdr->shelf;
  ti->slot = hdr->slot;
  memcpy (ti->mac, hdr->src, 6);
  strcpy (ti->iface, t->ifname);
  ti->buffer_count = cfg->buffer_count;
  ti->firmware_version = cfg->firmware;
  ti->sectors_per_frame = aoe_frame_sectors (t->mtu, cfg->sector_count, 0);
  aoe_internal_copy_config (ti->config, cfg);
  f->ifindex[f->len++] = iface;
}

/* IDENTIFY every target found, all at once, and fill their fields.
 * 0, or -1 with the error set. */
static int
identify_all (struct found *f, uint32_t timeout_ms)
{
  struct aoe_identify_query *queries;
  size_t i;
  int err;

  if (f->len == 0)
    return 0;
  queries = calloc (f->len, sizeof *queries);
  if (queries == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < f->len; ++i) {
    aoe_internal_identify_init (&queries[i], f->items[i].shelf,
                                f->items[i].slot, f->items[i].mac,
                                f->ifindex[i], timeout_ms);
    err = aoe_internal_waiter_submit (f->io, &queries[i].wait);
    if (err) {
      /* Nothing queued can be left behind: fail what was queued. */
      aoe_io_fail_all (f->io, err);
      free (queries);
      set_error (err, "cannot queue IDENTIFY: %s", strerror (err));
      return -1;
    }
  }
  for (i = 0; i < f->len; ++i) {
    struct aoe_target_info *ti = &f->items[i];
    const struct aoe_identity *id = &queries[i].id;

    aoe_io_run_until (f->io, &queries[i].wait.done);
    if (queries[i].wait.err != 0)
      continue;
    ti->identified = 1;
    ti->size = id->sectors * AOE_SECTOR_SIZE;
    ti->lba48 = id->lba48;
    strcpy (ti->model, id->model);
    strcpy (ti->serial, id->serial);
    strcpy (ti->firmware, id->firmware);
  }
  free (queries);
  return 0;
}

/* True if targets a and b (same shelf.slot) cannot be one disk: Query
 * Config or IDENTIFY differ. */
static bool
answers_differ (const struct aoe_target_info *a,
                const struct aoe_target_info *b)
{
  return a->firmware_version != b->firmware_version
    || strcmp (a->config, b->config) != 0
    || a->identified != b->identified
    || (a->identified
        && (a->size != b->size || a->lba48 != b->lba48
            || strcmp (a->model, b->model) != 0
            || strcmp (a->serial, b->serial) != 0
            || strcmp (a->firmware, b->firmware) != 0));
}

/* True if some other MAC answered for target i's shelf.slot. */
static bool
address_shared (const struct found *f, size_t i)
{
  size_t k;

  for (k = 0; k < f->len; ++k)
    if (k != i && f->items[k].shelf == f->items[i].shelf
        && f->items[k].slot == f->items[i].slot)
      return true;
  return false;
}

/* Mark every target whose shelf.slot another MAC claims with another
 * disk: answers that differ, or a first sector that differs (read now,
 * all at once, from the identified targets of shared addresses).  0, or
 * -1 with the error set. */
static int
mark_conflicts (struct found *f, uint32_t timeout_ms)
{
  struct aoe_sector_query *qs;
  size_t i, k;
  int err;

  qs = calloc (f->len, sizeof *qs);
  if (qs == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < f->len; ++i) {
    struct aoe_target_info *ti = &f->items[i];

    if (!ti->identified || !address_shared (f, i)) {
      qs[i].wait.done = true;
      qs[i].wait.err = ENODATA;
      continue;
    }
    aoe_internal_sector_query_init (&qs[i], ti->shelf, ti->slot, ti->mac,
                                    f->ifindex[i], ti->lba48, 0, timeout_ms);
    err = aoe_internal_waiter_submit (f->io, &qs[i].wait);
    if (err) {
      aoe_io_fail_all (f->io, err);
      free (qs);
      set_error (err, "cannot queue a read: %s", strerror (err));
      return -1;
    }
  }
  for (i = 0; i < f->len; ++i)
    aoe_io_run_until (f->io, &qs[i].wait.done);
  for (i = 0; i < f->len; ++i)
    for (k = 0; k < f->len; ++k) {
      const struct aoe_target_info *a = &f->items[i], *b = &f->items[k];

      if (k == i || a->shelf != b->shelf || a->slot != b->slot)
        continue;
      if (answers_differ (a, b)
          || (qs[i].wait.err == 0 && qs[k].wait.err == 0
              && memcmp (qs[i].data, qs[k].data, AOE_SECTOR_SIZE) != 0))
        f->items[i].conflict = 1;
    }
  free (qs);
  return 0;
}

/* qsort order: shelf, slot, MAC. */
static int
compare_targets (const void *a, const void *b)
{
  const struct aoe_target_info *x = a, *y = b;

  if (x->shelf != y->shelf)
    return x->shelf < y->shelf ? -1 : 1;
  if (x->slot != y->slot)
    return x->slot < y->slot ? -1 : 1;
  return memcmp (x->mac, y->mac, 6);
}

/* Run the broadcast, the IDENTIFYs and the conflict check on io for f
 * (opaque): the body of aoe_discover's temporary loop.  0, or -1 with
 * the error set. */
static int
discover_on (struct aoe_io *io, void *opaque)
{
  struct found *f = opaque;
  uint32_t timeout_ms = f->timeout_ms;
  struct aoe_config_query q;
  int err;

  aoe_internal_config_query_init (&q, io, 0xFFFF, 0xFF, timeout_ms, true);
  q.on_answer = record_answer;
  q.opaque = f;
  err = aoe_internal_wait_on_loop (io, &q.wait);
  if (err) {
    set_error (err, "broadcast Query Config failed: %s", strerror (err));
    return -1;
  }
  if (f->out_of_memory) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  if (identify_all (f, timeout_ms) == -1)
    return -1;
  return mark_conflicts (f, timeout_ms);
}

/* The f->len targets found as the caller's array, of elements of size
 * bytes, into *targets (NULL if none).  0, or -1 with the error set. */
static int
hand_over (struct found *f, size_t size, struct aoe_target_info **targets)
{
  unsigned char *array;
  size_t i;

  if (f->len == 0)
    return 0;
  array = calloc (f->len, size);
  if (array == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < f->len; ++i)
    aoe_internal_copy_struct (array + i * size, size, &f->items[i],
                              sizeof f->items[i]);
  *targets = (struct aoe_target_info *) array;
  return 0;
}

int
aoe_discover (aoe_handle *h, unsigned timeout_ms,
              struct aoe_target_info **targets, size_t size)
{
  char ifnames[AOE_MAX_IFACES][IF_NAMESIZE];
  struct aoe_engine_config cfg;
  struct found f = { .timeout_ms = timeout_ms };
  size_t nifaces;
  int r = -1;

  aoe_api_enter ();
  if (targets == NULL) {
    set_error (EFAULT, "targets is NULL");
    return -1;
  }
  *targets = NULL;
  if (aoe_internal_check_struct_size ("struct aoe_target_info", size,
                                      sizeof ((*targets)->shelf)) == -1)
    return -1;
  if (h == NULL) {
    set_error (EFAULT, "handle is NULL");
    return -1;
  }
  if (timeout_ms == 0) {
    set_error (EINVAL, "discovery timeout must be > 0 ms");
    return -1;
  }
  pthread_mutex_lock (&h->lock);
  nifaces = h->nifaces;
  memcpy (ifnames, h->ifnames, sizeof ifnames);
  pthread_mutex_unlock (&h->lock);
  if (nifaces == 0) {
    set_error (EINVAL, "no interface: call aoe_add_interface first");
    return -1;
  }

  memset (&cfg, 0, sizeof cfg);
  cfg.shelf = 0xFFFF;
  cfg.slot = 0xFF;
  cfg.timeout_ms = timeout_ms;
  cfg.debug = aoe_internal_engine_debug;
  cfg.debug_opaque = h;
  f.io = aoe_io_open (h, ifnames, nifaces, DISCOVER_BUFFER_BYTES,
                      &cfg);
  if (f.io == NULL
      || aoe_internal_on_temporary_loop (f.io, discover_on, &f) == -1)
    goto out;

  if (f.len > 1)   /* qsort must not see a NULL array, even empty */
    qsort (f.items, f.len, sizeof *f.items, compare_targets);
  debug (h, AOE_DEBUG_EVENTS, "discovery found %zu target(s)", f.len);
  if (hand_over (&f, size, targets) == -1)
    goto out;
  r = (int) f.len;

 out:
  if (f.io) {
    int saved = errno;

    aoe_io_close (f.io);
    errno = saved;
  }
  free (f.items);
  free (f.ifindex);
  return r;
}

void
aoe_free_targets (struct aoe_target_info *targets)
{
  free (targets);
}
