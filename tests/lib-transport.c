/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-transport: choosing the transport (aoe_set_transport,
 * LIBAOE_TRANSPORT).
 *
 *   lib-transport
 *       offline checks: bad names, NULL arguments, a bad LIBAOE_TRANSPORT
 *   lib-transport IFACE SHELF SLOT NAME
 *       connect with aoe_set_transport (NAME): the debug log must show
 *       the interface opened with that transport; then write and read
 *       back 8 MiB at scattered offsets, and check the setter refuses
 *       to change the transport once connected
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Passes NULL on purpose: the library's own checks are tested. */
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#include "lib-common.h"

/* Bytes written and read back per command, and how many commands. */
#define CHUNK_BYTES (256 * 1024 + 1536)
#define NCHUNKS 32

/* What the debug function looks for: the "opened IFACE (NAME," line. */
struct open_check {
  char want[64];  /* the text to find */
  int seen;       /* lines that contained it */
};

/* Debug function: count the lines announcing the expected transport. */
static void
debug_line (void *opaque, const char *line)
{
  struct open_check *check = opaque;

  if (strstr (line, check->want))
    check->seen++;
}

/* The checks that need no network. */
static int
offline (void)
{
  aoe_handle *h = aoe_create ();

  if (h == NULL)
    lib_die_aoe ("aoe_create");
  EXPECT_FAIL (aoe_set_transport (h, "bogus"), EINVAL, "unknown transport");
  EXPECT_FAIL (aoe_set_transport (h, ""), EINVAL, "expected pcap or packet");
  EXPECT_FAIL (aoe_set_transport (h, "PCAP"), EINVAL, "unknown transport");
  EXPECT_FAIL (aoe_set_transport (h, NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_transport (NULL, "pcap"), EFAULT, NULL);
  EXPECT_OK (aoe_set_transport (h, "packet"));
  EXPECT_OK (aoe_set_transport (h, "pcap"));
  aoe_close (h);

  if (setenv ("LIBAOE_TRANSPORT", "raw", 1) == -1)
    lib_die ("setenv failed");
  if (aoe_create () != NULL)
    lib_die ("aoe_create accepted LIBAOE_TRANSPORT=raw");
  lib_expect_error ("aoe_create with LIBAOE_TRANSPORT=raw", EINVAL,
                    "LIBAOE_TRANSPORT=raw");
  if (setenv ("LIBAOE_TRANSPORT", "packet", 1) == -1)
    lib_die ("setenv failed");
  h = aoe_create ();
  if (h == NULL)
    lib_die_aoe ("aoe_create with LIBAOE_TRANSPORT=packet");
  aoe_close (h);
  printf ("lib-transport offline: ok\n");
  return EXIT_SUCCESS;
}

/* Write NCHUNKS chunks of random data at scattered offsets, then read
 * each back and compare. */
static void
write_and_verify (aoe_handle *h)
{
  uint64_t size = aoe_get_size (h);
  uint64_t state = 42;
  uint8_t *data = malloc (CHUNK_BYTES * NCHUNKS);
  uint8_t *back = malloc (CHUNK_BYTES);
  uint64_t offsets[NCHUNKS];
  size_t i;

  if (data == NULL || back == NULL)
    lib_die ("out of memory");
  if (size < (uint64_t) CHUNK_BYTES * NCHUNKS * 2)
    lib_die ("the disk (%llu bytes) is too small",
             (unsigned long long) size);
  lib_random_fill (data, CHUNK_BYTES * NCHUNKS, &state);
  /* Chunk i lies in slice i of the disk, so chunks never overlap. */
  for (i = 0; i < NCHUNKS; ++i) {
    uint64_t slice = size / NCHUNKS;

    offsets[i] = i * slice
      + lib_random_below (&state, (slice - CHUNK_BYTES) / 512) * 512;
    EXPECT_OK (aoe_pwrite (h, data + i * CHUNK_BYTES, CHUNK_BYTES,
                           offsets[i]));
  }
  EXPECT_OK (aoe_flush (h));
  for (i = 0; i < NCHUNKS; ++i) {
    EXPECT_OK (aoe_pread (h, back, CHUNK_BYTES, offsets[i]));
    if (memcmp (back, data + i * CHUNK_BYTES, CHUNK_BYTES) != 0)
      lib_die ("chunk %zu at offset %llu reads back different", i,
               (unsigned long long) offsets[i]);
  }
  free (back);
  free (data);
}

/* Connect with transport name and do I/O through it. */
static int
online (const char *iface, const char *shelf, const char *slot,
        const char *name)
{
  aoe_handle *h = lib_handle (iface, shelf, slot);
  struct open_check check = { .seen = 0 };

  snprintf (check.want, sizeof check.want, "(%s, MTU", name);
  EXPECT_OK (aoe_set_transport (h, name));
  EXPECT_OK (aoe_set_debug (h, AOE_DEBUG_EVENTS, debug_line, &check));
  EXPECT_OK (aoe_connect (h));
  if (check.seen == 0)
    lib_die ("no debug line says the interface was opened with \"%s\"",
             check.want);
  write_and_verify (h);
  EXPECT_FAIL (aoe_set_transport (h, "pcap"), EINVAL, NULL);
  aoe_close (h);
  printf ("lib-transport %s: ok\n", name);
  return EXIT_SUCCESS;
}

int
main (int argc, char *argv[])
{
  if (argc == 1)
    return offline ();
  if (argc == 5)
    return online (argv[1], argv[2], argv[3], argv[4]);
  lib_die ("usage: lib-transport [IFACE SHELF SLOT pcap|packet]");
}
