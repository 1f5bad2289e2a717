/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-parallel: many threads doing blocking random I/O at once on one
 * handle, checked against a shadow copy of the disk.
 *
 *   lib-parallel IFACE SHELF SLOT IMAGE THREADS SECONDS [reads]
 *
 * The shadow starts as a copy of IMAGE (the target's backing file).  Each
 * thread owns one slice of the disk and, until SECONDS have passed, reads
 * or writes random sector ranges (1-256 sectors) in it: every write goes
 * to the shadow too, every read must equal the shadow.  At the end the
 * whole disk is read back and IMAGE is read again: both must equal the
 * shadow.  With "reads" the threads only read.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-common.h"

/* Longest random request, in sectors. */
#define MAX_SECTORS 256

/* One thread's part of the test. */
struct worker {
  pthread_t thread;          /* the thread */
  aoe_handle *h;             /* the shared handle */
  uint8_t *shadow;           /* the shared shadow (own slice only) */
  uint64_t start;            /* first byte of its slice */
  uint64_t length;           /* bytes in its slice */
  uint64_t deadline_ms;      /* when to stop */
  uint64_t seed;             /* its random state */
  unsigned long reads;       /* reads done */
  unsigned long writes;      /* writes done */
  int reads_only;            /* never write */
  char failure[256];         /* first failure, empty if none */
};

/* Thread body: random reads and writes in the worker's slice. */
static void *
work (void *arg)
{
  struct worker *w = arg;
  uint64_t sectors = w->length / AOE_SECTOR_SIZE;
  uint8_t *buf = malloc (MAX_SECTORS * AOE_SECTOR_SIZE);

  if (buf == NULL) {
    snprintf (w->failure, sizeof w->failure, "out of memory");
    return NULL;
  }
  while (lib_now_ms () < w->deadline_ms) {
    uint64_t first = lib_random_below (&w->seed, sectors);
    uint64_t count = 1 + lib_random_below (&w->seed, MAX_SECTORS);
    uint64_t offset = w->start + first * AOE_SECTOR_SIZE;
    size_t len;

    if (count > sectors - first)
      count = sectors - first;
    len = (size_t) count * AOE_SECTOR_SIZE;
    if (!w->reads_only && lib_random_below (&w->seed, 2)) {
      lib_random_fill (buf, len, &w->seed);
      if (aoe_pwrite (w->h, buf, len, offset) == -1) {
        snprintf (w->failure, sizeof w->failure, "write %zu at %llu: %s",
                  len, (unsigned long long) offset, aoe_get_error ());
        break;
      }
      memcpy (w->shadow + offset, buf, len);
      w->writes++;
    }
    else {
      if (aoe_pread (w->h, buf, len, offset) == -1) {
        snprintf (w->failure, sizeof w->failure, "read %zu at %llu: %s",
                  len, (unsigned long long) offset, aoe_get_error ());
        break;
      }
      if (memcmp (buf, w->shadow + offset, len) != 0) {
        snprintf (w->failure, sizeof w->failure,
                  "read %zu at %llu differs from the shadow", len,
                  (unsigned long long) offset);
        break;
      }
      w->reads++;
    }
  }
  free (buf);
  return NULL;
}

/* Read the whole disk back and compare it with the shadow. */
static void
verify_disk (aoe_handle *h, const uint8_t *shadow, uint64_t size)
{
  const uint64_t piece = 16 << 20;
  uint8_t *buf = malloc (size);
  uint64_t offset;

  if (buf == NULL)
    lib_die ("out of memory");
  for (offset = 0; offset < size; offset += piece)
    if (aoe_pread (h, buf + offset,
                   size - offset < piece ? size - offset : piece,
                   offset) == -1)
      lib_die_aoe ("final aoe_pread");
  if (memcmp (buf, shadow, size) != 0)
    lib_die ("final read of the disk differs from the shadow");
  free (buf);
}

/* Print the handle's counters (retransmissions explain slow runs). */
static void
print_stats (aoe_handle *h)
{
  struct aoe_stats st;

  if (aoe_get_stats (h, &st, sizeof st) == -1)
    lib_die_aoe ("aoe_get_stats");
  printf ("frames sent %llu received %llu retransmits %llu late %llu "
          "duplicates %llu capture drops %llu window %u/%u\n",
          (unsigned long long) st.frames_sent,
          (unsigned long long) st.frames_received,
          (unsigned long long) st.retransmits,
          (unsigned long long) st.late_replies,
          (unsigned long long) st.duplicates,
          (unsigned long long) st.capture_drops, st.window, st.window_max);
}

int
main (int argc, char *argv[])
{
  struct worker *workers;
  unsigned long reads = 0, writes = 0;
  unsigned nthreads, seconds, i;
  uint8_t *shadow, *image;
  uint64_t size, slice;
  size_t image_size;
  aoe_handle *h;
  int failed = 0, reads_only = 0;

  if (argc == 8 && strcmp (argv[7], "reads") == 0)
    reads_only = 1;
  else if (argc != 7)
    lib_die ("usage: lib-parallel IFACE SHELF SLOT IMAGE THREADS SECONDS "
             "[reads]");
  nthreads = (unsigned) lib_parse ("threads", argv[5], 256);
  seconds = (unsigned) lib_parse ("seconds", argv[6], 3600);
  if (nthreads == 0)
    lib_die ("threads must be > 0");
  shadow = lib_read_file (argv[4], &image_size);
  h = lib_connect (argv[1], argv[2], argv[3]);
  size = lib_expect_size (h, image_size);
  slice = size / nthreads / AOE_SECTOR_SIZE * AOE_SECTOR_SIZE;
  if (slice == 0)
    lib_die ("disk too small for %u threads", nthreads);

  workers = calloc (nthreads, sizeof *workers);
  if (workers == NULL)
    lib_die ("out of memory");
  for (i = 0; i < nthreads; ++i) {
    workers[i].h = h;
    workers[i].shadow = shadow;
    workers[i].start = i * slice;
    workers[i].length = slice;
    workers[i].deadline_ms = lib_now_ms () + seconds * 1000ull;
    workers[i].seed = 0x1234567ull * (i + 1);
    workers[i].reads_only = reads_only;
    if (pthread_create (&workers[i].thread, NULL, work, &workers[i]) != 0)
      lib_die ("pthread_create failed");
  }
  for (i = 0; i < nthreads; ++i) {
    pthread_join (workers[i].thread, NULL);
    reads += workers[i].reads;
    writes += workers[i].writes;
    if (workers[i].failure[0]) {
      fprintf (stderr, "thread %u: %s\n", i, workers[i].failure);
      failed = 1;
    }
    if (workers[i].reads == 0
        || (workers[i].writes == 0 && !workers[i].reads_only)) {
      fprintf (stderr, "thread %u did %lu reads and %lu writes\n", i,
               workers[i].reads, workers[i].writes);
      failed = 1;
    }
  }
  if (failed) {
    print_stats (h);
    lib_die ("a thread failed");
  }

  if (aoe_flush (h) == -1)
    lib_die_aoe ("aoe_flush");
  print_stats (h);
  verify_disk (h, shadow, size);
  aoe_close (h);
  image = lib_read_file (argv[4], &image_size);
  if (memcmp (image, shadow, size) != 0)
    lib_die ("the image file differs from the shadow");
  printf ("lib-parallel: ok (%u threads, %lu reads, %lu writes)\n",
          nthreads, reads, writes);
  free (image);
  free (shadow);
  free (workers);
  return EXIT_SUCCESS;
}
