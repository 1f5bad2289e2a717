/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-connect-fail: aoe_connect to a target that will not answer must
 * fail with ETIMEDOUT within its time limit and say why.
 *
 *   lib-connect-fail IFACE SHELF SLOT TIMEOUT_MS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib-common.h"

/* Slack allowed beyond the time limit (scheduling, teardown). */
#define SLACK_MS 1500

int
main (int argc, char *argv[])
{
  char want[256];
  uint64_t start, elapsed;
  unsigned timeout;
  aoe_handle *h;

  if (argc != 5)
    lib_die ("usage: lib-connect-fail IFACE SHELF SLOT TIMEOUT_MS");
  timeout = (unsigned) lib_parse ("timeout", argv[4], 600000);
  h = lib_handle (argv[1], argv[2], argv[3]);
  if (aoe_set_discover_timeout (h, timeout) == -1)
    lib_die_aoe ("aoe_set_discover_timeout");
  start = lib_now_ms ();
  if (aoe_connect (h) != -1)
    lib_die ("aoe_connect succeeded");
  elapsed = lib_now_ms () - start;
  snprintf (want, sizeof want, "no AoE target e%s.%s answered on %s within %u ms",
            argv[2], argv[3], argv[1], timeout);
  lib_expect_error ("aoe_connect", ETIMEDOUT, want);
  if (elapsed + 50 < timeout || elapsed > timeout + SLACK_MS)
    lib_die ("aoe_connect failed after %llu ms, limit %u ms",
             (unsigned long long) elapsed, timeout);
  /* The handle stays usable for another attempt. */
  if (aoe_pread (h, want, 512, 0) != -1)
    lib_die ("aoe_pread on an unconnected handle succeeded");
  lib_expect_error ("aoe_pread after failed connect", EINVAL, "not connected");
  aoe_close (h);
  printf ("lib-connect-fail: ok (%llu ms)\n", (unsigned long long) elapsed);
  return EXIT_SUCCESS;
}
