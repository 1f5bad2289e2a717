/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * libFuzzer harness for the engine's receive path.
 *
 * A connected engine (two interfaces, two target ports, an IDENTIFY) is
 * driven by a little program read from the input: submit data and control
 * commands, let time pass and tick, drain the frames to send, answer one of
 * them (turned into a reply, then damaged: bytes flipped, cut short, sent
 * on another interface), inject raw bytes, announce a target, fail
 * everything.  Besides "no crash, no sanitizer report", it checks the
 * engine's contract: complete() runs exactly once per accepted command,
 * never from inside submit, and nothing is pending after fail_all.
 *
 * The input is a sequence of steps: one byte picks the operation (enum
 * op, modulo OP_COUNT), the next bytes its parameters (see each
 * function); running out of input reads zeros.  tests/fuzz/seeds/ holds
 * hand-written programs that reach the interesting paths (replies,
 * retransmission, shrunk frames, AoE error 2, restart announcements).
 *
 * Built by tests/fuzz/run.sh (clang -fsanitize=fuzzer) and, with
 * tests/fuzz/replay.c, by meson as a unit test over the seed corpus.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fuzz.h"

#define NCMDS 16            /* commands the program can juggle */
#define MAX_SECTORS 40      /* longest read/write (a few frames) */
#define DISK_SECTORS 4096   /* the target's capacity */
#define RING 16             /* frames sent, remembered to be answered */
#define MAX_OPS 4096        /* program steps per input */
#define MAX_DRAIN 1024      /* frames taken per drain step */

/* The program's operations (first byte of each step, modulo OP_COUNT). */
enum op {
  OP_SUBMIT_DATA, OP_SUBMIT_CONTROL, OP_TICK, OP_DRAIN, OP_REPLY,
  OP_RAW, OP_ANNOUNCE, OP_FAIL_ALL, OP_COUNT
};

/* One command slot of the program. */
struct fuzz_cmd {
  struct aoe_command cmd;   /* what the engine sees (cmd.user = this) */
  bool accepted;            /* submit returned 0: complete() is owed */
  unsigned completions;     /* complete() calls since it was accepted */
  int reply_result;         /* CONTROL: what on_reply returns */
  uint8_t buf[MAX_SECTORS * 512]; /* data, or the control argument */
};

/* A frame the engine sent. */
struct sent_frame {
  size_t len;               /* 0: empty ring entry */
  unsigned iface;           /* interface it went out on */
  uint8_t bytes[AOE_MAX_FRAME]; /* the frame */
};

/* The input, consumed a byte at a time (zeros once it runs out). */
struct reader {
  const uint8_t *p;         /* next byte */
  size_t left;              /* bytes left */
};

static struct fuzz_cmd cmds[NCMDS];
static struct sent_frame ring[RING];
static uint8_t frame_buf[AOE_MAX_FRAME + 512];
static bool in_submit;

static const struct aoe_iface_info ifaces[2] = {
  { .mac = { 0x02, 0, 0, 0, 0, 0x01 }, .mtu = 9000 },
  { .mac = { 0x02, 0, 0, 0, 0, 0x02 }, .mtu = 9000 },
};
static const uint8_t target_macs[2][6] = {
  { 0x02, 0, 0, 0, 0, 0x10 }, { 0x02, 0, 0, 0, 0, 0x11 },
};

/* Stop the run: the engine broke its contract. */
static void
broken (const char *what)
{
  fprintf (stderr, "fuzz-engine: %s\n", what);
  abort ();
}

/* The next input byte (0 when exhausted). */
static uint8_t
get8 (struct reader *r)
{
  if (r->left == 0)
    return 0;
  r->left--;
  return *r->p++;
}

/* The next two input bytes as a number. */
static uint16_t
get16 (struct reader *r)
{
  uint16_t hi = get8 (r);

  return (uint16_t) (hi << 8 | get8 (r));
}

/* complete(): count, and check it is owed and not from inside submit. */
static void
completed (struct aoe_command *cmd, int err)
{
  struct fuzz_cmd *fc = cmd->user;

  if (in_submit)
    broken ("complete() called from inside submit");
  if (!fc->accepted || ++fc->completions > 1)
    broken ("complete() called twice");
}

/* on_reply(): the answer chosen at submit. */
static int
control_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
               unsigned iface)
{
  struct fuzz_cmd *fc = cmd->user;

  if (len < AOE_HDR_LEN)
    broken ("on_reply got a frame shorter than a header");
  return fc->reply_result;
}

/* A command slot free for a new submission, or NULL. */
static struct fuzz_cmd *
free_cmd (uint8_t pick)
{
  struct fuzz_cmd *fc = &cmds[pick % NCMDS];

  if (fc->accepted && fc->completions == 0)
    return NULL;              /* still owned by the engine */
  memset (&fc->cmd, 0, sizeof fc->cmd);
  fc->accepted = false;
  fc->completions = 0;
  return fc;
}

/* Submit fc and record whether the engine took it. */
static void
submit (struct aoe_engine *e, struct fuzz_cmd *fc, uint64_t now)
{
  int err;

  fc->cmd.user = fc;
  fc->cmd.complete = completed;
  in_submit = true;
  err = aoe_engine_submit (e, &fc->cmd, now);
  in_submit = false;
  fc->accepted = err == 0;
}

/* OP_SUBMIT_DATA: a read, write or flush with fuzzed fields. */
static void
submit_data (struct aoe_engine *e, struct reader *r, uint64_t now)
{
  struct fuzz_cmd *fc = free_cmd (get8 (r));
  uint8_t kind = get8 (r);

  if (fc == NULL)
    return;
  fc->cmd.op = kind % 3 == 0 ? AOE_OP_READ
             : kind % 3 == 1 ? AOE_OP_WRITE : AOE_OP_FLUSH;
  fc->cmd.buf = kind & 0x80 ? NULL : fc->buf;
  fc->cmd.sector = get16 (r) % (DISK_SECTORS + 8);
  fc->cmd.count = get8 (r) % (MAX_SECTORS + 1);
  fc->cmd.timeout_ms = kind & 0x40 ? 0 : (uint32_t) get8 (r) * 20;
  memset (fc->buf, kind, (size_t) fc->cmd.count * 512);
  submit (e, fc, now);
}

/* OP_SUBMIT_CONTROL: an arbitrary request frame, replies decided now. */
static void
submit_control (struct aoe_engine *e, struct reader *r, uint64_t now)
{
  struct fuzz_cmd *fc = free_cmd (get8 (r));
  uint8_t flags = get8 (r);
  size_t i, n;

  if (fc == NULL)
    return;
  fc->cmd.op = AOE_OP_CONTROL;
  fc->cmd.aoe_command = get8 (r) % 4;
  n = get8 (r) % 64;
  for (i = 0; i < n; i++)
    fc->buf[i] = get8 (r);
  fc->cmd.arg = fc->buf;
  fc->cmd.arg_len = n;
  fc->cmd.shelf = flags & 1 ? 0xFFFF : 0;
  fc->cmd.slot = flags & 2 ? 0xFF : 1;
  memcpy (fc->cmd.dst, flags & 4 ? target_macs[flags >> 7]
                                 : (const uint8_t *) "\xff\xff\xff\xff\xff\xff",
          6);
  fc->cmd.iface = (int) (flags >> 3 & 3) - 1;   /* -1, 0, 1, 2 (bad) */
  fc->cmd.collect = flags & 0x20;
  fc->cmd.timeout_ms = 1 + get8 (r) * 10;
  fc->cmd.on_reply = control_reply;
  fc->reply_result = flags & 0x40 ? 1 : (flags & 0x10 ? EIO : 0);
  submit (e, fc, now);
}

/* OP_DRAIN: take every frame ready now (bounded) into the ring. */
static void
drain (struct aoe_engine *e, uint64_t now, unsigned *next)
{
  unsigned i, iface;
  size_t len;

  for (i = 0; i < MAX_DRAIN; i++) {
    struct sent_frame *f = &ring[*next % RING];

    len = aoe_engine_next_frame (e, now, f->bytes, sizeof f->bytes, &iface);
    if (len == 0)
      return;
    if (len > sizeof f->bytes || iface >= 2)
      broken ("next_frame returned a bad length or interface");
    f->len = len;
    f->iface = iface;
    ++*next;
  }
}

/* OP_REPLY: answer a remembered frame, then damage the answer. */
static void
reply (struct aoe_engine *e, struct reader *r, uint64_t now)
{
  struct sent_frame *f = &ring[get8 (r) % RING];
  uint8_t how = get8 (r);
  size_t len, i, n;
  unsigned iface;

  if (f->len < AOE_HDR_LEN)
    return;
  len = f->len;
  memcpy (frame_buf, f->bytes, len);
  memcpy (frame_buf, f->bytes + 6, 6);            /* back to us */
  memcpy (frame_buf + 6, f->bytes, 6);            /* from the target */
  if (frame_buf[6] & 1)                           /* was a broadcast */
    memcpy (frame_buf + 6, target_macs[how & 1], 6);
  frame_buf[14] |= AOE_FLAG_RESPONSE;
  if (frame_buf[19] == AOE_CMD_ATA && len >= AOE_ATA_HDR_LEN) {
    bool write = frame_buf[24] & AOE_AFLAG_WRITE;
    size_t data = write ? 0 : (size_t) frame_buf[26] * 512;

    frame_buf[26] = 0;
    frame_buf[27] = 0x40;                         /* DRDY */
    len = AOE_ATA_HDR_LEN + data;
    if (len > sizeof frame_buf)
      len = sizeof frame_buf;
    memset (frame_buf + AOE_ATA_HDR_LEN, how, len - AOE_ATA_HDR_LEN);
  }
  n = how >> 5;                                   /* 0-7 damaged bytes */
  for (i = 0; i < n; i++)
    frame_buf[get16 (r) % len] ^= get8 (r);
  if (how & 0x10)
    len = get16 (r) % (len + 1);
  iface = how & 0x08 ? get8 (r) % 3 : f->iface;   /* 2 is no interface */
  aoe_engine_receive (e, frame_buf, len, iface, now);
}

/* OP_RAW: arbitrary bytes as a received frame. */
static void
raw (struct aoe_engine *e, struct reader *r, uint64_t now)
{
  unsigned iface = get8 (r) % 3;
  size_t len = get16 (r) % (AOE_MAX_FRAME + 64), i;

  for (i = 0; i < len; i++)
    frame_buf[i] = get8 (r);
  aoe_engine_receive (e, frame_buf, len, iface, now);
}

/* OP_ANNOUNCE: an unsolicited Query Config reply (a target restart). */
static void
announce (struct aoe_engine *e, struct reader *r, uint64_t now)
{
  uint8_t who = get8 (r);
  struct aoe_header h = { .version = who & 2 ? 0 : 1,
                          .flags = AOE_FLAG_RESPONSE, .shelf = 0, .slot = 1,
                          .command = AOE_CMD_CONFIG,
                          .tag = who & 4 ? get16 (r) : 0 };
  struct aoe_config_arg c = { .buffer_count = get8 (r),
                              .firmware = 0x4019,
                              .sector_count = get8 (r),
                              .aoe_version = 1 };
  size_t len;

  memcpy (h.dst, who & 8 ? (const uint8_t *) "\xff\xff\xff\xff\xff\xff"
                         : ifaces[who & 1].mac, 6);
  memcpy (h.src, target_macs[who & 1], 6);
  aoe_wire_put_header (frame_buf, &h);
  len = aoe_wire_put_config (frame_buf, sizeof frame_buf, &c);
  aoe_engine_receive (e, frame_buf, len, who & 1, now);
}

/* A connected engine: two ports (one per interface, jumbo frames, so the
 * path MTU fallback can be reached) and an identity. */
static struct aoe_engine *
connected_engine (uint64_t now)
{
  struct aoe_engine_config cfg = { .shelf = 0, .slot = 1,
                                   .timeout_ms = 2000 };
  struct aoe_config_arg port0 = { .buffer_count = 16, .firmware = 0x4019,
                                  .sector_count = 17, .aoe_version = 1 };
  struct aoe_config_arg port1 = { .buffer_count = 4, .firmware = 0x4019,
                                  .sector_count = 17, .aoe_version = 1 };
  struct aoe_identity id = { .sectors = DISK_SECTORS, .lba48 = true,
                             .flush = true };
  struct aoe_engine *e = aoe_engine_new (&cfg, ifaces, 2);

  if (e == NULL
      || aoe_engine_add_port (e, 0, target_macs[0], &port0, now) != 0
      || aoe_engine_add_port (e, 1, target_macs[1], &port1, now) != 1)
    broken ("cannot set up the engine");
  aoe_engine_set_identity (e, &id, 0);
  return e;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct reader r = { .p = data, .left = size };
  uint64_t now = 1000000;
  unsigned next = 0, steps, i;
  struct aoe_engine *e;
  struct aoe_engine_stats st;

  memset (cmds, 0, sizeof cmds);
  memset (ring, 0, sizeof ring);
  e = connected_engine (now);
  for (steps = 0; r.left > 0 && steps < MAX_OPS; steps++) {
    switch (get8 (&r) % OP_COUNT) {
    case OP_SUBMIT_DATA: submit_data (e, &r, now); break;
    case OP_SUBMIT_CONTROL: submit_control (e, &r, now); break;
    case OP_TICK:
      now += (uint64_t) get16 (&r) * 100;
      aoe_engine_tick (e, now);
      if (aoe_engine_next_deadline (e) <= now)
        broken ("a deadline is still due after tick");
      break;
    case OP_DRAIN: drain (e, now, &next); break;
    case OP_REPLY: reply (e, &r, now); break;
    case OP_RAW: raw (e, &r, now); break;
    case OP_ANNOUNCE: announce (e, &r, now); break;
    case OP_FAIL_ALL: aoe_engine_fail_all (e, ESHUTDOWN); break;
    }
    aoe_engine_get_stats (e, &st);
    if (st.in_flight > AOE_MAX_SLOTS)
      broken ("more frames in flight than slots");
  }
  aoe_engine_fail_all (e, ESHUTDOWN);
  if (aoe_engine_pending (e) != 0)
    broken ("commands pending after fail_all");
  for (i = 0; i < NCMDS; i++)
    if (cmds[i].accepted && cmds[i].completions != 1)
      broken ("an accepted command did not complete exactly once");
  aoe_engine_free (e);
  return 0;
}
