/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The private I/O thread: owns the engine when the caller gave no libev
 * loop.  Started lazily by the first I/O call (never by aoe_connect), so
 * a program may fork between connect and I/O; a child that inherited a
 * running thread's state (the thread itself does not survive fork) starts
 * a fresh one.  A fork is noticed by a counter that a pthread_atfork
 * child handler bumps, not by getpid: every I/O call checks, and getpid
 * is a system call.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Forks into this process image so far (counted in the child), so that
 * "has this process forked since the thread started?" costs a load. */
static atomic_uint forks_seen;

/* Registers count_fork once, before the first thread starts. */
static pthread_once_t fork_hook_once = PTHREAD_ONCE_INIT;

/* The atfork child handler. */
static void
count_fork (void)
{
  atomic_fetch_add (&forks_seen, 1);
}

/* Register count_fork (glibc drops it if libaoe is unloaded). */
static void
install_fork_hook (void)
{
  pthread_atfork (NULL, NULL, count_fork);
}

/* The thread: run the loop until aoe_close sends the stop async. */
static void *
io_thread (void *arg)
{
  struct aoe_handle *h = arg;

  ev_run (h->thread_loop, 0);
  return NULL;
}

/* A child of fork inherited the handle while its I/O thread ran in the
 * parent: forget the parent's loop (its epoll set is shared with the
 * parent, so it must not be touched) and start over.  h->lock held. */
static void
forget_parent_thread (struct aoe_handle *h)
{
  debug (h, AOE_DEBUG_EVENTS,
         "process forked after I/O started: new I/O thread");
  aoe_io_forget_loop (h->io);
  h->thread_loop = NULL;
  atomic_store (&h->thread_running, false);
}

/* Start the thread (h->lock held).  0, or -1 with the error set. */
static int
start_thread (struct aoe_handle *h)
{
  sigset_t all, old;
  struct ev_loop *loop;
  int err;

  pthread_once (&fork_hook_once, install_fork_hook);
  loop = aoe_internal_loop_new ();
  if (loop == NULL)
    return -1;
  h->thread_loop = loop;
  aoe_io_attach (h->io, loop);
  /* Signals belong to the application's threads, not to ours. */
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  err = pthread_create (&h->thread, NULL, io_thread, h);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (err) {
    aoe_io_detach (h->io);
    ev_loop_destroy (loop);
    h->thread_loop = NULL;
    set_error (err, "cannot start the I/O thread: %s", strerror (err));
    return -1;
  }
  aoe_io_allow_direct_submit (h->io);
  h->thread_forks = atomic_load (&forks_seen);
  atomic_store (&h->thread_running, true);
  debug (h, AOE_DEBUG_EVENTS, "I/O thread started");
  return 0;
}

int
aoe_internal_thread_ensure (struct aoe_handle *h)
{
  unsigned forks;
  int r = 0;

  if (h->user_loop)
    return 0;
  forks = atomic_load (&forks_seen);
  if (atomic_load (&h->thread_running) && h->thread_forks == forks)
    return 0;

  pthread_mutex_lock (&h->lock);
  if (atomic_load (&h->thread_running) && h->thread_forks != forks)
    forget_parent_thread (h);
  if (!atomic_load (&h->thread_running))
    r = start_thread (h);
  pthread_mutex_unlock (&h->lock);
  return r;
}

void
aoe_internal_thread_stop (struct aoe_handle *h)
{
  bool running, ours;

  /* The handle is closing, so nothing starts a thread any more.  The
   * lock is not held while joining: callbacks run by the thread's
   * teardown may call the handle (and get ESHUTDOWN). */
  pthread_mutex_lock (&h->lock);
  running = atomic_load (&h->thread_running);
  ours = running && h->thread_forks == atomic_load (&forks_seen);
  if (running && !ours)
    forget_parent_thread (h);
  pthread_mutex_unlock (&h->lock);
  if (!ours)
    return;

  ev_async_send (h->thread_loop, &h->io->stop_async);
  pthread_join (h->thread, NULL);
  pthread_mutex_lock (&h->lock);
  aoe_io_detach (h->io);
  ev_loop_destroy (h->thread_loop);
  h->thread_loop = NULL;
  atomic_store (&h->thread_running, false);
  pthread_mutex_unlock (&h->lock);
}
