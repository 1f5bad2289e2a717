/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * A test harness driving the sans-I/O engine against fake AoE targets
 * with a simulated clock.  See engine-harness.h.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-harness.h"

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t initiator_mac[6] = { 0x02, 0, 0, 0, 0, 0xAA };
static const uint8_t config_read_arg[8]; /* Query Config, ccmd read */

/* Allocation that aborts the test on failure. */
static void *
xzalloc (size_t n)
{
  void *p = calloc (1, n ? n : 1);

  if (p == NULL) {
    fprintf (stderr, "harness: out of memory\n");
    abort ();
  }
  return p;
}

/* The engine's debug hook: print with the simulated time when the
 * environment variable HARNESS_DEBUG is set. */
static void
debug_print (void *opaque, unsigned mask, const char *fmt, ...)
{
  const struct harness *h = opaque;
  va_list ap;

  fprintf (stderr, "[%10llu us] ", (unsigned long long) h->now);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

/* Fill *c with a typical vblade-like target and engine. */
void
harness_default_config (struct harness_config *c)
{
  memset (c, 0, sizeof *c);
  c->target = (struct fake_target_config) {
    .mac = { 0x02, 0, 0, 0, 0, 0x01 },
    .shelf = 0, .slot = 1, .sectors = 65536,
    .buffer_count = 16, .sector_count = 17,
    .lba48 = true, .flush = true, .seed = 1,
  };
}

/* Record a completion. */
static void
on_complete (struct aoe_command *cmd, int err)
{
  struct harness_cmd *hc = cmd->user;
  struct harness *h = hc->h;

  if (h->in_submit)
    h->completed_in_submit++;
  hc->completions++;
  hc->err = err;
  hc->completed_at = h->now;
  hc->completion_seq = ++h->completion_seq;
}

/* A control command's default reply handler: count and answer as set. */
static int
on_control_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
                  unsigned iface)
{
  struct harness_cmd *hc = cmd->user;

  hc->replies++;
  return hc->reply_result;
}

/* Allocate a command of op, linked into the harness's list. */
static struct harness_cmd *
new_cmd (struct harness *h, enum aoe_op op)
{
  struct harness_cmd *hc = xzalloc (sizeof *hc);

  hc->h = h;
  hc->next = h->cmds;
  h->cmds = hc;
  hc->cmd.op = op;
  hc->cmd.complete = on_complete;
  hc->cmd.user = hc;
  hc->submit_err = -1;
  return hc;
}

/* Build a read of count sectors at sector into an owned buffer. */
struct harness_cmd *
harness_new_read (struct harness *h, uint64_t sector, uint32_t count)
{
  struct harness_cmd *hc = new_cmd (h, AOE_OP_READ);

  hc->data = xzalloc (512 * (size_t) count);
  memset (hc->data, 0xCC, 512 * (size_t) count);
  hc->cmd.buf = hc->data;
  hc->cmd.sector = sector;
  hc->cmd.count = count;
  return hc;
}

/* Build a write of the (sector, seed) pattern. */
struct harness_cmd *
harness_new_write (struct harness *h, uint64_t sector, uint32_t count,
                   uint32_t seed)
{
  struct harness_cmd *hc = new_cmd (h, AOE_OP_WRITE);

  hc->data = xzalloc (512 * (size_t) count);
  harness_pattern (hc->data, sector, count, seed);
  hc->cmd.buf = hc->data;
  hc->cmd.sector = sector;
  hc->cmd.count = count;
  return hc;
}

/* Build a flush. */
struct harness_cmd *
harness_new_flush (struct harness *h)
{
  return new_cmd (h, AOE_OP_FLUSH);
}

/* Build a control command. */
struct harness_cmd *
harness_new_control (struct harness *h, uint8_t aoe_cmd, const uint8_t *arg,
                     size_t arg_len, uint16_t shelf, uint8_t slot,
                     const uint8_t dst[6], int iface)
{
  struct harness_cmd *hc = new_cmd (h, AOE_OP_CONTROL);

  hc->cmd.aoe_command = aoe_cmd;
  hc->cmd.arg = arg;
  hc->cmd.arg_len = arg_len;
  hc->cmd.shelf = shelf;
  hc->cmd.slot = slot;
  memcpy (hc->cmd.dst, dst, 6);
  hc->cmd.iface = iface;
  hc->cmd.on_reply = on_control_reply;
  return hc;
}

/* Submit at the current time. */
int
harness_submit (struct harness *h, struct harness_cmd *hc)
{
  h->in_submit = true;
  hc->submit_err = aoe_engine_submit (h->engine, &hc->cmd, h->now);
  h->in_submit = false;
  return hc->submit_err;
}

/* Build and submit a read. */
struct harness_cmd *
harness_read (struct harness *h, uint64_t sector, uint32_t count)
{
  struct harness_cmd *hc = harness_new_read (h, sector, count);

  harness_submit (h, hc);
  return hc;
}

/* Build and submit a write. */
struct harness_cmd *
harness_write (struct harness *h, uint64_t sector, uint32_t count,
               uint32_t seed)
{
  struct harness_cmd *hc = harness_new_write (h, sector, count, seed);

  harness_submit (h, hc);
  return hc;
}

/* Build and submit a flush. */
struct harness_cmd *
harness_flush (struct harness *h)
{
  struct harness_cmd *hc = harness_new_flush (h);

  harness_submit (h, hc);
  return hc;
}

/* Log a frame the engine sent. */
static void
log_frame (struct harness *h, const uint8_t *frame, size_t len,
           unsigned iface)
{
  struct harness_frame *f;

  if (h->nlog == h->log_cap) {
    h->log_cap = h->log_cap ? 2 * h->log_cap : 256;
    h->log = realloc (h->log, h->log_cap * sizeof *h->log);
    assert (h->log != NULL);
  }
  f = &h->log[h->nlog++];
  memset (f, 0, sizeof *f);
  f->at = h->now;
  f->len = len;
  f->iface = iface;
  if (aoe_wire_get_header (frame, len, &f->hdr) == 0 &&
      f->hdr.command == AOE_CMD_ATA)
    f->is_ata = aoe_wire_get_ata (frame, len, &f->ata) == 0;
}

/* Send everything the engine has and deliver every due reply, until
 * neither produces anything.  True if anything happened. */
static bool
pump (struct harness *h)
{
  bool any = false, round;
  unsigned iface, i;
  size_t len;
  struct aoe_engine_stats st;

  do {
    round = false;
    while ((len = aoe_engine_next_frame (h->engine, h->now, h->frame_buf,
                                         sizeof h->frame_buf, &iface)) > 0) {
      log_frame (h, h->frame_buf, len, iface);
      for (i = 0; i < h->ntargets; i++)
        fake_target_receive (h->targets[i], h->frame_buf, len, h->now);
      aoe_engine_get_stats (h->engine, &st);
      if (st.in_flight > h->max_in_flight)
        h->max_in_flight = st.in_flight;
      round = true;
    }
    for (i = 0; i < h->ntargets && !round; i++) {
      len = fake_target_pop_reply (h->targets[i], h->now, h->reply_buf,
                                   sizeof h->reply_buf);
      if (len > 0) {
        unsigned k;

        aoe_engine_receive (h->engine, h->reply_buf, len, 0, h->now);
        for (k = 0; k < h->noverhear; k++)
          aoe_engine_receive (h->overhear[k], h->reply_buf, len, 0, h->now);
        round = true;
      }
    }
    any |= round;
  } while (round);
  return any;
}

/* The earliest time anything is due: an engine deadline or a reply. */
static uint64_t
next_event (const struct harness *h)
{
  uint64_t t = aoe_engine_next_deadline (h->engine), r;
  unsigned i;

  for (i = 0; i < h->ntargets; i++) {
    r = fake_target_next_reply_time (h->targets[i]);
    if (r < t)
      t = r;
  }
  return t;
}

/* One step of the simulation. */
bool
harness_step (struct harness *h, uint64_t limit)
{
  uint64_t t;

  if (pump (h))
    return true;
  t = next_event (h);
  if (t == UINT64_MAX)
    return false;
  if (t <= h->now) {
    /* A deadline already due: tick now; if that does nothing, step one
     * microsecond on rather than spin. */
    aoe_engine_tick (h->engine, h->now);
    if (pump (h))
      return true;
    t = h->now + 1;
  }
  if (t > limit)
    return false;
  h->now = t;
  aoe_engine_tick (h->engine, h->now);
  pump (h);
  return true;
}

/* True if no command is pending and no unheld reply is on its way. */
static bool
idle (const struct harness *h)
{
  unsigned i;

  if (aoe_engine_pending (h->engine) > 0)
    return false;
  for (i = 0; i < h->ntargets; i++)
    if (fake_target_next_reply_time (h->targets[i]) != UINT64_MAX)
      return false;
  return true;
}

/* Run until idle or past now + max_us. */
bool
harness_run (struct harness *h, uint64_t max_us)
{
  uint64_t limit = h->now + max_us;

  while (!idle (h))
    if (!harness_step (h, limit))
      break;
  return idle (h);
}

/* Run until hc has completed or past now + max_us. */
bool
harness_run_until_done (struct harness *h, struct harness_cmd *hc,
                        uint64_t max_us)
{
  uint64_t limit = h->now + max_us;

  while (hc->completions == 0)
    if (!harness_step (h, limit))
      break;
  return hc->completions > 0;
}

/* Process everything up to now + us and leave the clock there. */
void
harness_advance (struct harness *h, uint64_t us)
{
  uint64_t limit = h->now + us;

  while (harness_step (h, limit))
    ;
  if (h->now < limit)
    h->now = limit;
}

/* Deliver a frame to the engine now, then drain. */
void
harness_inject (struct harness *h, const uint8_t *frame, size_t len)
{
  aoe_engine_receive (h->engine, frame, len, 0, h->now);
  pump (h);
}

/* The engine's counters. */
struct aoe_engine_stats
harness_stats (const struct harness *h)
{
  struct aoe_engine_stats st;

  aoe_engine_get_stats (h->engine, &st);
  return st;
}

/* The pattern word at byte offset off (multiple of 8) of sector. */
static uint64_t
pattern_word (uint64_t sector, unsigned off, uint32_t seed)
{
  uint64_t x = (sector << 6 | off / 8) * UINT64_C (0x9E3779B97F4A7C15);

  return x ^ (uint64_t) seed * UINT64_C (0xD6E8FEB86659FD93) ^ (x >> 29);
}

/* Fill count sectors with the (sector, seed) pattern. */
void
harness_pattern (uint8_t *buf, uint64_t sector, uint32_t count,
                 uint32_t seed)
{
  uint32_t s;
  unsigned off, b;

  for (s = 0; s < count; s++)
    for (off = 0; off < 512; off += 8) {
      uint64_t w = pattern_word (sector + s, off, seed);

      for (b = 0; b < 8; b++)
        buf[512 * (size_t) s + off + b] = (w >> (8 * b)) & 0xFF;
    }
}

/* True if buf holds the (sector, seed) pattern. */
bool
harness_pattern_ok (const uint8_t *buf, uint64_t sector, uint32_t count,
                    uint32_t seed)
{
  uint8_t expect[512];
  uint32_t s;

  for (s = 0; s < count; s++) {
    harness_pattern (expect, sector + s, 1, seed);
    if (memcmp (buf + 512 * (size_t) s, expect, 512) != 0)
      return false;
  }
  return true;
}

/* Write the pattern straight onto the bound target's disk. */
void
harness_disk_fill (struct harness *h, uint64_t sector, uint32_t count,
                   uint32_t seed)
{
  uint8_t *buf = xzalloc (512 * (size_t) count);

  harness_pattern (buf, sector, count, seed);
  fake_target_write_disk (h->targets[0], sector, buf, count);
  free (buf);
}

/* True if the bound target's disk holds the pattern. */
bool
harness_disk_pattern_ok (struct harness *h, uint64_t sector, uint32_t count,
                         uint32_t seed)
{
  uint8_t *buf = xzalloc (512 * (size_t) count);
  bool ok;

  fake_target_read_disk (h->targets[0], sector, buf, count);
  ok = harness_pattern_ok (buf, sector, count, seed);
  free (buf);
  return ok;
}

/* Count logged READ/WRITE frames from index from. */
size_t
harness_count_rw_frames (const struct harness *h, size_t from)
{
  size_t i, n = 0;

  for (i = from; i < h->nlog; i++) {
    uint8_t c = h->log[i].ata.command;

    if (h->log[i].is_ata &&
        (c == ATA_READ_SECTORS || c == ATA_READ_SECTORS_EXT ||
         c == ATA_WRITE_SECTORS || c == ATA_WRITE_SECTORS_EXT))
      n++;
  }
  return n;
}

/* Connect: a Query Config reply about the bound shelf.slot ends the
 * search; others (and broken ones) are ignored. */
static int
connect_config_reply (struct aoe_command *cmd, const uint8_t *frame,
                      size_t len, unsigned iface)
{
  struct harness_cmd *hc = cmd->user;
  struct harness *h = hc->h;
  struct aoe_header hdr;
  struct aoe_config_arg c;

  hc->replies++;
  if (aoe_wire_get_header (frame, len, &hdr) == -1 ||
      aoe_wire_get_config (frame, len, &c) == -1 ||
      (hdr.flags & AOE_FLAG_ERROR) ||
      hdr.shelf != h->shelf || hdr.slot != h->slot)
    return 1;
  memcpy (h->port_mac, hdr.src, 6);
  h->port_iface = iface;
  memcpy (h->port_config, c.config, c.config_len);
  c.config = h->port_config;
  h->port_cfg = c;
  h->port_found = true;
  return 0;
}

/* Connect: the IDENTIFY reply. */
static int
connect_identify_reply (struct aoe_command *cmd, const uint8_t *frame,
                        size_t len, unsigned iface)
{
  struct harness_cmd *hc = cmd->user;
  struct harness *h = hc->h;
  struct aoe_header hdr;
  struct aoe_ata_arg a;
  int err;

  hc->replies++;
  if (aoe_wire_get_header (frame, len, &hdr) == -1 ||
      aoe_wire_get_ata (frame, len, &a) == -1)
    return EIO;
  if (hdr.flags & AOE_FLAG_ERROR)
    return aoe_error_errno (hdr.error);
  err = aoe_ata_errno (a.command, a.feature, false);
  if (err)
    return err;
  if (aoe_ata_parse_identify (frame + AOE_ATA_HDR_LEN,
                              len - AOE_ATA_HDR_LEN, &h->identity) == -1)
    return EIO;
  h->identified = true;
  return 0;
}

/* Submit a control command and run until it completes (10 s max). */
static int
run_control (struct harness *h, struct harness_cmd *hc)
{
  if (harness_submit (h, hc) != 0)
    return hc->submit_err;
  if (!harness_run_until_done (h, hc, 10000000))
    return ETIMEDOUT;
  return hc->err;
}

/* The connect sequence. */
int
harness_connect (struct harness *h)
{
  struct harness_cmd *hc;
  struct aoe_ata_arg a;
  int err, port;

  hc = harness_new_control (h, AOE_CMD_CONFIG, config_read_arg,
                            sizeof config_read_arg, 0xFFFF, 0xFF,
                            broadcast_mac, -1);
  hc->cmd.on_reply = connect_config_reply;
  err = run_control (h, hc);
  if (err)
    return err;
  if (!h->port_found)
    return EIO;
  port = aoe_engine_add_port (h->engine, h->port_iface, h->port_mac,
                              &h->port_cfg, h->now);
  if (port < 0)
    return errno;

  aoe_ata_build_identify (&a);
  aoe_wire_put_ata (h->identify_req, &a);
  hc = harness_new_control (h, AOE_CMD_ATA, h->identify_req + AOE_HDR_LEN,
                            AOE_ATA_HDR_LEN - AOE_HDR_LEN, h->shelf, h->slot,
                            h->port_mac, (int) h->port_iface);
  hc->cmd.on_reply = connect_identify_reply;
  err = run_control (h, hc);
  if (err)
    return err;
  if (!h->identified)
    return EIO;
  aoe_engine_set_identity (h->engine, &h->identity, (unsigned) port);
  return 0;
}

/* Put another target on the wire. */
struct fake_target *
harness_add_target (struct harness *h, const struct fake_target_config *c)
{
  assert (h->ntargets < HARNESS_MAX_TARGETS);
  h->targets[h->ntargets] = fake_target_new (c);
  return h->targets[h->ntargets++];
}

/* Put a verified twin port on the wire. */
struct fake_target *
harness_add_twin (struct harness *h, const struct harness_config *c)
{
  struct fake_target_config tc = c->target;
  struct fake_target *twin;
  int port;
  bool idle;

  tc.mac[5] ^= 0x40;
  twin = harness_add_target (h, &tc);
  port = aoe_engine_add_port (h->engine, 0, fake_target_mac (twin),
                              &h->port_cfg, h->now);
  if (port != 1 || aoe_engine_port_verified (h->engine, 1)) {
    fprintf (stderr, "harness: twin port %d, verified before the check\n",
             port);
    abort ();
  }
  idle = harness_run (h, 10000000);
  if (!idle || !aoe_engine_port_verified (h->engine, 1)) {
    fprintf (stderr, "harness: the twin port was not verified\n");
    abort ();
  }
  return twin;
}

/* Create a harness. */
struct harness *
harness_new (const struct harness_config *c)
{
  struct harness *h = xzalloc (sizeof *h);
  struct aoe_engine_config ecfg = {
    .shelf = c->target.shelf, .slot = c->target.slot,
    .npinned = c->pin_mac ? 1 : 0, .initiator_id = c->initiator_id,
    .timeout_ms = c->timeout_ms == 0 ? 60000 :
                  c->timeout_ms == UINT32_MAX ? 0 : c->timeout_ms,
    .max_in_flight = c->max_in_flight, .max_sectors = c->max_sectors,
  };

  memcpy (ecfg.pinned_macs[0], c->target.mac, 6);
  if (getenv ("HARNESS_DEBUG")) {
    ecfg.debug = debug_print;
    ecfg.debug_opaque = h;
  }
  memcpy (h->iface.mac, initiator_mac, 6);
  h->iface.mtu = c->mtu ? c->mtu : 9000;
  h->shelf = c->target.shelf;
  h->slot = c->target.slot;
  h->now = 1000000; /* start away from 0 to catch "time 0" assumptions */
  h->engine = aoe_engine_new (&ecfg, &h->iface, 1);
  if (h->engine == NULL) {
    perror ("aoe_engine_new");
    abort ();
  }
  harness_add_target (h, &c->target);
  if (!c->no_connect) {
    int err = harness_connect (h);

    if (err) {
      fprintf (stderr, "harness: connect failed: %s\n", strerror (err));
      abort ();
    }
  }
  return h;
}

/* The bound target. */
struct fake_target *
harness_target (struct harness *h)
{
  return h->targets[0];
}

/* The bound target's faults. */
struct fake_faults *
harness_faults (struct harness *h)
{
  return fake_target_faults (h->targets[0]);
}

/* Fail what is pending and free everything. */
void
harness_free (struct harness *h)
{
  struct harness_cmd *hc, *next;
  unsigned i;

  if (h == NULL)
    return;
  aoe_engine_fail_all (h->engine, ESHUTDOWN);
  aoe_engine_free (h->engine);
  for (i = 0; i < h->ntargets; i++)
    fake_target_free (h->targets[i]);
  for (hc = h->cmds; hc != NULL; hc = next) {
    next = hc->next;
    free (hc->data);
    free (hc);
  }
  free (h->log);
  free (h);
}
