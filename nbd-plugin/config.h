/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: configuration keys.
 *
 * config.c parses `key=value` arguments into one struct aoeplug_config;
 * aoe.c applies it to the libaoe handle in .get_ready.
 */
#ifndef AOEPLUG_CONFIG_H
#define AOEPLUG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Help text printed by `nbdkit aoe --help`. */
#define AOEPLUG_CONFIG_HELP \
  "iface=<IFACE>            (required) Local network interface; repeat it\n" \
  "                         to use several interfaces (multipath).\n" \
  "                         iface=all: every interface that is up, is\n" \
  "                         Ethernet and not the loopback.\n" \
  "target=eSHELF.SLOT       The AoE target by name, as the kernel names\n" \
  "                         it: e0.1 is shelf 0, slot 1 (decimal, no\n" \
  "                         leading zeros).  A bare e0.1 means target=e0.1.\n" \
  "                         Without a target (nor shelf= and slot=), every\n" \
  "                         target that answers is served, one export\n" \
  "                         named eSHELF.SLOT each.\n" \
  "shelf=<N>                AoE shelf (major), 0-65534.\n" \
  "slot=<N>                 AoE slot (minor), 0-254.\n" \
  "mac=<aa:bb:cc:dd:ee:ff>  Accept only this target MAC address; repeat\n" \
  "                         it to pin several ports (multipath).\n" \
  "timeout=<SECS>           Seconds a command may stay unanswered before\n" \
  "                         it fails with EIO (default 60, 0 = forever).\n" \
  "discover-timeout=<SECS>  Seconds to wait for the target to answer\n" \
  "                         at start-up (default 5).\n" \
  "max-in-flight=<N>        Cap on frames in flight per target port, 1-256\n" \
  "                         (default: the target's buffer count).\n" \
  "reserve=true             Reserve the target for this initiator's MACs\n" \
  "                         while serving (AoE Reserve/Release); refuse to\n" \
  "                         start if another initiator holds it.\n" \
  "transport=packet|pcap    How frames reach the network: a raw AF_PACKET\n" \
  "                         socket (default) or libpcap.\n" \
  "stats=<PATH>             Publish every export's live figures in the\n" \
  "                         text file PATH, rewritten every second (read\n" \
  "                         it with aoectl stat --server PATH, or cat)."

/* Most mac= keys (libaoe pins at most 8 target MACs). */
#define AOEPLUG_MAX_MACS 8

/* Everything the command line said, validated. */
struct aoeplug_config {
  const char **ifaces;          /* iface= values in order (strings owned by nbdkit) */
  size_t nifaces;               /* how many iface= keys were given */
  bool have_shelf;              /* shelf= was given */
  uint16_t shelf;               /* AoE major address, 0-65534 */
  bool have_slot;               /* slot= was given */
  uint8_t slot;                 /* AoE minor address, 0-254 */
  const char *target;           /* target= value as given (owned by nbdkit), or NULL */
  size_t nmacs;                 /* mac= keys given (0: any MAC) */
  uint8_t macs[AOEPLUG_MAX_MACS][6]; /* the only target MACs to accept */
  unsigned timeout_ms;          /* command timeout, 0 = forever */
  unsigned discover_timeout_ms; /* discovery time limit, > 0 */
  bool have_max_in_flight;      /* max-in-flight= was given */
  unsigned max_in_flight;       /* cap on frames in flight, 1-256 */
  bool reserve;                 /* reserve=true: hold the target's reservation */
  const char *transport;        /* transport= value, NULL: libaoe's default */
  const char *stats;            /* stats= path (owned by nbdkit), or NULL */
};

/* True if a target was named (target=, the magic key, or shelf= and
 * slot=): serve only it.  False: serve every target that answers. */
#define AOEPLUG_ONE_TARGET(c) ((c)->have_shelf)

/* The configuration being built by .config; read by aoe.c. */
extern struct aoeplug_config aoeplug_config;

/* .config: parse one key=value.  0, or -1 after nbdkit_error. */
extern int aoeplug_config_key (const char *key, const char *value);

/* .config_complete: check that the required keys were given. */
extern int aoeplug_config_complete (void);

/* Free what .config allocated (from .unload). */
extern void aoeplug_config_free (void);

#endif /* AOEPLUG_CONFIG_H */
