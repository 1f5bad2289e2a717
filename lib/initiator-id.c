/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Initiator ids: the tag bits that keep one engine's replies from
 * another's (lib/engine-internal.h, "Tags").
 *
 * Initiators that share an interface share its MAC, so a target's reply
 * to one of them reaches all, and only the tag tells them apart.  A
 * random id per engine would collide for some pair of live engines now
 * and then (two in 512), and a collision corrupts data silently.  So each
 * engine claims an id no other live libaoe engine of the network
 * namespace holds: it binds an abstract Unix socket named after the id
 * (bind fails with EADDRINUSE while another process or handle holds it).
 * Abstract sockets need no file system and no permission, belong to the
 * network namespace, which is exactly the set of processes that can
 * share an interface, and vanish when the holder closes them or dies, so
 * a crashed initiator leaves nothing stale behind.  The search starts at
 * a random id, so engines in different namespaces that share a segment
 * (different MACs, told apart by the destination address anyway) rarely
 * pick the same one.  Where no socket can be made (a sandbox), the id is
 * random.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Prefix of the abstract socket names ("@libaoe-initiator-17"). */
#define ID_SOCKET_PREFIX "libaoe-initiator-"

/* A random number in 0..AOE_MAX_INITIATOR_ID. */
static unsigned
random_id (void)
{
  unsigned r;

  if (getrandom (&r, sizeof r, GRND_NONBLOCK) != (ssize_t) sizeof r) {
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    r = (unsigned) ts.tv_nsec ^ (unsigned) getpid () << 8;
  }
  return r % (AOE_MAX_INITIATOR_ID + 1);
}

/* Bind fd to the abstract name of id.  0, or -1 with errno set. */
static int
bind_id (int fd, unsigned id)
{
  struct sockaddr_un sa;
  int n;

  memset (&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  /* sun_path[0] = '\0': the abstract namespace. */
  n = snprintf (sa.sun_path + 1, sizeof sa.sun_path - 1, "%s%u",
                ID_SOCKET_PREFIX, id);
  return bind (fd, (struct sockaddr *) &sa,
               (socklen_t) (offsetof (struct sockaddr_un, sun_path) + 1
                            + (size_t) n));
}

int
aoe_internal_initiator_id_claim (struct aoe_handle *h, int *fd_out)
{
  unsigned start = random_id (), k;
  int fd;

  *fd_out = -1;
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd == -1) {
    debug (h, AOE_DEBUG_EVENTS, "cannot reserve an initiator id (%s): using "
           "a random one", strerror (errno));
    return (int) start;
  }
  for (k = 0; k <= AOE_MAX_INITIATOR_ID; k++) {
    unsigned id = (start + k) % (AOE_MAX_INITIATOR_ID + 1);

    if (bind_id (fd, id) == 0) {
      *fd_out = fd;
      debug (h, AOE_DEBUG_EVENTS, "initiator id %u", id);
      return (int) id;
    }
    if (errno != EADDRINUSE)
      break;
  }
  close (fd);
  if (k > AOE_MAX_INITIATOR_ID) {
    set_error (EMFILE, "%d libaoe sessions are open in this network "
               "namespace already: no initiator id is free",
               AOE_MAX_INITIATOR_ID + 1);
    return -1;
  }
  debug (h, AOE_DEBUG_EVENTS, "cannot reserve an initiator id (%s): using a "
         "random one", strerror (errno));
  return (int) start;
}
