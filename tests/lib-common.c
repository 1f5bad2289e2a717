/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Helpers shared by the library integration test programs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib-common.h"

void
lib_die (const char *fmt, ...)
{
  va_list args;

  fprintf (stderr, "%s: FAIL: ", program_invocation_short_name);
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fputc ('\n', stderr);
  exit (EXIT_FAILURE);
}

void
lib_die_aoe (const char *what)
{
  lib_die ("%s: %s (errno %d)", what, aoe_get_error (), aoe_get_errno ());
}

unsigned long
lib_parse (const char *what, const char *text, unsigned long max)
{
  char *end;
  unsigned long value;

  errno = 0;
  value = strtoul (text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno || value > max)
    lib_die ("%s must be a number 0-%lu, got '%s'", what, max, text);
  return value;
}

aoe_handle *
lib_handle (const char *iface, const char *shelf, const char *slot)
{
  aoe_handle *h = aoe_create ();
  char *names = strdup (iface), *name, *save = NULL;

  if (h == NULL)
    lib_die_aoe ("aoe_create");
  if (names == NULL)
    lib_die ("out of memory");
  for (name = strtok_r (names, ",", &save); name;
       name = strtok_r (NULL, ",", &save))
    if (aoe_add_interface (h, name) == -1)
      lib_die_aoe ("aoe_add_interface");
  free (names);
  if (aoe_set_target (h, lib_parse ("shelf", shelf, 65534),
                      lib_parse ("slot", slot, 254)) == -1)
    lib_die_aoe ("aoe_set_target");
  return h;
}

aoe_handle *
lib_connect (const char *iface, const char *shelf, const char *slot)
{
  aoe_handle *h = lib_handle (iface, shelf, slot);

  if (aoe_connect (h) == -1)
    lib_die_aoe ("aoe_connect");
  return h;
}

uint64_t
lib_expect_size (aoe_handle *h, size_t image_size)
{
  uint64_t size = (uint64_t) aoe_get_size (h);

  if (size != image_size)
    lib_die ("size %llu, image %zu bytes", (unsigned long long) size,
             image_size);
  return size;
}

/* The next value of a xorshift64* generator. */
static uint64_t
next_random (uint64_t *state)
{
  uint64_t x = *state ? *state : 0x9E3779B97F4A7C15u;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1Du;
}

void
lib_random_fill (void *buf, size_t len, uint64_t *state)
{
  uint8_t *p = buf;

  while (len >= 8) {
    uint64_t v = next_random (state);
    memcpy (p, &v, 8);
    p += 8;
    len -= 8;
  }
  if (len > 0) {
    uint64_t v = next_random (state);
    memcpy (p, &v, len);
  }
}

uint64_t
lib_random_below (uint64_t *state, uint64_t bound)
{
  return bound ? next_random (state) % bound : 0;
}

uint8_t *
lib_read_file (const char *path, size_t *size)
{
  FILE *fp = fopen (path, "rb");
  uint8_t *buf;
  long len;

  if (fp == NULL || fseek (fp, 0, SEEK_END) == -1 || (len = ftell (fp)) < 0)
    lib_die ("%s: %s", path, strerror (errno));
  rewind (fp);
  buf = malloc (len > 0 ? (size_t) len : 1);
  if (buf == NULL)
    lib_die ("out of memory");
  if (fread (buf, 1, (size_t) len, fp) != (size_t) len)
    lib_die ("%s: short read", path);
  fclose (fp);
  *size = (size_t) len;
  return buf;
}

void
lib_write_file (const char *path, const void *buf, size_t len)
{
  FILE *fp = fopen (path, "wb");

  if (fp == NULL || fwrite (buf, 1, len, fp) != len || fclose (fp) != 0)
    lib_die ("%s: %s", path, strerror (errno));
}

uint64_t
lib_now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

void
lib_expect_error (const char *what, int errnum, const char *want)
{
  const char *message = aoe_get_error ();

  if (aoe_get_errno () != errnum)
    lib_die ("%s: errno %d (%s), expected %d (%s)", what, aoe_get_errno (),
             message ? message : "no message", errnum, strerror (errnum));
  if (message == NULL || *message == '\0')
    lib_die ("%s: no error message", what);
  if (want && strstr (message, want) == NULL)
    lib_die ("%s: message \"%s\" lacks \"%s\"", what, message, want);
  printf ("%s: ok (%s)\n", what, message);
}
