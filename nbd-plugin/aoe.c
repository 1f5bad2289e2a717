/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: serve an ATA-over-Ethernet disk as an NBD export.
 *
 *   nbdkit aoe iface=eth0 e0.1      one target
 *   nbdkit aoe iface=eth0           every target, one export each
 *
 * Each export (one AoE target) has one libaoe handle shared by every
 * client connection to it: libaoe's blocking calls are safe from many
 * threads and its I/O thread starts with the first I/O, after nbdkit's
 * fork.  Sharing one handle makes a flush on one connection cover writes
 * from all of them, so can_multi_conn is honest.  A target given on the
 * command line is connected in .get_ready (before the fork, so
 * connection errors reach the terminal); without one, targets are
 * discovered there and each is connected at the first open of its
 * export.  No protocol logic lives here: config.c parses the keys,
 * exports.c keeps the table of exports, rw.c does the data path, stats.c
 * publishes the live figures.
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
#include "exports.h"
#include "rw.h"
#include "stats.h"

/* -D aoe.frames=1: log every AoE frame sent and received (with -v). */
NBDKIT_DLL_PUBLIC int aoe_debug_frames = 0;

/* -D aoe.stats=1: log window, RTT and retransmit figures at each
 * connection close and at exit (with -v). */
NBDKIT_DLL_PUBLIC int aoe_debug_stats = 0;

/* Largest request nbdkit advertises; larger ones are still split. */
#define MAXIMUM_BLOCK_SIZE AOEPLUG_MAX_IO

/* Smallest preferred block size advertised. */
#define MIN_PREFERRED_BLOCK_SIZE 4096

/* State of one client connection. */
struct aoeplug_conn {
  bool readonly;               /* the client connected read-only (nbdkit -r or otherwise) */
  struct aoeplug_export *exp;  /* the export it opened (its shared handle) */
};

/* .unload: release everything. */
static void
aoeplug_unload (void)
{
  aoeplug_exports_free ();
  aoeplug_config_free ();
}

/* .dump_plugin: versions of the libraries doing the work. */
static void
aoeplug_dump_plugin (void)
{
  printf ("libaoe_version=%s\n", aoe_get_version ());
  printf ("libpcap_version=%s\n", pcap_lib_version ());
}

/* .get_ready: fill the export table: connect to the target given (so
 * that errors reach the user's terminal before nbdkit forks), or
 * discover every target (exports.c; neither starts a thread) and check
 * that the statistics file can be written. */
static int
aoeplug_get_ready (void)
{
  if (aoeplug_exports_start () == -1)
    return -1;
  return aoeplug_stats_prepare ();
}

/* .after_fork: start publishing the statistics (a thread: after the
 * fork, as threads do not survive it). */
static int
aoeplug_after_fork (void)
{
  return aoeplug_stats_start ();
}

/* .cleanup: stop publishing, close every handle (joins libaoe's I/O
 * threads). */
static void
aoeplug_cleanup (void)
{
  aoeplug_stats_stop ();
  aoeplug_exports_free ();
}

/* .list_exports: every target served (exports.c). */
static int
aoeplug_list_exports (int readonly, int is_tls, struct nbdkit_exports *exports)
{
  return aoeplug_exports_list (exports);
}

/* .default_export: the target given, or the first in (shelf, slot)
 * order. */
static const char *
aoeplug_default_export (int readonly, int is_tls)
{
  return aoeplug_exports_default ();
}

/* .open: the export the client named (its handle connected on its
 * first open), and whether the connection is read-only. */
static void *
aoeplug_open (int readonly)
{
  struct aoeplug_conn *conn = calloc (1, sizeof *conn);

  if (conn == NULL) {
    nbdkit_error ("calloc: %m");
    return NULL;
  }
  conn->readonly = readonly;
  conn->exp = aoeplug_exports_open (nbdkit_export_name ());
  if (conn->exp == NULL) {
    free (conn);
    return NULL;
  }
  return conn;
}

/* .close: free the per-connection handle. */
static void
aoeplug_close (void *handle)
{
  struct aoeplug_conn *conn = handle;

  aoeplug_export_log_stats (conn->exp, "connection closed");
  free (conn);
}

/* .export_description: the target's model and serial number. */
static const char *
aoeplug_export_description (void *handle)
{
  const struct aoeplug_conn *conn = handle;
  char buf[128];

  aoeplug_export_describe (conn->exp, buf, sizeof buf);
  return nbdkit_strdup_intern (buf);
}

/* The shared handle of the connection's export. */
static aoe_handle *
conn_aoe (void *handle)
{
  const struct aoeplug_conn *conn = handle;

  return conn->exp->aoe;
}

/* What the connection's export's target said at connect. */
static const struct aoe_info *
conn_info (void *handle)
{
  const struct aoeplug_conn *conn = handle;

  return &conn->exp->info;
}

/* .get_size: the target's capacity. */
static int64_t
aoeplug_get_size (void *handle)
{
  int64_t size = aoe_get_size (conn_aoe (handle));

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
  uint32_t frame = conn_info (handle)->sectors_per_frame * AOE_SECTOR_SIZE;

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
  return conn_info (handle)->can_flush;
}

/* .can_fua: nbdkit emulates FUA with a flush, when there is one. */
static int
aoeplug_can_fua (void *handle)
{
  return conn_info (handle)->can_flush ? NBDKIT_FUA_EMULATE : NBDKIT_FUA_NONE;
}

/* .can_multi_conn: one shared handle per export, so a flush covers every
 * connection to that export (and an export is one target). */
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
  return aoeplug_pread (conn_aoe (handle), buf, count, offset);
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
  return aoeplug_pwrite (conn_aoe (handle), buf, count, offset);
}

/* .flush: ATA FLUSH CACHE after every earlier write (rw.c). */
static int
aoeplug_flush_cb (void *handle, uint32_t flags)
{
  return aoeplug_flush (conn_aoe (handle));
}

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

/* The plugin's callback table. */
static struct nbdkit_plugin plugin = {
  .name = "aoe",
  .longname = "nbdkit ATA over Ethernet plugin",
  .version = PACKAGE_VERSION,
  .description = "Serve ATA-over-Ethernet (AoE) disks through libaoe, one export per target",
  .unload = aoeplug_unload,
  .dump_plugin = aoeplug_dump_plugin,
  .config = aoeplug_config_key,
  .config_complete = aoeplug_config_complete,
  .config_help = AOEPLUG_CONFIG_HELP,
  .magic_config_key = "target",
  .get_ready = aoeplug_get_ready,
  .after_fork = aoeplug_after_fork,
  .cleanup = aoeplug_cleanup,
  .list_exports = aoeplug_list_exports,
  .default_export = aoeplug_default_export,
  .open = aoeplug_open,
  .close = aoeplug_close,
  .export_description = aoeplug_export_description,
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
