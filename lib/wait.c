/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Waiting for a command: the one mechanism behind every call of libaoe
 * that blocks until a command of its own has retired (the blocking I/O
 * and administration calls, connect's and discovery's control queries).
 *
 * A struct aoe_waiter receives the command's end: its complete function
 * keeps the result and defers the wake-up past the engine lock, like an
 * aio callback.  Who drives the session's loop decides how the caller
 * waits: the calling thread itself (a temporary loop of libaoe's own,
 * or the handle's libev loop) runs the loop until the waiter is done;
 * with the private I/O thread driving it, the caller sleeps on the
 * waiter's condition variable until the I/O thread wakes it.
 */
#include <errno.h>

#include "internal.h"

/* complete() of a waited command (engine lock held): keep the result;
 * the wake-up runs once the lock is released. */
static void
waiter_complete (struct aoe_command *cmd, int err)
{
  struct aoe_waiter *w = cmd->user;

  w->err = err;
  aoe_io_defer (w->io, &w->retired);
}

/* The deferred completion of a waited command (no lock held, on the
 * thread that drives the loop): mark the waiter done, waking it if it
 * sleeps.  The waiter may return (and its memory go) as soon as it sees
 * done, so nothing touches w afterwards; and a blocking call woken by
 * aoe_close returns without touching the handle, so its count is let
 * go here, first. */
static void
waiter_wake (struct aoe_deferred *d)
{
  struct aoe_waiter *w = aoe_container_of (d, struct aoe_waiter, retired);

  if (w->in_flight)
    atomic_fetch_sub (w->in_flight, 1);
  if (!w->sleeping) {
    w->done = true;   /* read by this same thread between loop runs */
    return;
  }
  pthread_mutex_lock (&w->lock);
  w->done = true;
  pthread_cond_signal (&w->cond);
  pthread_mutex_unlock (&w->lock);
}

void
aoe_internal_waiter_init (struct aoe_waiter *w, struct aoe_command *cmd)
{
  w->cmd = cmd;
  w->io = NULL;
  w->in_flight = NULL;
  w->retired.run = waiter_wake;
  w->sleeping = false;
  w->done = false;
  w->err = 0;
  cmd->complete = waiter_complete;
  cmd->user = w;
}

int
aoe_internal_waiter_submit (struct aoe_io *io, struct aoe_waiter *w)
{
  int err;

  w->io = io;
  if (w->in_flight)
    atomic_fetch_add (w->in_flight, 1);
  err = aoe_io_submit (io, w->cmd);
  if (err) {
    if (w->in_flight)
      atomic_fetch_sub (w->in_flight, 1);
    w->err = err;
    w->done = true;
  }
  return err;
}

int
aoe_internal_wait_on_loop (struct aoe_io *io, struct aoe_waiter *w)
{
  if (aoe_internal_waiter_submit (io, w) == 0)
    aoe_io_run_until (io, &w->done);
  return w->err;
}

int
aoe_internal_on_temporary_loop (struct aoe_io *io,
                                int (*body) (struct aoe_io *io,
                                             void *opaque),
                                void *opaque)
{
  struct ev_loop *loop = aoe_internal_loop_new ();
  int r, saved;

  if (loop == NULL)
    return -1;
  aoe_io_attach (io, loop);
  r = body (io, opaque);
  saved = errno;   /* body's error, if it failed */
  aoe_io_detach (io);
  ev_loop_destroy (loop);
  errno = saved;
  return r;
}

/* Queue w's command on io and sleep until the private I/O thread, which
 * drives io's loop, has retired it; any number of threads may sleep at
 * once, each on its own waiter.  The result, also left in w->err. */
static int
wait_on_thread (struct aoe_io *io, struct aoe_waiter *w)
{
  w->sleeping = true;
  pthread_mutex_init (&w->lock, NULL);
  pthread_cond_init (&w->cond, NULL);
  if (aoe_internal_waiter_submit (io, w) == 0) {
    pthread_mutex_lock (&w->lock);
    while (!w->done)
      pthread_cond_wait (&w->cond, &w->lock);
    pthread_mutex_unlock (&w->lock);
  }
  pthread_cond_destroy (&w->cond);
  pthread_mutex_destroy (&w->lock);
  return w->err;
}

/* The body of a temporary loop that runs one waiter's command (opaque).
 * Its result stays in the waiter. */
static int
wait_on_temporary_loop (struct aoe_io *io, void *opaque)
{
  aoe_internal_wait_on_loop (io, opaque);
  return 0;
}

int
aoe_internal_check_blocking (struct aoe_handle *h, enum aoe_wait_kind kind)
{
  if (h->user_loop == NULL || ev_depth (h->user_loop) == 0)
    return 0;
  set_error (EINVAL, "blocking call while the handle's libev loop is running "
             "(from a callback?)%s",
             kind == AOE_WAIT_IO ? ": use the aio calls" : "");
  return -1;
}

int
aoe_internal_wait_on_handle (struct aoe_handle *h, struct aoe_waiter *w,
                             enum aoe_wait_kind kind)
{
  int r;

  if (aoe_internal_check_blocking (h, kind) == -1)
    return -1;
  if (h->user_loop) {
    aoe_internal_wait_on_loop (h->io, w);
    return 0;
  }
  if (kind == AOE_WAIT_ADMIN) {
    pthread_mutex_lock (&h->lock);
    if (!atomic_load (&h->thread_running)) {
      /* Holding h->lock keeps an I/O thread from starting meanwhile. */
      r = aoe_internal_on_temporary_loop (h->io, wait_on_temporary_loop, w);
      pthread_mutex_unlock (&h->lock);
      return r;
    }
    pthread_mutex_unlock (&h->lock);
  }
  /* Starts the thread, or a new one in a forked child (thread.c). */
  if (aoe_internal_thread_ensure (h) == -1)
    return -1;
  wait_on_thread (h->io, w);
  return 0;
}
