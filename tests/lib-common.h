/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Helpers shared by the library integration test programs (lib-*.c):
 * fatal errors, argument parsing, connecting, random data, files, time.
 */
#ifndef AOE_TEST_LIB_COMMON_H
#define AOE_TEST_LIB_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <libaoe.h>

/* Print "PROGRAM: FAIL: message" and exit 1. */
void lib_die (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2), noreturn));

/* Die with what failed and libaoe's error message and errno. */
void lib_die_aoe (const char *what) __attribute__ ((noreturn));

/* Parse a decimal argument no larger than max, or die naming what. */
unsigned long lib_parse (const char *what, const char *text,
                         unsigned long max);

/* A handle on IFACE (several: "a,b") for SHELF.SLOT (argument strings),
 * not connected. */
aoe_handle *lib_handle (const char *iface, const char *shelf,
                        const char *slot);

/* lib_handle, then aoe_connect (die on failure). */
aoe_handle *lib_connect (const char *iface, const char *shelf,
                         const char *slot);

/* The capacity of connected h, after checking it equals image_size (the
 * file vblade serves); die otherwise. */
uint64_t lib_expect_size (aoe_handle *h, size_t image_size);

/* Fill buf with pseudo-random bytes from *state (xorshift64*). */
void lib_random_fill (void *buf, size_t len, uint64_t *state);

/* A pseudo-random number below bound from *state. */
uint64_t lib_random_below (uint64_t *state, uint64_t bound);

/* The whole file at path, its size in *size (die on failure). */
uint8_t *lib_read_file (const char *path, size_t *size);

/* Write len bytes to path, replacing it (die on failure). */
void lib_write_file (const char *path, const void *buf, size_t len);

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t lib_now_ms (void);

/* Check that the current thread's libaoe error is errnum with a message
 * containing want (NULL: any non-empty message); die otherwise. */
void lib_expect_error (const char *what, int errnum, const char *want);

/* Expect call to fail with errnum and a message containing want. */
#define EXPECT_FAIL(call, errnum, want)                         \
  do {                                                          \
    if ((call) != -1)                                           \
      lib_die ("%s succeeded", #call);                          \
    lib_expect_error (#call, (errnum), (want));                 \
  } while (0)

/* Expect call to succeed. */
#define EXPECT_OK(call)                                         \
  do {                                                          \
    if ((call) == -1)                                           \
      lib_die_aoe (#call);                                      \
  } while (0)

#endif /* AOE_TEST_LIB_COMMON_H */
