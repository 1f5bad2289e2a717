/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Per-port congestion control: RTT estimation, retransmit timeout and the
 * window of frames in flight.
 *
 * RTT/RTO follow RFC 6298: SRTT and RTTVAR with gains 1/8 and 1/4,
 * RTO = SRTT + 4 * RTTVAR clamped to [AOE_RTO_MIN_US, AOE_RTO_MAX_US]
 * (the kernel driver's gain of 1/256 reacts far too slowly).  The window
 * follows the Linux aoe driver (aoecmd.c): the ceiling is the target's
 * buffer count (vblade drops frames beyond it), capped by the user; it
 * starts at half the ceiling, grows by one per reply below ssthresh (slow
 * start), then by one per full window of replies (congestion avoidance),
 * and collapses to 1 with ssthresh = window/2 when frames time out (at
 * most once per RTO).  A frame resent by fast retransmit instead steps
 * the window down by one, at most once per smoothed RTT.
 */
#include "engine-internal.h"

void
aoe_port_reset_window (struct aoe_port *p, unsigned cap)
{
  unsigned n = p->buffer_count;

  if (cap > 0 && cap < n)
    n = cap;
  if (n > AOE_MAX_SLOTS)
    n = AOE_MAX_SLOTS;
  if (n < 1)
    n = 1;  /* a buffer count of 0 or 1 must still make progress */
  p->nframes = n;
  p->cwnd = n / 2 > 0 ? n / 2 : 1;
  p->ssthresh = p->cwnd;
  p->next_cwnd = p->cwnd;
}

uint64_t
aoe_port_rto (const struct aoe_port *p)
{
  int64_t rto;

  if (!p->have_rtt)
    return AOE_RTO_INITIAL_US;
  rto = p->srtt_us + 4 * p->rttvar_us;
  if (rto < AOE_RTO_MIN_US)
    rto = AOE_RTO_MIN_US;
  if (rto > AOE_RTO_MAX_US)
    rto = AOE_RTO_MAX_US;
  return (uint64_t) rto;
}

void
aoe_port_rtt_sample (struct aoe_port *p, uint64_t rtt_us)
{
  int64_t r = (int64_t) rtt_us;
  int64_t err;

  if (!p->have_rtt) {
    p->srtt_us = r;
    p->rttvar_us = r / 2;
    p->have_rtt = true;
    return;
  }
  err = r - p->srtt_us;
  p->srtt_us += err / 8;
  if (err < 0)
    err = -err;
  p->rttvar_us += (err - p->rttvar_us) / 4;
}

void
aoe_port_on_reply (struct aoe_port *p)
{
  bool was_full = p->nout >= p->cwnd;

  if (p->cwnd >= p->nframes)
    return;
  if (p->cwnd < p->ssthresh) {
    p->cwnd++;                /* slow start */
    p->next_cwnd = p->cwnd;
  }
  else if (was_full && --p->next_cwnd == 0) {
    p->cwnd++;                /* congestion avoidance */
    p->next_cwnd = p->cwnd;
  }
}

/* True if some port other than pi is not demoted. */
static bool
other_port_usable (const struct aoe_engine *e, unsigned pi)
{
  unsigned i;

  for (i = 0; i < e->nports; i++)
    if (i != pi && aoe_port_trusted (&e->ports[i]) && !e->ports[i].demoted)
      return true;
  return false;
}

void
aoe_engine_port_loss (struct aoe_engine *e, unsigned pi, uint64_t now)
{
  struct aoe_port *p = &e->ports[pi];

  p->losses++;
  if (!p->demoted && p->losses >= AOE_DEMOTE_LOSSES
      && other_port_usable (e, pi)) {
    p->demoted = true;
    p->probe_at = now + AOE_PROBE_INTERVAL_US;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "port %u demoted after %u losses", pi, p->losses);
  }
  /* Several frames of one burst expire together: that is one loss event,
   * so collapse at most once per RTO. */
  if (p->loss_tick != 0 && now - p->loss_tick < aoe_port_rto (p))
    return;
  p->loss_tick = now;
  p->ssthresh = p->cwnd / 2 > 0 ? p->cwnd / 2 : 1;
  p->cwnd = 1;
  p->next_cwnd = 1;
}

void
aoe_engine_port_alive (struct aoe_engine *e, unsigned pi)
{
  struct aoe_port *p = &e->ports[pi];

  p->losses = 0;
  if (p->demoted) {
    p->demoted = false;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS, "port %u restored", pi);
  }
}

/* May port i carry a new frame now?  Window room, and not demoted unless
 * a probe is due or every port is demoted. */
static bool
port_available (struct aoe_engine *e, unsigned i, uint64_t now)
{
  struct aoe_port *p = &e->ports[i];

  if (!aoe_port_trusted (p) || p->nout >= p->cwnd)
    return false;
  if (!p->demoted || !other_port_usable (e, i))
    return true;
  if (p->nout == 0 && now >= p->probe_at) {
    p->probe_at = now + AOE_PROBE_INTERVAL_US;
    return true;
  }
  return false;
}

int
aoe_engine_pick_port (struct aoe_engine *e, int avoid, uint64_t now)
{
  int best = -1;
  unsigned i, k;

  /* Start after the round-robin cursor so equally loaded ports share. */
  for (k = 0; k < e->nports; k++) {
    struct aoe_port *p;

    i = (e->rr + k) % e->nports;
    p = &e->ports[i];
    if (!port_available (e, i, now))
      continue;
    if (best == -1 || (best == avoid && (int) i != avoid)) {
      best = (int) i;
      continue;
    }
    if ((int) i == avoid)
      continue;
    /* Least loaded relative to its window: nout/cwnd smaller. */
    if ((uint64_t) p->nout * e->ports[best].cwnd
        < (uint64_t) e->ports[best].nout * p->cwnd)
      best = (int) i;
  }
  if (best >= 0)
    e->rr = (unsigned) best + 1;
  return best;
}

void
aoe_engine_update_frame_sectors (struct aoe_engine *e)
{
  unsigned i, n = 0;

  for (i = 0; i < e->nports; i++)
    if (aoe_port_trusted (&e->ports[i])
        && (n == 0 || e->ports[i].frame_sectors < n))
      n = e->ports[i].frame_sectors;
  e->frame_sectors = n;
}

void
aoe_engine_fast_retransmit (struct aoe_engine *e, unsigned pi, uint64_t now)
{
  struct aoe_port *p = &e->ports[pi];

  while (!aoe_list_empty (&p->inflight)) {
    struct aoe_slot *s =
      aoe_container_of (p->inflight.next, struct aoe_slot, port_link);

    if (s->port_seq + AOE_DUPTHRESH > p->acked_seq)
      break;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "tag %08x overtaken by %u replies: resending",
                      aoe_engine_tag (e, (unsigned) (s - e->slots)),
                      AOE_DUPTHRESH);
    /* One window step down per round trip, however many frames a burst
     * lost: a lost frame that later replies overtook is not a sign of a
     * full target queue (that shows as timeouts, which collapse the
     * window), so halving here would throttle a lossy link to a crawl. */
    if (p->fast_tick == 0 || now - p->fast_tick >= (uint64_t) p->srtt_us) {
      p->fast_tick = now;
      if (p->cwnd > 1)
        p->cwnd--;
      p->next_cwnd = p->cwnd;
    }
    aoe_engine_mtu_on_timeout (e, s);
    aoe_engine_requeue_slot (e, s);
  }
}
