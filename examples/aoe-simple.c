/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-simple: connect to an AoE target and read its first sector, with
 * the blocking calls of libaoe.
 *
 *   aoe-simple IFACE SHELF SLOT
 *
 * Prints what IDENTIFY says about the target and a hex dump of the first
 * 64 bytes of sector 0.  Needs CAP_NET_RAW (raw Ethernet).
 */
#include <stdio.h>
#include <stdlib.h>

#include <libaoe.h>

/* Parse a decimal argument no larger than max, or exit with a message. */
static unsigned
parse_number (const char *what, const char *text, unsigned long max)
{
  char *end;
  unsigned long value = strtoul (text, &end, 10);

  if (*text == '\0' || *end != '\0' || value > max) {
    fprintf (stderr, "aoe-simple: %s must be a number 0-%lu: %s\n",
             what, max, text);
    exit (EXIT_FAILURE);
  }
  return (unsigned) value;
}

int
main (int argc, char *argv[])
{
  unsigned char sector[AOE_SECTOR_SIZE];
  struct aoe_info info;
  aoe_handle *h;
  int i;

  if (argc != 4) {
    fprintf (stderr, "usage: aoe-simple IFACE SHELF SLOT\n");
    return EXIT_FAILURE;
  }

  h = aoe_create ();
  if (h == NULL
      || aoe_add_interface (h, argv[1]) == -1
      || aoe_set_target (h, parse_number ("shelf", argv[2], 65534),
                         parse_number ("slot", argv[3], 254)) == -1
      || aoe_connect (h) == -1
      || aoe_get_info (h, &info, sizeof info) == -1
      || aoe_pread (h, sector, sizeof sector, 0) == -1) {
    fprintf (stderr, "aoe-simple: %s\n", aoe_get_error ());
    aoe_close (h);
    return EXIT_FAILURE;
  }

  printf ("e%u.%u: %llu bytes, model \"%s\", serial \"%s\", firmware \"%s\"\n",
          info.shelf, info.slot, (unsigned long long) info.size,
          info.model, info.serial, info.firmware);
  printf ("sector 0:");
  for (i = 0; i < 64; ++i)
    printf ("%s%02x", i % 16 == 0 ? "\n  " : " ", sector[i]);
  printf ("\n");

  aoe_close (h);
  return EXIT_SUCCESS;
}
