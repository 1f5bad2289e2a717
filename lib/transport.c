/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * What every transport shares: choosing a kind of transport by name,
 * opening it, and reading an interface's MAC address and MTU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "internal.h"
#include "transport.h"

/* The name of each kind of transport, indexed by enum aoe_transport_kind. */
static const char *const transport_names[] = {
  [AOE_TRANSPORT_PCAP] = "pcap",
  [AOE_TRANSPORT_PACKET] = "packet",
};

int
aoe_transport_kind_parse (const char *name, enum aoe_transport_kind *kind)
{
  size_t i;

  for (i = 0; i < sizeof transport_names / sizeof transport_names[0]; ++i) {
    if (strcmp (name, transport_names[i]) == 0) {
      *kind = (enum aoe_transport_kind) i;
      return 0;
    }
  }
  return -1;
}

struct aoe_transport *
aoe_transport_open (enum aoe_transport_kind kind, const char *ifname,
                    size_t buffer_bytes)
{
  if (kind == AOE_TRANSPORT_PACKET)
    return aoe_transport_packet_open (ifname, buffer_bytes);
  return aoe_transport_pcap_open (ifname, buffer_bytes);
}

int
aoe_transport_interface_address (const char *ifname, uint8_t mac[6],
                                  unsigned *mtu)
{
  struct ifreq ifr;
  int fd, err;

  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd == -1)
    fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd == -1) {
    set_error (errno, "socket: %s", strerror (errno));
    return -1;
  }
  memset (&ifr, 0, sizeof ifr);
  strncpy (ifr.ifr_name, ifname, sizeof ifr.ifr_name - 1);
  if (ioctl (fd, SIOCGIFHWADDR, &ifr) == -1) {
    err = errno;
    close (fd);
    if (err == ENODEV)
      set_error (ENODEV, "no such interface: %s", ifname);
    else
      set_error (err, "%s: SIOCGIFHWADDR: %s", ifname, strerror (err));
    return -1;
  }
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
    close (fd);
    set_error (EINVAL, "%s is not an Ethernet interface", ifname);
    return -1;
  }
  memcpy (mac, ifr.ifr_hwaddr.sa_data, 6);
  if (ioctl (fd, SIOCGIFMTU, &ifr) == -1) {
    err = errno;
    close (fd);
    set_error (err, "%s: SIOCGIFMTU: %s", ifname, strerror (err));
    return -1;
  }
  close (fd);
  if (ifr.ifr_mtu < 0
      || aoe_frame_sectors ((unsigned) ifr.ifr_mtu, 1, 0) == 0) {
    set_error (EINVAL, "MTU %d of %s is too small for AoE (at least %d)",
               ifr.ifr_mtu, ifname, AOE_MIN_MTU);
    return -1;
  }
  *mtu = (unsigned) ifr.ifr_mtu;
  return 0;
}

struct aoe_transport *
aoe_transport_new (size_t size, const struct aoe_transport_ops *ops,
                   const char *ifname)
{
  struct aoe_transport *t;

  if (strlen (ifname) >= IF_NAMESIZE) {
    set_error (EINVAL, "invalid interface name \"%s\"", ifname);
    return NULL;
  }
  t = calloc (1, size);
  if (t == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  t->ops = ops;
  t->send_path = ops->send_batch ? "in batches" : "one by one";
  strcpy (t->ifname, ifname);
  if (aoe_transport_interface_address (ifname, t->mac, &t->mtu) == -1) {
    free (t);
    return NULL;
  }
  return t;
}

void
aoe_transport_send_batch (struct aoe_transport *t,
                          const struct aoe_tx_frame *frames, unsigned n,
                          struct aoe_send_batch_result *result)
{
  memset (result, 0, sizeof *result);
  if (t->ops->send_batch) {
    t->ops->send_batch (t, frames, n, result);
    return;
  }
  for (; result->done < n; result->done++) {
    const struct iovec *f = &frames[result->done].part[0];

    switch (t->ops->send (t, f->iov_base, f->iov_len)) {
    case AOE_SEND_OK:
      break;
    case AOE_SEND_AGAIN:
      return;
    case AOE_SEND_FAILED:
      result->lost++;
      result->lost_errno = errno;
      break;
    }
  }
}

bool
aoe_transport_gathers (const struct aoe_transport *t)
{
  return t->ops->send_batch != NULL;
}
