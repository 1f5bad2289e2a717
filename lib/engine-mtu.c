/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Path MTU trouble: when frames larger than AOE_SMALL_SECTORS sectors
 * start to vanish while small ones get through (someone lowered an MTU on
 * the path), or the target refuses them with AoE error 2 (vblade
 * recomputes its sector limit from its MTU), fall back to small frames and
 * carry on.  A frame already in flight cannot be resized in place: its
 * slot is shrunk to AOE_SMALL_SECTORS and the rest of its range is
 * "spilled" into a queue that the frame builder reissues.
 */
#include <string.h>

#include "engine-internal.h"

/* Shrink data slot s to AOE_SMALL_SECTORS, spilling the rest. */
static void
shrink_slot (struct aoe_engine *e, struct aoe_slot *s)
{
  struct aoe_spill *sp;

  if (s->count <= AOE_SMALL_SECTORS || e->nspill >= AOE_MAX_SLOTS)
    return;
  sp = &e->spill[e->nspill++];
  sp->cmd = s->cmd;
  sp->rel_sector = s->rel_sector + AOE_SMALL_SECTORS;
  sp->count = s->count - AOE_SMALL_SECTORS;
  s->cmd->spilled += sp->count;
  s->count = AOE_SMALL_SECTORS;
}

/* Port pi carries at most AOE_SMALL_SECTORS per frame from now on. */
static void
fall_back (struct aoe_engine *e, unsigned pi, const char *why)
{
  struct aoe_port *p = &e->ports[pi];

  if (p->frame_sectors <= AOE_SMALL_SECTORS)
    return;
  aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                    "port %u: %s: falling back from %u to %u sectors per frame",
                    pi, why, p->frame_sectors, AOE_SMALL_SECTORS);
  p->frame_sectors = AOE_SMALL_SECTORS;
  e->stats.jumbo_fallbacks++;
  aoe_engine_update_frame_sectors (e);
}

void
aoe_engine_mtu_on_timeout (struct aoe_engine *e, struct aoe_slot *s)
{
  struct aoe_port *p = &e->ports[s->port];

  if (s->count <= AOE_SMALL_SECTORS) {
    /* Small frames vanish too: an outage or plain loss, not size. */
    p->big_losses = 0;
    p->small_ok_at = 0;
    return;
  }
  if (p->small_ok_at != 0 && s->sent_at >= p->small_ok_at)
    p->big_losses++;    /* lost although a small frame got through before */
  if (s->retries >= 1)
    shrink_slot (e, s);
}

void
aoe_engine_mtu_on_reply (struct aoe_engine *e, struct aoe_slot *s,
                         uint64_t now)
{
  struct aoe_port *p = &e->ports[s->port];

  if (s->count > AOE_SMALL_SECTORS) {
    p->big_losses = 0;
    p->small_ok_at = 0;
    return;
  }
  if (p->big_losses >= AOE_JUMBO_LOSSES)
    fall_back (e, s->port, "large frames lost while small ones get through");
  p->small_ok_at = now > 0 ? now : 1;
}

bool
aoe_engine_mtu_on_bad_arg (struct aoe_engine *e, struct aoe_slot *s)
{
  if (s->cmd->op == AOE_OP_CONTROL || s->count <= AOE_SMALL_SECTORS)
    return false;
  fall_back (e, s->port, "target refused a large frame");
  shrink_slot (e, s);
  if (s->state == SLOT_IN_FLIGHT)
    aoe_engine_requeue_slot (e, s);
  return true;
}

bool
aoe_engine_take_spill (struct aoe_engine *e, unsigned max,
                       struct aoe_command **cmd, uint32_t *rel_sector,
                       uint32_t *count)
{
  struct aoe_spill *sp;
  uint32_t n;

  if (e->nspill == 0 || max == 0)
    return false;
  sp = &e->spill[0];
  n = sp->count < max ? sp->count : max;
  *cmd = sp->cmd;
  *rel_sector = sp->rel_sector;
  *count = n;
  sp->cmd->spilled -= n;
  sp->rel_sector += n;
  sp->count -= n;
  if (sp->count == 0) {
    e->nspill--;
    memmove (&e->spill[0], &e->spill[1], e->nspill * sizeof e->spill[0]);
  }
  return true;
}

void
aoe_engine_drop_spill (struct aoe_engine *e, struct aoe_command *cmd)
{
  unsigned i, j = 0;

  for (i = 0; i < e->nspill; i++)
    if (e->spill[i].cmd != cmd)
      e->spill[j++] = e->spill[i];
  e->nspill = j;
  cmd->spilled = 0;
}
