/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: serve an ATA-over-Ethernet disk as an NBD export.
 *
 *   nbdkit aoe iface=eth0 shelf=0 slot=1
 *
 * One libaoe handle, created and connected in .get_ready (before nbdkit
 * forks, so connection errors reach the terminal), is shared by every
 * client connection: libaoe's blocking calls are safe from many threads
 * and its I/O thread starts with the first I/O, after the fork.  Sharing
 * one handle makes a flush on one connection cover writes from all of
 * them, so can_multi_conn is honest.  No protocol logic lives here:
 * config.c parses the keys, rw.c does the data path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "libaoe.h"
#include "config.h"
#include "rw.h"

/* -D aoe.frames=1: log every AoE frame sent and received (with -v). */
NBDKIT_DLL_PUBLIC int aoe_debug_frames = 0;

/* -D aoe.stats=1: log window, RTT and retransmit figures at each
 * connection close and at exit (with -v). */
NBDKIT_DLL_PUBLIC int aoe_debug_stats = 0;

/* Largest request nbdkit advertises; larger ones are still split. */
#define MAXIMUM_BLOCK_SIZE AOEPLUG_MAX_IO

/* Smallest preferred block size advertised. */
#define MIN_PREFERRED_BLOCK_SIZE 4096

/* The libaoe handle shared by all connections (NULL before get_ready). */
static aoe_handle *aoe;

/* What the target told us at connect time. */
static struct aoe_info target_info;

/* reserve=true took the target's reservation: release it at exit. */
static bool reserved;

/* State of one client connection. */
struct aoeplug_conn {
  bool readonly; /* the client connected read-only (nbdkit -r or otherwise) */
};

/* Pass one libaoe debug line to nbdkit's debug output; warnings (a host
 * claiming the target with another disk) are errors a user must see
 * without -D. */
static void
debug_line (void *opaque, const char *line)
{
  if (strncmp (line, "warning: ", 9) == 0)
    nbdkit_error ("e%u.%u: %s", aoeplug_config.shelf, aoeplug_config.slot,
                  line + 9);
  else
    nbdkit_debug ("%s", line);
}

/* Log the handle's counters (when -D aoe.stats=1). */
static void
log_stats (const char *when)
{
  struct aoe_stats st;

  if (!aoe_debug_stats || aoe == NULL)
    return;
  if (aoe_get_stats (aoe, &st, sizeof st) == -1) {
    nbdkit_debug ("stats: %s", aoe_get_error ());
    return;
  }
  nbdkit_debug ("stats (%s): frames sent %" PRIu64 " received %" PRIu64
                " retransmits %" PRIu64 " timeouts %" PRIu64
                " late %" PRIu64 " duplicates %" PRIu64
                " foreign %" PRIu64 " malformed %" PRIu64
                " aoe-errors %" PRIu64 " ata-errors %" PRIu64,
                when, st.frames_sent, st.frames_received, st.retransmits,
                st.timeouts, st.late_replies, st.duplicates,
                st.dropped_foreign, st.dropped_malformed,
                st.aoe_errors, st.ata_errors);
  nbdkit_debug ("stats (%s): window %u/%u in flight %u srtt %" PRIu64
                " us rttvar %" PRIu64 " us rto %" PRIu64 " us"
                " read %" PRIu64 " written %" PRIu64 " bytes"
                " commands %" PRIu64 " capture-drops %" PRIu64
                " jumbo-fallbacks %" PRIu64 " misaddressed %" PRIu64
                " ports-rejected %" PRIu64,
                when, st.window, st.window_max, st.in_flight, st.srtt_us,
                st.rttvar_us, st.rto_us, st.bytes_read, st.bytes_written,
                st.commands_completed, st.capture_drops, st.jumbo_fallbacks,
                st.dropped_misaddressed, st.ports_rejected);
}

/* Release the reservation reserve=true took, if it did. */
static void
release_target (void)
{
  if (!reserved)
    return;
  reserved = false;
  if (aoe_reserve_release (aoe) == -1)
    nbdkit_error ("cannot release the reservation of AoE target e%u.%u: %s",
                  target_info.shelf, target_info.slot, aoe_get_error ());
  else
    nbdkit_debug ("e%u.%u: reservation released", target_info.shelf,
                  target_info.slot);
}

/* Close the shared handle, if open. */
static void
close_handle (void)
{
  if (aoe == NULL)
    return;
  log_stats ("exit");
  release_target ();
  aoe_close (aoe);
  aoe = NULL;
}

/* .unload: release everything. */
static void
aoeplug_unload (void)
{
  close_handle ();
  aoeplug_config_free ();
}

/* .dump_plugin: versions of the libraries doing the work. */
static void
aoeplug_dump_plugin (void)
{
  printf ("libaoe_version=%s\n", aoe_get_version ());
  printf ("libpcap_version=%s\n", pcap_lib_version ());
}

/* Report a failed setup call on the handle: the target name, libaoe's
 * message and a hint for the common causes.  Always returns -1. */
static int
setup_failed (void)
{
  const struct aoeplug_config *c = &aoeplug_config;
  const char *msg = aoe_get_error ();
  const char *hint = "";
  int err = aoe_get_errno ();

  if (msg == NULL)
    msg = strerror (err ? err : EIO);
  if (err == EPERM && strstr (msg, "CAP_NET_RAW") == NULL)
    hint = " (raw Ethernet needs root or the CAP_NET_RAW capability)";
  else if (err == ETIMEDOUT)
    hint = c->target != NULL
      ? " (is the target running? check its name, iface= and mac=)"
      : " (is the target running? check shelf=, slot=, iface= and mac=)";
  else if (err == ENOTUNIQ)
    hint = " (pick the disk meant with mac=)";
  nbdkit_error ("cannot serve AoE target e%u.%u: %s%s",
                c->shelf, c->slot, msg, hint);
  return -1;
}

/* Apply the configuration to a new handle (everything before connect). */
static int
configure_handle (void)
{
  const struct aoeplug_config *c = &aoeplug_config;
  unsigned debug_mask = AOE_DEBUG_EVENTS | AOE_DEBUG_WARNINGS;
  size_t i;

  for (i = 0; i < c->nifaces; i++)
    if (aoe_add_interface (aoe, c->ifaces[i]) == -1)
      return -1;
  if (aoe_set_target (aoe, c->shelf, c->slot) == -1)
    return -1;
  for (i = 0; i < c->nmacs; i++)
    if (aoe_add_target_mac (aoe, c->macs[i]) == -1)
      return -1;
  if (aoe_set_timeout (aoe, c->timeout_ms) == -1)
    return -1;
  if (aoe_set_discover_timeout (aoe, c->discover_timeout_ms) == -1)
    return -1;
  if (c->have_max_in_flight &&
      aoe_set_max_in_flight (aoe, c->max_in_flight) == -1)
    return -1;
  if (c->transport && aoe_set_transport (aoe, c->transport) == -1)
    return -1;
  if (aoe_debug_frames)
    debug_mask |= AOE_DEBUG_FRAMES;
  return aoe_set_debug (aoe, debug_mask, debug_line, NULL);
}

/* reserve=true: reserve the target for this initiator's MAC on every
 * interface the handle uses (iface=all may stand for several), so that
 * every path may do I/O.  0, or -1 after nbdkit_error (another
 * initiator holds the reservation: EACCES). */
static int
reserve_target (void)
{
  size_t i, n = target_info.ninterfaces;
  uint8_t (*macs)[6] = calloc (n, sizeof *macs);
  int r = -1;

  if (macs == NULL) {
    nbdkit_error ("calloc: %m");
    return -1;
  }
  for (i = 0; i < n; i++)
    if (aoe_get_interface_mac (aoe, (unsigned) i, macs[i]) == -1)
      goto out;
  if (aoe_reserve_set (aoe, (const uint8_t (*)[6]) macs, n) == -1)
    goto out;
  reserved = true;
  nbdkit_debug ("e%u.%u: reserved for this initiator's %zu MAC(s)",
                target_info.shelf, target_info.slot, n);
  r = 0;
 out:
  if (r == -1)
    nbdkit_error ("reserve=true: cannot reserve AoE target e%u.%u: %s%s",
                  target_info.shelf, target_info.slot, aoe_get_error (),
                  aoe_get_errno () == EACCES
                  ? " (its holder can release it with aoectl reserve release; "
                    "aoectl reserve force-release breaks it)"
                  : "");
  free (macs);
  return r;
}

/* .get_ready: create the shared handle and connect to the target (and
 * reserve it with reserve=true).  Runs before nbdkit forks, so errors
 * reach the user's terminal; libaoe starts no thread before the first
 * I/O, so forking afterwards is safe. */
static int
aoeplug_get_ready (void)
{
  aoe = aoe_create ();
  if (aoe == NULL) {
    nbdkit_error ("aoe_create: %s", aoe_get_error ());
    return -1;
  }
  if (configure_handle () == -1 || aoe_connect (aoe) == -1 ||
      aoe_get_info (aoe, &target_info, sizeof target_info) == -1) {
    setup_failed ();
    aoe_close (aoe);
    aoe = NULL;
    return -1;
  }
  nbdkit_debug ("e%u.%u: %" PRIu64 " bytes, %s, model \"%s\" serial \"%s\", "
                "%u sectors per frame, buffer count %u, %u port(s), "
                "flush %s",
                target_info.shelf, target_info.slot, target_info.size,
                target_info.lba48 ? "LBA48" : "LBA28", target_info.model,
                target_info.serial, target_info.sectors_per_frame,
                target_info.buffer_count, target_info.nmacs,
                target_info.can_flush ? "yes" : "no");
  if (aoeplug_config.reserve && reserve_target () == -1) {
    aoe_close (aoe);
    aoe = NULL;
    return -1;
  }
  return 0;
}

/* .cleanup: close the shared handle (joins libaoe's I/O thread). */
static void
aoeplug_cleanup (void)
{
  close_handle ();
}

/* .open: a per-connection handle remembering whether it is read-only. */
static void *
aoeplug_open (int readonly)
{
  struct aoeplug_conn *conn = calloc (1, sizeof *conn);

  if (conn == NULL) {
    nbdkit_error ("calloc: %m");
    return NULL;
  }
  conn->readonly = readonly;
  return conn;
}

/* .close: free the per-connection handle. */
static void
aoeplug_close (void *handle)
{
  log_stats ("connection closed");
  free (handle);
}

/* .get_size: the target's capacity. */
static int64_t
aoeplug_get_size (void *handle)
{
  int64_t size = aoe_get_size (aoe);

  if (size == -1) {
    nbdkit_error ("get_size: %s", aoe_get_error ());
    errno = aoeplug_map_errno (aoe_get_errno ());
  }
  return size;
}

/* Round up to a power of two. */
static uint32_t
round_up_pow2 (uint32_t n)
{
  uint32_t p = 1;

  while (p < n)
    p <<= 1;
  return p;
}

/* .block_size: 512-byte sectors; prefer whole frames; 32 MiB at most. */
static int
aoeplug_block_size (void *handle, uint32_t *minimum, uint32_t *preferred,
                    uint32_t *maximum)
{
  uint32_t frame = target_info.sectors_per_frame * AOE_SECTOR_SIZE;

  *minimum = AOE_SECTOR_SIZE;
  *preferred = round_up_pow2 (frame > MIN_PREFERRED_BLOCK_SIZE
                              ? frame : MIN_PREFERRED_BLOCK_SIZE);
  if (*preferred > MAXIMUM_BLOCK_SIZE)
    *preferred = MAXIMUM_BLOCK_SIZE;
  *maximum = MAXIMUM_BLOCK_SIZE;
  return 0;
}

/* .can_write: unless the client connected read-only.  A target exported
 * read-only (vblade -r) is only discovered by a write failing EPERM. */
static int
aoeplug_can_write (void *handle)
{
  const struct aoeplug_conn *conn = handle;

  return !conn->readonly;
}

/* .can_flush: if IDENTIFY offers FLUSH CACHE (EXT). */
static int
aoeplug_can_flush (void *handle)
{
  return target_info.can_flush;
}

/* .can_fua: nbdkit emulates FUA with a flush, when there is one. */
static int
aoeplug_can_fua (void *handle)
{
  return target_info.can_flush ? NBDKIT_FUA_EMULATE : NBDKIT_FUA_NONE;
}

/* .can_multi_conn: one shared handle, so a flush covers every connection. */
static int
aoeplug_can_multi_conn (void *handle)
{
  return 1;
}

/* .can_zero: not yet (nbdkit falls back to writing zeroes). */
static int
aoeplug_can_zero (void *handle)
{
  return 0;
}

/* .can_trim: AoE has no trim command. */
static int
aoeplug_can_trim (void *handle)
{
  return 0;
}

/* .pread: any offset and length (rw.c). */
static int
aoeplug_pread_cb (void *handle, void *buf, uint32_t count, uint64_t offset,
                  uint32_t flags)
{
  return aoeplug_pread (aoe, buf, count, offset);
}

/* .pwrite: any offset and length (rw.c).  FUA is emulated by nbdkit. */
static int
aoeplug_pwrite_cb (void *handle, const void *buf, uint32_t count,
                   uint64_t offset, uint32_t flags)
{
  const struct aoeplug_conn *conn = handle;

  if (conn->readonly) {
    nbdkit_error ("write on a read-only connection");
    errno = EPERM;
    return -1;
  }
  return aoeplug_pwrite (aoe, buf, count, offset);
}

/* .flush: ATA FLUSH CACHE after every earlier write (rw.c). */
static int
aoeplug_flush_cb (void *handle, uint32_t flags)
{
  return aoeplug_flush (aoe);
}

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

/* The plugin's callback table. */
static struct nbdkit_plugin plugin = {
  .name = "aoe",
  .longname = "nbdkit ATA over Ethernet plugin",
  .version = PACKAGE_VERSION,
  .description = "Serve an ATA-over-Ethernet (AoE) disk through libaoe",
  .unload = aoeplug_unload,
  .dump_plugin = aoeplug_dump_plugin,
  .config = aoeplug_config_key,
  .config_complete = aoeplug_config_complete,
  .config_help = AOEPLUG_CONFIG_HELP,
  .magic_config_key = "target",
  .get_ready = aoeplug_get_ready,
  .cleanup = aoeplug_cleanup,
  .open = aoeplug_open,
  .close = aoeplug_close,
  .get_size = aoeplug_get_size,
  .block_size = aoeplug_block_size,
  .can_write = aoeplug_can_write,
  .can_flush = aoeplug_can_flush,
  .can_fua = aoeplug_can_fua,
  .can_multi_conn = aoeplug_can_multi_conn,
  .can_zero = aoeplug_can_zero,
  .can_trim = aoeplug_can_trim,
  .pread = aoeplug_pread_cb,
  .pwrite = aoeplug_pwrite_cb,
  .flush = aoeplug_flush_cb,
  .errno_is_preserved = 1,
};

NBDKIT_REGISTER_PLUGIN (plugin)
