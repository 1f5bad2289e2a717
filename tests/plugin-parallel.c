/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Parallel data-integrity stress for the nbdkit aoe plugin, in the style of
 * libnbd's tests/aio-parallel.c.
 *
 *   plugin-parallel SOCKET IMAGE SECONDS [CONNECTIONS]
 *
 * SOCKET is the Unix socket of an nbdkit serving IMAGE (the file behind
 * the AoE target).  The program loads IMAGE into a shadow copy, then opens
 * CONNECTIONS connections (default 4), each in its own thread with up to
 * 64 commands in flight, issuing random reads and writes for SECONDS:
 * half sector-aligned, half at any byte offset and length.  Every read is
 * checked against the shadow when it completes.  At the end the image file
 * itself is compared with the shadow.
 *
 * Each connection owns one section of the disk, and a connection never has
 * two commands touching the same byte in flight, so the expected content is
 * always known.  The sections' boundaries fall in the middle of sectors and
 * a quarter of the requests crowd the section edges, so neighbouring
 * connections (and commands of one connection) keep writing different
 * bytes of the same sector at the same time: that is what the plugin's
 * read-modify-write lock must get right.
 *
 * Exit status: 0 if everything matched, 1 on any error or mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libnbd.h>

#define MAX_CONNECTIONS 16
#define MAX_IN_FLIGHT 64              /* commands in flight per connection */
#define MAX_REQUEST (64 * 1024)       /* largest request in bytes */
#define EDGE_ZONE 4096                /* bytes near a section edge */
#define SECTOR 512

/* The whole disk as it should be. */
static uint8_t *shadow;

/* Size of the disk in bytes. */
static uint64_t disk_size;

/* Unix socket of the server. */
static const char *socket_path;

/* When the connections stop issuing new commands (CLOCK_MONOTONIC). */
static struct timespec deadline;

/* One command in flight. */
struct command {
  bool in_use;       /* slot holds a command not yet checked */
  bool done;         /* the completion callback ran */
  bool is_write;     /* write (else read) */
  bool aligned;      /* offset and count are multiples of 512 */
  int err;           /* errno from the completion callback */
  uint64_t offset;   /* first byte */
  uint32_t count;    /* length in bytes */
  uint8_t *buf;      /* MAX_REQUEST bytes, owned by the slot */
};

/* One connection and its share of the disk. */
struct connection {
  unsigned index;                         /* 0 .. connections-1 */
  pthread_t thread;                       /* its thread */
  uint64_t lo, hi;                        /* its section [lo, hi) */
  uint64_t rng;                           /* xorshift64 state */
  struct command cmds[MAX_IN_FLIGHT];     /* slots */
  unsigned in_flight;                     /* slots in use */
  uint64_t reads, writes, unaligned;      /* commands completed */
  uint64_t bytes;                         /* bytes transferred */
  bool failed;                            /* an error or a mismatch */
};

/* Next pseudo-random number (xorshift64). */
static uint64_t
next_random (struct connection *c)
{
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  return c->rng;
}

/* Uniform random number in [lo, hi] (hi >= lo). */
static uint64_t
random_between (struct connection *c, uint64_t lo, uint64_t hi)
{
  return lo + next_random (c) % (hi - lo + 1);
}

/* Fill buf with pseudo-random bytes. */
static void
random_fill (struct connection *c, uint8_t *buf, uint32_t count)
{
  uint32_t i;

  for (i = 0; i < count; i += 8) {
    uint64_t r = next_random (c);
    memcpy (buf + i, &r, count - i < 8 ? count - i : 8);
  }
}

/* Has the deadline passed? */
static bool
time_is_up (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return now.tv_sec > deadline.tv_sec ||
    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

/* Does [offset, offset + count) touch a byte of a command in flight? */
static bool
overlaps_in_flight (const struct connection *c, uint64_t offset,
                    uint32_t count)
{
  unsigned i;

  for (i = 0; i < MAX_IN_FLIGHT; i++) {
    const struct command *cmd = &c->cmds[i];

    if (cmd->in_use &&
        offset < cmd->offset + cmd->count && cmd->offset < offset + count)
      return true;
  }
  return false;
}

/* Choose a random range inside the connection's section: sector-aligned
 * or not, anywhere or near an edge.  False if it overlaps a command in
 * flight (the caller tries again later). */
static bool
choose_range (struct connection *c, bool aligned, uint64_t *offset,
              uint32_t *count)
{
  uint64_t lo = c->lo, hi = c->hi;
  bool near_edge = next_random (c) % 4 == 0;

  if (aligned) {
    lo = (lo + SECTOR - 1) / SECTOR * SECTOR;
    hi = hi / SECTOR * SECTOR;
    *count = random_between (c, 1, MAX_REQUEST / SECTOR) * SECTOR;
  }
  else
    *count = random_between (c, 1, next_random (c) % 2 ? SECTOR : MAX_REQUEST);
  if (near_edge && *count > EDGE_ZONE)
    *count = aligned ? EDGE_ZONE : random_between (c, 1, EDGE_ZONE);

  if (near_edge) {
    /* Start within EDGE_ZONE of the lower edge or end within EDGE_ZONE
     * of the upper one. */
    if (next_random (c) % 2)
      *offset = random_between (c, lo, lo + EDGE_ZONE - *count);
    else
      *offset = random_between (c, hi - EDGE_ZONE, hi - *count);
  }
  else
    *offset = random_between (c, lo, hi - *count);
  if (aligned)
    *offset = *offset / SECTOR * SECTOR;
  return !overlaps_in_flight (c, *offset, *count);
}

/* libnbd completion callback: note the result; the loop checks it. */
static int
command_done (void *user_data, int *error)
{
  struct command *cmd = user_data;

  cmd->err = *error;
  cmd->done = true;
  return 1;
}

/* Issue one random command in a free slot.  -1 on libnbd error. */
static int
issue_command (struct connection *c, struct nbd_handle *nbd)
{
  struct command *cmd = NULL;
  nbd_completion_callback cb;
  int64_t cookie;
  unsigned i;

  for (i = 0; i < MAX_IN_FLIGHT && cmd == NULL; i++)
    if (!c->cmds[i].in_use)
      cmd = &c->cmds[i];
  if (cmd == NULL)
    return 0;

  cmd->is_write = next_random (c) % 2;
  cmd->aligned = next_random (c) % 2;
  if (!choose_range (c, cmd->aligned, &cmd->offset, &cmd->count))
    return 0;
  cmd->in_use = true;
  cmd->done = false;
  cmd->err = 0;
  cb = (nbd_completion_callback) { .callback = command_done,
                                   .user_data = cmd };
  if (cmd->is_write) {
    random_fill (c, cmd->buf, cmd->count);
    memcpy (shadow + cmd->offset, cmd->buf, cmd->count);
    cookie = nbd_aio_pwrite (nbd, cmd->buf, cmd->count, cmd->offset, cb, 0);
  }
  else
    cookie = nbd_aio_pread (nbd, cmd->buf, cmd->count, cmd->offset, cb, 0);
  if (cookie == -1) {
    fprintf (stderr, "connection %u: %s\n", c->index, nbd_get_error ());
    cmd->in_use = false;
    return -1;
  }
  c->in_flight++;
  return 0;
}

/* Check and free every completed slot.  Marks the connection failed on a
 * command error or a read that differs from the shadow. */
static void
retire_completed (struct connection *c)
{
  unsigned i;

  for (i = 0; i < MAX_IN_FLIGHT; i++) {
    struct command *cmd = &c->cmds[i];

    if (!cmd->in_use || !cmd->done)
      continue;
    if (cmd->err != 0) {
      fprintf (stderr, "connection %u: %s of %" PRIu32 " at %" PRIu64
               " failed: %s\n", c->index, cmd->is_write ? "write" : "read",
               cmd->count, cmd->offset, strerror (cmd->err));
      c->failed = true;
    }
    else if (!cmd->is_write &&
             memcmp (cmd->buf, shadow + cmd->offset, cmd->count) != 0) {
      fprintf (stderr, "connection %u: read of %" PRIu32 " at %" PRIu64
               " (%s) returned wrong data\n", c->index, cmd->count,
               cmd->offset, cmd->aligned ? "aligned" : "unaligned");
      c->failed = true;
    }
    if (cmd->is_write)
      c->writes++;
    else
      c->reads++;
    if (!cmd->aligned)
      c->unaligned++;
    c->bytes += cmd->count;
    cmd->in_use = false;
    c->in_flight--;
  }
}

/* Thread body: one connection's stress loop. */
static void *
run_connection (void *opaque)
{
  struct connection *c = opaque;
  struct nbd_handle *nbd = nbd_create ();

  /* Send unaligned requests as they are: the plugin must handle them even
   * though it advertises a 512-byte minimum block size. */
  if (nbd == NULL ||
      nbd_set_strict_mode (nbd,
                           nbd_get_strict_mode (nbd) & ~LIBNBD_STRICT_ALIGN)
      == -1 ||
      nbd_connect_unix (nbd, socket_path) == -1) {
    fprintf (stderr, "connection %u: %s\n", c->index, nbd_get_error ());
    c->failed = true;
    goto out;
  }
  while (!c->failed) {
    bool stopping = time_is_up ();
    unsigned tries;

    /* Top up: a few attempts, since a random range may collide. */
    for (tries = 0; !stopping && c->in_flight < MAX_IN_FLIGHT && tries < 8;
         tries++)
      if (issue_command (c, nbd) == -1)
        c->failed = true;
    retire_completed (c);
    if (stopping && c->in_flight == 0)
      break;
    if (c->in_flight > 0 && nbd_poll (nbd, -1) == -1) {
      fprintf (stderr, "connection %u: %s\n", c->index, nbd_get_error ());
      c->failed = true;
    }
    retire_completed (c);
  }
  if (!c->failed && nbd_flush (nbd, 0) == -1) {
    fprintf (stderr, "connection %u: flush: %s\n", c->index,
             nbd_get_error ());
    c->failed = true;
  }
  nbd_shutdown (nbd, 0);
 out:
  nbd_close (nbd);
  return NULL;
}

/* Read the whole file at path into a new buffer of *size bytes. */
static uint8_t *
read_file (const char *path, uint64_t *size)
{
  struct stat st;
  uint8_t *buf = NULL;
  uint64_t done = 0;
  int fd = open (path, O_RDONLY);

  if (fd == -1 || fstat (fd, &st) == -1)
    goto err;
  *size = st.st_size;
  buf = malloc (*size ? *size : 1);
  if (buf == NULL)
    goto err;
  while (done < *size) {
    ssize_t n = pread (fd, buf + done, *size - done, done);
    if (n <= 0)
      goto err;
    done += n;
  }
  close (fd);
  return buf;

 err:
  perror (path);
  free (buf);
  if (fd >= 0)
    close (fd);
  return NULL;
}

/* Print where two buffers first differ; true if they are equal. */
static bool
compare_image (const uint8_t *image, uint64_t size)
{
  uint64_t i;

  for (i = 0; i < size; i++) {
    if (image[i] != shadow[i]) {
      fprintf (stderr, "image differs from the shadow at byte %" PRIu64
               " (sector %" PRIu64 ")\n", i, i / SECTOR);
      return false;
    }
  }
  return true;
}

/* Parse the arguments, run the connections, compare the image. */
int
main (int argc, char *argv[])
{
  static struct connection conns[MAX_CONNECTIONS];
  unsigned nconns = 4, seconds, i;
  uint64_t seed, section, image_size, total_ops = 0;
  uint8_t *image;
  bool failed = false;

  if (argc < 4 || argc > 5) {
    fprintf (stderr, "usage: %s SOCKET IMAGE SECONDS [CONNECTIONS]\n",
             argv[0]);
    return 1;
  }
  socket_path = argv[1];
  seconds = atoi (argv[3]);
  if (argc == 5)
    nconns = atoi (argv[4]);
  if (nconns < 1 || nconns > MAX_CONNECTIONS || seconds < 1) {
    fprintf (stderr, "%s: bad SECONDS or CONNECTIONS\n", argv[0]);
    return 1;
  }
  shadow = read_file (argv[2], &disk_size);
  if (shadow == NULL)
    return 1;
  section = disk_size / nconns;
  if (section < 2 * EDGE_ZONE + MAX_REQUEST + 2 * SECTOR) {
    fprintf (stderr, "%s: image too small\n", argv[0]);
    return 1;
  }

  seed = getenv ("SEED") ? strtoull (getenv ("SEED"), NULL, 0)
    : (uint64_t) time (NULL) * 2654435761u + getpid ();
  printf ("seed %" PRIu64 ", %u connections, %u s, %" PRIu64 " bytes\n",
          seed, nconns, seconds, disk_size);
  fflush (stdout);

  clock_gettime (CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += seconds;
  for (i = 0; i < nconns; i++) {
    struct connection *c = &conns[i];
    unsigned j;

    c->index = i;
    /* Boundaries half-way through a sector. */
    c->lo = i == 0 ? 0 : i * section + SECTOR / 2;
    c->hi = i == nconns - 1 ? disk_size : (i + 1) * section + SECTOR / 2;
    c->rng = seed + i * 0x9E3779B97F4A7C15ull;
    if (c->rng == 0)
      c->rng = 1;
    for (j = 0; j < MAX_IN_FLIGHT; j++) {
      c->cmds[j].buf = malloc (MAX_REQUEST);
      if (c->cmds[j].buf == NULL) {
        perror ("malloc");
        return 1;
      }
    }
    if (pthread_create (&c->thread, NULL, run_connection, c) != 0) {
      perror ("pthread_create");
      return 1;
    }
  }
  for (i = 0; i < nconns; i++) {
    struct connection *c = &conns[i];

    pthread_join (c->thread, NULL);
    printf ("connection %u: %" PRIu64 " reads, %" PRIu64 " writes, %" PRIu64
            " unaligned, %" PRIu64 " bytes%s\n", i, c->reads, c->writes,
            c->unaligned, c->bytes, c->failed ? ", FAILED" : "");
    total_ops += c->reads + c->writes;
    failed |= c->failed;
  }

  image = read_file (argv[2], &image_size);
  if (image == NULL)
    return 1;
  if (image_size != disk_size) {
    fprintf (stderr, "image size changed: %" PRIu64 "\n", image_size);
    failed = true;
  }
  else if (!compare_image (image, disk_size))
    failed = true;
  if (total_ops == 0) {
    fprintf (stderr, "no command completed\n");
    failed = true;
  }
  printf ("%s: %" PRIu64 " commands\n", failed ? "FAIL" : "ok", total_ops);
  return failed ? 1 : 0;
}
