/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Proving that a new port serves the same disk before it carries data.
 *
 * AoE has no authentication: any host can answer Query Config for any
 * shelf.slot, and two targets misconfigured with the same address are a
 * common mistake.  Striping commands over two different disks would
 * corrupt both silently, so a port (a target MAC on a local interface)
 * found after the one the identity came from stays unverified until:
 *   1. its Query Config matches the reference port's (config string and
 *      firmware version; buffer and sector counts may differ by path);
 *   2. its IDENTIFY matches the identity (capacity, LBA mode, flush
 *      support, model, serial, firmware);
 *   3. at each of AOE_VERIFY_PLACES sectors (first, middle, last) it
 *      returns what the reference port returned just before and just
 *      after it (two reference reads that differ mean the disk changed
 *      under us: that place is read again, a few times at most).
 * A mismatch rejects the port for good; silence or errors leave it
 * unverified and the check is tried again later, backing off.  Two disks
 * identical in all of this (the same size, identity and contents at
 * those sectors, e.g. two blank images served by one host) cannot be
 * told apart by any AoE means: mac= pins the ports to use.
 *
 * The check is a chain of control commands owned by the engine (struct
 * aoe_verifier), one port at a time; each reply handler records what it
 * saw and the completion function takes the next step.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine-internal.h"

/* Time one verification request may take (retransmitted meanwhile). */
#define AOE_VERIFY_TIMEOUT_MS 1000

/* Delay before checking again a port that gave no verdict, doubled per
 * failed attempt up to the maximum. */
#define AOE_VERIFY_RETRY_US 2000000
#define AOE_VERIFY_RETRY_MAX_US 60000000

/* Reference reads that may change under one check before it gives up. */
#define AOE_VERIFY_MAX_UNSTABLE 4

/* What a reply handler saw, for the completion function. */
enum verify_step_result {
  STEP_OK,        /* as expected: go on */
  STEP_MISMATCH,  /* another disk: reject (reason set) */
  STEP_FAILED,    /* an error answer: no verdict now (reason set) */
};

static void verify_complete (struct aoe_command *cmd, int err);

/* The engine a verifier command belongs to. */
static struct aoe_engine *
engine_of (struct aoe_command *cmd)
{
  return cmd->user;
}

/* Format a MAC into buf (18 bytes). */
static void
format_mac (const uint8_t mac[6], char buf[18])
{
  snprintf (buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* End the check of the current port with verdict (reason in v->reason
 * for rejections and failures) and start the next one. */
static void
conclude (struct aoe_engine *e, enum aoe_port_verdict verdict, uint64_t now)
{
  struct aoe_verifier *v = &e->verifier;
  struct aoe_port *p = &e->ports[v->port];
  unsigned pi = (unsigned) v->port;
  char mac[18], ref[18];
  uint64_t delay;

  format_mac (p->mac, mac);
  format_mac (e->ports[v->ref].mac, ref);
  switch (verdict) {
  case AOE_PORT_VERIFIED:
    p->trust = PORT_VERIFIED;
    aoe_port_reset_window (p, e->cfg.max_in_flight);
    aoe_engine_update_frame_sectors (e);
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "port %u (%s) verified: same disk as %s", pi, mac, ref);
    v->reason[0] = '\0';
    break;
  case AOE_PORT_REJECTED:
    p->trust = PORT_REJECTED;
    e->stats.ports_rejected++;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "port %u (%s) rejected: not the disk of %s: %s",
                      pi, mac, ref, v->reason);
    break;
  case AOE_PORT_NO_ANSWER:
    delay = (uint64_t) AOE_VERIFY_RETRY_US
            << (p->verify_attempts < 5 ? p->verify_attempts : 5);
    if (delay > AOE_VERIFY_RETRY_MAX_US)
      delay = AOE_VERIFY_RETRY_MAX_US;
    p->verify_attempts++;
    p->verify_at = now + delay;
    aoe_engine_debug (e, AOE_ENGINE_DEBUG_EVENTS,
                      "port %u (%s) not verified yet: %s", pi, mac, v->reason);
    break;
  }
  v->port = -1;
  if (e->cfg.port_verdict)
    e->cfg.port_verdict (e->cfg.verdict_opaque, pi, e->ref_port, verdict,
                         v->reason);
  aoe_engine_verify_next (e, now);
}

/* Queue the verifier's command, prepared in v->request, to port pi. */
static void
send_step (struct aoe_engine *e, unsigned pi, aoe_reply_fn on_reply,
           uint64_t now)
{
  struct aoe_verifier *v = &e->verifier;
  struct aoe_command *cmd = &v->cmd;
  int err;

  memset (cmd, 0, sizeof *cmd);
  cmd->op = AOE_OP_CONTROL;
  cmd->timeout_ms = AOE_VERIFY_TIMEOUT_MS;
  cmd->complete = verify_complete;
  cmd->user = e;
  cmd->aoe_command = AOE_CMD_ATA;
  cmd->arg = v->request + AOE_HDR_LEN;
  cmd->arg_len = AOE_ATA_HDR_LEN - AOE_HDR_LEN;
  cmd->shelf = e->cfg.shelf;
  cmd->slot = e->cfg.slot;
  memcpy (cmd->dst, e->ports[pi].mac, 6);
  cmd->iface = (int) e->ports[pi].iface;
  cmd->on_reply = on_reply;
  v->result = STEP_OK;
  err = aoe_engine_submit (e, cmd, now);
  if (err) {
    snprintf (v->reason, sizeof v->reason, "cannot queue a request: %s",
              strerror (err));
    conclude (e, AOE_PORT_NO_ANSWER, now);
  }
}

/* Common checks of a verification reply: no AoE error, a decodable ATA
 * argument with success status.  0, or -1 with v->result and reason set
 * (the step has failed). */
static int
check_ata_reply (struct aoe_verifier *v, const uint8_t *frame, size_t len,
                 struct aoe_ata_arg *a)
{
  struct aoe_header h;

  if (aoe_wire_get_header (frame, len, &h) < 0
      || aoe_wire_get_ata (frame, len, a) < 0)
    return 1;   /* undecodable: wait for a retransmission's answer */
  if (h.flags & AOE_FLAG_ERROR) {
    v->result = STEP_FAILED;
    snprintf (v->reason, sizeof v->reason, "AoE error %u (%s)", h.error,
              aoe_error_name (h.error));
    return -1;
  }
  if (aoe_ata_errno (a->command, a->feature, false) != 0) {
    v->result = STEP_FAILED;
    snprintf (v->reason, sizeof v->reason,
              "ATA status 0x%02x error 0x%02x", a->command, a->feature);
    return -1;
  }
  return 0;
}

/* Describe the first difference between identities a (the reference)
 * and b into reason; false if they are the same disk's. */
static bool
identity_differs (const struct aoe_identity *a, const struct aoe_identity *b,
                  char *reason, size_t size)
{
  if (a->sectors != b->sectors)
    snprintf (reason, size, "capacity %llu sectors, not %llu",
              (unsigned long long) b->sectors,
              (unsigned long long) a->sectors);
  else if (a->lba48 != b->lba48)
    snprintf (reason, size, "%s, not %s", b->lba48 ? "LBA48" : "LBA28",
              a->lba48 ? "LBA48" : "LBA28");
  else if (strcmp (a->serial, b->serial) != 0)
    snprintf (reason, size, "serial \"%s\", not \"%s\"", b->serial,
              a->serial);
  else if (strcmp (a->model, b->model) != 0)
    snprintf (reason, size, "model \"%s\", not \"%s\"", b->model, a->model);
  else if (strcmp (a->firmware, b->firmware) != 0)
    snprintf (reason, size, "firmware \"%s\", not \"%s\"", b->firmware,
              a->firmware);
  else if (a->flush != b->flush || a->flush_ext != b->flush_ext)
    snprintf (reason, size, "other FLUSH CACHE support");
  else
    return false;
  return true;
}

/* on_reply of the candidate's IDENTIFY. */
static int
identify_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
                unsigned iface)
{
  struct aoe_engine *e = engine_of (cmd);
  struct aoe_verifier *v = &e->verifier;
  struct aoe_identity id;
  struct aoe_ata_arg a;
  int r = check_ata_reply (v, frame, len, &a);

  (void) iface;
  if (r != 0)
    return r > 0 ? 1 : 0;
  if (aoe_ata_parse_identify (frame + AOE_ATA_HDR_LEN,
                              len - AOE_ATA_HDR_LEN, &id) < 0)
    return 1;
  if (identity_differs (&e->id, &id, v->reason, sizeof v->reason)) {
    char detail[sizeof v->reason];

    memcpy (detail, v->reason, sizeof detail);
    snprintf (v->reason, sizeof v->reason, "its IDENTIFY says %.120s",
              detail);
    v->result = STEP_MISMATCH;
  }
  return 0;
}

/* The sector at verification place i of a disk of n sectors. */
static uint64_t
place_sector (uint64_t n, unsigned i)
{
  switch (i) {
  case 0: return 0;
  case 1: return n / 2;
  default: return n - 1;
  }
}

/* on_reply of a verification read: keep its sector in the buffer the
 * current read fills. */
static int
read_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
            unsigned iface)
{
  struct aoe_engine *e = engine_of (cmd);
  struct aoe_verifier *v = &e->verifier;
  uint8_t *dst = v->read == 0 ? v->before
                 : v->read == 1 ? v->candidate : v->after;
  struct aoe_ata_arg a;
  int r = check_ata_reply (v, frame, len, &a);

  (void) iface;
  if (r != 0)
    return r > 0 ? 1 : 0;
  if (len < AOE_ATA_HDR_LEN + AOE_VERIFY_BYTES)
    return 1;   /* truncated: wait for a resend */
  memcpy (dst, frame + AOE_ATA_HDR_LEN, AOE_VERIFY_BYTES);
  return 0;
}

/* Send read number v->read of the current place: the reference port for
 * reads 0 and 2, the candidate for read 1. */
static void
send_read (struct aoe_engine *e, uint64_t now)
{
  struct aoe_verifier *v = &e->verifier;
  struct aoe_ata_arg a;
  unsigned pi = (unsigned) (v->read == 1 ? v->port : v->ref);

  aoe_ata_build_rw (&a, e->id.lba48, false,
                    place_sector (e->id.sectors, v->place),
                    AOE_VERIFY_SECTORS);
  aoe_wire_put_ata (v->request, &a);
  send_step (e, pi, read_reply, now);
}

/* The reads of the current place are done: compare, then go on. */
static void
compare_place (struct aoe_engine *e, uint64_t now)
{
  struct aoe_verifier *v = &e->verifier;
  unsigned places = e->id.sectors < AOE_VERIFY_PLACES
                    ? (unsigned) e->id.sectors : AOE_VERIFY_PLACES;

  v->read = 0;
  if (memcmp (v->before, v->after, AOE_VERIFY_BYTES) != 0) {
    /* Written meanwhile: no evidence either way.  Read it again. */
    if (++v->unstable > AOE_VERIFY_MAX_UNSTABLE) {
      snprintf (v->reason, sizeof v->reason,
                "sector %llu kept changing while it was compared",
                (unsigned long long) place_sector (e->id.sectors, v->place));
      conclude (e, AOE_PORT_NO_ANSWER, now);
      return;
    }
    send_read (e, now);
    return;
  }
  if (memcmp (v->before, v->candidate, AOE_VERIFY_BYTES) != 0) {
    snprintf (v->reason, sizeof v->reason,
              "sector %llu holds other data",
              (unsigned long long) place_sector (e->id.sectors, v->place));
    conclude (e, AOE_PORT_REJECTED, now);
    return;
  }
  if (++v->place >= places) {
    conclude (e, AOE_PORT_VERIFIED, now);
    return;
  }
  send_read (e, now);
}

/* complete() of every verifier command: take the next step. */
static void
verify_complete (struct aoe_command *cmd, int err)
{
  struct aoe_engine *e = engine_of (cmd);
  struct aoe_verifier *v = &e->verifier;
  uint64_t now = e->now;

  if (v->port < 0)
    return;
  if (err == ESHUTDOWN) {
    v->port = -1;   /* the engine is failing everything: stop quietly */
    return;
  }
  if (err != 0 || v->result == STEP_FAILED) {
    if (err != 0)
      snprintf (v->reason, sizeof v->reason, "%s",
                err == ETIMEDOUT ? "no answer" : strerror (err));
    conclude (e, AOE_PORT_NO_ANSWER, now);
    return;
  }
  if (v->result == STEP_MISMATCH) {
    conclude (e, AOE_PORT_REJECTED, now);
    return;
  }
  if (cmd->on_reply == identify_reply) {
    v->place = 0;
    v->read = 0;
    v->unstable = 0;
    send_read (e, now);
    return;
  }
  if (++v->read < 3) {
    send_read (e, now);
    return;
  }
  compare_place (e, now);
}

/* Compare the candidate's Query Config with the reference port's;
 * false (reason set) if they differ. */
static bool
config_matches (struct aoe_engine *e, const struct aoe_port *ref,
                const struct aoe_port *p)
{
  struct aoe_verifier *v = &e->verifier;

  if (p->config_len != ref->config_len
      || memcmp (p->config, ref->config, p->config_len) != 0) {
    snprintf (v->reason, sizeof v->reason,
              "its config string (%u bytes) differs", p->config_len);
    return false;
  }
  if (p->firmware != ref->firmware) {
    snprintf (v->reason, sizeof v->reason,
              "its firmware version is 0x%04x, not 0x%04x", p->firmware,
              ref->firmware);
    return false;
  }
  return true;
}

void
aoe_engine_verify_next (struct aoe_engine *e, uint64_t now)
{
  struct aoe_verifier *v = &e->verifier;
  struct aoe_ata_arg a;
  unsigned i;

  if (!e->have_identity || e->ref_port < 0 || v->port >= 0)
    return;
  for (i = 0; i < e->nports; i++)
    if (e->ports[i].trust == PORT_UNVERIFIED && e->ports[i].verify_at <= now)
      break;
  if (i == e->nports)
    return;
  v->port = (int) i;
  v->ref = e->ref_port;
  v->reason[0] = '\0';
  if (!config_matches (e, &e->ports[v->ref], &e->ports[i])) {
    conclude (e, AOE_PORT_REJECTED, now);
    return;
  }
  aoe_ata_build_identify (&a);
  aoe_wire_put_ata (v->request, &a);
  send_step (e, i, identify_reply, now);
}

uint64_t
aoe_engine_verify_deadline (const struct aoe_engine *e)
{
  uint64_t t = UINT64_MAX;
  unsigned i;

  if (!e->have_identity || e->ref_port < 0 || e->verifier.port >= 0)
    return t;
  for (i = 0; i < e->nports; i++)
    if (e->ports[i].trust == PORT_UNVERIFIED && e->ports[i].verify_at < t)
      t = e->ports[i].verify_at;
  return t;
}
