/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The sans-I/O AoE protocol engine.
 *
 * Commands and received frames go in; frames to send, completions and the
 * next deadline come out.  Time (microseconds on any monotonic clock) is
 * always an argument: the engine never reads a clock, never makes a
 * syscall, never allocates after aoe_engine_new.  One thread owns an
 * engine; the shell (lib/io.c) serialises every call.
 *
 * Shell contract:
 *   - after any call that may create work (submit, receive, tick), drain
 *     aoe_engine_next_frame until it returns 0 and send every frame on the
 *     interface it names;
 *   - arm one timer for aoe_engine_next_deadline and call aoe_engine_tick
 *     when it fires (calling tick early or late is harmless);
 *   - completions run synchronously inside submit/receive/tick/fail_all
 *     through each command's complete function.
 */
#ifndef AOE_ENGINE_H
#define AOE_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ata.h"
#include "wire.h"

#define AOE_MAX_IFACES 8       /* local interfaces per engine */
#define AOE_MAX_PORTS 8        /* target MACs (ports) per engine */
#define AOE_MAX_SLOTS 256      /* frames in flight, all ports together */
#define AOE_MAX_FRAME 9216     /* largest frame the engine builds (bytes) */
#define AOE_MAX_CMD_BYTES (32u << 20) /* largest read/write command */
#define AOE_MAX_INITIATOR_ID 511 /* initiator ids fit the tag's 9 bits */

/* What the engine's debug hook is told a line is about (the public
 * AOE_DEBUG_* bits of the same meaning have these values: lib/handle.c
 * checks). */
#define AOE_ENGINE_DEBUG_EVENTS 1 /* discovery, timeouts, window changes */
#define AOE_ENGINE_DEBUG_FRAMES 2 /* one line per frame sent and received */

/* Retransmit timeout bounds (microseconds).  The floor keeps scheduling
 * noise on a loaded two-core machine from triggering spurious resends
 * (veth RTTs are ~100 us, but vblade serves a 16-frame jumbo burst
 * serially); the ceiling keeps a dead path from stalling recovery. */
#define AOE_RTO_MIN_US 20000
#define AOE_RTO_MAX_US 4000000
#define AOE_RTO_INITIAL_US 250000 /* before the first RTT sample */

/* What a command asks the engine to do. */
enum aoe_op {
  AOE_OP_READ,    /* read sectors of the bound target into buf */
  AOE_OP_WRITE,   /* write sectors from buf to the bound target */
  AOE_OP_FLUSH,   /* ATA FLUSH CACHE (EXT) after all earlier writes */
  AOE_OP_CONTROL, /* one arbitrary request frame; replies go to on_reply */
};

struct aoe_command;

/* Called for each reply to a control command.  frame/len is the whole
 * reply (Ethernet header included, already checked: response flag, tag,
 * command code, and source MAC when the request had a unicast dst).
 * iface is the local interface index it arrived on.  Return 0 to complete
 * the command with success, 1 to keep waiting (collect mode: discovery),
 * or a positive errno to complete it with that error. */
typedef int (*aoe_reply_fn) (struct aoe_command *cmd, const uint8_t *frame,
                             size_t len, unsigned iface);

/* Called exactly once when a command is retired; err is 0 or an errno. */
typedef void (*aoe_complete_fn) (struct aoe_command *cmd, int err);

/* The struct of the given type whose member `member` ptr points to (list
 * nodes, commands embedded in their submitter's struct). */
#define aoe_container_of(ptr, type, member) \
  ((type *) ((char *) (ptr) - offsetof (type, member)))

/* An intrusive doubly linked list node. */
struct aoe_list {
  struct aoe_list *next; /* next node (the head itself when last) */
  struct aoe_list *prev; /* previous node */
};

/* One command.  The submitter owns the memory and fills the public part;
 * the engine uses the private part until complete() has been called. */
struct aoe_command {
  /* -- filled by the submitter -- */
  enum aoe_op op;           /* what to do */
  void *buf;                /* READ: destination; WRITE: source */
  uint64_t sector;          /* READ/WRITE: first sector */
  uint32_t count;           /* READ/WRITE: sectors (1 .. AOE_MAX_CMD_BYTES/512) */
  uint32_t timeout_ms;      /* 0: the engine's default; UINT32_MAX: never */
  aoe_complete_fn complete; /* retirement callback (required) */
  void *user;               /* free for the submitter */
  /* CONTROL only: */
  uint8_t aoe_command;      /* AOE_CMD_* of the request */
  const uint8_t *arg;       /* bytes from offset 24 of the request */
  size_t arg_len;           /* their length (frame = 24 + arg_len) */
  uint16_t shelf;           /* destination major (0xFFFF broadcast) */
  uint8_t slot;             /* destination minor (0xFF broadcast) */
  uint8_t dst[6];           /* destination MAC (ff:..:ff broadcast) */
  int iface;                /* local interface index; -1: every interface */
  aoe_reply_fn on_reply;    /* reply handler (required) */
  bool collect;             /* complete with 0 at the deadline, not ETIMEDOUT */

  /* -- engine private -- */
  struct aoe_list link;     /* in the engine's command list (submit order) */
  struct aoe_list issue_link; /* in the issue queue while sectors remain */
  uint64_t seq;             /* submission sequence number */
  uint64_t deadline;        /* absolute time the command fails (UINT64_MAX: never) */
  uint32_t next_sector;     /* sectors handed to frames so far (relative) */
  uint32_t done_sectors;    /* sectors acknowledged so far */
  unsigned frames_out;      /* frames of this command in slots */
  unsigned waiting_on;      /* older incomplete commands this one must wait for */
  uint32_t spilled;         /* sectors split off shrunk frames, not yet reissued */
  bool issued_all;          /* every frame has been handed to a slot */
};

/* A local interface as the shell opened it. */
struct aoe_iface_info {
  uint8_t mac[6];   /* our MAC on it (source of every frame we send) */
  unsigned mtu;     /* its MTU, at least AOE_MIN_MTU (aoe_frame_sectors) */
};

/* The smallest MTU that carries a data frame of one sector (see
 * aoe_frame_sectors). */
#define AOE_MIN_MTU (AOE_ATA_HDR_LEN + ATA_SECTOR_SIZE)

/* Sectors one data frame carries: the count the target advertises (0
 * means 2, AoEr11's backward-compatible default), at most (mtu - 36) / 512
 * as vblade and Linux compute it ((mtu - 22) / 512 is the exact bound,
 * but both give the same at MTU 1500 and 9000), at most cap (the user's;
 * 0: none) and at most what an AOE_MAX_FRAME buffer holds.  0 if mtu is
 * below AOE_MIN_MTU: such an interface carries no data frame.  The one
 * rule for the engine's ports, aoe_discover's report and the transports'
 * check of an interface's MTU. */
unsigned aoe_frame_sectors (unsigned mtu, unsigned advertised,
                            unsigned cap);

/* What the check of a new port concluded (see aoe_engine_set_identity). */
enum aoe_port_verdict {
  AOE_PORT_VERIFIED,  /* same disk as the reference port: carries data now */
  AOE_PORT_REJECTED,  /* another disk claims the shelf.slot: ignored */
  AOE_PORT_NO_ANSWER, /* it did not answer the check; tried again later */
};

/* Fixed parameters of an engine. */
struct aoe_engine_config {
  uint16_t shelf;           /* bound target major (0xFFFF: none, control only) */
  uint8_t slot;             /* bound target minor */
  unsigned npinned;         /* > 0: accept only these MACs as ports */
  uint8_t pinned_macs[AOE_MAX_PORTS][6]; /* the pinned MACs */
  uint16_t initiator_id;    /* 0..AOE_MAX_INITIATOR_ID, in every tag: unique
                               among the live engines sharing an interface */
  /* Told each verdict on a port (NULL: none).  port and ref index the
   * engine's ports (ref: the verified port it was compared with, -1 if
   * none); reason says why a port was rejected or not verified. */
  void (*port_verdict) (void *opaque, unsigned port, int ref,
                        enum aoe_port_verdict verdict, const char *reason);
  void *verdict_opaque;     /* passed to port_verdict */
  uint32_t timeout_ms;      /* default command timeout; 0 = forever */
  unsigned max_in_flight;   /* window cap per port; 0 = buffer count */
  unsigned max_sectors;     /* frame sectors cap; 0 = none */
  void (*debug) (void *opaque, unsigned mask, const char *fmt, ...); /* NULL: quiet */
  void *debug_opaque;       /* passed to debug */
  const _Atomic unsigned *debug_mask; /* AOE_ENGINE_DEBUG_* wanted now (checked
                                         before formatting anything); NULL: all */
};

/* The engine (opaque). */
struct aoe_engine;

/* Create an engine for the given interfaces (1..AOE_MAX_IFACES, copied,
 * each with an MTU of at least AOE_MIN_MTU).  NULL on ENOMEM or bad
 * arguments (errno set). */
struct aoe_engine *aoe_engine_new (const struct aoe_engine_config *cfg,
                                   const struct aoe_iface_info *ifaces,
                                   size_t nifaces);

/* Free the engine.  Commands still queued are NOT completed: call
 * aoe_engine_fail_all first. */
void aoe_engine_free (struct aoe_engine *e);

/* Add (or refresh) a target port: a MAC that answered Query Config for
 * the bound shelf.slot on local interface iface.  Sets its window from the
 * buffer count and its frame size from the sector count and the
 * interface's MTU, and keeps its config string.  Refused (-1, errno
 * EPERM) for a MAC that is not pinned while some are; ENOSPC when
 * AOE_MAX_PORTS are in use by ports that are verified or being checked.
 * Returns the port index.  (The engine also does this itself for
 * unsolicited Query Config replies about the bound target.)
 *
 * A new port carries no data until it has proved to be the same disk as
 * the port the identity came from: once the identity is set, the engine
 * sends it IDENTIFY (which must match: capacity, LBA mode, model, serial,
 * firmware), compares its config string and firmware version with the
 * reference port's, then reads AOE_VERIFY_PLACES sectors through the
 * reference, the candidate and the reference again: the candidate must
 * return what the reference returned twice.  A mismatch rejects the port
 * for good; no answer leaves it unverified and the check is repeated
 * later (backing off).  Each verdict goes to cfg.port_verdict. */
int aoe_engine_add_port (struct aoe_engine *e, unsigned iface,
                         const uint8_t mac[6],
                         const struct aoe_config_arg *cfg, uint64_t now);

/* Record the bound target's IDENTIFY, as port ref_port answered it: that
 * port is verified, and every other port is checked against it (see
 * aoe_engine_add_port).  READ/WRITE/FLUSH are refused (ENOTCONN) until
 * this is called. */
void aoe_engine_set_identity (struct aoe_engine *e,
                              const struct aoe_identity *id,
                              unsigned ref_port);

/* The port the identity came from (verified, the one administration
 * requests go to), or -1 before aoe_engine_set_identity. */
int aoe_engine_ref_port (const struct aoe_engine *e);

/* Ports whose first check has not ended yet (connect waits for 0). */
unsigned aoe_engine_ports_unsettled (const struct aoe_engine *e);

/* True if port i (< aoe_engine_nports) carries data; false while it is
 * being checked and after it was rejected. */
bool aoe_engine_port_verified (const struct aoe_engine *e, unsigned i);

/* Queue a command.  0 on success (complete() will be called later, never
 * from inside submit); or a positive errno, with complete() NOT called:
 * EINVAL bad fields, ENOTCONN no identity or no port yet for data
 * commands, ENOSPC range past the capacity, ENOTSUP flush without FLUSH
 * CACHE support. */
int aoe_engine_submit (struct aoe_engine *e, struct aoe_command *cmd,
                       uint64_t now);

/* Hand a received frame (Ethernet header included) to the engine;
 * iface is the local interface index it arrived on.  Never fails: frames
 * that do not fit are counted and dropped. */
void aoe_engine_receive (struct aoe_engine *e, const uint8_t *frame,
                         size_t len, unsigned iface, uint64_t now);

/* Build the next frame to send into buf (cap >= AOE_MAX_FRAME).  Returns
 * its length and sets *iface, or 0 when nothing is ready to go (window
 * full or no work). */
size_t aoe_engine_next_frame (struct aoe_engine *e, uint64_t now,
                              uint8_t *buf, size_t cap, unsigned *iface);

/* The write data a frame built by aoe_engine_next_frame_parts carries
 * by reference: the bytes that follow the ones written into buf. */
struct aoe_frame_data {
  const uint8_t *data; /* in the write command's buffer (NULL if len is 0) */
  size_t len;          /* bytes; 0: the frame is whole in buf */
};

/* aoe_engine_next_frame, except that a write frame's data is not copied
 * after its header: the frame is the returned bytes of buf followed by
 * data->len bytes at data->data.  They stay valid while the command is
 * not retired, which only aoe_engine_receive, aoe_engine_tick and
 * aoe_engine_fail_all do (building more frames does not): a shell that
 * cannot send the frame before calling one of those must copy them.
 * Saves a copy of every written byte where the transport gathers. */
size_t aoe_engine_next_frame_parts (struct aoe_engine *e, uint64_t now,
                                    uint8_t *buf, size_t cap, unsigned *iface,
                                    struct aoe_frame_data *data);

/* The earliest time tick() has work to do (a retransmit or a command
 * deadline), or UINT64_MAX. */
uint64_t aoe_engine_next_deadline (const struct aoe_engine *e);

/* Process timeouts due at now: queue retransmissions, fail commands past
 * their deadline with EIO (control commands: ETIMEDOUT, or 0 if collect). */
void aoe_engine_tick (struct aoe_engine *e, uint64_t now);

/* Complete every queued and in-flight command with err (ESHUTDOWN on
 * close).  Late replies to them are ignored afterwards. */
void aoe_engine_fail_all (struct aoe_engine *e, int err);

/* Change the default command timeout (ms, 0 = forever) for commands
 * submitted from now on. */
void aoe_engine_set_timeout (struct aoe_engine *e, uint32_t timeout_ms);

/* Commands queued or in flight. */
unsigned aoe_engine_pending (const struct aoe_engine *e);

/* The engine's counters and live protocol state.  Each field means what
 * the field of the same name of the public struct aoe_stats means (the
 * shell copies them one by one; capture drops are the shell's own): this
 * struct may change freely, that one only grows at its end. */
struct aoe_engine_stats {
  uint64_t frames_sent, frames_received;          /* frames */
  uint64_t retransmits, timeouts;                 /* losses */
  uint64_t dropped_foreign, dropped_malformed;    /* replies dropped */
  uint64_t late_replies, duplicates;              /* replies not needed */
  uint64_t aoe_errors, ata_errors;                /* error replies */
  uint64_t bytes_read, bytes_written;             /* payload */
  uint64_t commands_completed;                    /* commands retired */
  unsigned window, window_max, in_flight;         /* all trusted ports */
  uint64_t srtt_us, rttvar_us, rto_us;            /* the reference port */
  uint64_t jumbo_fallbacks, ports_rejected;       /* port events */
  uint64_t dropped_misaddressed;                  /* replies to another MAC */
};

/* Copy counters and live state into *st. */
void aoe_engine_get_stats (const struct aoe_engine *e,
                           struct aoe_engine_stats *st);

/* Ports known (target MACs); *mac of port i; its buffer count. */
unsigned aoe_engine_nports (const struct aoe_engine *e);
void aoe_engine_port_info (const struct aoe_engine *e, unsigned i,
                           uint8_t mac[6], unsigned *iface,
                           unsigned *buffer_count);

/* Counters and live state of one port, for debug output (which path
 * carried the traffic, which one lost it). */
struct aoe_port_stats {
  uint8_t mac[6];           /* target MAC */
  unsigned iface;           /* local interface index */
  uint64_t frames_sent;     /* data frames sent to it (retransmissions too) */
  uint64_t replies;         /* valid data replies from it */
  uint64_t frame_timeouts;  /* data frames to it that timed out */
  unsigned frame_sectors;   /* sectors per frame it carries now */
  unsigned window;          /* current window */
  bool demoted;             /* losing frames: carries only probes */
  bool verified;            /* carries data (see aoe_engine_add_port) */
  bool rejected;            /* proved to be another disk */
};

/* Fill *st for port i (< aoe_engine_nports). */
void aoe_engine_port_stats (const struct aoe_engine *e, unsigned i,
                            struct aoe_port_stats *st);

/* Sectors per data frame now in use (min over ports), 0 if no port. */
unsigned aoe_engine_frame_sectors (const struct aoe_engine *e);

/* The identity set by aoe_engine_set_identity, or NULL. */
const struct aoe_identity *aoe_engine_identity (const struct aoe_engine *e);

#endif /* AOE_ENGINE_H */
