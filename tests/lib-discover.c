/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-discover: aoe_discover on one interface must find exactly one
 * target, identified, with the expected address, MAC and size.
 *
 *   lib-discover IFACE TIMEOUT_MS SHELF SLOT MAC SIZE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-common.h"

int
main (int argc, char *argv[])
{
  struct aoe_target_info *targets;
  char mac[18];
  uint64_t start, elapsed;
  unsigned timeout;
  aoe_handle *h;
  int n, i;

  if (argc != 7)
    lib_die ("usage: lib-discover IFACE TIMEOUT_MS SHELF SLOT MAC SIZE");
  timeout = (unsigned) lib_parse ("timeout", argv[2], 600000);
  h = aoe_create ();
  if (h == NULL || aoe_add_interface (h, argv[1]) == -1)
    lib_die_aoe ("aoe_add_interface");
  start = lib_now_ms ();
  n = aoe_discover (h, timeout, &targets);
  elapsed = lib_now_ms () - start;
  if (n == -1)
    lib_die_aoe ("aoe_discover");
  for (i = 0; i < n; ++i) {
    struct aoe_target_info *t = &targets[i];

    snprintf (mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
              t->mac[0], t->mac[1], t->mac[2], t->mac[3], t->mac[4],
              t->mac[5]);
    printf ("e%u.%u %s on %s: bufcnt %u fw 0x%04x spf %u identified %d "
            "size %llu model \"%s\"\n", t->shelf, t->slot, mac, t->iface,
            t->buffer_count, t->firmware_version, t->sectors_per_frame,
            t->identified, (unsigned long long) t->size, t->model);
  }
  if (n != 1)
    lib_die ("found %d targets, expected exactly 1", n);
  if (targets[0].shelf != lib_parse ("shelf", argv[3], 65534)
      || targets[0].slot != lib_parse ("slot", argv[4], 254)
      || strcmp (mac, argv[5]) != 0 || strcmp (targets[0].iface, argv[1]) != 0
      || !targets[0].identified
      || targets[0].size != lib_parse ("size", argv[6], ~0ul)
      || targets[0].buffer_count == 0 || targets[0].sectors_per_frame == 0)
    lib_die ("the target found is not the one expected");
  if (elapsed + 50 < timeout || elapsed > timeout * 2 + 1500)
    lib_die ("discovery took %llu ms with a %u ms limit",
             (unsigned long long) elapsed, timeout);
  aoe_free_targets (targets);

  /* Bad arguments. */
  if (aoe_discover (h, 0, &targets) != -1)
    lib_die ("aoe_discover with timeout 0 succeeded");
  lib_expect_error ("aoe_discover timeout 0", EINVAL, NULL);
  if (aoe_discover (h, 100, NULL) != -1)
    lib_die ("aoe_discover with NULL targets succeeded");
  lib_expect_error ("aoe_discover NULL", EFAULT, NULL);
  aoe_close (h);
  printf ("lib-discover: ok (%llu ms)\n", (unsigned long long) elapsed);
  return EXIT_SUCCESS;
}
