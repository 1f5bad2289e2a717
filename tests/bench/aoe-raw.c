/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoe-raw: the throughput and latency ceiling of AoE on one link.
 *
 *   aoe-raw [OPTIONS] IFACE SHELF SLOT
 *
 * A deliberately minimal initiator for the benchmark (scripts/bench): one
 * AF_PACKET socket bound to IFACE, one thread; each wake-up receives every
 * reply waiting (one recvmmsg) and sends the frames that replace them (one
 * sendmmsg).  It asks the target for its buffer count (Query
 * Config) and capacity (IDENTIFY), then keeps a fixed window of READ or
 * WRITE SECTORS (EXT) frames in flight, sequentially over the disk
 * (wrapping at the end), each frame as large as the MTU allows.  Read data
 * is copied once into a per-request buffer, as any initiator must; write
 * data is prepared once.  A frame unanswered after --rto milliseconds is
 * sent again under a new tag.  What libaoe does beyond this (adaptive
 * windows and timeouts, write ordering, multipath, an event loop, threads)
 * is its cost; this program measures the link and the target alone.
 *
 * Prints bytes, seconds, MB/s (10^6 bytes), requests per second, request
 * latency p50/p99, retransmits and the process's CPU seconds (getrusage),
 * as text or one JSON object (--json).  Needs CAP_NET_RAW.  Run it only on
 * an interface of a private test network: it sends frames.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ata.h"
#include "engine.h"
#include "wire.h"
#include "bench-util.h"

/* Limits and defaults of the command line. */
#define MAX_WINDOW 256               /* frames in flight at most */
#define MAX_REQUEST_SIZE (1 << 20)   /* bytes per request at most */
#define DEFAULT_SECONDS 5.0          /* run length without --bytes */
#define DEFAULT_RTO_MS 100           /* retransmit timeout */
#define MAX_SENDS 50                 /* sends of one frame before giving up */
#define CONTROL_TIMEOUT_NS 500000000 /* wait per Query Config / IDENTIFY try */
#define CONTROL_TRIES 6              /* tries of each */
#define RECV_BUFFER_SIZE (16 << 20)  /* socket receive buffer asked for */
#define MAX_FRAME 65536              /* largest frame we receive */

/* The program name used in messages. */
static const char *const progname = "aoe-raw";

/* What the command line asked for. */
struct options {
  const char *iface;        /* interface to use */
  unsigned shelf;           /* target shelf */
  unsigned slot;            /* target slot */
  bool write;               /* --write */
  unsigned queue_depth;     /* --queue-depth (0: fill the window) */
  uint64_t request_size;    /* --request-size (0: one full frame) */
  unsigned window;          /* --window (0: the target's buffer count) */
  unsigned max_sectors;     /* --sectors (0: as many as the MTU allows) */
  double seconds;           /* --time */
  uint64_t bytes;           /* --bytes (0: run for --time) */
  unsigned rto_ms;          /* --rto */
  bool json;                /* --json */
};

/* One frame of a request: its place in the request and its send state. */
struct frame {
  struct request *req;      /* the request it belongs to */
  uint64_t lba;             /* first sector */
  unsigned sectors;         /* sectors it carries */
  size_t data_offset;       /* where its data goes in req->data */
  uint32_t tag;             /* tag of its latest send */
  uint64_t sent_ns;         /* time of its latest send */
  unsigned sends;           /* sends so far (1 + retransmits) */
  bool pending;             /* sent and not answered yet */
  uint8_t *buf;             /* its frame: header, then write data */
};

/* One request: a run of consecutive frames submitted together. */
struct request {
  struct frame *frames;     /* its first frame */
  unsigned nframes;         /* frames it uses */
  unsigned pending;         /* frames not answered yet */
  uint64_t lba;             /* first sector */
  uint64_t start_ns;        /* when it was sent */
  bool active;              /* in flight */
  uint8_t *data;            /* read data lands here */
};

/* The whole run. */
struct raw {
  struct options opt;       /* the command line */
  int fd;                   /* the AF_PACKET socket */
  uint8_t mac[6];           /* our MAC */
  uint8_t target[6];        /* the target's MAC (Query Config reply) */
  unsigned mtu;             /* the interface's MTU */
  unsigned buffer_count;    /* the target's buffer count */
  unsigned sectors_per_frame; /* sectors in a full data frame */
  bool lba48;               /* IDENTIFY: LBA48 commands */
  uint64_t capacity;        /* IDENTIFY: sectors on the disk */
  unsigned window;          /* frames in flight allowed */
  unsigned queue_depth;     /* requests in flight */
  unsigned request_sectors; /* sectors per request */
  unsigned frames_per_request; /* frames per request */
  struct frame *frames;     /* queue_depth * frames_per_request frames */
  struct request *requests; /* queue_depth requests */
  uint32_t next_tag;        /* tag counter (bits 30-16 of every tag) */
  uint64_t next_lba;        /* where the next request starts */
  uint64_t issued_bytes;    /* bytes submitted so far */
  uint64_t deadline_ns;     /* stop submitting after this (time mode) */
  bool stopping;            /* no new requests */
  unsigned active;          /* requests in flight */
  uint64_t done_bytes;      /* bytes completed */
  uint64_t done_requests;   /* requests completed */
  uint64_t last_done_ns;    /* time of the last completion */
  uint64_t retransmits;     /* frames sent again */
  uint64_t last_scan_ns;    /* last retransmit scan */
  struct bench_latencies latencies; /* per-request latency */
  size_t rx_frame_size;     /* bytes of each batch receive buffer */
  uint8_t *rx_batch;        /* window receive buffers of rx_frame_size */
  struct iovec rx_iov[MAX_WINDOW]; /* one per batch receive buffer */
  struct mmsghdr rx_msgs[MAX_WINDOW]; /* recvmmsg's array */
  struct iovec tx_iov[MAX_WINDOW]; /* frames waiting to be sent */
  struct mmsghdr tx_msgs[MAX_WINDOW]; /* sendmmsg's array */
  unsigned tx_count;        /* frames waiting to be sent */
  uint8_t rx[MAX_FRAME];    /* receive buffer of Query Config, IDENTIFY */
};

/* Print the usage text to FP. */
static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: %s [OPTIONS] IFACE SHELF SLOT\n"
           "Measure the AoE ceiling of a link: a minimal raw-socket initiator keeping\n"
           "a fixed window of sequential READ/WRITE SECTORS frames in flight.\n"
           "\n"
           "  -w, --write             write instead of read (overwrites the disk)\n"
           "  -q, --queue-depth N     requests in flight (default: fill the window)\n"
           "  -r, --request-size B    bytes per request, multiple of 512 (default:\n"
           "                          one full frame; K, M suffixes allowed)\n"
           "  -W, --window N          frames in flight (default: the target's buffer\n"
           "                          count; 1-%d)\n"
           "  -s, --sectors N         sectors per frame at most (default: MTU bound)\n"
           "  -t, --time SECONDS      run this long (default %.0f)\n"
           "  -n, --bytes B           instead, stop after B bytes\n"
           "      --rto MS            retransmit timeout (default %d)\n"
           "  -j, --json              print one JSON object\n"
           "  -h, --help              print this help and exit\n"
           "\n"
           "Needs CAP_NET_RAW.  Use only on a private test link: it sends frames.\n",
           progname, MAX_WINDOW, DEFAULT_SECONDS, DEFAULT_RTO_MS);
}

/* Parse the command line into *opt. */
static void
parse_options (int argc, char *argv[], struct options *opt)
{
  enum { OPT_RTO = 256 };
  static const struct option longopts[] = {
    { "write", no_argument, NULL, 'w' },
    { "queue-depth", required_argument, NULL, 'q' },
    { "request-size", required_argument, NULL, 'r' },
    { "window", required_argument, NULL, 'W' },
    { "sectors", required_argument, NULL, 's' },
    { "time", required_argument, NULL, 't' },
    { "bytes", required_argument, NULL, 'n' },
    { "rto", required_argument, NULL, OPT_RTO },
    { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  *opt = (struct options) { .seconds = DEFAULT_SECONDS,
                            .rto_ms = DEFAULT_RTO_MS };
  while ((c = getopt_long (argc, argv, "wq:r:W:s:t:n:jh", longopts,
                           NULL)) != -1) {
    switch (c) {
    case 'w': opt->write = true; break;
    case 'j': opt->json = true; break;
    case 'h': usage (stdout); exit (EXIT_SUCCESS);
    case 'q':
      opt->queue_depth = (unsigned) tool_parse_number ("--queue-depth", optarg,
                                                       1, MAX_WINDOW);
      break;
    case 'r':
      opt->request_size = tool_parse_size ("--request-size", optarg, 512);
      if (opt->request_size == 0 || opt->request_size > MAX_REQUEST_SIZE)
        tool_usage_error ("--request-size must be a multiple of 512 up to "
                          "1M: %s", optarg);
      break;
    case 'W':
      opt->window = (unsigned) tool_parse_number ("--window", optarg, 1,
                                                  MAX_WINDOW);
      break;
    case 's':
      opt->max_sectors = (unsigned) tool_parse_number ("--sectors", optarg,
                                                       1, 255);
      break;
    case 't':
      opt->seconds = tool_parse_seconds ("--time", optarg, 3600);
      break;
    case 'n':
      opt->bytes = tool_parse_size ("--bytes", optarg, 0);
      if (opt->bytes < 512)
        tool_usage_error ("--bytes must be a size of at least 512: %s",
                          optarg);
      break;
    case OPT_RTO:
      opt->rto_ms = (unsigned) tool_parse_number ("--rto", optarg, 1, 60000);
      break;
    default:
      tool_usage_error ("unknown option");
    }
  }
  if (argc - optind != 3)
    tool_usage_error ("expected IFACE SHELF SLOT");
  opt->iface = argv[optind];
  opt->shelf = (unsigned) tool_parse_number ("SHELF", argv[optind + 1], 0,
                                             65534);
  opt->slot = (unsigned) tool_parse_number ("SLOT", argv[optind + 2], 0, 254);
}

/* Open the AF_PACKET socket on the interface, read its MAC and MTU. */
static void
open_socket (struct raw *r)
{
  struct sockaddr_ll sll = { .sll_family = AF_PACKET,
                             .sll_protocol = htons (AOE_ETHERTYPE) };
  struct ifreq ifr = { 0 };
  int size = RECV_BUFFER_SIZE;

  if (strlen (r->opt.iface) >= IFNAMSIZ)
    bench_die ("interface name too long: %s", r->opt.iface);
  sll.sll_ifindex = (int) if_nametoindex (r->opt.iface);
  if (sll.sll_ifindex == 0)
    bench_die ("no interface %s", r->opt.iface);
  r->fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons (AOE_ETHERTYPE));
  if (r->fd == -1)
    bench_die ("cannot open a raw socket: %s (needs CAP_NET_RAW)",
         strerror (errno));
  if (bind (r->fd, (struct sockaddr *) &sll, sizeof sll) == -1)
    bench_die ("cannot bind to %s: %s", r->opt.iface, strerror (errno));
  if (setsockopt (r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) == -1)
    setsockopt (r->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  strcpy (ifr.ifr_name, r->opt.iface);
  if (ioctl (r->fd, SIOCGIFHWADDR, &ifr) == -1)
    bench_die ("cannot read the MAC of %s: %s", r->opt.iface, strerror (errno));
  memcpy (r->mac, ifr.ifr_hwaddr.sa_data, 6);
  if (ioctl (r->fd, SIOCGIFMTU, &ifr) == -1)
    bench_die ("cannot read the MTU of %s: %s", r->opt.iface, strerror (errno));
  r->mtu = (unsigned) ifr.ifr_mtu;
  if (aoe_frame_sectors (r->mtu, 1, 0) == 0)
    bench_die ("the MTU of %s (%u) is too small for one sector", r->opt.iface,
         r->mtu);
}

/* Make the socket's recv() give up after ns nanoseconds. */
static void
set_receive_timeout (struct raw *r, uint64_t ns)
{
  struct timeval tv = { .tv_sec = (time_t) (ns / 1000000000),
                        .tv_usec = (suseconds_t) (ns % 1000000000 / 1000) };

  if (tv.tv_sec == 0 && tv.tv_usec == 0)
    tv.tv_usec = 1;
  if (setsockopt (r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1)
    bench_die ("cannot set a receive timeout: %s", strerror (errno));
}

/* Send one control frame (Query Config, IDENTIFY) of len bytes. */
static void
send_frame (struct raw *r, const uint8_t *frame, size_t len)
{
  while (send (r->fd, frame, len, 0) == -1) {
    if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN)
      bench_die ("send on %s failed: %s", r->opt.iface, strerror (errno));
  }
}

/* Receive one control reply into r->rx.  Its length, or 0 on timeout. */
static size_t
receive_frame (struct raw *r)
{
  ssize_t n;

  for (;;) {
    n = recv (r->fd, r->rx, sizeof r->rx, 0);
    if (n >= 0)
      return (size_t) n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return 0;
    if (errno != EINTR)
      bench_die ("receive on %s failed: %s", r->opt.iface, strerror (errno));
  }
}

/* Fill hdr with the common header of a request to the target (dst NULL:
 * broadcast) carrying command and tag. */
static void
fill_header (const struct raw *r, struct aoe_header *hdr, const uint8_t *dst,
             uint8_t command, uint32_t tag)
{
  *hdr = (struct aoe_header) { .version = AOE_VERSION,
                               .shelf = (uint16_t) r->opt.shelf,
                               .slot = (uint8_t) r->opt.slot,
                               .command = command, .tag = tag };
  if (dst)
    memcpy (hdr->dst, dst, 6);
  else
    memset (hdr->dst, 0xff, 6);
  memcpy (hdr->src, r->mac, 6);
}

/* Decode frame (len bytes) as a response from our target; fill *hdr.
 * False for anything else (requests, other targets, garbage). */
static bool
is_our_response (const struct raw *r, const uint8_t *frame, size_t len,
                 struct aoe_header *hdr)
{
  return aoe_wire_get_header (frame, len, hdr) == 0
    && (hdr->flags & AOE_FLAG_RESPONSE)
    && hdr->shelf == r->opt.shelf && hdr->slot == r->opt.slot;
}

/* Send frame (len bytes, tagged tag) and wait for the response with that
 * tag, trying CONTROL_TRIES times.  Returns the response's length in
 * r->rx; exits with what if nothing answers or the target reports an AoE
 * error. */
static size_t
control_exchange (struct raw *r, const uint8_t *frame, size_t len,
                  uint32_t tag, const char *what)
{
  struct aoe_header hdr;
  unsigned try;

  set_receive_timeout (r, CONTROL_TIMEOUT_NS / 10);
  for (try = 0; try < CONTROL_TRIES; ++try) {
    uint64_t until = bench_now_ns () + CONTROL_TIMEOUT_NS;

    send_frame (r, frame, len);
    while (bench_now_ns () < until) {
      size_t n = receive_frame (r);

      if (n == 0 || !is_our_response (r, r->rx, n, &hdr) || hdr.tag != tag)
        continue;
      if (hdr.flags & AOE_FLAG_ERROR)
        bench_die ("%s: the target answered AoE error %u (%s)", what, hdr.error,
             aoe_error_name (hdr.error));
      return n;
    }
  }
  bench_die ("%s: no answer from e%u.%u on %s", what, r->opt.shelf, r->opt.slot,
       r->opt.iface);
}

/* Query Config (broadcast): learn the target's MAC, buffer count and
 * sectors per frame. */
static void
query_config (struct raw *r)
{
  uint8_t frame[AOE_CFG_HDR_LEN];
  struct aoe_header hdr;
  struct aoe_config_arg cfg = { .ccmd = AOE_CCMD_READ };
  uint32_t tag = 0x7f000001;
  size_t n;

  fill_header (r, &hdr, NULL, AOE_CMD_CONFIG, tag);
  aoe_wire_put_header (frame, &hdr);
  if (aoe_wire_put_config (frame, sizeof frame, &cfg) == 0)
    bench_die ("cannot encode Query Config");
  n = control_exchange (r, frame, sizeof frame, tag, "Query Config");
  if (aoe_wire_get_config (r->rx, n, &cfg) == -1)
    bench_die ("Query Config: malformed reply of %zu bytes", n);
  aoe_wire_get_header (r->rx, n, &hdr);
  memcpy (r->target, hdr.src, 6);
  r->buffer_count = cfg.buffer_count ? cfg.buffer_count : 1;
  /* The rule libaoe follows, so that both fill frames alike. */
  r->sectors_per_frame = aoe_frame_sectors (r->mtu, cfg.sector_count,
                                            r->opt.max_sectors);
}

/* IDENTIFY DEVICE: learn the capacity and whether to use LBA48. */
static void
identify (struct raw *r)
{
  uint8_t frame[AOE_ATA_HDR_LEN];
  struct aoe_header hdr;
  struct aoe_ata_arg ata;
  struct aoe_identity id;
  uint32_t tag = 0x7f000002;
  size_t n;

  fill_header (r, &hdr, r->target, AOE_CMD_ATA, tag);
  aoe_wire_put_header (frame, &hdr);
  aoe_ata_build_identify (&ata);
  aoe_wire_put_ata (frame, &ata);
  n = control_exchange (r, frame, sizeof frame, tag, "IDENTIFY");
  if (aoe_wire_get_ata (r->rx, n, &ata) == -1
      || (ata.command & ATA_STATUS_FAIL_MASK)
      || aoe_ata_parse_identify (r->rx + AOE_ATA_HDR_LEN,
                                 n - AOE_ATA_HDR_LEN, &id) == -1)
    bench_die ("IDENTIFY failed (reply of %zu bytes)", n);
  r->lba48 = id.lba48;
  r->capacity = id.sectors;
}

/* Choose window, queue depth and request size from the options and what
 * the target said, and allocate requests, frames and buffers. */
static void
plan (struct raw *r)
{
  size_t frame_size = AOE_ATA_HDR_LEN + (size_t) r->sectors_per_frame * 512;
  unsigned i, k;

  r->window = r->opt.window ? r->opt.window : r->buffer_count;
  if (r->window > MAX_WINDOW)
    r->window = MAX_WINDOW;
  r->request_sectors = r->opt.request_size
    ? (unsigned) (r->opt.request_size / 512) : r->sectors_per_frame;
  r->frames_per_request = (r->request_sectors + r->sectors_per_frame - 1)
    / r->sectors_per_frame;
  if (r->frames_per_request > r->window)
    bench_die ("a request of %u sectors needs %u frames, more than the window of %u",
         r->request_sectors, r->frames_per_request, r->window);
  r->queue_depth = r->opt.queue_depth
    ? r->opt.queue_depth : r->window / r->frames_per_request;
  if (r->queue_depth * r->frames_per_request > r->window)
    bench_die ("queue depth %u x %u frames per request exceeds the window of %u",
         r->queue_depth, r->frames_per_request, r->window);
  if (r->request_sectors > r->capacity)
    bench_die ("the disk (%llu sectors) is smaller than one request",
         (unsigned long long) r->capacity);

  r->rx_frame_size = AOE_ETH_LEN + r->mtu + 4;
  r->rx_batch = malloc (r->rx_frame_size * r->window);
  if (r->rx_batch == NULL)
    bench_die ("out of memory");
  for (i = 0; i < r->window; ++i) {
    r->rx_iov[i] = (struct iovec) { r->rx_batch + i * r->rx_frame_size,
                                    r->rx_frame_size };
    r->rx_msgs[i].msg_hdr = (struct msghdr) { .msg_iov = &r->rx_iov[i],
                                              .msg_iovlen = 1 };
  }
  r->requests = calloc (r->queue_depth, sizeof *r->requests);
  r->frames = calloc ((size_t) r->queue_depth * r->frames_per_request,
                      sizeof *r->frames);
  if (r->requests == NULL || r->frames == NULL)
    bench_die ("out of memory");
  for (i = 0; i < r->queue_depth; ++i) {
    struct request *req = &r->requests[i];

    req->frames = &r->frames[i * r->frames_per_request];
    req->data = malloc ((size_t) r->request_sectors * 512);
    if (req->data == NULL)
      bench_die ("out of memory");
    memset (req->data, 0, (size_t) r->request_sectors * 512);
    for (k = 0; k < r->frames_per_request; ++k) {
      struct frame *f = &req->frames[k];
      size_t j;

      f->req = req;
      f->data_offset = (size_t) k * r->sectors_per_frame * 512;
      f->buf = malloc (frame_size);
      if (f->buf == NULL)
        bench_die ("out of memory");
      for (j = 0; j < frame_size; ++j)
        f->buf[j] = (uint8_t) (j * 131 + i * 7 + k);
    }
  }
}

/* Send the frames queued by send_data_frame, in one sendmmsg if the
 * socket takes them all. */
static void
flush_sends (struct raw *r)
{
  unsigned i, sent = 0;
  int n;

  for (i = 0; i < r->tx_count; ++i)
    r->tx_msgs[i].msg_hdr = (struct msghdr) { .msg_iov = &r->tx_iov[i],
                                              .msg_iovlen = 1 };
  while (sent < r->tx_count) {
    n = sendmmsg (r->fd, r->tx_msgs + sent, r->tx_count - sent, 0);
    if (n > 0)
      sent += (unsigned) n;
    else if (n == -1 && errno != EINTR && errno != ENOBUFS && errno != EAGAIN)
      bench_die ("send on %s failed: %s", r->opt.iface, strerror (errno));
  }
  r->tx_count = 0;
}

/* Encode frame f under a fresh tag and queue it for flush_sends. */
static void
send_data_frame (struct raw *r, struct frame *f, uint64_t now)
{
  struct aoe_header hdr;
  struct aoe_ata_arg ata;
  size_t index = (size_t) (f - r->frames);
  size_t len = AOE_ATA_HDR_LEN + (r->opt.write ? (size_t) f->sectors * 512 : 0);

  f->tag = ((r->next_tag++ & 0x7fff) << 16) | (uint32_t) index;
  fill_header (r, &hdr, r->target, AOE_CMD_ATA, f->tag);
  aoe_wire_put_header (f->buf, &hdr);
  aoe_ata_build_rw (&ata, r->lba48, r->opt.write, f->lba,
                    (uint8_t) f->sectors);
  aoe_wire_put_ata (f->buf, &ata);
  f->sent_ns = now;
  f->sends++;
  f->pending = true;
  r->tx_iov[r->tx_count++] = (struct iovec) { f->buf, len };
}

/* True once no new request may start (time or byte budget spent). */
static bool
budget_spent (struct raw *r, uint64_t now)
{
  if (r->opt.bytes)
    return r->issued_bytes >= r->opt.bytes;
  return now >= r->deadline_ns;
}

/* Start request req at the next sequential position, if the budget
 * allows. */
static void
start_request (struct raw *r, struct request *req, uint64_t now)
{
  unsigned k, left = r->request_sectors;

  if (r->stopping || budget_spent (r, now)) {
    r->stopping = true;
    return;
  }
  if (r->next_lba + r->request_sectors > r->capacity)
    r->next_lba = 0;
  req->lba = r->next_lba;
  r->next_lba += r->request_sectors;
  r->issued_bytes += (uint64_t) r->request_sectors * 512;
  req->nframes = r->frames_per_request;
  req->pending = req->nframes;
  req->start_ns = now;
  req->active = true;
  r->active++;
  for (k = 0; k < req->nframes; ++k) {
    struct frame *f = &req->frames[k];

    f->lba = req->lba + (uint64_t) k * r->sectors_per_frame;
    f->sectors = left < r->sectors_per_frame ? left : r->sectors_per_frame;
    f->sends = 0;
    left -= f->sectors;
    send_data_frame (r, f, now);
  }
}

/* A frame was answered: account for it, and for its request if it was the
 * last one, then start the next request in its place. */
static void
frame_done (struct raw *r, struct frame *f, const uint8_t *frame,
            uint64_t now)
{
  struct request *req = f->req;

  f->pending = false;
  if (!r->opt.write)
    memcpy (req->data + f->data_offset, frame + AOE_ATA_HDR_LEN,
            (size_t) f->sectors * 512);
  if (--req->pending > 0)
    return;
  req->active = false;
  r->active--;
  r->done_requests++;
  r->done_bytes += (uint64_t) r->request_sectors * 512;
  r->last_done_ns = now;
  bench_latencies_add (&r->latencies, now - req->start_ns);
  start_request (r, req, now);
}

/* Handle one received frame of len bytes. */
static void
handle_frame (struct raw *r, const uint8_t *frame, size_t len, uint64_t now)
{
  struct aoe_header hdr;
  struct aoe_ata_arg ata;
  size_t index, nframes = (size_t) r->queue_depth * r->frames_per_request;
  struct frame *f;

  if (!is_our_response (r, frame, len, &hdr) || hdr.command != AOE_CMD_ATA)
    return;
  index = hdr.tag & 0xffff;
  if (hdr.tag & 0x80000000 || index >= nframes)
    return;
  f = &r->frames[index];
  if (!f->pending || f->tag != hdr.tag)
    return;                     /* stale: answered already or resent */
  if (hdr.flags & AOE_FLAG_ERROR)
    bench_die ("LBA %llu: the target answered AoE error %u (%s)",
         (unsigned long long) f->lba, hdr.error, aoe_error_name (hdr.error));
  if (aoe_wire_get_ata (frame, len, &ata) == -1)
    bench_die ("LBA %llu: malformed reply of %zu bytes",
         (unsigned long long) f->lba, len);
  if (ata.command & ATA_STATUS_FAIL_MASK)
    bench_die ("LBA %llu: ATA status 0x%02x error 0x%02x",
         (unsigned long long) f->lba, ata.command, ata.feature);
  if (!r->opt.write && len < AOE_ATA_HDR_LEN + (size_t) f->sectors * 512)
    bench_die ("LBA %llu: read reply of %zu bytes is short",
         (unsigned long long) f->lba, len);
  frame_done (r, f, frame, now);
}

/* Send again every frame unanswered for longer than the RTO. */
static void
retransmit_expired (struct raw *r, uint64_t now)
{
  uint64_t rto = (uint64_t) r->opt.rto_ms * 1000000;
  size_t i, nframes = (size_t) r->queue_depth * r->frames_per_request;

  r->last_scan_ns = now;
  for (i = 0; i < nframes; ++i) {
    struct frame *f = &r->frames[i];

    if (!f->pending || now - f->sent_ns < rto)
      continue;
    if (f->sends >= MAX_SENDS)
      bench_die ("LBA %llu: no answer after %u sends", (unsigned long long) f->lba,
           f->sends);
    r->retransmits++;
    send_data_frame (r, f, now);
  }
}

/* Receive every frame waiting (at least one, or none after the receive
 * timeout) into the batch buffers.  Returns how many. */
static unsigned
receive_batch (struct raw *r)
{
  int n;

  for (;;) {
    n = recvmmsg (r->fd, r->rx_msgs, r->window, MSG_WAITFORONE, NULL);
    if (n >= 0)
      return (unsigned) n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return 0;
    if (errno != EINTR)
      bench_die ("receive on %s failed: %s", r->opt.iface, strerror (errno));
  }
}

/* The measured phase: fill the queue, then receive and refill until the
 * budget is spent and everything in flight is answered. */
static void
run (struct raw *r, uint64_t start)
{
  uint64_t rto = (uint64_t) r->opt.rto_ms * 1000000;
  unsigned i;

  set_receive_timeout (r, rto / 4);
  r->deadline_ns = start + (uint64_t) (r->opt.seconds * 1e9);
  r->last_scan_ns = start;
  r->last_done_ns = start;
  for (i = 0; i < r->queue_depth; ++i)
    start_request (r, &r->requests[i], start);
  flush_sends (r);
  while (r->active > 0) {
    unsigned j, n = receive_batch (r);
    uint64_t now = bench_now_ns ();

    for (j = 0; j < n; ++j)
      handle_frame (r, r->rx_iov[j].iov_base, r->rx_msgs[j].msg_len, now);
    if (now - r->last_scan_ns >= rto / 4)
      retransmit_expired (r, now);
    flush_sends (r);
  }
}

/* Free the requests, frames and buffers of plan. */
static void
free_plan (struct raw *r)
{
  size_t i, nframes = (size_t) r->queue_depth * r->frames_per_request;

  for (i = 0; i < nframes; ++i)
    free (r->frames[i].buf);
  for (i = 0; i < r->queue_depth; ++i)
    free (r->requests[i].data);
  free (r->frames);
  free (r->requests);
  free (r->rx_batch);
}

int
main (int argc, char *argv[])
{
  static struct raw r;
  struct bench_result result;
  uint64_t start;
  double cpu_start;

  tool_init (progname, NULL);

  parse_options (argc, argv, &r.opt);
  open_socket (&r);
  query_config (&r);
  identify (&r);
  plan (&r);

  cpu_start = bench_cpu_seconds ();
  start = bench_now_ns ();
  run (&r, start);
  if (r.latencies.failed)
    bench_die ("out of memory for latency samples");
  bench_latencies_sort (&r.latencies);

  result = (struct bench_result) {
    .tool = "aoe-raw", .mode = "raw", .pattern = "seq", .write = r.opt.write,
    .mtu = r.mtu, .queue_depth = r.queue_depth,
    .request_size = (uint64_t) r.request_sectors * 512, .window = r.window,
    .sectors_per_frame = r.sectors_per_frame, .bytes = r.done_bytes,
    .requests = r.done_requests,
    .seconds = (double) (r.last_done_ns - start) / 1e9,
    .cpu_seconds = bench_cpu_seconds () - cpu_start,
    .retransmits = r.retransmits, .latencies = &r.latencies,
  };
  bench_print_result (&result, r.opt.json);
  bench_latencies_free (&r.latencies);
  free_plan (&r);
  close (r.fd);
  return EXIT_SUCCESS;
}
