/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The I/O session's clock: the engine's time (microseconds, monotonic)
 * for each event of the loop, mostly without reading a clock.
 *
 * libev reads the monotonic clock every time its loop wakes (and once
 * more before it sleeps), and every event of the I/O session needs the
 * time too.  Where clock_gettime is a system call (no vDSO clock: ARMv5
 * boards, machines on an HPET or ACPI PM timer, emulated ones) a reading
 * of our own on every wake-up is a measurable part of each frame's cost
 * (README, Performance).  So an event on libaoe's own loop takes the
 * loop's time: ev_now, which libev keeps as its monotonic reading plus
 * an offset to the wall clock.  That offset changes when libev
 * re-synchronises it with the wall clock (every half second or so), by
 * the wall clock's drift (microseconds) or by a step of it (any size):
 *
 *   - a calibration pairs a real reading of the monotonic clock with
 *     the loop time of the same moment; an event's time is that reading
 *     plus the loop time elapsed since;
 *   - the pair is renewed by a real reading when the loop time went
 *     backwards or more than AOE_IO_CLOCK_RESYNC_S forward since it was
 *     made, so a step of the wall clock costs at most that much error
 *     (a retransmission too early, never a command failed before its
 *     time), and drift never accumulates;
 *   - whatever it returns never runs backwards (the engine's clock
 *     must not): real readings by other threads (direct submission)
 *     and loop-derived times share one high-water mark.
 *
 * A loop the application owns (aoe_set_loop) may run callbacks of its
 * own for any time between libev's reading and ours, so the session
 * reads the real clock there (io.c); its own loops run only libaoe's.
 * Pure: the clock reader is passed in, so the tests drive it with a fake
 * one.  Every call is made with the session's engine_lock held.
 */
#ifndef LIBAOE_IO_CLOCK_H
#define LIBAOE_IO_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* How far the loop time may move past a calibration before the next
 * event reads the real clock again (seconds). */
#define AOE_IO_CLOCK_RESYNC_S 0.1

/* Reads the monotonic clock, in microseconds. */
typedef uint64_t (*aoe_io_clock_reader) (void);

/* The clock's state (zeroed: not calibrated). */
struct aoe_io_clock {
  bool calibrated;       /* base_us and base_loop_s are a pair */
  uint64_t base_us;      /* a real reading ... */
  double base_loop_s;    /* ... and the loop time of the same moment */
  uint64_t last_us;      /* the latest time returned (never decreases) */
};

/* The time of an event on a loop whose time is loop_now_s (ev_now):
 * derived from the calibration, or read (and calibrated) when the
 * calibration is missing or too old. */
uint64_t aoe_io_clock_loop_now (struct aoe_io_clock *c, double loop_now_s,
                                aoe_io_clock_reader read_clock);

/* The time from a real reading (an event on an application's loop, a
 * submission from another thread), kept from running backwards. */
uint64_t aoe_io_clock_read_now (struct aoe_io_clock *c,
                                aoe_io_clock_reader read_clock);

#endif /* LIBAOE_IO_CLOCK_H */
