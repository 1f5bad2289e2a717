/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * tests/restrict-families.c: run a command whose socket(2) calls may
 * create only some address families, as systemd's
 * RestrictAddressFamilies= makes them (a seccomp filter: socket() with
 * any other family fails with EAFNOSUPPORT; sockets received otherwise,
 * as with socket activation, are not affected).
 *
 *   restrict-families AF_UNIX AF_PACKET ... -- CMD [ARGS...]
 *
 * Sets no_new_privs first (required for an unprivileged seccomp filter;
 * the unit says NoNewPrivileges=yes anyway).  A test helper that
 * emulates the unit's sandbox, not a security boundary: the filter
 * looks at the native socket syscall only (as systemd, which leaves
 * socketcall(2) alone on 32-bit x86).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <endian.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* The families a unit of ours may name. */
static const struct {
  const char *name;
  int family;
} families[] = {
  { "AF_UNIX", AF_UNIX }, { "AF_INET", AF_INET }, { "AF_INET6", AF_INET6 },
  { "AF_NETLINK", AF_NETLINK }, { "AF_PACKET", AF_PACKET },
};

#define NFAMILIES (sizeof families / sizeof families[0])

/* Offset of the low 32 bits of socket()'s first argument. */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ARG0_LOW offsetof (struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof (struct seccomp_data, args[0]) + 4)
#endif

/* The family called name, or -1. */
static int
family_of (const char *name)
{
  size_t i;

  for (i = 0; i < NFAMILIES; i++)
    if (strcmp (families[i].name, name) == 0)
      return families[i].family;
  return -1;
}

int
main (int argc, char *argv[])
{
  struct sock_filter prog[NFAMILIES + 6];
  struct sock_fprog fprog;
  int allowed[NFAMILIES];
  size_t n = 0, len = 0, i;
  int arg;

  for (arg = 1; arg < argc && strcmp (argv[arg], "--") != 0; arg++) {
    int family = family_of (argv[arg]);

    if (family == -1 || n == NFAMILIES) {
      fprintf (stderr, "restrict-families: unknown or repeated family %s\n",
               argv[arg]);
      return 2;
    }
    allowed[n++] = family;
  }
  if (arg + 1 >= argc) {
    fprintf (stderr, "usage: restrict-families FAMILY... -- CMD [ARGS...]\n");
    return 2;
  }

  /* if (nr != socket) allow; if (family is one of allowed) allow;
   * else fail with EAFNOSUPPORT. */
  prog[len++] = (struct sock_filter)
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr));
  prog[len++] = (struct sock_filter)
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0);
  prog[len++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K,
                                               SECCOMP_RET_ALLOW);
  prog[len++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                               ARG0_LOW);
  for (i = 0; i < n; i++)       /* a match jumps to the final allow */
    prog[len++] = (struct sock_filter)
      BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (unsigned) allowed[i],
                (unsigned char) (n - i), 0);
  prog[len++] = (struct sock_filter)
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT);
  prog[len++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K,
                                               SECCOMP_RET_ALLOW);
  fprog.len = (unsigned short) len;
  fprog.filter = prog;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
      prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == -1) {
    perror ("restrict-families: prctl");
    return 2;
  }
  execvp (argv[arg + 1], &argv[arg + 1]);
  fprintf (stderr, "restrict-families: %s: %s\n", argv[arg + 1],
           strerror (errno));
  return 127;
}
