/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Private structures of the sans-I/O engine, shared by engine.c (commands
 * and queues), engine-frame.c (building frames), engine-receive.c
 * (matching replies) and engine-window.c (RTT, RTO and window per port).
 */
#ifndef AOE_ENGINE_INTERNAL_H
#define AOE_ENGINE_INTERNAL_H

#include <stdarg.h>

#include "engine.h"

/* Tags.  Several initiators talk to one target through one interface
 * (one MAC) and the target echoes every tag, so the tag alone tells whose
 * reply it is:
 *   bit 31      1: the Linux driver reserves tags with bit 31 set for
 *               userland tools and drops their replies (and its own tags
 *               have it clear), so libaoe and the kernel never take each
 *               other's replies;
 *   bits 30-22  the initiator id (struct aoe_engine_config), which the
 *               shell makes unique among the live libaoe engines of the
 *               host's network namespace: replies to another engine never
 *               match ours, whatever their generation;
 *   bits 21-8   the slot's generation (1..AOE_GEN_MAX, never 0);
 *   bits 7-0    the slot index (AOE_MAX_SLOTS = 256).
 * A tag is never 0, which vblade uses for its start-up announcement. */
#define AOE_TAG_USERLAND 0x80000000u
#define AOE_TAG_ID_SHIFT 22
#define AOE_TAG_ID_MASK 0x7FC00000u
#define AOE_TAG_GEN_SHIFT 8
#define AOE_GEN_MAX 0x3FFF
#define AOE_TAG_SLOT_MASK 0xFFu

/* Ethernet's minimum frame (without FCS): requests are padded to it. */
#define AOE_MIN_FRAME 60

/* Life of a slot. */
enum aoe_slot_state {
  SLOT_FREE,      /* unused, on the free stack */
  SLOT_IN_FLIGHT, /* sent, counted in its port's nout, awaiting a reply */
  SLOT_RESEND,    /* timed out, queued on the engine's rexmit list */
  SLOT_SENDING,   /* control frame still to go out on some interfaces */
};

/* One frame in flight: a piece of a command (or a whole control command),
 * identified on the wire by its tag. */
struct aoe_slot {
  struct aoe_command *cmd;  /* owner, NULL when free */
  enum aoe_slot_state state; /* see enum aoe_slot_state */
  uint16_t gen;             /* generation of the latest transmission */
  uint16_t first_gen;       /* generation of the first transmission */
  uint16_t prev_first_gen;  /* range of the previous use, to spot duplicates */
  uint16_t prev_gen;        /* ... its last generation */
  uint32_t rel_sector;      /* first sector, relative to cmd->sector */
  uint16_t count;           /* sectors carried */
  uint16_t sent_count;      /* sectors of its first transmission: a shrunk
                               frame's earlier copies cover more than count */
  uint8_t port;             /* port of the latest transmission (data) */
  uint8_t ports_used;       /* bitmask of every port this use was sent to
                               (a late reply must come from one of them) */
  uint8_t ifaces_left;      /* control: bitmask of interfaces still to send on */
  unsigned retries;         /* retransmissions so far */
  uint64_t sent_at;         /* time of the latest transmission */
  uint64_t resend_at;       /* when it times out (IN_FLIGHT only) */
  struct aoe_list rexmit_link; /* in the engine's rexmit list (RESEND) */
  uint64_t port_seq;        /* send order of the latest transmission on its port */
  struct aoe_list port_link; /* in its port's in-flight list (data, IN_FLIGHT) */
};

/* How far a port is trusted to be the bound target's disk. */
enum aoe_port_trust {
  PORT_UNVERIFIED, /* answered Query Config; carries no data yet */
  PORT_VERIFIED,   /* proved to be the same disk: carries data */
  PORT_REJECTED,   /* proved to be another disk: ignored for good */
};

/* Ghosts: a write completes on the first reply to any of its copies,
 * but when a frame was sent more than once another copy may still wait
 * in a target's queue, and land later.  On the port that holds it the
 * target's FIFO puts it before any newer frame; through another port (a
 * second target process on the same disk) a newer overlapping write can
 * land first and then be overwritten by the stale copy.  So a write slot
 * released with copies possibly unapplied leaves a ghost on each port
 * holding one (lib/engine-ghost.c): newer write frames overlapping it go
 * to that port only, or wait while it cannot take them.  A ghost ends
 * when its port answers a frame sent after the copy (FIFO: the copy was
 * served, or lost), or after AOE_GHOST_LIFE_US (the port may be dead;
 * a target that sits on a frame longer than that is not covered).
 *
 * Why not the alternatives: holding the newer write until every copy is
 * answered stalls on every lost reply (replies are lost for good, there
 * is no "all replies" to wait for), and holding it until the ghost ends
 * costs a round trip where sending it behind the copy costs nothing.
 * The common case, a frame sent once and answered, leaves no ghost and
 * pays one comparison. */
#define AOE_GHOSTS_PER_PORT 8          /* then ghosts of a port merge */
#define AOE_GHOST_LIFE_US AOE_RTO_MAX_US /* longest a copy is waited for */

/* Sectors a write copy sent to one port may still overwrite. */
struct aoe_ghost {
  uint64_t sector;          /* first sector (absolute) */
  uint64_t count;           /* sectors; 0: entry unused */
  uint64_t seq;             /* the port's send number of the last such copy
                               (or a later one): a reply to a frame sent
                               after it ends the ghost */
  uint64_t until;           /* when it ends anyway (the copy is presumed lost) */
};

/* One target MAC on one local interface: the unit of window and RTT. */
struct aoe_port {
  uint8_t mac[6];           /* target MAC */
  unsigned iface;           /* local interface it answered on */
  enum aoe_port_trust trust; /* only VERIFIED ports carry data */
  unsigned verify_attempts; /* checks that ended without a verdict */
  uint64_t verify_at;       /* UNVERIFIED: when the next attempt may start */
  uint16_t config_len;      /* length of its Query Config string */
  uint8_t config[AOE_MAX_CONFIG_LEN]; /* the string (compared between ports) */
  unsigned buffer_count;    /* Query Config buffer count */
  unsigned firmware;        /* Query Config firmware version */
  unsigned frame_sectors;   /* sectors per frame this port can carry */
  unsigned nframes;         /* window ceiling: min(buffer count, cap), >= 1 */
  unsigned cwnd;            /* current window (frames in flight allowed) */
  unsigned ssthresh;        /* slow-start threshold */
  unsigned next_cwnd;       /* congestion avoidance countdown */
  unsigned nout;            /* frames in flight now */
  struct aoe_list inflight; /* its IN_FLIGHT data slots, oldest send first */
  uint64_t send_seq;        /* transmissions numbered in send order */
  uint64_t acked_seq;       /* highest send number answered */
  uint64_t fast_tick;       /* time of the last fast-retransmit window cut */
  bool have_rtt;            /* at least one RTT sample taken */
  int64_t srtt_us;          /* smoothed RTT */
  int64_t rttvar_us;        /* RTT mean deviation */
  uint64_t loss_tick;       /* time of the last window collapse */
  unsigned losses;          /* timeouts since the last reply from it */
  unsigned big_losses;      /* large frames lost although sent after small_ok_at */
  uint64_t small_ok_at;     /* last small-frame reply since a large one (0: none) */
  bool demoted;             /* losing frames: used only for probes */
  uint64_t probe_at;        /* when a demoted port may carry a probe */
  uint64_t frames_sent;     /* data frames sent to it (retransmissions too) */
  uint64_t replies;         /* valid data replies from it */
  uint64_t frame_timeouts;  /* data frames to it that timed out */
  struct aoe_ghost ghosts[AOE_GHOSTS_PER_PORT]; /* write copies maybe still
                                                   queued there (see above) */
};

/* Fast retransmit: a target port answers in the order it received
 * (vblade serves one frame at a time), so a frame overtaken by this many
 * later replies on its port was lost: resend it at once instead of
 * waiting for the retransmit timeout, and step the window down by one,
 * at most once per smoothed round trip (not collapse it: the port
 * works). */
#define AOE_DUPTHRESH 3

/* A port whose frames time out this many times in a row, with no reply
 * in between, is demoted while another port works; it then carries one
 * probe frame per AOE_PROBE_INTERVAL_US and is restored by any reply. */
#define AOE_DEMOTE_LOSSES 4
#define AOE_PROBE_INTERVAL_US 1000000

/* Path MTU trouble: frames of more than AOE_SMALL_SECTORS sectors that
 * time out a second time are shrunk to AOE_SMALL_SECTORS (the rest is
 * reissued separately).  The port falls back to AOE_SMALL_SECTORS for
 * good (until the target re-announces its sector count) when the target
 * refuses a large frame with AoE error 2, or when a small frame is
 * answered after AOE_JUMBO_LOSSES large frames were lost that had all been
 * sent after an earlier small frame was answered, with no large frame
 * answered and no small frame lost in between.  Random loss hits both
 * sizes and an outage stops both, so neither builds up that evidence:
 * with 10% loss, eight large losses in a row after a small success
 * happen about once in 10^8 tries. */
#define AOE_SMALL_SECTORS 2
#define AOE_JUMBO_LOSSES 8

/* Sectors of a command split off a shrunk frame, waiting to be issued. */
struct aoe_spill {
  struct aoe_command *cmd;  /* owner */
  uint32_t rel_sector;      /* first sector, relative to cmd->sector */
  uint32_t count;           /* sectors */
};

/* Bytes of one verification read: one sector fits every MTU. */
#define AOE_VERIFY_SECTORS 1
#define AOE_VERIFY_BYTES (AOE_VERIFY_SECTORS * ATA_SECTOR_SIZE)

/* Places of the disk compared between a new port and a verified one. */
#define AOE_VERIFY_PLACES 3

/* The check that a new port serves the same disk as the verified ones
 * (engine-verify.c): one port at a time, a chain of control commands. */
struct aoe_verifier {
  int port;                  /* port under test, -1 when idle */
  int ref;                   /* verified port read for comparison */
  unsigned place;            /* which of AOE_VERIFY_PLACES is being read */
  unsigned read;             /* 0 reference, 1 candidate, 2 reference again */
  unsigned unstable;         /* reference reads that changed under us */
  struct aoe_command cmd;    /* the request in flight */
  uint8_t request[AOE_ATA_HDR_LEN]; /* its frame (the argument from 24) */
  uint8_t before[AOE_VERIFY_BYTES]; /* the reference's sectors, first read */
  uint8_t candidate[AOE_VERIFY_BYTES]; /* the candidate's */
  uint8_t after[AOE_VERIFY_BYTES]; /* the reference's, read again */
  int result;                /* what the reply handler saw, for complete() */
  char reason[160];          /* why a port was rejected or not verified */
};

/* The engine. */
struct aoe_engine {
  struct aoe_engine_config cfg;            /* parameters (copied) */
  struct aoe_iface_info ifaces[AOE_MAX_IFACES]; /* local interfaces */
  unsigned nifaces;                        /* how many */
  struct aoe_port ports[AOE_MAX_PORTS];    /* target MACs */
  unsigned nports;                         /* how many */
  unsigned rr;                             /* round-robin cursor over ports */
  struct aoe_identity id;                  /* the bound target's IDENTIFY */
  bool have_identity;                      /* id is valid */
  unsigned frame_sectors;                  /* min over ports */
  struct aoe_slot slots[AOE_MAX_SLOTS];    /* frames in flight */
  uint16_t free_stack[AOE_MAX_SLOTS];      /* indices of free slots */
  unsigned nfree;                          /* entries in free_stack */
  struct aoe_list commands;                /* incomplete commands, submit order */
  struct aoe_list issue_queue;             /* data commands with frames still to issue */
  struct aoe_list control_queue;           /* control commands not yet sent */
  struct aoe_list rexmit;                  /* slots waiting to be sent again */
  struct aoe_slot *sending;                /* control slot mid-broadcast, or NULL */
  struct aoe_spill spill[AOE_MAX_SLOTS];   /* ranges split off shrunk frames */
  unsigned nspill;                         /* entries in spill */
  unsigned ncommands;                      /* length of commands */
  unsigned nghosts;                        /* ghost entries in use, all ports
                                              (0: the write fast path) */
  uint64_t deadline_hint;                  /* <= every pending deadline: lowered
                                              as they are set, made exact by
                                              tick (early wake-ups are harmless) */
  uint64_t seq;                            /* last submission sequence number */
  uint64_t now;                            /* the latest time passed in */
  uint32_t tag_base;                       /* the tag bits naming this engine */
  int ref_port;                            /* the port IDENTIFY came from, -1 */
  struct aoe_verifier verifier;            /* new-port check in progress */
  struct aoe_engine_stats stats;           /* counters */
  struct aoe_frame_data built_data;        /* write data of the frame being
                                              built, by reference (next_frame) */
};

/* ---- list helpers ---- */

/* Make an empty list (or an unlinked node). */
static inline void
aoe_list_init (struct aoe_list *l)
{
  l->next = l->prev = l;
}

/* True if the list is empty (or the node unlinked). */
static inline bool
aoe_list_empty (const struct aoe_list *l)
{
  return l->next == l;
}

/* Append node n at the tail of list l. */
static inline void
aoe_list_append (struct aoe_list *l, struct aoe_list *n)
{
  n->prev = l->prev;
  n->next = l;
  l->prev->next = n;
  l->prev = n;
}

/* Unlink node n (safe on an unlinked node). */
static inline void
aoe_list_remove (struct aoe_list *n)
{
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->next = n->prev = n;
}

/* True if debug output of this mask is wanted (cheap: the hot path
 * calls it for every frame). */
static inline bool
aoe_engine_debug_on (const struct aoe_engine *e, unsigned mask)
{
  return e->cfg.debug
    && (e->cfg.debug_mask == NULL
        || (atomic_load_explicit (e->cfg.debug_mask, memory_order_relaxed)
            & mask));
}

/* Log through the configured debug hook, if that mask is wanted. */
#define aoe_engine_debug(e, mask, ...)                                   \
  do {                                                                   \
    if (aoe_engine_debug_on ((e), (mask)))                               \
      (e)->cfg.debug ((e)->cfg.debug_opaque, (mask), __VA_ARGS__);       \
  } while (0)

/* ---- engine.c: command bookkeeping used by the other parts ---- */

/* A new deadline t exists (a frame's resend time or a command's). */
static inline void
aoe_engine_note_deadline (struct aoe_engine *e, uint64_t t)
{
  if (t < e->deadline_hint)
    e->deadline_hint = t;
}

/* Retire cmd with err: release its slots, unlink it, wake dependants,
 * call complete(). */
void aoe_engine_retire (struct aoe_engine *e, struct aoe_command *cmd, int err);

/* Release slot s back to the free stack (adjusting its port's nout). */
void aoe_engine_release_slot (struct aoe_engine *e, struct aoe_slot *s);

/* The wire tag of slot index idx at its current generation. */
uint32_t aoe_engine_tag (const struct aoe_engine *e, unsigned idx);

/* True once cmd has nothing left to send or wait for. */
static inline bool
aoe_command_finished (const struct aoe_command *cmd)
{
  return cmd->issued_all && cmd->frames_out == 0 && cmd->spilled == 0;
}

/* ---- engine-mtu.c: path MTU fallback ---- */

/* A data slot timed out (before it is queued for resend): count large
 * frame losses, shrink the frame on its second timeout; a small frame
 * lost clears the evidence. */
void aoe_engine_mtu_on_timeout (struct aoe_engine *e, struct aoe_slot *s);

/* A data slot was answered at now: track which frame sizes get through;
 * fall back when large frames vanish while small ones get through. */
void aoe_engine_mtu_on_reply (struct aoe_engine *e, struct aoe_slot *s,
                              uint64_t now);

/* The target refused slot s with AoE error 2 (bad argument): if it was a
 * large frame, the target's sector limit shrank (its MTU went down): fall
 * back, shrink s and queue it for immediate resend.  Returns true if
 * handled so (the command goes on), false if the error stands. */
bool aoe_engine_mtu_on_bad_arg (struct aoe_engine *e, struct aoe_slot *s);

/* Take up to max sectors of the oldest spilled range; false if none. */
bool aoe_engine_take_spill (struct aoe_engine *e, unsigned max,
                            struct aoe_command **cmd, uint32_t *rel_sector,
                            uint32_t *count);

/* Drop every spilled range of cmd (it is being retired). */
void aoe_engine_drop_spill (struct aoe_engine *e, struct aoe_command *cmd);

/* ---- engine-receive.c ---- */

/* True if generation g lies in the cyclic range [first, last]. */
bool aoe_gen_in_range (uint16_t g, uint16_t first, uint16_t last);

/* The generation after g (1..AOE_GEN_MAX, never 0). */
uint16_t aoe_gen_next (uint16_t g);

/* Queue slot s for retransmission: an IN_FLIGHT data slot leaves its
 * port's window and in-flight list. */
void aoe_engine_requeue_slot (struct aoe_engine *e, struct aoe_slot *s);

/* ---- engine-ghost.c: stale write copies across ports ---- */

/* aoe_engine_ghost_port: a write frame may go to any port. */
#define AOE_GHOST_ANY (-1)
/* aoe_engine_ghost_port: a write frame must wait (ghosts on two ports). */
#define AOE_GHOST_WAIT (-2)

/* Write slot s is being released: if copies of it may still be
 * unapplied at some port, leave a ghost there.  answered_port is the
 * port whose reply to generation gen completes it, -1 if none did. */
void aoe_engine_leave_ghosts (struct aoe_engine *e, const struct aoe_slot *s,
                              int answered_port, uint16_t gen);

/* Where a new write frame of sectors [sector, sector + count) may be
 * sent at e->now: AOE_GHOST_ANY, the index of the one port holding
 * ghosts overlapping it, or AOE_GHOST_WAIT. */
int aoe_engine_ghost_port (struct aoe_engine *e, uint64_t sector,
                           uint64_t count);

/* True if port pi can take a write frame held to it by a ghost now:
 * verified, not demoted, window room. */
bool aoe_engine_ghost_port_open (const struct aoe_engine *e, unsigned pi);

/* Drop the ghosts that ended by now; returns the earliest end time of
 * those left, or UINT64_MAX. */
uint64_t aoe_engine_ghosts_expire (struct aoe_engine *e, uint64_t now);

/* ---- engine-verify.c: proving a new port is the same disk ---- */

/* Start checking an unverified port if none is being checked and one is
 * due at now (called after ports change and from tick). */
void aoe_engine_verify_next (struct aoe_engine *e, uint64_t now);

/* The earliest time an unverified port's next check may start, or
 * UINT64_MAX. */
uint64_t aoe_engine_verify_deadline (const struct aoe_engine *e);

/* Find the port with this MAC on this interface, or -1. */
int aoe_engine_find_port (const struct aoe_engine *e, unsigned iface,
                          const uint8_t mac[6]);

/* True if port p carries data. */
static inline bool
aoe_port_trusted (const struct aoe_port *p)
{
  return p->trust == PORT_VERIFIED;
}

/* True once a check of port p has ended (with a verdict or without). */
static inline bool
aoe_port_settled (const struct aoe_port *p)
{
  return p->trust != PORT_UNVERIFIED || p->verify_attempts > 0;
}

/* ---- engine-window.c: per-port RTT, RTO and window ---- */

/* After a reply on port pi: resend at once the frames later replies
 * overtook (AOE_DUPTHRESH), stepping the window down by one (not below
 * 1) at most once per smoothed RTT. */
void aoe_engine_fast_retransmit (struct aoe_engine *e, unsigned pi,
                                 uint64_t now);

/* Set a port's window ceiling from its buffer count and the user cap,
 * and restart its window at half the ceiling (at least 1). */
void aoe_port_reset_window (struct aoe_port *p, unsigned cap);

/* The port's retransmit timeout in microseconds. */
uint64_t aoe_port_rto (const struct aoe_port *p);

/* Feed one unambiguous RTT sample. */
void aoe_port_rtt_sample (struct aoe_port *p, uint64_t rtt_us);

/* A reply arrived for a frame counted in p->nout (call before nout--):
 * grow the window (slow start, then congestion avoidance). */
void aoe_port_on_reply (struct aoe_port *p);

/* A frame on port pi timed out at now: collapse its window (once per
 * RTO) and demote it after AOE_DEMOTE_LOSSES if another port is usable. */
void aoe_engine_port_loss (struct aoe_engine *e, unsigned pi, uint64_t now);

/* A valid reply came from port pi: it works, restore it if demoted. */
void aoe_engine_port_alive (struct aoe_engine *e, unsigned pi);

/* Pick the port for a new frame: one with window room, least loaded
 * relative to its window, avoiding `avoid` when another has room, and
 * demoted ports only for a due probe (or when all are demoted).
 * -1 if every window is full. */
int aoe_engine_pick_port (struct aoe_engine *e, int avoid, uint64_t now);

/* Recompute e->frame_sectors as the minimum over ports. */
void aoe_engine_update_frame_sectors (struct aoe_engine *e);

#endif /* AOE_ENGINE_INTERNAL_H */
