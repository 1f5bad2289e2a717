/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * tests/vm/vm-writer.c: the power-cut tests' writer and checker.
 *
 *   vm-writer append FILE CUT   append 64-byte records to FILE, fsync each
 *   vm-writer raw DEVICE CUT    write 4 KiB records to DEVICE with
 *                               O_DIRECT | O_DSYNC (FUA writes)
 *   vm-writer check-lines FILE  every record acknowledged (read from stdin)
 *   vm-writer check-raw IMAGE   is in FILE / IMAGE, byte for byte
 *
 * A writer prints "ACK f CUT N" (append) or "ACK r CUT N" (raw) on stdout,
 * one write(2) per line, only after the record's fsync or FUA write has
 * returned: every such line the host has seen names a record that must
 * survive a power cut.  It writes until killed, an error (exit 1, with a
 * one-line message) or, in raw mode, the end of its region (exit 0).
 * Records are a function of (CUT, N), so the checker regenerates them
 * from the ACK lines alone.  Raw records of cut C fill region C mod
 * RAW_REGIONS of the device, RAW_RECORDS records each.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Length of an append record (a line, '\n' included). */
#define LINE_SIZE 64
/* Length of a raw record: a whole page, aligned for O_DIRECT. */
#define RAW_SIZE 4096
/* Regions of a raw device: a cut writes only its own. */
#define RAW_REGIONS 4
/* Records in one region (16 MiB: the device must hold 64 MiB). */
#define RAW_RECORDS 4096

/* Print a one-line error and exit 1. */
static void
die (const char *what, const char *arg)
{
  fprintf (stderr, "vm-writer: %s %s: %s\n", what, arg,
           errno ? strerror (errno) : "failed");
  exit (1);
}

/* A 64-bit mix of (CUT, N, I): the filler of record N of cut CUT. */
static uint64_t
mix (uint64_t cut, uint64_t n, uint64_t i)
{
  uint64_t x = (cut << 40) ^ (n << 12) ^ i ^ 0x9e3779b97f4a7c15ULL;

  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Fill LINE with append record N of cut CUT: "vmrec CUT N HEX...\n". */
static void
make_line (char line[LINE_SIZE], unsigned cut, unsigned n)
{
  int len = snprintf (line, LINE_SIZE, "vmrec %06u %09u %016" PRIx64
                      "%016" PRIx64, cut, n, mix (cut, n, 0), mix (cut, n, 1));

  memset (line + len, '.', LINE_SIZE - 1 - len);
  line[LINE_SIZE - 1] = '\n';
}

/* Fill BLOCK with raw record N of cut CUT: a header line, then filler. */
static void
make_block (uint8_t block[RAW_SIZE], unsigned cut, unsigned n)
{
  size_t i;

  for (i = 0; i < RAW_SIZE / 8; i++)
    {
      uint64_t x = mix (cut, n, i);
      memcpy (block + i * 8, &x, 8);
    }
  make_line ((char *) block, cut, n);
}

/* The byte offset of raw record N of cut CUT. */
static off_t
raw_offset (unsigned cut, unsigned n)
{
  return ((off_t) (cut % RAW_REGIONS) * RAW_RECORDS + n) * RAW_SIZE;
}

/* Print the acknowledgement of record N (one write, so lines from two
 * writers sharing the console do not interleave). */
static void
ack (char kind, unsigned cut, unsigned n)
{
  char line[64];
  int len = snprintf (line, sizeof line, "ACK %c %u %u\n", kind, cut, n);

  if (write (STDOUT_FILENO, line, len) != len)
    die ("write", "stdout");
}

/* vm-writer append FILE CUT: never returns (killed, or exits on error). */
static _Noreturn void
do_append (const char *path, unsigned cut)
{
  char line[LINE_SIZE];
  unsigned n;
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0)
    die ("open", path);
  for (n = 0;; n++)
    {
      make_line (line, cut, n);
      if (write (fd, line, LINE_SIZE) != LINE_SIZE)
        die ("write", path);
      if (fsync (fd) != 0)
        die ("fsync", path);
      ack ('f', cut, n);
    }
}

/* vm-writer raw DEVICE CUT. */
static int
do_raw (const char *path, unsigned cut)
{
  uint8_t *block;
  unsigned n;
  int fd = open (path, O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC);

  if (fd < 0)
    die ("open", path);
  if (posix_memalign ((void **) &block, RAW_SIZE, RAW_SIZE) != 0)
    die ("allocate", "a record");
  for (n = 0; n < RAW_RECORDS; n++)
    {
      make_block (block, cut, n);
      if (pwrite (fd, block, RAW_SIZE, raw_offset (cut, n)) != RAW_SIZE)
        die ("write", path);
      ack ('r', cut, n);
    }
  free (block);
  return 0;
}

/* Read all of FILE into a malloc'd buffer; its length in *LEN. */
static char *
slurp (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf = NULL;
  size_t size = 0, used = 0, got;

  if (!f)
    die ("open", path);
  do
    {
      if (used == size)
        {
          size = size ? size * 2 : 1 << 20;
          buf = realloc (buf, size);
          if (!buf)
            die ("allocate", path);
        }
      got = fread (buf + used, 1, size - used, f);
      used += got;
    }
  while (got > 0);
  if (ferror (f))
    die ("read", path);
  fclose (f);
  *len = used;
  return buf;
}

/* vm-writer check-lines FILE / check-raw IMAGE: every "ACK KIND CUT N"
 * on stdin (other lines are ignored) names a record that must be in the
 * file (at any record boundary) or the image (at its offset).  Prints the
 * count checked and missing; exit 1 if any is missing. */
static int
do_check (const char *path, char kind)
{
  size_t len, missing = 0, checked = 0;
  char *data = slurp (path, &len);
  char text[256], got_kind;
  unsigned cut, n;
  uint8_t block[RAW_SIZE];
  char line[LINE_SIZE];

  while (fgets (text, sizeof text, stdin))
    {
      if (sscanf (text, "ACK %c %u %u", &got_kind, &cut, &n) != 3
          || got_kind != kind)
        continue;
      checked++;
      if (kind == 'r')
        {
          off_t off = raw_offset (cut, n);
          make_block (block, cut, n);
          if ((size_t) off + RAW_SIZE > len
              || memcmp (data + off, block, RAW_SIZE) != 0)
            {
              if (missing++ < 5)
                printf ("missing: raw record cut %u n %u\n", cut, n);
            }
        }
      else
        {
          make_line (line, cut, n);
          if (!memmem (data, len, line, LINE_SIZE))
            {
              if (missing++ < 5)
                printf ("missing: line record cut %u n %u\n", cut, n);
            }
        }
    }
  printf ("checked %zu acknowledged records, %zu missing\n", checked,
          missing);
  free (data);
  return missing ? 1 : 0;
}

/* Parse a cut number or exit 2 with a message. */
static unsigned
parse_cut (const char *s)
{
  char *end;
  unsigned long v = strtoul (s, &end, 10);

  if (*s == '\0' || *end != '\0' || v > 999999)
    {
      fprintf (stderr, "vm-writer: bad cut number '%s'\n", s);
      exit (2);
    }
  return v;
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "append") == 0)
    do_append (argv[2], parse_cut (argv[3]));
  if (argc == 4 && strcmp (argv[1], "raw") == 0)
    return do_raw (argv[2], parse_cut (argv[3]));
  if (argc == 3 && strcmp (argv[1], "check-lines") == 0)
    return do_check (argv[2], 'f');
  if (argc == 3 && strcmp (argv[1], "check-raw") == 0)
    return do_check (argv[2], 'r');
  fprintf (stderr, "usage: vm-writer append FILE CUT | raw DEVICE CUT |"
           " check-lines FILE | check-raw IMAGE\n");
  return 2;
}
