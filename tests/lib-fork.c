/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * lib-fork: nbdkit's pattern: aoe_connect, then fork, then the child
 * does all the I/O (libaoe starts its I/O thread lazily, in the child).
 *
 *   lib-fork IFACE SHELF SLOT IMAGE [io-first]
 *
 * With io-first the parent reads before the fork, so its I/O thread runs
 * when it forks: the child must see that the thread is not its own (it
 * did not survive the fork) and start a fresh one.  The parent does no
 * I/O on the handle after the fork: the sockets and their rings are
 * shared with the child.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib-common.h"

/* Bytes the child reads and checks. */
#define CHECK_BYTES (1 << 20)

int
main (int argc, char *argv[])
{
  uint8_t *image, *buf;
  size_t image_size;
  aoe_handle *h;
  pid_t pid;
  int status;

  if (argc != 5 && !(argc == 6 && strcmp (argv[5], "io-first") == 0))
    lib_die ("usage: lib-fork IFACE SHELF SLOT IMAGE [io-first]");
  image = lib_read_file (argv[4], &image_size);
  if (image_size < 2 * CHECK_BYTES)
    lib_die ("image too small");
  h = lib_connect (argv[1], argv[2], argv[3]);
  buf = malloc (CHECK_BYTES);
  if (buf == NULL)
    lib_die ("out of memory");
  if (argc == 6) {
    if (aoe_pread (h, buf, CHECK_BYTES, 0) == -1)
      lib_die_aoe ("parent aoe_pread before the fork");
    if (memcmp (buf, image, CHECK_BYTES) != 0)
      lib_die ("parent read differs from the image");
  }

  pid = fork ();
  if (pid == -1)
    lib_die ("fork failed");
  if (pid == 0) {
    /* The child: read, write, read back. */
    if (aoe_pread (h, buf, CHECK_BYTES, CHECK_BYTES) == -1)
      lib_die_aoe ("child aoe_pread");
    if (memcmp (buf, image + CHECK_BYTES, CHECK_BYTES) != 0)
      lib_die ("child read differs from the image");
    memset (buf, 0x5a, CHECK_BYTES);
    if (aoe_pwrite (h, buf, CHECK_BYTES, 0) == -1)
      lib_die_aoe ("child aoe_pwrite");
    memset (buf, 0, CHECK_BYTES);
    if (aoe_pread (h, buf, CHECK_BYTES, 0) == -1)
      lib_die_aoe ("child aoe_pread back");
    for (size_t i = 0; i < CHECK_BYTES; ++i)
      if (buf[i] != 0x5a)
        lib_die ("child read back the wrong data at %zu", i);
    aoe_close (h);
    _exit (EXIT_SUCCESS);
  }
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    lib_die ("the child failed (status 0x%x)", status);
  aoe_close (h);
  free (image);
  image = lib_read_file (argv[4], &image_size);
  memset (buf, 0x5a, CHECK_BYTES);
  if (memcmp (image, buf, CHECK_BYTES) != 0)
    lib_die ("the child's write did not reach the image");
  printf ("lib-fork: ok\n");
  free (image);
  free (buf);
  return EXIT_SUCCESS;
}
