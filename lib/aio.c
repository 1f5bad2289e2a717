/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Asynchronous I/O: argument checks (shared with the blocking calls of
 * sync.c), the request pool, cookies.
 *
 * Every aio call takes a struct aoe_request from the handle's free list
 * (allocating only while the pool warms up), queues its command for the
 * engine's thread and returns a cookie.  When the engine retires the
 * command, the loop runs the caller's callback and recycles the request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A recycled request, or a new one; NULL if memory runs out. */
static struct aoe_request *
request_get (struct aoe_handle *h)
{
  struct aoe_request *req;

  pthread_mutex_lock (&h->pool_lock);
  req = h->free_requests;
  if (req)
    h->free_requests = req->next;
  pthread_mutex_unlock (&h->pool_lock);
  if (req == NULL)
    req = malloc (sizeof *req);
  return req;
}

/* Return a request to the free list. */
static void
request_put (struct aoe_request *req)
{
  struct aoe_handle *h = req->h;

  pthread_mutex_lock (&h->pool_lock);
  req->next = h->free_requests;
  h->free_requests = req;
  pthread_mutex_unlock (&h->pool_lock);
}

void
aoe_internal_requests_free (struct aoe_handle *h)
{
  while (h->free_requests) {
    struct aoe_request *req = h->free_requests;

    h->free_requests = req->next;
    free (req);
  }
}

/* complete() of an aio command (engine thread, engine lock held): keep
 * the result; the callback runs once the lock is released. */
static void
request_complete (struct aoe_command *cmd, int err)
{
  struct aoe_request *req = cmd->user;

  req->err = err;
  aoe_io_defer (req->h->io, &req->retired);
}

/* The deferred completion of a retired request (no lock held): recycle
 * it, then run the caller's callback. */
static void
request_retire (struct aoe_deferred *d)
{
  struct aoe_request *req = aoe_container_of (d, struct aoe_request, retired);
  struct aoe_handle *h = req->h;
  aoe_completion completion = req->completion;
  int err = req->err;

  request_put (req);
  atomic_fetch_sub (&h->in_flight, 1);
  if (completion.callback)
    completion.callback (completion.user_data, err);
}

/* Check the buffer, offset and count of a read or write (h connected).
 * 0, or -1 with the error set. */
static int
check_range (struct aoe_handle *h, const void *buf, size_t count,
             uint64_t offset)
{
  if (buf == NULL) {
    set_error (EINVAL, "buffer is NULL");
    return -1;
  }
  if (count == 0) {
    set_error (EINVAL, "count is 0");
    return -1;
  }
  if (count % AOE_SECTOR_SIZE || offset % AOE_SECTOR_SIZE) {
    set_error (EINVAL, "offset %llu and count %zu must be multiples of %d",
               (unsigned long long) offset, count, AOE_SECTOR_SIZE);
    return -1;
  }
  if (count > AOE_MAX_CMD_BYTES) {
    set_error (EINVAL, "count %zu is larger than one command's limit of %u "
               "bytes (32 MiB)", count, AOE_MAX_CMD_BYTES);
    return -1;
  }
  if (offset > h->info.size || count > h->info.size - offset) {
    set_error (ENOSPC, "range %llu+%zu ends past the target's capacity of "
               "%llu bytes", (unsigned long long) offset, count,
               (unsigned long long) h->info.size);
    return -1;
  }
  return 0;
}

int
aoe_io_command_init (struct aoe_handle *h, struct aoe_command *cmd,
                     enum aoe_op op, void *buf, size_t count,
                     uint64_t offset)
{
  uint32_t timeout_ms;

  if (op == AOE_OP_FLUSH) {
    if (!h->info.can_flush) {
      set_error (ENOTSUP, "the target's IDENTIFY offers no FLUSH CACHE");
      return -1;
    }
  }
  else if (check_range (h, buf, count, offset) == -1)
    return -1;
  memset (cmd, 0, sizeof *cmd);
  timeout_ms = atomic_load (&h->timeout_ms);
  cmd->op = op;
  cmd->buf = buf;
  cmd->sector = offset / AOE_SECTOR_SIZE;
  cmd->count = (uint32_t) (count / AOE_SECTOR_SIZE);
  cmd->timeout_ms = timeout_ms ? timeout_ms : UINT32_MAX;
  return 0;
}

int64_t
aoe_internal_aio_submit (struct aoe_handle *h, enum aoe_op op, void *buf,
                         size_t count, uint64_t offset,
                         aoe_completion completion)
{
  struct aoe_command cmd;
  struct aoe_request *req;
  int err;

  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1
      || aoe_io_command_init (h, &cmd, op, buf, count, offset) == -1
      || aoe_internal_thread_ensure (h) == -1)
    return -1;

  req = request_get (h);
  if (req == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  req->cmd = cmd;
  req->cmd.complete = request_complete;
  req->cmd.user = req;
  req->h = h;
  req->completion = completion;
  req->err = 0;
  req->retired.run = request_retire;

  atomic_fetch_add (&h->in_flight, 1);
  err = aoe_io_submit (h->io, &req->cmd);
  if (err) {
    atomic_fetch_sub (&h->in_flight, 1);
    request_put (req);
    set_error (err, "%s",
               err == ESHUTDOWN ? "the handle is closing" : "out of memory");
    return -1;
  }
  return (int64_t) atomic_fetch_add (&h->next_cookie, 1) + 1;
}

int64_t
aoe_aio_pread (aoe_handle *h, void *buf, size_t count, uint64_t offset,
               aoe_completion cb)
{
  aoe_api_enter ();
  return aoe_internal_aio_submit (h, AOE_OP_READ, buf, count, offset, cb);
}

int64_t
aoe_aio_pwrite (aoe_handle *h, const void *buf, size_t count,
                uint64_t offset, aoe_completion cb)
{
  aoe_api_enter ();
  return aoe_internal_aio_submit (h, AOE_OP_WRITE, (void *) buf, count,
                                  offset, cb);
}

int64_t
aoe_aio_flush (aoe_handle *h, aoe_completion cb)
{
  aoe_api_enter ();
  return aoe_internal_aio_submit (h, AOE_OP_FLUSH, NULL, 0, 0, cb);
}
