/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Blocking I/O: one command per call, waited for in the handle's mode
 * (wait.c).
 *
 * Each call keeps its command and waiter on its own stack: with the
 * private I/O thread it sleeps until the I/O thread retires the command,
 * so any number of threads may block at once; with aoe_set_loop it
 * drives the caller's loop until the command retires.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

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

/* Submit op and block until it completes.  0, or -1 with the error set. */
static int
run_blocking (struct aoe_handle *h, enum aoe_op op, void *buf, size_t count,
              uint64_t offset)
{
  struct aoe_command cmd;
  struct aoe_waiter w;

  /* From the loop's callbacks the call is refused before its arguments
   * are looked at: the call itself is the mistake. */
  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1
      || aoe_internal_check_blocking (h, AOE_WAIT_IO) == -1
      || aoe_io_command_init (h, &cmd, op, buf, count, offset) == -1)
    return -1;
  aoe_internal_waiter_init (&w, &cmd);
  w.in_flight = &h->in_flight;   /* aoe_aio_in_flight counts it too */
  if (aoe_internal_wait_on_handle (h, &w, AOE_WAIT_IO) == -1)
    return -1;
  /* Woken by aoe_close (ESHUTDOWN), h may be gone: only w is used now. */
  if (w.err) {
    if (op == AOE_OP_FLUSH)
      set_error (w.err, "flush failed: %s", explain (w.err));
    else
      set_error (w.err, "%s of %zu bytes at offset %llu "
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
