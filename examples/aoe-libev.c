/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-libev: copy a whole AoE disk to a file with asynchronous reads on
 * the program's own libev loop (no thread inside libaoe).
 *
 *   aoe-libev IFACE SHELF SLOT OUTPUT
 *
 * Keeps REQUESTS reads of CHUNK bytes in flight.  Each completion
 * callback writes its data to OUTPUT at the same offset and submits the
 * next read from inside the callback.  Needs CAP_NET_RAW.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <libaoe.h>

#define REQUESTS 16          /* reads in flight */
#define CHUNK (256 * 1024)   /* bytes per read */

struct copy;

/* One read in flight and its buffer. */
struct request {
  struct copy *copy;         /* the copy it belongs to */
  uint64_t offset;           /* where it reads */
  size_t length;             /* how much */
  unsigned char *buf;        /* CHUNK bytes */
};

/* The whole copy. */
struct copy {
  aoe_handle *h;             /* the AoE connection */
  struct ev_loop *loop;      /* our loop, shared with libaoe */
  int fd;                    /* the output file */
  uint64_t size;             /* bytes to copy */
  uint64_t next_offset;      /* first byte not yet requested */
  uint64_t copied;           /* bytes written to the output */
  unsigned active;           /* reads in flight */
  int failed;                /* set on the first error */
  struct request requests[REQUESTS]; /* the reads */
};

static void start_read (struct request *r);

/* Stop the copy after an error. */
static void
fail (struct copy *c, const char *message)
{
  fprintf (stderr, "aoe-libev: %s\n", message);
  c->failed = 1;
  ev_break (c->loop, EVBREAK_ALL);
}

/* A read completed (runs from the loop): write it out, start the next. */
static void
read_done (void *opaque, int err)
{
  struct request *r = opaque;
  struct copy *c = r->copy;

  c->active--;
  if (c->failed)
    return;
  if (err) {
    fail (c, strerror (err));
    return;
  }
  if (pwrite (c->fd, r->buf, r->length, (off_t) r->offset)
      != (ssize_t) r->length) {
    fail (c, "write to the output failed");
    return;
  }
  c->copied += r->length;
  start_read (r);
  if (c->active == 0)
    ev_break (c->loop, EVBREAK_ALL);    /* everything copied */
}

/* Submit the next piece of the disk on request r, if any is left. */
static void
start_read (struct request *r)
{
  struct copy *c = r->copy;
  aoe_completion done = { .callback = read_done, .user_data = r };

  if (c->next_offset >= c->size)
    return;
  r->offset = c->next_offset;
  r->length = c->size - r->offset < CHUNK ? c->size - r->offset : CHUNK;
  if (aoe_aio_pread (c->h, r->buf, r->length, r->offset, done) == -1) {
    fail (c, aoe_get_error ());
    return;
  }
  c->next_offset += r->length;
  c->active++;
}

/* Connect h to IFACE SHELF.SLOT on loop.  0 or -1. */
static int
connect_target (aoe_handle *h, struct ev_loop *loop, char **argv)
{
  char *end1, *end2;
  unsigned long shelf = strtoul (argv[2], &end1, 10);
  unsigned long slot = strtoul (argv[3], &end2, 10);

  if (*argv[2] == '\0' || *end1 != '\0' || shelf > 65534
      || *argv[3] == '\0' || *end2 != '\0' || slot > 254) {
    fprintf (stderr, "aoe-libev: shelf must be a number 0-65534 and slot "
             "0-254\n");
    return -1;
  }
  if (aoe_add_interface (h, argv[1]) == -1
      || aoe_set_target (h, shelf, slot) == -1
      || aoe_set_loop (h, loop) == -1
      || aoe_connect (h) == -1) {
    fprintf (stderr, "aoe-libev: %s\n", aoe_get_error ());
    return -1;
  }
  return 0;
}

int
main (int argc, char *argv[])
{
  struct copy c = { .fd = -1 };
  ev_tstamp start;
  int64_t size;
  unsigned i;
  int status = EXIT_FAILURE;

  if (argc != 5) {
    fprintf (stderr, "usage: aoe-libev IFACE SHELF SLOT OUTPUT\n");
    return EXIT_FAILURE;
  }
  c.loop = EV_DEFAULT;
  c.h = aoe_create ();
  if (c.h == NULL) {
    fprintf (stderr, "aoe-libev: %s\n", aoe_get_error ());
    return EXIT_FAILURE;
  }
  if (connect_target (c.h, c.loop, argv) == -1)
    goto out;
  size = aoe_get_size (c.h);
  c.size = (uint64_t) size;
  c.fd = open (argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (c.fd == -1 || ftruncate (c.fd, (off_t) c.size) == -1) {
    fprintf (stderr, "aoe-libev: %s: %s\n", argv[4], strerror (errno));
    goto out;
  }

  start = ev_time ();
  for (i = 0; i < REQUESTS; ++i) {
    c.requests[i].copy = &c;
    c.requests[i].buf = malloc (CHUNK);
    if (c.requests[i].buf == NULL) {
      fprintf (stderr, "aoe-libev: out of memory\n");
      goto out;
    }
  }
  for (i = 0; i < REQUESTS && !c.failed; ++i)
    start_read (&c.requests[i]);
  if (c.active > 0)
    ev_run (c.loop, 0);
  if (c.failed || c.copied != c.size)
    goto out;
  printf ("copied %llu bytes in %.2f s\n", (unsigned long long) c.copied,
          ev_time () - start);
  status = EXIT_SUCCESS;

 out:
  aoe_close (c.h);      /* fails whatever is still in flight */
  for (i = 0; i < REQUESTS; ++i)
    free (c.requests[i].buf);
  if (c.fd >= 0)
    close (c.fd);
  return status;
}
