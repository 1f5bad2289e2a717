/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: data path.
 *
 * nbdkit clients may send any byte offset and length up to 64 MiB; libaoe
 * takes whole 512-byte sectors and at most 32 MiB per call.  These
 * functions bridge the two (bounce buffers for partial sectors,
 * read-modify-write for partial-sector writes, splitting of large
 * requests) and turn libaoe errors into nbdkit errors whose errno survives
 * nbdkit's own mapping.  All are safe from many threads at once.
 */
#ifndef AOEPLUG_RW_H
#define AOEPLUG_RW_H

#include <stdint.h>

#include "libaoe.h"

/* Largest count passed to one libaoe call (libaoe's own limit). */
#define AOEPLUG_MAX_IO (32u << 20)

/* Read count bytes at any offset.  0, or -1 with nbdkit_error and errno. */
extern int aoeplug_pread (aoe_handle *h, void *buf, uint32_t count,
                          uint64_t offset);

/* Write count bytes at any offset.  0, or -1 with nbdkit_error and errno. */
extern int aoeplug_pwrite (aoe_handle *h, const void *buf, uint32_t count,
                           uint64_t offset);

/* Flush the target's write cache.  0, or -1 with nbdkit_error and errno. */
extern int aoeplug_flush (aoe_handle *h);

/* Map a libaoe errno to one that nbdkit passes to the client unchanged:
 * EPERM, ENOSPC, ESHUTDOWN or EIO. */
extern int aoeplug_map_errno (int err);

#endif /* AOEPLUG_RW_H */
