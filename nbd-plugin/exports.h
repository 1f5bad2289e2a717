/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: the table of exports, one per AoE target.
 *
 * With a target named on the command line the table holds that target
 * only, connected at .get_ready (before nbdkit forks, so that errors
 * reach the terminal).  Without one it holds every target that answered
 * a discovery on the interfaces, named eSHELF.SLOT as the kernel names
 * them; a target's handle is created and connected on the first open of
 * its export, and then shared by every connection to it (so a flush on
 * one connection covers the writes of all: can_multi_conn is honest per
 * export).  Listing, and opening a name the table lacks, discover again
 * (at most once every RESCAN_MIN_INTERVAL_S, exports.c), so that
 * a target appearing later is served without a restart; a target that
 * stops answering is no longer listed, keeps its handle (its I/O fails
 * after timeout=), and is listed again once it answers.  Entries are
 * never freed before .unload, so a connection may keep a pointer to its
 * export.
 */
#ifndef AOEPLUG_EXPORTS_H
#define AOEPLUG_EXPORTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "libaoe.h"

/* Longest export name: "e65534.254" and its NUL. */
#define AOEPLUG_NAME_MAX 16

/* One target served as one export. */
struct aoeplug_export {
  char name[AOEPLUG_NAME_MAX];  /* "eSHELF.SLOT": the export name */
  uint16_t shelf;               /* AoE major address */
  uint8_t slot;                 /* AoE minor address */
  bool present;                 /* answered the latest discovery: listed */
  struct aoe_target_info found; /* what discovery said (size, model,
                                   serial), for the listing */
  pthread_mutex_t lock;         /* serialises creating the handle */
  aoe_handle *aoe;              /* the shared handle, NULL until the first
                                   open (set once, under lock) */
  struct aoe_info info;         /* what the target said at connect */
  bool reserved;                /* reserve=true took its reservation */
  uint64_t published_bytes;     /* stats.c: bytes moved at its last sample */
  double published_at;          /* stats.c: when that sample was taken */
};

/* .get_ready: fill the table (connect the one target, or discover them
 * all).  0, or -1 after nbdkit_error. */
extern int aoeplug_exports_start (void);

/* .list_exports: add every export listed now (discovering again first,
 * rate-limited, when serving every target).  0, or -1 after
 * nbdkit_error. */
extern int aoeplug_exports_list (void *nbdkit_exports);

/* .default_export: the name of the export a client asking for "" gets:
 * the target given, or the first present target in (shelf, slot) order;
 * NULL after nbdkit_error if there is none. */
extern const char *aoeplug_exports_default (void);

/* .open: the export called name ("" is the default), its handle
 * connected; NULL after one nbdkit_error (no such target). */
extern struct aoeplug_export *aoeplug_exports_open (const char *name);

/* The description of an export for the listing and
 * .export_description: "MODEL, serial SERIAL" (and a warning when
 * discovery saw several disks answer for its name). */
extern void aoeplug_export_describe (const struct aoeplug_export *e,
                                     char *buf, size_t size);

/* Call fn (e, opaque) for every export, in (shelf, slot) order, with the
 * table locked (fn must not call the functions above). */
extern void aoeplug_exports_foreach (void (*fn) (struct aoeplug_export *e,
                                                 void *opaque),
                                     void *opaque);

/* Log an export's counters (-D aoe.stats=1); when says why. */
extern void aoeplug_export_log_stats (struct aoeplug_export *e,
                                      const char *when);

/* Release reservations, close every handle and free the table. */
extern void aoeplug_exports_free (void);

/* -D aoe.stats=1 (aoe.c): log counters at connection close and exit. */
extern int aoe_debug_stats;

/* -D aoe.frames=1 (aoe.c): log every frame. */
extern int aoe_debug_frames;

#endif /* AOEPLUG_EXPORTS_H */
