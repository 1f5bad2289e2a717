/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-info: connect and print what libaoe learnt, one key=value a line,
 * for the calling script to check.
 *
 *   lib-info IFACE SHELF SLOT
 *
 * Also checks the debug hook (an aoe_set_debug function receives the
 * "connected" event), the size handling of aoe_get_info and
 * aoe_get_stats (the extensible structs of libaoe.h) and
 * aoe_get_target_macs' limit.
 */
#include <stddef.h>
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

/* The canary filling the bytes a call must not write. */
#define CANARY 0xa5

/* Die unless the len bytes at p are all CANARY. */
static void
expect_canary (const char *what, const void *p, size_t len)
{
  size_t i;

  for (i = 0; i < len; ++i)
    if (((const unsigned char *) p)[i] != CANARY)
      lib_die ("%s wrote byte %zu past the size it was given", what, i);
}

/* A caller's struct from an older libaoe.h (cut short before a middle
 * field) is filled up to its size and not a byte further; one from a
 * newer libaoe.h (larger) gets zeros past the library's struct. */
static void
check_struct_sizes (aoe_handle *h, const struct aoe_info *info)
{
  const size_t info_cut = offsetof (struct aoe_info, firmware);
  const size_t stats_cut = offsetof (struct aoe_stats, window);
  union {
    struct aoe_info info;
    struct aoe_stats stats;
    unsigned char bytes[sizeof (struct aoe_info) + 16];
  } u;
  struct aoe_stats before, after;

  memset (u.bytes, CANARY, sizeof u.bytes);
  EXPECT_OK (aoe_get_info (h, &u.info, info_cut));
  if (u.info.shelf != info->shelf || u.info.slot != info->slot
      || u.info.size != info->size || u.info.lba48 != info->lba48
      || u.info.can_flush != info->can_flush
      || strcmp (u.info.model, info->model) != 0
      || strcmp (u.info.serial, info->serial) != 0)
    lib_die ("aoe_get_info of %zu bytes filled its fields wrong", info_cut);
  expect_canary ("aoe_get_info", u.bytes + info_cut,
                 sizeof u.bytes - info_cut);

  EXPECT_OK (aoe_get_stats (h, &before, sizeof before));
  memset (u.bytes, CANARY, sizeof u.bytes);
  EXPECT_OK (aoe_get_stats (h, &u.stats, stats_cut));
  EXPECT_OK (aoe_get_stats (h, &after, sizeof after));
  if (u.stats.frames_sent < before.frames_sent
      || u.stats.frames_sent > after.frames_sent || after.frames_sent == 0
      || u.stats.frames_received < before.frames_received
      || u.stats.frames_received > after.frames_received
      || u.stats.commands_completed != after.commands_completed)
    lib_die ("aoe_get_stats of %zu bytes filled its fields wrong",
             stats_cut);
  expect_canary ("aoe_get_stats", u.bytes + stats_cut,
                 sizeof u.bytes - stats_cut);

  memset (u.bytes, 0xff, sizeof u.bytes);
  EXPECT_OK (aoe_get_info (h, &u.info, sizeof u.bytes));
  if (u.bytes[sizeof u.bytes - 1] != 0 || u.info.size != info->size)
    lib_die ("aoe_get_info did not zero the tail of a larger struct");
  memset (u.bytes, 0xff, sizeof u.bytes);
  EXPECT_OK (aoe_get_stats (h, &u.stats, sizeof u.bytes));
  if (u.bytes[sizeof u.bytes - 1] != 0)
    lib_die ("aoe_get_stats did not zero the tail of a larger struct");
}

/* Print the target's MACs as macN=...; aoe_get_target_macs counts them
 * without an array and copies no more than asked for. */
static void
print_target_macs (aoe_handle *h, unsigned nmacs)
{
  uint8_t macs[9][6];
  int n, i;

  n = aoe_get_target_macs (h, NULL, 0);
  if (n == -1)
    lib_die_aoe ("aoe_get_target_macs (count)");
  if ((unsigned) n != nmacs)
    lib_die ("aoe_get_target_macs counts %d MACs, aoe_info.nmacs %u", n,
             nmacs);
  memset (macs, CANARY, sizeof macs);
  if (aoe_get_target_macs (h, macs, 1) != n)
    lib_die_aoe ("aoe_get_target_macs (1)");
  expect_canary ("aoe_get_target_macs", macs[1], sizeof macs - 6);
  if (n > 8)
    lib_die ("%d target MACs: more than libaoe handles", n);
  if (aoe_get_target_macs (h, macs, 8) != n)
    lib_die_aoe ("aoe_get_target_macs (8)");
  expect_canary ("aoe_get_target_macs", macs[n], sizeof macs - 6 * n);
  for (i = 0; i < n; ++i)
    printf ("mac%d=%02x:%02x:%02x:%02x:%02x:%02x\n", i,
            macs[i][0], macs[i][1], macs[i][2],
            macs[i][3], macs[i][4], macs[i][5]);
}

int
main (int argc, char *argv[])
{
  struct debug_seen seen = { 0 };
  struct aoe_info info;
  uint64_t start;
  aoe_handle *h;

  if (argc != 4)
    lib_die ("usage: lib-info IFACE SHELF SLOT");
  h = lib_handle (argv[1], argv[2], argv[3]);
  if (aoe_set_debug (h, AOE_DEBUG_EVENTS, debug_line, &seen) == -1)
    lib_die_aoe ("aoe_set_debug");
  start = lib_now_ms ();
  if (aoe_connect (h) == -1)
    lib_die_aoe ("aoe_connect");
  if (aoe_get_info (h, &info, sizeof info) == -1)
    lib_die_aoe ("aoe_get_info");
  check_struct_sizes (h, &info);

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
  printf ("ninterfaces=%u\n", info.ninterfaces);
  print_target_macs (h, info.nmacs);
  printf ("config=%s\n", info.config);
  printf ("debug_connected=%u\n", seen.connected);
  printf ("debug_newline=%d\n", seen.newline);
  printf ("in_flight=%u\n", aoe_aio_in_flight (h));
  aoe_close (h);
  return EXIT_SUCCESS;
}
