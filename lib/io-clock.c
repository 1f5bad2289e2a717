/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The I/O session's clock (io-clock.h has the contract): loop time turned
 * into the engine's monotonic microseconds, with a real reading only to
 * calibrate.
 */
#include "io-clock.h"

/* t, or the latest time returned if that is later; remembered. */
static uint64_t
never_backwards (struct aoe_io_clock *c, uint64_t t)
{
  if (t < c->last_us)
    t = c->last_us;
  c->last_us = t;
  return t;
}

uint64_t
aoe_io_clock_read_now (struct aoe_io_clock *c, aoe_io_clock_reader read_clock)
{
  return never_backwards (c, read_clock ());
}

uint64_t
aoe_io_clock_loop_now (struct aoe_io_clock *c, double loop_now_s,
                       aoe_io_clock_reader read_clock)
{
  double elapsed_s = loop_now_s - c->base_loop_s;

  if (!c->calibrated || elapsed_s < 0 || elapsed_s > AOE_IO_CLOCK_RESYNC_S) {
    c->base_us = read_clock ();
    c->base_loop_s = loop_now_s;
    c->calibrated = true;
    return never_backwards (c, c->base_us);
  }
  return never_backwards (c, c->base_us + (uint64_t) (elapsed_s * 1e6));
}
