/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * libaoe private declarations shared by the shell files (handle, errors,
 * loop, thread, aio, sync, wait, connect, discover).  Not installed.
 *
 * Two error conventions meet here.  Code that runs inside a public call,
 * on the caller's thread, returns -1 (or NULL) with the error set: a
 * message and errno recorded for this thread by aoe_internal_set_error
 * (aoe_get_error, aoe_get_errno), errno equal to it on return; the
 * handle, aio, sync, admin, connect and discover files, the thread and
 * the temporary loop (aoe_internal_thread_ensure,
 * aoe_internal_wait_on_handle, aoe_internal_on_temporary_loop), opening
 * a session or a transport, claiming an initiator id.  The outcome of a
 * command is a plain errno instead (0 or a positive value, no message),
 * because it is decided where no message could reach the caller: inside
 * the engine (aoe_engine_submit's refusal, complete (cmd, err), a reply
 * handler's result), on the loop's thread (aio callbacks, struct
 * aoe_waiter's err), or by the session's queue (aoe_io_submit,
 * aoe_internal_waiter_submit, aoe_internal_wait_on_loop return it); the
 * caller that waited turns it into a message on its own thread (sync.c,
 * admin.c's exchange, connect's and discovery's queries).  Below both,
 * the transports' per-frame operations and a few engine calls
 * (aoe_engine_new, aoe_engine_add_port) follow libc: -1 or NULL with
 * errno set, no message.
 */
#ifndef AOE_INTERNAL_H
#define AOE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ev.h>

/* The library checks every pointer argument itself (EFAULT): with the
 * header's nonnull attributes gcc would drop those checks as dead code
 * (as libnbd notes), so they are off while building the library. */
#define LIBAOE_ATTRIBUTE_NONNULL(...)
#include "libaoe.h"
#include "engine.h"
#include "transport.h"

/* ---- errors (errors.c) ---- */

/* Name the public function running in this thread; messages set by
 * aoe_internal_set_error are prefixed with it. */
void aoe_internal_set_error_context (const char *function);

/* Record a failure for this thread: errnum (also stored in errno) and a
 * printf-style message.  Keeps errno equal to errnum on return. */
void aoe_internal_set_error (int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* The short form every call site uses (as libnbd's set_error), so that a
 * message reads on one line with its call. */
#define set_error(errnum, ...) aoe_internal_set_error ((errnum), __VA_ARGS__)

/* Shorthand used at the top of every public function. */
#define aoe_api_enter() aoe_internal_set_error_context (__func__)

/* ---- a growable array of command pointers (io.c) ---- */

/* A vector of commands waiting to enter the engine. */
struct aoe_command_vector {
  struct aoe_command **items; /* the commands, oldest first */
  size_t len;                 /* how many are stored */
  size_t cap;                 /* how many fit before growing */
};

/* ---- completions deferred past the engine lock (io.c) ---- */

/* A generic completion: the shell-side end of a retired command (an aio
 * request's callback, a waiter's wake-up).  A command's complete function
 * runs under the engine lock, where a callback calling back into the
 * handle would deadlock; so it only queues one of these on the session
 * (aoe_io_defer), and the loop runs it once the lock is
 * released.  Embedded in whatever owns the command, which run finds with
 * aoe_container_of; the loop knows nothing else about it. */
struct aoe_deferred {
  void (*run) (struct aoe_deferred *d); /* the work (no lock held); may
                                           free or reuse d */
  struct aoe_deferred *next;            /* in the session's done list */
};

/* ---- aio requests (aio.c) ---- */

struct aoe_handle;

/* One aio command of the public API, recycled through the handle's free
 * list so the hot path allocates nothing once warm. */
struct aoe_request {
  struct aoe_command cmd;      /* what the engine sees (cmd.user = this) */
  struct aoe_handle *h;        /* the handle it belongs to */
  aoe_completion completion;   /* the caller's callback */
  int err;                     /* result, set when the engine retires it */
  struct aoe_deferred retired; /* queued when the engine retires it; runs
                                  the callback and recycles the request */
  struct aoe_request *next;    /* in the free list */
};

/* Check a read, write or flush of the connected handle h (the target
 * offers FLUSH CACHE; buffer, sector alignment, size, capacity) and fill
 * cmd for it: op, buffer, sectors, the handle's timeout (never, for 0).
 * complete and user are left to the caller.  Shared by the aio calls and
 * the blocking ones.  0, or -1 with the error set. */
int aoe_io_command_init (struct aoe_handle *h,
                         struct aoe_command *cmd, enum aoe_op op,
                         void *buf, size_t count, uint64_t offset);

/* Queue an aio command of the given kind; the body of aoe_aio_pread,
 * aoe_aio_pwrite and aoe_aio_flush.  Returns the cookie or -1. */
int64_t aoe_internal_aio_submit (struct aoe_handle *h, enum aoe_op op,
                                 void *buf, size_t count, uint64_t offset,
                                 aoe_completion completion);

/* Free every request on the handle's free list (aoe_close). */
void aoe_internal_requests_free (struct aoe_handle *h);

/* ---- the I/O session: one engine driven on one libev loop (io.c) ---- */

struct aoe_io;

/* One local interface of a session. */
struct aoe_io_iface {
  struct aoe_io *io;               /* the session it belongs to */
  unsigned index;                  /* its index in the engine */
  struct aoe_transport *transport; /* the open interface */
  ev_io watcher;                   /* readability (and writability while blocked) */
  bool write_blocked;              /* the kernel refused a batched frame (EAGAIN) */
  bool write_watched;              /* the watcher asks for EV_WRITE (loop thread) */
  uint64_t blocked_since;          /* when it was refused (us) */
  uint64_t send_blocked;           /* times the kernel refused a frame (buffer full) */
  uint64_t send_errors;            /* frames lost to send errors (the engine resends them) */
  uint64_t send_error_logged_at;   /* time of the last "send failed" debug line (us) */
  uint64_t drops_seen;             /* capture drops already reported */
  unsigned receive_errors;         /* receive failures in a row */
  bool dead;                       /* gave up on it (interface gone) */
};

/* Frames built by the engine and not yet handed to the kernel
 * (io-send.c), in the order the engine built them. */
struct aoe_tx_batch {
  uint8_t *frames;                  /* AOE_TX_BATCH slots of AOE_MAX_FRAME bytes */
  struct aoe_tx_frame frame[AOE_TX_BATCH]; /* the batched frames, each built
                                      in a slot, a write's data possibly
                                      still in its command's buffer */
  uint8_t ifindex[AOE_TX_BATCH];    /* the interface each goes out on */
  unsigned n;                       /* how many are batched */
  size_t bytes;                     /* bytes copied into their slots */
};

/* An engine, its interfaces, and the watchers that drive them.  One
 * thread at a time runs the loop it is attached to; other threads only
 * queue commands (aoe_io_submit) and read statistics under
 * engine_lock. */
struct aoe_io {
  struct aoe_handle *h;          /* for debug output */
  struct aoe_engine *engine;     /* the protocol core */
  struct aoe_io_iface ifaces[AOE_MAX_IFACES]; /* open interfaces */
  size_t nifaces;                /* how many */
  struct ev_loop *loop;          /* loop the watchers run on, NULL if detached */
  ev_timer timer;                /* fires at aoe_engine_next_deadline */
  ev_async submit_async;         /* another thread queued commands */
  ev_async stop_async;           /* aoe_close asks the I/O thread to stop */
  pthread_mutex_t engine_lock;   /* held while the engine is used */
  pthread_mutex_t queue_lock;    /* protects queue and closed */
  struct aoe_command_vector queue; /* commands waiting to enter the engine */
  struct aoe_command_vector batch; /* spare vector swapped with queue */
  bool closed;                   /* refuse new commands (ESHUTDOWN) */
  bool direct_submit;            /* submitters may feed the engine themselves
                                    (private I/O thread mode; queue_lock) */
  uint64_t armed_deadline;       /* when the timer fires (UINT64_MAX: stopped) */
  uint64_t idle_since;           /* when the engine went idle (0: busy) */
  struct aoe_deferred *done;     /* retired commands' completions, not run yet */
  struct aoe_deferred **done_tail; /* where the next one goes */
  struct aoe_tx_batch tx;        /* frames on their way out (engine_lock) */
  int initiator_id_fd;           /* holds the engine's initiator id, or -1 */
  bool ports_settled;            /* every port found had its first check */
};

/* Open every named interface (buffer_bytes of capture buffer each) and
 * create an engine over them with cfg.  NULL with the error set. */
struct aoe_io *aoe_io_open (struct aoe_handle *h,
                            char (*ifnames)[IF_NAMESIZE],
                            size_t nifaces, size_t buffer_bytes,
                            const struct aoe_engine_config *cfg);

/* Fail everything queued and in flight with ESHUTDOWN (running the
 * callbacks), detach, free the engine and close the interfaces. */
void aoe_io_close (struct aoe_io *io);

/* Start the session's watchers on loop.  The caller must be the only
 * thread using loop. */
void aoe_io_attach (struct aoe_io *io, struct ev_loop *loop);

/* ---- the send side (io-send.c; engine_lock held) ---- */

/* Send every frame the engine has ready, in batches (nothing while a
 * refused frame waits). */
void aoe_io_send_ready (struct aoe_io *io, uint64_t now);

/* Retry the frames the kernel refused; those refused for too long are
 * dropped (counted as send errors; the engine resends them). */
void aoe_io_retry_blocked (struct aoe_io *io, uint64_t now);

/* True if some interface has a refused frame waiting. */
bool aoe_io_any_blocked (const struct aoe_io *io);

/* Forget every batched frame (the session is failing everything). */
void aoe_io_clear_blocked (struct aoe_io *io);

/* Make each interface's watcher ask for writability exactly while it is
 * blocked (loop thread only: libev watchers are not thread-safe). */
void aoe_io_update_write_watchers (struct aoe_io *io);

/* True if a watcher does not match its interface's blocked state yet
 * (the loop thread must run aoe_io_update_write_watchers). */
bool aoe_io_watchers_stale (const struct aoe_io *io);

/* Let threads that submit commands feed the engine themselves (private
 * I/O thread mode; the loop thread still owns every libev watcher).
 * Detaching or forgetting the loop turns it off again. */
void aoe_io_allow_direct_submit (struct aoe_io *io);

/* Stop the watchers (the loop must not be running in another thread). */
void aoe_io_detach (struct aoe_io *io);

/* Forget the loop io was attached to without touching it (a forked
 * child must not modify the parent's epoll set): every watcher is
 * re-initialised, ready for aoe_io_attach to another loop. */
void aoe_io_forget_loop (struct aoe_io *io);

/* Queue cmd for the engine from any thread and wake the loop.  0, or
 * ESHUTDOWN if the session is closing (cmd untouched, complete not
 * called). */
int aoe_io_submit (struct aoe_io *io, struct aoe_command *cmd);

/* Complete every queued and in-flight command with err and run the
 * callbacks; used by close.  Must run on the loop's thread (or with the
 * loop stopped). */
void aoe_io_fail_all (struct aoe_io *io, int err);

/* Drive the attached loop from the calling thread until *done becomes
 * true.  The caller must own the loop and not be inside one of its
 * callbacks. */
void aoe_io_run_until (struct aoe_io *io, const bool *done);

/* Queue d to run once the engine lock is released, in retirement order
 * (called from a command's complete function, under engine_lock). */
void aoe_io_defer (struct aoe_io *io, struct aoe_deferred *d);

/* Capture drops summed over the session's interfaces. */
uint64_t aoe_io_drops (struct aoe_io *io);

/* ---- initiator ids (initiator-id.c) ---- */

/* Claim an initiator id (0..AOE_MAX_INITIATOR_ID) that no other live
 * libaoe engine of this network namespace holds; *fd keeps it (-1 if a
 * random id had to do).  The id, or -1 with the error set (all taken). */
int aoe_internal_initiator_id_claim (struct aoe_handle *h, int *fd);

/* Copy up to max of the MACs of the session's verified ports (the ones
 * carrying data), the port IDENTIFY came from first, into macs and
 * return how many there are (engine_lock held) (connect.c). */
unsigned aoe_internal_list_ports (struct aoe_io *io, uint8_t (*macs)[6],
                                  size_t max);

/* Microseconds on CLOCK_MONOTONIC: the engine's clock. */
uint64_t aoe_internal_now_us (void);

/* A new libev loop for libaoe's own use (the I/O thread, connect,
 * discovery, admin queries), on the poll backend where libev has it.
 * NULL with the error set. */
struct ev_loop *aoe_internal_loop_new (void);

/* ---- the private I/O thread (thread.c) ---- */

/* Make sure the handle's I/O runs: with aoe_set_loop nothing to do;
 * otherwise start the private I/O thread unless it runs in this process
 * already.  0, or -1 with the error set. */
int aoe_internal_thread_ensure (struct aoe_handle *h);

/* Stop and join the I/O thread if it runs (every command fails with
 * ESHUTDOWN), leaving the session detached. */
void aoe_internal_thread_stop (struct aoe_handle *h);

/* ---- waiting for a command (wait.c) ---- */

/* One caller waiting for one command to retire: the blocking I/O and
 * administration calls, connect's and discovery's control queries.  The
 * command's complete function (set by aoe_internal_waiter_init) keeps
 * the result and defers the wake-up past the engine lock, like an aio
 * callback.  A caller that drives the session's loop itself reads done
 * between loop runs; one that sleeps while the private I/O thread drives
 * the loop waits on cond, under lock. */
struct aoe_waiter {
  struct aoe_command *cmd;       /* the command (cmd->user points here) */
  struct aoe_io *io;             /* the session it was queued on */
  _Atomic unsigned *in_flight;   /* counted in this while queued (NULL:
                                    nothing); let go before the wake-up,
                                    after which the caller may be gone */
  struct aoe_deferred retired;   /* queued when cmd retires: sets done */
  bool sleeping;                 /* the caller sleeps on cond (set before
                                    the command is queued) */
  pthread_mutex_t lock;          /* only while sleeping: protects done */
  pthread_cond_t cond;           /* only while sleeping: signalled on done */
  bool done;                     /* cmd retired, or was refused */
  int err;                       /* its result: 0 or an errno */
};

/* Make the prepared command cmd end in w: sets cmd->complete and
 * cmd->user (everything else of cmd is the caller's), clears w's result
 * and in_flight.  Call it after any memset of cmd. */
void aoe_internal_waiter_init (struct aoe_waiter *w, struct aoe_command *cmd);

/* Queue w's command on io (any thread).  0, or the errno for which io
 * refused it (ESHUTDOWN: closing, ENOMEM); w is then done with that
 * result, and nothing more happens to it. */
int aoe_internal_waiter_submit (struct aoe_io *io, struct aoe_waiter *w);

/* Queue w's command on io and run io's loop on this thread until it
 * retires.  The caller must own that loop and not be inside one of its
 * callbacks (a temporary loop; the handle's libev loop outside its
 * callbacks).  The result, also left in w->err: the command's (at the
 * latest its deadline, cmd->timeout_ms, which the engine enforces on
 * this loop's timer), or the errno io refused it with. */
int aoe_internal_wait_on_loop (struct aoe_io *io, struct aoe_waiter *w);

/* Attach io to a new loop of libaoe's own, run body (which drives the
 * loop by waiting: aoe_internal_wait_on_loop, aoe_io_run_until),
 * then detach io and destroy the loop.  This is how a call waits when it
 * must not start the I/O thread and has no loop of the caller's: connect,
 * discovery, administration before the first I/O.  Nothing is left
 * running afterwards, so the program may fork (nbdkit connects, then
 * forks).  body's result (errno kept), or -1 with the error set if no
 * loop could be made. */
int aoe_internal_on_temporary_loop (struct aoe_io *io,
                                    int (*body) (struct aoe_io *io,
                                                 void *opaque),
                                    void *opaque);

/* What kind of blocking call waits: it decides whether waiting may start
 * the private I/O thread. */
enum aoe_wait_kind {
  AOE_WAIT_IO,    /* read, write, flush: the first one starts the thread */
  AOE_WAIT_ADMIN, /* administration: on the I/O thread if it runs, else on
                     a temporary loop, so that administration before the
                     first I/O starts no thread (nbdkit reserves in
                     get_ready, then forks) */
};

/* 0 if this thread may block waiting for a command of the connected
 * handle h; -1 with the error set (EINVAL) inside a callback of the
 * handle's libev loop, where running the loop again would not return
 * (the private thread mode cannot tell: there it deadlocks, see the
 * manual).  The hint to use the aio calls comes with AOE_WAIT_IO. */
int aoe_internal_check_blocking (struct aoe_handle *h, enum aoe_wait_kind kind);

/* Queue w's command on the connected handle h and wait for it in the
 * handle's mode: on the caller's libev loop (aoe_set_loop), driven from
 * this thread; asleep while the private I/O thread drives the loop
 * (started or, in a forked child, restarted for AOE_WAIT_IO, and for
 * AOE_WAIT_ADMIN when one ran); otherwise (AOE_WAIT_ADMIN before the
 * first I/O) on a temporary loop, with h->lock held.  A command still
 * waiting when the handle closes ends with ESHUTDOWN.  0 once the command
 * ended, its result in w->err (the command's, or the errno it was
 * refused with); -1 with the error set if this thread cannot wait (see
 * aoe_internal_check_blocking; no thread or loop could be started). */
int aoe_internal_wait_on_handle (struct aoe_handle *h, struct aoe_waiter *w,
                                 enum aoe_wait_kind kind);

/* ---- control commands shared by connect and discover (control.c) ---- */

/* A Query Config (read) request and what its replies taught us. */
struct aoe_config_query {
  struct aoe_command cmd;        /* the control command */
  uint8_t request[AOE_CFG_HDR_LEN]; /* the encoded request frame */
  struct aoe_io *io;             /* the session it runs on */
  bool add_ports;                /* connect: register every answer as a port */
  struct aoe_waiter wait;        /* its end (cmd.user points here) */
  unsigned answers;              /* usable answers seen */
  unsigned ignored_macs;         /* answers from a MAC other than the pinned one */
  struct aoe_config_arg first;   /* first usable answer (config pointer cleared) */
  uint8_t first_mac[6];          /* the MAC that sent it */
  unsigned first_iface;          /* the interface it came in on */
  char config[AOE_MAX_CONFIG_LEN + 1]; /* its config string */
  /* Called for each usable answer (discovery); NULL if not needed. */
  void (*on_answer) (struct aoe_config_query *q, const struct aoe_header *hdr,
                     const struct aoe_config_arg *cfg, unsigned iface);
  void *opaque;                  /* for on_answer */
};

/* Prepare a Query Config read to shelf.slot (0xFFFF/0xFF broadcast) on
 * every interface of io, waiting up to timeout_ms.  collect: gather
 * answers until then; otherwise complete at the first usable answer. */
void aoe_internal_config_query_init (struct aoe_config_query *q,
                                     struct aoe_io *io, uint16_t shelf,
                                     uint8_t slot, uint32_t timeout_ms,
                                     bool collect);

/* An IDENTIFY DEVICE request to one target port and its parsed answer. */
struct aoe_identify_query {
  struct aoe_command cmd;        /* the control command */
  uint8_t request[AOE_ATA_HDR_LEN]; /* the encoded request frame */
  struct aoe_identity id;        /* the answer once cmd completed with 0 */
  struct aoe_waiter wait;        /* its end (cmd.user points here) */
};

/* Prepare IDENTIFY to shelf.slot at mac through local interface iface. */
void aoe_internal_identify_init (struct aoe_identify_query *q,
                                 uint16_t shelf, uint8_t slot,
                                 const uint8_t mac[6], unsigned iface,
                                 uint32_t timeout_ms);

/* A read of one sector from one target port (discovery's conflict check). */
struct aoe_sector_query {
  struct aoe_command cmd;        /* the control command */
  uint8_t request[AOE_ATA_HDR_LEN]; /* the encoded request frame */
  uint8_t data[AOE_SECTOR_SIZE]; /* the sector once cmd completed with 0 */
  struct aoe_waiter wait;        /* its end (cmd.user points here) */
};

/* Prepare a read of sector lba from shelf.slot at mac through iface. */
void aoe_internal_sector_query_init (struct aoe_sector_query *q,
                                     uint16_t shelf, uint8_t slot,
                                     const uint8_t mac[6], unsigned iface,
                                     bool lba48, uint64_t lba,
                                     uint32_t timeout_ms);

/* Copy a config string (not NUL-terminated on the wire) into dst, which
 * holds AOE_MAX_CONFIG_LEN + 1 bytes. */
void aoe_internal_copy_config (char *dst, const struct aoe_config_arg *cfg);

/* ---- the handle (handle.c) ---- */

/* Lifecycle of a handle. */
enum aoe_state {
  AOE_STATE_CREATED,   /* being configured; aoe_connect not yet succeeded */
  AOE_STATE_CONNECTED, /* the target answered; I/O allowed */
  AOE_STATE_CLOSING,   /* aoe_close runs: everything fails with ESHUTDOWN */
};

/* The public handle. */
struct aoe_handle {
  pthread_mutex_t lock;          /* protects the settings, state and thread */
  enum aoe_state state;          /* where in the lifecycle */

  /* Settings (under lock). */
  char ifnames[AOE_MAX_IFACES][IF_NAMESIZE]; /* interfaces to use */
  size_t nifaces;                /* how many */
  bool all_ifaces;               /* they came from "all": no names added */
  bool target_set;               /* aoe_set_target was called */
  uint16_t shelf;                /* target major */
  uint8_t slot;                  /* target minor */
  unsigned npinned;              /* > 0: accept only these target MACs */
  uint8_t pinned_macs[AOE_MAX_PORTS][6]; /* the pinned target MACs */
  _Atomic uint32_t timeout_ms;   /* I/O command timeout, 0 = forever */
  uint32_t discover_timeout_ms;  /* aoe_connect's time limit */
  unsigned max_in_flight;        /* window cap per port, 0 = none */
  unsigned max_sectors;          /* frame sectors cap, 0 = none */
  enum aoe_transport_kind transport_kind; /* pcap or packet */
  struct ev_loop *user_loop;     /* aoe_set_loop, or NULL: private thread */

  /* Debug output. */
  _Atomic unsigned debug_mask;   /* AOE_DEBUG_* enabled */
  pthread_mutex_t debug_lock;    /* serialises debug_fn and its opaque */
  void (*debug_fn) (void *opaque, const char *line); /* NULL: stderr */
  void *debug_opaque;            /* for debug_fn */

  /* Connection (set by aoe_connect, read-only afterwards). */
  struct aoe_io *io;             /* the session, NULL before connect */
  struct aoe_info info;          /* what the target told us */

  /* Private I/O thread (under lock). */
  _Atomic bool thread_running;   /* the thread runs (in this process if
                                 * no fork came since thread_forks) */
  pthread_t thread;              /* its id */
  unsigned thread_forks;         /* forks seen when it started (thread.c) */
  struct ev_loop *thread_loop;   /* its loop */

  /* aio requests. */
  pthread_mutex_t pool_lock;     /* protects free_requests */
  struct aoe_request *free_requests; /* recycled requests */
  _Atomic uint64_t next_cookie;  /* the last cookie handed out */
  _Atomic unsigned in_flight;    /* aio commands queued or in flight */
};

/* Every AOE_DEBUG_* bit. */
#define AOE_DEBUG_ALL (AOE_DEBUG_EVENTS | AOE_DEBUG_FRAMES | AOE_DEBUG_WARNINGS)

/* The debug mask asked for by LIBAOE_DEBUG (debug.c): a number (1 events,
 * 2 frames, 3 both), always with warnings; any other non-empty value but
 * "0" means events. */
unsigned aoe_internal_debug_mask_from_environment (void);

/* Send one debug line (printf-style) if mask is enabled on h. */
void aoe_internal_debug (struct aoe_handle *h, unsigned mask,
                         const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* The short form every call site uses (as libnbd's debug). */
#define debug(h, mask, ...) aoe_internal_debug ((h), (mask), __VA_ARGS__)

/* The engine's debug hook (struct aoe_engine_config.debug); opaque is
 * the handle. */
void aoe_internal_engine_debug (void *opaque, unsigned mask,
                                const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Check h is not NULL and, under its lock, in state want; otherwise set
 * the error (EFAULT; ESHUTDOWN while closing; else EINVAL naming the
 * state) and return -1. */
int aoe_internal_check_state (struct aoe_handle *h, enum aoe_state want);

/* Add every interface AoE can use (up, Ethernet, not loopback, with a
 * MAC) to h, which has none yet, for aoe_add_interface (h, "all");
 * called with h->lock held.  0, or -1 with the error set (ENODEV if no
 * interface qualifies). */
int aoe_internal_add_all_interfaces (struct aoe_handle *h);

/* Format the handle's interface names as "a, b" into buf. */
void aoe_internal_format_ifaces (char (*ifnames)[IF_NAMESIZE], size_t n,
                                 char *buf, size_t size);

/* Format a MAC as "xx:xx:xx:xx:xx:xx" into buf (18 bytes). */
void aoe_internal_format_mac (const uint8_t mac[6], char buf[18]);

/* Check the size a caller gives for its struct called name (see
 * "Extensible structs" in libaoe.h): at least first, the size of the
 * struct's first field.  0, or -1 with the error set (EINVAL). */
int aoe_internal_check_struct_size (const char *name, size_t size,
                                    size_t first);

/* Copy the library's struct src (len bytes) into the caller's dst of
 * size bytes: the first min(size, len) bytes, the rest of dst zeroed. */
void aoe_internal_copy_struct (void *dst, size_t size, const void *src,
                               size_t len);

#endif /* AOE_INTERNAL_H */
