/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * fault-aio: asynchronous I/O while the network misbehaves, checked for
 * exactly-once completion and against a shadow copy of the disk.
 *
 *   fault-aio IFACES SHELF SLOT IMAGE SECONDS [LANES]
 *
 * The shadow starts as a copy of IMAGE (the target's backing file).  LANES
 * lanes (default 32) each own one slice of the disk and keep one aio
 * command in it in flight at a time, random reads and writes of 1-256
 * sectors, until SECONDS have passed: so up to LANES commands are in
 * flight at once and no two of them overlap.  Every write also goes to
 * the shadow; every read must equal it.  Every completion callback must
 * run exactly once, with err 0, and the handle's commands_completed must
 * grow by exactly the number of commands submitted.  At the end the whole
 * disk is read back and IMAGE read again: both must equal the shadow.
 *
 * Prints the handle's counters as "name=value" lines (frames_sent,
 * duplicates, dropped_foreign, ...) for the calling script to check.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-common.h"

/* Longest random request, in sectors. */
#define MAX_SECTORS 256

/* Default number of lanes (commands in flight). */
#define DEFAULT_LANES 32

/* One submitted command: what its callback saw. */
struct record {
  unsigned lane;            /* the lane that submitted it */
  unsigned calls;           /* callback runs (must end up 1) */
  int err;                  /* err of the first run */
};

/* One lane: a slice of the disk and its command in flight. */
struct lane {
  uint64_t start;           /* first byte of its slice */
  uint64_t length;          /* bytes in its slice */
  uint64_t seed;            /* its random state */
  uint8_t *buf;             /* MAX_SECTORS sectors of data */
  uint64_t offset;          /* the command in flight: where */
  size_t len;               /* ... how many bytes */
  bool is_write;            /* ... a write (else a read) */
  struct record *record;    /* ... its record */
};

/* State shared by the main thread and the completion callbacks. */
struct run {
  pthread_mutex_t lock;     /* protects everything below */
  pthread_cond_t cond;      /* signalled on every completion */
  unsigned *done;           /* lanes whose command completed, in order */
  size_t ndone;             /* entries in done */
  unsigned long extra_calls; /* callbacks beyond the first of a command */
};

/* Every record, to check "exactly once" after close. */
static struct record **records;
static size_t nrecords, records_cap;

/* Keep rec for the final check. */
static void
remember (struct record *rec)
{
  if (nrecords == records_cap) {
    records_cap = records_cap ? records_cap * 2 : 4096;
    records = realloc (records, records_cap * sizeof *records);
    if (records == NULL)
      lib_die ("out of memory");
  }
  records[nrecords++] = rec;
}

/* The shared run state (the callback's user data is a record). */
static struct run run = {
  .lock = PTHREAD_MUTEX_INITIALIZER,
  .cond = PTHREAD_COND_INITIALIZER,
};

/* Completion callback (libaoe's I/O thread): count the call and hand the
 * lane back to the main thread on the first one. */
static void
completed (void *user_data, int err)
{
  struct record *rec = user_data;

  pthread_mutex_lock (&run.lock);
  if (++rec->calls == 1) {
    rec->err = err;
    run.done[run.ndone++] = rec->lane;
    pthread_cond_signal (&run.cond);
  }
  else
    run.extra_calls++;
  pthread_mutex_unlock (&run.lock);
}

/* Submit lane's next random command; writes go to the shadow at once
 * (nothing else in flight touches the lane's slice). */
static void
submit (aoe_handle *h, struct lane *lane, unsigned index, uint8_t *shadow)
{
  uint64_t sectors = lane->length / AOE_SECTOR_SIZE;
  uint64_t first = lib_random_below (&lane->seed, sectors);
  uint64_t count = 1 + lib_random_below (&lane->seed, MAX_SECTORS);
  aoe_completion cb = { .callback = completed };
  int64_t cookie;

  if (count > sectors - first)
    count = sectors - first;
  lane->offset = lane->start + first * AOE_SECTOR_SIZE;
  lane->len = (size_t) count * AOE_SECTOR_SIZE;
  lane->is_write = lib_random_below (&lane->seed, 2);
  lane->record = calloc (1, sizeof *lane->record);
  if (lane->record == NULL)
    lib_die ("out of memory");
  lane->record->lane = index;
  remember (lane->record);
  cb.user_data = lane->record;
  if (lane->is_write) {
    lib_random_fill (lane->buf, lane->len, &lane->seed);
    memcpy (shadow + lane->offset, lane->buf, lane->len);
    cookie = aoe_aio_pwrite (h, lane->buf, lane->len, lane->offset, cb);
  }
  else
    cookie = aoe_aio_pread (h, lane->buf, lane->len, lane->offset, cb);
  if (cookie == -1)
    lib_die_aoe (lane->is_write ? "aoe_aio_pwrite" : "aoe_aio_pread");
}

/* Check lane's completed command. */
static void
check (struct lane *lane, const uint8_t *shadow)
{
  if (lane->record->err != 0)
    lib_die ("%s of %zu bytes at %llu failed: %s",
             lane->is_write ? "write" : "read", lane->len,
             (unsigned long long) lane->offset,
             strerror (lane->record->err));
  if (!lane->is_write
      && memcmp (lane->buf, shadow + lane->offset, lane->len) != 0)
    lib_die ("read of %zu bytes at %llu differs from the shadow",
             lane->len, (unsigned long long) lane->offset);
}

/* Read the whole disk back and compare it with the shadow. */
static void
verify_disk (aoe_handle *h, const uint8_t *shadow, uint64_t size)
{
  const uint64_t piece = 16 << 20;
  uint8_t *buf = malloc (piece);
  uint64_t offset, n;

  if (buf == NULL)
    lib_die ("out of memory");
  for (offset = 0; offset < size; offset += n) {
    n = size - offset < piece ? size - offset : piece;
    if (aoe_pread (h, buf, n, offset) == -1)
      lib_die_aoe ("final aoe_pread");
    if (memcmp (buf, shadow + offset, n) != 0)
      lib_die ("final read at %llu differs from the shadow",
               (unsigned long long) offset);
  }
  free (buf);
}

/* Print one counter as name=value. */
#define PRINT_STAT(st, name) \
  printf ("%s=%llu\n", #name, (unsigned long long) (st).name)

/* Print the counters the fault tests look at. */
static void
print_stats (aoe_handle *h)
{
  struct aoe_stats st;

  if (aoe_get_stats (h, &st, sizeof st) == -1)
    lib_die_aoe ("aoe_get_stats");
  PRINT_STAT (st, frames_sent);
  PRINT_STAT (st, frames_received);
  PRINT_STAT (st, retransmits);
  PRINT_STAT (st, timeouts);
  PRINT_STAT (st, dropped_foreign);
  PRINT_STAT (st, dropped_malformed);
  PRINT_STAT (st, late_replies);
  PRINT_STAT (st, duplicates);
  PRINT_STAT (st, aoe_errors);
  PRINT_STAT (st, ata_errors);
  PRINT_STAT (st, capture_drops);
  PRINT_STAT (st, jumbo_fallbacks);
  PRINT_STAT (st, commands_completed);
}

/* Commands the handle has retired so far. */
static uint64_t
commands_completed (aoe_handle *h)
{
  struct aoe_stats st;

  if (aoe_get_stats (h, &st, sizeof st) == -1)
    lib_die_aoe ("aoe_get_stats");
  return st.commands_completed;
}

int
main (int argc, char *argv[])
{
  unsigned nlanes = DEFAULT_LANES, seconds, busy, i;
  unsigned long reads = 0, writes = 0;
  uint64_t size, slice, deadline, completed_before, completed_after;
  struct lane *lanes;
  uint8_t *shadow, *image;
  size_t image_size;
  aoe_handle *h;

  if (argc != 6 && argc != 7)
    lib_die ("usage: fault-aio IFACES SHELF SLOT IMAGE SECONDS [LANES]");
  seconds = (unsigned) lib_parse ("seconds", argv[5], 3600);
  if (argc == 7)
    nlanes = (unsigned) lib_parse ("lanes", argv[6], 1024);
  if (nlanes == 0)
    lib_die ("lanes must be > 0");
  shadow = lib_read_file (argv[4], &image_size);
  h = lib_connect (argv[1], argv[2], argv[3]);
  size = lib_expect_size (h, image_size);
  slice = size / nlanes / AOE_SECTOR_SIZE * AOE_SECTOR_SIZE;
  if (slice == 0)
    lib_die ("disk too small for %u lanes", nlanes);
  lanes = calloc (nlanes, sizeof *lanes);
  run.done = calloc (nlanes, sizeof *run.done);
  if (lanes == NULL || run.done == NULL)
    lib_die ("out of memory");

  completed_before = commands_completed (h);
  deadline = lib_now_ms () + seconds * 1000ull;
  for (i = 0; i < nlanes; i++) {
    lanes[i].start = i * slice;
    lanes[i].length = slice;
    lanes[i].seed = 0x9E3779B97F4A7C15ull * (i + 1);
    lanes[i].buf = malloc (MAX_SECTORS * AOE_SECTOR_SIZE);
    if (lanes[i].buf == NULL)
      lib_die ("out of memory");
    submit (h, &lanes[i], i, shadow);
  }
  for (busy = nlanes; busy > 0; ) {
    unsigned lane;

    pthread_mutex_lock (&run.lock);
    while (run.ndone == 0)
      pthread_cond_wait (&run.cond, &run.lock);
    lane = run.done[--run.ndone];
    pthread_mutex_unlock (&run.lock);
    check (&lanes[lane], shadow);
    if (lanes[lane].is_write)
      writes++;
    else
      reads++;
    if (lib_now_ms () < deadline)
      submit (h, &lanes[lane], lane, shadow);
    else
      busy--;
  }
  completed_after = commands_completed (h);

  print_stats (h);
  printf ("submitted=%zu\nreads=%lu\nwrites=%lu\n", nrecords, reads, writes);
  if (completed_after - completed_before != nrecords)
    lib_die ("the handle retired %llu commands, %zu were submitted",
             (unsigned long long) (completed_after - completed_before),
             nrecords);
  verify_disk (h, shadow, size);
  aoe_close (h);
  /* No callback may run again, not even during close. */
  for (i = 0; i < nrecords; i++)
    if (records[i]->calls != 1)
      lib_die ("command %u completed %u times", i, records[i]->calls);
  if (run.extra_calls > 0)
    lib_die ("%lu extra completion callbacks", run.extra_calls);
  image = lib_read_file (argv[4], &image_size);
  if (memcmp (image, shadow, size) != 0)
    lib_die ("the image file differs from the shadow");
  printf ("fault-aio: ok (%u lanes, %lu reads, %lu writes)\n", nlanes, reads,
          writes);
  for (i = 0; i < nrecords; i++)
    free (records[i]);
  for (i = 0; i < nlanes; i++)
    free (lanes[i].buf);
  free (records);
  free (lanes);
  free (run.done);
  free (image);
  free (shadow);
  return EXIT_SUCCESS;
}
