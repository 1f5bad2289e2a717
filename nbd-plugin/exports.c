/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: the table of exports (see exports.h for the rules).
 *
 * Discovery (aoe_discover) runs on a handle of its own that is never
 * connected, on a temporary event loop in the calling thread: it starts
 * no thread, so the first one, at .get_ready, is safe before nbdkit
 * forks.  A target's own handle starts its I/O thread at its first I/O,
 * which comes after the fork.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "libaoe.h"
#include "config.h"
#include "exports.h"

/* Least time between two rediscoveries, seconds: a burst of listings or
 * of opens of unknown names costs one discovery. */
#define RESCAN_MIN_INTERVAL_S 2.0

/* How long a rediscovery listens for answers, at most (ms): targets on
 * a segment answer within milliseconds, and a listing waits for it. */
#define RESCAN_MAX_TIMEOUT_MS 1000u

/* The exports, sorted by (shelf, slot); entries are never removed. */
static struct aoeplug_export **table;

/* Number of entries in table. */
static size_t ntable;

/* Guards table and ntable (and every entry's present and found). */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

/* Serialises discoveries (held while one runs, table_lock is not). */
static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;

/* When the last discovery ended (monotonic seconds; under scan_lock). */
static double last_scan;

/* The handle discoveries run on (serving every target only). */
static aoe_handle *discoverer;

/* Monotonic time in seconds. */
static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Pass one libaoe debug line to nbdkit's debug output; warnings (a host
 * claiming the target with another disk) are errors a user must see
 * without -D.  opaque is the export, or NULL for discovery. */
static void
debug_line (void *opaque, const char *line)
{
  const struct aoeplug_export *e = opaque;

  if (strncmp (line, "warning: ", 9) == 0)
    nbdkit_error ("%s: %s", e ? e->name : "discovery", line + 9);
  else
    nbdkit_debug ("%s", line);
}

/* Report a failed setup call on e's handle: the target name, libaoe's
 * message and a hint for the common causes.  Always returns -1. */
static int
setup_failed (const struct aoeplug_export *e)
{
  const char *msg = aoe_get_error ();
  const char *hint = "";
  int err = aoe_get_errno ();

  if (msg == NULL)
    msg = strerror (err ? err : EIO);
  if (err == EPERM && strstr (msg, "CAP_NET_RAW") == NULL)
    hint = " (raw Ethernet needs root or the CAP_NET_RAW capability)";
  else if (err == ETIMEDOUT && !AOEPLUG_ONE_TARGET (&aoeplug_config))
    hint = " (it answered before: is it still running?)";
  else if (err == ETIMEDOUT)
    hint = aoeplug_config.target != NULL
      ? " (is the target running? check its name, iface= and mac=)"
      : " (is the target running? check shelf=, slot=, iface= and mac=)";
  else if (err == ENOTUNIQ)
    hint = " (pick the disk meant with mac=)";
  if (e)
    nbdkit_error ("cannot serve AoE target %s: %s%s", e->name, msg, hint);
  else
    nbdkit_error ("cannot discover AoE targets: %s%s", msg, hint);
  return -1;
}

/* What every handle gets: the interfaces, the transport and the debug
 * output (to the export e, NULL for discovery).  0, or -1. */
static int
configure_common (aoe_handle *h, const struct aoeplug_export *e)
{
  const struct aoeplug_config *c = &aoeplug_config;
  unsigned debug_mask = AOE_DEBUG_EVENTS | AOE_DEBUG_WARNINGS;
  size_t i;

  for (i = 0; i < c->nifaces; i++)
    if (aoe_add_interface (h, c->ifaces[i]) == -1)
      return -1;
  if (c->transport && aoe_set_transport (h, c->transport) == -1)
    return -1;
  if (aoe_debug_frames)
    debug_mask |= AOE_DEBUG_FRAMES;
  return aoe_set_debug (h, debug_mask, debug_line, (void *) e);
}

/* Apply the configuration to e's new handle (everything before
 * connect).  0, or -1. */
static int
configure_export (aoe_handle *h, const struct aoeplug_export *e)
{
  const struct aoeplug_config *c = &aoeplug_config;
  size_t i;

  if (configure_common (h, e) == -1
      || aoe_set_target (h, e->shelf, e->slot) == -1)
    return -1;
  for (i = 0; i < c->nmacs; i++)
    if (aoe_add_target_mac (h, c->macs[i]) == -1)
      return -1;
  if (aoe_set_timeout (h, c->timeout_ms) == -1
      || aoe_set_discover_timeout (h, c->discover_timeout_ms) == -1)
    return -1;
  if (c->have_max_in_flight
      && aoe_set_max_in_flight (h, c->max_in_flight) == -1)
    return -1;
  return 0;
}

/* reserve=true: reserve e for this initiator's MAC on every interface
 * the handle uses (iface=all may stand for several), so that every path
 * may do I/O.  0, or -1 after nbdkit_error (another
 * initiator holds the reservation: EACCES). */
static int
reserve_target (struct aoeplug_export *e)
{
  size_t i, n = e->info.ninterfaces;
  uint8_t (*macs)[6] = calloc (n, sizeof *macs);
  int r = -1;

  if (macs == NULL) {
    nbdkit_error ("calloc: %m");
    return -1;
  }
  for (i = 0; i < n; i++)
    if (aoe_get_interface_mac (e->aoe, (unsigned) i, macs[i]) == -1)
      goto out;
  if (aoe_reserve_set (e->aoe, (const uint8_t (*)[6]) macs, n) == -1)
    goto out;
  e->reserved = true;
  nbdkit_debug ("%s: reserved for this initiator's %zu MAC(s)", e->name, n);
  r = 0;
 out:
  if (r == -1)
    nbdkit_error ("reserve=true: cannot reserve AoE target %s: %s%s",
                  e->name, aoe_get_error (),
                  aoe_get_errno () == EACCES
                  ? " (its holder can release it with aoectl reserve release; "
                    "aoectl reserve force-release breaks it)"
                  : "");
  free (macs);
  return r;
}

/* Create and connect e's handle (and reserve the target with
 * reserve=true).  Called with e->lock held, or before any thread.  0, or
 * -1 after nbdkit_error. */
static int
connect_export (struct aoeplug_export *e)
{
  aoe_handle *h = aoe_create ();

  if (h == NULL) {
    nbdkit_error ("aoe_create: %s", aoe_get_error ());
    return -1;
  }
  if (configure_export (h, e) == -1 || aoe_connect (h) == -1
      || aoe_get_info (h, &e->info, sizeof e->info) == -1) {
    setup_failed (e);
    aoe_close (h);
    return -1;
  }
  nbdkit_debug ("%s: %" PRIu64 " bytes, %s, model \"%s\" serial \"%s\", "
                "%u sectors per frame, buffer count %u, %u port(s), "
                "flush %s", e->name, e->info.size,
                e->info.lba48 ? "LBA48" : "LBA28", e->info.model,
                e->info.serial, e->info.sectors_per_frame,
                e->info.buffer_count, e->info.nmacs,
                e->info.can_flush ? "yes" : "no");
  e->aoe = h;
  if (aoeplug_config.reserve && reserve_target (e) == -1) {
    e->aoe = NULL;
    aoe_close (h);
    return -1;
  }
  return 0;
}

/* A new export for shelf.slot (not yet in the table), or NULL after
 * nbdkit_error. */
static struct aoeplug_export *
new_export (uint16_t shelf, uint8_t slot)
{
  struct aoeplug_export *e = calloc (1, sizeof *e);

  if (e == NULL) {
    nbdkit_error ("calloc: %m");
    return NULL;
  }
  e->shelf = shelf;
  e->slot = slot;
  snprintf (e->name, sizeof e->name, "e%u.%u", (unsigned) shelf,
            (unsigned) slot);
  pthread_mutex_init (&e->lock, NULL);
  return e;
}

/* The index where shelf.slot is, or would be inserted, in the table
 * (table_lock held). */
static size_t
table_position (uint16_t shelf, uint8_t slot)
{
  size_t i;

  for (i = 0; i < ntable; i++)
    if (table[i]->shelf > shelf
        || (table[i]->shelf == shelf && table[i]->slot >= slot))
      break;
  return i;
}

/* Insert e in its place (table_lock held).  0, or -1 after
 * nbdkit_error. */
static int
table_insert (struct aoeplug_export *e)
{
  struct aoeplug_export **t = realloc (table, (ntable + 1) * sizeof *t);
  size_t at;

  if (t == NULL) {
    nbdkit_error ("realloc: %m");
    return -1;
  }
  table = t;
  at = table_position (e->shelf, e->slot);
  memmove (&table[at + 1], &table[at], (ntable - at) * sizeof *table);
  table[at] = e;
  ntable++;
  return 0;
}

/* The export of shelf.slot, or NULL (table_lock held). */
static struct aoeplug_export *
table_find (uint16_t shelf, uint8_t slot)
{
  size_t at = table_position (shelf, slot);

  if (at < ntable && table[at]->shelf == shelf && table[at]->slot == slot)
    return table[at];
  return NULL;
}

/* The export called name, or NULL (table_lock held). */
static struct aoeplug_export *
table_find_name (const char *name)
{
  size_t i;

  for (i = 0; i < ntable; i++)
    if (strcmp (table[i]->name, name) == 0)
      return table[i];
  return NULL;
}

/* Take the n answers of a discovery into the table (table_lock held):
 * every shelf.slot answering is present (its first answer, the lowest
 * MAC, describes it), every other one absent.  0, or -1 after
 * nbdkit_error. */
static int
table_update (const struct aoe_target_info *found, int n)
{
  size_t i;
  int j;

  for (i = 0; i < ntable; i++)
    table[i]->present = false;
  for (j = 0; j < n; j++) {
    const struct aoe_target_info *t = &found[j];
    struct aoeplug_export *e = table_find (t->shelf, t->slot);

    if (e != NULL && e->present)
      continue;                 /* another port of the same target */
    if (e == NULL) {
      e = new_export (t->shelf, t->slot);
      if (e == NULL || table_insert (e) == -1) {
        free (e);
        return -1;
      }
      nbdkit_debug ("%s: found (%" PRIu64 " bytes)", e->name, t->size);
    }
    e->found = *t;
    e->present = true;
  }
  return 0;
}

/* Discover the targets answering within timeout_ms and update the
 * table.  0, or -1 after nbdkit_error. */
static int
discover (unsigned timeout_ms)
{
  struct aoe_target_info *found = NULL;
  int n = aoe_discover (discoverer, timeout_ms, &found, sizeof *found);
  int r;

  if (n == -1)
    return setup_failed (NULL);
  pthread_mutex_lock (&table_lock);
  r = table_update (found, n);
  pthread_mutex_unlock (&table_lock);
  aoe_free_targets (found);
  nbdkit_debug ("discovery: %d answer(s)", n);
  return r;
}

/* Discover again (serving every target), unless a discovery ended less
 * than RESCAN_MIN_INTERVAL_S ago; a caller arriving while one runs waits
 * for it and uses its result.  0, or -1 after nbdkit_error. */
static int
rescan (void)
{
  unsigned timeout_ms = aoeplug_config.discover_timeout_ms;
  int r = 0;

  if (AOEPLUG_ONE_TARGET (&aoeplug_config))
    return 0;
  if (timeout_ms > RESCAN_MAX_TIMEOUT_MS)
    timeout_ms = RESCAN_MAX_TIMEOUT_MS;
  pthread_mutex_lock (&scan_lock);
  if (now_s () - last_scan >= RESCAN_MIN_INTERVAL_S) {
    r = discover (timeout_ms);
    last_scan = now_s ();
  }
  pthread_mutex_unlock (&scan_lock);
  return r;
}

/* The one target named on the command line, connected now. */
static int
start_one (void)
{
  struct aoeplug_export *e = new_export (aoeplug_config.shelf,
                                         aoeplug_config.slot);

  if (e == NULL)
    return -1;
  if (connect_export (e) == -1 || table_insert (e) == -1) {
    if (e->aoe)
      aoe_close (e->aoe);
    free (e);
    return -1;
  }
  e->present = true;
  return 0;
}

/* Every target: a handle for discovery, and a first discovery that
 * listens the whole discover-timeout. */
static int
start_all (void)
{
  discoverer = aoe_create ();
  if (discoverer == NULL) {
    nbdkit_error ("aoe_create: %s", aoe_get_error ());
    return -1;
  }
  if (configure_common (discoverer, NULL) == -1)
    return setup_failed (NULL);
  if (discover (aoeplug_config.discover_timeout_ms) == -1)
    return -1;
  last_scan = now_s ();
  if (ntable == 0)
    nbdkit_debug ("no AoE target answered yet: serving those that will");
  return 0;
}

/* .get_ready: the one target connected, or every target discovered. */
int
aoeplug_exports_start (void)
{
  return AOEPLUG_ONE_TARGET (&aoeplug_config) ? start_one () : start_all ();
}

/* aoeplug_export_describe with table_lock held.  A discovered target
 * is described by its discovery (what the listing showed, also after
 * its handle connected), the target given by its connect. */
static void
describe_locked (const struct aoeplug_export *e, char *buf, size_t size)
{
  const bool discovered = !AOEPLUG_ONE_TARGET (&aoeplug_config);
  const char *model = discovered ? e->found.model : e->info.model;
  const char *serial = discovered ? e->found.serial : e->info.serial;

  snprintf (buf, size, "%s, serial %s%s", model[0] ? model : "no model",
            serial[0] ? serial : "none",
            discovered && e->found.conflict
            ? " (several disks answer for this name: see mac=)" : "");
}

/* "MODEL, serial SERIAL" of e (exports.h). */
void
aoeplug_export_describe (const struct aoeplug_export *e, char *buf,
                         size_t size)
{
  pthread_mutex_lock (&table_lock);
  describe_locked (e, buf, size);
  pthread_mutex_unlock (&table_lock);
}

/* .list_exports: discover again (rate-limited), then add every present
 * export with its description. */
int
aoeplug_exports_list (void *nbdkit_exports)
{
  char description[128];
  size_t i;
  int r = 0;

  if (rescan () == -1)
    return -1;
  pthread_mutex_lock (&table_lock);
  for (i = 0; i < ntable && r == 0; i++) {
    if (!table[i]->present)
      continue;
    describe_locked (table[i], description, sizeof description);
    r = nbdkit_add_export (nbdkit_exports, table[i]->name, description);
  }
  pthread_mutex_unlock (&table_lock);
  return r;
}

/* The default export (table_lock held), or NULL. */
static struct aoeplug_export *
table_default (void)
{
  size_t i;

  for (i = 0; i < ntable; i++)
    if (table[i]->present)
      return table[i];
  return NULL;
}

/* .default_export: the first present export in (shelf, slot) order,
 * discovering again if there is none. */
const char *
aoeplug_exports_default (void)
{
  struct aoeplug_export *e;

  pthread_mutex_lock (&table_lock);
  e = table_default ();
  pthread_mutex_unlock (&table_lock);
  if (e == NULL && rescan () == 0) {
    pthread_mutex_lock (&table_lock);
    e = table_default ();
    pthread_mutex_unlock (&table_lock);
  }
  if (e == NULL) {
    nbdkit_error ("no AoE target answers on the interfaces: "
                  "no default export");
    return NULL;
  }
  return e->name;
}

/* True if name is an AoE target name as the kernel writes it: e, then
 * shelf and slot in decimal without leading zeros, in range. */
static bool
is_target_name (const char *name)
{
  unsigned shelf, slot;
  char canonical[AOEPLUG_NAME_MAX];
  int len = 0;

  if (sscanf (name, "e%u.%u%n", &shelf, &slot, &len) != 2
      || name[len] != '\0' || shelf > 65534 || slot > 254)
    return false;
  snprintf (canonical, sizeof canonical, "e%u.%u", shelf, slot);
  return strcmp (canonical, name) == 0;
}

/* The export called name ("" the default), discovering again if the
 * table lacks it; NULL after nbdkit_error. */
static struct aoeplug_export *
find_export (const char *name)
{
  struct aoeplug_export *e;

  if (name[0] == '\0') {
    name = aoeplug_exports_default ();
    if (name == NULL)
      return NULL;
  }
  pthread_mutex_lock (&table_lock);
  e = table_find_name (name);
  pthread_mutex_unlock (&table_lock);
  if (e != NULL)
    return e;
  if (!is_target_name (name)) {
    nbdkit_error ("export '%s': not an AoE target name: expected "
                  "eSHELF.SLOT like e0.1", name);
    return NULL;
  }
  if (AOEPLUG_ONE_TARGET (&aoeplug_config)) {
    nbdkit_error ("export '%s': this server serves AoE target %s only",
                  name, table[0]->name);
    return NULL;
  }
  if (rescan () == -1)
    return NULL;
  pthread_mutex_lock (&table_lock);
  e = table_find_name (name);
  pthread_mutex_unlock (&table_lock);
  if (e == NULL)
    nbdkit_error ("export '%s': no AoE target %s answers on the "
                  "interfaces", name, name);
  return e;
}

/* .open: find the export, and connect its shared handle on its first
 * open (under its lock, so that two first opens connect once). */
struct aoeplug_export *
aoeplug_exports_open (const char *name)
{
  struct aoeplug_export *e = find_export (name);
  int r = 0;

  if (e == NULL)
    return NULL;
  pthread_mutex_lock (&e->lock);
  if (e->aoe == NULL)
    r = connect_export (e);
  pthread_mutex_unlock (&e->lock);
  return r == 0 ? e : NULL;
}

/* Call fn on every export with the table locked. */
void
aoeplug_exports_foreach (void (*fn) (struct aoeplug_export *e, void *opaque),
                         void *opaque)
{
  size_t i;

  pthread_mutex_lock (&table_lock);
  for (i = 0; i < ntable; i++)
    fn (table[i], opaque);
  pthread_mutex_unlock (&table_lock);
}

/* -D aoe.stats=1: log e's counters, if it has a handle. */
void
aoeplug_export_log_stats (struct aoeplug_export *e, const char *when)
{
  struct aoe_stats st;

  if (!aoe_debug_stats || e->aoe == NULL)
    return;
  if (aoe_get_stats (e->aoe, &st, sizeof st) == -1) {
    nbdkit_debug ("%s: stats: %s", e->name, aoe_get_error ());
    return;
  }
  nbdkit_debug ("%s: stats (%s): frames sent %" PRIu64 " received %" PRIu64
                " retransmits %" PRIu64 " timeouts %" PRIu64
                " late %" PRIu64 " duplicates %" PRIu64
                " foreign %" PRIu64 " malformed %" PRIu64
                " aoe-errors %" PRIu64 " ata-errors %" PRIu64,
                e->name, when, st.frames_sent, st.frames_received,
                st.retransmits, st.timeouts, st.late_replies, st.duplicates,
                st.dropped_foreign, st.dropped_malformed,
                st.aoe_errors, st.ata_errors);
  nbdkit_debug ("%s: stats (%s): window %u/%u in flight %u srtt %" PRIu64
                " us rttvar %" PRIu64 " us rto %" PRIu64 " us"
                " read %" PRIu64 " written %" PRIu64 " bytes"
                " commands %" PRIu64 " capture-drops %" PRIu64
                " jumbo-fallbacks %" PRIu64 " misaddressed %" PRIu64
                " ports-rejected %" PRIu64,
                e->name, when, st.window, st.window_max, st.in_flight,
                st.srtt_us, st.rttvar_us, st.rto_us, st.bytes_read,
                st.bytes_written, st.commands_completed, st.capture_drops,
                st.jumbo_fallbacks, st.dropped_misaddressed,
                st.ports_rejected);
}

/* Release the reservation reserve=true took on e, if it did. */
static void
release_target (struct aoeplug_export *e)
{
  if (!e->reserved)
    return;
  e->reserved = false;
  if (aoe_reserve_release (e->aoe) == -1)
    nbdkit_error ("cannot release the reservation of AoE target %s: %s",
                  e->name, aoe_get_error ());
  else
    nbdkit_debug ("%s: reservation released", e->name);
}

/* Release, close and free every export, and the discovery handle. */
void
aoeplug_exports_free (void)
{
  size_t i;

  pthread_mutex_lock (&table_lock);
  for (i = 0; i < ntable; i++) {
    struct aoeplug_export *e = table[i];

    if (e->aoe) {
      aoeplug_export_log_stats (e, "exit");
      release_target (e);
      aoe_close (e->aoe);
    }
    pthread_mutex_destroy (&e->lock);
    free (e);
  }
  free (table);
  table = NULL;
  ntable = 0;
  pthread_mutex_unlock (&table_lock);
  aoe_close (discoverer);
  discoverer = NULL;
}
