/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Ghosts: write copies that may still wait in a target port's queue
 * after their write completed (see struct aoe_ghost in
 * engine-internal.h).  A newer write frame overlapping a ghost goes to
 * the ghost's port, behind the copy in that target's FIFO, or waits.
 *
 * Memory is fixed: AOE_GHOSTS_PER_PORT entries per port.  When a port's
 * entries are all in use, the new ghost merges into the entry it widens
 * least (a ghost covering more sectors, or ending later, only holds more
 * writes to that port: safe, never wrong data).
 */
#include "engine-internal.h"

/* True if ghost g of port p has ended at now: p answered a frame sent
 * after the copy (the target serves its port's frames in order, so the
 * copy was served before, or lost), or its life ran out. */
static bool
ghost_ended (const struct aoe_port *p, const struct aoe_ghost *g,
             uint64_t now)
{
  return p->acked_seq > g->seq || now >= g->until;
}

/* True if ghost g overlaps sectors [sector, sector + count). */
static bool
ghost_overlaps (const struct aoe_ghost *g, uint64_t sector, uint64_t count)
{
  return g->count > 0 && g->sector < sector + count
    && sector < g->sector + g->count;
}

/* The sectors ghost g would cover if it took in [sector, sector + count)
 * too (how much a merge widens it). */
static uint64_t
merged_span (const struct aoe_ghost *g, uint64_t sector, uint64_t count)
{
  uint64_t lo = g->sector < sector ? g->sector : sector;
  uint64_t hi = g->sector + g->count > sector + count
    ? g->sector + g->count : sector + count;

  return hi - lo;
}

/* Record a ghost of [sector, sector + count) on port pi, the copy's
 * send number seq: in a free entry, else merged into the entry it
 * widens least. */
static void
add_ghost (struct aoe_engine *e, unsigned pi, uint64_t sector,
           uint64_t count, uint64_t seq)
{
  struct aoe_port *p = &e->ports[pi];
  struct aoe_ghost *g = NULL;
  uint64_t until = e->now + AOE_GHOST_LIFE_US;
  unsigned i;

  for (i = 0; i < AOE_GHOSTS_PER_PORT; i++) {
    struct aoe_ghost *c = &p->ghosts[i];

    if (c->count > 0 && ghost_ended (p, c, e->now)) {
      c->count = 0;
      e->nghosts--;
    }
    if (c->count == 0) {
      g = c;
      break;
    }
    if (g == NULL || merged_span (c, sector, count) - c->count
                     < merged_span (g, sector, count) - g->count)
      g = c;
  }
  if (g->count == 0) {
    g->sector = sector;
    g->count = count;
    g->seq = seq;
    g->until = until;
    e->nghosts++;
  }
  else {
    uint64_t span = merged_span (g, sector, count);

    g->sector = g->sector < sector ? g->sector : sector;
    g->count = span;
    g->seq = g->seq > seq ? g->seq : seq;
    g->until = g->until > until ? g->until : until;
  }
  aoe_engine_note_deadline (e, until);
  aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                    "port %u: a write copy of sectors %llu+%llu may still "
                    "be queued: newer overlapping writes go there", pi,
                    (unsigned long long) sector, (unsigned long long) count);
}

void
aoe_engine_leave_ghosts (struct aoe_engine *e, const struct aoe_slot *s,
                         int answered_port, uint16_t gen)
{
  bool latest = answered_port == (int) s->port && gen == s->gen;
  unsigned pi;

  if (s->cmd->op != AOE_OP_WRITE)
    return;
  /* The common case: sent once, that copy answered. */
  if (latest && s->retries == 0)
    return;
  for (pi = 0; pi < e->nports; pi++) {
    uint64_t seq;

    if (!(s->ports_used & (1u << pi)))
      continue;
    if (pi == s->port) {
      /* The latest copy answered: its port served the earlier ones
       * before it (FIFO). */
      if (latest)
        continue;
      seq = s->port_seq;
    }
    else
      seq = e->ports[pi].send_seq;  /* its copies went out by then */
    if (e->ports[pi].acked_seq > seq)
      continue;   /* a later frame was answered there: copies are done */
    add_ghost (e, pi, s->cmd->sector + s->rel_sector, s->sent_count, seq);
  }
}

int
aoe_engine_ghost_port (struct aoe_engine *e, uint64_t sector, uint64_t count)
{
  int where = AOE_GHOST_ANY;
  unsigned pi, i;

  if (e->nghosts == 0)
    return AOE_GHOST_ANY;
  aoe_engine_ghosts_expire (e, e->now);   /* only live ones hold writes */
  for (pi = 0; pi < e->nports; pi++)
    for (i = 0; i < AOE_GHOSTS_PER_PORT; i++) {
      if (!ghost_overlaps (&e->ports[pi].ghosts[i], sector, count))
        continue;
      if (where != AOE_GHOST_ANY && where != (int) pi)
        return AOE_GHOST_WAIT;  /* no one port is behind both copies */
      where = (int) pi;
    }
  return where;
}

bool
aoe_engine_ghost_port_open (const struct aoe_engine *e, unsigned pi)
{
  const struct aoe_port *p = &e->ports[pi];

  /* A demoted port is probably dead: waiting for the ghost to end is
   * better than sending the write into it (its copies there would leave
   * ghosts of their own, holding back the next rewrite too). */
  return aoe_port_trusted (p) && !p->demoted && p->nout < p->cwnd;
}

uint64_t
aoe_engine_ghosts_expire (struct aoe_engine *e, uint64_t now)
{
  uint64_t t = UINT64_MAX;
  unsigned pi, i;

  if (e->nghosts == 0)
    return UINT64_MAX;
  for (pi = 0; pi < e->nports; pi++) {
    struct aoe_port *p = &e->ports[pi];

    for (i = 0; i < AOE_GHOSTS_PER_PORT; i++) {
      struct aoe_ghost *g = &p->ghosts[i];

      if (g->count == 0)
        continue;
      if (ghost_ended (p, g, now)) {
        g->count = 0;
        e->nghosts--;
      }
      else if (g->until < t)
        t = g->until;
    }
  }
  return t;
}
