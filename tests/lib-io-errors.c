/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-io-errors: the error paths of I/O against a live, then a dead
 * target.
 *
 *   lib-io-errors IFACE SHELF SLOT FIFO
 *
 * Phase 1 (target alive): wrong-state and bad-argument errors, aio
 * callbacks that submit more aio, aoe_close with commands in flight.
 * Then it prints "ready", and waits until a line can be read from FIFO:
 * the caller stops the target meanwhile.  Phase 2 (target gone): a read
 * fails with EIO after the command timeout; a command with no timeout
 * fails with ESHUTDOWN when the handle is closed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Passes NULL on purpose: the library's own checks are tested. */
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#include "lib-common.h"

/* Reads submitted by the close-with-pending test. */
#define PENDING 64
#define PENDING_BYTES (1 << 20)

/* Reads chained from completion callbacks. */
#define CHAIN 200

/* Completion record of one aio command. */
struct outcome {
  pthread_mutex_t *lock;   /* protects the fields below */
  pthread_cond_t *cond;    /* signalled on each completion */
  int calls;               /* how many times the callback ran */
  int err;                 /* the last err */
  aoe_handle *resubmit_on; /* if set: try another read from the callback */
  int resubmit_errno;      /* its errno (0: it was queued) */
};

/* Callback: record err (and, if asked, what a new submission did). */
static void
record (void *opaque, int err)
{
  struct outcome *o = opaque;
  static uint8_t buf[512];
  aoe_completion none = { NULL, NULL };
  int resubmit_errno = 0;

  if (o->resubmit_on
      && aoe_aio_pread (o->resubmit_on, buf, sizeof buf, 0, none) == -1)
    resubmit_errno = aoe_get_errno ();
  pthread_mutex_lock (o->lock);
  o->calls++;
  o->err = err;
  o->resubmit_errno = resubmit_errno;
  pthread_cond_broadcast (o->cond);
  pthread_mutex_unlock (o->lock);
}

/* Wrong state and bad arguments on a connected handle. */
static void
check_argument_errors (aoe_handle *h, uint64_t size)
{
  static uint8_t buf[4096];
  aoe_completion none = { NULL, NULL };

  EXPECT_FAIL (aoe_add_interface (h, "lo"), EINVAL, "already connected");
  EXPECT_FAIL (aoe_set_target (h, 0, 2), EINVAL, "already connected");
  EXPECT_FAIL (aoe_set_loop (h, NULL), EINVAL, "already connected");
  EXPECT_FAIL (aoe_connect (h), EINVAL, "already connected");
  EXPECT_FAIL (aoe_pread (h, NULL, 512, 0), EINVAL, "NULL");
  EXPECT_FAIL (aoe_pread (h, buf, 512, 1), EINVAL, "multiples of 512");
  EXPECT_FAIL (aoe_pwrite (h, buf, 100, 0), EINVAL, "multiples of 512");
  EXPECT_FAIL (aoe_pread (h, buf, (32u << 20) + 512, 0), EINVAL, "32 MiB");
  EXPECT_FAIL (aoe_pread (h, buf, 512, size), ENOSPC, "capacity");
  EXPECT_FAIL (aoe_pwrite (h, buf, 1024, size - 512), ENOSPC, "capacity");
  EXPECT_FAIL (aoe_aio_pread (h, buf, 0, 0, none), EINVAL, "count is 0");
  /* The same checks on every entry point, and no wrap-around. */
  EXPECT_FAIL (aoe_pwrite (h, NULL, 512, 0), EINVAL, "NULL");
  EXPECT_FAIL (aoe_aio_pwrite (h, NULL, 512, 0, none), EINVAL, "NULL");
  EXPECT_FAIL (aoe_aio_pread (h, buf, 512, 100, none), EINVAL,
               "multiples of 512");
  EXPECT_FAIL (aoe_aio_pwrite (h, buf, 513, 0, none), EINVAL,
               "multiples of 512");
  EXPECT_FAIL (aoe_aio_pwrite (h, buf, (32u << 20) + 512, 0, none), EINVAL,
               "32 MiB");
  EXPECT_FAIL (aoe_aio_pread (h, buf, 512, size, none), ENOSPC, "capacity");
  EXPECT_FAIL (aoe_pread (h, buf, 1024, UINT64_MAX - 511), ENOSPC,
               "capacity");
  EXPECT_FAIL (aoe_pread (h, buf, 0, 0), EINVAL, "count is 0");
  if (aoe_pread (h, buf, 512, size - 512) == -1)
    lib_die_aoe ("aoe_pread of the last sector");
  if (aoe_flush (h) == -1)
    lib_die_aoe ("aoe_flush");
  if (aoe_set_timeout (h, 30000) == -1)
    lib_die_aoe ("aoe_set_timeout after connect");
}

/* State shared by the chained reads. */
struct chain {
  aoe_handle *h;           /* the handle */
  uint8_t buf[4096];       /* where each read goes */
  int left;                /* reads still to submit */
  int errors;              /* failures seen */
  struct outcome done;     /* completion of the whole chain */
};

/* Callback: submit the next read from inside the callback. */
static void
chain_next (void *opaque, int err)
{
  struct chain *c = opaque;
  aoe_completion next = { chain_next, c };

  if (err)
    c->errors++;
  if (--c->left > 0
      && aoe_aio_pread (c->h, c->buf, sizeof c->buf,
                        (uint64_t) c->left * 4096, next) != -1)
    return;
  record (&c->done, 0);
}

/* Callbacks may submit new aio commands. */
static void
check_chained_aio (aoe_handle *h, pthread_mutex_t *lock, pthread_cond_t *cond)
{
  struct chain c = { .h = h, .left = CHAIN,
                     .done = { .lock = lock, .cond = cond } };
  aoe_completion first = { chain_next, &c };

  if (aoe_aio_pread (h, c.buf, sizeof c.buf, 0, first) == -1)
    lib_die_aoe ("aoe_aio_pread");
  pthread_mutex_lock (lock);
  while (c.done.calls == 0)
    pthread_cond_wait (cond, lock);
  pthread_mutex_unlock (lock);
  if (c.errors || c.left != 0)
    lib_die ("chained reads: %d errors, %d left", c.errors, c.left);
  printf ("chained aio: ok (%d reads)\n", CHAIN);
}

/* aoe_close with reads in flight: every callback runs exactly once, with
 * success or ESHUTDOWN; a callback submitting a new read during the
 * teardown gets ESHUTDOWN (and does not deadlock the close). */
static void
check_close_pending (const char *iface, const char *shelf, const char *slot,
                     pthread_mutex_t *lock, pthread_cond_t *cond)
{
  aoe_handle *h = lib_connect (iface, shelf, slot);
  struct outcome outcomes[PENDING];
  uint8_t *buf = malloc ((size_t) PENDING * PENDING_BYTES);
  int i, ok = 0, shutdown = 0;

  if (buf == NULL)
    lib_die ("out of memory");
  for (i = 0; i < PENDING; ++i) {
    aoe_completion cb = { record, &outcomes[i] };

    outcomes[i] = (struct outcome) { .lock = lock, .cond = cond,
                                     .resubmit_on = h };
    if (aoe_aio_pread (h, buf + (size_t) i * PENDING_BYTES, PENDING_BYTES,
                       (uint64_t) i * PENDING_BYTES, cb) < 1)
      lib_die_aoe ("aoe_aio_pread");
  }
  aoe_close (h);
  for (i = 0; i < PENDING; ++i) {
    if (outcomes[i].calls != 1)
      lib_die ("read %d: callback ran %d times", i, outcomes[i].calls);
    if (outcomes[i].err == 0)
      ok++;
    else if (outcomes[i].err == ESHUTDOWN) {
      shutdown++;
      if (outcomes[i].resubmit_errno != ESHUTDOWN)
        lib_die ("read %d: submitting from the callback during close "
                 "gave errno %d", i, outcomes[i].resubmit_errno);
    }
    else
      lib_die ("read %d: err %d", i, outcomes[i].err);
  }
  if (shutdown == 0)
    lib_die ("no read was cut short by aoe_close");
  printf ("close with pending: ok (%d done, %d ESHUTDOWN)\n", ok, shutdown);
  free (buf);
}

/* The target is gone: timeouts, then close with a command pending. */
static void
check_dead_target (aoe_handle *h, pthread_mutex_t *lock, pthread_cond_t *cond)
{
  struct outcome outcome = { .lock = lock, .cond = cond };
  aoe_completion cb = { record, &outcome };
  static uint8_t buf[4096];
  struct aoe_stats st;
  uint64_t start, elapsed;

  if (aoe_set_timeout (h, 500) == -1)
    lib_die_aoe ("aoe_set_timeout");
  start = lib_now_ms ();
  EXPECT_FAIL (aoe_pread (h, buf, sizeof buf, 0), EIO, "no answer in time");
  elapsed = lib_now_ms () - start;
  if (elapsed < 450 || elapsed > 2500)
    lib_die ("the read failed after %llu ms, timeout 500 ms",
             (unsigned long long) elapsed);
  if (aoe_get_stats (h, &st, sizeof st) == -1)
    lib_die_aoe ("aoe_get_stats");
  if (st.timeouts < 1 || st.retransmits < 1)
    lib_die ("stats: %llu timeouts, %llu retransmits",
             (unsigned long long) st.timeouts,
             (unsigned long long) st.retransmits);

  /* No timeout: the read waits until the handle is closed. */
  if (aoe_set_timeout (h, 0) == -1)
    lib_die_aoe ("aoe_set_timeout 0");
  if (aoe_aio_pread (h, buf, sizeof buf, 0, cb) == -1)
    lib_die_aoe ("aoe_aio_pread");
  usleep (700 * 1000);
  if (outcome.calls != 0 || aoe_aio_in_flight (h) != 1)
    lib_die ("a read without timeout completed (%d calls, %u in flight)",
             outcome.calls, aoe_aio_in_flight (h));
  aoe_close (h);
  if (outcome.calls != 1 || outcome.err != ESHUTDOWN)
    lib_die ("after close: %d calls, err %d", outcome.calls, outcome.err);
  printf ("dead target: ok (EIO after %llu ms, ESHUTDOWN on close)\n",
          (unsigned long long) elapsed);
}

int
main (int argc, char *argv[])
{
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  char line[16];
  aoe_handle *h;
  FILE *fifo;

  if (argc != 5)
    lib_die ("usage: lib-io-errors IFACE SHELF SLOT FIFO");
  h = lib_connect (argv[1], argv[2], argv[3]);
  check_argument_errors (h, (uint64_t) aoe_get_size (h));
  check_chained_aio (h, &lock, &cond);
  check_close_pending (argv[1], argv[2], argv[3], &lock, &cond);

  printf ("ready\n");
  fflush (stdout);
  fifo = fopen (argv[4], "r");
  if (fifo == NULL || fgets (line, sizeof line, fifo) == NULL)
    lib_die ("%s: no go-ahead", argv[4]);
  fclose (fifo);

  check_dead_target (h, &lock, &cond);
  printf ("lib-io-errors: ok\n");
  return EXIT_SUCCESS;
}
