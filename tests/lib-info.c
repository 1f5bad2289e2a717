/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-info: connect and print what libaoe learnt, one key=value a line,
 * for the calling script to check.
 *
 *   lib-info IFACE SHELF SLOT
 *
 * Also checks the debug hook (an aoe_set_debug function receives the
 * "connected" event) and aoe_get_stats' size handling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-common.h"

/* What the debug hook saw. */
struct debug_seen {
  unsigned lines;          /* lines received */
  unsigned connected;      /* lines announcing the connection */
  int newline;             /* a line contained a newline (must not) */
};

/* The debug hook: count lines. */
static void
debug_line (void *opaque, const char *line)
{
  struct debug_seen *seen = opaque;

  seen->lines++;
  if (strstr (line, "connected to e"))
    seen->connected++;
  if (strchr (line, '\n'))
    seen->newline = 1;
}

/* aoe_get_stats copies only the size the caller knows and zero-fills a
 * larger one. */
static void
check_stats_sizes (aoe_handle *h)
{
  /* A caller's struct from a newer header: larger, suitably aligned. */
  union {
    struct aoe_stats stats;
    unsigned char bytes[sizeof (struct aoe_stats) + 16];
  } big;
  uint64_t first = 0xdeadbeef;

  memset (big.bytes, 0xff, sizeof big.bytes);
  if (aoe_get_stats (h, &big.stats, sizeof big.bytes) == -1)
    lib_die_aoe ("aoe_get_stats (larger)");
  if (big.bytes[sizeof big.bytes - 1] != 0)
    lib_die ("aoe_get_stats did not zero the tail of a larger struct");
  if (aoe_get_stats (h, (struct aoe_stats *) &first, sizeof first) == -1)
    lib_die_aoe ("aoe_get_stats (smaller)");
  if (first == 0xdeadbeef)
    lib_die ("aoe_get_stats did not fill a smaller struct");
}

int
main (int argc, char *argv[])
{
  struct debug_seen seen = { 0 };
  struct aoe_info info;
  uint64_t start;
  aoe_handle *h;
  unsigned i;

  if (argc != 4)
    lib_die ("usage: lib-info IFACE SHELF SLOT");
  h = lib_handle (argv[1], argv[2], argv[3]);
  if (aoe_set_debug (h, AOE_DEBUG_EVENTS, debug_line, &seen) == -1)
    lib_die_aoe ("aoe_set_debug");
  start = lib_now_ms ();
  if (aoe_connect (h) == -1)
    lib_die_aoe ("aoe_connect");
  if (aoe_get_info (h, &info) == -1)
    lib_die_aoe ("aoe_get_info");
  check_stats_sizes (h);

  printf ("connect_ms=%llu\n", (unsigned long long) (lib_now_ms () - start));
  printf ("size=%lld\n", (long long) aoe_get_size (h));
  printf ("info_size=%llu\n", (unsigned long long) info.size);
  printf ("target=%u.%u\n", info.shelf, info.slot);
  printf ("lba48=%d\n", info.lba48);
  printf ("can_flush=%d\n", info.can_flush);
  printf ("model=%s\n", info.model);
  printf ("serial=%s\n", info.serial);
  printf ("firmware=%s\n", info.firmware);
  printf ("buffer_count=%u\n", info.buffer_count);
  printf ("firmware_version=0x%04x\n", info.firmware_version);
  printf ("sectors_per_frame=%u\n", info.sectors_per_frame);
  printf ("nmacs=%u\n", info.nmacs);
  for (i = 0; i < info.nmacs; ++i)
    printf ("mac%u=%02x:%02x:%02x:%02x:%02x:%02x\n", i,
            info.macs[i][0], info.macs[i][1], info.macs[i][2],
            info.macs[i][3], info.macs[i][4], info.macs[i][5]);
  printf ("config=%s\n", info.config);
  printf ("debug_connected=%u\n", seen.connected);
  printf ("debug_newline=%d\n", seen.newline);
  printf ("in_flight=%u\n", aoe_aio_in_flight (h));
  aoe_close (h);
  return EXIT_SUCCESS;
}
