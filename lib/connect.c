/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe_connect: open the interfaces, find the target's ports with a
 * broadcast Query Config, read its IDENTIFY, check that every other port
 * serves the same disk (lib/engine-verify.c), fill struct aoe_info.
 *
 * Connect runs on a temporary libev loop of its own and starts no thread,
 * so a program may fork between aoe_connect and its first I/O call (nbdkit
 * connects in get_ready, then forks).  With aoe_set_loop the session is
 * attached to the caller's loop when connect succeeds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* After the first answer, how long a second broadcast listens for the
 * target's other ports (multipath: more MACs or interfaces). */
#define PORT_GRACE_MS 100

/* The least time IDENTIFY gets even when discovery used most of the
 * discover timeout. */
#define IDENTIFY_MIN_MS 250

/* Room for "a, b, ..." listing every interface name. */
#define IFACE_LIST_MAX (AOE_MAX_IFACES * (IF_NAMESIZE + 2))

/* Milliseconds left of a budget of total_ms started at start_us, at least
 * floor_ms. */
static uint32_t
remaining_ms (uint64_t start_us, uint32_t total_ms, uint32_t floor_ms)
{
  uint64_t elapsed_ms = (aoe_internal_now_us () - start_us) / 1000;
  uint64_t left = elapsed_ms < total_ms ? total_ms - elapsed_ms : 0;

  return left < floor_ms ? floor_ms : (uint32_t) left;
}

/* Broadcast Query Config for the target and register every port that
 * answers.  0, or -1 with the error set. */
static int
find_ports (struct aoe_handle *h, struct aoe_io *io,
            struct aoe_config_query *q)
{
  struct aoe_config_query more;
  char ifaces[IFACE_LIST_MAX];
  int err;

  aoe_internal_config_query_init (q, io, h->shelf, h->slot,
                                  h->discover_timeout_ms, false);
  q->add_ports = true;
  err = aoe_internal_wait_on_loop (io, &q->wait);
  if (err == ETIMEDOUT) {
    char pinned[18], note[96] = "";

    aoe_internal_format_ifaces (h->ifnames, h->nifaces, ifaces,
                                sizeof ifaces);
    if (q->ignored_macs > 0) {
      aoe_internal_format_mac (h->pinned_macs[0], pinned);
      snprintf (note, sizeof note,
                " (%u answers from MACs other than the pinned %s%s)",
                q->ignored_macs, pinned, h->npinned > 1 ? ", ..." : "");
    }
    set_error (ETIMEDOUT, "no AoE target e%u.%u answered on %s within %u ms%s",
               h->shelf, h->slot, ifaces, h->discover_timeout_ms, note);
    return -1;
  }
  if (err) {
    set_error (err, "Query Config for e%u.%u failed: %s",
               h->shelf, h->slot, strerror (err));
    return -1;
  }

  /* Listen a little longer for the target's other ports; the first one
   * is enough, so the result does not matter. */
  aoe_internal_config_query_init (&more, io, h->shelf, h->slot,
                                  PORT_GRACE_MS, true);
  more.add_ports = true;
  aoe_internal_wait_on_loop (io, &more.wait);
  return 0;
}

/* IDENTIFY the target through the first port found that answers (a
 * port that stays silent, e.g. a stranger announcing the address, must
 * not stop the connect); *ref is that port.  0, or -1 with the error
 * set. */
static int
identify (struct aoe_handle *h, struct aoe_io *io, uint32_t timeout_ms,
          struct aoe_identity *id, unsigned *ref)
{
  struct aoe_identify_query q;
  uint8_t mac[6];
  unsigned i, n, iface;
  char text[18];
  int err = ETIMEDOUT;

  pthread_mutex_lock (&io->engine_lock);
  n = aoe_engine_nports (io->engine);
  pthread_mutex_unlock (&io->engine_lock);
  for (i = 0; i < n; i++) {
    pthread_mutex_lock (&io->engine_lock);
    aoe_engine_port_info (io->engine, i, mac, &iface, NULL);
    pthread_mutex_unlock (&io->engine_lock);
    aoe_internal_identify_init (&q, h->shelf, h->slot, mac, iface,
                                i + 1 < n ? IDENTIFY_MIN_MS : timeout_ms);
    err = aoe_internal_wait_on_loop (io, &q.wait);
    if (err == 0) {
      *id = q.id;
      *ref = i;
      return 0;
    }
    aoe_internal_format_mac (mac, text);
    debug (h, AOE_DEBUG_EVENTS, "IDENTIFY of e%u.%u at %s: %s",
           h->shelf, h->slot, text, strerror (err));
  }
  aoe_internal_format_mac (mac, text);
  if (err == ETIMEDOUT)
    set_error (ETIMEDOUT, "target e%u.%u (%s) answered Query Config but not "
               "IDENTIFY within %u ms", h->shelf, h->slot, text, timeout_ms);
  else
    set_error (err, "IDENTIFY of e%u.%u (%s) failed: %s",
               h->shelf, h->slot, text, strerror (err));
  return -1;
}

/* Wait until every port found had its first check, then refuse the
 * connect if one of them proved to be another disk: two disks answer for
 * one shelf.slot, and only the user can say which is meant.  0, or -1
 * with the error set (ENOTUNIQ). */
static int
check_ports (struct aoe_handle *h, struct aoe_io *io, unsigned ref)
{
  char ref_mac[18], other[18];
  struct aoe_port_stats rs, ps;
  unsigned i, n;

  pthread_mutex_lock (&io->engine_lock);
  io->ports_settled = aoe_engine_ports_unsettled (io->engine) == 0;
  pthread_mutex_unlock (&io->engine_lock);
  aoe_io_run_until (io, &io->ports_settled);

  pthread_mutex_lock (&io->engine_lock);
  n = aoe_engine_nports (io->engine);
  aoe_engine_port_stats (io->engine, ref, &rs);
  for (i = 0; i < n; i++) {
    aoe_engine_port_stats (io->engine, i, &ps);
    if (ps.rejected)
      break;
  }
  pthread_mutex_unlock (&io->engine_lock);
  if (i == n)
    return 0;
  aoe_internal_format_mac (rs.mac, ref_mac);
  aoe_internal_format_mac (ps.mac, other);
  set_error (ENOTUNIQ, "two different disks answer as e%u.%u: %s and %s",
             h->shelf, h->slot, ref_mac, other);
  return -1;
}

/* Fill h->info from the Query Config answer, the identity and the
 * engine's ports. */
static void
fill_info (struct aoe_handle *h, struct aoe_io *io,
           const struct aoe_config_query *q, const struct aoe_identity *id,
           unsigned ref)
{
  struct aoe_info *info = &h->info;

  memset (info, 0, sizeof *info);
  info->shelf = h->shelf;
  info->slot = h->slot;
  info->size = id->sectors * AOE_SECTOR_SIZE;
  info->lba48 = id->lba48;
  info->can_flush = id->flush || id->flush_ext;
  strcpy (info->model, id->model);
  strcpy (info->serial, id->serial);
  strcpy (info->firmware, id->firmware);
  info->firmware_version = q->first.firmware;
  strcpy (info->config, q->config);
  info->sectors_per_frame = aoe_engine_frame_sectors (io->engine);
  aoe_engine_port_info (io->engine, ref, NULL, NULL, &info->buffer_count);
  info->nmacs = aoe_internal_list_ports (io, NULL, 0);
}

/* Copy port's MAC into macs[*n] if it fits there, and count it. */
static void
list_port (struct aoe_io *io, unsigned port, uint8_t (*macs)[6], size_t max,
           unsigned *n)
{
  if (*n < max)
    aoe_engine_port_info (io->engine, port, macs[*n], NULL, NULL);
  ++*n;
}

unsigned
aoe_internal_list_ports (struct aoe_io *io, uint8_t (*macs)[6], size_t max)
{
  int ref = aoe_engine_ref_port (io->engine);
  unsigned i, n = 0;

  if (ref >= 0)   /* first: administration requests go to it */
    list_port (io, (unsigned) ref, macs, max, &n);
  for (i = 0; i < aoe_engine_nports (io->engine); ++i)
    if ((int) i != ref && aoe_engine_port_verified (io->engine, i))
      list_port (io, i, macs, max, &n);
  return n;
}

/* Find and identify the target of h (opaque) on io: the body of
 * aoe_connect's temporary loop.  0, or -1 with the error set. */
static int
connect_on (struct aoe_io *io, void *opaque)
{
  struct aoe_handle *h = opaque;
  uint64_t start = aoe_internal_now_us ();
  struct aoe_config_query q;
  struct aoe_identity id;
  unsigned ref;
  uint32_t left;

  if (find_ports (h, io, &q) == -1)
    return -1;
  left = remaining_ms (start, h->discover_timeout_ms, IDENTIFY_MIN_MS);
  if (identify (h, io, left, &id, &ref) == -1)
    return -1;
  pthread_mutex_lock (&io->engine_lock);
  aoe_engine_set_identity (io->engine, &id, ref);
  pthread_mutex_unlock (&io->engine_lock);
  if (check_ports (h, io, ref) == -1)
    return -1;

  pthread_mutex_lock (&io->engine_lock);
  fill_info (h, io, &q, &id, ref);
  pthread_mutex_unlock (&io->engine_lock);
  debug (h, AOE_DEBUG_EVENTS, "connected to e%u.%u: %llu bytes, %s, \"%s\", "
         "%u port(s), buffer count %u, %u sectors per frame", h->shelf,
         h->slot, (unsigned long long) h->info.size,
         id.lba48 ? "LBA48" : "LBA28", id.model, h->info.nmacs,
         h->info.buffer_count, h->info.sectors_per_frame);
  return 0;
}

/* Check the settings connect needs (h->lock held).  0, or -1 with the
 * error set. */
static int
check_settings (struct aoe_handle *h)
{
  if (h->state != AOE_STATE_CREATED) {
    set_error (EINVAL, "handle is already connected");
    return -1;
  }
  if (h->nifaces == 0) {
    set_error (EINVAL, "no interface: call aoe_add_interface first");
    return -1;
  }
  if (!h->target_set) {
    set_error (EINVAL, "no target: call aoe_set_target first");
    return -1;
  }
  return 0;
}

int
aoe_connect (aoe_handle *h)
{
  struct aoe_engine_config cfg;
  struct aoe_io *io = NULL;
  int r = -1;

  aoe_api_enter ();
  if (h == NULL) {
    set_error (EFAULT, "handle is NULL");
    return -1;
  }
  /* Held throughout: settings cannot change under a connect. */
  pthread_mutex_lock (&h->lock);
  if (check_settings (h) == -1)
    goto out;

  memset (&cfg, 0, sizeof cfg);
  cfg.shelf = h->shelf;
  cfg.slot = h->slot;
  cfg.npinned = h->npinned;
  memcpy (cfg.pinned_macs, h->pinned_macs, sizeof cfg.pinned_macs);
  cfg.timeout_ms = atomic_load (&h->timeout_ms);
  cfg.max_in_flight = h->max_in_flight;
  cfg.max_sectors = h->max_sectors;
  cfg.debug = aoe_internal_engine_debug;
  cfg.debug_opaque = h;
  cfg.debug_mask = &h->debug_mask;

  io = aoe_io_open (h, h->ifnames, h->nifaces,
                    AOE_TRANSPORT_BUFFER_BYTES, &cfg);
  if (io == NULL)
    goto out;
  if (aoe_internal_on_temporary_loop (io, connect_on, h) == -1)
    goto out;
  if (h->user_loop)
    aoe_io_attach (io, h->user_loop);
  h->io = io;
  io = NULL;
  h->state = AOE_STATE_CONNECTED;
  r = 0;

 out:
  if (io) {
    int saved = errno;

    aoe_io_close (io);
    errno = saved;
  }
  pthread_mutex_unlock (&h->lock);
  return r;
}
