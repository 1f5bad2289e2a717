/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The send side of the I/O session: frames from the engine to the
 * interfaces.
 *
 * Frames the engine has ready are built into a batch of up to
 * AOE_TX_BATCH slots and handed to the transports in runs (one send of
 * the transmit ring, or one sendmmsg, per run on the packet transport),
 * so a burst of frames costs one system call instead of one each.  On a
 * transport that gathers, a write frame is its header in the slot plus
 * the data where the caller left it (one copy: into the transmit ring,
 * or the kernel's into the socket); otherwise
 * the data is copied behind the header.  A frame the kernel refuses
 * (EAGAIN: the socket's buffer is full) stays batched, with every frame
 * after it, until its interface is writable again (its data is copied
 * into its slot then: the command may retire meanwhile); nothing else is
 * sent until then, which keeps the frames in the order the engine built
 * them.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* At most one "send failed" debug line per interface per this interval
 * (a downed link fails every frame). */
#define SEND_ERROR_LOG_US 1000000

/* How long frames refused with EAGAIN may wait for their interface
 * before they are dropped like lost frames (the engine resends them): an
 * interface that never drains must not stall every other path. */
#define SEND_BLOCK_MAX_US 200000

/* Bytes copied into the batch's slots after which it goes out even if
 * more frames are ready: the target can start on the first frames while
 * later ones are built (where the transport does not gather, jumbo
 * writes copy 8 KiB per frame). */
#define TX_BATCH_BYTES (32u << 10)

/* count frames on iface were lost to send error err (interface down,
 * frame dropped by the device): count them, and log it unless a line was
 * logged less than SEND_ERROR_LOG_US ago.  The engine resends them like
 * frames lost on the wire. */
static void
send_failed (struct aoe_io_iface *iface, unsigned count, int err,
             uint64_t now)
{
  bool first = iface->send_errors == 0;

  iface->send_errors += count;
  if (!first && now - iface->send_error_logged_at < SEND_ERROR_LOG_US)
    return;
  iface->send_error_logged_at = now;
  debug (iface->io->h, AOE_DEBUG_EVENTS, "send on %s failed: %s (%llu frames "
         "lost so far)", iface->transport->ifname, strerror (err),
         (unsigned long long) iface->send_errors);
}

/* Drop the first count batched frames (sent or given up). */
static void
batch_consume (struct aoe_tx_batch *tx, unsigned count)
{
  tx->n -= count;
  memmove (tx->frame, tx->frame + count, tx->n * sizeof tx->frame[0]);
  memmove (tx->ifindex, tx->ifindex + count, tx->n * sizeof tx->ifindex[0]);
  if (tx->n == 0)
    tx->bytes = 0;
}

/* Copy the data of frame f behind its header in its slot, so that it no
 * longer points into a command's buffer. */
static void
frame_make_whole (struct aoe_tx_frame *f)
{
  struct iovec *head = &f->part[0], *data = &f->part[1];

  if (data->iov_len == 0)
    return;
  memcpy ((uint8_t *) head->iov_base + head->iov_len, data->iov_base,
          data->iov_len);
  head->iov_len += data->iov_len;
  *data = (struct iovec) { NULL, 0 };
}

/* Send the batch in order, one transport call per run of frames for the
 * same interface.  A refused frame marks its interface blocked and stops
 * the batch there (the frames left are made whole); an interface whose
 * frames all went out is unblocked. */
static void
flush_batch (struct aoe_io *io, uint64_t now)
{
  struct aoe_tx_batch *tx = &io->tx;

  while (tx->n > 0) {
    unsigned ifindex = tx->ifindex[0], run = 1;
    struct aoe_io_iface *iface = &io->ifaces[ifindex];
    struct aoe_send_batch_result result;

    while (run < tx->n && tx->ifindex[run] == ifindex)
      run++;
    aoe_transport_send_batch (iface->transport, tx->frame, run, &result);
    if (result.lost)
      send_failed (iface, result.lost, result.lost_errno, now);
    batch_consume (tx, result.done);
    if (result.done < run) {
      unsigned i;

      for (i = 0; i < tx->n; ++i)
        frame_make_whole (&tx->frame[i]);
      if (!iface->write_blocked) {
        iface->blocked_since = now;
        iface->send_blocked++;
      }
      iface->write_blocked = true;
      return;
    }
    iface->write_blocked = false;
  }
}

bool
aoe_io_any_blocked (const struct aoe_io *io)
{
  size_t i;

  for (i = 0; i < io->nifaces; ++i)
    if (io->ifaces[i].write_blocked)
      return true;
  return false;
}

void
aoe_io_send_ready (struct aoe_io *io, uint64_t now)
{
  struct aoe_tx_batch *tx = &io->tx;

  if (aoe_io_any_blocked (io))
    return;
  for (;;) {
    uint8_t *slot = tx->frames + (size_t) tx->n * AOE_MAX_FRAME;
    struct aoe_tx_frame *f = &tx->frame[tx->n];
    struct aoe_frame_data data;
    unsigned ifindex;
    size_t len;

    len = aoe_engine_next_frame_parts (io->engine, now, slot, AOE_MAX_FRAME,
                                       &ifindex, &data);
    if (len == 0)
      break;
    if (ifindex >= io->nifaces)
      continue;
    f->part[0] = (struct iovec) { .iov_base = slot, .iov_len = len };
    f->part[1] = (struct iovec) { .iov_base = (void *) data.data,
                                  .iov_len = data.len };
    if (!aoe_transport_gathers (io->ifaces[ifindex].transport))
      frame_make_whole (f);
    tx->ifindex[tx->n++] = ifindex;
    tx->bytes += f->part[0].iov_len;
    if (tx->n == AOE_TX_BATCH || tx->bytes >= TX_BATCH_BYTES) {
      flush_batch (io, now);
      if (tx->n > 0)
        return;
    }
  }
  flush_batch (io, now);
}

/* Drop the batched frames of iface (blocked too long), counting them as
 * lost; the other interfaces' frames keep their order. */
static void
drop_blocked (struct aoe_io *io, struct aoe_io_iface *iface, uint64_t now)
{
  struct aoe_tx_batch *tx = &io->tx;
  unsigned i, kept = 0, dropped = 0;

  for (i = 0; i < tx->n; ++i) {
    if (tx->ifindex[i] == iface->index) {
      dropped++;
      continue;
    }
    tx->frame[kept] = tx->frame[i];
    tx->ifindex[kept++] = tx->ifindex[i];
  }
  tx->n = kept;
  if (kept == 0)
    tx->bytes = 0;
  iface->write_blocked = false;
  if (dropped)
    send_failed (iface, dropped, EAGAIN, now);
}

void
aoe_io_retry_blocked (struct aoe_io *io, uint64_t now)
{
  size_t i;

  if (!aoe_io_any_blocked (io))
    return;
  for (i = 0; i < io->nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];

    if (iface->write_blocked
        && now - iface->blocked_since >= SEND_BLOCK_MAX_US)
      drop_blocked (io, iface, now);
  }
  flush_batch (io, now);
}

void
aoe_io_clear_blocked (struct aoe_io *io)
{
  size_t i;

  io->tx.n = 0;
  io->tx.bytes = 0;
  for (i = 0; i < io->nifaces; ++i)
    io->ifaces[i].write_blocked = false;
}

void
aoe_io_update_write_watchers (struct aoe_io *io)
{
  struct ev_loop *loop = io->loop;
  size_t i;

  for (i = 0; i < io->nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];

    if (iface->write_watched == iface->write_blocked)
      continue;
    iface->write_watched = iface->write_blocked;
    if (loop == NULL || iface->dead)
      continue;
    ev_io_stop (loop, &iface->watcher);
    ev_io_set (&iface->watcher, iface->watcher.fd,
               iface->write_blocked ? EV_READ | EV_WRITE : EV_READ);
    ev_io_start (loop, &iface->watcher);
  }
}

bool
aoe_io_watchers_stale (const struct aoe_io *io)
{
  size_t i;

  for (i = 0; i < io->nifaces; ++i)
    if (io->ifaces[i].write_watched != io->ifaces[i].write_blocked)
      return true;
  return false;
}
