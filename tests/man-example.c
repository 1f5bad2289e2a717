/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The example of libaoe(3), lib/libaoe.pod: everything after this
 * comment is the page's EXAMPLE section, verbatim (tests/test-man-pages.sh
 * checks that they stay the same).  Built with the tests, never run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <libaoe.h>

int
main (int argc, char *argv[])
{
  unsigned char sector[AOE_SECTOR_SIZE];
  aoe_handle *h;

  if (argc != 4) {
    fprintf (stderr, "usage: %s IFACE SHELF SLOT\n", argv[0]);
    exit (EXIT_FAILURE);
  }
  h = aoe_create ();
  if (h == NULL
      || aoe_add_interface (h, argv[1]) == -1
      || aoe_set_target (h, strtoul (argv[2], NULL, 10),
                         strtoul (argv[3], NULL, 10)) == -1
      || aoe_connect (h) == -1
      || aoe_pread (h, sector, sizeof sector, 0) == -1) {
    fprintf (stderr, "%s\n", aoe_get_error ());
    aoe_close (h);
    exit (EXIT_FAILURE);
  }
  printf ("e%s.%s: %lld bytes, sector 0 ends with %02x %02x\n",
          argv[2], argv[3], (long long) aoe_get_size (h),
          sector[510], sector[511]);
  aoe_close (h);
  exit (EXIT_SUCCESS);
}
