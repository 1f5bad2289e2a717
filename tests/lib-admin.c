/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-admin: the administration calls of libaoe (aoe_config_*,
 * aoe_mask_*, aoe_reserve_*, aoe_get_interface_mac) as a program uses
 * them.
 *
 *   lib-admin
 *       no network: every call on a NULL and on an unconnected handle
 *       fails with EFAULT / EINVAL and a message
 *   lib-admin IFACE SHELF SLOT
 *       against a target: argument errors; the calls before the first
 *       I/O start no thread (a forked child then reads fine, as nbdkit
 *       does); after I/O started, admin calls from 4 threads at once,
 *       alongside reads; prints "mac=..." of IFACE
 *   lib-admin loop IFACE SHELF SLOT
 *       the same calls on the program's own libev loop (aoe_set_loop)
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

/* Passes NULL on purpose: the library's own checks are tested. */
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#include "lib-common.h"

/* Expect call to return want exactly (-1: die with libaoe's error). */
#define EXPECT_EQ(call, want)                                   \
  do {                                                          \
    int r_ = (call);                                            \
    if (r_ == -1 && (want) != -1)                               \
      lib_die_aoe (#call);                                      \
    if (r_ != (want))                                           \
      lib_die ("%s returned %d, expected %d", #call, r_, (want)); \
  } while (0)

/* Threads and admin calls of the concurrent part. */
#define THREADS 4
#define ROUNDS 20

/* A MAC no interface of the test bed has. */
static const uint8_t stranger[6] = { 0x02, 0, 0, 0, 0, 0x77 };

/* Every call on handle h (NULL or unconnected) fails with errnum. */
static void
check_state_errors (aoe_handle *h, int errnum, const char *want)
{
  uint8_t macs[2][6] = { { 0 } };
  char buf[16];

  EXPECT_FAIL (aoe_get_interface_mac (h, 0, macs[0]), errnum, want);
  EXPECT_FAIL (aoe_config_read (h, buf, sizeof buf), errnum, want);
  EXPECT_FAIL (aoe_config_test (h, "x"), errnum, want);
  EXPECT_FAIL (aoe_config_test_prefix (h, "x"), errnum, want);
  EXPECT_FAIL (aoe_config_set (h, "x"), errnum, want);
  EXPECT_FAIL (aoe_config_force_set (h, "x"), errnum, want);
  EXPECT_FAIL (aoe_mask_read (h, macs, 2), errnum, want);
  EXPECT_FAIL (aoe_mask_add (h, (const uint8_t (*)[6]) macs, 1), errnum,
               want);
  EXPECT_FAIL (aoe_mask_delete (h, (const uint8_t (*)[6]) macs, 1), errnum,
               want);
  EXPECT_FAIL (aoe_reserve_read (h, macs, 2), errnum, want);
  EXPECT_FAIL (aoe_reserve_set (h, (const uint8_t (*)[6]) macs, 1), errnum,
               want);
  EXPECT_FAIL (aoe_reserve_force_set (h, NULL, 0), errnum, want);
  EXPECT_FAIL (aoe_reserve_release (h), errnum, want);
}

/* No network: NULL and unconnected handles. */
static void
offline (void)
{
  aoe_handle *h;

  check_state_errors (NULL, EFAULT, "handle is NULL");
  h = aoe_create ();
  if (h == NULL)
    lib_die_aoe ("aoe_create");
  check_state_errors (h, EINVAL, "not connected");
  aoe_close (h);
}

/* Bad arguments on a connected handle. */
static void
argument_errors (aoe_handle *h)
{
  static uint8_t many[256][6];
  char long_string[AOE_CONFIG_MAX + 2], small[5];
  uint8_t mac[6];

  memset (long_string, 'x', sizeof long_string - 1);
  long_string[sizeof long_string - 1] = '\0';
  EXPECT_FAIL (aoe_config_set (h, NULL), EFAULT, "config string is NULL");
  EXPECT_FAIL (aoe_config_test (h, NULL), EFAULT, "NULL");
  EXPECT_FAIL (aoe_config_force_set (h, long_string), EINVAL,
               "1025 bytes is longer than 1024");
  EXPECT_FAIL (aoe_config_read (h, NULL, 10), EFAULT, "buffer is NULL");
  EXPECT_EQ (aoe_config_force_set (h, "0123456789"), 0);
  EXPECT_FAIL (aoe_config_read (h, small, sizeof small), ERANGE,
               "10 bytes");
  EXPECT_EQ (aoe_config_read (h, long_string, 11), 10);
  if (strcmp (long_string, "0123456789") != 0)
    lib_die ("config read gave \"%s\"", long_string);
  EXPECT_FAIL (aoe_mask_add (h, NULL, 0), EINVAL, "no MAC given");
  EXPECT_FAIL (aoe_mask_delete (h, NULL, 1), EFAULT, "MAC array is NULL");
  EXPECT_FAIL (aoe_mask_add (h, (const uint8_t (*)[6]) many, 256), EINVAL,
               "at most 255");
  EXPECT_FAIL (aoe_reserve_set (h, (const uint8_t (*)[6]) many, 256), EINVAL,
               "at most 255");
  EXPECT_FAIL (aoe_reserve_force_set (h, NULL, 2), EFAULT, "NULL");
  EXPECT_FAIL (aoe_mask_read (h, NULL, 3), EFAULT, "MAC array is NULL");
  EXPECT_FAIL (aoe_get_interface_mac (h, 1, mac), EINVAL,
               "interface index 1 out of range");
  EXPECT_FAIL (aoe_get_interface_mac (h, 0, NULL), EFAULT, "mac is NULL");
  /* max 0 with no array: just the count (vblade started without -m). */
  EXPECT_EQ (aoe_mask_read (h, NULL, 0), 0);
}

/* Threads of the process (entries of /proc/self/task). */
static int
count_threads (void)
{
  DIR *dir = opendir ("/proc/self/task");
  struct dirent *d;
  int n = 0;

  if (dir == NULL)
    lib_die ("/proc/self/task: %s", strerror (errno));
  while ((d = readdir (dir)) != NULL)
    if (d->d_name[0] != '.')
      n++;
  closedir (dir);
  return n;
}

/* Reserve for ourselves, read it back, test the config string (a
 * mismatch included), release.  mac is our MAC. */
static void
admin_round (aoe_handle *h, const uint8_t mac[6])
{
  const uint8_t list[2][6] = {
    { mac[0], mac[1], mac[2], mac[3], mac[4], mac[5] },
    { 0x02, 0, 0, 0, 0, 0x77 },
  };
  uint8_t got[4][6];

  EXPECT_EQ (aoe_reserve_set (h, list, 2), 0);
  EXPECT_EQ (aoe_reserve_read (h, got, 4), 2);
  if (memcmp (got[0], mac, 6) != 0 || memcmp (got[1], stranger, 6) != 0)
    lib_die ("reserve read gave the wrong list");
  EXPECT_EQ (aoe_reserve_read (h, got, 1), 2);   /* the count, not max */
  EXPECT_EQ (aoe_config_test (h, "0123456789"), 1);
  EXPECT_EQ (aoe_config_test_prefix (h, "0123"), 1);
  EXPECT_EQ (aoe_config_test (h, "01234"), 0);
  EXPECT_EQ (aoe_config_test_prefix (h, "1"), 0);
  EXPECT_EQ (aoe_reserve_release (h), 0);
  EXPECT_EQ (aoe_reserve_read (h, got, 4), 0);
}

/* One thread of the concurrent part: admin calls and reads. */
static void *
worker (void *arg)
{
  aoe_handle *h = arg;
  char buf[AOE_CONFIG_MAX + 1];
  uint8_t sector[AOE_SECTOR_SIZE];
  int i;

  for (i = 0; i < ROUNDS; i++) {
    if (aoe_config_read (h, buf, sizeof buf) != 10
        || strcmp (buf, "0123456789") != 0)
      lib_die ("concurrent config read: %s", aoe_get_error ());
    if (aoe_reserve_read (h, NULL, 0) != 0)
      lib_die ("concurrent reserve read: %s", aoe_get_error ());
    if (aoe_pread (h, sector, sizeof sector, (uint64_t) i * 512) == -1)
      lib_die_aoe ("concurrent aoe_pread");
  }
  return NULL;
}

/* Admin calls before the first I/O start no thread, so the program may
 * fork; the child then does I/O (and admin) on the handle, as nbdkit's
 * server process does after get_ready.  The parent only closes it (after
 * a fork one process may do I/O).  mac: out, our MAC. */
static void
before_first_io (const char *iface, const char *shelf, const char *slot,
                 uint8_t mac[6])
{
  aoe_handle *h = lib_connect (iface, shelf, slot);
  uint8_t sector[AOE_SECTOR_SIZE];
  pid_t pid;
  int status;

  EXPECT_EQ (aoe_get_interface_mac (h, 0, mac), 0);
  printf ("mac=%02x:%02x:%02x:%02x:%02x:%02x\n",
          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  argument_errors (h);
  admin_round (h, mac);
  if (count_threads () != 1)
    lib_die ("admin calls before the first I/O started a thread");
  fflush (stdout);
  pid = fork ();
  if (pid == -1)
    lib_die ("fork: %s", strerror (errno));
  if (pid == 0) {
    if (aoe_pread (h, sector, sizeof sector, 0) == -1
        || aoe_reserve_read (h, NULL, 0) != 0)
      _exit (1);
    _exit (0);
  }
  if (waitpid (pid, &status, 0) == -1 || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    lib_die ("the forked child could not use the handle");
  printf ("forked child: ok\n");
  aoe_close (h);
}

/* Against a target, private I/O thread mode. */
static void
connected (const char *iface, const char *shelf, const char *slot)
{
  pthread_t threads[THREADS];
  uint8_t mac[6], sector[AOE_SECTOR_SIZE];
  aoe_handle *h;
  int i;

  before_first_io (iface, shelf, slot, mac);
  /* After the first I/O, on the I/O thread, from several threads. */
  h = lib_connect (iface, shelf, slot);
  if (aoe_pread (h, sector, sizeof sector, 0) == -1)
    lib_die_aoe ("aoe_pread");
  admin_round (h, mac);
  for (i = 0; i < THREADS; i++)
    if (pthread_create (&threads[i], NULL, worker, h) != 0)
      lib_die ("pthread_create failed");
  for (i = 0; i < THREADS; i++)
    pthread_join (threads[i], NULL);
  printf ("%d threads x %d rounds: ok\n", THREADS, ROUNDS);
  aoe_close (h);
}

/* Against a target, on the program's own libev loop. */
static void
on_own_loop (const char *iface, const char *shelf, const char *slot)
{
  struct ev_loop *loop = ev_loop_new (EVFLAG_AUTO);
  aoe_handle *h = lib_handle (iface, shelf, slot);
  uint8_t mac[6];

  if (loop == NULL)
    lib_die ("ev_loop_new failed");
  if (aoe_set_loop (h, loop) == -1 || aoe_connect (h) == -1)
    lib_die_aoe ("connect on own loop");
  EXPECT_EQ (aoe_get_interface_mac (h, 0, mac), 0);
  EXPECT_EQ (aoe_config_force_set (h, "0123456789"), 0);
  admin_round (h, mac);
  if (count_threads () != 1)
    lib_die ("a handle on the program's loop started a thread");
  printf ("own loop: ok\n");
  aoe_close (h);
  ev_loop_destroy (loop);
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc == 1)
    offline ();
  else if (argc == 4)
    connected (argv[1], argv[2], argv[3]);
  else if (argc == 5 && strcmp (argv[1], "loop") == 0)
    on_own_loop (argv[2], argv[3], argv[4]);
  else
    lib_die ("usage: lib-admin [[loop] IFACE SHELF SLOT]");
  printf ("lib-admin: PASS\n");
  return 0;
}
