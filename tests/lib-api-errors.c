/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-api-errors: argument and state errors of the public API, and the
 * thread-local error slots.  Needs no network and no root.
 *
 *   lib-api-errors            every check below
 *   lib-api-errors eperm IFACE
 *       run without CAP_NET_RAW: aoe_connect on IFACE fails with EPERM
 *       and a message naming the capability
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Passes NULL on purpose: the library's own checks are tested. */
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#include "lib-common.h"

/* What a second thread saw of the error slots. */
struct thread_view {
  const char *initial;     /* aoe_get_error before any call */
  int initial_errno;       /* aoe_get_errno before any call */
  int own_errno;           /* after its own failing call */
};

/* Second thread: starts with no error, sets its own. */
static void *
other_thread (void *arg)
{
  struct thread_view *view = arg;

  view->initial = aoe_get_error ();
  view->initial_errno = aoe_get_errno ();
  aoe_set_target (NULL, 0, 0);
  view->own_errno = aoe_get_errno ();
  return NULL;
}

/* Errors are per thread. */
static void
check_thread_local (void)
{
  struct thread_view view;
  pthread_t thread;

  EXPECT_FAIL (aoe_set_target (NULL, 70000, 0), EINVAL, "shelf 70000");
  if (pthread_create (&thread, NULL, other_thread, &view) != 0)
    lib_die ("pthread_create");
  pthread_join (thread, NULL);
  if (view.initial != NULL || view.initial_errno != 0)
    lib_die ("a new thread inherited an error: %s", view.initial);
  if (view.own_errno != EFAULT)
    lib_die ("the other thread's errno is %d", view.own_errno);
  lib_expect_error ("main thread after the other failed", EINVAL,
                    "shelf 70000");
}

/* Settings: ranges and NULL arguments. */
static void
check_settings (aoe_handle *h)
{
  static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  static const uint8_t unicast[6] = { 0x02, 0, 0, 0, 0, 1 };

  EXPECT_FAIL (aoe_set_target (h, 65535, 1), EINVAL, "shelf 65535");
  EXPECT_FAIL (aoe_set_target (h, 0, 255), EINVAL, "slot 255");
  EXPECT_OK (aoe_set_target (h, 65534, 254));
  EXPECT_FAIL (aoe_add_interface (h, NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_add_interface (h, ""), EINVAL, "invalid interface name");
  EXPECT_FAIL (aoe_add_interface (h, "abcdefghijklmnopqrstuvwxyz"), EINVAL,
               "invalid interface name");
  EXPECT_FAIL (aoe_add_interface (h, "aoenoif0"), ENODEV,
               "no such interface: aoenoif0");
  EXPECT_OK (aoe_add_interface (h, "lo"));
  EXPECT_FAIL (aoe_add_interface (h, "lo"), EINVAL, "added twice");
  /* "all" after a named interface (the other order, and "all" finding
   * interfaces, need a namespace: tests/test-tool-all-ifaces.sh). */
  EXPECT_FAIL (aoe_add_interface (h, AOE_ALL_INTERFACES), EINVAL,
               "\"all\" cannot be combined");
  EXPECT_FAIL (aoe_set_target_mac (h, broadcast), EINVAL, "unicast");
  EXPECT_OK (aoe_set_target_mac (h, unicast));
  EXPECT_OK (aoe_set_target_mac (h, NULL));
  EXPECT_FAIL (aoe_set_discover_timeout (h, 0), EINVAL, "> 0");
  EXPECT_OK (aoe_set_discover_timeout (h, 1000));
  EXPECT_FAIL (aoe_set_max_in_flight (h, 257), EINVAL, "257");
  EXPECT_OK (aoe_set_max_in_flight (h, 256));
  EXPECT_FAIL (aoe_set_max_sectors_per_frame (h, 256), EINVAL, "256");
  EXPECT_OK (aoe_set_max_sectors_per_frame (h, 0));
  EXPECT_FAIL (aoe_set_debug (h, 8, NULL, NULL), EINVAL, "mask");
  EXPECT_OK (aoe_set_debug (h, 0, NULL, NULL));
  EXPECT_OK (aoe_set_timeout (h, 0));
}

/* Calls that need a connected handle, and a NULL handle everywhere. */
static void
check_states (aoe_handle *h)
{
  struct aoe_target_info *targets;
  struct aoe_stats st;
  struct aoe_info info;
  uint8_t buf[512];
  aoe_completion none = { NULL, NULL };

  EXPECT_FAIL (aoe_pread (h, buf, 512, 0), EINVAL, "not connected");
  EXPECT_FAIL (aoe_pwrite (h, buf, 512, 0), EINVAL, "not connected");
  EXPECT_FAIL (aoe_flush (h), EINVAL, "not connected");
  EXPECT_FAIL (aoe_aio_pread (h, buf, 512, 0, none), EINVAL, "not connected");
  EXPECT_FAIL (aoe_get_size (h), EINVAL, "not connected");
  EXPECT_FAIL (aoe_get_info (h, &info, sizeof info), EINVAL, "not connected");
  EXPECT_FAIL (aoe_get_info (h, NULL, sizeof info), EFAULT, "NULL");
  EXPECT_FAIL (aoe_get_target_macs (h, NULL, 0), EINVAL, "not connected");
  EXPECT_FAIL (aoe_get_stats (h, &st, sizeof st), EINVAL, "not connected");
  EXPECT_FAIL (aoe_get_size (NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_pread (NULL, buf, 512, 0), EFAULT, "NULL");
  EXPECT_FAIL (aoe_connect (NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_loop (NULL, NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_discover (NULL, 100, &targets, sizeof *targets), EFAULT,
               "NULL");
  if (aoe_aio_in_flight (NULL) != 0 || aoe_aio_in_flight (h) != 0)
    lib_die ("aoe_aio_in_flight is not 0");
  aoe_close (NULL);
}

/* Every entry point refuses a NULL handle with EFAULT, and bad pointers
 * and names with a clear error, before anything else (the calls not
 * covered by check_states; aoe_free_targets and aoe_close take NULL as a
 * no-op). */
static void
check_null_arguments (aoe_handle *h)
{
  static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
  struct aoe_stats st;
  struct aoe_info info;
  uint8_t buf[512];
  aoe_completion none = { NULL, NULL };

  EXPECT_FAIL (aoe_add_interface (NULL, "lo"), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_target_mac (NULL, mac), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_timeout (NULL, 1000), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_discover_timeout (NULL, 1000), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_max_in_flight (NULL, 4), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_max_sectors_per_frame (NULL, 4), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_debug (NULL, 0, NULL, NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_transport (NULL, "pcap"), EFAULT, "NULL");
  EXPECT_FAIL (aoe_get_info (NULL, &info, sizeof info), EFAULT, "NULL");
  EXPECT_FAIL (aoe_get_target_macs (NULL, NULL, 0), EFAULT, "NULL");
  EXPECT_FAIL (aoe_get_stats (NULL, &st, sizeof st), EFAULT, "NULL");
  EXPECT_FAIL (aoe_pwrite (NULL, buf, 512, 0), EFAULT, "NULL");
  EXPECT_FAIL (aoe_flush (NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_aio_pread (NULL, buf, 512, 0, none), EFAULT, "NULL");
  EXPECT_FAIL (aoe_aio_pwrite (NULL, buf, 512, 0, none), EFAULT, "NULL");
  EXPECT_FAIL (aoe_aio_flush (NULL, none), EFAULT, "NULL");
  aoe_free_targets (NULL);

  EXPECT_FAIL (aoe_get_stats (h, NULL, sizeof st), EFAULT, "NULL");
  EXPECT_FAIL (aoe_discover (h, 100, NULL, sizeof (struct aoe_target_info)),
               EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_transport (h, NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_set_transport (h, "carrier-pigeon"), EINVAL,
               "unknown transport");
  EXPECT_FAIL (aoe_aio_pwrite (h, buf, 512, 0, none), EINVAL,
               "not connected");
  EXPECT_FAIL (aoe_aio_flush (h, none), EINVAL, "not connected");
}

/* The sizes of extensible structs (see "Extensible structs" in
 * libaoe.h): one smaller than the struct's first field is EINVAL, with a
 * message naming the struct, checked before the handle's state and
 * before anything is written; the first field alone passes that check
 * (the calls then fail on the unconnected handle). */
static void
check_struct_sizes (aoe_handle *h)
{
  const char *small = "is smaller than the first field of struct";
  struct aoe_target_info *targets = (struct aoe_target_info *) 1;
  struct aoe_stats st;
  struct aoe_info info;
  size_t i;

  memset (&info, 0xa5, sizeof info);
  memset (&st, 0xa5, sizeof st);
  EXPECT_FAIL (aoe_get_info (h, &info, 0), EINVAL, small);
  EXPECT_FAIL (aoe_get_info (h, &info, sizeof info.shelf - 1), EINVAL,
               "size 1 is smaller than the first field of struct aoe_info "
               "(2 bytes): pass sizeof (struct aoe_info)");
  EXPECT_FAIL (aoe_get_info (h, &info, sizeof info.shelf), EINVAL,
               "not connected");
  EXPECT_FAIL (aoe_get_stats (h, &st, 0), EINVAL, small);
  EXPECT_FAIL (aoe_get_stats (h, &st, sizeof st.frames_sent - 1), EINVAL,
               "struct aoe_stats (8 bytes)");
  EXPECT_FAIL (aoe_get_stats (h, &st, sizeof st.frames_sent), EINVAL,
               "not connected");
  for (i = 0; i < sizeof info; ++i)
    if (((unsigned char *) &info)[i] != 0xa5)
      lib_die ("a failed aoe_get_info wrote byte %zu", i);
  for (i = 0; i < sizeof st; ++i)
    if (((unsigned char *) &st)[i] != 0xa5)
      lib_die ("a failed aoe_get_stats wrote byte %zu", i);
  EXPECT_FAIL (aoe_discover (h, 100, &targets, 1), EINVAL,
               "first field of struct aoe_target_info");
  if (targets != NULL)
    lib_die ("a failed aoe_discover left *targets set");
}

/* aoe_connect's own checks before any frame, and a non-Ethernet
 * interface. */
static void
check_connect_errors (void)
{
  struct aoe_target_info *targets;
  aoe_handle *h = aoe_create ();

  EXPECT_FAIL (aoe_connect (h), EINVAL, "no interface");
  /* The first field alone passes the size check. */
  EXPECT_FAIL (aoe_discover (h, 100, &targets, sizeof targets->shelf), EINVAL,
               "no interface");
  EXPECT_OK (aoe_add_interface (h, "lo"));
  EXPECT_FAIL (aoe_connect (h), EINVAL, "no target");
  EXPECT_OK (aoe_set_target (h, 0, 1));
  EXPECT_FAIL (aoe_connect (h), EINVAL, "lo is not an Ethernet interface");
  aoe_close (h);
}

/* Without CAP_NET_RAW: EPERM naming the capability. */
static int
check_eperm (const char *iface)
{
  aoe_handle *h = aoe_create ();

  EXPECT_OK (aoe_add_interface (h, iface));
  EXPECT_OK (aoe_set_target (h, 0, 1));
  EXPECT_FAIL (aoe_connect (h), EPERM, "CAP_NET_RAW");
  aoe_close (h);
  printf ("lib-api-errors eperm: ok\n");
  return EXIT_SUCCESS;
}

int
main (int argc, char *argv[])
{
  aoe_handle *h;

  if (argc == 3 && strcmp (argv[1], "eperm") == 0)
    return check_eperm (argv[2]);
  if (argc != 1)
    lib_die ("usage: lib-api-errors [eperm IFACE]");

  if (aoe_get_error () != NULL || aoe_get_errno () != 0)
    lib_die ("an error is set before any call");
  if (strcmp (aoe_get_version (), LIBAOE_VERSION_STRING) != 0)
    lib_die ("version %s, header %s", aoe_get_version (),
             LIBAOE_VERSION_STRING);
  check_thread_local ();
  h = aoe_create ();
  if (h == NULL)
    lib_die_aoe ("aoe_create");
  check_settings (h);
  check_states (h);
  check_null_arguments (h);
  check_struct_sizes (h);
  aoe_close (h);
  check_connect_errors ();
  printf ("lib-api-errors: ok\n");
  return EXIT_SUCCESS;
}
