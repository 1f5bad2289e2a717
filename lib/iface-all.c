/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The interface name "all" (AOE_ALL_INTERFACES): every local interface
 * that can carry AoE, as the kernel's aoe driver uses when no aoe_iflist
 * is set.  AoE needs a raw Ethernet link, so only interfaces that are up,
 * have an Ethernet link layer (ARPHRD_ETHER: not tun, ipip, gre, ...),
 * are not the loopback and have a MAC qualify.  The list is read once,
 * when "all" is added: an interface that comes up later is not used.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <string.h>

#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>

#include "internal.h"

/* True if the getifaddrs entry a is an interface AoE can use: its
 * AF_PACKET entry (one per interface, carrying the link layer), up, not
 * the loopback, ARPHRD_ETHER, with a 6-byte MAC that is not zero. */
static bool
usable_for_aoe (const struct ifaddrs *a)
{
  static const uint8_t zero[6];
  const struct sockaddr_ll *ll = (const struct sockaddr_ll *) a->ifa_addr;

  return ll != NULL && ll->sll_family == AF_PACKET
    && (a->ifa_flags & IFF_UP) && !(a->ifa_flags & IFF_LOOPBACK)
    && ll->sll_hatype == ARPHRD_ETHER && ll->sll_halen == 6
    && memcmp (ll->sll_addr, zero, 6) != 0
    && strlen (a->ifa_name) < IF_NAMESIZE;
}

int
aoe_internal_add_all_interfaces (struct aoe_handle *h)
{
  struct ifaddrs *list, *a;
  size_t n = 0, found = 0;

  if (getifaddrs (&list) == -1) {
    set_error (errno, "listing the interfaces: %s", strerror (errno));
    return -1;
  }
  for (a = list; a != NULL; a = a->ifa_next) {
    if (!usable_for_aoe (a))
      continue;
    found++;
    if (n < AOE_MAX_IFACES)
      strcpy (h->ifnames[n++], a->ifa_name);
  }
  freeifaddrs (list);
  if (found == 0) {
    set_error (ENODEV, "interface \"all\": no interface is up with an "
               "Ethernet link and a MAC (loopback is not used)");
    return -1;
  }
  if (found > AOE_MAX_IFACES) {
    set_error (EINVAL, "interface \"all\": %zu interfaces qualify, at most "
               "%d can be used: name them instead", found, AOE_MAX_IFACES);
    return -1;
  }
  h->nifaces = n;
  h->all_ifaces = true;
  return 0;
}
