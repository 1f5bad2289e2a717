/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Helpers shared by the libaoe command-line tools; see tool-common.h.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tool-common.h"

const char *tool_progname = "aoe-tool";

void
tool_init (const char *progname)
{
  tool_progname = progname;
}

/* Print "PROG: " and the formatted message on stderr, without newline. */
static void
print_message (const char *fmt, va_list ap)
{
  fprintf (stderr, "%s: ", tool_progname);
  vfprintf (stderr, fmt, ap);
}

void
tool_usage_error (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  print_message (fmt, ap);
  va_end (ap);
  fprintf (stderr, " (try --help)\n");
  exit (TOOL_EXIT_USAGE);
}

void
tool_die (int status, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  print_message (fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (status);
}

void
tool_library_error (int status)
{
  const char *msg = aoe_get_error ();
  int err = aoe_get_errno ();

  tool_die (status, "%s", msg ? msg : strerror (err ? err : EIO));
}

bool
tool_common_option (int c, int argc, char **argv,
                    struct tool_ifaces *ifaces, void (*usage) (FILE *fp))
{
  switch (c) {
  case 'i':
    if (ifaces->n == TOOL_MAX_INTERFACES)
      tool_usage_error ("too many interfaces (at most %d)",
                        TOOL_MAX_INTERFACES);
    if (optarg[0] == '\0')
      tool_usage_error ("-i: empty interface name");
    ifaces->names[ifaces->n++] = optarg;
    return true;
  case 'h':
    usage (stdout);
    exit (TOOL_EXIT_OK);
  case 'V':
    printf ("%s %s (libaoe %s)\n", tool_progname, LIBAOE_VERSION_STRING,
            aoe_get_version ());
    exit (TOOL_EXIT_OK);
  case ':':
    tool_usage_error ("option '%s' needs an argument", argv[optind - 1]);
  case '?':
    if (optopt != 0)
      tool_usage_error ("unknown option '-%c'", optopt);
    tool_usage_error ("unknown option '%s'", argv[optind - 1]);
  default:
    return false;
  }
}

void
tool_need_ifaces (const struct tool_ifaces *ifaces)
{
  if (ifaces->n == 0)
    tool_usage_error ("no interface given: use -i IFACE");
}

/* Parse the decimal digits at *p (at least one) into *value, advancing
 * *p; false on no digit or a value above max. */
static bool
parse_digits (const char **p, unsigned long max, unsigned long *value)
{
  unsigned long v = 0;
  const char *s = *p;

  if (!isdigit ((unsigned char) *s))
    return false;
  for (; isdigit ((unsigned char) *s); s++) {
    v = v * 10 + (unsigned long) (*s - '0');
    if (v > max)
      return false;
  }
  *value = v;
  *p = s;
  return true;
}

bool
tool_looks_like_target (const char *text)
{
  const char *p = text;

  if (*p++ != 'e' || !isdigit ((unsigned char) *p))
    return false;
  while (isdigit ((unsigned char) *p))
    p++;
  if (*p++ != '.' || !isdigit ((unsigned char) *p))
    return false;
  while (isdigit ((unsigned char) *p))
    p++;
  return *p == '\0';
}

void
tool_parse_target (const char *text, struct tool_target *t)
{
  const char *p = text;
  unsigned long shelf, slot;

  if (!tool_looks_like_target (text))
    tool_usage_error ("'%s' is not a target name: expected eSHELF.SLOT, "
                      "like e0.1", text);
  p++;
  if (!parse_digits (&p, 65534, &shelf))
    tool_usage_error ("'%s': shelf must be 0-65534 (65535 is broadcast)",
                      text);
  p++;
  if (!parse_digits (&p, 254, &slot))
    tool_usage_error ("'%s': slot must be 0-254 (255 is broadcast)", text);
  t->shelf = (unsigned) shelf;
  t->slot = (unsigned) slot;
  snprintf (t->name, sizeof t->name, "e%u.%u", t->shelf, t->slot);
}

/* Value of the hex digit c (checked by the caller). */
static unsigned
hex_value (char c)
{
  return isdigit ((unsigned char) c) ? (unsigned) (c - '0')
    : (unsigned) (tolower ((unsigned char) c) - 'a' + 10);
}

void
tool_parse_mac (const char *what, const char *text, uint8_t mac[6])
{
  const char *p = text;
  int i;

  for (i = 0; i < 6; i++) {
    if (!isxdigit ((unsigned char) p[0]) || !isxdigit ((unsigned char) p[1]))
      goto bad;
    mac[i] = (uint8_t) (hex_value (p[0]) << 4 | hex_value (p[1]));
    p += 2;
    if (i < 5 && *p++ != ':')
      goto bad;
  }
  if (*p == '\0')
    return;
 bad:
  tool_usage_error ("%s: '%s' is not a MAC address like aa:bb:cc:dd:ee:ff",
                    what, text);
}

uint64_t
tool_parse_size (const char *opt, const char *text, uint64_t multiple)
{
  static const char units[] = "KMGT";
  const char *unit;
  char *end;
  uint64_t value, scale = 1;
  unsigned long long v;

  errno = 0;
  v = strtoull (text, &end, 10);
  if (!isdigit ((unsigned char) text[0]) || errno != 0)
    goto bad;
  if (*end != '\0') {
    unit = strchr (units, toupper ((unsigned char) *end));
    if (unit == NULL || *unit == '\0')
      goto bad;
    scale = (uint64_t) 1 << (10 * (unit - units + 1));
    end++;
    if (*end != '\0' && strcasecmp (end, "iB") != 0)
      goto bad;
  }
  if (v > UINT64_MAX / scale)
    goto bad;
  value = (uint64_t) v * scale;
  if (multiple && value % multiple != 0)
    tool_usage_error ("%s: %s is not a multiple of %llu bytes", opt, text,
                      (unsigned long long) multiple);
  return value;
 bad:
  tool_usage_error ("%s: '%s' is not a size (a number of bytes, with an "
                    "optional suffix K, M, G or T)", opt, text);
}

unsigned long
tool_parse_number (const char *opt, const char *text, unsigned long min,
                   unsigned long max)
{
  const char *p = text;
  unsigned long value;

  if (!parse_digits (&p, max, &value) || *p != '\0' || value < min)
    tool_usage_error ("%s: '%s' is not a number from %lu to %lu", opt, text,
                      min, max);
  return value;
}

double
tool_parse_seconds (const char *opt, const char *text, double max)
{
  char *end;
  double value;

  errno = 0;
  value = strtod (text, &end);
  if (!isdigit ((unsigned char) text[0]) || *end != '\0' || errno != 0
      || !(value > 0) || value > max)
    tool_usage_error ("%s: '%s' is not a number of seconds above 0 and at "
                      "most %g", opt, text, max);
  return value;
}

aoe_handle *
tool_open (const struct tool_ifaces *ifaces)
{
  aoe_handle *h = aoe_create ();
  size_t i;

  if (h == NULL)
    tool_library_error (TOOL_EXIT_USAGE);
  for (i = 0; i < ifaces->n; i++)
    if (aoe_add_interface (h, ifaces->names[i]) == -1)
      tool_library_error (TOOL_EXIT_USAGE);
  return h;
}

aoe_handle *
tool_connect (const struct tool_ifaces *ifaces,
              const struct tool_target *target)
{
  aoe_handle *h = tool_open (ifaces);

  if (aoe_set_target (h, target->shelf, target->slot) == -1
      || aoe_connect (h) == -1)
    tool_library_error (TOOL_EXIT_USAGE);
  return h;
}

void
tool_format_mac (const uint8_t mac[6], char buf[18])
{
  snprintf (buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void
tool_print_json_string (FILE *fp, const char *s)
{
  const unsigned char *p;

  fputc ('"', fp);
  for (p = (const unsigned char *) s; *p; ++p) {
    if (*p == '"' || *p == '\\')
      fprintf (fp, "\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f)
      fprintf (fp, "\\u%04x", *p);
    else
      fputc (*p, fp);
  }
  fputc ('"', fp);
}

void
tool_print_text_string (FILE *fp, const char *s)
{
  const unsigned char *p;

  for (p = (const unsigned char *) s; *p; ++p) {
    if (*p < 0x20 || *p >= 0x7f || *p == '\\')
      fprintf (fp, "\\x%02x", *p);
    else
      fputc (*p, fp);
  }
}

int
tool_finish (int status)
{
  if (fflush (stdout) == EOF || ferror (stdout)) {
    fprintf (stderr, "%s: cannot write the output: %s\n", tool_progname,
             strerror (errno));
    return TOOL_EXIT_USAGE;
  }
  return status;
}

double
tool_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
