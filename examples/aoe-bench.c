/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-bench: measure libaoe's throughput and latency against an AoE target.
 *
 *   aoe-bench -i IFACE [-i IFACE...] [OPTIONS] eSHELF.SLOT
 *
 * Keeps --requests commands of --request-size bytes in flight,
 * sequentially (wrapping at the end of the disk) or at random aligned
 * offsets, reading or writing, for --time seconds or --bytes bytes.  Three
 * ways to drive libaoe:
 *
 *   aio    (default) aoe_aio_pread/pwrite; each completion callback, on
 *          libaoe's own I/O thread, submits the next command
 *   libev  the same on this program's libev loop (aoe_set_loop): one
 *          thread, no hand-off between threads
 *   sync   --requests threads calling blocking aoe_pread/aoe_pwrite,
 *          the way nbdkit's plugin uses the library
 *
 * Prints MB/s (10^6 bytes), commands per second, command latency p50/p99,
 * retransmits (aoe_get_stats) and CPU seconds of the whole process
 * (getrusage), as text or one JSON object (--json).  Writes overwrite the
 * disk.  The target and the interfaces are given as to aoectl (parsed by
 * tool-common), and no option letter means something else in nbdcopy
 * (-R/--requests and --request-size are nbdcopy's; its -p is --progress,
 * so --pattern has no letter).  Needs CAP_NET_RAW.  Built only on
 * <libaoe.h> (and libev); installed in libexecdir/libaoe, not on PATH.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>
#include <libaoe.h>

#include "bench-util.h"
#include "tool-common.h"

/* Limits and defaults of the command line. */
#define DEFAULT_REQUESTS 4
#define MAX_REQUESTS 1024
#define DEFAULT_REQUEST_SIZE (256 * 1024)
#define MAX_REQUEST_SIZE (32 * 1024 * 1024)
#define DEFAULT_SECONDS 5.0

/* The program name used in messages. */
static const char *const progname = "aoe-bench";

/* How the benchmark drives libaoe (see the top of the file). */
enum drive_mode {
  MODE_AIO,    /* aio, callbacks on libaoe's I/O thread */
  MODE_LIBEV,  /* aio on our own libev loop */
  MODE_SYNC,   /* blocking calls from queue_depth threads */
};

/* Names of the modes, indexed by enum drive_mode. */
static const char *const mode_names[] = { "aio", "libev", "sync" };

/* What the command line asked for. */
struct options {
  struct tool_ifaces ifaces; /* -i interfaces, in order */
  struct tool_target target; /* eSHELF.SLOT */
  bool random;              /* --pattern rand */
  bool write;               /* --write */
  unsigned queue_depth;     /* --requests: commands in flight */
  uint64_t request_size;    /* --request-size */
  double seconds;           /* --time */
  uint64_t bytes;           /* --bytes (0: run for --time) */
  enum drive_mode mode;     /* --mode */
  unsigned max_in_flight;   /* --max-in-flight (0: libaoe's default) */
  uint64_t seed;            /* --seed, for --pattern rand */
  bool json;                /* --json */
};

struct bench;

/* One command slot: a buffer and the command currently using it. */
struct slot {
  struct bench *b;          /* the benchmark it belongs to */
  uint64_t offset;          /* where its command reads or writes */
  uint64_t start_ns;        /* when its command was submitted */
  unsigned char *buf;       /* request_size bytes */
  pthread_t thread;         /* its thread (sync mode) */
};

/* The whole benchmark; the fields below lock are guarded by it. */
struct bench {
  struct options opt;       /* the command line */
  aoe_handle *h;            /* the connection */
  struct ev_loop *loop;     /* our loop (libev mode) */
  uint64_t size;            /* capacity of the target in bytes */
  struct slot *slots;       /* queue_depth slots */
  pthread_mutex_t lock;     /* guards everything below */
  pthread_cond_t idle;      /* signalled when active drops to 0 */
  uint64_t next_offset;     /* sequential position */
  uint64_t rng;             /* random position generator state */
  uint64_t issued_bytes;    /* bytes submitted */
  uint64_t deadline_ns;     /* no new command after this (time mode) */
  bool stopping;            /* no new command */
  unsigned active;          /* commands (or threads) running */
  int err;                  /* first error (errno), 0 if none */
  char message[256];        /* its message */
  uint64_t done_bytes;      /* bytes completed */
  uint64_t done_requests;   /* commands completed */
  uint64_t last_done_ns;    /* time of the last completion */
  struct bench_latencies latencies; /* per-command latency */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s -i IFACE [-i IFACE...] [OPTIONS] eSHELF.SLOT\n"
           "Measure libaoe's throughput and latency against an AoE target (named\n"
           "like the kernel driver names it: e0.1 is shelf 0, slot 1).  Options may\n"
           "come before or after the target.\n"
           "\n"
           "  -i, --interface IFACE    interface to reach the target (repeat for\n"
           "                           several; the MTU reported is the first's)\n"
           "                           -i all: every interface up with Ethernet\n"
           "      --pattern seq|rand   sequential (default) or random offsets\n"
           "  -w, --write              write instead of read (overwrites the disk)\n"
           "  -R, --requests N         commands in flight (default %d, 1-%d)\n"
           "      --request-size B     bytes per command, multiple of 512\n"
           "                           (default 256K, up to 32M; K, M suffixes)\n"
           "  -t, --time SECONDS       run this long (default %.0f)\n"
           "  -n, --bytes B            instead, stop after B bytes\n"
           "  -m, --mode aio|libev|sync  aio callbacks on libaoe's thread (default),\n"
           "                           aio on our own libev loop, or one thread per\n"
           "                           command calling the blocking functions\n"
           "      --max-in-flight N    cap libaoe's window (aoe_set_max_in_flight)\n"
           "      --seed N             seed of the random offsets (default 1)\n"
           "  -j, --json               print one JSON object\n"
           "  -h, --help               print this help and exit\n"
           "  -V, --version            print the version and exit\n"
           "\n"
           "Needs CAP_NET_RAW.  Exit status: 0 success, 1 the run failed (no\n"
           "answer, an I/O error), 2 usage or setup error (bad arguments, unknown\n"
           "interface).\n",
           tool_progname, DEFAULT_REQUESTS, MAX_REQUESTS, DEFAULT_SECONDS);
}

/* Parse the argument of --mode. */
static enum drive_mode
parse_mode (const char *text)
{
  size_t i;

  for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; ++i)
    if (strcmp (text, mode_names[i]) == 0)
      return (enum drive_mode) i;
  tool_usage_error ("--mode must be aio, libev or sync: %s", text);
}

/* Parse the command line into *opt. */
static void
parse_options (int argc, char *argv[], struct options *opt)
{
  enum { OPT_MAX_IN_FLIGHT = 256, OPT_SEED, OPT_PATTERN, OPT_REQUEST_SIZE };
  static const struct option longopts[] = {
    { "pattern", required_argument, NULL, OPT_PATTERN },
    { "write", no_argument, NULL, 'w' },
    { "requests", required_argument, NULL, 'R' },
    { "request-size", required_argument, NULL, OPT_REQUEST_SIZE },
    { "time", required_argument, NULL, 't' },
    { "bytes", required_argument, NULL, 'n' },
    { "mode", required_argument, NULL, 'm' },
    { "max-in-flight", required_argument, NULL, OPT_MAX_IN_FLIGHT },
    { "seed", required_argument, NULL, OPT_SEED },
    { "json", no_argument, NULL, 'j' },
    TOOL_COMMON_LONG_OPTIONS,
  };
  int c;

  *opt = (struct options) { .queue_depth = DEFAULT_REQUESTS,
                            .request_size = DEFAULT_REQUEST_SIZE,
                            .seconds = DEFAULT_SECONDS, .seed = 1 };
  while ((c = tool_next_option (argc, argv, "wR:t:n:m:j", longopts,
                                &opt->ifaces, usage)) != -1) {
    switch (c) {
    case 'w': opt->write = true; break;
    case 'j': opt->json = true; break;
    case 'm': opt->mode = parse_mode (optarg); break;
    case OPT_PATTERN:
      if (strcmp (optarg, "seq") == 0)
        opt->random = false;
      else if (strcmp (optarg, "rand") == 0)
        opt->random = true;
      else
        tool_usage_error ("--pattern must be seq or rand: %s", optarg);
      break;
    case 'R':
      opt->queue_depth = (unsigned) tool_parse_number ("--requests", optarg,
                                                       1, MAX_REQUESTS);
      break;
    case OPT_REQUEST_SIZE:
      opt->request_size = tool_parse_size ("--request-size", optarg,
                                           AOE_SECTOR_SIZE);
      if (opt->request_size == 0 || opt->request_size > MAX_REQUEST_SIZE)
        tool_usage_error ("--request-size must be a multiple of 512 up to "
                          "32M: %s", optarg);
      break;
    case 't':
      opt->seconds = tool_parse_seconds ("--time", optarg, 3600);
      break;
    case 'n':
      opt->bytes = tool_parse_size ("--bytes", optarg, 0);
      if (opt->bytes < AOE_SECTOR_SIZE)
        tool_usage_error ("--bytes must be a size of at least 512: %s",
                          optarg);
      break;
    case OPT_MAX_IN_FLIGHT:
      opt->max_in_flight = (unsigned) tool_parse_number ("--max-in-flight",
                                                         optarg, 1, 256);
      break;
    case OPT_SEED:
      opt->seed = tool_parse_number ("--seed", optarg, 1, UINT32_MAX);
      break;
    }
  }
  tool_parse_only_target (argc, argv, &opt->target);
  tool_need_ifaces (&opt->ifaces);
}

/* The MTU of the interface (from sysfs), or 0 if unknown. */
static unsigned
interface_mtu (const char *iface)
{
  char path[256];
  unsigned mtu = 0;
  FILE *fp;

  snprintf (path, sizeof path, "/sys/class/net/%s/mtu", iface);
  fp = fopen (path, "r");
  if (fp == NULL)
    return 0;
  if (fscanf (fp, "%u", &mtu) != 1)
    mtu = 0;
  fclose (fp);
  return mtu;
}

/* Choose where the next command goes; false once the budget is spent or
 * the run is stopping.  Called with b->lock held. */
static bool
next_offset (struct bench *b, uint64_t now, uint64_t *offset)
{
  uint64_t rs = b->opt.request_size;

  if (!b->stopping
      && (b->opt.bytes ? b->issued_bytes >= b->opt.bytes
                       : now >= b->deadline_ns))
    b->stopping = true;
  if (b->stopping)
    return false;
  if (b->opt.random)
    *offset = bench_random (&b->rng) % (b->size / rs) * rs;
  else {
    if (b->next_offset + rs > b->size)
      b->next_offset = 0;
    *offset = b->next_offset;
    b->next_offset += rs;
  }
  b->issued_bytes += rs;
  return true;
}

/* Record a failure (the first one wins) and stop.  Called with b->lock
 * held. */
static void
record_error (struct bench *b, int err, const char *message)
{
  if (b->err == 0) {
    b->err = err ? err : EIO;
    snprintf (b->message, sizeof b->message, "%s", message);
  }
  b->stopping = true;
}

/* Account for a command of s that finished at now with err.  Called with
 * b->lock held. */
static void
record_completion (struct bench *b, struct slot *s, int err, uint64_t now)
{
  char message[128];

  if (err) {
    snprintf (message, sizeof message, "%s at offset %llu: %s",
              b->opt.write ? "write" : "read",
              (unsigned long long) s->offset, strerror (err));
    record_error (b, err, message);
    return;
  }
  b->done_bytes += b->opt.request_size;
  b->done_requests++;
  b->last_done_ns = now;
  bench_latencies_add (&b->latencies, now - s->start_ns);
}

/* One slot went idle for good.  Called with b->lock held. */
static void
slot_finished (struct bench *b)
{
  if (--b->active > 0)
    return;
  if (b->opt.mode == MODE_LIBEV)
    ev_break (b->loop, EVBREAK_ALL);
  else
    pthread_cond_signal (&b->idle);
}

static void command_done (void *opaque, int err);

/* Submit the aio command of slot s (its offset chosen), lock not held. */
static void
submit (struct slot *s)
{
  struct bench *b = s->b;
  aoe_completion done = { .callback = command_done, .user_data = s };
  int64_t cookie;

  s->start_ns = bench_now_ns ();
  if (b->opt.write)
    cookie = aoe_aio_pwrite (b->h, s->buf, b->opt.request_size, s->offset,
                             done);
  else
    cookie = aoe_aio_pread (b->h, s->buf, b->opt.request_size, s->offset,
                            done);
  if (cookie == -1) {
    pthread_mutex_lock (&b->lock);
    record_error (b, aoe_get_errno (), aoe_get_error ());
    slot_finished (b);
    pthread_mutex_unlock (&b->lock);
  }
}

/* Completion of an aio command (libaoe's thread or our loop): account
 * for it and submit the next one on the same slot. */
static void
command_done (void *opaque, int err)
{
  struct slot *s = opaque;
  struct bench *b = s->b;
  uint64_t now = bench_now_ns ();
  bool more;

  pthread_mutex_lock (&b->lock);
  record_completion (b, s, err, now);
  more = next_offset (b, now, &s->offset);
  if (!more)
    slot_finished (b);
  pthread_mutex_unlock (&b->lock);
  if (more)
    submit (s);
}

/* Body of a sync-mode thread: blocking commands until the budget is
 * spent. */
static void *
sync_worker (void *opaque)
{
  struct slot *s = opaque;
  struct bench *b = s->b;
  uint64_t now = bench_now_ns ();
  int r, err;

  pthread_mutex_lock (&b->lock);
  while (next_offset (b, now, &s->offset)) {
    pthread_mutex_unlock (&b->lock);
    s->start_ns = bench_now_ns ();
    if (b->opt.write)
      r = aoe_pwrite (b->h, s->buf, b->opt.request_size, s->offset);
    else
      r = aoe_pread (b->h, s->buf, b->opt.request_size, s->offset);
    err = r == -1 ? aoe_get_errno () : 0;
    now = bench_now_ns ();
    pthread_mutex_lock (&b->lock);
    if (r == -1)
      record_error (b, err, aoe_get_error ());
    else
      record_completion (b, s, 0, now);
  }
  slot_finished (b);
  pthread_mutex_unlock (&b->lock);
  return NULL;
}

/* Start every slot, wait until all are idle. */
static void
run (struct bench *b, uint64_t start)
{
  unsigned i;
  int err;

  b->deadline_ns = start + (uint64_t) (b->opt.seconds * 1e9);
  b->last_done_ns = start;
  pthread_mutex_lock (&b->lock);
  b->active = b->opt.queue_depth;
  pthread_mutex_unlock (&b->lock);
  for (i = 0; i < b->opt.queue_depth; ++i) {
    struct slot *s = &b->slots[i];

    if (b->opt.mode == MODE_SYNC) {
      err = pthread_create (&s->thread, NULL, sync_worker, s);
      if (err)
        bench_die ("cannot start a thread: %s", strerror (err));
      continue;
    }
    pthread_mutex_lock (&b->lock);
    if (next_offset (b, start, &s->offset)) {
      pthread_mutex_unlock (&b->lock);
      submit (s);
    }
    else {
      slot_finished (b);
      pthread_mutex_unlock (&b->lock);
    }
  }
  if (b->opt.mode == MODE_LIBEV) {
    if (b->active > 0)
      ev_run (b->loop, 0);
    return;
  }
  pthread_mutex_lock (&b->lock);
  while (b->active > 0)
    pthread_cond_wait (&b->idle, &b->lock);
  pthread_mutex_unlock (&b->lock);
  if (b->opt.mode == MODE_SYNC)
    for (i = 0; i < b->opt.queue_depth; ++i)
      pthread_join (b->slots[i].thread, NULL);
}

/* Create the handle and connect it as the options say (an unknown
 * interface is a setup error, exit 2, as in aoectl). */
static void
connect_target (struct bench *b)
{
  b->h = tool_open (&b->opt.ifaces);
  if (aoe_set_target (b->h, b->opt.target.shelf, b->opt.target.slot) == -1
      || (b->opt.max_in_flight
          && aoe_set_max_in_flight (b->h, b->opt.max_in_flight) == -1)
      || (b->opt.mode == MODE_LIBEV && aoe_set_loop (b->h, b->loop) == -1)
      || aoe_connect (b->h) == -1)
    bench_die ("%s", aoe_get_error ());
  b->size = (uint64_t) aoe_get_size (b->h);
  if (b->size < b->opt.request_size)
    bench_die ("the disk (%llu bytes) is smaller than one request (%llu bytes)",
         (unsigned long long) b->size,
         (unsigned long long) b->opt.request_size);
}

/* Allocate the slots and their buffers (write data: a fixed pattern). */
static void
make_slots (struct bench *b)
{
  unsigned i;
  size_t j;

  b->slots = calloc (b->opt.queue_depth, sizeof *b->slots);
  if (b->slots == NULL)
    bench_die ("out of memory");
  for (i = 0; i < b->opt.queue_depth; ++i) {
    b->slots[i].b = b;
    b->slots[i].buf = malloc (b->opt.request_size);
    if (b->slots[i].buf == NULL)
      bench_die ("out of memory");
    for (j = 0; j < b->opt.request_size; ++j)
      b->slots[i].buf[j] = (unsigned char) (j * 131 + i);
  }
}

/* Read one sector, so that the I/O thread and the window are up before
 * the clock starts. */
static void
warm_up (struct bench *b)
{
  if (aoe_pread (b->h, b->slots[0].buf, AOE_SECTOR_SIZE, 0) == -1)
    bench_die ("%s", aoe_get_error ());
}

/* Free the slots and the handle. */
static void
cleanup (struct bench *b)
{
  unsigned i;

  aoe_close (b->h);
  for (i = 0; i < b->opt.queue_depth; ++i)
    free (b->slots[i].buf);
  free (b->slots);
  bench_latencies_free (&b->latencies);
  pthread_mutex_destroy (&b->lock);
  pthread_cond_destroy (&b->idle);
}

/* Parse the command line, connect, warm up, run the benchmark and print
 * what it measured. */
int
main (int argc, char *argv[])
{
  static struct bench b = { .lock = PTHREAD_MUTEX_INITIALIZER,
                            .idle = PTHREAD_COND_INITIALIZER };
  struct aoe_stats before, after;
  struct aoe_info info;
  struct bench_result result;
  uint64_t start;
  double cpu_start;

  tool_init (progname, NULL);

  parse_options (argc, argv, &b.opt);
  b.rng = b.opt.seed;
  if (b.opt.mode == MODE_LIBEV)
    b.loop = EV_DEFAULT;
  connect_target (&b);
  make_slots (&b);
  warm_up (&b);
  if (aoe_get_info (b.h, &info, sizeof info) == -1
      || aoe_get_stats (b.h, &before, sizeof before) == -1)
    bench_die ("%s", aoe_get_error ());

  cpu_start = bench_cpu_seconds ();
  start = bench_now_ns ();
  run (&b, start);
  if (b.err)
    bench_die ("%s", b.message);
  if (b.latencies.failed)
    bench_die ("out of memory for latency samples");
  if (aoe_get_stats (b.h, &after, sizeof after) == -1)
    bench_die ("%s", aoe_get_error ());
  bench_latencies_sort (&b.latencies);

  result = (struct bench_result) {
    .tool = "aoe-bench", .mode = mode_names[b.opt.mode],
    .pattern = b.opt.random ? "rand" : "seq", .write = b.opt.write,
    .mtu = interface_mtu (b.opt.ifaces.names[0]), .queue_depth = b.opt.queue_depth,
    .request_size = b.opt.request_size, .window = after.window_max,
    .sectors_per_frame = info.sectors_per_frame, .bytes = b.done_bytes,
    .requests = b.done_requests,
    .seconds = (double) (b.last_done_ns - start) / 1e9,
    .cpu_seconds = bench_cpu_seconds () - cpu_start,
    .retransmits = after.retransmits - before.retransmits,
    .latencies = &b.latencies,
  };
  bench_print_result (&result, b.opt.json);
  if (after.timeouts > before.timeouts
      || after.capture_drops > before.capture_drops)
    fprintf (stderr, "%s: warning: %llu timeouts, %llu frames dropped by "
             "the capture buffer\n", progname,
             (unsigned long long) (after.timeouts - before.timeouts),
             (unsigned long long) (after.capture_drops - before.capture_drops));
  cleanup (&b);
  return EXIT_SUCCESS;
}
