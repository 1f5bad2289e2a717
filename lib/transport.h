/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The transport: how frames reach and leave one local interface.
 *
 * A small table of operations, so that the loop does not care which kind
 * of transport it drives: a raw AF_PACKET socket (transport-packet.c, the
 * default) or libpcap (transport-pcap.c).  One transport is one
 * interface; it is used by one thread at a time (the thread that owns the
 * engine).
 */
#ifndef AOE_TRANSPORT_H
#define AOE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>
#include <sys/uio.h>

struct aoe_transport;

/* Most frames one aoe_transport_send_batch call takes. */
#define AOE_TX_BATCH 16

/* Receives one frame (Ethernet header included) during receive_batch. */
typedef void (*aoe_transport_rx_fn) (void *opaque, const uint8_t *frame,
                                     size_t len);

/* Result of aoe_transport_ops.send. */
enum aoe_send_result {
  AOE_SEND_OK,         /* the frame was handed to the kernel */
  AOE_SEND_AGAIN,      /* buffers full: keep the frame, retry when writable */
  AOE_SEND_FAILED,     /* the frame was lost (errno set); do not retry it */
};

/* One frame of a batch to send: its bytes in one piece, or in two
 * (header, then write data left in the command's buffer) for a transport
 * that gathers (aoe_transport_ops.send_batch). */
struct aoe_tx_frame {
  struct iovec part[2];  /* part[1].iov_len == 0: the frame is part[0] */
};

/* What aoe_transport_send_batch did with a batch of frames. */
struct aoe_send_batch_result {
  unsigned done;   /* frames dealt with from the start: sent, or lost */
  unsigned lost;   /* of those, frames lost to a send error (errno below) */
  int lost_errno;  /* the error of the last frame lost */
};

/* The operations of one kind of transport. */
struct aoe_transport_ops {
  const char *name;  /* "packet" or "pcap", for debug messages */

  /* Release everything, including t itself. */
  void (*close) (struct aoe_transport *t);

  /* Send one complete frame. */
  enum aoe_send_result (*send) (struct aoe_transport *t,
                                const uint8_t *frame, size_t len);

  /* Optional: aoe_transport_send_batch in fewer system calls, taking
   * frames in two parts (NULL: one send per frame, each in one part). */
  void (*send_batch) (struct aoe_transport *t,
                      const struct aoe_tx_frame *frames, unsigned n,
                      struct aoe_send_batch_result *result);

  /* Hand every frame waiting now to fn, without blocking.  Returns the
   * number of frames delivered, or -1 (errno set) on a receive error. */
  int (*receive_batch) (struct aoe_transport *t, aoe_transport_rx_fn fn,
                        void *opaque);

  /* The file descriptor to watch for readability (and writability while
   * a send returned AOE_SEND_AGAIN). */
  int (*get_fd) (struct aoe_transport *t);

  /* Frames the receive path dropped so far (capture buffer full). */
  uint64_t (*get_drops) (struct aoe_transport *t);
};

/* The common part of every transport; each kind embeds it first. */
struct aoe_transport {
  const struct aoe_transport_ops *ops; /* what this transport can do */
  char ifname[IF_NAMESIZE];            /* the interface's name */
  uint8_t mac[6];                      /* the interface's MAC address */
  unsigned mtu;                        /* the interface's MTU */
  const char *send_path;               /* how frames leave, for the debug
                                        * log ("through a transmit ring") */
};

/* Send frames[0..n) (n <= AOE_TX_BATCH) in order; frames in two parts
 * only if aoe_transport_gathers (t).  Frames lost to an error
 * (AOE_SEND_FAILED) are counted and skipped; the first frame the kernel
 * refuses for lack of buffer space (AOE_SEND_AGAIN) stops the batch, so
 * result->done < n means frames from result->done on must be retried
 * once t is writable. */
void aoe_transport_send_batch (struct aoe_transport *t,
                               const struct aoe_tx_frame *frames, unsigned n,
                               struct aoe_send_batch_result *result);

/* True if t sends frames in two parts (the caller need not copy write
 * data behind its header). */
bool aoe_transport_gathers (const struct aoe_transport *t);

/* Default capture buffer: a full window (AOE_MAX_SLOTS = 256 frames) of
 * jumbo replies, each in a 16 KiB ring slot (libpcap rounds a 9 KB slot
 * up to a power of two), so a burst of read data is never dropped by the
 * initiator's own socket.  No more replies than that can be in flight, so
 * a larger buffer only costs memory. */
#define AOE_TRANSPORT_BUFFER_BYTES (4u << 20)

/* Open ifname with libpcap: immediate mode, buffer_bytes of capture
 * buffer, incoming AoE responses only, non-blocking.  NULL on failure
 * with the library error set (ENODEV no such interface, EPERM without
 * CAP_NET_RAW, EINVAL not an Ethernet interface or MTU too small). */
struct aoe_transport *aoe_transport_pcap_open (const char *ifname,
                                               size_t buffer_bytes);

/* Open ifname with a raw AF_PACKET socket bound to the AoE EtherType (no
 * kernel filter: the engine checks every frame), our own transmissions
 * ignored, SO_RCVBUF(FORCE) = buffer_bytes, frames received in batches
 * with recvmmsg and sent through a transmit ring (packet-tx-ring.h) or,
 * where the driver copies frames anyway (veth, tun, bridge) or
 * LIBAOE_TX_RING=0, with send and sendmmsg.  Cheaper
 * than libpcap's receive ring for the sender on a veth pair.  NULL on
 * failure with the library error set, as for pcap. */
struct aoe_transport *aoe_transport_packet_open (const char *ifname,
                                                 size_t buffer_bytes);

/* The kinds of transport a handle can use (aoe_set_transport,
 * LIBAOE_TRANSPORT). */
enum aoe_transport_kind {
  AOE_TRANSPORT_PCAP,    /* libpcap: portable, memory-mapped receive ring */
  AOE_TRANSPORT_PACKET,  /* a raw AF_PACKET socket (the default) */
};

/* The kind named name ("pcap" or "packet") into *kind.  0, or -1 for an
 * unknown name (no error set). */
int aoe_transport_kind_parse (const char *name,
                              enum aoe_transport_kind *kind);

/* Open ifname with the transport of the given kind (see the open
 * functions above). */
struct aoe_transport *aoe_transport_open (enum aoe_transport_kind kind,
                                          const char *ifname,
                                          size_t buffer_bytes);

/* Allocate a transport of size bytes (the kind's struct, which embeds
 * struct aoe_transport first), zeroed, with ops, the interface name, its
 * MAC and its MTU filled in: the common start of every kind's open.
 * NULL with the error set (bad name, ENOMEM, no such interface). */
struct aoe_transport *aoe_transport_new (size_t size,
                                         const struct aoe_transport_ops *ops,
                                         const char *ifname);

/* Read ifname's MAC address and MTU with ioctls on a datagram socket (no
 * frame is sent).  0, or -1 with the error set (ENODEV no such interface,
 * EINVAL not Ethernet or an MTU too small for one sector). */
int aoe_transport_interface_address (const char *ifname, uint8_t mac[6],
                                     unsigned *mtu);

#endif /* AOE_TRANSPORT_H */
