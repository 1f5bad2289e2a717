/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The libpcap transport: one pcap_t per interface.
 *
 * create -> snaplen MTU+18 -> immediate mode (TPACKET_V3 would hold each
 * reply until a block fills or times out) -> a capture buffer big enough
 * for a full window of jumbo replies -> activate -> incoming only ->
 * kernel BPF filter for AoE responses -> non-blocking.  Frames go out
 * with pcap_inject.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>
#include <sys/socket.h>

#include <pcap/pcap.h>

#include "internal.h"
#include "transport.h"

/* Kernel filter: AoE frames with the response flag (drops our own and
 * other initiators' requests before they are copied to user space). */
#define AOE_RESPONSE_FILTER "ether proto 0x88a2 and ether[14] & 0x08 != 0"

/* Bytes of link-layer header the snap length adds to the MTU (Ethernet
 * header and a VLAN tag). */
#define SNAPLEN_OVERHEAD 18

/* How many pcap_dispatch rounds one receive_batch may run, so a flood of
 * replies cannot starve the send side. */
#define MAX_DISPATCH_ROUNDS 8

/* A libpcap transport. */
struct pcap_transport {
  struct aoe_transport base; /* the common part (first) */
  pcap_t *pcap;              /* the activated capture handle */
  int fd;                    /* its selectable file descriptor */
};

/* Where receive_batch's dispatch callback delivers frames. */
struct rx_context {
  aoe_transport_rx_fn fn;    /* the caller's function */
  void *opaque;              /* its argument */
};

/* The pcap_transport containing t. */
static struct pcap_transport *
to_pcap (struct aoe_transport *t)
{
  return (struct pcap_transport *) t;
}

/* Close t and free it. */
static void
pcap_transport_close (struct aoe_transport *t)
{
  struct pcap_transport *pt = to_pcap (t);

  if (pt->pcap)
    pcap_close (pt->pcap);
  free (pt);
}

/* Send one frame with pcap_inject (one send(2) on Linux).  Only EAGAIN
 * (the socket's send buffer is full) keeps the frame for a retry.
 * ENOBUFS means the device or its queue dropped the frame (a veth whose
 * peer has a smaller MTU, a full qdisc): retrying the same frame at once
 * can fail forever, so it is lost like any other, and so are ENETDOWN
 * (link down), ENXIO (interface gone) and EMSGSIZE (frame above the MTU,
 * lowered since open); the engine resends lost frames and shrinks them
 * when large ones keep vanishing. */
static enum aoe_send_result
pcap_transport_send (struct aoe_transport *t, const uint8_t *frame,
                     size_t len)
{
  struct pcap_transport *pt = to_pcap (t);
  int r;

  errno = 0;
  r = pcap_inject (pt->pcap, frame, len);
  if (r >= 0 && (size_t) r == len)
    return AOE_SEND_OK;
  if (r >= 0) {
    errno = EIO;
    return AOE_SEND_FAILED;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK)
    return AOE_SEND_AGAIN;
  if (errno == 0)
    errno = EIO;
  return AOE_SEND_FAILED;
}

/* pcap_dispatch callback: pass the captured bytes on. */
static void
dispatch_one (u_char *user, const struct pcap_pkthdr *hdr,
              const u_char *bytes)
{
  struct rx_context *ctx = (struct rx_context *) user;

  ctx->fn (ctx->opaque, bytes, hdr->caplen);
}

/* Deliver every frame waiting now (pcap_dispatch until it returns 0). */
static int
pcap_transport_receive_batch (struct aoe_transport *t,
                              aoe_transport_rx_fn fn, void *opaque)
{
  struct pcap_transport *pt = to_pcap (t);
  struct rx_context ctx = { .fn = fn, .opaque = opaque };
  int total = 0;
  int round;

  for (round = 0; round < MAX_DISPATCH_ROUNDS; ++round) {
    int r = pcap_dispatch (pt->pcap, -1, dispatch_one, (u_char *) &ctx);

    if (r == 0 || r == PCAP_ERROR_BREAK)
      break;
    if (r < 0) {
      if (errno == 0 || errno == EAGAIN)
        errno = EIO;
      return -1;
    }
    total += r;
  }
  return total;
}

/* The capture's file descriptor. */
static int
pcap_transport_get_fd (struct aoe_transport *t)
{
  return to_pcap (t)->fd;
}

/* ps_drop: frames the capture ring had no room for (cumulative). */
static uint64_t
pcap_transport_get_drops (struct aoe_transport *t)
{
  struct pcap_stat ps;

  if (pcap_stats (to_pcap (t)->pcap, &ps) == -1)
    return 0;
  return ps.ps_drop;
}

/* The operations of a pcap transport. */
static const struct aoe_transport_ops pcap_ops = {
  .name = "pcap",
  .close = pcap_transport_close,
  .send = pcap_transport_send,
  .receive_batch = pcap_transport_receive_batch,
  .get_fd = pcap_transport_get_fd,
  .get_drops = pcap_transport_get_drops,
};

/* Set the error for a failed pcap_activate (r < 0). */
static void
activate_error (pcap_t *p, const char *ifname, int r)
{
  switch (r) {
  case PCAP_ERROR_NO_SUCH_DEVICE:
    set_error (ENODEV, "no such interface: %s", ifname);
    break;
  case PCAP_ERROR_PERM_DENIED:
  case PCAP_ERROR_PROMISC_PERM_DENIED:
    set_error (EPERM, "no permission to capture on %s: raw Ethernet needs "
               "CAP_NET_RAW (run as root or grant the capability)", ifname);
    break;
  case PCAP_ERROR_IFACE_NOT_UP:
    set_error (ENETDOWN, "interface %s is down", ifname);
    break;
  default:
    set_error (EIO, "%s: %s", ifname, pcap_geterr (p));
  }
}

/* Apply the kernel filter for AoE responses.  0, or -1 with the error
 * set. */
static int
set_response_filter (pcap_t *p, const char *ifname)
{
  struct bpf_program program;

  if (pcap_compile (p, &program, AOE_RESPONSE_FILTER, 1,
                    PCAP_NETMASK_UNKNOWN) == -1) {
    set_error (EIO, "%s: compiling the AoE filter: %s",
               ifname, pcap_geterr (p));
    return -1;
  }
  if (pcap_setfilter (p, &program) == -1) {
    pcap_freecode (&program);
    set_error (EIO, "%s: setting the AoE filter: %s", ifname, pcap_geterr (p));
    return -1;
  }
  pcap_freecode (&program);
  return 0;
}

/* Create and activate the capture (every step of the lifecycle).  0, or
 * -1 with the error set. */
static int
activate (struct pcap_transport *pt, size_t buffer_bytes)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  const char *ifname = pt->base.ifname;
  unsigned snaplen;
  int r;

  pt->pcap = pcap_create (ifname, errbuf);
  if (pt->pcap == NULL) {
    set_error (EIO, "%s: pcap_create: %s", ifname, errbuf);
    return -1;
  }
  snaplen = pt->base.mtu < AOE_MAX_FRAME ? pt->base.mtu : AOE_MAX_FRAME;
  snaplen += SNAPLEN_OVERHEAD;
  if (pcap_set_snaplen (pt->pcap, (int) snaplen) != 0 ||
      pcap_set_immediate_mode (pt->pcap, 1) != 0 ||
      pcap_set_buffer_size (pt->pcap, (int) buffer_bytes) != 0) {
    set_error (EIO, "%s: cannot configure the capture", ifname);
    return -1;
  }
  r = pcap_activate (pt->pcap);
  if (r < 0) {
    activate_error (pt->pcap, ifname, r);
    return -1;
  }
  if (pcap_datalink (pt->pcap) != DLT_EN10MB) {
    set_error (EINVAL, "%s is not an Ethernet interface", ifname);
    return -1;
  }
  if (pcap_setdirection (pt->pcap, PCAP_D_IN) == -1) {
    set_error (EIO, "%s: pcap_setdirection: %s", ifname,
               pcap_geterr (pt->pcap));
    return -1;
  }
  if (set_response_filter (pt->pcap, ifname) == -1)
    return -1;
  if (pcap_setnonblock (pt->pcap, 1, errbuf) == -1) {
    set_error (EIO, "%s: pcap_setnonblock: %s", ifname, errbuf);
    return -1;
  }
  pt->fd = pcap_get_selectable_fd (pt->pcap);
  if (pt->fd < 0) {
    set_error (EIO, "%s: no selectable file descriptor", ifname);
    return -1;
  }
  return 0;
}

struct aoe_transport *
aoe_transport_pcap_open (const char *ifname, size_t buffer_bytes)
{
  struct pcap_transport *pt;

  pt = (struct pcap_transport *) aoe_transport_new (sizeof *pt, &pcap_ops,
                                                    ifname);
  if (pt == NULL)
    return NULL;
  pt->fd = -1;
  if (activate (pt, buffer_bytes) == -1) {
    pcap_transport_close (&pt->base);
    return NULL;
  }
  return &pt->base;
}
