/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The sans-I/O engine: lifecycle, ports, command submission, ordering,
 * retirement, timers and statistics.  Frame building is in
 * engine-frame.c, reply matching in engine-receive.c, congestion control
 * in engine-window.c.
 *
 * Ordering rules enforced here (AoE itself guarantees no order):
 *  - a write waits until every older incomplete write overlapping it has
 *    completed, so a retransmitted old write can never land on top of a
 *    newer one;
 *  - a flush waits until every older write has completed;
 *  - a write frame overlapping a copy of an older write that may still
 *    wait in some port's queue (a ghost: the older write completed on the
 *    first reply to one of its copies) goes to that port only, behind the
 *    copy in the target's FIFO, or waits until the ghost ends
 *    (engine-ghost.c): another port of the same disk could apply it
 *    first, and the stale copy would then overwrite it.
 * Each command counts the older commands it waits for (waiting_on) when
 * submitted; a completing write decrements its newer dependants.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"

struct aoe_engine *
aoe_engine_new (const struct aoe_engine_config *cfg,
                const struct aoe_iface_info *ifaces, size_t nifaces)
{
  struct aoe_engine *e;
  unsigned i;

  if (cfg == NULL || ifaces == NULL || nifaces == 0
      || nifaces > AOE_MAX_IFACES) {
    errno = EINVAL;
    return NULL;
  }
  for (i = 0; i < nifaces; i++)
    if (aoe_frame_sectors (ifaces[i].mtu, 1, 0) == 0) {
      errno = EINVAL;   /* no data frame fits */
      return NULL;
    }
  e = calloc (1, sizeof *e);
  if (e == NULL)
    return NULL;
  e->cfg = *cfg;
  memcpy (e->ifaces, ifaces, nifaces * sizeof *ifaces);
  e->nifaces = (unsigned) nifaces;
  for (i = 0; i < AOE_MAX_SLOTS; i++) {
    e->slots[i].state = SLOT_FREE;
    e->slots[i].gen = 1;
    aoe_list_init (&e->slots[i].rexmit_link);
    aoe_list_init (&e->slots[i].port_link);
    e->free_stack[i] = (uint16_t) (AOE_MAX_SLOTS - 1 - i);
  }
  e->nfree = AOE_MAX_SLOTS;
  e->deadline_hint = UINT64_MAX;
  e->tag_base = AOE_TAG_USERLAND
    | ((uint32_t) (cfg->initiator_id & AOE_MAX_INITIATOR_ID)
       << AOE_TAG_ID_SHIFT);
  e->ref_port = -1;
  e->verifier.port = -1;
  e->verifier.ref = -1;
  aoe_list_init (&e->commands);
  aoe_list_init (&e->issue_queue);
  aoe_list_init (&e->control_queue);
  aoe_list_init (&e->rexmit);
  return e;
}

void
aoe_engine_free (struct aoe_engine *e)
{
  free (e);
}

int
aoe_engine_find_port (const struct aoe_engine *e, unsigned iface,
                      const uint8_t mac[6])
{
  unsigned i;

  for (i = 0; i < e->nports; i++)
    if (e->ports[i].iface == iface && memcmp (e->ports[i].mac, mac, 6) == 0)
      return (int) i;
  return -1;
}

unsigned
aoe_frame_sectors (unsigned mtu, unsigned advertised, unsigned cap)
{
  unsigned n = advertised == 0 ? 2 : advertised;
  unsigned by_mtu = mtu >= AOE_MIN_MTU
    ? (mtu - AOE_ATA_HDR_LEN) / ATA_SECTOR_SIZE : 0;

  if (by_mtu < n)
    n = by_mtu;
  if (cap > 0 && cap < n)
    n = cap;
  if ((AOE_MAX_FRAME - AOE_ATA_HDR_LEN) / ATA_SECTOR_SIZE < n)
    n = (AOE_MAX_FRAME - AOE_ATA_HDR_LEN) / ATA_SECTOR_SIZE;
  return n;
}

/* True if mac may be a port: no pins, or one of the pinned MACs. */
static bool
mac_allowed (const struct aoe_engine *e, const uint8_t mac[6])
{
  unsigned i;

  if (e->cfg.npinned == 0)
    return true;
  for (i = 0; i < e->cfg.npinned && i < AOE_MAX_PORTS; i++)
    if (memcmp (mac, e->cfg.pinned_macs[i], 6) == 0)
      return true;
  return false;
}

/* A table entry for a new port: a free one, else the oldest rejected or
 * unverified port that is not being checked (so that strangers
 * announcing themselves cannot lock real paths out).  -1 if none. */
static int
new_port_index (struct aoe_engine *e)
{
  unsigned i;

  if (e->nports < AOE_MAX_PORTS)
    return (int) e->nports++;
  for (i = 0; i < e->nports; i++)
    if (e->ports[i].trust == PORT_REJECTED)
      return (int) i;
  for (i = 0; i < e->nports; i++)
    if (e->ports[i].trust == PORT_UNVERIFIED && e->verifier.port != (int) i
        && aoe_port_settled (&e->ports[i]))
      return (int) i;
  return -1;
}

int
aoe_engine_add_port (struct aoe_engine *e, unsigned iface,
                     const uint8_t mac[6], const struct aoe_config_arg *cfg,
                     uint64_t now)
{
  struct aoe_port *p;
  int i;

  if (iface >= e->nifaces || cfg == NULL) {
    errno = EINVAL;
    return -1;
  }
  if (!mac_allowed (e, mac)) {
    errno = EPERM;
    return -1;
  }
  i = aoe_engine_find_port (e, iface, mac);
  if (i < 0) {
    i = new_port_index (e);
    if (i < 0) {
      errno = ENOSPC;
      return -1;
    }
    p = &e->ports[i];
    memset (p, 0, sizeof *p);
    aoe_list_init (&p->inflight);
    memcpy (p->mac, mac, 6);
    p->iface = iface;
    p->trust = PORT_UNVERIFIED;
    p->verify_at = now;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "port %d: %02x:%02x:%02x:%02x:%02x:%02x on interface %u,"
                      " buffer count %u, sectors %u",
                      i, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
                      iface, cfg->buffer_count, cfg->sector_count);
  }
  p = &e->ports[i];
  if (p->trust == PORT_REJECTED)
    return i;   /* another disk: nothing it says matters */
  p->firmware = cfg->firmware;
  p->config_len = cfg->config && cfg->config_len <= AOE_MAX_CONFIG_LEN
    ? cfg->config_len : 0;
  if (p->config_len > 0)
    memcpy (p->config, cfg->config, p->config_len);
  p->frame_sectors = aoe_frame_sectors (e->ifaces[iface].mtu,
                                        cfg->sector_count,
                                        e->cfg.max_sectors);
  /* A new port, or a changed buffer count (target restarted with other
   * options): (re)start the window. */
  if (p->nframes == 0 || p->buffer_count != cfg->buffer_count) {
    p->buffer_count = cfg->buffer_count;
    aoe_port_reset_window (p, e->cfg.max_in_flight);
  }
  aoe_engine_update_frame_sectors (e);
  aoe_engine_verify_next (e, now);
  return i;
}

void
aoe_engine_set_identity (struct aoe_engine *e, const struct aoe_identity *id,
                         unsigned ref_port)
{
  e->id = *id;
  e->have_identity = true;
  if (ref_port < e->nports) {
    e->ref_port = (int) ref_port;
    e->ports[ref_port].trust = PORT_VERIFIED;
    aoe_engine_update_frame_sectors (e);
  }
  /* Tick soon: it starts checking the other ports. */
  aoe_engine_note_deadline (e, 0);
}

int
aoe_engine_ref_port (const struct aoe_engine *e)
{
  return e->ref_port;
}

unsigned
aoe_engine_ports_unsettled (const struct aoe_engine *e)
{
  unsigned i, n = 0;

  for (i = 0; i < e->nports; i++)
    if (!aoe_port_settled (&e->ports[i]))
      n++;
  return n;
}

bool
aoe_engine_port_verified (const struct aoe_engine *e, unsigned i)
{
  return i < e->nports && aoe_port_trusted (&e->ports[i]);
}

void
aoe_engine_set_timeout (struct aoe_engine *e, uint32_t timeout_ms)
{
  e->cfg.timeout_ms = timeout_ms;
}

/* True if a and b are writes whose sector ranges intersect. */
static bool
writes_overlap (const struct aoe_command *a, const struct aoe_command *b)
{
  return a->op == AOE_OP_WRITE && b->op == AOE_OP_WRITE
    && a->sector < b->sector + b->count && b->sector < a->sector + a->count;
}

/* True if newer command `c` must wait for the older command `o`. */
static bool
must_wait_for (const struct aoe_command *c, const struct aoe_command *o)
{
  if (o->op != AOE_OP_WRITE)
    return false;
  return c->op == AOE_OP_FLUSH || writes_overlap (c, o);
}

/* Check a command's fields before queueing it; 0 or an errno. */
static int
validate (const struct aoe_engine *e, const struct aoe_command *cmd)
{
  if (cmd->complete == NULL)
    return EINVAL;
  switch (cmd->op) {
  case AOE_OP_READ:
  case AOE_OP_WRITE:
    if (cmd->buf == NULL || cmd->count == 0
        || cmd->count > AOE_MAX_CMD_BYTES / ATA_SECTOR_SIZE)
      return EINVAL;
    if (e->ref_port < 0)   /* no identity, so no verified port yet */
      return ENOTCONN;
    if (cmd->sector > e->id.sectors
        || cmd->count > e->id.sectors - cmd->sector)
      return ENOSPC;
    return 0;
  case AOE_OP_FLUSH:
    if (e->ref_port < 0)   /* no identity, so no verified port yet */
      return ENOTCONN;
    if (!e->id.flush && !e->id.flush_ext)
      return ENOTSUP;
    return 0;
  case AOE_OP_CONTROL:
    if (cmd->on_reply == NULL || (cmd->arg == NULL && cmd->arg_len > 0)
        || cmd->arg_len > AOE_MAX_FRAME - AOE_HDR_LEN
        || cmd->iface < -1 || cmd->iface >= (int) e->nifaces)
      return EINVAL;
    return 0;
  }
  return EINVAL;
}

int
aoe_engine_submit (struct aoe_engine *e, struct aoe_command *cmd,
                   uint64_t now)
{
  struct aoe_list *l;
  uint32_t timeout;
  int err;

  e->now = now;
  err = validate (e, cmd);
  if (err)
    return err;

  if (cmd->op == AOE_OP_FLUSH) {
    cmd->sector = 0;
    cmd->count = 0;
  }
  cmd->seq = ++e->seq;
  timeout = cmd->timeout_ms ? cmd->timeout_ms : e->cfg.timeout_ms;
  cmd->deadline = (timeout == 0 || timeout == UINT32_MAX)
    ? UINT64_MAX : now + (uint64_t) timeout * 1000;
  cmd->next_sector = 0;
  cmd->done_sectors = 0;
  cmd->frames_out = 0;
  cmd->waiting_on = 0;
  cmd->spilled = 0;
  cmd->issued_all = false;

  for (l = e->commands.next; l != &e->commands; l = l->next) {
    struct aoe_command *o = aoe_container_of (l, struct aoe_command, link);
    if (must_wait_for (cmd, o))
      cmd->waiting_on++;
  }
  aoe_list_init (&cmd->link);
  aoe_list_init (&cmd->issue_link);
  aoe_list_append (&e->commands, &cmd->link);
  aoe_engine_note_deadline (e, cmd->deadline);
  aoe_list_append (cmd->op == AOE_OP_CONTROL ? &e->control_queue
                                             : &e->issue_queue,
                   &cmd->issue_link);
  e->ncommands++;
  return 0;
}

uint32_t
aoe_engine_tag (const struct aoe_engine *e, unsigned idx)
{
  return e->tag_base | ((uint32_t) e->slots[idx].gen << AOE_TAG_GEN_SHIFT)
    | idx;
}

void
aoe_engine_release_slot (struct aoe_engine *e, struct aoe_slot *s)
{
  unsigned idx = (unsigned) (s - e->slots);

  if (s->state == SLOT_IN_FLIGHT && s->cmd->op != AOE_OP_CONTROL) {
    e->ports[s->port].nout--;
    aoe_list_remove (&s->port_link);
  }
  if (s->state == SLOT_RESEND)
    aoe_list_remove (&s->rexmit_link);
  if (e->sending == s)
    e->sending = NULL;
  if (s->cmd)
    s->cmd->frames_out--;
  /* Remember the generations this use covered (to tell duplicates from
   * foreign frames), then move past them so late replies match nothing. */
  s->prev_first_gen = s->first_gen;
  s->prev_gen = s->gen;
  s->gen = aoe_gen_next (s->gen);
  s->cmd = NULL;
  s->state = SLOT_FREE;
  e->free_stack[e->nfree++] = (uint16_t) idx;
}

void
aoe_engine_retire (struct aoe_engine *e, struct aoe_command *cmd, int err)
{
  unsigned i;

  if (cmd->frames_out > 0)
    for (i = 0; i < AOE_MAX_SLOTS && cmd->frames_out > 0; i++)
      if (e->slots[i].cmd == cmd) {
        /* Unanswered: a write's copies may still land. */
        aoe_engine_leave_ghosts (e, &e->slots[i], -1, 0);
        aoe_engine_release_slot (e, &e->slots[i]);
      }
  if (cmd->spilled > 0)
    aoe_engine_drop_spill (e, cmd);

  /* Newer commands waiting for this write may now go. */
  if (cmd->op == AOE_OP_WRITE) {
    struct aoe_list *l;
    for (l = cmd->link.next; l != &e->commands; l = l->next) {
      struct aoe_command *c = aoe_container_of (l, struct aoe_command, link);
      if (must_wait_for (c, cmd))
        c->waiting_on--;
    }
  }
  aoe_list_remove (&cmd->issue_link);
  aoe_list_remove (&cmd->link);
  e->ncommands--;
  e->stats.commands_completed++;
  if (err == 0 && cmd->op == AOE_OP_READ)
    e->stats.bytes_read += (uint64_t) cmd->count * ATA_SECTOR_SIZE;
  if (err == 0 && cmd->op == AOE_OP_WRITE)
    e->stats.bytes_written += (uint64_t) cmd->count * ATA_SECTOR_SIZE;
  cmd->complete (cmd, err);
}

uint64_t
aoe_engine_next_deadline (const struct aoe_engine *e)
{
  return e->deadline_hint;
}

/* The exact earliest deadline: every in-flight slot, every command and
 * the end of every ghost (dropping the ghosts that ended: a write held
 * back by one may go now).  O(slots + commands), so only tick calls it. */
static uint64_t
exact_deadline (struct aoe_engine *e)
{
  uint64_t t = aoe_engine_ghosts_expire (e, e->now);
  const struct aoe_list *l;
  unsigned i;

  for (i = 0; i < AOE_MAX_SLOTS; i++)
    if (e->slots[i].state == SLOT_IN_FLIGHT && e->slots[i].resend_at < t)
      t = e->slots[i].resend_at;
  for (l = e->commands.next; l != &e->commands; l = l->next) {
    const struct aoe_command *c =
      aoe_container_of (l, struct aoe_command, link);
    if (c->deadline < t)
      t = c->deadline;
  }
  if (aoe_engine_verify_deadline (e) < t)
    t = aoe_engine_verify_deadline (e);
  return t;
}

void
aoe_engine_requeue_slot (struct aoe_engine *e, struct aoe_slot *s)
{
  if (s->state == SLOT_IN_FLIGHT && s->cmd->op != AOE_OP_CONTROL) {
    e->ports[s->port].nout--;
    aoe_list_remove (&s->port_link);
  }
  s->state = SLOT_RESEND;
  aoe_list_append (&e->rexmit, &s->rexmit_link);
}

/* Slot s timed out: queue it for retransmission on the next frame
 * opportunity, collapse its port's window. */
static void
slot_timed_out (struct aoe_engine *e, struct aoe_slot *s, uint64_t now)
{
  if (s->cmd->op != AOE_OP_CONTROL) {
    e->ports[s->port].frame_timeouts++;
    aoe_engine_port_loss (e, s->port, now);
    aoe_engine_mtu_on_timeout (e, s);
  }
  aoe_engine_requeue_slot (e, s);
  aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                    "tag %08x timed out after %u retries",
                    aoe_engine_tag (e, (unsigned) (s - e->slots)), s->retries);
}

void
aoe_engine_tick (struct aoe_engine *e, uint64_t now)
{
  struct aoe_list *l, *next;
  unsigned i;

  e->now = now;
  for (i = 0; i < AOE_MAX_SLOTS; i++) {
    struct aoe_slot *s = &e->slots[i];
    if (s->state == SLOT_IN_FLIGHT && s->resend_at <= now)
      slot_timed_out (e, s, now);
  }

  /* Commands past their deadline.  Retiring calls back into user code,
   * which may submit, so walk by restarting from the head each time. */
  for (l = e->commands.next; l != &e->commands; l = next) {
    struct aoe_command *c = aoe_container_of (l, struct aoe_command, link);
    next = l->next;
    if (c->deadline > now)
      continue;
    if (c->op == AOE_OP_CONTROL) {
      aoe_engine_retire (e, c, c->collect ? 0 : ETIMEDOUT);
    }
    else {
      e->stats.timeouts++;
      aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                        "command at sector %llu failed: no answer in time",
                        (unsigned long long) c->sector);
      aoe_engine_retire (e, c, EIO);
    }
    next = e->commands.next;  /* the list may have changed */
  }
  aoe_engine_verify_next (e, now);
  e->deadline_hint = exact_deadline (e);
}

void
aoe_engine_fail_all (struct aoe_engine *e, int err)
{
  while (!aoe_list_empty (&e->commands)) {
    struct aoe_command *c =
      aoe_container_of (e->commands.next, struct aoe_command, link);
    aoe_engine_retire (e, c, err);
  }
}

unsigned
aoe_engine_pending (const struct aoe_engine *e)
{
  return e->ncommands;
}

void
aoe_engine_get_stats (const struct aoe_engine *e,
                      struct aoe_engine_stats *st)
{
  unsigned i;

  *st = e->stats;
  st->window = st->window_max = st->in_flight = 0;
  for (i = 0; i < e->nports; i++) {
    if (!aoe_port_trusted (&e->ports[i]))
      continue;
    st->window += e->ports[i].cwnd;
    st->window_max += e->ports[i].nframes;
    st->in_flight += e->ports[i].nout;
  }
  if (e->ref_port >= 0) {
    const struct aoe_port *p = &e->ports[e->ref_port];
    st->srtt_us = (uint64_t) p->srtt_us;
    st->rttvar_us = (uint64_t) p->rttvar_us;
    st->rto_us = aoe_port_rto (p);
  }
}

unsigned
aoe_engine_nports (const struct aoe_engine *e)
{
  return e->nports;
}

void
aoe_engine_port_info (const struct aoe_engine *e, unsigned i,
                      uint8_t mac[6], unsigned *iface,
                      unsigned *buffer_count)
{
  const struct aoe_port *p = &e->ports[i];

  if (mac)
    memcpy (mac, p->mac, 6);
  if (iface)
    *iface = p->iface;
  if (buffer_count)
    *buffer_count = p->buffer_count;
}

void
aoe_engine_port_stats (const struct aoe_engine *e, unsigned i,
                       struct aoe_port_stats *st)
{
  const struct aoe_port *p = &e->ports[i];

  memcpy (st->mac, p->mac, 6);
  st->iface = p->iface;
  st->frames_sent = p->frames_sent;
  st->replies = p->replies;
  st->frame_timeouts = p->frame_timeouts;
  st->frame_sectors = p->frame_sectors;
  st->window = p->cwnd;
  st->demoted = p->demoted;
  st->verified = p->trust == PORT_VERIFIED;
  st->rejected = p->trust == PORT_REJECTED;
}

unsigned
aoe_engine_frame_sectors (const struct aoe_engine *e)
{
  return e->frame_sectors;
}

const struct aoe_identity *
aoe_engine_identity (const struct aoe_engine *e)
{
  return e->have_identity ? &e->id : NULL;
}
