/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Engine unit tests: the administration requests of lib/admin-proto.c
 * (config string, MAC mask list, reserve/release) encoded by the library's
 * own encoders, sent through the engine as control commands to the fake
 * target, and answered through the library's own reply decoder, the one
 * behind aoe_config_*, aoe_mask_* and aoe_reserve_*.
 *
 * MAC mask list edits are tested here only: vblade 25's mask edit code is
 * broken (its third add overwrites the second, and deleting the first
 * entry aborts it with "buffer overflow detected"; see
 * shared/notes/aoe-protocol.md section d), so the integration tests
 * (tests/test-tool-admin.sh) check only mask *read* against vblade.  The
 * fake target implements edits correctly.  vblade's own error reply shape
 * (MError with Dir Count = failing index and no directives) is decoded
 * from a hand-built frame.
 */
#include "libaoe.h"   /* AOE_ADMIN_TIMEOUT_MS: the shell's time limit */
#include "engine-test.h"
#include "admin-proto.h"

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0xAA };
static const uint8_t stranger[6] = { 0x02, 0, 0, 0, 0, 0xBB };
static const uint8_t mac_a[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 1, 2 };
static const uint8_t mac_c[6] = { 2, 0, 0, 0, 1, 3 };
static const uint8_t mac_d[6] = { 2, 0, 0, 0, 1, 4 };

/* The decoded answer of the last request sent by admin (). */
static struct aoe_admin_reply reply;

/* Time limit of the requests sent by admin () (ms). */
static uint32_t admin_timeout_ms = 500;

/* The request frame of the current command (must outlive it). */
static uint8_t request[AOE_ADMIN_MAX_FRAME];

/* on_reply: the library's decoder, as lib/admin.c uses it. */
static int
decode (struct aoe_command *cmd, const uint8_t *frame, size_t len,
        unsigned iface)
{
  struct harness_cmd *hc = cmd->user;

  hc->replies++;
  return aoe_admin_decode_reply (cmd->aoe_command, frame, len, &reply);
}

/* Send the len bytes of request (AoE command aoe_cmd) to the bound
 * target as lib/admin.c does (unicast to the port, admin_timeout_ms) and run
 * it to completion.  Returns its err. */
static int
admin (struct harness *h, uint8_t aoe_cmd, size_t len)
{
  struct harness_cmd *hc;

  assert_true (len >= AOE_HDR_LEN);
  hc = harness_new_control (h, aoe_cmd, request + AOE_HDR_LEN,
                            len - AOE_HDR_LEN, 0, 1,
                            fake_target_mac (harness_target (h)), 0);
  hc->cmd.on_reply = decode;
  hc->cmd.timeout_ms = admin_timeout_ms;
  memset (&reply, 0, sizeof reply);
  assert_int_equal (harness_submit (h, hc), 0);
  assert_true (harness_run_until_done (h, hc, 10 * SEC));
  assert_int_equal (hc->completions, 1);
  return hc->err;
}

/* A Query Config request with ccmd and string s. */
static int
config (struct harness *h, uint8_t ccmd, const char *s)
{
  return admin (h, AOE_CMD_CONFIG,
                aoe_admin_put_config (request, sizeof request, ccmd, s,
                                      strlen (s)));
}

/* A mask request: mcmd with one dcmd directive per MAC. */
static int
mask (struct harness *h, uint8_t mcmd, uint8_t dcmd,
      const uint8_t (*macs)[6], size_t n)
{
  return admin (h, AOE_CMD_MASK,
                aoe_admin_put_mask (request, sizeof request, mcmd, dcmd,
                                    macs, n));
}

/* A reserve request: rcmd with n MACs. */
static int
reserve (struct harness *h, uint8_t rcmd, const uint8_t (*macs)[6], size_t n)
{
  return admin (h, AOE_CMD_RESERVE,
                aoe_admin_put_reserve (request, sizeof request, rcmd, macs,
                                       n));
}

/* The last answer carried exactly these n MACs. */
static void
assert_list (unsigned n, const uint8_t *const *macs)
{
  unsigned i;

  assert_true (reply.has_list);
  assert_int_equal (reply.nmacs, n);
  for (i = 0; i < n; i++)
    assert_memory_equal (reply.macs[i], macs[i], 6);
}

/* Config string: read, set (EEXIST quoting the current string), force
 * set, test and test prefix (silence on mismatch: ETIMEDOUT). */
static void
test_config (void **state)
{
  struct harness *h = default_harness ();
  const uint8_t *s;
  size_t len;

  assert_int_equal (config (h, AOE_CCMD_READ, ""), 0);
  assert_true (reply.has_list);
  assert_string_equal (reply.config, "");
  assert_int_equal (config (h, AOE_CCMD_SET, "hello"), 0);
  assert_string_equal (reply.config, "hello");
  assert_int_equal (config (h, AOE_CCMD_SET, "hello"), 0);
  assert_int_equal (config (h, AOE_CCMD_SET, "world"), EEXIST);
  assert_int_equal (reply.aoe_error, AOE_ERR_CONFIG_SET);
  assert_true (reply.has_list);
  assert_string_equal (reply.config, "hello");
  assert_int_equal (config (h, AOE_CCMD_FORCE_SET, "world"), 0);
  s = fake_target_config_string (harness_target (h), &len);
  assert_int_equal (len, 5);
  assert_memory_equal (s, "world", 5);
  assert_int_equal (config (h, AOE_CCMD_TEST, "world"), 0);
  assert_int_equal (config (h, AOE_CCMD_TEST, "worl"), ETIMEDOUT);
  assert_int_equal (config (h, AOE_CCMD_TEST_PREFIX, "wor"), 0);
  assert_int_equal (config (h, AOE_CCMD_TEST_PREFIX, "worlds"), ETIMEDOUT);
  /* The longest string goes through whole. */
  {
    char big[AOE_MAX_CONFIG_LEN + 1];

    memset (big, 'x', AOE_MAX_CONFIG_LEN);
    big[AOE_MAX_CONFIG_LEN] = '\0';
    assert_int_equal (config (h, AOE_CCMD_FORCE_SET, big), 0);
    assert_int_equal (reply.config_len, AOE_MAX_CONFIG_LEN);
    assert_string_equal (reply.config, big);
  }
  harness_free (h);
}

/* Mask edits, done right by the fake target: adds keep every entry,
 * duplicates change nothing, deleting the first entry works. */
static void
test_mask_add_delete (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);
  const uint8_t list[4][6] = {
    { 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 1, 2 }, { 2, 0, 0, 0, 1, 3 },
    { 0x02, 0, 0, 0, 0, 0xAA },
  };

  assert_int_equal (mask (h, AOE_MCMD_READ, AOE_DCMD_NONE, NULL, 0), 0);
  assert_list (0, NULL);
  /* A, B, C and ourselves (so that the target keeps answering us). */
  assert_int_equal (mask (h, AOE_MCMD_EDIT, AOE_DCMD_ADD, list, 4), 0);
  assert_list (4, (const uint8_t *[]) { mac_a, mac_b, mac_c, our_mac });
  assert_int_equal (fake_target_nmasks (t), 4);
  /* B again: no change.  Delete A (the first entry). */
  assert_int_equal (mask (h, AOE_MCMD_EDIT, AOE_DCMD_ADD, &list[1], 1), 0);
  assert_list (4, (const uint8_t *[]) { mac_a, mac_b, mac_c, our_mac });
  assert_int_equal (mask (h, AOE_MCMD_EDIT, AOE_DCMD_DELETE, &list[0], 1),
                    0);
  assert_list (3, (const uint8_t *[]) { mac_b, mac_c, our_mac });
  /* Deleting a MAC not listed changes nothing. */
  assert_int_equal (mask (h, AOE_MCMD_EDIT, AOE_DCMD_DELETE, &list[0], 1),
                    0);
  assert_list (3, (const uint8_t *[]) { mac_b, mac_c, our_mac });
  assert_int_equal (mask (h, AOE_MCMD_READ, AOE_DCMD_NONE, NULL, 0), 0);
  assert_list (3, (const uint8_t *[]) { mac_b, mac_c, our_mac });
  /* Deleting ourselves: from then on the target ignores us. */
  assert_int_equal (mask (h, AOE_MCMD_EDIT, AOE_DCMD_DELETE, &list[3], 1),
                    0);
  assert_list (2, (const uint8_t *[]) { mac_b, mac_c });
  assert_int_equal (mask (h, AOE_MCMD_READ, AOE_DCMD_NONE, NULL, 0),
                    ETIMEDOUT);
  harness_free (h);
}

/* Mask errors: a full list is ENOSPC and a bad directive EINVAL, both
 * with the index of the failing directive; an unknown MCmd is AoE error
 * 2, EINVAL. */
static void
test_mask_errors (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);
  const uint8_t three[3][6] = {
    { 0x02, 0, 0, 0, 0, 0xAA }, { 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 1, 2 },
  };

  fake_target_set_mask_capacity (harness_target (h), 2);
  assert_int_equal (mask (h, AOE_MCMD_EDIT, AOE_DCMD_ADD, three, 3), ENOSPC);
  assert_int_equal (reply.merror, AOE_MERROR_FULL);
  assert_int_equal (reply.failed_index, 2);
  assert_int_equal (fake_target_nmasks (t), 2);
  /* Directive 7 does not exist. */
  assert_int_equal (mask (h, AOE_MCMD_EDIT, 7, &three[0], 1), EINVAL);
  assert_int_equal (reply.merror, AOE_MERROR_BAD_DIR);
  assert_int_equal (reply.failed_index, 0);
  assert_int_equal (mask (h, 5, AOE_DCMD_NONE, NULL, 0), EINVAL);
  assert_int_equal (reply.aoe_error, AOE_ERR_BAD_ARG);
  harness_free (h);
}

/* Reserve/release: read, set for us, a stranger's force set makes our
 * I/O and our set fail with EACCES (the answer lists the holder), force
 * set to nothing releases. */
static void
test_reserve (void **state)
{
  struct harness *h = default_harness ();
  const struct fake_target *t = harness_target (h);
  const uint8_t ours[1][6] = { { 0x02, 0, 0, 0, 0, 0xAA } };
  const uint8_t theirs[2][6] = {
    { 0x02, 0, 0, 0, 0, 0xBB }, { 2, 0, 0, 0, 1, 4 },
  };
  struct harness_cmd *r;

  assert_int_equal (reserve (h, AOE_RCMD_READ, NULL, 0), 0);
  assert_list (0, NULL);
  assert_int_equal (reserve (h, AOE_RCMD_SET, ours, 1), 0);
  assert_list (1, (const uint8_t *[]) { our_mac });
  assert_int_equal (fake_target_nreserved (t), 1);
  /* Ours again: allowed (we are on the list). */
  assert_int_equal (reserve (h, AOE_RCMD_SET, ours, 1), 0);
  assert_int_equal (reserve (h, AOE_RCMD_FORCE_SET, theirs, 2), 0);
  assert_list (2, (const uint8_t *[]) { stranger, mac_d });
  r = harness_write (h, 0, 1, 7);
  assert_true (harness_run (h, SEC));
  assert_done_once (r, EACCES);
  assert_int_equal (reserve (h, AOE_RCMD_SET, ours, 1), EACCES);
  assert_int_equal (reply.aoe_error, AOE_ERR_RESERVED);
  assert_list (2, (const uint8_t *[]) { stranger, mac_d });
  /* Release (set with no MAC) by a non-holder is refused too. */
  assert_int_equal (reserve (h, AOE_RCMD_SET, NULL, 0), EACCES);
  assert_int_equal (fake_target_nreserved (t), 2);
  assert_int_equal (reserve (h, AOE_RCMD_FORCE_SET, NULL, 0), 0);
  assert_list (0, NULL);
  assert_int_equal (fake_target_nreserved (t), 0);
  r = harness_write (h, 0, 1, 7);
  assert_true (harness_run (h, SEC));
  assert_done_once (r, 0);
  /* Ours, then released by us. */
  assert_int_equal (reserve (h, AOE_RCMD_SET, ours, 1), 0);
  assert_int_equal (reserve (h, AOE_RCMD_SET, NULL, 0), 0);
  assert_int_equal (fake_target_nreserved (t), 0);
  harness_free (h);
}

/* Lost admin requests are retransmitted (with backoff) within the
 * library's time limit and answered once. */
static void
test_lost_request (void **state)
{
  struct harness *h = default_harness ();
  const uint8_t ours[1][6] = { { 0x02, 0, 0, 0, 0, 0xAA } };

  harness_faults (h)->drop_requests = 2;
  admin_timeout_ms = AOE_ADMIN_TIMEOUT_MS;
  assert_int_equal (reserve (h, AOE_RCMD_SET, ours, 1), 0);
  admin_timeout_ms = 500;
  assert_int_equal (harness_stats (h).retransmits, 2);
  assert_int_equal (fake_target_nreserved (harness_target (h)), 1);
  harness_free (h);
}

/* Build a reply header for command cmd with flags (R added) and error. */
static void
reply_header (uint8_t *frame, uint8_t cmd, uint8_t flags, uint8_t error)
{
  struct aoe_header hd = {
    .dst = { 0x02, 0, 0, 0, 0, 0xAA }, .src = { 0x02, 0, 0, 0, 0, 0x01 },
    .version = AOE_VERSION, .flags = AOE_FLAG_RESPONSE | flags,
    .error = error, .shelf = 0, .slot = 1, .command = cmd, .tag = 1,
  };

  aoe_wire_put_header (frame, &hd);
}

/* vblade's mask error reply: MError 3, Dir Count 2 (the failing index)
 * and no directives at all (28 bytes). */
static void
test_decode_vblade_mask_error (void **state)
{
  uint8_t frame[AOE_MASK_HDR_LEN];
  struct aoe_admin_reply r;

  memset (frame, 0, sizeof frame);
  reply_header (frame, AOE_CMD_MASK, 0, 0);
  frame[25] = AOE_MCMD_EDIT;
  frame[26] = AOE_MERROR_FULL;
  frame[27] = 2;
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_MASK, frame,
                                            sizeof frame, &r), ENOSPC);
  assert_int_equal (r.failed_index, 2);
  assert_int_equal (r.nmacs, 0);
  frame[26] = AOE_MERROR_UNSPECIFIED;
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_MASK, frame,
                                            sizeof frame, &r), EIO);
}

/* Frames the decoder must ignore (1: keep waiting) or map, never crash
 * on: too short, not a response, another command, a list or string
 * longer than the frame; error replies with and without their list. */
static void
test_decode_bad_frames (void **state)
{
  uint8_t frame[128];
  struct aoe_admin_reply r;
  size_t len;

  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, NULL, 0, &r), 1);
  memset (frame, 0, sizeof frame);
  reply_header (frame, AOE_CMD_CONFIG, 0, 0);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 23, &r),
                    1);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 31, &r),
                    1);
  /* A config string longer than the frame. */
  aoe_put_be16 (frame + 30, 40);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 60, &r),
                    1);
  aoe_put_be16 (frame + 30, 28);
  memcpy (frame + 32, "abcdefghijklmnopqrstuvwxyz01", 28);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 60, &r),
                    0);
  assert_string_equal (r.config, "abcdefghijklmnopqrstuvwxyz01");
  /* Right frame, wrong expected command; not a response. */
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_MASK, frame, 60, &r), 1);
  frame[14] = AOE_VERSION << 4;
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 60, &r),
                    1);
  /* Mask: directives past the end; too short. */
  memset (frame, 0, sizeof frame);
  reply_header (frame, AOE_CMD_MASK, 0, 0);
  frame[27] = 5;
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_MASK, frame, 60, &r), 1);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_MASK, frame, 27, &r), 1);
  /* Reserve: MACs past the end; E/6 with and without the list. */
  memset (frame, 0, sizeof frame);
  reply_header (frame, AOE_CMD_RESERVE, 0, 0);
  frame[25] = 10;
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_RESERVE, frame, 60, &r),
                    1);
  reply_header (frame, AOE_CMD_RESERVE, AOE_FLAG_ERROR, AOE_ERR_RESERVED);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_RESERVE, frame, 60, &r),
                    EACCES);
  assert_false (r.has_list);
  len = aoe_admin_put_reserve (frame, sizeof frame, AOE_RCMD_SET,
                               (const uint8_t (*)[6]) stranger, 1);
  assert_int_equal (len, AOE_RESERVE_HDR_LEN + 6);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_RESERVE, frame, len, &r),
                    EACCES);
  assert_true (r.has_list);
  assert_int_equal (r.nmacs, 1);
  assert_memory_equal (r.macs[0], stranger, 6);
  /* AoE errors map as documented. */
  reply_header (frame, AOE_CMD_CONFIG, AOE_FLAG_ERROR, AOE_ERR_BAD_ARG);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 24, &r),
                    EINVAL);
  reply_header (frame, AOE_CMD_CONFIG, AOE_FLAG_ERROR, AOE_ERR_UNAVAILABLE);
  assert_int_equal (aoe_admin_decode_reply (AOE_CMD_CONFIG, frame, 24, &r),
                    EIO);
}

/* The encoders refuse what cannot be sent. */
static void
test_encode_limits (void **state)
{
  static uint8_t big[AOE_ADMIN_MAX_FRAME + 8];
  static uint8_t macs[AOE_ADMIN_MAX_MACS + 1][6];
  char s[AOE_MAX_CONFIG_LEN + 2];

  memset (s, 'a', sizeof s - 1);
  s[sizeof s - 1] = '\0';
  assert_int_equal (aoe_admin_put_config (big, sizeof big, AOE_CCMD_SET, s,
                                          AOE_MAX_CONFIG_LEN + 1), 0);
  assert_int_equal (aoe_admin_put_config (big, sizeof big, AOE_CCMD_SET, s,
                                          AOE_MAX_CONFIG_LEN),
                    AOE_CFG_HDR_LEN + AOE_MAX_CONFIG_LEN);
  assert_int_equal (aoe_admin_put_config (big, 40, AOE_CCMD_SET, s, 10), 0);
  assert_int_equal (aoe_admin_put_config (big, sizeof big, AOE_CCMD_SET,
                                          NULL, 3), 0);
  assert_int_equal (aoe_admin_put_mask (big, sizeof big, AOE_MCMD_EDIT,
                                        AOE_DCMD_ADD,
                                        (const uint8_t (*)[6]) macs,
                                        AOE_ADMIN_MAX_MACS + 1), 0);
  assert_int_equal (aoe_admin_put_mask (big, sizeof big, AOE_MCMD_EDIT,
                                        AOE_DCMD_ADD,
                                        (const uint8_t (*)[6]) macs,
                                        AOE_ADMIN_MAX_MACS),
                    AOE_ADMIN_MAX_FRAME);
  assert_int_equal (aoe_admin_put_mask (big, sizeof big, AOE_MCMD_EDIT,
                                        AOE_DCMD_ADD, NULL, 1), 0);
  assert_int_equal (aoe_admin_put_reserve (big, sizeof big, AOE_RCMD_SET,
                                           (const uint8_t (*)[6]) macs,
                                           AOE_ADMIN_MAX_MACS + 1), 0);
  assert_int_equal (aoe_admin_put_reserve (big, 30, AOE_RCMD_SET,
                                           (const uint8_t (*)[6]) macs, 1),
                    0);
  /* Directive layout: reserved byte, DCmd, MAC. */
  memcpy (macs[0], mac_b, 6);
  assert_int_equal (aoe_admin_put_mask (big, sizeof big, AOE_MCMD_EDIT,
                                        AOE_DCMD_DELETE,
                                        (const uint8_t (*)[6]) macs, 1),
                    AOE_MASK_HDR_LEN + 8);
  assert_int_equal (big[25], AOE_MCMD_EDIT);
  assert_int_equal (big[27], 1);
  assert_int_equal (big[28], 0);
  assert_int_equal (big[29], AOE_DCMD_DELETE);
  assert_memory_equal (big + 30, mac_b, 6);
}

/* MError mapping and names. */
static void
test_mask_errno (void **state)
{
  assert_int_equal (aoe_admin_mask_errno (0), 0);
  assert_int_equal (aoe_admin_mask_errno (AOE_MERROR_FULL), ENOSPC);
  assert_int_equal (aoe_admin_mask_errno (AOE_MERROR_BAD_DIR), EINVAL);
  assert_int_equal (aoe_admin_mask_errno (AOE_MERROR_UNSPECIFIED), EIO);
  assert_int_equal (aoe_admin_mask_errno (200), EIO);
  assert_string_equal (aoe_admin_mask_error_name (AOE_MERROR_FULL),
                       "mask list full");
  assert_string_equal (aoe_admin_mask_error_name (AOE_MERROR_BAD_DIR),
                       "bad directive");
}

/* Run every test of this file. */
int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_config),
    cmocka_unit_test (test_mask_add_delete),
    cmocka_unit_test (test_mask_errors),
    cmocka_unit_test (test_reserve),
    cmocka_unit_test (test_lost_request),
    cmocka_unit_test (test_decode_vblade_mask_error),
    cmocka_unit_test (test_decode_bad_frames),
    cmocka_unit_test (test_encode_limits),
    cmocka_unit_test (test_mask_errno),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
