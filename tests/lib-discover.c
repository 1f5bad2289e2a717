/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-discover: aoe_discover on one interface must find exactly COUNT
 * targets, the first identified, with the expected address, MAC and
 * size; a caller's smaller struct aoe_target_info (an older libaoe.h)
 * gets the same targets, element by element at its own size.
 *
 *   lib-discover IFACE TIMEOUT_MS COUNT SHELF SLOT MAC SIZE
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Passes NULL on purpose: the library's own checks are tested. */
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#include "lib-common.h"

/* Format t's MAC into mac (18 bytes). */
static void
format_mac (const struct aoe_target_info *t, char mac[18])
{
  snprintf (mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", t->mac[0], t->mac[1],
            t->mac[2], t->mac[3], t->mac[4], t->mac[5]);
}

/* The fields before config, the cut of an older caller's struct. */
#define OLD_SIZE offsetof (struct aoe_target_info, config)

/* Discover again with elements of OLD_SIZE bytes: the n targets must be
 * those of want (sizeof elements), field by field up to the cut. */
static void
check_older_caller (aoe_handle *h, unsigned timeout,
                    const struct aoe_target_info *want, int n)
{
  struct aoe_target_info *old;
  int i;

  if (aoe_discover (h, timeout, &old, OLD_SIZE) != n)
    lib_die ("aoe_discover with elements of %zu bytes did not find the %d "
             "targets", OLD_SIZE, n);
  for (i = 0; i < n; ++i) {
    const struct aoe_target_info *t =
      (const void *) ((const char *) old + (size_t) i * OLD_SIZE);

    if (memcmp (t, &want[i], OLD_SIZE) != 0)
      lib_die ("target %d differs in an array of %zu-byte elements", i,
               OLD_SIZE);
  }
  aoe_free_targets (old);
}

int
main (int argc, char *argv[])
{
  struct aoe_target_info *targets;
  char mac[18];
  uint64_t start, elapsed;
  unsigned timeout;
  aoe_handle *h;
  int count, n, i;

  if (argc != 8)
    lib_die ("usage: lib-discover IFACE TIMEOUT_MS COUNT SHELF SLOT MAC "
             "SIZE");
  timeout = (unsigned) lib_parse ("timeout", argv[2], 600000);
  count = (int) lib_parse ("count", argv[3], 4096);
  h = aoe_create ();
  if (h == NULL || aoe_add_interface (h, argv[1]) == -1)
    lib_die_aoe ("aoe_add_interface");
  start = lib_now_ms ();
  n = aoe_discover (h, timeout, &targets, sizeof *targets);
  elapsed = lib_now_ms () - start;
  if (n == -1)
    lib_die_aoe ("aoe_discover");
  for (i = 0; i < n; ++i) {
    struct aoe_target_info *t = &targets[i];

    format_mac (t, mac);
    printf ("e%u.%u %s on %s: bufcnt %u fw 0x%04x spf %u identified %d "
            "size %llu model \"%s\"\n", t->shelf, t->slot, mac, t->iface,
            t->buffer_count, t->firmware_version, t->sectors_per_frame,
            t->identified, (unsigned long long) t->size, t->model);
  }
  if (n != count)
    lib_die ("found %d targets, expected exactly %d", n, count);
  format_mac (&targets[0], mac);
  if (targets[0].shelf != lib_parse ("shelf", argv[4], 65534)
      || targets[0].slot != lib_parse ("slot", argv[5], 254)
      || strcmp (mac, argv[6]) != 0 || strcmp (targets[0].iface, argv[1]) != 0
      || !targets[0].identified
      || targets[0].size != lib_parse ("size", argv[7], ~0ul)
      || targets[0].buffer_count == 0 || targets[0].sectors_per_frame == 0)
    lib_die ("the target found is not the one expected");
  if (elapsed + 50 < timeout || elapsed > timeout * 2 + 1500)
    lib_die ("discovery took %llu ms with a %u ms limit",
             (unsigned long long) elapsed, timeout);
  check_older_caller (h, timeout, targets, n);
  aoe_free_targets (targets);

  /* Bad arguments. */
  if (aoe_discover (h, 0, &targets, sizeof *targets) != -1)
    lib_die ("aoe_discover with timeout 0 succeeded");
  lib_expect_error ("aoe_discover timeout 0", EINVAL, NULL);
  if (aoe_discover (h, 100, NULL, sizeof *targets) != -1)
    lib_die ("aoe_discover with NULL targets succeeded");
  lib_expect_error ("aoe_discover NULL", EFAULT, NULL);
  aoe_close (h);
  printf ("lib-discover: ok (%llu ms)\n", (unsigned long long) elapsed);
  return EXIT_SUCCESS;
}
