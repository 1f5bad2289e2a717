/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The handle: create, close, settings, information, statistics: the top
 * of the library (debug output and MAC formatting are in debug.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>

#include "internal.h"
#include "admin-proto.h"

/* The core (lib/wire.h, lib/ata.h, lib/engine.h, lib/admin-proto.h)
 * includes only libc, so the public header restates a few of its
 * constants: they must agree. */
_Static_assert (AOE_SECTOR_SIZE == ATA_SECTOR_SIZE, "sector size");
_Static_assert (AOE_CONFIG_MAX == AOE_MAX_CONFIG_LEN, "config string limit");
_Static_assert (AOE_MAX_LIST_MACS == AOE_ADMIN_MAX_MACS, "MAC list limit");
_Static_assert (AOE_DEBUG_EVENTS == AOE_ENGINE_DEBUG_EVENTS, "debug bit");
_Static_assert (AOE_DEBUG_FRAMES == AOE_ENGINE_DEBUG_FRAMES, "debug bit");

/* A word for each state, for error messages. */
static const char *
state_name (enum aoe_state state)
{
  switch (state) {
  case AOE_STATE_CREATED: return "not connected";
  case AOE_STATE_CONNECTED: return "already connected";
  case AOE_STATE_CLOSING: return "closing";
  }
  return "in an unknown state";
}

/* Lock h if it is in state want: 0 with h->lock held, or -1 with the
 * error set (EFAULT for NULL, EINVAL for the wrong state) and unlocked. */
static int
lock_in_state (struct aoe_handle *h, enum aoe_state want)
{
  if (h == NULL) {
    set_error (EFAULT, "handle is NULL");
    return -1;
  }
  pthread_mutex_lock (&h->lock);
  if (h->state != want) {
    set_error (h->state == AOE_STATE_CLOSING ? ESHUTDOWN : EINVAL,
               "handle is %s", state_name (h->state));
    pthread_mutex_unlock (&h->lock);
    return -1;
  }
  return 0;
}

int
aoe_internal_check_state (struct aoe_handle *h, enum aoe_state want)
{
  if (lock_in_state (h, want) == -1)
    return -1;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

/* The transport asked for by LIBAOE_TRANSPORT ("pcap" or "packet"; unset
 * or empty: packet) into *kind.  0, or -1 with the error set. */
static int
transport_from_environment (enum aoe_transport_kind *kind)
{
  const char *value = getenv ("LIBAOE_TRANSPORT");

  *kind = AOE_TRANSPORT_PACKET;
  if (value == NULL || *value == '\0'
      || aoe_transport_kind_parse (value, kind) == 0)
    return 0;
  set_error (EINVAL, "LIBAOE_TRANSPORT=%s: unknown transport "
             "(expected pcap or packet)", value);
  return -1;
}

const char *
aoe_get_version (void)
{
  return LIBAOE_VERSION_STRING;
}

aoe_handle *
aoe_create (void)
{
  struct aoe_handle *h;

  aoe_api_enter ();
  h = calloc (1, sizeof *h);
  if (h == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  if (transport_from_environment (&h->transport_kind) == -1) {
    free (h);
    return NULL;
  }
  pthread_mutex_init (&h->lock, NULL);
  pthread_mutex_init (&h->debug_lock, NULL);
  pthread_mutex_init (&h->pool_lock, NULL);
  h->state = AOE_STATE_CREATED;
  atomic_init (&h->timeout_ms, AOE_DEFAULT_TIMEOUT_MS);
  h->discover_timeout_ms = AOE_DEFAULT_DISCOVER_TIMEOUT_MS;
  atomic_init (&h->debug_mask, aoe_internal_debug_mask_from_environment ());
  atomic_init (&h->thread_running, false);
  atomic_init (&h->next_cookie, 0);
  atomic_init (&h->in_flight, 0);
  return h;
}

void
aoe_close (aoe_handle *h)
{
  if (h == NULL)
    return;
  aoe_api_enter ();
  /* From now on every call fails with ESHUTDOWN, also from completion
   * callbacks run by the teardown below. */
  pthread_mutex_lock (&h->lock);
  h->state = AOE_STATE_CLOSING;
  pthread_mutex_unlock (&h->lock);
  if (h->io) {
    aoe_internal_thread_stop (h);
    aoe_io_close (h->io);
    h->io = NULL;
  }
  aoe_internal_requests_free (h);
  pthread_mutex_destroy (&h->pool_lock);
  pthread_mutex_destroy (&h->debug_lock);
  pthread_mutex_destroy (&h->lock);
  free (h);
}

int
aoe_add_interface (aoe_handle *h, const char *ifname)
{
  size_t i;

  aoe_api_enter ();
  if (ifname == NULL) {
    set_error (EFAULT, "interface name is NULL");
    return -1;
  }
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  /* "all" stands alone: mixed with names it would add some twice, and
   * the kernel refuses "all" as an interface's name, so it means no
   * real one. */
  if (h->all_ifaces
      || (h->nifaces > 0 && strcmp (ifname, AOE_ALL_INTERFACES) == 0)) {
    set_error (EINVAL, "interface \"all\" cannot be combined with other "
               "interfaces");
    goto err;
  }
  if (strcmp (ifname, AOE_ALL_INTERFACES) == 0) {
    if (aoe_internal_add_all_interfaces (h) == -1)
      goto err;
    pthread_mutex_unlock (&h->lock);
    return 0;
  }
  if (ifname[0] == '\0' || strlen (ifname) >= IF_NAMESIZE) {
    set_error (EINVAL, "invalid interface name \"%s\"", ifname);
    goto err;
  }
  for (i = 0; i < h->nifaces; ++i) {
    if (strcmp (h->ifnames[i], ifname) == 0) {
      set_error (EINVAL, "interface %s added twice", ifname);
      goto err;
    }
  }
  if (h->nifaces == AOE_MAX_IFACES) {
    set_error (EINVAL, "too many interfaces (at most %d)", AOE_MAX_IFACES);
    goto err;
  }
  if (if_nametoindex (ifname) == 0) {
    set_error (ENODEV, "no such interface: %s", ifname);
    goto err;
  }
  strcpy (h->ifnames[h->nifaces++], ifname);
  pthread_mutex_unlock (&h->lock);
  return 0;

 err:
  pthread_mutex_unlock (&h->lock);
  return -1;
}

int
aoe_set_target (aoe_handle *h, unsigned shelf, unsigned slot)
{
  aoe_api_enter ();
  if (shelf > 0xFFFE) {
    set_error (EINVAL, "shelf %u out of range 0-65534 (65535 is broadcast)",
               shelf);
    return -1;
  }
  if (slot > 0xFE) {
    set_error (EINVAL, "slot %u out of range 0-254 (255 is broadcast)", slot);
    return -1;
  }
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->shelf = shelf;
  h->slot = slot;
  h->target_set = true;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

/* Check that mac is a unicast address for a pin.  0, or -1 with the
 * error set. */
static int
check_pin (const uint8_t *mac)
{
  static const uint8_t zero[6];
  char text[18];

  if ((mac[0] & 1) == 0 && memcmp (mac, zero, 6) != 0)
    return 0;
  aoe_internal_format_mac (mac, text);
  set_error (EINVAL, "target MAC %s is not a unicast address", text);
  return -1;
}

int
aoe_set_target_mac (aoe_handle *h, const uint8_t *mac)
{
  aoe_api_enter ();
  if (mac != NULL && check_pin (mac) == -1)
    return -1;
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->npinned = mac != NULL;
  if (mac)
    memcpy (h->pinned_macs[0], mac, 6);
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_add_target_mac (aoe_handle *h, const uint8_t *mac)
{
  unsigned i;

  aoe_api_enter ();
  if (mac == NULL) {
    set_error (EFAULT, "mac is NULL");
    return -1;
  }
  if (check_pin (mac) == -1)
    return -1;
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  for (i = 0; i < h->npinned; i++)
    if (memcmp (h->pinned_macs[i], mac, 6) == 0)
      goto out;   /* pinned already */
  if (h->npinned >= AOE_MAX_PORTS) {
    pthread_mutex_unlock (&h->lock);
    set_error (ENOSPC, "at most %d target MACs can be pinned", AOE_MAX_PORTS);
    return -1;
  }
  memcpy (h->pinned_macs[h->npinned++], mac, 6);
 out:
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_set_timeout (aoe_handle *h, unsigned ms)
{
  aoe_api_enter ();
  if (h == NULL) {
    set_error (EFAULT, "handle is NULL");
    return -1;
  }
  atomic_store (&h->timeout_ms, ms);
  return 0;
}

int
aoe_set_discover_timeout (aoe_handle *h, unsigned ms)
{
  aoe_api_enter ();
  if (ms == 0) {
    set_error (EINVAL, "discover timeout must be > 0 ms");
    return -1;
  }
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->discover_timeout_ms = ms;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_set_max_in_flight (aoe_handle *h, unsigned frames)
{
  aoe_api_enter ();
  if (frames > AOE_MAX_SLOTS) {
    set_error (EINVAL, "max in flight %u out of range 0-%d", frames,
               AOE_MAX_SLOTS);
    return -1;
  }
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->max_in_flight = frames;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_set_max_sectors_per_frame (aoe_handle *h, unsigned sectors)
{
  aoe_api_enter ();
  if (sectors > 255) {
    set_error (EINVAL, "max sectors per frame %u out of range 0-255", sectors);
    return -1;
  }
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->max_sectors = sectors;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_set_transport (aoe_handle *h, const char *name)
{
  enum aoe_transport_kind kind;

  aoe_api_enter ();
  if (name == NULL) {
    set_error (EFAULT, "transport name is NULL");
    return -1;
  }
  if (aoe_transport_kind_parse (name, &kind) == -1) {
    set_error (EINVAL, "unknown transport \"%s\" "
               "(expected pcap or packet)", name);
    return -1;
  }
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->transport_kind = kind;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_set_loop (aoe_handle *h, struct ev_loop *loop)
{
  aoe_api_enter ();
  if (lock_in_state (h, AOE_STATE_CREATED) == -1)
    return -1;
  h->user_loop = loop;
  pthread_mutex_unlock (&h->lock);
  return 0;
}

int
aoe_set_debug (aoe_handle *h, unsigned mask,
               void (*fn) (void *opaque, const char *line), void *opaque)
{
  aoe_api_enter ();
  if (h == NULL) {
    set_error (EFAULT, "handle is NULL");
    return -1;
  }
  if (mask & ~AOE_DEBUG_ALL) {
    set_error (EINVAL, "unknown debug mask bits 0x%x", mask & ~AOE_DEBUG_ALL);
    return -1;
  }
  pthread_mutex_lock (&h->debug_lock);
  h->debug_fn = fn;
  h->debug_opaque = opaque;
  atomic_store (&h->debug_mask, mask);
  pthread_mutex_unlock (&h->debug_lock);
  return 0;
}

int64_t
aoe_get_size (aoe_handle *h)
{
  aoe_api_enter ();
  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  return (int64_t) h->info.size;
}

int
aoe_internal_check_struct_size (const char *name, size_t size, size_t first)
{
  if (size >= first)
    return 0;
  set_error (EINVAL, "size %zu is smaller than the first field of %s (%zu "
             "bytes): pass sizeof (%s)", size, name, first, name);
  return -1;
}

void
aoe_internal_copy_struct (void *dst, size_t size, const void *src,
                          size_t len)
{
  memcpy (dst, src, size < len ? size : len);
  if (size > len)
    memset ((char *) dst + len, 0, size - len);
}

int
aoe_get_info (aoe_handle *h, struct aoe_info *info, size_t size)
{
  struct aoe_info all;
  struct aoe_io *io;

  aoe_api_enter ();
  if (info == NULL) {
    set_error (EFAULT, "info is NULL");
    return -1;
  }
  if (aoe_internal_check_struct_size ("struct aoe_info", size,
                                      sizeof info->shelf) == -1
      || aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  io = h->io;
  all = h->info;
  /* Ports may have been added since connect (unsolicited Query Config
   * answers from a restarted target, another path). */
  pthread_mutex_lock (&io->engine_lock);
  all.nmacs = aoe_internal_list_ports (io, NULL, 0);
  all.ninterfaces = (unsigned) io->nifaces;
  if (aoe_engine_frame_sectors (io->engine) > 0)
    all.sectors_per_frame = aoe_engine_frame_sectors (io->engine);
  pthread_mutex_unlock (&io->engine_lock);
  aoe_internal_copy_struct (info, size, &all, sizeof all);
  return 0;
}

int
aoe_get_target_macs (aoe_handle *h, uint8_t (*macs)[6], size_t max)
{
  unsigned n;

  aoe_api_enter ();
  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  if (macs == NULL && max > 0) {
    set_error (EFAULT, "MAC array is NULL");
    return -1;
  }
  pthread_mutex_lock (&h->io->engine_lock);
  n = aoe_internal_list_ports (h->io, macs, max);
  pthread_mutex_unlock (&h->io->engine_lock);
  return (int) n;
}

/* The public counters from the engine's (capture_drops left alone). */
static void
stats_from_engine (struct aoe_stats *st, const struct aoe_engine_stats *e)
{
  st->frames_sent = e->frames_sent;
  st->frames_received = e->frames_received;
  st->retransmits = e->retransmits;
  st->timeouts = e->timeouts;
  st->dropped_foreign = e->dropped_foreign;
  st->dropped_malformed = e->dropped_malformed;
  st->late_replies = e->late_replies;
  st->duplicates = e->duplicates;
  st->aoe_errors = e->aoe_errors;
  st->ata_errors = e->ata_errors;
  st->bytes_read = e->bytes_read;
  st->bytes_written = e->bytes_written;
  st->commands_completed = e->commands_completed;
  st->window = e->window;
  st->window_max = e->window_max;
  st->in_flight = e->in_flight;
  st->srtt_us = e->srtt_us;
  st->rttvar_us = e->rttvar_us;
  st->rto_us = e->rto_us;
  st->jumbo_fallbacks = e->jumbo_fallbacks;
  st->ports_rejected = e->ports_rejected;
  st->dropped_misaddressed = e->dropped_misaddressed;
}

int
aoe_get_stats (aoe_handle *h, struct aoe_stats *stats, size_t size)
{
  struct aoe_engine_stats engine;
  struct aoe_stats all;
  struct aoe_io *io;

  aoe_api_enter ();
  if (stats == NULL) {
    set_error (EFAULT, "stats is NULL");
    return -1;
  }
  if (aoe_internal_check_struct_size ("struct aoe_stats", size,
                                      sizeof stats->frames_sent) == -1
      || aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  io = h->io;
  memset (&all, 0, sizeof all);
  pthread_mutex_lock (&io->engine_lock);
  aoe_engine_get_stats (io->engine, &engine);
  stats_from_engine (&all, &engine);
  all.capture_drops = aoe_io_drops (io);
  pthread_mutex_unlock (&io->engine_lock);
  aoe_internal_copy_struct (stats, size, &all, sizeof all);
  return 0;
}

unsigned
aoe_aio_in_flight (aoe_handle *h)
{
  if (h == NULL)
    return 0;
  return atomic_load (&h->in_flight);
}
