/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Blocking I/O on top of the aio calls.
 *
 * Each call keeps a waiter on its own stack: with the private I/O thread
 * it sleeps on a condition variable until the completion callback (on
 * the I/O thread) wakes it, so any number of threads may block at once;
 * with aoe_set_loop it drives the caller's loop until the command
 * retires.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* One blocking call waiting for its command. */
struct waiter {
  pthread_mutex_t lock;   /* protects done and err */
  pthread_cond_t cond;    /* signalled when done becomes true */
  bool done;              /* the command has retired */
  int err;                /* its result */
};

/* Completion callback of a blocking call's command. */
static void
wake_waiter (void *opaque, int err)
{
  struct waiter *w = opaque;

  pthread_mutex_lock (&w->lock);
  w->err = err;
  w->done = true;
  pthread_cond_signal (&w->cond);
  pthread_mutex_unlock (&w->lock);
}

/* What a failed command means, for the error message. */
static const char *
explain (int err)
{
  switch (err) {
  case EIO: return "I/O error (no answer in time, or the target reported an error)";
  case EPERM: return "the target refused the write (read-only export?)";
  case ENOSPC: return "beyond the end of the target";
  case EACCES: return "the target is reserved by another initiator";
  case EINVAL: return "the target rejected an argument";
  case ESHUTDOWN: return "the handle was closed";
  default: return strerror (err);
  }
}

/* A short name of op, for the error message. */
static const char *
op_name (enum aoe_op op)
{
  switch (op) {
  case AOE_OP_READ: return "read";
  case AOE_OP_WRITE: return "write";
  case AOE_OP_FLUSH: return "flush";
  case AOE_OP_CONTROL: return "control";
  }
  return "command";
}

/* Wait until w is done (thread mode). */
static void
wait_on_thread (struct waiter *w)
{
  pthread_mutex_lock (&w->lock);
  while (!w->done)
    pthread_cond_wait (&w->cond, &w->lock);
  pthread_mutex_unlock (&w->lock);
}

/* Submit op and block until it completes.  0, or -1 with the error set. */
static int
run_blocking (struct aoe_handle *h, enum aoe_op op, void *buf, size_t count,
              uint64_t offset)
{
  struct waiter w = { .done = false, .err = 0 };
  aoe_completion completion = { .callback = wake_waiter, .user_data = &w };
  struct ev_loop *loop;
  int64_t cookie;

  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  loop = h->user_loop;
  if (loop && ev_depth (loop) > 0) {
    aoe_internal_set_error (EINVAL,
                            "blocking call while the handle's libev loop is "
                            "running (from a callback?): use the aio calls");
    return -1;
  }
  pthread_mutex_init (&w.lock, NULL);
  pthread_cond_init (&w.cond, NULL);
  cookie = aoe_internal_aio_submit (h, op, buf, count, offset, completion);
  if (cookie >= 0) {
    if (loop)
      aoe_internal_io_run_until (h->io, &w.done);
    else
      wait_on_thread (&w);
  }
  pthread_cond_destroy (&w.cond);
  pthread_mutex_destroy (&w.lock);
  if (cookie == -1)
    return -1;
  if (w.err) {
    if (op == AOE_OP_FLUSH)
      aoe_internal_set_error (w.err, "flush failed: %s", explain (w.err));
    else
      aoe_internal_set_error (w.err, "%s of %zu bytes at offset %llu "
                              "failed: %s", op_name (op), count,
                              (unsigned long long) offset, explain (w.err));
    return -1;
  }
  return 0;
}

int
aoe_pread (aoe_handle *h, void *buf, size_t count, uint64_t offset)
{
  aoe_api_enter ();
  return run_blocking (h, AOE_OP_READ, buf, count, offset);
}

int
aoe_pwrite (aoe_handle *h, const void *buf, size_t count, uint64_t offset)
{
  aoe_api_enter ();
  return run_blocking (h, AOE_OP_WRITE, (void *) buf, count, offset);
}

int
aoe_flush (aoe_handle *h)
{
  aoe_api_enter ();
  return run_blocking (h, AOE_OP_FLUSH, NULL, 0, 0);
}
