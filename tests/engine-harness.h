/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * A test harness driving the sans-I/O engine (lib/engine.h) against fake
 * AoE targets (tests/fake-target.h) with a simulated clock.
 *
 * It plays the shell's part: drains aoe_engine_next_frame into the
 * targets, delivers their replies with aoe_engine_receive when they are
 * due, and, when nothing is due, advances the clock to the earliest of
 * the engine's next deadline and the targets' next reply and calls
 * aoe_engine_tick.  Every frame the engine sends is logged, and every
 * command's completions are recorded, so tests can assert timing, window
 * and "completed exactly once".
 */
#ifndef AOE_ENGINE_HARNESS_H
#define AOE_ENGINE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "fake-target.h"

#define HARNESS_MAX_TARGETS 4 /* fake targets on the simulated wire */

/* Parameters of a harness. */
struct harness_config {
  struct fake_target_config target; /* the bound target (targets[0]) */
  unsigned mtu;                     /* interface MTU (0: 9000) */
  uint32_t timeout_ms;              /* engine default command timeout
                                       (0: 60000; UINT32_MAX: forever) */
  unsigned max_in_flight;           /* engine window cap (0: none) */
  unsigned max_sectors;             /* engine frame sectors cap (0: none) */
  bool pin_mac;                     /* pin the engine to the target's MAC */
  bool no_connect;                  /* leave the engine unconnected */
  uint16_t initiator_id;            /* the engine's initiator id (tags) */
};

/* One frame the engine sent, decoded. */
struct harness_frame {
  uint64_t at;                /* simulated time it was sent */
  size_t len;                 /* frame length */
  unsigned iface;             /* interface index */
  struct aoe_header hdr;      /* its header */
  struct aoe_ata_arg ata;     /* its ATA argument (valid if is_ata) */
  bool is_ata;                /* an ATA request of at least 36 bytes */
};

struct harness;

/* A command submitted through the harness, with its completion record. */
struct harness_cmd {
  struct aoe_command cmd;     /* the engine command (cmd.user = this) */
  struct harness *h;          /* owning harness */
  struct harness_cmd *next;   /* in the harness's list of all commands */
  int submit_err;             /* what aoe_engine_submit returned */
  unsigned completions;       /* complete() calls so far */
  int err;                    /* err of the last complete() */
  uint64_t completed_at;      /* simulated time of the last complete() */
  uint64_t completion_seq;    /* 1 for the first command to complete, ... */
  uint8_t *data;              /* READ/WRITE buffer (owned) */
  unsigned replies;           /* CONTROL: on_reply calls */
  int reply_result;           /* CONTROL: what on_reply returns (default 0) */
};

/* The harness. */
struct harness {
  struct aoe_engine *engine;              /* the engine under test */
  struct fake_target *targets[HARNESS_MAX_TARGETS]; /* on the wire */
  unsigned ntargets;                      /* how many */
  struct aoe_iface_info iface;            /* our one interface */
  uint64_t now;                           /* simulated time (us) */
  struct harness_frame *log;              /* every frame sent */
  size_t nlog;                            /* entries in log */
  size_t log_cap;                         /* allocated entries */
  unsigned max_in_flight;                 /* most frames in flight seen */
  uint64_t completion_seq;                /* completions so far */
  struct harness_cmd *cmds;               /* every command, for freeing */
  bool in_submit;                         /* inside aoe_engine_submit */
  unsigned completed_in_submit;           /* contract violations seen */
  uint8_t frame_buf[AOE_MAX_FRAME];       /* engine -> target scratch */
  uint8_t reply_buf[AOE_MAX_FRAME + 4096]; /* target -> engine scratch */
  /* Connect state. */
  uint16_t shelf;                         /* bound target major */
  uint8_t slot;                           /* bound target minor */
  uint8_t identify_req[AOE_ATA_HDR_LEN];  /* IDENTIFY request (arg at 24) */
  uint8_t port_mac[6];                    /* target MAC found by connect */
  unsigned port_iface;                    /* interface it answered on */
  struct aoe_config_arg port_cfg;         /* its Query Config */
  uint8_t port_config[AOE_MAX_CONFIG_LEN]; /* its config string */
  bool port_found;                        /* the fields above are valid */
  struct aoe_identity identity;           /* parsed IDENTIFY */
  bool identified;                        /* identity is valid */
  /* Other initiators on the same interface: they also receive every
   * reply our targets send (as a shared interface or a flooding switch
   * delivers it). */
  struct aoe_engine *overhear[HARNESS_MAX_TARGETS];
  unsigned noverhear;                     /* entries in overhear */
};

/* Fill *c with a typical target (vblade-like: buffer count 16, 17
 * sectors per frame, LBA48, FLUSH CACHE, 65536 sectors) and engine. */
void harness_default_config (struct harness_config *c);

/* Create a harness with one target and, unless no_connect, connect the
 * engine (asserts success). */
struct harness *harness_new (const struct harness_config *c);

/* Put another target on the wire (same interface).  Returns it. */
struct fake_target *harness_add_target (struct harness *h,
                                        const struct fake_target_config *c);

/* Put a twin of the bound target on the wire: another MAC (the last
 * byte ^ 0x40) answering for the same shelf.slot with a RAM disk of the
 * same (empty) contents; add it as port 1 and run until the engine has
 * verified it (asserts).  Returns the twin. */
struct fake_target *harness_add_twin (struct harness *h,
                                      const struct harness_config *c);

/* Fail every pending command with ESHUTDOWN, free everything. */
void harness_free (struct harness *h);

/* The bound target (targets[0]) and its faults. */
struct fake_target *harness_target (struct harness *h);
struct fake_faults *harness_faults (struct harness *h);

/* The connect sequence: broadcast Query Config (control), add the port
 * that answers for the bound shelf.slot, IDENTIFY it (control), parse
 * and set the identity.  0 or an errno. */
int harness_connect (struct harness *h);

/* Build (not submit) commands.  Read/write buffers are owned by the
 * command; a write's buffer holds the pattern of (sector, seed). */
struct harness_cmd *harness_new_read (struct harness *h, uint64_t sector,
                                      uint32_t count);
struct harness_cmd *harness_new_write (struct harness *h, uint64_t sector,
                                       uint32_t count, uint32_t seed);
struct harness_cmd *harness_new_flush (struct harness *h);

/* A control command sending arg (copied by the caller's lifetime: arg
 * must outlive the command) to shelf.slot at dst on iface (-1: all). */
struct harness_cmd *harness_new_control (struct harness *h, uint8_t aoe_cmd,
                                         const uint8_t *arg, size_t arg_len,
                                         uint16_t shelf, uint8_t slot,
                                         const uint8_t dst[6], int iface);

/* Submit at the current time; returns (and records) submit's result. */
int harness_submit (struct harness *h, struct harness_cmd *hc);

/* Build and submit in one go. */
struct harness_cmd *harness_read (struct harness *h, uint64_t sector,
                                  uint32_t count);
struct harness_cmd *harness_write (struct harness *h, uint64_t sector,
                                   uint32_t count, uint32_t seed);
struct harness_cmd *harness_flush (struct harness *h);

/* One step: send what the engine has, deliver due replies; if nothing
 * happened, advance the clock (not beyond limit) to the next event and
 * tick.  False when there is no event at or before limit. */
bool harness_step (struct harness *h, uint64_t limit);

/* Run until no command is pending and no reply is on its way, or until
 * the clock would pass now + max_us.  True if everything completed. */
bool harness_run (struct harness *h, uint64_t max_us);

/* Run until hc has completed, or until now + max_us.  True if done. */
bool harness_run_until_done (struct harness *h, struct harness_cmd *hc,
                             uint64_t max_us);

/* Process every event up to now + us and leave the clock there. */
void harness_advance (struct harness *h, uint64_t us);

/* Deliver frame to the engine as if it arrived on interface 0 now, then
 * drain the engine. */
void harness_inject (struct harness *h, const uint8_t *frame, size_t len);

/* The engine's counters. */
struct aoe_engine_stats harness_stats (const struct harness *h);

/* Fill count sectors of buf with the pattern of (sector, seed): every
 * 8-byte word encodes sector, offset and seed, so misplaced data shows. */
void harness_pattern (uint8_t *buf, uint64_t sector, uint32_t count,
                      uint32_t seed);

/* True if buf holds the pattern of (sector, seed). */
bool harness_pattern_ok (const uint8_t *buf, uint64_t sector,
                         uint32_t count, uint32_t seed);

/* Write the (sector, seed) pattern straight onto the bound target's
 * disk, and check that the disk holds it. */
void harness_disk_fill (struct harness *h, uint64_t sector, uint32_t count,
                        uint32_t seed);
bool harness_disk_pattern_ok (struct harness *h, uint64_t sector,
                              uint32_t count, uint32_t seed);

/* Frames logged since index from whose ATA command is one of the READ
 * or WRITE codes. */
size_t harness_count_rw_frames (const struct harness *h, size_t from);

#endif /* AOE_ENGINE_HARNESS_H */
