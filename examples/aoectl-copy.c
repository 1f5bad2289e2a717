/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl copy: copy an AoE target, or a range of it, to or from a file.
 *
 *   aoectl copy -i IFACE [-i IFACE...] [OPTIONS] SRC DST
 *
 * One of SRC and DST is a target eSHELF.SLOT, the other a file, a block
 * device or '-' (stdin or stdout).  The copy keeps --requests aio
 * commands of --request-size bytes in flight (libaoe spreads each over
 * as many frames and paths as it can), writes the file side in order,
 * and with --verify reads the target back and compares it with what was
 * copied (by re-reading the file when it can, else by a checksum kept per
 * request).  The option names follow nbdcopy's (-R/--requests,
 * --request-size), so that no letter means one thing here and another
 * there.  Built only on <libaoe.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libaoe.h>

#include "aoectl.h"
#include "copy-progress.h"
#include "tool-common.h"

/* Defaults and limits of the options. */
#define DEFAULT_REQUESTS 16
#define MAX_REQUESTS 256
#define DEFAULT_REQUEST_SIZE (256u * 1024)
#define MAX_REQUEST_SIZE (32u << 20)

/* What the command line asked for. */
struct options {
  struct tool_ifaces ifaces;  /* -i arguments */
  struct tool_target target;  /* the target side */
  bool to_target;             /* the target is DST (SRC is the file) */
  const char *file;           /* the file side: a path, or "-" */
  const char *src;            /* SRC as given (for messages) */
  const char *dst;            /* DST as given */
  uint64_t offset;            /* --offset into the target */
  bool have_length;           /* --length was given */
  uint64_t length;            /* --length */
  unsigned requests;          /* --requests: commands in flight */
  size_t request_size;        /* --request-size */
  bool progress;              /* --progress */
  bool quiet;                 /* --quiet */
  bool verify;                /* --verify */
};

struct copy;

/* One buffer of the pipeline and the aio command using it. */
struct chunk {
  struct copy *copy;          /* the copy it belongs to */
  uint8_t *buf;               /* request_size bytes */
  uint64_t index;             /* its number in the range: 0, 1, ... */
  size_t len;                 /* bytes on the target (whole sectors) */
  size_t data_len;            /* bytes of data: len, or less at a partial end */
  bool busy;                  /* a command is queued or in flight */
  bool done;                  /* it completed (under copy->lock) */
  int err;                    /* its result (under copy->lock) */
};

/* The state of a copy. */
struct copy {
  const struct options *opts; /* what to do */
  aoe_handle *h;              /* the connected target */
  uint64_t target_size;       /* its capacity */
  int fd;                     /* the file side */
  off_t file_base;            /* where the file side started (seekable) */
  bool file_rereadable;       /* verify can pread the file side */
  int64_t file_size;          /* size of the source file, -1 if a stream */
  struct chunk *chunks;       /* opts->requests of them */
  pthread_mutex_t lock;       /* protects the chunks' done and err */
  pthread_cond_t cond;        /* signalled when a chunk completes */
  uint64_t *hashes;           /* checksum of each chunk's data (verify) */
  size_t hashes_cap;          /* entries allocated */
  uint64_t copied;            /* bytes of data copied */
  struct progress progress;   /* the progress bar */
  uint8_t *scratch;           /* request_size bytes for verify */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s -i IFACE [-i IFACE...] [OPTIONS] SRC DST\n"
           "Copy an ATA-over-Ethernet target, or a range of it, to or from a file.\n"
           "One of SRC and DST is a target eSHELF.SLOT (like e0.1), the other a\n"
           "file, a block device or '-' for stdin/stdout (write ./e0.1 for a file\n"
           "named like a target).  Writing to a target refuses a source longer\n"
           "than the target (from --offset, or than --length).\n"
           "\n"
           "  -i, --interface IFACE    interface to reach the target (repeat for several)\n"
           "                           -i all: every interface up with Ethernet\n"
           "  -o, --offset N           start N bytes into the target (default 0)\n"
           "  -l, --length N           copy N bytes (default: to the end of the target,\n"
           "                           or the whole source when writing)\n"
           "  -R, --requests N         aio commands in flight, 1-%d (default %d)\n"
           "      --request-size N     bytes per command, 512-32M (default 256K)\n"
           "  -p, --progress           show a progress bar even if stderr is not a terminal\n"
           "  -q, --quiet              no progress bar and no summary line\n"
           "      --verify             read the target back and compare after copying\n"
           "  -h, --help               print this help and exit\n"
           "  -V, --version            print the version and exit\n"
           "\n"
           "Options may come before or after SRC and DST; '--' ends them (for a file\n"
           "whose name starts with '-').  Sizes take the suffixes K, M, G and T\n"
           "(powers of 1024); offsets, lengths and request sizes are multiples of 512.\n"
           "The progress bar (percentage, MiB, MB/s, time left) shows only when\n"
           "stderr is a terminal, as wide as the terminal; the summary line (bytes,\n"
           "seconds, MB/s, retransmits) goes to stderr.\n"
           "\n"
           "Exit status: 0 copied (and verified), 1 an I/O error or a verify\n"
           "mismatch, 2 usage or setup error (bad arguments, unknown interface,\n"
           "target not found, no CAP_NET_RAW, range or source too long).\n",
           tool_progname, MAX_REQUESTS, DEFAULT_REQUESTS);
}

/* Decide which of SRC and DST is the target. */
static void
parse_sides (struct options *opts, const char *src, const char *dst)
{
  bool src_target = tool_looks_like_target (src);
  bool dst_target = tool_looks_like_target (dst);

  if (src_target && dst_target)
    tool_usage_error ("both '%s' and '%s' are targets: copy through a file",
                      src, dst);
  if (!src_target && !dst_target)
    tool_usage_error ("neither '%s' nor '%s' is a target eSHELF.SLOT", src,
                      dst);
  if (src[0] == '\0' || dst[0] == '\0')
    tool_usage_error ("empty file name");
  opts->src = src;
  opts->dst = dst;
  opts->to_target = dst_target;
  tool_parse_target (dst_target ? dst : src, &opts->target);
  opts->file = dst_target ? src : dst;
}

/* Fill OPTS from the command line. */
static void
parse_options (int argc, char **argv, struct options *opts)
{
  enum { OPT_VERIFY = 256, OPT_REQUEST_SIZE };
  static const struct option long_options[] = {
    { "offset", required_argument, NULL, 'o' },
    { "length", required_argument, NULL, 'l' },
    { "requests", required_argument, NULL, 'R' },
    { "request-size", required_argument, NULL, OPT_REQUEST_SIZE },
    { "progress", no_argument, NULL, 'p' },
    { "quiet", no_argument, NULL, 'q' },
    { "verify", no_argument, NULL, OPT_VERIFY },
    TOOL_COMMON_LONG_OPTIONS,
  };
  int c;

  memset (opts, 0, sizeof *opts);
  opts->requests = DEFAULT_REQUESTS;
  opts->request_size = DEFAULT_REQUEST_SIZE;
  while ((c = tool_next_option (argc, argv, "o:l:R:pq", long_options,
                                &opts->ifaces, usage)) != -1) {
    switch (c) {
    case 'o':
      opts->offset = tool_parse_size ("--offset", optarg, AOE_SECTOR_SIZE);
      break;
    case 'l':
      opts->length = tool_parse_size ("--length", optarg, AOE_SECTOR_SIZE);
      opts->have_length = true;
      break;
    case 'R':
      opts->requests = (unsigned) tool_parse_number ("--requests", optarg, 1,
                                                     MAX_REQUESTS);
      break;
    case OPT_REQUEST_SIZE:
      opts->request_size = tool_parse_size ("--request-size", optarg,
                                            AOE_SECTOR_SIZE);
      if (opts->request_size == 0 || opts->request_size > MAX_REQUEST_SIZE)
        tool_usage_error ("--request-size: %s is not from 512 to 32M", optarg);
      break;
    case 'p':
      opts->progress = true;
      break;
    case 'q':
      opts->quiet = true;
      break;
    case OPT_VERIFY:
      opts->verify = true;
      break;
    }
  }
  if (opts->progress && opts->quiet)
    tool_usage_error ("--progress and --quiet contradict each other");
  if (argc - optind != 2)
    tool_usage_error ("expected SRC and DST, got %d argument(s)",
                      argc - optind);
  parse_sides (opts, argv[optind], argv[optind + 1]);
  tool_need_ifaces (&opts->ifaces);
}

/* ---- failures ---- */

/* End the progress line, print "PROG: MESSAGE", close the handle (which
 * waits for every command in flight, so no buffer is freed under one)
 * and exit with status. */
static void __attribute__ ((noreturn, format (printf, 3, 4)))
copy_fail (struct copy *c, int status, const char *fmt, ...)
{
  va_list ap;

  progress_interrupt (&c->progress);
  fprintf (stderr, "%s: ", tool_progname);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  aoe_close (c->h);
  exit (status);
}

/* What a failed command's errno means. */
static const char *
explain (int err)
{
  switch (err) {
  case EACCES: return "the target is reserved by another initiator";
  case EPERM: return "the target refused the write (read-only export?)";
  case ENOSPC: return "beyond the end of the target";
  case EIO: return "I/O error (no answer in time, or the target reported an error)";
  default: return strerror (err);
  }
}

/* Fail because chunk ch's command failed with err. */
static void __attribute__ ((noreturn))
chunk_failed (struct copy *c, const struct chunk *ch, int err)
{
  copy_fail (c, TOOL_EXIT_FAILED, "%s of %zu bytes at offset %" PRIu64
             " of %s failed: %s", c->opts->to_target ? "write" : "read",
             ch->len, c->opts->offset + ch->index * c->opts->request_size,
             c->opts->target.name, explain (err));
}

/* ---- the file side ---- */

/* Read up to n bytes from fd, retrying short reads until EOF.  The
 * number read, or -1 with errno set. */
static ssize_t
read_full (int fd, uint8_t *buf, size_t n)
{
  size_t got = 0;

  while (got < n) {
    ssize_t r = read (fd, buf + got, n - got);

    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      return -1;
    if (r == 0)
      break;
    got += (size_t) r;
  }
  return (ssize_t) got;
}

/* Write n bytes to fd.  0, or -1 with errno set. */
static int
write_full (int fd, const uint8_t *buf, size_t n)
{
  while (n > 0) {
    ssize_t r = write (fd, buf, n);

    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      return -1;
    buf += r;
    n -= (size_t) r;
  }
  return 0;
}

/* Open the file side (stdin or stdout for '-') and learn whether it can
 * be re-read and, for a source, its size.  Exits on failure. */
static void
open_file (struct copy *c)
{
  const struct options *opts = c->opts;
  struct stat st;
  int flags;

  if (strcmp (opts->file, "-") == 0)
    c->fd = opts->to_target ? STDIN_FILENO : STDOUT_FILENO;
  else if (opts->to_target)
    c->fd = open (opts->file, O_RDONLY | O_CLOEXEC);
  else
    c->fd = open (opts->file, (opts->verify ? O_RDWR : O_WRONLY) | O_CREAT
                  | O_TRUNC | O_CLOEXEC, 0666);
  if (c->fd == -1)
    tool_die (TOOL_EXIT_USAGE, "%s: %s", opts->file, strerror (errno));
  c->file_size = -1;
  if (fstat (c->fd, &st) == -1)
    tool_die (TOOL_EXIT_USAGE, "%s: %s", opts->file, strerror (errno));
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    return;
  c->file_base = lseek (c->fd, 0, SEEK_CUR);
  if (c->file_base == -1)
    return;
  flags = fcntl (c->fd, F_GETFL);
  c->file_rereadable = flags != -1 && (flags & O_ACCMODE) != O_WRONLY;
  if (opts->to_target) {
    off_t end = S_ISREG (st.st_mode) ? st.st_size
      : lseek (c->fd, 0, SEEK_END);

    if (end == -1 || lseek (c->fd, c->file_base, SEEK_SET) == -1)
      tool_die (TOOL_EXIT_USAGE, "%s: %s", opts->file, strerror (errno));
    c->file_size = end > c->file_base ? end - c->file_base : 0;
  }
}

/* ---- checksums (verify) ---- */

/* A 64-bit checksum of n bytes: enough to catch any corruption the
 * network or a target could plausibly cause. */
static uint64_t
checksum (const uint8_t *p, size_t n)
{
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
  size_t i;

  for (i = 0; i + 8 <= n; i += 8) {
    uint64_t w;

    memcpy (&w, p + i, 8);
    h = (h ^ (w * 0xBF58476D1CE4E5B9ULL)) * 0x94D049BB133111EBULL;
    h ^= h >> 31;
  }
  for (; i < n; i++)
    h = (h ^ p[i]) * 0x100000001B3ULL;
  return h ^ (h >> 29);
}

/* Remember the checksum of chunk ch's data. */
static void
record_checksum (struct copy *c, const struct chunk *ch)
{
  if (!c->opts->verify)
    return;
  if (ch->index >= c->hashes_cap) {
    size_t cap = c->hashes_cap ? c->hashes_cap * 2 : 1024;
    uint64_t *hashes;

    while (cap <= ch->index)
      cap *= 2;
    hashes = realloc (c->hashes, cap * sizeof *hashes);
    if (hashes == NULL)
      copy_fail (c, TOOL_EXIT_FAILED, "out of memory");
    c->hashes = hashes;
    c->hashes_cap = cap;
  }
  c->hashes[ch->index] = checksum (ch->buf, ch->data_len);
}

/* ---- the aio pipeline ---- */

/* Completion callback (libaoe's I/O thread): mark the chunk done. */
static void
chunk_complete (void *user_data, int err)
{
  struct chunk *ch = user_data;
  struct copy *c = ch->copy;

  pthread_mutex_lock (&c->lock);
  ch->err = err;
  ch->done = true;
  pthread_cond_signal (&c->cond);
  pthread_mutex_unlock (&c->lock);
}

/* Give chunk ch the geometry of chunk index of a range of total data
 * bytes. */
static void
chunk_setup (struct copy *c, struct chunk *ch, uint64_t index,
             uint64_t total)
{
  uint64_t start = index * c->opts->request_size;
  uint64_t left = total - start;

  ch->index = index;
  ch->data_len = left < c->opts->request_size ? (size_t) left
    : c->opts->request_size;
  ch->len = (ch->data_len + AOE_SECTOR_SIZE - 1)
    / AOE_SECTOR_SIZE * AOE_SECTOR_SIZE;
}

/* Queue chunk ch's read (or write) at its place in the target. */
static void
chunk_submit (struct copy *c, struct chunk *ch, bool write)
{
  uint64_t offset = c->opts->offset + ch->index * c->opts->request_size;
  aoe_completion cb = { .callback = chunk_complete, .user_data = ch };
  int64_t r;

  ch->done = false;
  ch->err = 0;
  ch->busy = true;
  r = write ? aoe_aio_pwrite (c->h, ch->buf, ch->len, offset, cb)
    : aoe_aio_pread (c->h, ch->buf, ch->len, offset, cb);
  if (r == -1) {
    ch->busy = false;
    copy_fail (c, TOOL_EXIT_FAILED, "%s", aoe_get_error ());
  }
}

/* Wait for chunk ch's command, redrawing the progress bar meanwhile
 * (done: bytes to show), and fail the copy if it failed. */
static void
chunk_wait (struct copy *c, struct chunk *ch, uint64_t done)
{
  struct timespec until;
  int err;

  pthread_mutex_lock (&c->lock);
  while (!ch->done) {
    clock_gettime (CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long) (PROGRESS_PERIOD_S * 1e9);
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait (&c->cond, &c->lock, &until);
    pthread_mutex_unlock (&c->lock);
    progress_update (&c->progress, done, false);
    pthread_mutex_lock (&c->lock);
  }
  err = ch->err;
  pthread_mutex_unlock (&c->lock);
  ch->busy = false;
  if (err)
    chunk_failed (c, ch, err);
}

/* Read total bytes of the target range in order, opts->requests commands
 * ahead, handing each chunk to consume in order. */
static void
read_pass (struct copy *c, uint64_t total,
           void (*consume) (struct copy *c, struct chunk *ch))
{
  uint64_t rs = c->opts->request_size;
  uint64_t n = (total + rs - 1) / rs;
  uint64_t next_submit = 0, next;
  unsigned depth = c->opts->requests;

  for (next = 0; next < n; next++) {
    struct chunk *ch;

    for (; next_submit < n && next_submit < next + depth; next_submit++) {
      ch = &c->chunks[next_submit % depth];
      chunk_setup (c, ch, next_submit, total);
      chunk_submit (c, ch, false);
    }
    ch = &c->chunks[next % depth];
    chunk_wait (c, ch, next * rs);
    consume (c, ch);
    progress_update (&c->progress, next * rs + ch->data_len, false);
  }
}

/* consume of the copy from the target: write the chunk to the file. */
static void
write_to_file (struct copy *c, struct chunk *ch)
{
  record_checksum (c, ch);
  if (write_full (c->fd, ch->buf, ch->data_len) == -1)
    copy_fail (c, TOOL_EXIT_FAILED, "cannot write %s: %s", c->opts->dst,
               strerror (errno));
  c->copied += ch->data_len;
}

/* The last sector of chunk ch is only partly data (the source ended in
 * the middle of a sector): keep the target's bytes after the data, as a
 * file copy would. */
static void
patch_tail (struct copy *c, struct chunk *ch)
{
  uint8_t sector[AOE_SECTOR_SIZE];
  uint64_t at = c->opts->offset + ch->index * c->opts->request_size
    + ch->len - AOE_SECTOR_SIZE;
  size_t keep = ch->len - ch->data_len;

  if (aoe_pread (c->h, sector, AOE_SECTOR_SIZE, at) == -1)
    copy_fail (c, TOOL_EXIT_FAILED, "%s", aoe_get_error ());
  memcpy (ch->buf + ch->data_len, sector + AOE_SECTOR_SIZE - keep, keep);
}

/* Fail if the source has data beyond room bytes (a stream longer than
 * the target). */
static void
check_source_ended (struct copy *c, uint64_t room)
{
  uint8_t byte;
  ssize_t r = read_full (c->fd, &byte, 1);

  if (r == -1)
    copy_fail (c, TOOL_EXIT_FAILED, "cannot read %s: %s", c->opts->src,
               strerror (errno));
  if (r > 0)
    copy_fail (c, TOOL_EXIT_FAILED, "%s is longer than the %" PRIu64
               " bytes of %s from offset %" PRIu64 ": stopped there",
               c->opts->src, room, c->opts->target.name, c->opts->offset);
}

/* Copy the file to the target: read chunks in order, opts->requests writes
 * in flight, up to room bytes (and not beyond unless --length chose to
 * copy only a part). */
static void
write_pass (struct copy *c, uint64_t room)
{
  uint64_t rs = c->opts->request_size;
  unsigned depth = c->opts->requests;
  uint64_t index, pos = 0;
  unsigned i;

  for (index = 0;; index++) {
    struct chunk *ch = &c->chunks[index % depth];
    uint64_t want = room - pos < rs ? room - pos : rs;
    ssize_t got;

    if (ch->busy)
      chunk_wait (c, ch, pos);
    if (want == 0)
      break;
    got = read_full (c->fd, ch->buf, want);
    if (got == -1)
      copy_fail (c, TOOL_EXIT_FAILED, "cannot read %s: %s", c->opts->src,
                 strerror (errno));
    if (got == 0)
      break;
    chunk_setup (c, ch, index, pos + (uint64_t) got);
    if (ch->len != ch->data_len)
      patch_tail (c, ch);
    record_checksum (c, ch);
    chunk_submit (c, ch, true);
    pos += (uint64_t) got;
    progress_update (&c->progress, pos, false);
    if ((uint64_t) got < want)
      break;
  }
  for (i = 0; i < depth; i++)
    if (c->chunks[i].busy)
      chunk_wait (c, &c->chunks[i], pos);
  c->copied = pos;
  /* The target is full: everything that fitted is written; is there
   * more?  (--length asked for the beginning only.) */
  if (pos == room && !c->opts->have_length)
    check_source_ended (c, room);
}

/* consume of the verify pass: compare the target's data with the
 * checksum taken during the copy and, if it can be re-read, the file. */
static void
compare_chunk (struct copy *c, struct chunk *ch)
{
  uint64_t at = c->opts->offset + ch->index * c->opts->request_size;
  const char *file_side = c->opts->to_target ? c->opts->src : c->opts->dst;

  if (checksum (ch->buf, ch->data_len) != c->hashes[ch->index])
    copy_fail (c, TOOL_EXIT_FAILED, "verify failed: the %zu bytes at offset "
               "%" PRIu64 " of %s differ from what was copied",
               ch->data_len, at, c->opts->target.name);
  if (c->file_rereadable) {
    off_t where = c->file_base
      + (off_t) (ch->index * c->opts->request_size);
    ssize_t r = pread (c->fd, c->scratch, ch->data_len, where);

    if (r == -1)
      copy_fail (c, TOOL_EXIT_FAILED, "cannot read %s back: %s", file_side,
                 strerror (errno));
    if ((size_t) r != ch->data_len
        || memcmp (c->scratch, ch->buf, ch->data_len) != 0)
      copy_fail (c, TOOL_EXIT_FAILED, "verify failed: %s differs from %s "
                 "at offset %" PRIu64 " (%zu bytes)", file_side,
                 c->opts->target.name, at, ch->data_len);
  }
}

/* ---- setup and main ---- */

/* Check --offset and --length against the target and return how many
 * bytes to copy at most.  Exits with a usage error if they do not fit. */
static uint64_t
check_range (struct copy *c)
{
  const struct options *opts = c->opts;
  uint64_t room;

  if (opts->offset > c->target_size)
    tool_die (TOOL_EXIT_USAGE, "--offset %" PRIu64 " is past the end of %s "
              "(%" PRIu64 " bytes)", opts->offset, opts->target.name,
              c->target_size);
  room = c->target_size - opts->offset;
  if (!opts->have_length)
    return room;
  if (opts->length > room)
    tool_die (TOOL_EXIT_USAGE, "--offset %" PRIu64 " --length %" PRIu64
              " ends past the end of %s (%" PRIu64 " bytes)", opts->offset,
              opts->length, opts->target.name, c->target_size);
  return opts->length;
}

/* Refuse a source file longer than the room on the target (unless
 * --length chose to copy only its beginning).  Streams are checked as
 * they are copied. */
static void
check_source_fits (struct copy *c, uint64_t room)
{
  const struct options *opts = c->opts;

  if (opts->to_target && !opts->have_length && c->file_size > 0
      && (uint64_t) c->file_size > room)
    tool_die (TOOL_EXIT_USAGE, "%s is %" PRId64 " bytes, longer than the "
              "%" PRIu64 " bytes of %s from offset %" PRIu64, opts->src,
              c->file_size, room, opts->target.name, opts->offset);
}

/* Bytes the copy is expected to move, for the progress bar (0 if
 * unknown: a stream). */
static uint64_t
expected_bytes (const struct copy *c, uint64_t room)
{
  if (!c->opts->to_target || c->opts->have_length)
    return room;
  return c->file_size > 0 ? (uint64_t) c->file_size : 0;
}

/* Allocate the chunks and the lock and condition variable. */
static void
setup_pipeline (struct copy *c)
{
  pthread_condattr_t attr;
  unsigned i;

  c->chunks = calloc (c->opts->requests, sizeof *c->chunks);
  c->scratch = malloc (c->opts->request_size);
  if (c->chunks == NULL || c->scratch == NULL)
    tool_die (TOOL_EXIT_USAGE, "out of memory");
  for (i = 0; i < c->opts->requests; i++) {
    c->chunks[i].copy = c;
    c->chunks[i].buf = malloc (c->opts->request_size);
    if (c->chunks[i].buf == NULL)
      tool_die (TOOL_EXIT_USAGE, "out of memory (--requests %u x "
                "--request-size %zu)", c->opts->requests,
                c->opts->request_size);
  }
  pthread_mutex_init (&c->lock, NULL);
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&c->cond, &attr);
  pthread_condattr_destroy (&attr);
}

/* Free what setup_pipeline allocated (and the checksums). */
static void
teardown_pipeline (struct copy *c)
{
  unsigned i;

  for (i = 0; i < c->opts->requests; i++)
    free (c->chunks[i].buf);
  free (c->chunks);
  free (c->scratch);
  free (c->hashes);
  pthread_cond_destroy (&c->cond);
  pthread_mutex_destroy (&c->lock);
}

/* Print the summary line (unless --quiet): the copy's bytes, time
 * and rate (verify excluded), and the retransmits of the whole run. */
static void
print_summary (struct copy *c, double seconds)
{
  struct aoe_stats st;

  if (c->opts->quiet)
    return;
  if (aoe_get_stats (c->h, &st, sizeof st) == -1)
    memset (&st, 0, sizeof st);
  fprintf (stderr, "%s: copied %" PRIu64 " bytes from %s to %s in %.3f s "
           "(%.2f MB/s), %" PRIu64 " retransmits%s\n", tool_progname,
           c->copied, c->opts->src, c->opts->dst, seconds,
           progress_mb_per_s (c->copied, seconds), st.retransmits,
           c->opts->verify ? ", verified" : "");
}

/* aoectl copy (see aoectl.h): parse, connect, copy in one direction,
 * flush, verify if asked, print the summary. */
int
aoectl_copy_main (int argc, char **argv)
{
  struct options opts;
  struct copy c = { .opts = &opts };
  uint64_t room;
  double start, seconds;
  bool show;

  parse_options (argc, argv, &opts);
  /* A closed pipe is an error to report, not a silent death. */
  signal (SIGPIPE, SIG_IGN);
  c.h = tool_connect (&opts.ifaces, &opts.target);
  c.target_size = (uint64_t) aoe_get_size (c.h);
  room = check_range (&c);
  open_file (&c);
  check_source_fits (&c, room);
  setup_pipeline (&c);
  show = opts.progress || (!opts.quiet && isatty (STDERR_FILENO));

  start = tool_now ();
  progress_start (&c.progress, show, "copy", expected_bytes (&c, room));
  if (opts.to_target) {
    write_pass (&c, room);
    if (aoe_flush (c.h) == -1 && aoe_get_errno () != ENOTSUP)
      copy_fail (&c, TOOL_EXIT_FAILED, "%s", aoe_get_error ());
  }
  else
    read_pass (&c, room, write_to_file);
  seconds = tool_now () - start;
  progress_end (&c.progress, c.copied);

  if (opts.verify) {
    progress_start (&c.progress, show, "verify", c.copied);
    read_pass (&c, c.copied, compare_chunk);
    progress_end (&c.progress, c.copied);
  }
  print_summary (&c, seconds);
  aoe_close (c.h);
  teardown_pipeline (&c);
  if (c.fd > STDERR_FILENO && close (c.fd) == -1) {
    fprintf (stderr, "%s: cannot close %s: %s\n", tool_progname, opts.file,
             strerror (errno));
    return TOOL_EXIT_FAILED;
  }
  return TOOL_EXIT_OK;
}
