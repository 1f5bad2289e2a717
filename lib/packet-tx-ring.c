/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The packet socket's transmit ring: see packet-tx-ring.h for why and for
 * the slot protocol.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_packet.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "packet-tx-ring.h"

/* Where a TPACKET_V2 slot's frame starts: after the slot header (the
 * kernel's tp_hdrlen less the sockaddr_ll it reserves only on receive). */
#define SLOT_DATA_OFFSET (TPACKET2_HDRLEN - sizeof (struct sockaddr_ll))

/* The header of slot i. */
static struct tpacket2_hdr *
slot_header (const struct packet_tx_ring *ring, unsigned i)
{
  return (struct tpacket2_hdr *) (ring->map
                                  + (size_t) (i / ring->per_block)
                                    * ring->block_bytes
                                  + (size_t) (i % ring->per_block)
                                    * ring->frame_bytes);
}

/* The slot's status, read before its contents (acquire: the kernel
 * wrote the slot before giving it back). */
static unsigned
slot_status (const struct tpacket2_hdr *hdr)
{
  return __atomic_load_n (&hdr->tp_status, __ATOMIC_ACQUIRE);
}

/* Set the slot's status, after its contents (release). */
static void
slot_set_status (struct tpacket2_hdr *hdr, unsigned status)
{
  __atomic_store_n (&hdr->tp_status, status, __ATOMIC_RELEASE);
}

/* The slot after i. */
static unsigned
next_slot (const struct packet_tx_ring *ring, unsigned i)
{
  return i + 1 == ring->nslots ? 0 : i + 1;
}

int
packet_tx_ring_open (struct packet_tx_ring *ring, int fd, size_t max_frame,
                     unsigned nslots)
{
  long page = sysconf (_SC_PAGESIZE);
  int version = TPACKET_V2;
  struct tpacket_req req;
  size_t frame_bytes, nblocks;
  void *map;

  memset (ring, 0, sizeof *ring);
  if (page <= 0)
    page = 4096;
  frame_bytes = TPACKET_ALIGN (SLOT_DATA_OFFSET + max_frame);
  ring->frame_bytes = (unsigned) frame_bytes;
  ring->block_bytes = (frame_bytes + (size_t) page - 1) / (size_t) page
    * (size_t) page;
  ring->per_block = (unsigned) (ring->block_bytes / frame_bytes);
  nblocks = (nslots + ring->per_block - 1) / ring->per_block;
  ring->nslots = (unsigned) nblocks * ring->per_block;
  req = (struct tpacket_req) {
    .tp_block_size = (unsigned) ring->block_bytes,
    .tp_block_nr = (unsigned) nblocks,
    .tp_frame_size = ring->frame_bytes,
    .tp_frame_nr = ring->nslots,
  };
  if (setsockopt (fd, SOL_PACKET, PACKET_VERSION, &version,
                  sizeof version) == -1 ||
      setsockopt (fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) == -1)
    return -1;
  map = mmap (NULL, nblocks * ring->block_bytes, PROT_READ | PROT_WRITE,
              MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return -1;
  ring->map = map;
  ring->map_bytes = nblocks * ring->block_bytes;
  return 0;
}

void
packet_tx_ring_close (struct packet_tx_ring *ring)
{
  if (ring->map)
    munmap (ring->map, ring->map_bytes);
  ring->map = NULL;
}

/* Copy frame f into the free slot hdr and hand it to the kernel.  False
 * (nothing written) if it does not fit the slot. */
static bool
fill_slot (const struct packet_tx_ring *ring, struct tpacket2_hdr *hdr,
           const struct aoe_tx_frame *f)
{
  uint8_t *data = (uint8_t *) hdr + SLOT_DATA_OFFSET;
  size_t len = f->part[0].iov_len + f->part[1].iov_len;

  if (len > ring->frame_bytes - SLOT_DATA_OFFSET)
    return false;
  memcpy (data, f->part[0].iov_base, f->part[0].iov_len);
  if (f->part[1].iov_len > 0)
    memcpy (data + f->part[0].iov_len, f->part[1].iov_base,
            f->part[1].iov_len);
  hdr->tp_len = (unsigned) len;
  slot_set_status (hdr, TP_STATUS_SEND_REQUEST);
  return true;
}

/* True if the kernel did not take slot hdr in the last send(2): still
 * requested, or refused as malformed. */
static bool
slot_untaken (const struct tpacket2_hdr *hdr)
{
  unsigned status = slot_status (hdr);

  return status == TP_STATUS_SEND_REQUEST
    || (status & TP_STATUS_WRONG_FORMAT) != 0;
}

/* One send(2) for every requested slot.  0, or the errno of a failure. */
static int
kick (int fd)
{
  for (;;) {
    if (send (fd, NULL, 0, MSG_DONTWAIT) >= 0)
      return 0;
    if (errno != EINTR)
      return errno == EWOULDBLOCK ? EAGAIN : errno;
  }
}

void
packet_tx_ring_send_batch (struct packet_tx_ring *ring, int fd,
                           const struct aoe_tx_frame *frames, unsigned n,
                           struct aoe_send_batch_result *result)
{
  unsigned first = ring->head, slot = ring->head;
  unsigned frame_of_slot[AOE_TX_BATCH];
  unsigned filled = 0, i;
  int err;

  if (n > AOE_TX_BATCH)
    n = AOE_TX_BATCH;
  for (i = 0; i < n; ++i) {
    struct tpacket2_hdr *hdr = slot_header (ring, slot);

    if (slot_status (hdr) != TP_STATUS_AVAILABLE)
      break;                    /* ring full: the rest waits */
    if (!fill_slot (ring, hdr, &frames[i])) {
      result->lost++;
      result->lost_errno = EMSGSIZE;
      continue;
    }
    frame_of_slot[filled++] = i;
    slot = next_slot (ring, slot);
  }
  if (filled == 0) {
    result->done = i;
    return;
  }
  err = kick (fd);
  /* Find the first slot the kernel left, take it and the later ones
   * back, and rewind to it: the kernel's head stopped there too. */
  slot = first;
  for (unsigned k = 0; k < filled; ++k, slot = next_slot (ring, slot)) {
    struct tpacket2_hdr *hdr = slot_header (ring, slot);

    if (!slot_untaken (hdr))
      continue;
    ring->head = slot;
    for (unsigned j = k; j < filled; ++j, slot = next_slot (ring, slot))
      slot_set_status (slot_header (ring, slot), TP_STATUS_AVAILABLE);
    if (err == 0 || err == EAGAIN) {
      result->done = frame_of_slot[k];   /* retry from there when writable */
      return;
    }
    result->lost += filled - k;          /* a real error loses them */
    result->lost_errno = err;
    result->done = i;
    return;
  }
  ring->head = slot;
  result->done = i;
}
