/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Debug output and formatting shared by the shell: the handle's debug
 * lines (to the caller's debug function or stderr), the engine's debug
 * hook, the debug mask LIBAOE_DEBUG asks for, and the text forms of MACs
 * and interface lists used in messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <net/if.h>

#include "internal.h"

/* Longest debug line passed to the debug function. */
#define DEBUG_LINE_MAX 512

/* Format and deliver one debug line if mask is enabled on h. */
static void
debug_line (struct aoe_handle *h, unsigned mask, const char *fmt,
            va_list args)
{
  char line[DEBUG_LINE_MAX];

  if ((atomic_load (&h->debug_mask) & mask) == 0)
    return;
  vsnprintf (line, sizeof line, fmt, args);
  pthread_mutex_lock (&h->debug_lock);
  if (h->debug_fn)
    h->debug_fn (h->debug_opaque, line);
  else
    fprintf (stderr, "libaoe: %s\n", line);
  pthread_mutex_unlock (&h->debug_lock);
}

void
aoe_internal_debug (struct aoe_handle *h, unsigned mask, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  debug_line (h, mask, fmt, args);
  va_end (args);
}

void
aoe_internal_engine_debug (void *opaque, unsigned mask, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  debug_line (opaque, mask, fmt, args);
  va_end (args);
}

void
aoe_internal_format_ifaces (char (*ifnames)[IF_NAMESIZE], size_t n,
                            char *buf, size_t size)
{
  size_t used = 0;
  size_t i;

  buf[0] = '\0';
  for (i = 0; i < n && used < size; ++i) {
    int r = snprintf (buf + used, size - used, "%s%s",
                      i > 0 ? ", " : "", ifnames[i]);
    if (r < 0)
      break;
    used += (size_t) r;
  }
}

void
aoe_internal_format_mac (const uint8_t mac[6], char buf[18])
{
  snprintf (buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

unsigned
aoe_internal_debug_mask_from_environment (void)
{
  const char *value = getenv ("LIBAOE_DEBUG");
  char *end;
  unsigned long mask;

  if (value == NULL || *value == '\0')
    return AOE_DEBUG_WARNINGS;
  mask = strtoul (value, &end, 10);
  if (*end != '\0' || mask > AOE_DEBUG_ALL)
    return AOE_DEBUG_EVENTS | AOE_DEBUG_WARNINGS;
  return (unsigned) mask | AOE_DEBUG_WARNINGS;
}
