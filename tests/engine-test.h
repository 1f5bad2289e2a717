/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Shared includes and assertions of the engine unit tests
 * (tests/test-engine-*.c): cmocka plus checks on harness commands.
 */
#ifndef AOE_ENGINE_TEST_H
#define AOE_ENGINE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "engine-harness.h"

#define MS 1000ULL          /* simulated microseconds per millisecond */
#define SEC 1000000ULL      /* ... per second */

/* The command was accepted and completed exactly once with err. */
#define assert_done_once(hc, expected_err)                   \
  do {                                                       \
    assert_int_equal ((hc)->submit_err, 0);                  \
    assert_int_equal ((hc)->completions, 1);                 \
    assert_int_equal ((hc)->err, (expected_err));            \
  } while (0)

/* The read completed once, successfully, with the (sector, seed)
 * pattern in its buffer. */
#define assert_read_pattern(hc, seed)                                   \
  do {                                                                  \
    assert_done_once ((hc), 0);                                         \
    assert_true (harness_pattern_ok ((hc)->data, (hc)->cmd.sector,      \
                                     (hc)->cmd.count, (seed)));         \
  } while (0)

/* A harness with the default vblade-like target, connected. */
static inline struct harness *
default_harness (void)
{
  struct harness_config c;

  harness_default_config (&c);
  return harness_new (&c);
}

/* A connected default harness with a second, verified port: a twin
 * target MAC answering for the same shelf.slot (harness_add_twin). */
static inline struct harness *
twin_harness (struct fake_target **twin)
{
  struct harness_config c;
  struct harness *h;

  harness_default_config (&c);
  h = harness_new (&c);
  *twin = harness_add_twin (h, &c);
  return h;
}

#endif /* AOE_ENGINE_TEST_H */
