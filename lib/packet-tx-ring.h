/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The packet socket's transmit ring (PACKET_TX_RING, TPACKET_V2).
 *
 * Why: sendmmsg makes the kernel allocate an sk_buff for every frame and
 * copy the frame into it; a jumbo frame's data goes in freshly allocated
 * pages, which kernels built with init_on_alloc (Debian's) also zero
 * first.  With a transmit ring the frame is written once, in user space,
 * into a slot of a ring shared with the kernel, and the kernel's sk_buff
 * points at that slot's pages: no allocation of data pages, no zeroing,
 * no copy.  One send(2) then hands every filled slot to the driver.
 *
 * The slot protocol: a slot is ours to fill while its tp_status is
 * TP_STATUS_AVAILABLE; we write the frame after the slot's header and set
 * TP_STATUS_SEND_REQUEST; send(2) walks the slots from the kernel's own
 * head, marks each TP_STATUS_SENDING and gives it back (AVAILABLE) when
 * the driver frees the sk_buff, which can be long after send returns (a
 * veth peer's socket holds it until the target reads it).  The kernel
 * reads the slots only inside send(2), which only the engine's owner
 * calls, so a slot the kernel left in SEND_REQUEST (its send buffer was
 * full) can be taken back safely after the call.
 */
#ifndef AOE_PACKET_TX_RING_H
#define AOE_PACKET_TX_RING_H
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* A transmit ring mapped from one packet socket. */
struct packet_tx_ring {
  uint8_t *map;          /* the mapping (NULL: no ring) */
  size_t map_bytes;      /* its length */
  size_t block_bytes;    /* tp_block_size: a whole number of pages */
  unsigned frame_bytes;  /* tp_frame_size: slot header + largest frame */
  unsigned per_block;    /* slots per block (slots never span blocks) */
  unsigned nslots;       /* tp_frame_nr */
  unsigned head;         /* the next slot to fill: the kernel's head too */
};

/* Set up a transmit ring on packet socket fd for frames of up to
 * max_frame bytes, with nslots slots.  Must run before bind (so no frame
 * is sent before the ring exists).  0, or -1 with errno set (ENOPROTOOPT
 * or EINVAL: the kernel has no transmit ring; ENOMEM). */
int packet_tx_ring_open (struct packet_tx_ring *ring, int fd,
                         size_t max_frame, unsigned nslots);

/* Unmap the ring (a ring that was never opened is left alone). */
void packet_tx_ring_close (struct packet_tx_ring *ring);

/* Send frames[0..n) in order through the ring with one send(2) on fd,
 * with the result as aoe_transport_send_batch defines it: a frame the
 * ring has no free slot for, or the kernel did not take for lack of send
 * buffer, stops the batch (result->done < n: retry when fd is writable);
 * a send(2) error other than EAGAIN loses the frames it did not take
 * (counted in result->lost). */
void packet_tx_ring_send_batch (struct packet_tx_ring *ring, int fd,
                                const struct aoe_tx_frame *frames,
                                unsigned n,
                                struct aoe_send_batch_result *result);

#endif /* AOE_PACKET_TX_RING_H */
