/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Control commands used by connect and discover: Query Config (read) and
 * IDENTIFY DEVICE, built as AOE_OP_CONTROL commands of the engine.  Each
 * query ends in its struct aoe_waiter (wait.c); reply handlers reach
 * their query through the embedded command.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The broadcast MAC address. */
static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* on_reply of a Query Config command: record (and, for connect, register
 * as a port) each usable answer.  Error replies and undecodable ones are
 * ignored: another answer may still come. */
static int
config_query_reply (struct aoe_command *cmd, const uint8_t *frame,
                    size_t len, unsigned iface)
{
  struct aoe_config_query *q =
    aoe_container_of (cmd, struct aoe_config_query, cmd);
  struct aoe_header hdr;
  struct aoe_config_arg cfg;

  if (aoe_wire_get_header (frame, len, &hdr) == -1
      || (hdr.flags & AOE_FLAG_ERROR)
      || aoe_wire_get_config (frame, len, &cfg) == -1)
    return 1;
  if (q->add_ports
      && aoe_engine_add_port (q->io->engine, iface, hdr.src, &cfg,
                              aoe_internal_now_us ()) == -1) {
    if (errno == EPERM)
      q->ignored_macs++;
    return 1;
  }
  if (q->answers++ == 0) {
    q->first = cfg;
    q->first.config = NULL;
    memcpy (q->first_mac, hdr.src, 6);
    q->first_iface = iface;
    aoe_internal_copy_config (q->config, &cfg);
  }
  if (q->on_answer)
    q->on_answer (q, &hdr, &cfg, iface);
  return cmd->collect ? 1 : 0;
}

void
aoe_internal_config_query_init (struct aoe_config_query *q,
                                struct aoe_io *io, uint16_t shelf,
                                uint8_t slot, uint32_t timeout_ms,
                                bool collect)
{
  struct aoe_config_arg request = { .ccmd = AOE_CCMD_READ };
  size_t len;

  memset (q, 0, sizeof *q);
  q->io = io;
  len = aoe_wire_put_config (q->request, sizeof q->request, &request);
  q->cmd.op = AOE_OP_CONTROL;
  q->cmd.timeout_ms = timeout_ms;
  aoe_internal_waiter_init (&q->wait, &q->cmd);
  q->cmd.aoe_command = AOE_CMD_CONFIG;
  q->cmd.arg = q->request + AOE_HDR_LEN;
  q->cmd.arg_len = len - AOE_HDR_LEN;
  q->cmd.shelf = shelf;
  q->cmd.slot = slot;
  memcpy (q->cmd.dst, broadcast_mac, 6);
  q->cmd.iface = -1;
  q->cmd.on_reply = config_query_reply;
  q->cmd.collect = collect;
}

/* The common checks of a reply to an ATA control command: 0 and *ata
 * filled if it succeeded, 1 if it cannot be decoded (wait for a
 * retransmission's answer), or the errno of its AoE or ATA error. */
static int
check_ata_reply (const uint8_t *frame, size_t len, struct aoe_ata_arg *ata)
{
  struct aoe_header hdr;

  if (aoe_wire_get_header (frame, len, &hdr) == -1)
    return 1;
  if (hdr.flags & AOE_FLAG_ERROR)
    return aoe_error_errno (hdr.error);
  if (aoe_wire_get_ata (frame, len, ata) == -1)
    return 1;
  return aoe_ata_errno (ata->command, ata->feature, false);
}

/* on_reply of an IDENTIFY command: an AoE or ATA error fails it; a
 * truncated block is ignored (the engine resends); else parse. */
static int
identify_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
                unsigned iface)
{
  struct aoe_identify_query *q =
    aoe_container_of (cmd, struct aoe_identify_query, cmd);
  struct aoe_ata_arg ata;
  int r = check_ata_reply (frame, len, &ata);

  if (r != 0)
    return r;
  if (aoe_ata_parse_identify (frame + AOE_ATA_HDR_LEN, len - AOE_ATA_HDR_LEN,
                              &q->id) == -1)
    return 1;
  return 0;
}

/* Fill cmd as an ATA control command to shelf.slot at mac through iface
 * carrying the argument of request. */
static void
ata_control_init (struct aoe_command *cmd, uint8_t *request, uint16_t shelf,
                  uint8_t slot, const uint8_t mac[6], unsigned iface,
                  uint32_t timeout_ms)
{
  cmd->op = AOE_OP_CONTROL;
  cmd->timeout_ms = timeout_ms;
  cmd->aoe_command = AOE_CMD_ATA;
  cmd->arg = request + AOE_HDR_LEN;
  cmd->arg_len = AOE_ATA_HDR_LEN - AOE_HDR_LEN;
  cmd->shelf = shelf;
  cmd->slot = slot;
  memcpy (cmd->dst, mac, 6);
  cmd->iface = (int) iface;
}

/* on_reply of a one-sector read: keep the sector; a truncated reply
 * waits for a resend. */
static int
sector_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
              unsigned iface)
{
  struct aoe_sector_query *q =
    aoe_container_of (cmd, struct aoe_sector_query, cmd);
  struct aoe_ata_arg ata;
  int r = check_ata_reply (frame, len, &ata);

  if (r != 0)
    return r;
  if (len < AOE_ATA_HDR_LEN + AOE_SECTOR_SIZE)
    return 1;
  memcpy (q->data, frame + AOE_ATA_HDR_LEN, AOE_SECTOR_SIZE);
  return 0;
}

void
aoe_internal_sector_query_init (struct aoe_sector_query *q, uint16_t shelf,
                                uint8_t slot, const uint8_t mac[6],
                                unsigned iface, bool lba48, uint64_t lba,
                                uint32_t timeout_ms)
{
  struct aoe_ata_arg ata;

  memset (q, 0, sizeof *q);
  aoe_ata_build_rw (&ata, lba48, false, lba, 1);
  aoe_wire_put_ata (q->request, &ata);
  ata_control_init (&q->cmd, q->request, shelf, slot, mac, iface, timeout_ms);
  aoe_internal_waiter_init (&q->wait, &q->cmd);
  q->cmd.on_reply = sector_reply;
}

void
aoe_internal_identify_init (struct aoe_identify_query *q, uint16_t shelf,
                            uint8_t slot, const uint8_t mac[6],
                            unsigned iface, uint32_t timeout_ms)
{
  struct aoe_ata_arg ata;

  memset (q, 0, sizeof *q);
  aoe_ata_build_identify (&ata);
  aoe_wire_put_ata (q->request, &ata);
  ata_control_init (&q->cmd, q->request, shelf, slot, mac, iface, timeout_ms);
  aoe_internal_waiter_init (&q->wait, &q->cmd);
  q->cmd.on_reply = identify_reply;
}

void
aoe_internal_copy_config (char *dst, const struct aoe_config_arg *cfg)
{
  size_t len = cfg->config_len;

  if (len > AOE_MAX_CONFIG_LEN)
    len = AOE_MAX_CONFIG_LEN;
  if (cfg->config && len > 0)
    memcpy (dst, cfg->config, len);
  else
    len = 0;
  dst[len] = '\0';
}
