/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Building the next frame to send: retransmissions first, then new
 * frames of queued commands in submission order (skipping commands that
 * wait for older writes), within each port's window.
 */
#include <string.h>

#include "engine-internal.h"

/* Zero-pad a request to Ethernet's minimum length; returns the length. */
static size_t
pad_frame (uint8_t *buf, size_t len)
{
  if (len < AOE_MIN_FRAME) {
    memset (buf + len, 0, AOE_MIN_FRAME - len);
    len = AOE_MIN_FRAME;
  }
  return len;
}

/* Write the common header for slot s going out on interface iface to dst. */
static void
put_header (const struct aoe_engine *e, const struct aoe_slot *s,
            uint8_t *buf, unsigned iface, const uint8_t dst[6],
            uint16_t shelf, uint8_t slot, uint8_t command)
{
  struct aoe_header h;

  memcpy (h.dst, dst, 6);
  memcpy (h.src, e->ifaces[iface].mac, 6);
  h.version = AOE_VERSION;
  h.flags = 0;
  h.error = 0;
  h.shelf = shelf;
  h.slot = slot;
  h.command = command;
  h.tag = aoe_engine_tag (e, (unsigned) (s - e->slots));
  aoe_wire_put_header (buf, &h);
}

/* Build the frame of data slot s for port p: READ/WRITE/FLUSH.  A
 * write's data is not copied: e->built_data points at it in the
 * command's buffer (aoe_engine_next_frame_parts). */
static size_t
build_data_frame (struct aoe_engine *e, const struct aoe_slot *s,
                  const struct aoe_port *p, uint8_t *buf)
{
  const struct aoe_command *cmd = s->cmd;
  struct aoe_ata_arg a;
  size_t len = AOE_ATA_HDR_LEN;

  put_header (e, s, buf, p->iface, p->mac, e->cfg.shelf, e->cfg.slot,
              AOE_CMD_ATA);
  if (cmd->op == AOE_OP_FLUSH)
    aoe_ata_build_flush (&a, e->id.flush_ext);
  else
    aoe_ata_build_rw (&a, e->id.lba48, cmd->op == AOE_OP_WRITE,
                      cmd->sector + s->rel_sector, (uint8_t) s->count);
  aoe_wire_put_ata (buf, &a);
  if (cmd->op == AOE_OP_WRITE) {
    /* Header and data together are never short of Ethernet's minimum. */
    e->built_data.data = (const uint8_t *) cmd->buf
                         + (size_t) s->rel_sector * ATA_SECTOR_SIZE;
    e->built_data.len = (size_t) s->count * ATA_SECTOR_SIZE;
    return len;
  }
  return pad_frame (buf, len);
}

/* Build the frame of control slot s for interface iface. */
static size_t
build_control_frame (const struct aoe_engine *e, const struct aoe_slot *s,
                     unsigned iface, uint8_t *buf)
{
  const struct aoe_command *cmd = s->cmd;

  put_header (e, s, buf, iface, cmd->dst, cmd->shelf, cmd->slot,
              cmd->aoe_command);
  if (cmd->arg_len > 0)
    memcpy (buf + AOE_HDR_LEN, cmd->arg, cmd->arg_len);
  return pad_frame (buf, AOE_HDR_LEN + cmd->arg_len);
}

/* Mark data slot s sent on port index pi at now. */
static void
mark_sent (struct aoe_engine *e, struct aoe_slot *s, unsigned pi, uint64_t now)
{
  struct aoe_port *p = &e->ports[pi];
  uint64_t rto = aoe_port_rto (p);
  unsigned shift = s->retries < 8 ? s->retries : 8;

  s->port = (uint8_t) pi;
  s->ports_used |= (uint8_t) (1u << pi);
  s->state = SLOT_IN_FLIGHT;
  s->sent_at = now;
  rto <<= shift;  /* exponential backoff per retry of the same frame */
  if (rto > AOE_RTO_MAX_US)
    rto = AOE_RTO_MAX_US;
  s->resend_at = now + rto;
  aoe_engine_note_deadline (e, s->resend_at);
  p->nout++;
  s->port_seq = ++p->send_seq;
  aoe_list_append (&p->inflight, &s->port_link);
  p->frames_sent++;
}

/* Control slot s has gone out on its last interface: wait for replies. */
static void
mark_control_sent (struct aoe_engine *e, struct aoe_slot *s, uint64_t now)
{
  uint64_t rto = (uint64_t) AOE_RTO_INITIAL_US << (s->retries < 4 ? s->retries : 4);

  if (e->ref_port >= 0)
    rto = aoe_port_rto (&e->ports[e->ref_port])
          << (s->retries < 4 ? s->retries : 4);
  if (rto > AOE_RTO_MAX_US)
    rto = AOE_RTO_MAX_US;
  s->state = SLOT_IN_FLIGHT;
  s->sent_at = now;
  s->resend_at = now + rto;
  aoe_engine_note_deadline (e, s->resend_at);
}

/* Send the next interface's copy of the control slot being broadcast. */
static size_t
continue_control (struct aoe_engine *e, uint64_t now, uint8_t *buf,
                  unsigned *iface)
{
  struct aoe_slot *s = e->sending;
  unsigned i;

  for (i = 0; i < e->nifaces; i++)
    if (s->ifaces_left & (1u << i))
      break;
  s->ifaces_left &= (uint8_t) ~(1u << i);
  if (s->ifaces_left == 0) {
    e->sending = NULL;
    mark_control_sent (e, s, now);
  }
  *iface = i;
  return build_control_frame (e, s, i, buf);
}

/* Start sending control slot s (first transmission or a retransmission). */
static size_t
start_control (struct aoe_engine *e, struct aoe_slot *s, uint64_t now,
               uint8_t *buf, unsigned *iface)
{
  int target = s->cmd->iface;

  s->ifaces_left = target < 0 ? (uint8_t) ((1u << e->nifaces) - 1)
                              : (uint8_t) (1u << target);
  s->state = SLOT_SENDING;
  e->sending = s;
  return continue_control (e, now, buf, iface);
}

/* Pop a free slot for cmd, or NULL if none is left. */
static struct aoe_slot *
alloc_slot (struct aoe_engine *e, struct aoe_command *cmd)
{
  struct aoe_slot *s;

  if (e->nfree == 0)
    return NULL;
  s = &e->slots[e->free_stack[--e->nfree]];
  s->cmd = cmd;
  s->first_gen = s->gen;
  s->retries = 0;
  s->ports_used = 0;
  cmd->frames_out++;
  return s;
}

/* The port to retransmit data slot s on, or -1 to wait.  Reads prefer
 * another port than the one that lost them.  Writes stay on their port
 * unless it is demoted: a copy stuck in a slow target's queue would land
 * after a newer overlapping write sent through another port, while on
 * the same port the target's FIFO keeps them in order.  Moving off a
 * demoted port, a write still goes behind an older write's ghost (the
 * ghost's port, even demoted: that is the only safe one). */
static int
retransmit_port (struct aoe_engine *e, const struct aoe_slot *s, uint64_t now)
{
  const struct aoe_port *p = &e->ports[s->port];

  if (s->cmd->op == AOE_OP_WRITE && !p->demoted)
    return p->nout < p->cwnd ? s->port : -1;
  if (s->cmd->op == AOE_OP_WRITE) {
    int g = aoe_engine_ghost_port (e, s->cmd->sector + s->rel_sector,
                                   s->sent_count);
    if (g == AOE_GHOST_WAIT)
      return -1;
    if (g >= 0)
      return e->ports[g].nout < e->ports[g].cwnd ? g : -1;
  }
  return aoe_engine_pick_port (e, s->port, now);
}

/* The port a new frame of sectors [rel, rel + n) of cmd goes to: the
 * least loaded (aoe_engine_pick_port), except that a write frame
 * overlapping a ghost goes to the ghost's port.  -1 if every window is
 * full; -2 if only this frame must wait (its ghost's port is full or
 * unusable, or ghosts on two ports overlap it). */
static int
new_frame_port (struct aoe_engine *e, const struct aoe_command *cmd,
                uint32_t rel, uint32_t n, uint64_t now)
{
  if (cmd->op == AOE_OP_WRITE) {
    int g = aoe_engine_ghost_port (e, cmd->sector + rel, n);
    if (g == AOE_GHOST_WAIT
        || (g >= 0 && !aoe_engine_ghost_port_open (e, (unsigned) g)))
      return -2;
    if (g >= 0)
      return g;
  }
  return aoe_engine_pick_port (e, -1, now);
}

/* Retransmit the oldest timed-out slot if a window allows; 0 if not. */
static size_t
resend (struct aoe_engine *e, uint64_t now, uint8_t *buf, unsigned *iface)
{
  struct aoe_slot *s;
  int pi;

  if (aoe_list_empty (&e->rexmit))
    return 0;
  s = aoe_container_of (e->rexmit.next, struct aoe_slot, rexmit_link);
  if (s->cmd->op == AOE_OP_CONTROL) {
    aoe_list_remove (&s->rexmit_link);
    s->gen = aoe_gen_next (s->gen);   /* a fresh tag every time */
    s->retries++;
    e->stats.retransmits++;
    return start_control (e, s, now, buf, iface);
  }
  pi = retransmit_port (e, s, now);
  if (pi < 0)
    return 0;   /* no window room: wait */
  aoe_list_remove (&s->rexmit_link);
  s->gen = aoe_gen_next (s->gen);
  s->retries++;
  e->stats.retransmits++;
  mark_sent (e, s, (unsigned) pi, now);
  *iface = e->ports[pi].iface;
  return build_data_frame (e, s, &e->ports[pi], buf);
}

/* Start a new data slot for sectors [rel, rel + n) of cmd on port pi. */
static size_t
start_data_slot (struct aoe_engine *e, struct aoe_command *cmd, uint32_t rel,
                 uint32_t n, unsigned pi, uint64_t now, uint8_t *buf,
                 unsigned *iface)
{
  struct aoe_slot *s = alloc_slot (e, cmd);

  s->rel_sector = rel;
  s->count = (uint16_t) n;
  s->sent_count = (uint16_t) n;
  mark_sent (e, s, pi, now);
  *iface = e->ports[pi].iface;
  return build_data_frame (e, s, &e->ports[pi], buf);
}

/* Reissue the next piece of a range split off a shrunk frame, if a
 * port can take it. */
static size_t
issue_spill (struct aoe_engine *e, uint64_t now, uint8_t *buf,
             unsigned *iface)
{
  const struct aoe_spill *sp = &e->spill[0];
  struct aoe_command *cmd;
  uint32_t rel, n;
  int pi;

  n = sp->count < e->frame_sectors ? sp->count : e->frame_sectors;
  pi = new_frame_port (e, sp->cmd, sp->rel_sector, n, now);
  if (pi < 0)
    return 0;
  if (!aoe_engine_take_spill (e, e->frame_sectors, &cmd, &rel, &n))
    return 0;
  return start_data_slot (e, cmd, rel, n, (unsigned) pi, now, buf, iface);
}

/* Sectors the next frame of data command cmd carries (0: a flush). */
static uint32_t
next_piece (const struct aoe_engine *e, const struct aoe_command *cmd)
{
  uint32_t n = 0;

  if (cmd->op != AOE_OP_FLUSH) {
    n = cmd->count - cmd->next_sector;
    if (n > e->frame_sectors)
      n = e->frame_sectors;
  }
  return n;
}

/* Hand the next piece of a data command to a new slot on port pi. */
static size_t
issue_data (struct aoe_engine *e, struct aoe_command *cmd, unsigned pi,
            uint64_t now, uint8_t *buf, unsigned *iface)
{
  uint32_t rel = cmd->next_sector;
  uint32_t n = next_piece (e, cmd);

  cmd->next_sector += n;
  if (cmd->next_sector >= cmd->count) {
    cmd->issued_all = true;
    aoe_list_remove (&cmd->issue_link);
  }
  return start_data_slot (e, cmd, rel, n, pi, now, buf, iface);
}

/* Choose and build the next frame (see aoe_engine_next_frame). */
static size_t
next_frame (struct aoe_engine *e, uint64_t now, uint8_t *buf, unsigned *iface)
{
  struct aoe_list *l;
  size_t len;
  int pi;

  if (e->sending)
    return continue_control (e, now, buf, iface);
  if (!aoe_list_empty (&e->control_queue) && e->nfree > 0) {
    struct aoe_command *cmd =
      aoe_container_of (e->control_queue.next, struct aoe_command, issue_link);
    struct aoe_slot *s = alloc_slot (e, cmd);
    cmd->issued_all = true;
    aoe_list_remove (&cmd->issue_link);
    return start_control (e, s, now, buf, iface);
  }
  len = resend (e, now, buf, iface);
  if (len > 0 || !aoe_list_empty (&e->rexmit))
    return len;   /* retransmissions go before new work */
  if (e->nfree == 0)
    return 0;
  if (e->nspill > 0)
    return issue_spill (e, now, buf, iface);

  for (l = e->issue_queue.next; l != &e->issue_queue; l = l->next) {
    struct aoe_command *cmd =
      aoe_container_of (l, struct aoe_command, issue_link);

    if (cmd->waiting_on > 0)
      continue;           /* ordered behind an older write */
    pi = new_frame_port (e, cmd, cmd->next_sector, next_piece (e, cmd), now);
    if (pi == -2)
      continue;           /* behind a ghost whose port cannot take it */
    if (pi < 0)
      return 0;           /* every window is full */
    return issue_data (e, cmd, (unsigned) pi, now, buf, iface);
  }
  return 0;
}

size_t
aoe_engine_next_frame_parts (struct aoe_engine *e, uint64_t now,
                             uint8_t *buf, size_t cap, unsigned *iface,
                             struct aoe_frame_data *data)
{
  size_t len;

  e->built_data = (struct aoe_frame_data) { NULL, 0 };
  *data = e->built_data;
  if (cap < AOE_MAX_FRAME)
    return 0;
  e->now = now;
  len = next_frame (e, now, buf, iface);
  if (len > 0) {
    *data = e->built_data;
    e->stats.frames_sent++;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_FRAMES,
                      "send tag %08x cmd %u len %zu on interface %u",
                      aoe_get_be32 (buf + 20), buf[19], len + data->len,
                      *iface);
  }
  return len;
}

size_t
aoe_engine_next_frame (struct aoe_engine *e, uint64_t now, uint8_t *buf,
                       size_t cap, unsigned *iface)
{
  struct aoe_frame_data data;
  size_t len = aoe_engine_next_frame_parts (e, now, buf, cap, iface, &data);

  if (data.len > 0)
    memcpy (buf + len, data.data, data.len);
  return len + data.len;
}
