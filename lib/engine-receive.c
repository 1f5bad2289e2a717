/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Matching received frames to slots and completing commands.
 *
 * A reply is accepted only if it is a response addressed to our MAC on
 * the interface it arrived on, its tag carries this engine's initiator id
 * and names a busy slot at a generation that slot used, and (data) it
 * comes from a verified port the slot was sent to, for the bound
 * shelf.slot, with the ATA command code and a length that fits; (control)
 * it has the request's command code, shelf.slot unless broadcast, and
 * the request's dst MAC as source and interface as arrival unless
 * broadcast.  Every other frame is counted and dropped.  Each
 * retransmission uses a fresh tag, so a reply to the latest tag is an
 * unambiguous RTT sample (Karn), and a late reply to a superseded tag
 * still completes its frame once: the slot is released on the first
 * reply and its generation moves on.
 */
#include <string.h>

#include "engine-internal.h"

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool
aoe_gen_in_range (uint16_t g, uint16_t first, uint16_t last)
{
  unsigned m = AOE_GEN_MAX;

  if (g == 0 || g > AOE_GEN_MAX || first == 0)
    return false;
  return (g + m - first) % m <= (last + m - first) % m;
}

uint16_t
aoe_gen_next (uint16_t g)
{
  return g >= AOE_GEN_MAX ? 1 : (uint16_t) (g + 1);
}

/* The target announced itself (vblade does at start-up, tag 0): what was
 * in flight to that port was probably lost in a restart, so queue it for
 * retransmission now instead of waiting for the timeout. */
static void
resend_port_now (struct aoe_engine *e, unsigned pi)
{
  unsigned i;

  for (i = 0; i < AOE_MAX_SLOTS; i++) {
    struct aoe_slot *s = &e->slots[i];
    if (s->state == SLOT_IN_FLIGHT && s->cmd->op != AOE_OP_CONTROL
        && s->port == pi)
      aoe_engine_requeue_slot (e, s);
  }
}

/* A Query Config reply about the bound target that no request of ours is
 * waiting for: a start-up announcement (version nibble 0 from vblade is
 * accepted) or a late duplicate.  Learn or refresh the port. */
static void
receive_unsolicited_config (struct aoe_engine *e, const struct aoe_header *h,
                            const uint8_t *frame, size_t len, unsigned iface,
                            uint64_t now)
{
  struct aoe_config_arg c;
  int known, pi;

  if (aoe_wire_get_config (frame, len, &c) < 0) {
    e->stats.dropped_malformed++;
    return;
  }
  known = aoe_engine_find_port (e, iface, h->src);
  pi = aoe_engine_add_port (e, iface, h->src, &c, now);
  if (pi < 0) {
    e->stats.dropped_foreign++;  /* pinned to another MAC, or full */
    return;
  }
  if (!aoe_port_trusted (&e->ports[pi])) {
    if (e->ports[pi].trust == PORT_REJECTED)
      e->stats.dropped_foreign++;
    return;     /* being checked (or another disk): it carries nothing */
  }
  if (known >= 0 && h->tag == 0) {
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "port %d announced itself (restart?): resending", pi);
    resend_port_now (e, (unsigned) pi);
    aoe_port_reset_window (&e->ports[pi], e->cfg.max_in_flight);
    aoe_engine_port_alive (e, (unsigned) pi);
    /* Losses during the outage say nothing about frame sizes. */
    e->ports[pi].big_losses = 0;
    e->ports[pi].small_ok_at = 0;
  }
}

/* A reply matched control slot s. */
static void
receive_control (struct aoe_engine *e, struct aoe_slot *s,
                 const struct aoe_header *h, const uint8_t *frame,
                 size_t len, unsigned iface)
{
  struct aoe_command *cmd = s->cmd;
  bool unicast = memcmp (cmd->dst, broadcast_mac, 6) != 0;
  int r;

  if (h->command != cmd->aoe_command
      || (unicast && memcmp (h->src, cmd->dst, 6) != 0)
      || (unicast && cmd->iface >= 0 && iface != (unsigned) cmd->iface)
      || (cmd->shelf != 0xFFFF && h->shelf != cmd->shelf)
      || (cmd->slot != 0xFF && h->slot != cmd->slot)) {
    e->stats.dropped_foreign++;
    return;
  }
  r = cmd->on_reply (cmd, frame, len, iface);
  if (r == 1)
    return;   /* collecting: keep the slot for more replies */
  aoe_engine_retire (e, cmd, r);
}

/* A reply matched data slot s at generation gen. */
static void
receive_data (struct aoe_engine *e, struct aoe_slot *s,
              const struct aoe_header *h, uint16_t gen,
              const uint8_t *frame, size_t len, unsigned iface, uint64_t now)
{
  struct aoe_command *cmd = s->cmd;
  struct aoe_ata_arg a;
  int pi = aoe_engine_find_port (e, iface, h->src);
  unsigned port;
  int err;

  /* Only from a verified port this use of the slot was sent to: another
   * port of the same disk would carry the same bytes, but a port not
   * verified (or a stranger using its MAC elsewhere) proves nothing. */
  if (pi < 0 || !aoe_port_trusted (&e->ports[pi])
      || !(s->ports_used & (1u << pi)) || h->shelf != e->cfg.shelf
      || h->slot != e->cfg.slot || h->command != AOE_CMD_ATA) {
    e->stats.dropped_foreign++;
    return;
  }
  if (h->flags & AOE_FLAG_ERROR) {
    e->stats.aoe_errors++;
    /* A large frame refused as a bad argument: the target's MTU shrank. */
    if (h->error == AOE_ERR_BAD_ARG && aoe_engine_mtu_on_bad_arg (e, s))
      return;
    /* Deterministic: retransmitting would only repeat it (the kernel
     * driver's 180-second storm).  Fail at once. */
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "AoE error %u (%s) from target", h->error, aoe_error_name (h->error));
    aoe_engine_retire (e, cmd, aoe_error_errno (h->error));
    return;
  }
  if (aoe_wire_get_ata (frame, len, &a) < 0) {
    e->stats.dropped_malformed++;
    return;
  }
  aoe_engine_port_alive (e, (unsigned) pi);
  e->ports[pi].replies++;
  err = aoe_ata_errno (a.command, a.feature, cmd->op == AOE_OP_WRITE);
  if (err) {
    e->stats.ata_errors++;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "ATA status 0x%02x error 0x%02x at sector %llu",
                      a.command, a.feature,
                      (unsigned long long) (cmd->sector + s->rel_sector));
    aoe_engine_retire (e, cmd, err);
    return;
  }
  if (cmd->op == AOE_OP_READ) {
    size_t n = (size_t) s->count * ATA_SECTOR_SIZE;
    if (len < AOE_ATA_HDR_LEN + n) {
      e->stats.dropped_malformed++;   /* truncated: wait for a resend */
      return;
    }
    memcpy ((uint8_t *) cmd->buf + (size_t) s->rel_sector * ATA_SECTOR_SIZE,
            frame + AOE_ATA_HDR_LEN, n);
  }

  if (gen == s->gen)
    aoe_port_rtt_sample (&e->ports[s->port], now - s->sent_at);
  else
    e->stats.late_replies++;
  if (s->state == SLOT_IN_FLIGHT)
    aoe_port_on_reply (&e->ports[s->port]);
  aoe_engine_mtu_on_reply (e, s, now);
  if (gen == s->gen && s->state == SLOT_IN_FLIGHT
      && s->port_seq > e->ports[s->port].acked_seq)
    e->ports[s->port].acked_seq = s->port_seq;
  cmd->done_sectors += s->count;
  port = s->port;
  aoe_engine_leave_ghosts (e, s, pi, gen);
  aoe_engine_release_slot (e, s);
  aoe_engine_fast_retransmit (e, port, now);
  if (aoe_command_finished (cmd))
    aoe_engine_retire (e, cmd, 0);
}

void
aoe_engine_receive (struct aoe_engine *e, const uint8_t *frame, size_t len,
                    unsigned iface, uint64_t now)
{
  struct aoe_header h;
  struct aoe_slot *s = NULL;
  unsigned idx;
  uint16_t gen;
  bool to_us;

  e->now = now;
  if (aoe_wire_get_header (frame, len, &h) < 0) {
    e->stats.dropped_malformed++;
    return;
  }
  if (!(h.flags & AOE_FLAG_RESPONSE))
    return;   /* a request (another initiator's): not for us */
  e->stats.frames_received++;
  aoe_engine_debug (e, AOE_ENGINE_DEBUG_FRAMES,
                    "recv tag %08x cmd %u flags 0x%x err %u e%u.%u len %zu",
                    h.tag, h.command, h.flags, h.error, h.shelf, h.slot, len);
  if (iface >= e->nifaces) {
    e->stats.dropped_malformed++;
    return;
  }
  /* Flooded to us (a hub, a switch that has not learned yet, another
   * host's reply): not ours, whatever its tag says.  Broadcasts pass: a
   * target announces itself to ff:ff:ff:ff:ff:ff. */
  to_us = memcmp (h.dst, e->ifaces[iface].mac, 6) == 0;
  if (!to_us && memcmp (h.dst, broadcast_mac, 6) != 0) {
    e->stats.dropped_misaddressed++;
    return;
  }
  idx = h.tag & AOE_TAG_SLOT_MASK;
  gen = (uint16_t) ((h.tag >> AOE_TAG_GEN_SHIFT) & AOE_GEN_MAX);
  if (to_us && (h.tag & (AOE_TAG_USERLAND | AOE_TAG_ID_MASK)) == e->tag_base)
    s = &e->slots[idx];

  if (s && s->state != SLOT_FREE
      && aoe_gen_in_range (gen, s->first_gen, s->gen)) {
    if (s->cmd->op == AOE_OP_CONTROL)
      receive_control (e, s, &h, frame, len, iface);
    else
      receive_data (e, s, &h, gen, frame, len, iface, now);
    return;
  }
  if (h.command == AOE_CMD_CONFIG && e->cfg.shelf != 0xFFFF
      && h.shelf == e->cfg.shelf && h.slot == e->cfg.slot
      && !(h.flags & AOE_FLAG_ERROR)) {
    receive_unsolicited_config (e, &h, frame, len, iface, now);
    return;
  }
  if (s && aoe_gen_in_range (gen, s->prev_first_gen, s->prev_gen))
    e->stats.duplicates++;
  else
    e->stats.dropped_foreign++;
}
