/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: parsing and checking the configuration keys.
 *
 * Every bad value is reported with one nbdkit_error line naming the key,
 * and makes nbdkit exit before it serves anything.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "libaoe.h"
#include "config.h"

/* The configuration, with libaoe's defaults for the optional keys. */
struct aoeplug_config aoeplug_config = {
  .timeout_ms = AOE_DEFAULT_TIMEOUT_MS,
  .discover_timeout_ms = AOE_DEFAULT_DISCOVER_TIMEOUT_MS,
};

/* Largest number of seconds that still fits in milliseconds. */
#define MAX_SECONDS (UINT_MAX / 1000)

/* Check that a numeric value at least starts like a non-negative number,
 * so that "abc" or "-1" get a clearer message than nbdkit's parsers give;
 * the parsers then do the conversion and catch trailing garbage and
 * overflow.  0, or -1 after nbdkit_error. */
static int
check_number (const char *key, const char *value)
{
  if (!isdigit ((unsigned char) value[0])) {
    nbdkit_error ("%s=%s: expected a non-negative integer", key, value);
    return -1;
  }
  return 0;
}

/* Parse seconds (an unsigned integer, at least min_seconds) into
 * milliseconds.  0, or -1 after nbdkit_error. */
static int
parse_seconds (const char *key, const char *value, unsigned min_seconds,
               unsigned *ms)
{
  unsigned seconds;

  if (check_number (key, value) == -1 ||
      nbdkit_parse_unsigned (key, value, &seconds) == -1)
    return -1;
  if (seconds < min_seconds || seconds > MAX_SECONDS) {
    nbdkit_error ("%s=%s: out of range: must be %u-%u seconds",
                  key, value, min_seconds, MAX_SECONDS);
    return -1;
  }
  *ms = seconds * 1000;
  return 0;
}

/* iface=all (AOE_ALL_INTERFACES), or an iface= next to it: let libaoe,
 * which owns the meaning of "all", try the interfaces given so far plus
 * value on a scratch handle now, so that no usable interface, or "all"
 * mixed with names, fails at startup rather than at the first client. */
static int
check_with_libaoe (const char *key, const char *value)
{
  aoe_handle *h = aoe_create ();
  size_t i;
  int r = 0;

  if (h == NULL) {
    nbdkit_error ("%s=%s: %s", key, value, aoe_get_error ());
    return -1;
  }
  for (i = 0; i < aoeplug_config.nifaces && r == 0; i++)
    r = aoe_add_interface (h, aoeplug_config.ifaces[i]);
  if (r == 0)
    r = aoe_add_interface (h, value);
  if (r == -1)
    nbdkit_error ("%s=%s: %s", key, value, aoe_get_error ());
  aoe_close (h);
  return r;
}

/* True if value, or an interface already given, is "all". */
static bool
involves_all (const char *value)
{
  return strcmp (value, AOE_ALL_INTERFACES) == 0
    || (aoeplug_config.nifaces > 0
        && strcmp (aoeplug_config.ifaces[0], AOE_ALL_INTERFACES) == 0);
}

/* iface=: check that the interface exists and remember it. */
static int
parse_iface (const char *key, const char *value)
{
  const char **ifaces;
  size_t i;

  if (value[0] == '\0' || strlen (value) >= IFNAMSIZ) {
    nbdkit_error ("%s=%s: not a valid interface name", key, value);
    return -1;
  }
  if (involves_all (value)) {
    if (check_with_libaoe (key, value) == -1)
      return -1;
  }
  else if (if_nametoindex (value) == 0) {
    nbdkit_error ("%s=%s: no such network interface", key, value);
    return -1;
  }
  for (i = 0; i < aoeplug_config.nifaces; i++) {
    if (strcmp (aoeplug_config.ifaces[i], value) == 0) {
      nbdkit_error ("%s=%s: interface given twice", key, value);
      return -1;
    }
  }
  ifaces = realloc (aoeplug_config.ifaces,
                    (aoeplug_config.nifaces + 1) * sizeof *ifaces);
  if (ifaces == NULL) {
    nbdkit_error ("realloc: %m");
    return -1;
  }
  ifaces[aoeplug_config.nifaces++] = value;
  aoeplug_config.ifaces = ifaces;
  return 0;
}

/* The rules of the two halves of an AoE address, shared by shelf=,
 * slot= and target=. */
#define SHELF_MAX 65534
#define SHELF_SPAN "0-65534"
#define SHELF_RANGE SHELF_SPAN "; 65535 is the broadcast shelf"
#define SLOT_MAX 254
#define SLOT_SPAN "0-254"
#define SLOT_RANGE SLOT_SPAN "; 255 is the broadcast slot"

/* What decimal_value found. */
enum decimal_result {
  DECIMAL_OK,                   /* *out holds the value */
  DECIMAL_NOT_DIGITS,           /* empty, or a character that is not 0-9 */
  DECIMAL_TOO_LARGE,            /* digits only, but above max */
};

/* The decimal number in the len characters at s, from 0 to max, into
 * *out: digits only, so that "0x1" and "010" cannot mean what nbdkit's
 * parsers (strtol with base 0: hex and octal) would make of them; the
 * tools read target names as decimal too.  Sets nothing but *out. */
static enum decimal_result
decimal_value (const char *s, size_t len, unsigned long max,
               unsigned long *out)
{
  unsigned long v = 0;
  size_t i;

  if (len == 0)
    return DECIMAL_NOT_DIGITS;
  for (i = 0; i < len; i++)
    if (!isdigit ((unsigned char) s[i]))
      return DECIMAL_NOT_DIGITS;
  for (i = 0; i < len; i++) {
    v = v * 10 + (unsigned long) (s[i] - '0');
    if (v > max)
      return DECIMAL_TOO_LARGE;
  }
  *out = v;
  return DECIMAL_OK;
}

/* The whole value as a decimal number from 0 to max into *out (range
 * describes the rule for messages).  0, or -1 after nbdkit_error. */
static int
parse_decimal (const char *key, const char *value, unsigned long max,
               const char *range, unsigned long *out)
{
  switch (decimal_value (value, strlen (value), max, out)) {
  case DECIMAL_OK:
    return 0;
  case DECIMAL_TOO_LARGE:
    nbdkit_error ("%s=%s: out of range: must be %s", key, value, range);
    return -1;
  default:
    nbdkit_error ("%s=%s: expected a decimal number (%s)", key, value, range);
    return -1;
  }
}

/* Record the shelf (checked against SHELF_MAX). */
static void
set_shelf (unsigned long v)
{
  aoeplug_config.shelf = (uint16_t) v;
  aoeplug_config.have_shelf = true;
}

/* Record the slot (checked against SLOT_MAX). */
static void
set_slot (unsigned long v)
{
  aoeplug_config.slot = (uint8_t) v;
  aoeplug_config.have_slot = true;
}

/* shelf=: 0-65534 (65535 is the broadcast shelf). */
static int
parse_shelf (const char *key, const char *value)
{
  unsigned long v;

  if (parse_decimal (key, value, SHELF_MAX, SHELF_RANGE, &v) == -1)
    return -1;
  set_shelf (v);
  return 0;
}

/* slot=: 0-254 (255 is the broadcast slot). */
static int
parse_slot (const char *key, const char *value)
{
  unsigned long v;

  if (parse_decimal (key, value, SLOT_MAX, SLOT_RANGE, &v) == -1)
    return -1;
  set_slot (v);
  return 0;
}

/* One half of a target name (len characters at s) into *out: decimal,
 * at most max, and without leading zeros (*leading_zero is set, the
 * value still parsed).  0, or -1 after nbdkit_error; what names the
 * half ("shelf" or "slot") and range gives its rule. */
static int
parse_name_part (const char *key, const char *value, const char *s,
                 size_t len, const char *what, unsigned long max,
                 const char *range, bool *leading_zero, unsigned long *out)
{
  switch (decimal_value (s, len, max, out)) {
  case DECIMAL_OK:
    if (len > 1 && s[0] == '0')
      *leading_zero = true;
    return 0;
  case DECIMAL_TOO_LARGE:
    nbdkit_error ("%s=%s: %s out of range: must be %s", key, value, what,
                  range);
    return -1;
  default:
    nbdkit_error ("%s=%s: not an AoE target name: expected eSHELF.SLOT "
                  "like e0.1 (decimal; shelf " SHELF_SPAN ", slot "
                  SLOT_SPAN ")", key, value);
    return -1;
  }
}

/* target= (and nbdkit's magic key, a bare word): the target's name as
 * the kernel's AoE driver and the tools print it, eSHELF.SLOT in
 * decimal.  Leading zeros are refused (e0.01 would be e0.1): one target
 * has one name, so that a systemd instance nbdkit-aoe@NAME and its
 * socket cannot be started twice for the same disk under two names. */
static int
parse_target (const char *key, const char *value)
{
  const char *dot = strchr (value, '.');
  const char *shelf = value + 1;
  bool leading_zero = false;
  unsigned long shelf_v, slot_v;

  if (value[0] != 'e' || dot == NULL)
    dot = shelf = value;        /* not a name: an empty shelf says so */
  if (parse_name_part (key, value, shelf, (size_t) (dot - shelf), "shelf",
                       SHELF_MAX, SHELF_RANGE, &leading_zero,
                       &shelf_v) == -1 ||
      parse_name_part (key, value, dot + 1, strlen (dot + 1), "slot",
                       SLOT_MAX, SLOT_RANGE, &leading_zero, &slot_v) == -1)
    return -1;
  if (leading_zero) {
    nbdkit_error ("%s=%s: leading zero: write e%lu.%lu", key, value,
                  shelf_v, slot_v);
    return -1;
  }
  set_shelf (shelf_v);
  set_slot (slot_v);
  aoeplug_config.target = value;
  return 0;
}

/* Value of one hexadecimal digit (the caller checked isxdigit). */
static unsigned
hex_value (char c)
{
  return isdigit ((unsigned char) c) ? (unsigned) (c - '0')
    : (unsigned) (tolower ((unsigned char) c) - 'a' + 10);
}

/* mac=: exactly six two-digit hex bytes separated by ':'. */
static int
parse_mac (const char *key, const char *value)
{
  const char *p = value;
  uint8_t mac[6];
  size_t i;

  for (i = 0; i < 6; i++) {
    if (!isxdigit ((unsigned char) p[0]) || !isxdigit ((unsigned char) p[1]))
      goto bad;
    mac[i] = (uint8_t) (hex_value (p[0]) << 4 | hex_value (p[1]));
    p += 2;
    if (i < 5 && *p++ != ':')
      goto bad;
  }
  if (*p != '\0')
    goto bad;
  for (i = 0; i < aoeplug_config.nmacs; i++)
    if (memcmp (aoeplug_config.macs[i], mac, 6) == 0) {
      nbdkit_error ("%s=%s: MAC given twice", key, value);
      return -1;
    }
  if (aoeplug_config.nmacs >= AOEPLUG_MAX_MACS) {
    nbdkit_error ("%s=%s: at most %d mac= keys", key, value,
                  AOEPLUG_MAX_MACS);
    return -1;
  }
  memcpy (aoeplug_config.macs[aoeplug_config.nmacs++], mac, 6);
  return 0;

 bad:
  nbdkit_error ("%s=%s: not a MAC address: expected six hex bytes "
                "like aa:bb:cc:dd:ee:ff", key, value);
  return -1;
}

/* timeout=: seconds per command, 0 = retry forever. */
static int
parse_timeout (const char *key, const char *value)
{
  return parse_seconds (key, value, 0, &aoeplug_config.timeout_ms);
}

/* discover-timeout=: seconds to wait for the target, at least 1. */
static int
parse_discover_timeout (const char *key, const char *value)
{
  return parse_seconds (key, value, 1, &aoeplug_config.discover_timeout_ms);
}

/* max-in-flight=: 1-256 frames. */
static int
parse_max_in_flight (const char *key, const char *value)
{
  if (check_number (key, value) == -1 ||
      nbdkit_parse_unsigned (key, value,
                             &aoeplug_config.max_in_flight) == -1)
    return -1;
  if (aoeplug_config.max_in_flight < 1 || aoeplug_config.max_in_flight > 256) {
    nbdkit_error ("%s=%s: out of range: must be 1-256", key, value);
    return -1;
  }
  aoeplug_config.have_max_in_flight = true;
  return 0;
}

/* reserve=: a boolean, spelt as nbdkit spells them (true/false, t/f,
 * yes/no, y/n, on/off, 1/0, any case), with an error naming the key. */
static int
parse_reserve (const char *key, const char *value)
{
  static const char *const yes[] = { "1", "true", "t", "yes", "y", "on" };
  static const char *const no[] = { "0", "false", "f", "no", "n", "off" };
  size_t i;

  for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    if (strcasecmp (value, yes[i]) == 0) {
      aoeplug_config.reserve = true;
      return 0;
    }
    if (strcasecmp (value, no[i]) == 0) {
      aoeplug_config.reserve = false;
      return 0;
    }
  }
  nbdkit_error ("%s=%s: expected a boolean (true or false)", key, value);
  return -1;
}

/* transport=: pcap or packet (libaoe checks it again at .get_ready). */
static int
parse_transport (const char *key, const char *value)
{
  if (strcmp (value, "pcap") != 0 && strcmp (value, "packet") != 0) {
    nbdkit_error ("%s=%s: expected pcap or packet", key, value);
    return -1;
  }
  aoeplug_config.transport = value;
  return 0;
}

/* stats=: the file to publish the live figures in (checked by writing
 * it at .get_ready). */
static int
parse_stats (const char *key, const char *value)
{
  if (value[0] == '\0') {
    nbdkit_error ("%s=: expected the path of a file", key);
    return -1;
  }
  aoeplug_config.stats = value;
  return 0;
}

/* One configuration key: its name, its parser, and whether it was seen. */
struct config_key {
  const char *name;                              /* key as typed */
  int (*parse) (const char *key, const char *value); /* 0 or -1 */
  bool repeatable;                               /* may be given many times */
  bool seen;                                     /* given at least once */
};

/* Every key the plugin accepts. */
static struct config_key config_keys[] = {
  { "iface", parse_iface, true, false },
  { "target", parse_target, false, false },
  { "shelf", parse_shelf, false, false },
  { "slot", parse_slot, false, false },
  { "mac", parse_mac, true, false },
  { "timeout", parse_timeout, false, false },
  { "discover-timeout", parse_discover_timeout, false, false },
  { "max-in-flight", parse_max_in_flight, false, false },
  { "reserve", parse_reserve, false, false },
  { "transport", parse_transport, false, false },
  { "stats", parse_stats, false, false },
};

/* .config: find the key in config_keys and run its parser. */
int
aoeplug_config_key (const char *key, const char *value)
{
  size_t i;

  for (i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
    struct config_key *k = &config_keys[i];

    if (strcmp (k->name, key) != 0)
      continue;
    if (k->seen && !k->repeatable) {
      nbdkit_error ("%s given more than once", key);
      return -1;
    }
    k->seen = true;
    return k->parse (key, value);
  }
  nbdkit_error ("unknown parameter '%s' (see nbdkit aoe --help)", key);
  return -1;
}

/* True if the key called name was given. */
static bool
key_given (const char *name)
{
  size_t i;

  for (i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
    if (strcmp (config_keys[i].name, name) == 0)
      return config_keys[i].seen;
  return false;
}

/* .config_complete: the required keys were all given, the target named
 * one way only (or not at all: then every target is served, and the keys
 * about one target are refused). */
int
aoeplug_config_complete (void)
{
  if (aoeplug_config.nifaces == 0) {
    nbdkit_error ("the iface parameter is required "
                  "(e.g. iface=eth0 target=e0.1)");
    return -1;
  }
  if (key_given ("target") && (key_given ("shelf") || key_given ("slot"))) {
    nbdkit_error ("target=%s and shelf=/slot= both given: name the target "
                  "once, as target=eSHELF.SLOT or as shelf= and slot=",
                  aoeplug_config.target);
    return -1;
  }
  if (!aoeplug_config.have_shelf && !aoeplug_config.have_slot) {
    /* No target: every target that answers, one export each.  The keys
     * that pick or bind one disk have no meaning then. */
    if (aoeplug_config.reserve || aoeplug_config.nmacs > 0) {
      nbdkit_error ("%s needs a target (target=eSHELF.SLOT): without one "
                    "every target that answers is served",
                    aoeplug_config.reserve ? "reserve=true" : "mac=");
      return -1;
    }
    return 0;
  }
  if (!aoeplug_config.have_shelf) {
    nbdkit_error ("the shelf parameter is required (" SHELF_RANGE ")");
    return -1;
  }
  if (!aoeplug_config.have_slot) {
    nbdkit_error ("the slot parameter is required (" SLOT_RANGE ")");
    return -1;
  }
  return 0;
}

/* Free the interface list (from .unload). */
void
aoeplug_config_free (void)
{
  free (aoeplug_config.ifaces);
  aoeplug_config.ifaces = NULL;
  aoeplug_config.nifaces = 0;
}
