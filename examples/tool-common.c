/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Helpers shared by the libaoe command-line tools; see tool-common.h.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tool-common.h"

const char *tool_progname = "aoectl";
const char *tool_program = "aoectl";

void
tool_init (const char *program, const char *command)
{
  static char name[64];

  tool_program = program;
  if (command == NULL) {
    tool_progname = program;
    return;
  }
  snprintf (name, sizeof name, "%s %s", program, command);
  tool_progname = name;
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

/* Handle option c if it is one that every tool shares (see
 * tool_next_option); false for any other. */
static bool
common_option (int c, char **argv, struct tool_ifaces *ifaces,
               void (*usage) (FILE *fp))
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
    exit (tool_finish (TOOL_EXIT_OK));
  case 'V':
    tool_print_version ();
    exit (tool_finish (TOOL_EXIT_OK));
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

int
tool_next_option (int argc, char **argv, const char *short_options,
                  const struct option *long_options,
                  struct tool_ifaces *ifaces, void (*usage) (FILE *fp))
{
  char all[64];
  int c;

  /* ':' first: a missing argument is ':', not '?'; no message from
   * getopt itself (opterr), ours is one line. */
  snprintf (all, sizeof all, ":i:hV%s", short_options);
  opterr = 0;
  do
    c = getopt_long (argc, argv, all, long_options, NULL);
  while (c != -1 && common_option (c, argv, ifaces, usage));
  return c;
}

void
tool_print_version (void)
{
  printf ("%s %s (libaoe %s)\n", tool_program, LIBAOE_VERSION_STRING,
          aoe_get_version ());
}

void
tool_need_ifaces (const struct tool_ifaces *ifaces)
{
  if (ifaces->n == 0)
    tool_usage_error ("no interface given: use -i IFACE (or -i all)");
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

void
tool_parse_only_target (int argc, char **argv, struct tool_target *t)
{
  if (optind >= argc)
    tool_usage_error ("no target given (eSHELF.SLOT, like e0.1)");
  tool_parse_target (argv[optind++], t);
  if (optind < argc)
    tool_usage_error ("unexpected argument '%s'", argv[optind]);
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

size_t
tool_discover (const struct tool_ifaces *ifaces, unsigned timeout_ms,
               bool report_none, struct aoe_target_info **targets)
{
  aoe_handle *h = tool_open (ifaces);
  int n;

  *targets = NULL;
  n = aoe_discover (h, timeout_ms, targets, sizeof **targets);
  if (n == -1)
    tool_library_error (TOOL_EXIT_USAGE);
  aoe_close (h);
  if (n == 0 && report_none)
    fprintf (stderr, "%s: no AoE target answered within %u ms\n",
             tool_progname, timeout_ms);
  return (size_t) n;
}

unsigned
tool_parse_discover_timeout (const char *text)
{
  return (unsigned) tool_parse_number ("--timeout", text, 1,
                                       TOOL_DISCOVER_MAX_TIMEOUT_MS);
}

void
tool_format_size (uint64_t bytes, char buf[TOOL_SIZE_BUFSIZE])
{
  static const char *const units[] = {
    "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
  };
  double value = (double) bytes;
  size_t u = 0;

  if (bytes < 1024) {
    snprintf (buf, TOOL_SIZE_BUFSIZE, "%" PRIu64 "B", bytes);
    return;
  }
  value /= 1024;
  /* Up a unit from what would print as 1024.000 (rounded) too. */
  while (value >= 1023.9995 && u + 1 < sizeof units / sizeof units[0]) {
    value /= 1024;
    u++;
  }
  snprintf (buf, TOOL_SIZE_BUFSIZE, "%.3f%s", value, units[u]);
}

void
tool_format_mac (const uint8_t mac[6], char buf[18])
{
  snprintf (buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* The length of the valid UTF-8 sequence (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF) at p, 1 to 4, or 0 if the bytes there are
 * not one; *code receives its code point.  Stops at a NUL, which is never
 * a continuation byte. */
static size_t
utf8_sequence (const unsigned char *p, uint32_t *code)
{
  /* Per lead byte: sequence length and the range of the second byte
   * that keeps the form shortest and the code point in range. */
  unsigned char lo = 0x80, hi = 0xbf;
  size_t len, i;
  uint32_t c;

  if (p[0] < 0x80) {
    *code = p[0];
    return 1;
  }
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    len = 2, c = p[0] & 0x1f;
  else if (p[0] >= 0xe0 && p[0] <= 0xef) {
    len = 3, c = p[0] & 0x0f;
    if (p[0] == 0xe0)
      lo = 0xa0;           /* else overlong */
    else if (p[0] == 0xed)
      hi = 0x9f;           /* else a surrogate, U+D800-U+DFFF */
  }
  else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
    len = 4, c = p[0] & 0x07;
    if (p[0] == 0xf0)
      lo = 0x90;           /* else overlong */
    else if (p[0] == 0xf4)
      hi = 0x8f;           /* else above U+10FFFF */
  }
  else
    return 0;              /* a continuation byte, C0, C1 or F5-FF */
  if (p[1] < lo || p[1] > hi)
    return 0;
  for (i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    c = c << 6 | (p[i] & 0x3f);
  }
  *code = c;
  return len;
}

/* True for the control characters: C0, DEL and C1 (Unicode's Cc). */
static bool
is_control (uint32_t code)
{
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

void
tool_print_json_string (FILE *fp, const char *s)
{
  const unsigned char *p = (const unsigned char *) s;
  uint32_t code;
  size_t len;

  fputc ('"', fp);
  while (*p) {
    len = utf8_sequence (p, &code);
    if (len == 0) {
      fprintf (fp, "\\u%04x", *p);  /* not UTF-8: the byte's value */
      len = 1;
    }
    else if (code == '"' || code == '\\')
      fprintf (fp, "\\%c", (int) code);
    else if (is_control (code))
      fprintf (fp, "\\u%04x", (unsigned) code);
    else
      fwrite (p, 1, len, fp);
    p += len;
  }
  fputc ('"', fp);
}

void
tool_print_text_string (FILE *fp, const char *s)
{
  const unsigned char *p = (const unsigned char *) s;
  uint32_t code;
  size_t len, i;

  while (*p) {
    len = utf8_sequence (p, &code);
    if (len == 0 || code == '\\' || is_control (code)) {
      if (len == 0)
        len = 1;
      for (i = 0; i < len; i++)
        fprintf (fp, "\\x%02x", p[i]);
    }
    else
      fwrite (p, 1, len, fp);
    p += len;
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
