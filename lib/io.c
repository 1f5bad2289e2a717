/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The I/O session (aoe_io_*): the layer between the sans-I/O engine and
 * the transports (transport*.c), driving the engine from libev watchers.
 *
 * One ev_io per interface (readable: receive a batch; writable: retry a
 * frame the kernel refused), one ev_timer at the engine's next deadline,
 * one ev_async for commands queued by other threads and one to stop.
 * After every event the same pump runs: move queued commands into the
 * engine, send every frame it has ready, re-arm the timer.  Completions
 * (struct aoe_deferred: aio callbacks, waiters' wake-ups) are collected
 * while the engine lock is held and run after it is released, so a
 * callback may call any non-blocking function of the handle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* The session an embedded watcher belongs to. */
#define io_of(ptr, member) \
  ((struct aoe_io *) ((char *) (ptr) - offsetof (struct aoe_io, member)))

/* How long a blocked send waits before the timer retries it anyway, in
 * case the socket never reports writability. */
#define SEND_RETRY_US 1000

/* How long the timer keeps ticking (every AOE_RTO_MIN_US) after the
 * engine went idle, in private I/O thread mode: while it ticks, a command
 * submitted directly by another thread needs no wake-up of the I/O
 * thread to arm its retransmit timer (see submit_directly). */
#define IDLE_LINGER_US 1000000

/* Receive failures in a row after which an interface is given up (it
 * vanished): watching it any longer would spin. */
#define MAX_RECEIVE_ERRORS 16

uint64_t
aoe_internal_now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

struct ev_loop *
aoe_internal_loop_new (void)
{
  struct ev_loop *loop = NULL;

  /* poll(2), not epoll: epoll keeps the packet socket on its wait queue
   * for good, so every reply frame runs epoll's wake-up callback in the
   * sender's context (the target's, on a veth pair), even while this
   * thread is busy and needs no wake-up; poll(2) waits on the socket only
   * while it sleeps (README's Performance section has the paired runs at
   * MTU 1500, where vblade's CPU is the limit).  The loop watches a
   * handful of descriptors, where poll costs no more than epoll.
   * EVFLAG_NOENV: LIBEV_FLAGS must not undo the choice. */
  if (ev_supported_backends () & EVBACKEND_POLL)
    loop = ev_loop_new (EVBACKEND_POLL | EVFLAG_NOENV);
  if (loop == NULL)
    loop = ev_loop_new (EVFLAG_AUTO);
  if (loop == NULL)
    set_error (ENOMEM, "cannot create a libev loop");
  return loop;
}

/* Append cmd to v, growing it if needed.  0, or ENOMEM. */
static int
vector_push (struct aoe_command_vector *v, struct aoe_command *cmd)
{
  if (v->len == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 64;
    struct aoe_command **items = realloc (v->items, cap * sizeof *items);

    if (items == NULL)
      return ENOMEM;
    v->items = items;
    v->cap = cap;
  }
  v->items[v->len++] = cmd;
  return 0;
}

void
aoe_io_defer (struct aoe_io *io, struct aoe_deferred *d)
{
  d->next = NULL;
  *io->done_tail = d;
  io->done_tail = &d->next;
}

/* Release the engine lock, then run the completions of the commands
 * retired so far.  Called on the thread that drives the loop. */
static void
unlock_and_complete (struct aoe_io *io)
{
  struct aoe_deferred *done = io->done;

  io->done = NULL;
  io->done_tail = &io->done;
  pthread_mutex_unlock (&io->engine_lock);
  while (done) {
    struct aoe_deferred *d = done;

    done = d->next;   /* before run: it may free or reuse d */
    d->run (d);
  }
}

/* Take the queued commands into io->batch (engine_lock and queue_lock
 * held). */
static void
take_queue (struct aoe_io *io)
{
  struct aoe_command_vector swap = io->queue;

  io->queue = io->batch;
  io->batch = swap;
}

/* Submit io->batch to the engine in order (engine_lock held); a command
 * the engine refuses completes at once with the engine's errno. */
static void
submit_batch (struct aoe_io *io, uint64_t now)
{
  size_t i;

  for (i = 0; i < io->batch.len; ++i) {
    struct aoe_command *cmd = io->batch.items[i];
    int err = aoe_engine_submit (io->engine, cmd, now);

    if (err)
      cmd->complete (cmd, err);
  }
  io->batch.len = 0;
}

/* Move the commands other threads queued into the engine. */
static void
move_queued (struct aoe_io *io, uint64_t now)
{
  pthread_mutex_lock (&io->queue_lock);
  take_queue (io);
  pthread_mutex_unlock (&io->queue_lock);
  submit_batch (io, now);
}

/* Arm the timer for the engine's next deadline (or a blocked send's
 * retry), or stop it when nothing is due.  With direct submission the
 * timer keeps ticking for IDLE_LINGER_US after the engine went idle. */
static void
rearm_timer (struct aoe_io *io, uint64_t now)
{
  uint64_t deadline = aoe_engine_next_deadline (io->engine);

  if (aoe_io_any_blocked (io) && deadline > now + SEND_RETRY_US)
    deadline = now + SEND_RETRY_US;
  if (deadline != UINT64_MAX)
    io->idle_since = 0;
  else if (io->direct_submit) {
    if (io->idle_since == 0)
      io->idle_since = now;
    if (now - io->idle_since < IDLE_LINGER_US)
      deadline = now + AOE_RTO_MIN_US;
  }
  ev_timer_stop (io->loop, &io->timer);
  io->armed_deadline = deadline;
  if (deadline == UINT64_MAX)
    return;
  ev_timer_set (&io->timer,
                deadline > now ? (double) (deadline - now) / 1e6 : 0., 0.);
  ev_timer_start (io->loop, &io->timer);
}

/* The work after every event (engine lock held). */
static void
pump (struct aoe_io *io, uint64_t now)
{
  move_queued (io, now);
  aoe_io_send_ready (io, now);
  if (io->loop) {
    aoe_io_update_write_watchers (io);
    rearm_timer (io, now);
  }
}

/* The context of one receive batch. */
struct rx_batch {
  struct aoe_io *io;    /* the session */
  unsigned ifindex;     /* interface the frames arrived on */
  uint64_t now;         /* time of the batch */
};

/* Hand one received frame to the engine. */
static void
receive_frame (void *opaque, const uint8_t *frame, size_t len)
{
  struct rx_batch *batch = opaque;

  aoe_engine_receive (batch->io->engine, frame, len, batch->ifindex,
                      batch->now);
}

/* Frames iface's capture buffer dropped so far. */
static uint64_t
iface_drops (struct aoe_io_iface *iface)
{
  return iface->transport->ops->get_drops (iface->transport);
}

/* Report capture drops on iface since the last report. */
static void
check_drops (struct aoe_io_iface *iface)
{
  uint64_t drops = iface_drops (iface);

  if (drops > iface->drops_seen) {
    debug (iface->io->h, AOE_DEBUG_EVENTS, "%s: capture buffer dropped %llu "
           "frames (total %llu)", iface->transport->ifname,
           (unsigned long long) (drops - iface->drops_seen),
           (unsigned long long) drops);
    iface->drops_seen = drops;
  }
}

/* Receive every frame waiting on iface, stamped with the time now (read
 * once by the caller for the whole batch: the clock is a system call on
 * some boards); give the interface up after MAX_RECEIVE_ERRORS failures
 * in a row.  Returns how many frames arrived. */
static int
receive_batch (struct aoe_io_iface *iface, uint64_t now)
{
  struct aoe_io *io = iface->io;
  struct aoe_transport *t = iface->transport;
  struct rx_batch batch = { .io = io, .ifindex = iface->index, .now = now };
  int n = t->ops->receive_batch (t, receive_frame, &batch);

  if (n != -1) {
    iface->receive_errors = 0;
    return n;
  }
  debug (io->h, AOE_DEBUG_EVENTS, "receive on %s: %s",
         t->ifname, strerror (errno));
  if (++iface->receive_errors >= MAX_RECEIVE_ERRORS) {
    debug (io->h, AOE_DEBUG_EVENTS, "giving up on %s after %u receive errors",
           t->ifname, iface->receive_errors);
    ev_io_stop (io->loop, &iface->watcher);
    iface->dead = true;
  }
  return 0;
}

/* The time for sending after a receive that took frames: read again.
 * The process stops (SIGSTOP, a debugger) or is preempted when a system
 * call returns, so a stall often falls on the receive's; the frames the
 * pump sends then would carry the time from before it, their deadlines
 * would already be past when they leave, and the timer would resend
 * them before their replies could come (tests/test-fault-stall.sh). */
static uint64_t
send_time (uint64_t now, int received)
{
  return received > 0 ? aoe_internal_now_us () : now;
}

/* An interface is readable (replies) or writable (a refused frame). */
static void
iface_ready (struct ev_loop *loop, ev_io *w, int revents)
{
  struct aoe_io_iface *iface = w->data;
  struct aoe_io *io = iface->io;
  uint64_t now;

  pthread_mutex_lock (&io->engine_lock);
  now = aoe_internal_now_us ();
  if (revents & EV_READ)
    now = send_time (now, receive_batch (iface, now));
  if (revents & EV_WRITE)
    aoe_io_retry_blocked (io, now);
  pump (io, now);
  unlock_and_complete (io);
}

/* Receive what waits on every live interface.  The timer runs this
 * before the engine looks for timed-out frames: when the thread itself
 * was late (a stopped or starved process, a busy core), the replies of
 * the frames whose deadline passed are usually sitting in the socket,
 * and libev runs the timer's callback before the readable interfaces'
 * of the same loop iteration.  Resending those frames would make the
 * target serve them twice and shrink the window for no loss. */
static int
receive_waiting (struct aoe_io *io, uint64_t now)
{
  size_t i;
  int received = 0;

  for (i = 0; i < io->nifaces; ++i)
    if (!io->ifaces[i].dead)
      received += receive_batch (&io->ifaces[i], now);
  return received;
}

/* The engine's deadline came: retransmit, time out, retry refused sends. */
static void
timer_fired (struct ev_loop *loop, ev_timer *w, int revents)
{
  struct aoe_io *io = io_of (w, timer);
  uint64_t now;
  size_t i;
  int received;

  /* The time is read under the lock: a direct submitter may have used
   * the engine since the timer fired, and the engine's clock must not
   * run backwards.  The tick keeps the time from before the receive
   * (replies that came during a stall on it are waiting still, and a
   * later time would declare their frames lost); only the pump sends
   * at a time read after it (send_time). */
  pthread_mutex_lock (&io->engine_lock);
  now = aoe_internal_now_us ();
  received = receive_waiting (io, now);
  aoe_io_retry_blocked (io, now);
  aoe_engine_tick (io->engine, now);
  for (i = 0; i < io->nifaces; ++i)
    check_drops (&io->ifaces[i]);
  pump (io, send_time (now, received));
  unlock_and_complete (io);
}

/* Another thread queued commands. */
static void
commands_queued (struct ev_loop *loop, ev_async *w, int revents)
{
  struct aoe_io *io = io_of (w, submit_async);

  pthread_mutex_lock (&io->engine_lock);
  pump (io, aoe_internal_now_us ());
  unlock_and_complete (io);
}

/* aoe_close asks the loop's thread to stop: fail everything, leave. */
static void
stop_requested (struct ev_loop *loop, ev_async *w, int revents)
{
  struct aoe_io *io = io_of (w, stop_async);

  aoe_io_fail_all (io, ESHUTDOWN);
  ev_break (loop, EVBREAK_ALL);
}

void
aoe_io_fail_all (struct aoe_io *io, int err)
{
  struct aoe_command_vector queued;
  size_t i;

  pthread_mutex_lock (&io->engine_lock);
  aoe_engine_fail_all (io->engine, err);
  /* Then the commands that never reached the engine (newer), after
   * which nothing more is accepted. */
  pthread_mutex_lock (&io->queue_lock);
  io->closed = true;
  queued = io->queue;
  memset (&io->queue, 0, sizeof io->queue);
  pthread_mutex_unlock (&io->queue_lock);
  for (i = 0; i < queued.len; ++i)
    queued.items[i]->complete (queued.items[i], err);
  free (queued.items);
  aoe_io_clear_blocked (io);
  if (io->loop)
    aoe_io_update_write_watchers (io);
  unlock_and_complete (io);
}

/* (Re)initialise every watcher of io, attached to no loop. */
static void
init_watchers (struct aoe_io *io)
{
  size_t i;

  for (i = 0; i < io->nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];

    ev_io_init (&iface->watcher, iface_ready,
                iface->transport->ops->get_fd (iface->transport), EV_READ);
    iface->watcher.data = iface;
    iface->write_blocked = false;
    iface->write_watched = false;
  }
  io->armed_deadline = UINT64_MAX;
  io->idle_since = 0;
  ev_timer_init (&io->timer, timer_fired, 0., 0.);
  ev_async_init (&io->submit_async, commands_queued);
  ev_async_init (&io->stop_async, stop_requested);
}

void
aoe_io_forget_loop (struct aoe_io *io)
{
  init_watchers (io);
  pthread_mutex_lock (&io->queue_lock);
  io->loop = NULL;
  io->direct_submit = false;
  pthread_mutex_unlock (&io->queue_lock);
}

/* The engine's verdict on a port (struct aoe_engine_config.port_verdict,
 * under engine_lock): a rejection is a warning naming both MACs and the
 * interface (another disk claims the target's address; the engine's own
 * debug output already reports every verdict as an event); connect waits
 * for ports_settled. */
static void
port_verdict (void *opaque, unsigned port, int ref,
              enum aoe_port_verdict verdict, const char *reason)
{
  struct aoe_io *io = opaque;
  struct aoe_port_stats ps, rs;
  char mac[18], ref_mac[18] = "?";

  if (verdict == AOE_PORT_REJECTED) {
    aoe_engine_port_stats (io->engine, port, &ps);
    aoe_internal_format_mac (ps.mac, mac);
    if (ref >= 0) {
      aoe_engine_port_stats (io->engine, (unsigned) ref, &rs);
      aoe_internal_format_mac (rs.mac, ref_mac);
    }
    debug (io->h, AOE_DEBUG_WARNINGS, "warning: %s on %s claims the target "
           "but is not the disk %s serves (%s): ignoring it", mac,
           io->ifaces[ps.iface].transport->ifname, ref_mac, reason);
  }
  if (aoe_engine_ports_unsettled (io->engine) == 0)
    io->ports_settled = true;
}

struct aoe_io *
aoe_io_open (struct aoe_handle *h, char (*ifnames)[IF_NAMESIZE],
             size_t nifaces, size_t buffer_bytes,
             const struct aoe_engine_config *cfg)
{
  struct aoe_iface_info infos[AOE_MAX_IFACES];
  struct aoe_engine_config ecfg;
  struct aoe_io *io;
  size_t i;
  int id;

  io = calloc (1, sizeof *io);
  if (io == NULL) {
    set_error (ENOMEM, "out of memory");
    return NULL;
  }
  io->h = h;
  io->initiator_id_fd = -1;
  io->done_tail = &io->done;
  pthread_mutex_init (&io->engine_lock, NULL);
  pthread_mutex_init (&io->queue_lock, NULL);
  io->tx.frames = malloc ((size_t) AOE_TX_BATCH * AOE_MAX_FRAME);
  if (io->tx.frames == NULL) {
    set_error (ENOMEM, "out of memory");
    goto err;
  }

  for (i = 0; i < nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];

    iface->io = io;
    iface->index = (unsigned) i;
    iface->transport = aoe_transport_open (h->transport_kind, ifnames[i],
                                           buffer_bytes);
    if (iface->transport == NULL)
      goto err;
    io->nifaces = i + 1;
    memcpy (infos[i].mac, iface->transport->mac, 6);
    infos[i].mtu = iface->transport->mtu;
    debug (h, AOE_DEBUG_EVENTS, "opened %s (%s, MTU %u, "
           "%02x:%02x:%02x:%02x:%02x:%02x, sends %s)", ifnames[i],
           iface->transport->ops->name, infos[i].mtu, infos[i].mac[0],
           infos[i].mac[1], infos[i].mac[2], infos[i].mac[3], infos[i].mac[4],
           infos[i].mac[5], iface->transport->send_path);
  }

  init_watchers (io);
  id = aoe_internal_initiator_id_claim (h, &io->initiator_id_fd);
  if (id < 0)
    goto err;
  ecfg = *cfg;
  ecfg.initiator_id = (uint16_t) id;
  ecfg.port_verdict = port_verdict;
  ecfg.verdict_opaque = io;
  io->engine = aoe_engine_new (&ecfg, infos, nifaces);
  if (io->engine == NULL) {
    set_error (errno ? errno : ENOMEM, "cannot create the AoE engine");
    goto err;
  }
  return io;

 err:
  aoe_io_close (io);
  return NULL;
}

/* Log what each interface and each target port of a connected session
 * carried (debug events), so a log shows which path worked and which one
 * lost frames. */
static void
log_summary (struct aoe_io *io)
{
  unsigned i, nports;

  pthread_mutex_lock (&io->engine_lock);
  nports = aoe_engine_nports (io->engine);
  for (i = 0; nports > 0 && i < io->nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];

    debug (io->h, AOE_DEBUG_EVENTS, "interface %s: %llu send errors, %llu "
           "times blocked (send buffer full), %llu capture drops",
           iface->transport->ifname, (unsigned long long) iface->send_errors,
           (unsigned long long) iface->send_blocked,
           (unsigned long long) iface_drops (iface));
  }
  for (i = 0; i < nports; ++i) {
    struct aoe_port_stats ps;
    char mac[18];

    aoe_engine_port_stats (io->engine, i, &ps);
    aoe_internal_format_mac (ps.mac, mac);
    debug (io->h, AOE_DEBUG_EVENTS, "port %u (%s on %s): %llu frames sent, "
           "%llu replies, %llu timeouts, %u sectors per frame, window %u%s", i,
           mac, io->ifaces[ps.iface].transport->ifname,
           (unsigned long long) ps.frames_sent,
           (unsigned long long) ps.replies,
           (unsigned long long) ps.frame_timeouts, ps.frame_sectors, ps.window,
           ps.demoted ? ", demoted" : "");
  }
  pthread_mutex_unlock (&io->engine_lock);
}

void
aoe_io_close (struct aoe_io *io)
{
  size_t i;

  if (io == NULL)
    return;
  if (io->engine) {
    log_summary (io);
    aoe_io_fail_all (io, ESHUTDOWN);
    aoe_engine_free (io->engine);
  }
  aoe_io_detach (io);
  for (i = 0; i < io->nifaces; ++i) {
    struct aoe_transport *t = io->ifaces[i].transport;

    if (t)
      t->ops->close (t);
  }
  if (io->initiator_id_fd >= 0)
    close (io->initiator_id_fd);
  free (io->tx.frames);
  free (io->queue.items);
  free (io->batch.items);
  pthread_mutex_destroy (&io->queue_lock);
  pthread_mutex_destroy (&io->engine_lock);
  free (io);
}

void
aoe_io_attach (struct aoe_io *io, struct ev_loop *loop)
{
  size_t i;

  pthread_mutex_lock (&io->queue_lock);
  io->loop = loop;
  pthread_mutex_unlock (&io->queue_lock);
  for (i = 0; i < io->nifaces; ++i)
    if (!io->ifaces[i].dead)
      ev_io_start (loop, &io->ifaces[i].watcher);
  ev_async_start (loop, &io->submit_async);
  ev_async_start (loop, &io->stop_async);
  /* Commands may have been queued while detached: run the pump once. */
  ev_async_send (loop, &io->submit_async);
}

void
aoe_io_detach (struct aoe_io *io)
{
  struct ev_loop *loop = io->loop;
  size_t i;

  if (loop == NULL)
    return;
  for (i = 0; i < io->nifaces; ++i)
    ev_io_stop (loop, &io->ifaces[i].watcher);
  ev_timer_stop (loop, &io->timer);
  ev_async_stop (loop, &io->submit_async);
  ev_async_stop (loop, &io->stop_async);
  io->armed_deadline = UINT64_MAX;
  pthread_mutex_lock (&io->queue_lock);
  io->loop = NULL;
  io->direct_submit = false;
  pthread_mutex_unlock (&io->queue_lock);
}

void
aoe_io_allow_direct_submit (struct aoe_io *io)
{
  pthread_mutex_lock (&io->queue_lock);
  io->direct_submit = io->loop != NULL;
  pthread_mutex_unlock (&io->queue_lock);
}

/* Feed an idle engine on the submitting thread (engine_lock held, the
 * queue taken into io->batch): the command's first frames leave now
 * instead of after the I/O thread woke up, which is one cross-thread
 * wake-up less per command at queue depth 1.  Only the loop thread
 * touches libev, so it must still be woken when this left it work: completions to run (callbacks belong to the
 * I/O thread), a refused frame to watch for, or a deadline earlier than
 * its timer.  Returns true if it must. */
static bool
submit_directly (struct aoe_io *io)
{
  uint64_t now = aoe_internal_now_us ();

  submit_batch (io, now);
  aoe_io_send_ready (io, now);
  return io->done != NULL || aoe_io_watchers_stale (io)
    || aoe_engine_next_deadline (io->engine) < io->armed_deadline;
}

int
aoe_io_submit (struct aoe_io *io, struct aoe_command *cmd)
{
  bool wake;
  int err;

  pthread_mutex_lock (&io->queue_lock);
  err = io->closed ? ESHUTDOWN : vector_push (&io->queue, cmd);
  if (err || io->loop == NULL) {
    pthread_mutex_unlock (&io->queue_lock);
    return err;
  }
  /* Only trylock: the lock order is engine_lock, then queue_lock.  If the
   * loop thread holds the engine, it takes the queue when woken.  A busy
   * engine is left to the loop thread too: it is awake for the replies
   * anyway, and a submitter holding the engine would make it wait for
   * the lock (the NBD path measured slower: README, Performance). */
  if (!io->direct_submit || pthread_mutex_trylock (&io->engine_lock) != 0) {
    ev_async_send (io->loop, &io->submit_async);
    pthread_mutex_unlock (&io->queue_lock);
    return 0;
  }
  if (aoe_engine_pending (io->engine) > 0) {
    pthread_mutex_unlock (&io->engine_lock);
    ev_async_send (io->loop, &io->submit_async);
    pthread_mutex_unlock (&io->queue_lock);
    return 0;
  }
  take_queue (io);
  pthread_mutex_unlock (&io->queue_lock);
  wake = submit_directly (io);
  pthread_mutex_unlock (&io->engine_lock);
  if (wake) {
    pthread_mutex_lock (&io->queue_lock);
    if (io->loop)
      ev_async_send (io->loop, &io->submit_async);
    pthread_mutex_unlock (&io->queue_lock);
  }
  return 0;
}

void
aoe_io_run_until (struct aoe_io *io, const bool *done)
{
  while (!*done)
    ev_run (io->loop, EVRUN_ONCE);
}

uint64_t
aoe_io_drops (struct aoe_io *io)
{
  uint64_t drops = 0;
  size_t i;

  for (i = 0; i < io->nifaces; ++i)
    drops += iface_drops (&io->ifaces[i]);
  return drops;
}
