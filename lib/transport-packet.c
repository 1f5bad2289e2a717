/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The raw AF_PACKET transport: one packet socket per interface.
 *
 * libpcap's TPACKET_V2 ring makes the *sender* of each reply pay for the
 * copy into the ring (on a veth pair tpacket_rcv runs in the target's
 * context); a plain packet socket only queues a reference to the frame
 * there and copies it in our recvmmsg.  For the same reason the socket
 * has no kernel BPF filter: binding to the AoE EtherType already keeps
 * every other protocol out, and a filter would run once per reply in the
 * target's context, on the CPU that limits reads at MTU 1500 (vblade's).
 * The engine checks every frame anyway (requests of other initiators,
 * replies to other hosts, junk).  Steps: socket -> ignore our own
 * transmissions -> receive buffer -> bind to the interface and EtherType
 * 0x88A2 (only now do frames arrive).  Frames go out through a transmit
 * ring (packet-tx-ring.c: written once in user space, no sk_buff data
 * allocated or copied by the kernel); a veth, tun or bridge interface
 * (whose driver copies every frame anyway), LIBAOE_TX_RING=0 or a kernel
 * without the ring gets send and, in batches, sendmmsg (want_tx_ring).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "internal.h"
#include "packet-tx-ring.h"
#include "transport.h"
#include "wire.h"

/* Kernels before 4.20 lack it (setsockopt then fails with ENOPROTOOPT). */
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* Bytes of link-layer header a frame adds to the MTU (Ethernet header
 * and a VLAN tag). */
#define FRAME_OVERHEAD 18

/* Frames received per recvmmsg call. */
#define RX_BATCH 32

/* Slots of the transmit ring: frames handed to the kernel and not yet
 * freed by the driver (the socket's send buffer usually stops the batch
 * first). */
#define TX_RING_SLOTS 128

/* How many recvmmsg rounds one receive_batch may run, so a flood of
 * replies cannot starve the send side. */
#define MAX_RECEIVE_ROUNDS 8

/* A packet-socket transport. */
struct packet_transport {
  struct aoe_transport base;      /* the common part (first) */
  int fd;                         /* the packet socket */
  uint64_t drops;                 /* tp_drops summed (reading resets it) */
  size_t frame_size;              /* bytes of each receive buffer */
  uint8_t *frames;                /* RX_BATCH receive buffers, one block */
  struct iovec iov[RX_BATCH];     /* one per buffer */
  struct mmsghdr msgs[RX_BATCH];  /* recvmmsg's array, pointing at iov */
  struct packet_tx_ring ring;     /* the transmit ring (map NULL: none) */
};

/* The packet_transport containing t. */
static struct packet_transport *
to_packet (struct aoe_transport *t)
{
  return (struct packet_transport *) t;
}

/* Close t and free it. */
static void
packet_transport_close (struct aoe_transport *t)
{
  struct packet_transport *pt = to_packet (t);

  packet_tx_ring_close (&pt->ring);
  if (pt->fd >= 0)
    close (pt->fd);
  free (pt->frames);
  free (pt);
}

/* Send one frame with send(2).  As in the pcap transport only EAGAIN
 * (the socket's send buffer is full) keeps the frame for a retry;
 * ENOBUFS (the device dropped it: a veth peer with a smaller MTU, a full
 * queue), ENETDOWN, ENXIO, EMSGSIZE and the rest lose it, and the engine
 * resends it like a frame lost on the wire. */
static enum aoe_send_result
packet_transport_send (struct aoe_transport *t, const uint8_t *frame,
                       size_t len)
{
  struct packet_transport *pt = to_packet (t);
  ssize_t r;

  if (pt->ring.map) {
    struct aoe_tx_frame f = { { { (void *) frame, len }, { NULL, 0 } } };
    struct aoe_send_batch_result result = { 0 };

    packet_tx_ring_send_batch (&pt->ring, pt->fd, &f, 1, &result);
    if (result.done == 0)
      return AOE_SEND_AGAIN;
    if (result.lost == 0)
      return AOE_SEND_OK;
    errno = result.lost_errno;
    return AOE_SEND_FAILED;
  }
  r = send (pt->fd, frame, len, MSG_DONTWAIT);
  if (r >= 0 && (size_t) r == len)
    return AOE_SEND_OK;
  if (r >= 0) {
    errno = EIO;
    return AOE_SEND_FAILED;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK)
    return AOE_SEND_AGAIN;
  return AOE_SEND_FAILED;
}

/* Send a batch through the transmit ring, or else with sendmmsg: one
 * system call for every run of frames the kernel takes.  A frame that
 * fails with anything but EAGAIN is lost (counted) and the rest still go
 * out, as with single sends. */
static void
packet_transport_send_batch (struct aoe_transport *t,
                             const struct aoe_tx_frame *frames, unsigned n,
                             struct aoe_send_batch_result *result)
{
  struct packet_transport *pt = to_packet (t);
  struct mmsghdr msgs[AOE_TX_BATCH];
  int fd = pt->fd;
  unsigned i;

  if (pt->ring.map) {
    packet_tx_ring_send_batch (&pt->ring, fd, frames, n, result);
    return;
  }
  if (n > AOE_TX_BATCH)
    n = AOE_TX_BATCH;
  memset (msgs, 0, n * sizeof msgs[0]);
  for (i = 0; i < n; ++i) {
    msgs[i].msg_hdr.msg_iov = (struct iovec *) frames[i].part;
    msgs[i].msg_hdr.msg_iovlen = frames[i].part[1].iov_len > 0 ? 2 : 1;
  }
  while (result->done < n) {
    int sent = sendmmsg (fd, msgs + result->done, n - result->done,
                         MSG_DONTWAIT);

    if (sent > 0) {
      result->done += (unsigned) sent;
      continue;
    }
    if (sent == -1 && errno == EINTR)
      continue;
    if (sent == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    result->lost++;
    result->lost_errno = sent == -1 ? errno : EIO;
    result->done++;
  }
}

/* Deliver every frame waiting now: recvmmsg into the preallocated
 * buffers until a call returns fewer than RX_BATCH frames. */
static int
packet_transport_receive_batch (struct aoe_transport *t,
                                aoe_transport_rx_fn fn, void *opaque)
{
  struct packet_transport *pt = to_packet (t);
  int total = 0;
  int round, n, i;

  for (round = 0; round < MAX_RECEIVE_ROUNDS; ++round) {
    n = recvmmsg (pt->fd, pt->msgs, RX_BATCH, MSG_DONTWAIT, NULL);
    if (n == -1) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        break;
      return -1;
    }
    for (i = 0; i < n; ++i) {
      if (pt->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        pt->drops++;
        continue;
      }
      fn (opaque, pt->iov[i].iov_base, pt->msgs[i].msg_len);
    }
    total += n;
    if (n < RX_BATCH)
      break;
  }
  return total;
}

/* The packet socket. */
static int
packet_transport_get_fd (struct aoe_transport *t)
{
  return to_packet (t)->fd;
}

/* tp_drops: frames the socket's receive buffer had no room for, plus
 * frames too long for our buffers (cumulative; the kernel resets its
 * counters on every read, so they are summed here). */
static uint64_t
packet_transport_get_drops (struct aoe_transport *t)
{
  struct packet_transport *pt = to_packet (t);
  struct tpacket_stats stats;
  socklen_t len = sizeof stats;

  if (getsockopt (pt->fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len) == 0)
    pt->drops += stats.tp_drops;
  return pt->drops;
}

/* The operations of a packet transport. */
static const struct aoe_transport_ops packet_ops = {
  .name = "packet",
  .close = packet_transport_close,
  .send = packet_transport_send,
  .send_batch = packet_transport_send_batch,
  .receive_batch = packet_transport_receive_batch,
  .get_fd = packet_transport_get_fd,
  .get_drops = packet_transport_get_drops,
};

/* Allocate the receive buffers (RX_BATCH frames of the interface's MTU
 * plus FRAME_OVERHEAD) and point the recvmmsg array at them.  0, or -1
 * with the error set. */
static int
allocate_buffers (struct packet_transport *pt)
{
  unsigned mtu = pt->base.mtu < AOE_MAX_FRAME ? pt->base.mtu : AOE_MAX_FRAME;
  size_t i;

  pt->frame_size = mtu + FRAME_OVERHEAD;
  pt->frames = malloc (RX_BATCH * pt->frame_size);
  if (pt->frames == NULL) {
    set_error (ENOMEM, "out of memory");
    return -1;
  }
  for (i = 0; i < RX_BATCH; ++i) {
    pt->iov[i].iov_base = pt->frames + i * pt->frame_size;
    pt->iov[i].iov_len = pt->frame_size;
    pt->msgs[i].msg_hdr.msg_iov = &pt->iov[i];
    pt->msgs[i].msg_hdr.msg_iovlen = 1;
  }
  return 0;
}

/* Set the error for a failed socket(2) (err). */
static void
socket_error (const char *ifname, int err)
{
  if (err == EPERM || err == EACCES)
    set_error (EPERM, "no permission to open a packet socket on %s: raw "
               "Ethernet needs CAP_NET_RAW (run as root or grant the "
               "capability)", ifname);
  else
    set_error (err, "%s: socket (AF_PACKET): %s", ifname, strerror (err));
}

/* Ask the kernel not to loop our own transmissions back to the socket
 * (a socket bound to one EtherType gets none on current kernels; this
 * keeps it so everywhere).  Kernels before 4.20 do not know the option:
 * the engine then drops our own frames like any other request. */
static int
ignore_outgoing (int fd, const char *ifname)
{
  int on = 1;

  if (setsockopt (fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on,
                  sizeof on) == -1 && errno != ENOPROTOOPT) {
    set_error (errno, "%s: PACKET_IGNORE_OUTGOING: %s",
               ifname, strerror (errno));
    return -1;
  }
  return 0;
}

/* Size the receive buffer: SO_RCVBUFFORCE (may exceed rmem_max, needs
 * CAP_NET_ADMIN), else SO_RCVBUF (capped at rmem_max). */
static int
set_receive_buffer (int fd, const char *ifname, size_t buffer_bytes)
{
  int bytes = buffer_bytes > (size_t) (1u << 30) ? 1 << 30
    : (int) buffer_bytes;

  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
                  sizeof bytes) == 0 ||
      setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) == 0)
    return 0;
  set_error (errno, "%s: SO_RCVBUF: %s", ifname, strerror (errno));
  return -1;
}

/* Bind the socket to ifname and the AoE EtherType: frames start
 * arriving.  0, or -1 with the error set. */
static int
bind_interface (int fd, const char *ifname)
{
  struct sockaddr_ll addr;
  unsigned ifindex = if_nametoindex (ifname);

  if (ifindex == 0) {
    set_error (ENODEV, "no such interface: %s", ifname);
    return -1;
  }
  memset (&addr, 0, sizeof addr);
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons (AOE_ETHERTYPE);
  addr.sll_ifindex = (int) ifindex;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == -1) {
    if (errno == ENODEV)
      set_error (ENODEV, "no such interface: %s", ifname);
    else
      set_error (errno, "%s: bind: %s", ifname, strerror (errno));
    return -1;
  }
  return 0;
}

/* True if ifname's driver hands frames to another socket of this host
 * (veth, tun/tap, a bridge of such ports): it copies the frame out of a
 * transmit ring's pages anyway (skb_orphan_frags), so the ring would only
 * add our copy to the kernel's, and small frames would each take a page.
 * A driver the ethtool ioctl cannot name is taken for a real NIC. */
static bool
driver_copies_frames (int fd, const char *ifname)
{
  static const char *const copying[] = { "veth", "tun", "bridge" };
  struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
  struct ifreq ifr;
  size_t i;

  memset (&ifr, 0, sizeof ifr);
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
  ifr.ifr_data = (char *) &info;
  if (ioctl (fd, SIOCETHTOOL, &ifr) == -1)
    return false;
  for (i = 0; i < sizeof copying / sizeof copying[0]; ++i)
    if (strncmp (info.driver, copying[i], sizeof info.driver) == 0)
      return true;
  return false;
}

/* Whether to send through a transmit ring: LIBAOE_TX_RING=0 never, 1
 * always (tests use it on a veth pair), else unless the driver copies
 * frames anyway. */
static bool
want_tx_ring (int fd, const char *ifname)
{
  const char *env = getenv ("LIBAOE_TX_RING");

  if (env && strcmp (env, "0") == 0)
    return false;
  if (env && strcmp (env, "1") == 0)
    return true;
  return !driver_copies_frames (fd, ifname);
}

/* Create and set up the socket (every step in order).  0, or -1 with the
 * error set. */
static int
open_socket (struct packet_transport *pt, size_t buffer_bytes)
{
  const char *ifname = pt->base.ifname;

  /* Protocol 0: nothing is queued before bind, so no frame arrives
   * before the socket is set up. */
  pt->fd = socket (AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (pt->fd == -1) {
    socket_error (ifname, errno);
    return -1;
  }
  if (ignore_outgoing (pt->fd, ifname) == -1 ||
      set_receive_buffer (pt->fd, ifname, buffer_bytes) == -1)
    return -1;
  /* Before bind, so every frame goes through the ring.  A kernel without
   * one (or without the memory for it) sends with sendmmsg instead. */
  if (want_tx_ring (pt->fd, ifname) &&
      packet_tx_ring_open (&pt->ring, pt->fd, pt->frame_size,
                           TX_RING_SLOTS) == 0)
    pt->base.send_path = "through a transmit ring";
  else
    pt->base.send_path = "with sendmmsg";
  return bind_interface (pt->fd, ifname);
}

struct aoe_transport *
aoe_transport_packet_open (const char *ifname, size_t buffer_bytes)
{
  struct packet_transport *pt;

  pt = (struct packet_transport *) aoe_transport_new (sizeof *pt, &packet_ops,
                                                      ifname);
  if (pt == NULL)
    return NULL;
  pt->fd = -1;
  if (allocate_buffers (pt) == -1 ||
      open_socket (pt, buffer_bytes) == -1) {
    packet_transport_close (&pt->base);
    return NULL;
  }
  return &pt->base;
}
