/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-rw: whole-disk I/O through the blocking calls of libaoe.
 *
 *   lib-rw [--loop] IFACE SHELF SLOT write FILE
 *       write pseudo-random data over the whole disk (chunks of many
 *       sizes, crossing frame boundaries), flush, and save the data to
 *       FILE (the caller compares it with the image, byte for byte)
 *   lib-rw [--loop] IFACE SHELF SLOT read FILE
 *       read the whole disk and save it to FILE
 *   lib-rw [--loop] IFACE SHELF SLOT readonly IMAGE
 *       a read-only target: reads equal IMAGE, writes fail with EPERM
 *
 * --loop runs the handle on a libev loop of this program (aoe_set_loop):
 * the blocking calls then drive that loop themselves.  Every mode first
 * checks that a count of 0 fails alike in the blocking and aio calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "lib-common.h"

/* Chunk sizes cycled through: one sector, one frame at MTU 1500 and 9000,
 * frame-unaligned sizes, and large multi-frame commands. */
static const size_t chunk_sizes[] = {
  512, 1024, 4096, 8704, 65536 + 512, 1 << 20, (4 << 20) + 1536, 17 * 512,
};
#define NCHUNKS (sizeof chunk_sizes / sizeof chunk_sizes[0])

/* The length of the i-th chunk starting at offset of a disk of size. */
static size_t
chunk_at (size_t i, uint64_t offset, uint64_t size)
{
  size_t n = chunk_sizes[i % NCHUNKS];

  return size - offset < n ? (size_t) (size - offset) : n;
}

/* Read the whole disk (size bytes) into buf. */
static void
read_all (aoe_handle *h, uint8_t *buf, uint64_t size)
{
  uint64_t offset = 0;
  size_t i;

  for (i = 0; offset < size; ++i) {
    size_t n = chunk_at (i, offset, size);

    if (aoe_pread (h, buf + offset, n, offset) == -1)
      lib_die_aoe ("aoe_pread");
    offset += n;
  }
}

/* Write buf over the whole disk, then flush. */
static void
write_all (aoe_handle *h, const uint8_t *buf, uint64_t size)
{
  uint64_t offset = 0;
  size_t i;

  for (i = 0; offset < size; ++i) {
    size_t n = chunk_at (i + 3, offset, size);

    if (aoe_pwrite (h, buf + offset, n, offset) == -1)
      lib_die_aoe ("aoe_pwrite");
    offset += n;
  }
  if (aoe_flush (h) == -1)
    lib_die_aoe ("aoe_flush");
}

/* Check the counters after moving bytes through the handle. */
static void
check_stats (aoe_handle *h, uint64_t read, uint64_t written)
{
  struct aoe_stats st;

  if (aoe_get_stats (h, &st, sizeof st) == -1)
    lib_die_aoe ("aoe_get_stats");
  if (st.bytes_read != read || st.bytes_written != written)
    lib_die ("stats: read %llu written %llu, expected %llu and %llu",
             (unsigned long long) st.bytes_read,
             (unsigned long long) st.bytes_written,
             (unsigned long long) read, (unsigned long long) written);
  if (st.frames_sent == 0 || st.frames_received == 0 || st.in_flight != 0)
    lib_die ("stats: %llu frames sent, %llu received, %u in flight",
             (unsigned long long) st.frames_sent,
             (unsigned long long) st.frames_received, st.in_flight);
  printf ("frames sent %llu received %llu retransmits %llu "
          "capture drops %llu\n",
          (unsigned long long) st.frames_sent,
          (unsigned long long) st.frames_received,
          (unsigned long long) st.retransmits,
          (unsigned long long) st.capture_drops);
}

/* Completion callback that must never run. */
static void
never_called (void *user_data, int err)
{
  lib_die ("completion of a command that was refused");
}

/* A count of 0 is EINVAL "count is 0" in the blocking and the aio
 * calls alike, checked before anything is queued. */
static void
check_zero_count (aoe_handle *h)
{
  aoe_completion cb = { .callback = never_called };
  uint8_t sector[512];

  EXPECT_FAIL (aoe_pread (h, sector, 0, 0), EINVAL, "count is 0");
  EXPECT_FAIL (aoe_pwrite (h, sector, 0, 0), EINVAL, "count is 0");
  EXPECT_FAIL (aoe_aio_pread (h, sector, 0, 0, cb), EINVAL, "count is 0");
  EXPECT_FAIL (aoe_aio_pwrite (h, sector, 0, 0, cb), EINVAL, "count is 0");
  if (aoe_aio_in_flight (h) != 0)
    lib_die ("a refused command is in flight");
}

/* The readonly mode: reads match the image, writes fail with EPERM and
 * leave it untouched. */
static void
check_readonly (aoe_handle *h, const char *image, uint64_t size)
{
  static const uint64_t offsets[] = { 0, 4096, 1 << 20 };
  uint8_t *disk, *buf = malloc (size), block[8192];
  size_t image_size, i;

  disk = lib_read_file (image, &image_size);
  if (buf == NULL)
    lib_die ("out of memory");
  read_all (h, buf, size);
  if (image_size != size || memcmp (buf, disk, size) != 0)
    lib_die ("read-only disk differs from %s", image);
  memset (block, 0xa5, sizeof block);
  for (i = 0; i < sizeof offsets / sizeof offsets[0]; ++i) {
    if (aoe_pwrite (h, block, sizeof block, offsets[i]) != -1)
      lib_die ("write at %llu to a read-only target succeeded",
               (unsigned long long) offsets[i]);
    lib_expect_error ("write to read-only target", EPERM, "read-only");
  }
  free (disk);
  disk = lib_read_file (image, &image_size);
  if (memcmp (buf, disk, size) != 0)
    lib_die ("the image changed after refused writes");
  free (disk);
  free (buf);
}

int
main (int argc, char *argv[])
{
  struct ev_loop *loop = NULL;
  uint64_t seed = 0x5eed1234;
  const char *mode, *file;
  aoe_handle *h;
  uint8_t *buf;
  uint64_t size;

  if (argc > 1 && strcmp (argv[1], "--loop") == 0) {
    loop = ev_loop_new (EVFLAG_AUTO);
    argv++;
    argc--;
  }
  if (argc != 6)
    lib_die ("usage: lib-rw [--loop] IFACE SHELF SLOT write|read|readonly FILE");
  mode = argv[4];
  file = argv[5];
  h = lib_handle (argv[1], argv[2], argv[3]);
  if (loop && aoe_set_loop (h, loop) == -1)
    lib_die_aoe ("aoe_set_loop");
  if (aoe_connect (h) == -1)
    lib_die_aoe ("aoe_connect");
  check_zero_count (h);
  size = (uint64_t) aoe_get_size (h);
  buf = malloc (size);
  if (buf == NULL)
    lib_die ("out of memory");

  if (strcmp (mode, "write") == 0) {
    lib_random_fill (buf, size, &seed);
    write_all (h, buf, size);
    check_stats (h, 0, size);
    lib_write_file (file, buf, size);
  }
  else if (strcmp (mode, "read") == 0) {
    read_all (h, buf, size);
    check_stats (h, size, 0);
    lib_write_file (file, buf, size);
  }
  else if (strcmp (mode, "readonly") == 0)
    check_readonly (h, file, size);
  else
    lib_die ("unknown mode '%s'", mode);

  if (aoe_aio_in_flight (h) != 0)
    lib_die ("%u commands still in flight", aoe_aio_in_flight (h));
  aoe_close (h);
  if (loop)
    ev_loop_destroy (loop);
  free (buf);
  printf ("lib-rw %s%s: ok (%llu bytes)\n", loop ? "--loop " : "", mode,
          (unsigned long long) size);
  return EXIT_SUCCESS;
}
