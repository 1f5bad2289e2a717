/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: the statistics file (see stats.h; its format is
 * stats-format.c's).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "libaoe.h"
#include "config.h"
#include "exports.h"
#include "stats-format.h"
#include "stats.h"

/* Seconds between two rewrites of the file. */
#define PERIOD_S 1

/* The publishing thread (valid while running is true). */
static pthread_t thread;

/* The thread was started and not yet joined. */
static bool running;

/* Guards stopping; the thread waits on wake between rewrites. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Signalled to stop the thread at once. */
static pthread_cond_t wake;

/* Set (under lock) to make the thread end. */
static bool stopping;

/* Monotonic time in seconds. */
static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The sample being built by add_export. */
struct building {
  struct aoe_statsfile file;  /* its exports array holds ntable entries */
  size_t cap;                 /* entries allocated */
  bool out_of_memory;         /* an entry could not be added */
};

/* Take export e's figures into the sample b (opaque), with the
 * throughput since its previous sample. */
static void
add_export (struct aoeplug_export *e, void *opaque)
{
  struct building *b = opaque;
  struct aoe_statsfile_export *x;
  uint64_t moved;
  double at;

  if (b->file.nexports == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8;
    x = realloc (b->file.exports, cap * sizeof *x);
    if (x == NULL) {
      b->out_of_memory = true;
      return;
    }
    b->file.exports = x;
    b->cap = cap;
  }
  x = &b->file.exports[b->file.nexports++];
  memset (x, 0, sizeof *x);
  snprintf (x->name, sizeof x->name, "%s", e->name);
  x->present = e->present;
  x->info.size = e->found.size;
  snprintf (x->info.model, sizeof x->info.model, "%s", e->found.model);
  snprintf (x->info.serial, sizeof x->info.serial, "%s", e->found.serial);
  /* Busy: its handle is connecting (which may take discover-timeout),
   * so it has no figures yet; waiting would hold the table meanwhile. */
  if (pthread_mutex_trylock (&e->lock) != 0)
    return;
  if (e->aoe && aoe_get_stats (e->aoe, &x->stats, sizeof x->stats) == 0) {
    x->open = 1;
    x->info = e->info;
    at = b->file.monotonic_s;
    moved = x->stats.bytes_read + x->stats.bytes_written;
    if (e->published_at > 0 && at > e->published_at)
      x->throughput = (double) (moved - e->published_bytes)
        / (at - e->published_at);
    e->published_bytes = moved;
    e->published_at = at;
  }
  pthread_mutex_unlock (&e->lock);
}

/* Write the whole text to PATH.tmp, then rename it over PATH.  0, or -1
 * with errno. */
static int
write_atomically (const char *path, const char *text, size_t len)
{
  char tmp[4096];
  int fd, saved;
  ssize_t n;

  if ((size_t) snprintf (tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1)
    return -1;
  for (; len > 0; len -= (size_t) n, text += n) {
    n = write (fd, text, len);
    if (n == -1 && errno == EINTR) {
      n = 0;
      continue;
    }
    if (n == -1)
      goto fail;
  }
  if (close (fd) == -1) {
    fd = -1;
    goto fail;
  }
  if (rename (tmp, path) == -1) {
    fd = -1;
    goto fail;
  }
  return 0;
 fail:
  saved = errno;
  if (fd != -1)
    close (fd);
  unlink (tmp);
  errno = saved;
  return -1;
}

/* Build one sample of every export and publish it.  0, or -1 with
 * errno. */
static int
publish (void)
{
  struct building b = { .file = { .pid = (long) getpid (),
                                  .monotonic_s = now_s (),
                                  .period_s = PERIOD_S } };
  char *text;
  size_t len;
  int r = -1;

  aoeplug_exports_foreach (add_export, &b);
  if (b.out_of_memory) {
    errno = ENOMEM;
    goto out;
  }
  text = aoe_statsfile_format (&b.file, &len);
  if (text == NULL)
    goto out;
  r = write_atomically (aoeplug_config.stats, text, len);
  free (text);
 out:
  free (b.file.exports);
  return r;
}

/* .get_ready: one sample written now, so that errors reach the terminal. */
int
aoeplug_stats_prepare (void)
{
  if (aoeplug_config.stats == NULL)
    return 0;
  if (publish () == -1) {
    nbdkit_error ("stats=%s: cannot write the statistics file: %m",
                  aoeplug_config.stats);
    return -1;
  }
  return 0;
}

/* The publishing thread: a sample every PERIOD_S seconds until
 * stopping.  A failed rewrite is logged once, and tried again. */
static void *
publisher (void *arg)
{
  struct timespec deadline;
  bool warned = false;

  clock_gettime (CLOCK_MONOTONIC, &deadline);
  pthread_mutex_lock (&lock);
  while (!stopping) {
    deadline.tv_sec += PERIOD_S;
    while (!stopping
           && pthread_cond_timedwait (&wake, &lock, &deadline) != ETIMEDOUT)
      ;
    if (stopping)
      break;
    pthread_mutex_unlock (&lock);
    if (publish () == -1 && !warned) {
      nbdkit_error ("stats=%s: cannot write the statistics file: %m",
                    aoeplug_config.stats);
      warned = true;
    }
    else
      warned = false;
    pthread_mutex_lock (&lock);
  }
  pthread_mutex_unlock (&lock);
  return NULL;
}

/* .after_fork: the publishing thread, on a monotonic condition variable. */
int
aoeplug_stats_start (void)
{
  pthread_condattr_t attr;
  int err;

  if (aoeplug_config.stats == NULL)
    return 0;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&wake, &attr);
  pthread_condattr_destroy (&attr);
  err = pthread_create (&thread, NULL, publisher, NULL);
  if (err) {
    nbdkit_error ("stats=%s: cannot start the publishing thread: %s",
                  aoeplug_config.stats, strerror (err));
    return -1;
  }
  running = true;
  return 0;
}

/* .cleanup: stop and join the thread, remove the file. */
void
aoeplug_stats_stop (void)
{
  if (aoeplug_config.stats == NULL)
    return;
  if (running) {
    pthread_mutex_lock (&lock);
    stopping = true;
    pthread_cond_signal (&wake);
    pthread_mutex_unlock (&lock);
    pthread_join (thread, NULL);
    running = false;
  }
  /* A file left behind would show a server that is gone. */
  unlink (aoeplug_config.stats);
}
