/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Helpers shared by the subcommands of aoectl (discover, stat, copy,
 * config, mask, reserve) and by aoe-bench: exit statuses, one-line error
 * messages, option and argument parsing (interfaces, target names
 * eSHELF.SLOT, MACs, sizes, numbers), connecting, and text/JSON output of
 * strings, so that every command parses and reports the same way.
 * Built only on <libaoe.h>.
 */
#ifndef AOE_TOOL_COMMON_H
#define AOE_TOOL_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libaoe.h>

/* Exit statuses shared by the tools (each documents them in --help). */
#define TOOL_EXIT_OK 0      /* success */
#define TOOL_EXIT_FAILED 1  /* the operation failed (or found nothing) */
#define TOOL_EXIT_USAGE 2   /* usage or setup error */

/* Most -i options accepted. */
#define TOOL_MAX_INTERFACES 8

/* The name that starts every message: "aoectl copy", "aoe-bench"...;
 * set by tool_init. */
extern const char *tool_progname;

/* The program alone ("aoectl", "aoe-bench"), for --version; set by
 * tool_init. */
extern const char *tool_program;

/* Interfaces named with -i, in order. */
struct tool_ifaces {
  const char *names[TOOL_MAX_INTERFACES]; /* the -i arguments */
  size_t n;                               /* how many */
};

/* A target named eSHELF.SLOT on the command line. */
struct tool_target {
  unsigned shelf;       /* 0-65534 */
  unsigned slot;        /* 0-254 */
  char name[16];        /* "eSHELF.SLOT" as the kernel driver writes it */
};

/* Remember the program and its subcommand (NULL if none) for messages:
 * they start "PROGRAM COMMAND: ", --version prints PROGRAM. */
void tool_init (const char *program, const char *command);

/* Print "PROG: MESSAGE (try --help)" on stderr and exit TOOL_EXIT_USAGE. */
void tool_usage_error (const char *fmt, ...)
  __attribute__ ((noreturn, format (printf, 1, 2)));

/* Print "PROG: MESSAGE" on stderr and exit with status. */
void tool_die (int status, const char *fmt, ...)
  __attribute__ ((noreturn, format (printf, 2, 3)));

/* Print "PROG: LIBAOE'S MESSAGE" (one line) and exit with status. */
void tool_library_error (int status) __attribute__ ((noreturn));

/* The end of every tool's table of long options: the options every tool
 * takes (handled by tool_next_option) and the terminating entry, so that
 * they are spelt the same everywhere. */
#define TOOL_COMMON_LONG_OPTIONS                    \
  { "interface", required_argument, NULL, 'i' },    \
  { "help", no_argument, NULL, 'h' },               \
  { "version", no_argument, NULL, 'V' },            \
  { NULL, 0, NULL, 0 }

/* The next option of the command line that is the tool's own (from
 * short_options, its letters without -i, -h and -V, and long_options,
 * ending with TOOL_COMMON_LONG_OPTIONS), or -1 after the last option.
 * It handles the options every tool shares itself: -i (added to
 * ifaces), -h (usage on stdout, exit 0), -V (the version, exit 0), and
 * unknown options and missing arguments (usage errors).  GNU getopt's
 * permutation is on (no '+'), so options may come before or after the
 * target, and "--" ends them. */
int tool_next_option (int argc, char **argv, const char *short_options,
                      const struct option *long_options,
                      struct tool_ifaces *ifaces, void (*usage) (FILE *fp));

/* Print "PROGRAM VERSION (libaoe VERSION)" on stdout (--version). */
void tool_print_version (void);

/* Check that at least one -i was given (else usage error). */
void tool_need_ifaces (const struct tool_ifaces *ifaces);

/* True if text has the shape of a target name: 'e', digits, '.',
 * digits (the numbers may still be out of range). */
bool tool_looks_like_target (const char *text);

/* Parse a target name eSHELF.SLOT (shelf 0-65534, slot 0-254) into *t,
 * or exit with a usage error. */
void tool_parse_target (const char *text, struct tool_target *t);

/* After the options (from optind), exactly one argument must be left:
 * the target, parsed into *t; a usage error if it is missing or followed
 * by more. */
void tool_parse_only_target (int argc, char **argv, struct tool_target *t);

/* Parse a MAC aa:bb:cc:dd:ee:ff (hex, any case) into mac, or exit with a
 * usage error naming what. */
void tool_parse_mac (const char *what, const char *text, uint8_t mac[6]);

/* Parse a byte count with an optional suffix K, M, G or T (powers of
 * 1024, also KiB etc.) for option opt, or exit with a usage error.  If
 * multiple is not 0 the value must be a multiple of it. */
uint64_t tool_parse_size (const char *opt, const char *text,
                          uint64_t multiple);

/* Parse a decimal integer from min to max for option opt, or exit with
 * a usage error. */
unsigned long tool_parse_number (const char *opt, const char *text,
                                 unsigned long min, unsigned long max);

/* Parse a positive number of seconds (decimal fraction allowed) up to
 * max for option opt, or exit with a usage error. */
double tool_parse_seconds (const char *opt, const char *text, double max);

/* A new handle with the interfaces added, or exit TOOL_EXIT_USAGE with
 * libaoe's message (unknown interface, ...). */
aoe_handle *tool_open (const struct tool_ifaces *ifaces);

/* A handle connected to target through the interfaces, or exit
 * TOOL_EXIT_USAGE with libaoe's message (no answer, no permission). */
aoe_handle *tool_connect (const struct tool_ifaces *ifaces,
                          const struct tool_target *target);

/* Broadcast Query Config on the interfaces, wait timeout_ms for
 * answers (aoe_discover) and store the targets found in *targets (free
 * with aoe_free_targets); their number, or exit TOOL_EXIT_USAGE with
 * libaoe's message.  If none answered and report_none is set, say so on
 * stderr. */
size_t tool_discover (const struct tool_ifaces *ifaces, unsigned timeout_ms,
                      bool report_none, struct aoe_target_info **targets);

/* Default and largest time tool_discover's callers wait for answers
 * (--timeout of aoectl discover and of aoectl stat's listing), ms. */
#define TOOL_DISCOVER_DEFAULT_TIMEOUT_MS 1000
#define TOOL_DISCOVER_MAX_TIMEOUT_MS 600000

/* Parse --timeout MS of discovery (1 to TOOL_DISCOVER_MAX_TIMEOUT_MS),
 * or exit with a usage error. */
unsigned tool_parse_discover_timeout (const char *text);

/* Size of a buffer for tool_format_size. */
#define TOOL_SIZE_BUFSIZE 24

/* Format bytes for a human in powers of 1024 with three decimals, as
 * aoetools' aoe-stat writes sizes: "512B", "1.500KiB", "64.000MiB",
 * "2.000TiB" (the largest unit below which the value stays). */
void tool_format_size (uint64_t bytes, char buf[TOOL_SIZE_BUFSIZE]);

/* Format a MAC as "aa:bb:cc:dd:ee:ff" into buf (18 bytes). */
void tool_format_mac (const uint8_t mac[6], char buf[18]);

/* Print s as a JSON string, quoted.  Valid UTF-8 goes out as it is
 * (JSON text is UTF-8); escaped are only '"' and '\' (as \" and \\)
 * and the control characters (C0 U+0000-U+001F, which JSON requires,
 * and DEL and C1 U+007F-U+009F, which a terminal would obey), as
 * \u00XX.  A byte that is not part of valid UTF-8 (AoE strings are
 * bytes, in no stated encoding) cannot stand in a JSON string as it is:
 * it is written as \u00XX, the code point of the byte's value (what
 * Latin-1 makes of it), so the output is always valid JSON. */
void tool_print_json_string (FILE *fp, const char *s);

/* Print s for a human: valid, printable UTF-8 (ASCII included) as it
 * is; control characters (C0, DEL and the C1 range U+0080-U+009F),
 * bytes that are not valid UTF-8, and '\' as \xXX, one per byte, so
 * that nothing the target sends can move the cursor or hide text. */
void tool_print_text_string (FILE *fp, const char *s);

/* Flush stdout; on a write error print it and return TOOL_EXIT_USAGE,
 * else return status. */
int tool_finish (int status);

/* Seconds on the monotonic clock. */
double tool_now (void);

#endif /* AOE_TOOL_COMMON_H */
