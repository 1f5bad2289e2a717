/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: reads, writes and flushes on the shared handle.
 *
 * A request is cut at sector boundaries into an unaligned head (part of
 * one sector), an aligned body (whole sectors, sent straight from or into
 * the client's buffer in calls of at most 32 MiB) and an unaligned tail
 * (part of one sector).  Partial sectors go through a 512-byte bounce
 * buffer; a partial write reads the sector, patches it and writes it back
 * while holding rmw_lock, so two partial writes into different bytes of
 * one sector can never undo each other.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "libaoe.h"
#include "rw.h"

/* Serialises every read-modify-write of a partial sector. */
static pthread_mutex_t rmw_lock = PTHREAD_MUTEX_INITIALIZER;

/* A request cut at sector boundaries. */
struct split {
  uint32_t head; /* bytes before the first sector boundary (partial sector) */
  uint32_t body; /* whole sectors after the head, in bytes */
  uint32_t tail; /* bytes after the last whole sector (partial sector) */
};

/* One direction of the data path. */
struct rw_ops {
  const char *name; /* "read" or "write", for error messages */
  /* Transfer count < 512 bytes inside the sector holding offset. */
  int (*partial) (aoe_handle *h, char *buf, uint32_t count, uint64_t offset);
  /* Transfer count (a multiple of 512, at most 32 MiB) at aligned offset. */
  int (*aligned) (aoe_handle *h, char *buf, size_t count, uint64_t offset);
};

/* Cut [offset, offset + count) at sector boundaries. */
static struct split
split_request (uint32_t count, uint64_t offset)
{
  struct split s = { 0, 0, 0 };
  uint32_t misalign = offset % AOE_SECTOR_SIZE;

  if (misalign != 0) {
    s.head = AOE_SECTOR_SIZE - misalign;
    if (s.head > count)
      s.head = count;
  }
  s.body = (count - s.head) / AOE_SECTOR_SIZE * AOE_SECTOR_SIZE;
  s.tail = count - s.head - s.body;
  return s;
}

/* Read the part of one sector at offset into buf via a bounce buffer. */
static int
read_partial (aoe_handle *h, char *buf, uint32_t count, uint64_t offset)
{
  char sector[AOE_SECTOR_SIZE];
  uint64_t start = offset - offset % AOE_SECTOR_SIZE;

  if (aoe_pread (h, sector, sizeof sector, start) == -1)
    return -1;
  memcpy (buf, sector + (offset - start), count);
  return 0;
}

/* Write part of one sector: read it, patch it, write it back, all under
 * rmw_lock. */
static int
write_partial (aoe_handle *h, char *buf, uint32_t count, uint64_t offset)
{
  char sector[AOE_SECTOR_SIZE];
  uint64_t start = offset - offset % AOE_SECTOR_SIZE;
  int r;

  pthread_mutex_lock (&rmw_lock);
  r = aoe_pread (h, sector, sizeof sector, start);
  if (r == 0) {
    memcpy (sector + (offset - start), buf, count);
    r = aoe_pwrite (h, sector, sizeof sector, start);
  }
  pthread_mutex_unlock (&rmw_lock);
  return r;
}

/* Read whole sectors straight into the client's buffer. */
static int
read_aligned (aoe_handle *h, char *buf, size_t count, uint64_t offset)
{
  return aoe_pread (h, buf, count, offset);
}

/* Write whole sectors straight from the client's buffer. */
static int
write_aligned (aoe_handle *h, char *buf, size_t count, uint64_t offset)
{
  return aoe_pwrite (h, buf, count, offset);
}

/* The read direction. */
static const struct rw_ops read_ops = {
  .name = "read", .partial = read_partial, .aligned = read_aligned,
};

/* The write direction (its functions only read the buffer). */
static const struct rw_ops write_ops = {
  .name = "write", .partial = write_partial, .aligned = write_aligned,
};

/* Map a libaoe errno to one that nbdkit passes to the client unchanged. */
int
aoeplug_map_errno (int err)
{
  switch (err) {
  case EPERM:
  case EACCES:
  case EROFS:
    return EPERM;
  case ENOSPC:
    return ENOSPC;
  case ESHUTDOWN:
    return ESHUTDOWN;
  default:
    return EIO;
  }
}

/* Report the libaoe error of the call that just failed (prefixed by what
 * the plugin was doing, unless what is NULL: libaoe's messages already
 * name the operation, offset and length) and set errno for nbdkit.
 * Always returns -1. */
static int
report_failure (const char *what)
{
  const char *msg = aoe_get_error ();
  int err = aoe_get_errno ();

  if (msg == NULL)
    msg = strerror (err ? err : EIO);
  if (what)
    nbdkit_error ("%s: %s", what, msg);
  else
    nbdkit_error ("%s", msg);
  errno = aoeplug_map_errno (err);
  return -1;
}

/* report_failure for the partial sector holding [offset, offset + count). */
static int
report_partial_failure (const struct rw_ops *ops, uint32_t count,
                        uint64_t offset)
{
  char what[128];

  snprintf (what, sizeof what,
            "%s of %" PRIu32 " bytes at offset %" PRIu64 " (partial sector)",
            ops->name, count, offset);
  return report_failure (what);
}

/* Transfer a request of any alignment in the direction ops. */
static int
transfer (aoe_handle *h, const struct rw_ops *ops, char *buf, uint32_t count,
          uint64_t offset)
{
  struct split s = split_request (count, offset);
  uint32_t done;

  if (s.head > 0 && ops->partial (h, buf, s.head, offset) == -1)
    return report_partial_failure (ops, s.head, offset);
  for (done = 0; done < s.body; ) {
    uint32_t n = s.body - done;
    uint64_t at = offset + s.head + done;

    if (n > AOEPLUG_MAX_IO)
      n = AOEPLUG_MAX_IO;
    if (ops->aligned (h, buf + s.head + done, n, at) == -1)
      return report_failure (NULL);
    done += n;
  }
  if (s.tail > 0 &&
      ops->partial (h, buf + s.head + s.body, s.tail,
                    offset + s.head + s.body) == -1)
    return report_partial_failure (ops, s.tail, offset + s.head + s.body);
  return 0;
}

/* Read count bytes at any offset. */
int
aoeplug_pread (aoe_handle *h, void *buf, uint32_t count, uint64_t offset)
{
  return transfer (h, &read_ops, buf, count, offset);
}

/* Write count bytes at any offset. */
int
aoeplug_pwrite (aoe_handle *h, const void *buf, uint32_t count,
                uint64_t offset)
{
  return transfer (h, &write_ops, (char *) buf, count, offset);
}

/* Flush the target's write cache. */
int
aoeplug_flush (aoe_handle *h)
{
  if (aoe_flush (h) == -1)
    return report_failure (NULL);
  return 0;
}
