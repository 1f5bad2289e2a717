/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: control commands and target discovery.  The connect
 * sequence's frames, picking the bound target among several, collect
 * mode, unsolicited Query Config replies (vblade's version-0 start-up
 * announcement, also the real captured one), MAC pinning, and the admin
 * commands (config string, MAC mask list, reserve/release) end to end
 * through the engine and the fake target.
 */
#include "engine-test.h"
#include "fixtures/vblade-frames.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0xAA };
static const uint8_t stranger[6] = { 0x02, 0, 0, 0, 0, 0xBB };

/* The last reply a control command of these tests received. */
static uint8_t last_reply[AOE_MAX_FRAME];
static size_t last_reply_len;

/* on_reply: keep a copy; fail with the AoE error if the E flag is set. */
static int
keep_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
            unsigned iface)
{
  struct harness_cmd *hc = cmd->user;

  hc->replies++;
  memcpy (last_reply, frame, len);
  last_reply_len = len;
  if (frame[14] & AOE_FLAG_ERROR)
    return aoe_error_errno (frame[15]);
  return hc->reply_result;
}

/* Send a control command to the bound target (unicast) and run it to
 * completion; returns its err (ETIMEDOUT after 500 ms of silence). */
static int
control (struct harness *h, uint8_t aoe_cmd, const uint8_t *frame,
         size_t len)
{
  struct harness_cmd *hc;

  hc = harness_new_control (h, aoe_cmd, frame + AOE_HDR_LEN,
                            len - AOE_HDR_LEN, 0, 1,
                            fake_target_mac (harness_target (h)), 0);
  hc->cmd.on_reply = keep_reply;
  hc->cmd.timeout_ms = 500;
  last_reply_len = 0;
  assert_int_equal (harness_submit (h, hc), 0);
  assert_true (harness_run_until_done (h, hc, 10 * SEC));
  assert_int_equal (hc->completions, 1);
  return hc->err;
}

/* A Query Config request with ccmd and string s. */
static int
config_cmd (struct harness *h, uint8_t ccmd, const char *s)
{
  uint8_t frame[AOE_CFG_HDR_LEN + AOE_MAX_CONFIG_LEN];
  struct aoe_config_arg c = {
    .ccmd = ccmd, .aoe_version = AOE_VERSION,
    .config_len = (uint16_t) strlen (s), .config = (const uint8_t *) s,
  };
  size_t len = aoe_wire_put_config (frame, sizeof frame, &c);

  assert_true (len > 0);
  return control (h, AOE_CMD_CONFIG, frame, len);
}

/* The config string in the last reply equals s. */
static void
assert_reply_config (const char *s)
{
  struct aoe_config_arg c;

  assert_int_equal (aoe_wire_get_config (last_reply, last_reply_len, &c), 0);
  assert_int_equal (c.config_len, strlen (s));
  assert_memory_equal (c.config, s, c.config_len);
}

/* The connect sequence: a broadcast Query Config, then IDENTIFY sent to
 * the MAC that answered, with shelf.slot of the target. */
static void
test_connect_frames (void **state)
{
  struct harness *h = default_harness ();
  const struct harness_frame *q = &h->log[0], *id = &h->log[1];

  assert_int_equal (h->nlog, 2);
  assert_memory_equal (q->hdr.dst, bcast, 6);
  assert_memory_equal (q->hdr.src, our_mac, 6);
  assert_int_equal (q->hdr.version, AOE_VERSION);
  assert_int_equal (q->hdr.flags, 0);
  assert_int_equal (q->hdr.shelf, 0xFFFF);
  assert_int_equal (q->hdr.slot, 0xFF);
  assert_int_equal (q->hdr.command, AOE_CMD_CONFIG);
  assert_int_equal (q->len, 60);   /* padded to Ethernet's minimum */
  assert_memory_equal (id->hdr.dst, fake_target_mac (harness_target (h)), 6);
  assert_int_equal (id->hdr.shelf, 0);
  assert_int_equal (id->hdr.slot, 1);
  assert_true (id->is_ata);
  assert_int_equal (id->ata.command, ATA_IDENTIFY);
  assert_int_equal (id->ata.sector_count, 1);
  assert_int_not_equal (q->hdr.tag, id->hdr.tag);
  /* Tag bit 31 is set: the kernel driver reserves it for userland
   * tools and never takes such replies for its own. */
  assert_int_equal (q->hdr.tag & 0x80000000u, 0x80000000u);
  harness_free (h);
}

/* Several targets answer the broadcast, the wrong one first: connect
 * binds the MAC of the configured shelf.slot. */
static void
test_connect_picks_bound_target (void **state)
{
  struct harness_config c;
  struct fake_target_config other;
  struct harness *h;
  uint8_t mac[6];

  harness_default_config (&c);
  c.no_connect = true;
  c.target.latency_us = 500;
  h = harness_new (&c);
  other = c.target;
  other.slot = 2;
  other.mac[5] = 0x02;
  other.latency_us = 10;
  harness_add_target (h, &other);
  assert_int_equal (harness_connect (h), 0);
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  aoe_engine_port_info (h->engine, 0, mac, NULL, NULL);
  assert_memory_equal (mac, c.target.mac, 6);
  assert_true (h->log[0].hdr.tag != 0);
  harness_free (h);
}

/* Collect mode (discovery): every answer reaches on_reply, and the
 * command completes with 0 at its deadline, not with ETIMEDOUT. */
static void
test_discovery_collect (void **state)
{
  struct harness_config c;
  struct fake_target_config other;
  struct harness *h;
  struct harness_cmd *hc;
  static const uint8_t arg[8];
  uint64_t start;

  harness_default_config (&c);
  c.no_connect = true;
  h = harness_new (&c);
  other = c.target;
  other.slot = 2;
  other.mac[5] = 0x02;
  harness_add_target (h, &other);
  other.shelf = 7;
  other.mac[5] = 0x03;
  harness_add_target (h, &other);

  hc = harness_new_control (h, AOE_CMD_CONFIG, arg, sizeof arg, 0xFFFF,
                            0xFF, bcast, -1);
  hc->cmd.collect = true;
  hc->cmd.timeout_ms = 1000;
  hc->reply_result = 1;   /* keep collecting */
  start = h->now;
  harness_submit (h, hc);
  assert_true (harness_run (h, 10 * SEC));
  assert_done_once (hc, 0);
  /* The broadcast is repeated while collecting (against loss); each
   * copy is answered by all three targets, wherever they live. */
  assert_true (h->nlog >= 1);
  assert_int_equal (hc->replies, 3 * h->nlog);
  assert_int_equal (fake_target_counters (h->targets[1])->configs, h->nlog);
  assert_int_equal (fake_target_counters (h->targets[2])->configs, h->nlog);
  assert_true (hc->completed_at - start >= 1000 * MS);
  assert_true (hc->completed_at - start <= 1000 * MS + 2);
  harness_free (h);
}

/* A silent control command times out with ETIMEDOUT, retransmitting
 * with fresh tags meanwhile. */
static void
test_control_timeout (void **state)
{
  struct harness *h = default_harness ();
  size_t from = h->nlog, i;

  fake_target_set_config_string (harness_target (h), "abc", 3);
  assert_int_equal (config_cmd (h, AOE_CCMD_TEST, "abd"), ETIMEDOUT);
  assert_true (h->nlog - from >= 2);
  for (i = from + 1; i < h->nlog; i++)
    assert_int_not_equal (h->log[i].hdr.tag, h->log[i - 1].hdr.tag);
  harness_free (h);
}

/* Query Config sub-commands with vblade's semantics. */
static void
test_config_string (void **state)
{
  struct harness *h = default_harness ();
  size_t len;
  const uint8_t *s;

  assert_int_equal (config_cmd (h, AOE_CCMD_READ, ""), 0);
  assert_reply_config ("");
  assert_int_equal (config_cmd (h, AOE_CCMD_SET, "hello"), 0);
  assert_reply_config ("hello");
  /* Set again with the same string: fine; with another: E/4 EEXIST. */
  assert_int_equal (config_cmd (h, AOE_CCMD_SET, "hello"), 0);
  assert_int_equal (config_cmd (h, AOE_CCMD_SET, "world"), EEXIST);
  assert_reply_config ("hello");
  assert_int_equal (config_cmd (h, AOE_CCMD_FORCE_SET, "world"), 0);
  s = fake_target_config_string (harness_target (h), &len);
  assert_int_equal (len, 5);
  assert_memory_equal (s, "world", 5);
  /* Test and prefix: answered on a match, silence otherwise. */
  assert_int_equal (config_cmd (h, AOE_CCMD_TEST, "world"), 0);
  assert_int_equal (config_cmd (h, AOE_CCMD_TEST, "worl"), ETIMEDOUT);
  assert_int_equal (config_cmd (h, AOE_CCMD_TEST_PREFIX, "wor"), 0);
  assert_int_equal (config_cmd (h, AOE_CCMD_TEST_PREFIX, ""), 0);
  assert_int_equal (config_cmd (h, AOE_CCMD_TEST_PREFIX, "worlds"),
                    ETIMEDOUT);
  /* Unknown sub-command: E/2. */
  assert_int_equal (config_cmd (h, 9, ""), EINVAL);
  harness_free (h);
}

/* Directive commands of the MAC Mask List. */
#define DIR_ADD 1
#define DIR_DELETE 2

/* MACs for the mask list tests. */
static const uint8_t mac_a[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 1, 2 };
static const uint8_t mac_c[6] = { 2, 0, 0, 0, 1, 3 };
static const uint8_t mac_d[6] = { 2, 0, 0, 0, 1, 4 };
static const uint8_t mac_e[6] = { 2, 0, 0, 0, 1, 5 };

/* One mask directive. */
struct dir {
  uint8_t dcmd;        /* DIR_ADD, DIR_DELETE, or anything (bad) */
  const uint8_t *mac;  /* its MAC */
};

/* A MAC mask request: mcmd (0 read, 1 edit) and n directives. */
static int
mask_cmd (struct harness *h, uint8_t mcmd, unsigned n, const struct dir *d)
{
  uint8_t frame[AOE_MASK_HDR_LEN + 8 * 8], dirs[8 * 8];
  struct aoe_mask_arg m = { .mcmd = mcmd, .dir_count = (uint8_t) n,
                            .dirs = dirs };
  unsigned i;

  assert_true (n <= 8);
  memset (dirs, 0, sizeof dirs);
  for (i = 0; i < n; i++) {
    dirs[8 * i + 1] = d[i].dcmd;
    memcpy (dirs + 8 * i + 2, d[i].mac, 6);
  }
  return control (h, AOE_CMD_MASK, frame,
                  aoe_wire_put_mask (frame, sizeof frame, &m));
}

/* The last reply is a mask reply with merror and these n MACs. */
static void
assert_mask_reply (uint8_t merror, unsigned n, const uint8_t *const *macs)
{
  struct aoe_mask_arg m;
  unsigned i;

  assert_int_equal (aoe_wire_get_mask (last_reply, last_reply_len, &m), 0);
  assert_int_equal (m.merror, merror);
  assert_int_equal (m.dir_count, n);
  for (i = 0; i < n; i++)
    assert_memory_equal (m.dirs + 8 * i + 2, macs[i], 6);
}

/* MAC Mask List edits, done right (vblade's are broken): three adds keep
 * three entries, duplicates are ignored, deleting the first works, bad
 * directives and a full list are reported with the failing index, and a
 * mask without our MAC makes the target ignore us. */
static void
test_mask_list (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);

  assert_int_equal (mask_cmd (h, 0, 0, NULL), 0);
  assert_mask_reply (0, 0, NULL);
  /* Add A, B, C and ourselves (so that the target keeps answering). */
  assert_int_equal (mask_cmd (h, 1, 4, (struct dir[]) {
        { DIR_ADD, mac_a }, { DIR_ADD, mac_b }, { DIR_ADD, mac_c },
        { DIR_ADD, our_mac } }), 0);
  assert_mask_reply (0, 4, (const uint8_t *[]) { mac_a, mac_b, mac_c,
                                                 our_mac });
  assert_int_equal (fake_target_nmasks (t), 4);
  /* Adding B again changes nothing; deleting A (the first) works. */
  assert_int_equal (mask_cmd (h, 1, 2, (struct dir[]) {
        { DIR_ADD, mac_b }, { DIR_DELETE, mac_a } }), 0);
  assert_mask_reply (0, 3, (const uint8_t *[]) { mac_b, mac_c, our_mac });
  /* A bad directive at index 1 after adding D at index 0: MError 2,
   * Dir Count 1, D kept. */
  assert_int_equal (mask_cmd (h, 1, 2, (struct dir[]) {
        { DIR_ADD, mac_d }, { 7, mac_e } }), 0);
  assert_mask_reply (2, 1, (const uint8_t *[]) { mac_d });
  assert_int_equal (fake_target_nmasks (t), 4);
  assert_memory_equal (fake_target_mask (t, 3), mac_d, 6);
  /* A full list (capacity 4): adding E fails at index 0, MError 3. */
  fake_target_set_mask_capacity (harness_target (h), 4);
  assert_int_equal (mask_cmd (h, 1, 1, (struct dir[]) {
        { DIR_ADD, mac_e } }), 0);
  assert_mask_reply (3, 0, NULL);
  assert_int_equal (fake_target_nmasks (t), 4);
  /* Unknown MCmd: AoE error 2. */
  assert_int_equal (mask_cmd (h, 5, 0, NULL), EINVAL);
  /* Delete ourselves: from then on the target ignores us. */
  assert_int_equal (mask_cmd (h, 1, 1, (struct dir[]) {
        { DIR_DELETE, our_mac } }), 0);
  assert_mask_reply (0, 3, (const uint8_t *[]) { mac_b, mac_c, mac_d });
  assert_int_equal (mask_cmd (h, 0, 0, NULL), ETIMEDOUT);
  assert_true (fake_target_counters (t)->ignored > 0);
  harness_free (h);
}

/* A Reserve/Release request: rcmd and n MACs. */
static int
reserve_cmd (struct harness *h, uint8_t rcmd, unsigned n,
             const uint8_t *macs)
{
  uint8_t frame[AOE_RESERVE_HDR_LEN + 6 * 4];
  struct aoe_reserve_arg r = { .rcmd = rcmd, .nmacs = (uint8_t) n,
                               .macs = macs };

  return control (h, AOE_CMD_RESERVE, frame,
                  aoe_wire_put_reserve (frame, sizeof frame, &r));
}

/* Reserve/Release: reservations by others fail our I/O with EACCES
 * (IDENTIFY excepted), our set is refused while another holds it, force
 * set and release work. */
static void
test_reserve_release (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);
  struct harness_cmd *r;
  struct aoe_reserve_arg ra;
  uint8_t id_frame[AOE_ATA_HDR_LEN];
  struct aoe_ata_arg a;

  assert_int_equal (reserve_cmd (h, 0, 0, NULL), 0);
  assert_int_equal (aoe_wire_get_reserve (last_reply, last_reply_len, &ra),
                    0);
  assert_int_equal (ra.nmacs, 0);
  /* Ours: I/O works. */
  assert_int_equal (reserve_cmd (h, 1, 1, our_mac), 0);
  assert_int_equal (fake_target_nreserved (t), 1);
  r = harness_read (h, 0, 1);
  assert_true (harness_run (h, SEC));
  assert_done_once (r, 0);
  /* Someone else forces it: our I/O fails with EACCES. */
  assert_int_equal (reserve_cmd (h, 2, 1, stranger), 0);
  r = harness_read (h, 0, 1);
  assert_true (harness_run (h, SEC));
  assert_done_once (r, EACCES);
  /* IDENTIFY is still answered. */
  aoe_ata_build_identify (&a);
  aoe_wire_put_ata (id_frame, &a);
  assert_int_equal (control (h, AOE_CMD_ATA, id_frame, sizeof id_frame), 0);
  /* Our plain set is refused with E/6 and the current list. */
  assert_int_equal (reserve_cmd (h, 1, 1, our_mac), EACCES);
  assert_int_equal (aoe_wire_get_reserve (last_reply, last_reply_len, &ra),
                    0);
  assert_int_equal (ra.nmacs, 1);
  assert_memory_equal (ra.macs, stranger, 6);
  /* Force-release; I/O works again. */
  assert_int_equal (reserve_cmd (h, 2, 0, NULL), 0);
  assert_int_equal (fake_target_nreserved (t), 0);
  r = harness_read (h, 0, 1);
  assert_true (harness_run (h, SEC));
  assert_done_once (r, 0);
  harness_free (h);
}

/* vblade's start-up announcement (tag 0, version nibble 0) creates the
 * port on an engine that has none. */
static void
test_announce_adds_port (void **state)
{
  struct harness_config c;
  struct harness *h;
  uint8_t mac[6];
  unsigned bufcnt;

  harness_default_config (&c);
  c.no_connect = true;
  h = harness_new (&c);
  assert_int_equal (aoe_engine_nports (h->engine), 0);
  fake_target_announce (harness_target (h), h->now);
  assert_true (harness_run (h, SEC));
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  aoe_engine_port_info (h->engine, 0, mac, NULL, &bufcnt);
  assert_memory_equal (mac, c.target.mac, 6);
  assert_int_equal (bufcnt, 16);
  assert_int_equal (harness_stats (h).dropped_foreign, 0);
  assert_int_equal (harness_stats (h).dropped_malformed, 0);
  harness_free (h);
}

/* The real announcement captured from vblade 25 is accepted too. */
static void
test_vblade_announce_fixture (void **state)
{
  struct aoe_port_stats ps;
  struct harness_config c;
  struct harness *h;
  uint8_t mac[6];
  unsigned bufcnt;

  harness_default_config (&c);
  c.no_connect = true;
  h = harness_new (&c);
  harness_inject (h, vblade_announce, sizeof vblade_announce);
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  aoe_engine_port_info (h->engine, 0, mac, NULL, &bufcnt);
  assert_memory_equal (mac, vblade_announce + 6, 6);
  assert_int_equal (bufcnt, 16);
  aoe_engine_port_stats (h->engine, 0, &ps);
  assert_int_equal (ps.frame_sectors, 17);
  /* No identity yet: a port learnt so carries nothing until checked. */
  assert_false (ps.verified);
  assert_int_equal (aoe_engine_frame_sectors (h->engine), 0);
  harness_free (h);
}

/* An announcement from a known port (target restarted) resends what was
 * in flight to it at once instead of waiting for the RTO. */
static void
test_announce_resends_now (void **state)
{
  struct harness *h = default_harness ();
  struct harness_cmd *r;
  uint64_t start = h->now;

  harness_disk_fill (h, 0, 4, 1);
  harness_faults (h)->drop_requests = 1;
  r = harness_read (h, 0, 4);
  harness_advance (h, 5 * MS);
  assert_int_equal (r->completions, 0);
  fake_target_announce (harness_target (h), h->now);
  assert_true (harness_run (h, SEC));
  assert_read_pattern (r, 1);
  assert_true (r->completed_at - start < 20 * MS);
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  harness_free (h);
}

/* Announcements about other shelf.slots do not add ports. */
static void
test_announce_other_target (void **state)
{
  struct harness_config c;
  struct fake_target_config other;
  struct harness *h;
  struct fake_target *t2;

  harness_default_config (&c);
  h = harness_new (&c);
  other = c.target;
  other.slot = 9;
  other.mac[5] = 0x09;
  t2 = harness_add_target (h, &other);
  fake_target_announce (t2, h->now);
  assert_true (harness_run (h, SEC));
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  assert_int_equal (harness_stats (h).dropped_foreign, 1);
  harness_free (h);
}

/* A pinned engine refuses other MACs for its target, explicitly and in
 * announcements. */
static void
test_pinned_mac (void **state)
{
  struct harness_config c;
  struct fake_target_config twin;
  struct harness *h;
  struct fake_target *t2;
  struct harness_cmd *r;

  harness_default_config (&c);
  c.pin_mac = true;
  h = harness_new (&c);
  errno = 0;
  assert_int_equal (aoe_engine_add_port (h->engine, 0, stranger,
                                         &h->port_cfg, h->now), -1);
  assert_int_equal (errno, EPERM);
  twin = c.target;
  twin.mac[5] = 0x77;
  t2 = harness_add_target (h, &twin);
  fake_target_announce (t2, h->now);
  assert_true (harness_run (h, SEC));
  assert_int_equal (aoe_engine_nports (h->engine), 1);
  assert_int_equal (harness_stats (h).dropped_foreign, 1);
  r = harness_read (h, 0, 1);
  assert_true (harness_run (h, SEC));
  assert_done_once (r, 0);
  harness_free (h);
}

/* Control replies from a MAC other than the unicast destination are
 * dropped; the genuine one completes the command once. */
static void
test_control_reply_foreign_mac (void **state)
{
  struct harness *h = default_harness ();
  struct fake_faults *f = harness_faults (h);
  uint8_t id_frame[AOE_ATA_HDR_LEN];
  struct aoe_ata_arg a;
  struct aoe_engine_stats before = harness_stats (h);

  f->forge_replies = 1;
  f->mangle = FAKE_MANGLE_MAC;
  memcpy (f->stranger_mac, stranger, 6);
  aoe_ata_build_identify (&a);
  aoe_wire_put_ata (id_frame, &a);
  assert_int_equal (control (h, AOE_CMD_ATA, id_frame, sizeof id_frame), 0);
  assert_memory_equal (last_reply + 6, fake_target_mac (harness_target (h)),
                       6);
  assert_int_equal (harness_stats (h).dropped_foreign,
                    before.dropped_foreign + 1);
  harness_free (h);
}

/* A lost control request is retransmitted with a fresh tag. */
static void
test_control_retransmit (void **state)
{
  struct harness *h = default_harness ();
  size_t from = h->nlog;

  harness_faults (h)->drop_requests = 1;
  assert_int_equal (config_cmd (h, AOE_CCMD_READ, ""), 0);
  assert_int_equal (h->nlog - from, 2);
  assert_int_not_equal (h->log[from].hdr.tag, h->log[from + 1].hdr.tag);
  assert_int_equal (harness_stats (h).retransmits, 1);
  harness_free (h);
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_connect_frames),
    cmocka_unit_test (test_connect_picks_bound_target),
    cmocka_unit_test (test_discovery_collect),
    cmocka_unit_test (test_control_timeout),
    cmocka_unit_test (test_config_string),
    cmocka_unit_test (test_mask_list),
    cmocka_unit_test (test_reserve_release),
    cmocka_unit_test (test_announce_adds_port),
    cmocka_unit_test (test_vblade_announce_fixture),
    cmocka_unit_test (test_announce_resends_now),
    cmocka_unit_test (test_announce_other_target),
    cmocka_unit_test (test_pinned_mac),
    cmocka_unit_test (test_control_reply_foreign_mac),
    cmocka_unit_test (test_control_retransmit),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
