/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Administration of a connected target: config string, MAC mask list,
 * reserve/release, and this initiator's MACs.
 *
 * Each call encodes one request (admin-proto.c), sends it as a control
 * command to the port IDENTIFY came from (the reference port, the first
 * MAC of aoe_get_target_macs) and blocks until the answer (or the time
 * limit).  Waiting follows the handle's mode (aoe_internal_wait_on_handle,
 * AOE_WAIT_ADMIN): on the caller's libev loop (aoe_set_loop), on the private I/O thread
 * when it runs, and otherwise on a temporary loop with the handle locked,
 * as aoe_connect does, so that administration before the first I/O
 * starts no thread (nbdkit reserves in get_ready, then forks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "admin-proto.h"

/* Room for a list of MACs in a message: "aa:bb:cc:dd:ee:ff, " each, a
 * few of them. */
#define MAC_LIST_TEXT 128

/* One administration request on a connected handle and its answer. */
struct admin_query {
  struct aoe_command cmd;               /* the control command */
  uint8_t request[AOE_ADMIN_MAX_FRAME]; /* the encoded request frame */
  struct aoe_admin_reply reply;         /* the last decoded answer */
  const char *what;                     /* "config read", ... for messages */
  uint8_t port_mac[6];                  /* the target port it goes to */
  struct aoe_waiter wait;               /* its end: wait.err is the result */
};

/* on_reply of an admin command: decode the answer; 1 (keep waiting) for
 * an undecodable one, else complete with the decoded result. */
static int
admin_reply (struct aoe_command *cmd, const uint8_t *frame, size_t len,
             unsigned iface)
{
  struct admin_query *q = aoe_container_of (cmd, struct admin_query, cmd);

  return aoe_admin_decode_reply (cmd->aoe_command, frame, len, &q->reply);
}

/* Format up to a few MACs of list as "a, b, ..." into buf. */
static void
format_mac_list (const uint8_t (*macs)[6], unsigned n, char *buf,
                 size_t size)
{
  size_t used = 0;
  unsigned i;

  buf[0] = '\0';
  for (i = 0; i < n && used + 24 < size; i++) {
    char mac[18];

    aoe_internal_format_mac (macs[i], mac);
    used += (size_t) snprintf (buf + used, size - used, "%s%s",
                               i ? ", " : "", mac);
  }
  if (i < n)
    snprintf (buf + used, size - used, ", ...");
  if (n == 0)
    snprintf (buf, size, "nobody");
}

/* Prepare q: request len bytes already encoded in q->request with AoE
 * command aoe_cmd, to the port IDENTIFY came from, waiting up to
 * timeout_ms.  0, or -1 with the error set (it does not fit in the
 * interface's MTU). */
static int
query_init (struct aoe_handle *h, struct admin_query *q, uint8_t aoe_cmd,
            size_t len, uint32_t timeout_ms)
{
  unsigned iface, buffer_count;
  size_t room;

  /* The verified port IDENTIFY came from: port 0 is merely the first MAC
   * that answered Query Config, possibly a stranger never verified. */
  pthread_mutex_lock (&h->io->engine_lock);
  aoe_engine_port_info (h->io->engine,
                        (unsigned) aoe_engine_ref_port (h->io->engine),
                        q->port_mac, &iface, &buffer_count);
  pthread_mutex_unlock (&h->io->engine_lock);
  room = AOE_ETH_LEN + (size_t) h->io->ifaces[iface].transport->mtu;
  if (len > room) {
    set_error (EINVAL, "%s request of %zu bytes does not fit in one frame on "
               "%s (MTU %u)", q->what, len,
               h->io->ifaces[iface].transport->ifname,
               h->io->ifaces[iface].transport->mtu);
    return -1;
  }
  q->cmd.op = AOE_OP_CONTROL;
  q->cmd.timeout_ms = timeout_ms;
  q->cmd.aoe_command = aoe_cmd;
  q->cmd.arg = q->request + AOE_HDR_LEN;
  q->cmd.arg_len = len - AOE_HDR_LEN;
  q->cmd.shelf = h->shelf;
  q->cmd.slot = h->slot;
  memcpy (q->cmd.dst, q->port_mac, 6);
  q->cmd.iface = (int) iface;
  q->cmd.on_reply = admin_reply;
  aoe_internal_waiter_init (&q->wait, &q->cmd);
  return 0;
}

/* Send the request of len bytes (AoE command aoe_cmd) encoded in
 * q->request and wait for the answer (timeout_ms).  0 on success; -1
 * with the error set otherwise (q->wait.err then holds the command's
 * errno, 0 if nothing was sent).  Callers refine the message for the
 * errnos they explain better. */
static int
exchange (struct aoe_handle *h, struct admin_query *q, uint8_t aoe_cmd,
          size_t len, uint32_t timeout_ms)
{
  int err;
  char mac[18];

  if (query_init (h, q, aoe_cmd, len, timeout_ms) == -1
      || aoe_internal_wait_on_handle (h, &q->wait, AOE_WAIT_ADMIN) == -1)
    return -1;
  err = q->wait.err;
  if (err == 0)
    return 0;
  aoe_internal_format_mac (q->port_mac, mac);
  if (err == ETIMEDOUT)
    set_error (ETIMEDOUT, "e%u.%u (%s) did not answer the %s request within "
               "%u ms", h->shelf, h->slot, mac, q->what,
               (unsigned) timeout_ms);
  else if (q->reply.aoe_error)
    set_error (err, "e%u.%u (%s) refused the %s request: AoE error %u (%s)",
               h->shelf, h->slot, mac, q->what, q->reply.aoe_error,
               aoe_error_name (q->reply.aoe_error));
  else
    set_error (err, "%s request to e%u.%u (%s) failed: %s", q->what, h->shelf,
               h->slot, mac, strerror (err));
  return -1;
}

/* A new query, or NULL with the error set. */
static struct admin_query *
query_new (const char *what)
{
  struct admin_query *q = calloc (1, sizeof *q);

  if (q == NULL)
    set_error (ENOMEM, "out of memory");
  else
    q->what = what;
  return q;
}

/* Check h is connected and s is a usable config string.  0, or -1 with
 * the error set. */
static int
check_config_call (struct aoe_handle *h, const char *s)
{
  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  if (s == NULL) {
    set_error (EFAULT, "config string is NULL");
    return -1;
  }
  if (strlen (s) > AOE_CONFIG_MAX) {
    set_error (EINVAL, "config string of %zu bytes is longer "
               "than %d bytes", strlen (s), AOE_CONFIG_MAX);
    return -1;
  }
  return 0;
}

/* Send a Query Config with sub-command ccmd and string s (checked),
 * waiting timeout_ms, into a new query *qp (freed by the caller, even on
 * error).  0, or -1 with the error set. */
static int
config_exchange (struct aoe_handle *h, struct admin_query **qp,
                 const char *what, uint8_t ccmd, const char *s,
                 uint32_t timeout_ms)
{
  struct admin_query *q = query_new (what);
  size_t len;

  *qp = q;
  if (q == NULL)
    return -1;
  len = aoe_admin_put_config (q->request, sizeof q->request, ccmd, s,
                              strlen (s));
  return exchange (h, q, AOE_CMD_CONFIG, len, timeout_ms);
}

int
aoe_config_read (aoe_handle *h, char *buf, size_t size)
{
  struct admin_query *q;
  int r = -1;

  aoe_api_enter ();
  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  if (buf == NULL && size > 0) {
    set_error (EFAULT, "buffer is NULL");
    return -1;
  }
  if (config_exchange (h, &q, "config read", AOE_CCMD_READ, "",
                       AOE_ADMIN_TIMEOUT_MS) == 0) {
    size_t len = strlen (q->reply.config);

    if (len + 1 > size)
      set_error (ERANGE, "the config string has %zu bytes: a buffer of %zu "
                 "bytes cannot hold it", len, size);
    else {
      memcpy (buf, q->reply.config, len + 1);
      r = (int) len;
    }
  }
  free (q);
  return r;
}

/* Test (ccmd AOE_CCMD_TEST or _TEST_PREFIX) the config string against
 * s.  1 match, 0 no match, -1 error. */
static int
config_test (struct aoe_handle *h, uint8_t ccmd, const char *s)
{
  const char *what = ccmd == AOE_CCMD_TEST ? "config test"
    : "config test-prefix";
  struct admin_query *q;
  int r = -1;

  if (check_config_call (h, s) == -1)
    return -1;
  if (config_exchange (h, &q, what, ccmd, s,
                       AOE_CONFIG_TEST_TIMEOUT_MS) == 0)
    r = 1;
  else if (q && q->wait.err == ETIMEDOUT) {
    /* Silence means "no match" only if the target still answers. */
    free (q);
    if (config_exchange (h, &q, "config read", AOE_CCMD_READ, "",
                         AOE_ADMIN_TIMEOUT_MS) == 0)
      r = 0;
  }
  free (q);
  return r;
}

int
aoe_config_test (aoe_handle *h, const char *s)
{
  aoe_api_enter ();
  return config_test (h, AOE_CCMD_TEST, s);
}

int
aoe_config_test_prefix (aoe_handle *h, const char *prefix)
{
  aoe_api_enter ();
  return config_test (h, AOE_CCMD_TEST_PREFIX, prefix);
}

/* Set (AOE_CCMD_SET) or force set (AOE_CCMD_FORCE_SET) the config
 * string.  0 or -1. */
static int
config_set (struct aoe_handle *h, uint8_t ccmd, const char *s)
{
  const char *what = ccmd == AOE_CCMD_SET ? "config set" : "config force-set";
  struct admin_query *q;
  int r;

  if (check_config_call (h, s) == -1)
    return -1;
  r = config_exchange (h, &q, what, ccmd, s, AOE_ADMIN_TIMEOUT_MS);
  if (r == -1 && q && q->wait.err == EEXIST) {
    if (q->reply.has_list && q->reply.config[0] != '\0')
      set_error (EEXIST, "the config string of e%u.%u is already set to "
                 "\"%s\" (a force set replaces it)", h->shelf, h->slot,
                 q->reply.config);
    else
      set_error (EEXIST, "the config string of e%u.%u is "
                 "already set to another string (a force set "
                 "replaces it)", h->shelf, h->slot);
  }
  free (q);
  return r;
}

int
aoe_config_set (aoe_handle *h, const char *s)
{
  aoe_api_enter ();
  return config_set (h, AOE_CCMD_SET, s);
}

int
aoe_config_force_set (aoe_handle *h, const char *s)
{
  aoe_api_enter ();
  return config_set (h, AOE_CCMD_FORCE_SET, s);
}

/* Check a MAC array argument: NULL only with n = 0, n at most
 * AOE_MAX_LIST_MACS and, if need_some, at least 1.  0, or -1 with the
 * error set. */
static int
check_macs (const uint8_t (*macs)[6], size_t n, bool need_some)
{
  if (macs == NULL && n > 0) {
    set_error (EFAULT, "MAC array is NULL");
    return -1;
  }
  if (need_some && n == 0) {
    set_error (EINVAL, "no MAC given");
    return -1;
  }
  if (n > AOE_MAX_LIST_MACS) {
    set_error (EINVAL, "%zu MACs: at most %d fit in one "
               "request", n, AOE_MAX_LIST_MACS);
    return -1;
  }
  return 0;
}

/* Copy the list of a read answer into macs (up to max) and return its
 * full length. */
static int
copy_list (const struct admin_query *q, uint8_t (*macs)[6], size_t max)
{
  size_t n = q->reply.nmacs < max ? q->reply.nmacs : max;

  if (n > 0)
    memcpy (macs, q->reply.macs, 6 * n);
  return (int) q->reply.nmacs;
}

/* Read the mask (aoe_cmd AOE_CMD_MASK) or reserve (AOE_CMD_RESERVE)
 * list.  Its length, or -1. */
static int
list_read (struct aoe_handle *h, uint8_t aoe_cmd, uint8_t (*macs)[6],
           size_t max)
{
  struct admin_query *q;
  size_t len;
  int r = -1;

  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  if (macs == NULL && max > 0) {
    set_error (EFAULT, "MAC array is NULL");
    return -1;
  }
  q = query_new (aoe_cmd == AOE_CMD_MASK ? "mask read" : "reserve read");
  if (q == NULL)
    return -1;
  if (aoe_cmd == AOE_CMD_MASK)
    len = aoe_admin_put_mask (q->request, sizeof q->request, AOE_MCMD_READ,
                              AOE_DCMD_NONE, NULL, 0);
  else
    len = aoe_admin_put_reserve (q->request, sizeof q->request,
                                 AOE_RCMD_READ, NULL, 0);
  if (exchange (h, q, aoe_cmd, len, AOE_ADMIN_TIMEOUT_MS) == 0)
    r = copy_list (q, macs, max);
  free (q);
  return r;
}

int
aoe_mask_read (aoe_handle *h, uint8_t (*macs)[6], size_t max)
{
  aoe_api_enter ();
  return list_read (h, AOE_CMD_MASK, macs, max);
}

/* Apply one directive dcmd (AOE_DCMD_ADD or _DELETE) per MAC.  0 or
 * -1. */
static int
mask_edit (struct aoe_handle *h, uint8_t dcmd, const uint8_t (*macs)[6],
           size_t n)
{
  const char *verb = dcmd == AOE_DCMD_ADD ? "add" : "delete";
  struct admin_query *q;
  size_t len;
  int r;

  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1
      || check_macs (macs, n, true) == -1)
    return -1;
  q = query_new (dcmd == AOE_DCMD_ADD ? "mask add" : "mask delete");
  if (q == NULL)
    return -1;
  len = aoe_admin_put_mask (q->request, sizeof q->request, AOE_MCMD_EDIT,
                            dcmd, macs, n);
  r = exchange (h, q, AOE_CMD_MASK, len, AOE_ADMIN_TIMEOUT_MS);
  if (r == -1 && q->reply.merror) {
    unsigned i = q->reply.failed_index;
    char mac[18] = "?";

    if (i < n)
      aoe_internal_format_mac (macs[i], mac);
    set_error (q->wait.err, "e%u.%u refused to %s %s (directive %u of %zu): "
               "%s; the %u before it were applied", h->shelf, h->slot, verb,
               mac, i + 1, n, aoe_admin_mask_error_name (q->reply.merror), i);
  }
  free (q);
  return r;
}

int
aoe_mask_add (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
{
  aoe_api_enter ();
  return mask_edit (h, AOE_DCMD_ADD, macs, n);
}

int
aoe_mask_delete (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
{
  aoe_api_enter ();
  return mask_edit (h, AOE_DCMD_DELETE, macs, n);
}

int
aoe_reserve_read (aoe_handle *h, uint8_t (*macs)[6], size_t max)
{
  aoe_api_enter ();
  return list_read (h, AOE_CMD_RESERVE, macs, max);
}

/* Set (AOE_RCMD_SET) or force set (AOE_RCMD_FORCE_SET) the reserve
 * list.  0 or -1. */
static int
reserve_set (struct aoe_handle *h, uint8_t rcmd, const uint8_t (*macs)[6],
             size_t n)
{
  struct admin_query *q;
  size_t len;
  int r;

  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1
      || check_macs (macs, n, false) == -1)
    return -1;
  q = query_new (rcmd == AOE_RCMD_SET
                 ? (n ? "reserve set" : "reserve release")
                 : "reserve force-set");
  if (q == NULL)
    return -1;
  len = aoe_admin_put_reserve (q->request, sizeof q->request, rcmd, macs,
                               n);
  r = exchange (h, q, AOE_CMD_RESERVE, len, AOE_ADMIN_TIMEOUT_MS);
  if (r == -1 && q->wait.err == EACCES) {
    char holders[MAC_LIST_TEXT];

    format_mac_list ((const uint8_t (*)[6]) q->reply.macs, q->reply.nmacs,
                     holders, sizeof holders);
    set_error (EACCES, "e%u.%u is reserved by another "
               "initiator (%s)", h->shelf, h->slot, holders);
  }
  free (q);
  return r;
}

int
aoe_reserve_set (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
{
  aoe_api_enter ();
  return reserve_set (h, AOE_RCMD_SET, macs, n);
}

int
aoe_reserve_force_set (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
{
  aoe_api_enter ();
  return reserve_set (h, AOE_RCMD_FORCE_SET, macs, n);
}

int
aoe_reserve_release (aoe_handle *h)
{
  aoe_api_enter ();
  return reserve_set (h, AOE_RCMD_SET, NULL, 0);
}

int
aoe_get_interface_mac (aoe_handle *h, unsigned index, uint8_t mac[6])
{
  aoe_api_enter ();
  if (aoe_internal_check_state (h, AOE_STATE_CONNECTED) == -1)
    return -1;
  if (mac == NULL) {
    set_error (EFAULT, "mac is NULL");
    return -1;
  }
  if (index >= h->io->nifaces) {
    set_error (EINVAL, "interface index %u out of range: the handle has %zu "
               "interface(s)", index, h->io->nifaces);
    return -1;
  }
  memcpy (mac, h->io->ifaces[index].transport->mac, 6);
  return 0;
}
