/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * libaoe: a userspace ATA-over-Ethernet (AoE) initiator library.
 *
 * libaoe speaks AoE (ATA commands in raw Ethernet frames, EtherType
 * 0x88A2) through a raw AF_PACKET socket on each interface (the default)
 * or through libpcap (aoe_set_transport).  One handle talks to one target
 * (shelf.slot), possibly over several local interfaces and several target
 * MACs.
 *
 * Lifecycle (modelled on libpcap's create -> set -> activate):
 *
 *   aoe_handle *h = aoe_create ();
 *   aoe_add_interface (h, "eth0");
 *   aoe_set_target (h, 0, 1);
 *   if (aoe_connect (h) == -1) { fprintf (stderr, "%s\n", aoe_get_error ()); ... }
 *   aoe_pread (h, buf, 4096, 0);
 *   aoe_close (h);
 *
 * Threads: by default the first I/O call starts one private I/O thread that
 * owns the protocol engine; every other call is safe from any number of threads
 * at once.  With aoe_set_loop the handle instead runs on the caller's libev
 * loop, starts no thread, and completion callbacks run from that loop.
 *
 * Errors: every call that can fail returns -1 (or NULL) and sets a
 * thread-local message and errno, read with aoe_get_error and
 * aoe_get_errno (like libnbd's nbd_get_error / nbd_get_errno).
 *
 * Errno values reported for I/O (completion callbacks and blocking calls):
 *   EINVAL     bad argument: offset or length not a multiple of 512, a
 *              length of 0 or above 32 MiB, NULL buffer, wrong handle
 *              state (not connected, already connected); also AoE error 2
 *              (bad argument) from the target
 *   ENOSPC     the range ends past the target's capacity (checked before
 *              anything is sent), or the target answered ATA IDNF
 *   EPERM      the target refused a write with ATA ABRT (vblade -r: a
 *              read-only export)
 *   EACCES     the target is reserved by another initiator (AoE error 6)
 *   EIO        no answer within the command timeout; ATA error status
 *              (status & 0xA9) other than the cases above; AoE errors 1,
 *              3 and 5
 *   EEXIST     AoE error 4: a config string is already set (admin calls)
 *   ETIMEDOUT  connect or discovery found no target within its time limit
 *   ENOTUNIQ   connect: two different disks answer for the shelf.slot
 *              (pin the one meant with aoe_set_target_mac)
 *   ENOTSUP    flush on a target whose IDENTIFY offers no FLUSH CACHE
 *   ESHUTDOWN  the handle was closed while the command was queued
 *   ENOMEM     out of memory
 * nbdkit turns unknown errnos into EINVAL, so its plugin maps these further
 * to EIO, ENOSPC, EPERM and ESHUTDOWN.
 */
#ifndef LIBAOE_H
#define LIBAOE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this header; aoe_get_version returns the library's. */
#define LIBAOE_VERSION_MAJOR 0
#define LIBAOE_VERSION_MINOR 1
#define LIBAOE_VERSION_MICRO 0
#define LIBAOE_VERSION_STRING "0.1.0"

/* Function attributes, written after a declaration as libnbd and libpcap
 * write theirs; each compiles away on a compiler without the attribute.
 *   LIBAOE_ATTRIBUTE_NONNULL (n, ...)  pointer parameters n, ... (counted
 *       from 1) must not be NULL: the compiler warns about a NULL it can
 *       see.  The library still checks them (EFAULT): it is built with
 *       this macro defined empty, so that the compiler cannot drop those
 *       checks as dead code.  A program may define it empty before
 *       including this header too (tests that pass NULL on purpose do).
 *   LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT  ignoring the result is a bug:
 *       it is the data asked for (aoe_get_*, the reads, the config tests,
 *       aoe_discover, aoe_create's handle), the call everything else
 *       depends on (aoe_connect), or the only report that data did not
 *       reach the disk or that a completion will never run (aoe_pwrite,
 *       aoe_flush, the aio calls).  The settings and the administration
 *       calls that change the target are not marked: their failures are
 *       reported just the same, but a best-effort call (a release on
 *       exit) is legitimate, and gcc offers no cast to silence the
 *       warning. */
#ifdef __has_attribute
#define LIBAOE_HAS_ATTRIBUTE(name) __has_attribute (name)
#elif defined (__GNUC__)
#define LIBAOE_HAS_ATTRIBUTE(name) (__GNUC__ >= 4) /* both: gcc >= 3.4 */
#else
#define LIBAOE_HAS_ATTRIBUTE(name) 0
#endif

#ifndef LIBAOE_ATTRIBUTE_NONNULL
#if LIBAOE_HAS_ATTRIBUTE (__nonnull__)
#define LIBAOE_ATTRIBUTE_NONNULL(...) \
  __attribute__ ((__nonnull__ (__VA_ARGS__)))
#else
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#endif
#endif

#ifndef LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT
#if LIBAOE_HAS_ATTRIBUTE (__warn_unused_result__)
#define LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT \
  __attribute__ ((__warn_unused_result__))
#else
#define LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT
#endif
#endif

/* Feature macros for programs that must build against several versions. */
#define AOE_HAVE_AIO 1
#define AOE_HAVE_DISCOVER 1
#define AOE_HAVE_STATS 1
#define AOE_HAVE_SET_LOOP 1

/* Size in bytes of one ATA sector; every offset and length is a multiple. */
#define AOE_SECTOR_SIZE 512

/* Default command timeout (milliseconds) before an unanswered command fails
 * with EIO.  The kernel driver's aoe_deadsecs is 180 s; 60 s is long
 * enough to ride out a target restart and short enough to surface a dead
 * link.  0 means retry forever. */
#define AOE_DEFAULT_TIMEOUT_MS 60000

/* Default time aoe_connect waits for the target to answer discovery. */
#define AOE_DEFAULT_DISCOVER_TIMEOUT_MS 5000

/* The opaque handle: one target, its interfaces, its I/O engine. */
typedef struct aoe_handle aoe_handle;

/* libev's loop type, so this header does not require <ev.h>. */
struct ev_loop;

/* Completion of an asynchronous command.  callback runs exactly once, on
 * the handle's I/O thread (or from the caller's libev loop), with err = 0
 * on success or an errno from the list above.  It must not call blocking
 * functions on the same handle; submitting new aio commands is allowed. */
typedef struct {
  void (*callback) (void *user_data, int err); /* NULL: fire and forget */
  void *user_data;                             /* passed back verbatim */
} aoe_completion;

/* Extensible structs.  struct aoe_info, struct aoe_stats and struct
 * aoe_target_info cross the API together with their size: the caller
 * passes sizeof the struct as its libaoe.h declares it (aoe_discover:
 * the size of one element of its array).  The library fills the first
 * size bytes and never writes past them; if the caller's struct is
 * larger than the library's (a program built against a newer libaoe.h),
 * the bytes the library has no field for are set to 0.  New fields are
 * only ever appended, never inserted, and no field is ever removed,
 * reordered or resized, so a program built against an older libaoe.h
 * keeps working with a newer library (it sees the fields it knows), and
 * one built against a newer libaoe.h reads 0 in a field the library does
 * not know yet (new fields are defined so that 0 means "not known").  A
 * size smaller than the struct's first field (0, say) fails with EINVAL.
 * Hence no array in these structs is sized by a limit of libaoe's that
 * may grow: the target's ports (8 at most today) are counted in
 * aoe_info.nmacs and listed by aoe_get_target_macs, so raising the port
 * limit changes no layout (a larger fixed array would only freeze a
 * larger limit).  The arrays left hold strings bounded by the protocols
 * (ATA's IDENTIFY strings, AoE's config string of AOE_CONFIG_MAX bytes)
 * or by the system (an interface name is shorter than 64 bytes). */

/* What IDENTIFY and Query Config told us about a connected target. */
struct aoe_info {
  uint16_t shelf;            /* AoE major address */
  uint8_t slot;              /* AoE minor address */
  uint64_t size;             /* capacity in bytes */
  int lba48;                 /* 1 if the target uses 48-bit LBA commands */
  int can_flush;             /* 1 if IDENTIFY offers FLUSH CACHE (EXT) */
  char model[41];            /* IDENTIFY model, trimmed */
  char serial[21];           /* IDENTIFY serial number, trimmed */
  char firmware[9];          /* IDENTIFY firmware revision, trimmed */
  unsigned buffer_count;     /* Query Config buffer count (the port IDENTIFY came from) */
  unsigned firmware_version; /* Query Config firmware version (vblade 25: 0x4019) */
  unsigned sectors_per_frame; /* sectors carried by one data frame */
  unsigned nmacs;            /* target MACs (ports) carrying data: verified
                                to serve the same disk (aoe_get_target_macs
                                lists them) */
  char config[1025];         /* the config string, NUL-terminated */
  unsigned ninterfaces;      /* local interfaces the handle uses (with
                                "all": those it found); the indexes of
                                aoe_get_interface_mac are below it */
};

/* Counters and live protocol state; see aoe_get_stats. */
struct aoe_stats {
  uint64_t frames_sent;       /* every frame handed to the network */
  uint64_t frames_received;   /* every AoE response frame that reached the engine */
  uint64_t retransmits;       /* frames sent again after their timeout */
  uint64_t timeouts;          /* commands failed because no answer came in time */
  uint64_t dropped_foreign;   /* replies from unknown or unverified MACs, the wrong port,
                                 wrong shelf.slot, stale tags or other initiators' tags */
  uint64_t dropped_malformed; /* replies too short or otherwise undecodable */
  uint64_t late_replies;      /* replies to a superseded tag that completed a frame */
  uint64_t duplicates;        /* replies for frames already completed */
  uint64_t aoe_errors;        /* replies with the AoE error flag */
  uint64_t ata_errors;        /* replies with ATA error status */
  uint64_t bytes_read;        /* payload bytes read from the target */
  uint64_t bytes_written;     /* payload bytes written to the target */
  uint64_t commands_completed; /* aio commands retired, success or not */
  unsigned window;            /* current window (frames in flight allowed), all ports */
  unsigned window_max;        /* window ceiling: min(buffer count, cap), all ports */
  unsigned in_flight;         /* frames in flight now */
  uint64_t srtt_us;           /* smoothed round-trip time, first port (the
                                 first of aoe_get_target_macs) */
  uint64_t rttvar_us;         /* round-trip time variation, first port */
  uint64_t rto_us;            /* current retransmit timeout, first port */
  uint64_t capture_drops;     /* frames our capture buffers dropped (ps_drop) */
  uint64_t jumbo_fallbacks;   /* ports switched to 2-sector frames (large frames vanished) */
  uint64_t ports_rejected;    /* MACs that claimed the target but proved another disk */
  uint64_t dropped_misaddressed; /* replies addressed to another MAC (flooded to us) */
};

/* One target found by aoe_discover. */
struct aoe_target_info {
  uint16_t shelf;             /* AoE major address */
  uint8_t slot;               /* AoE minor address */
  uint8_t mac[6];             /* the MAC that answered */
  char iface[64];             /* local interface it answered on */
  unsigned buffer_count;      /* Query Config buffer count */
  unsigned firmware_version;  /* Query Config firmware version */
  unsigned sectors_per_frame; /* min(advertised sector count (0 means 2), MTU bound) */
  char config[1025];          /* config string, NUL-terminated */
  int identified;             /* 1 if IDENTIFY answered and the fields below are set */
  uint64_t size;              /* capacity in bytes */
  int lba48;                  /* 1 if LBA48 */
  char model[41];             /* IDENTIFY model, trimmed */
  char serial[21];            /* IDENTIFY serial, trimmed */
  char firmware[9];           /* IDENTIFY firmware revision, trimmed */
  int conflict;               /* 1 if another MAC answers for this shelf.slot
                                 with another disk: its Query Config, IDENTIFY
                                 or first sector differs (a disk being written
                                 while discovery reads may show as one too) */
};

/* ---- errors ---- */

/* The message of the last failed call in this thread, or NULL if none. */
const char *aoe_get_error (void);

/* The errno of the last failed call in this thread (0 if unknown). */
int aoe_get_errno (void);

/* The library version as "MAJOR.MINOR.MICRO". */
const char *aoe_get_version (void);

/* ---- lifecycle ---- */

/* Create an unconnected handle.  NULL (with the error set) on ENOMEM. */
aoe_handle *aoe_create (void)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Fail every queued command with ESHUTDOWN, stop the I/O thread, release
 * the interfaces and free the handle.  NULL is a no-op. */
void aoe_close (aoe_handle *h);

/* Add a local interface to send and receive on (may be called several
 * times: multipath).  Fails with ENODEV if it does not exist.  The name
 * AOE_ALL_INTERFACES ("all", which the kernel refuses as an interface's
 * name) adds every interface that is up, has an Ethernet link layer
 * (ARPHRD_ETHER), is not the loopback and has a MAC, as read at this
 * call; ENODEV if none does, EINVAL if more than 8 do or if "all" is
 * combined with other interfaces on the same handle.  Before connect
 * only. */
#define AOE_ALL_INTERFACES "all"
#define AOE_HAVE_ALL_INTERFACES 1
int aoe_add_interface (aoe_handle *h, const char *ifname)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2);

/* Choose the target: shelf 0-65534, slot 0-254 (the broadcast addresses
 * 65535 and 255 are refused with EINVAL).  Before connect only. */
int aoe_set_target (aoe_handle *h, unsigned shelf, unsigned slot)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Accept only this target MAC (6 bytes) as a port of the target; NULL
 * removes every pin.  Before connect only. */
int aoe_set_target_mac (aoe_handle *h, const uint8_t *mac)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Accept this target MAC too (up to 8 pins: multipath through chosen
 * ports).  EINVAL if not a unicast address, ENOSPC beyond 8.  Before
 * connect only. */
#define AOE_HAVE_ADD_TARGET_MAC 1
int aoe_add_target_mac (aoe_handle *h, const uint8_t *mac)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2);

/* Milliseconds an I/O command may stay unanswered before it fails with EIO
 * (default AOE_DEFAULT_TIMEOUT_MS; 0 = retry forever).  Any time. */
int aoe_set_timeout (aoe_handle *h, unsigned ms)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Milliseconds aoe_connect waits for discovery and IDENTIFY (default
 * AOE_DEFAULT_DISCOVER_TIMEOUT_MS, must be > 0).  Before connect only. */
int aoe_set_discover_timeout (aoe_handle *h, unsigned ms)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Cap the frames in flight per target MAC below the target's advertised
 * buffer count (1-256; 0 = no cap beyond the buffer count).  Before
 * connect only. */
int aoe_set_max_in_flight (aoe_handle *h, unsigned frames)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Cap the sectors per data frame (1-255; 0 = no cap beyond MTU and the
 * target's limit).  Before connect only. */
int aoe_set_max_sectors_per_frame (aoe_handle *h, unsigned sectors)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* How frames reach the interfaces: "packet" (the default: a raw Linux
 * AF_PACKET socket bound to the AoE EtherType, receiving with recvmmsg and
 * sending through a transmit ring, or with sendmmsg: see LIBAOE_TX_RING)
 * or "pcap" (libpcap's memory-mapped receive ring).  Where the target
 * shares the machine (veth), the copy of each reply into libpcap's ring
 * runs on the target's CPU, which packet spares it (the figures are in
 * README's Performance section).  EINVAL for any other name.  The environment
 * variable LIBAOE_TRANSPORT sets the default of new handles.  Before
 * connect only. */
int aoe_set_transport (aoe_handle *h, const char *name)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2);

/* Run on the caller's libev loop instead of a private I/O thread.  Blocking
 * calls then drive that loop themselves and must be called from the loop's
 * thread, outside callbacks.  Before connect only.  For throughput prefer a
 * loop on libev's poll backend (ev_loop_new (EVBACKEND_POLL)), as libaoe's
 * own thread uses: on epoll every reply frame costs the sender an epoll
 * wake-up callback, even while the loop is busy (on a veth pair the target
 * pays it; the figures are in README's Performance section). */
int aoe_set_loop (aoe_handle *h, struct ev_loop *loop)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Debug output: a function receiving one line at a time (no newline), and
 * a mask of what to log (AOE_DEBUG_*).  fn NULL logs to stderr.  fn may
 * run on the I/O thread or inside any thread's I/O call (which may send
 * frames itself), and must not call libaoe.  The environment
 * variable LIBAOE_DEBUG=1 turns on AOE_DEBUG_EVENTS.  New handles log
 * AOE_DEBUG_WARNINGS (to stderr) until this is called. */
#define AOE_DEBUG_EVENTS 1 /* connect, discovery, timeouts, window changes */
#define AOE_DEBUG_FRAMES 2 /* one line per frame sent and received */
#define AOE_DEBUG_WARNINGS 4 /* lines starting "warning: ": a host claimed
                                the target's address with another disk */
int aoe_set_debug (aoe_handle *h, unsigned mask,
                   void (*fn) (void *opaque, const char *line), void *opaque)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Open the interfaces, find the target (broadcast Query Config), read its
 * IDENTIFY through the first port that answers, and check that every
 * other port found serves the same disk (Query Config, IDENTIFY and three
 * sectors compared); a port found later is checked the same way before it
 * carries data.  Blocks up to the discover timeout (plus about a second
 * per port that does not answer the check).  ETIMEDOUT if no target
 * answers; ENOTUNIQ if two different disks answer for the shelf.slot;
 * EPERM without CAP_NET_RAW; ENODEV if an interface vanished.
 * Connect itself starts no thread: without aoe_set_loop, the private I/O
 * thread starts with the first I/O call, so a program may fork between
 * aoe_connect and its first I/O (nbdkit does: get_ready, then fork).
 * After a fork only one of the processes may do I/O on the handle: they
 * share its sockets. */
int aoe_connect (aoe_handle *h)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* ---- information ---- */

/* Capacity of the connected target in bytes, or -1. */
int64_t aoe_get_size (aoe_handle *h)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Fill *info about the connected target; size is sizeof (struct
 * aoe_info) as the caller knows it (see "Extensible structs").  0, or -1
 * (EINVAL: size smaller than the first field). */
int aoe_get_info (aoe_handle *h, struct aoe_info *info, size_t size)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* The target MACs (ports) carrying data, the port IDENTIFY came from
 * first (the administration calls send to it).  Copies up to max of them
 * into macs (NULL if max is 0) and returns how many there are (possibly
 * more than max), or -1.  The list may grow while connected (a port
 * found later, once verified), so it may hold more than aoe_info.nmacs
 * said. */
int aoe_get_target_macs (aoe_handle *h, uint8_t (*macs)[6], size_t max)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Copy the counters into *stats; size is sizeof (struct aoe_stats) as the
 * caller knows it (see "Extensible structs").  0, or -1 (EINVAL: size
 * smaller than the first field). */
int aoe_get_stats (aoe_handle *h, struct aoe_stats *stats, size_t size)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* ---- asynchronous I/O ----
 * Each returns a cookie >= 1 identifying the command, or -1 if it could not
 * be queued (then the callback is not called).  buf must stay valid until
 * the callback runs.  offset and count must be multiples of 512; count may
 * be anything from 512 up to 32 MiB and is split into frames internally.
 * A count of 0 is EINVAL (nothing is queued), as in the blocking calls. */

/* Read count bytes at offset into buf. */
int64_t aoe_aio_pread (aoe_handle *h, void *buf, size_t count,
                       uint64_t offset, aoe_completion cb)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Write count bytes from buf at offset.  Overlapping writes land in the
 * order they were submitted. */
int64_t aoe_aio_pwrite (aoe_handle *h, const void *buf, size_t count,
                        uint64_t offset, aoe_completion cb)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Flush the target's write cache.  Completes only after every write
 * submitted before it has completed. */
int64_t aoe_aio_flush (aoe_handle *h, aoe_completion cb)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Number of commands queued or in flight. */
unsigned aoe_aio_in_flight (aoe_handle *h)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* ---- blocking I/O (safe from many threads at once) ----
 * offset and count as for the aio calls above (a count of 0 is EINVAL in
 * both). */

/* Read count bytes at offset into buf.  0 or -1. */
int aoe_pread (aoe_handle *h, void *buf, size_t count, uint64_t offset)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Write count bytes from buf at offset.  0 or -1. */
int aoe_pwrite (aoe_handle *h, const void *buf, size_t count, uint64_t offset)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Flush the target's write cache.  0 or -1. */
int aoe_flush (aoe_handle *h)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* ---- discovery ----
 * Broadcast Query Config on every interface added to h (the handle need
 * not be connected and its target is ignored), collect answers for
 * timeout_ms, IDENTIFY each target found, read the first sector of each
 * shelf.slot that several MACs claim (to tell multipath from a conflict),
 * and return them sorted by shelf, slot, MAC, in an array *targets that
 * aoe_free_targets frees (NULL if none answered).  size is sizeof
 * (struct aoe_target_info) as the caller knows it (see "Extensible
 * structs"): element i starts i * size bytes into the array, so a caller
 * indexes it as its own struct's array.  Returns the number of targets
 * (0 if none answered) or -1 (EINVAL: size smaller than the first
 * field). */
int aoe_discover (aoe_handle *h, unsigned timeout_ms,
                  struct aoe_target_info **targets, size_t size)
  LIBAOE_ATTRIBUTE_NONNULL (1, 3)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Free a list returned by aoe_discover. */
void aoe_free_targets (struct aoe_target_info *targets);

/* ---- administration ----
 * Synchronous calls on a connected handle that read and change the
 * target's config string, MAC mask list and reservation.  Each sends one
 * AoE request (retransmitted with fresh tags while unanswered) to the
 * port IDENTIFY came from (the first MAC of aoe_get_target_macs) through
 * the interface it answered on, and waits up to AOE_ADMIN_TIMEOUT_MS for
 * the answer.  They are safe from any thread, alongside I/O.  Before the
 * first I/O call they start no thread (a program may still fork
 * afterwards).  With aoe_set_loop they drive the caller's loop, like the
 * blocking I/O calls.
 *
 * The target keeps these settings per port and in memory only (vblade
 * forgets them when restarted).  aoe_get_info keeps reporting the config
 * string seen at connect.
 *
 * Errno values, besides the state errors of every call (EFAULT NULL
 * handle, EINVAL not connected, ESHUTDOWN closing):
 *   EFAULT     a NULL string or MAC array with a non-zero count
 *   EINVAL     bad argument (string longer than AOE_CONFIG_MAX, no MACs
 *              to add or delete, more than fit in one frame, a blocking
 *              call from inside the handle's libev loop); AoE error 2 or
 *              mask MError 2 (bad directive) from the target
 *   ETIMEDOUT  the target did not answer within AOE_ADMIN_TIMEOUT_MS
 *   EEXIST     config set: the target's string is already set to another
 *              value (AoE error 4); the message quotes it
 *   EACCES     reserve set: another initiator holds the reservation
 *              (AoE error 6); the message lists its MACs
 *   ENOSPC     mask add: the target's mask list is full (MError 3)
 *   ERANGE     config read: the buffer cannot hold the string
 *   EIO        any other AoE error or MError
 *   ENOMEM     out of memory
 */
#define AOE_HAVE_ADMIN 1

/* Longest config string (AoE limit). */
#define AOE_CONFIG_MAX 1024

/* Most MACs in a mask or reserve list (the wire count is one byte). */
#define AOE_MAX_LIST_MACS 255

/* Time an administration request waits for the target's answer. */
#define AOE_ADMIN_TIMEOUT_MS 3000

/* Time a config test waits before concluding "does not match": the
 * target answers a test only on a match and stays silent otherwise. */
#define AOE_CONFIG_TEST_TIMEOUT_MS 1000

/* This initiator's MAC address on the index-th interface given to
 * aoe_add_interface (0 = the first; "all" counts as the interfaces it
 * found, aoe_info.ninterfaces in all), the source of every frame sent
 * there: what a target's reserve and mask lists must name.  Connected
 * handles only.  0, or -1 (EINVAL: index out of range). */
int aoe_get_interface_mac (aoe_handle *h, unsigned index, uint8_t mac[6])
  LIBAOE_ATTRIBUTE_NONNULL (1, 3)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Read the target's config string into buf (size bytes, at most
 * AOE_CONFIG_MAX + 1 needed), NUL-terminated (a string holding NUL bytes
 * reads as cut at the first).  Returns its length, or -1 (ERANGE if it
 * does not fit in size bytes with its NUL). */
int aoe_config_read (aoe_handle *h, char *buf, size_t size)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Test whether the target's config string equals s exactly (Query
 * Config "test") or starts with prefix ("test prefix").  The target
 * answers only on a match, so a mismatch is silence: after
 * AOE_CONFIG_TEST_TIMEOUT_MS the call checks with a config read that the
 * target still answers.  Returns 1 if it matches, 0 if it does not
 * (the target answered the read but not the test), -1 on error
 * (ETIMEDOUT if the target answers nothing at all). */
int aoe_config_test (aoe_handle *h, const char *s)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;
int aoe_config_test_prefix (aoe_handle *h, const char *prefix)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Set the target's config string to s (at most AOE_CONFIG_MAX bytes) if
 * it is empty or already s.  0, or -1 (EEXIST: set to something else). */
int aoe_config_set (aoe_handle *h, const char *s)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2);

/* Set the target's config string to s whatever it was.  0 or -1. */
int aoe_config_force_set (aoe_handle *h, const char *s)
  LIBAOE_ATTRIBUTE_NONNULL (1, 2);

/* Read the target's MAC mask list (an empty list lets every initiator
 * in; a non-empty one only those listed).  Copies up to max MACs into
 * macs (NULL if max is 0) and returns how many the list holds (possibly
 * more than max), or -1. */
int aoe_mask_read (aoe_handle *h, uint8_t (*macs)[6], size_t max)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Add (or delete) the n MACs macs[0..n-1] to (from) the mask list, in
 * order (n from 1 to AOE_MAX_LIST_MACS: n = 0 is EINVAL, nothing is
 * sent); adding a MAC already there or deleting one that is not changes
 * nothing.  Beware: a non-empty list without this initiator's MAC makes
 * the target ignore this initiator from then on.  0, or -1: ENOSPC list
 * full, EINVAL bad directive; the message names the failing MAC, and the
 * MACs before it were applied. */
int aoe_mask_add (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
  LIBAOE_ATTRIBUTE_NONNULL (1);
int aoe_mask_delete (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Read the target's reserve list (empty: not reserved; else only the
 * MACs listed may issue ATA commands other than IDENTIFY).  Copies up to
 * max MACs into macs (NULL if max is 0) and returns how many the list
 * holds, or -1. */
int aoe_reserve_read (aoe_handle *h, uint8_t (*macs)[6], size_t max)
  LIBAOE_ATTRIBUTE_NONNULL (1)
  LIBAOE_ATTRIBUTE_WARN_UNUSED_RESULT;

/* Reserve the target for the n MACs macs[0..n-1] (n = 0 releases it).
 * The target accepts only if it is not reserved or the sender (this
 * initiator's interface toward the first MAC of aoe_get_target_macs) is
 * on the current list.
 * 0, or -1 (EACCES: another initiator holds it). */
int aoe_reserve_set (aoe_handle *h, const uint8_t (*macs)[6], size_t n)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Replace the reserve list whoever holds it (n = 0 releases it by
 * force).  0 or -1. */
int aoe_reserve_force_set (aoe_handle *h, const uint8_t (*macs)[6],
                           size_t n)
  LIBAOE_ATTRIBUTE_NONNULL (1);

/* Release the reservation (aoe_reserve_set with no MACs).  0, or -1
 * (EACCES: another initiator holds it). */
int aoe_reserve_release (aoe_handle *h)
  LIBAOE_ATTRIBUTE_NONNULL (1);

#ifdef __cplusplus
}
#endif

#endif /* LIBAOE_H */
