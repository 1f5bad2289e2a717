/* The loop: drive a sans-I/O engine from libev watchers.
 *
 * One ev_io per interface (readable: receive a batch; writable: retry a
 * frame the kernel refused), one ev_timer at the engine's next deadline,
 * one ev_async for commands queued by other threads and one to stop.
 * After every event the same pump runs: move queued commands into the
 * engine, send every frame it has ready, re-arm the timer.  Completions
 * of aio requests are collected while the engine lock is held and their
 * callbacks run after it is released, so a callback may call any
 * non-blocking function of the handle.
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

/* How long a frame refused with EAGAIN may wait for its interface before
 * it is dropped like a lost frame (the engine resends it): an interface
 * that never drains must not stall every other path. */
#define SEND_BLOCK_MAX_US 200000

/* At most one "send failed" debug line per interface per this interval
 * (a downed link fails every frame). */
#define SEND_ERROR_LOG_US 1000000

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
aoe_internal_io_defer (struct aoe_io *io, struct aoe_request *req)
{
  req->next = NULL;
  *io->done_tail = req;
  io->done_tail = &req->next;
}

/* Run the callbacks of the requests retired so far.  Called with no lock
 * held, on the thread that drives the loop. */
static void
run_completions (struct aoe_io *io)
{
  while (io->done) {
    struct aoe_request *req = io->done;

    io->done = req->next;
    if (io->done == NULL)
      io->done_tail = &io->done;
    aoe_internal_request_retire (req);
  }
}

/* Enable or disable write interest on an interface's watcher. */
static void
watch_write (struct aoe_io_iface *iface, bool on)
{
  struct ev_loop *loop = iface->io->loop;

  iface->write_blocked = on;
  if (loop == NULL || iface->dead)
    return;
  ev_io_stop (loop, &iface->watcher);
  ev_io_set (&iface->watcher, iface->watcher.fd,
             on ? EV_READ | EV_WRITE : EV_READ);
  ev_io_start (loop, &iface->watcher);
}

/* A frame on iface was lost to a send error err (interface down, frame
 * dropped by the device): count it, and log it unless one was logged
 * less than SEND_ERROR_LOG_US ago.  The engine resends it like any frame
 * lost on the wire. */
static void
send_failed (struct aoe_io_iface *iface, int err, uint64_t now)
{
  iface->send_errors++;
  if (iface->send_errors > 1
      && now - iface->send_error_logged_at < SEND_ERROR_LOG_US)
    return;
  iface->send_error_logged_at = now;
  aoe_internal_debug (iface->io->h, AOE_DEBUG_EVENTS,
                      "send on %s failed: %s (%llu frames lost so far)",
                      iface->transport->ifname, strerror (err),
                      (unsigned long long) iface->send_errors);
}

/* Send one frame on iface.  Returns false if the frame had to be kept
 * for later (the caller stops sending until the interface is writable). */
static bool
send_frame (struct aoe_io_iface *iface, const uint8_t *frame, size_t len,
            uint64_t now)
{
  struct aoe_transport *t = iface->transport;

  switch (t->ops->send (t, frame, len)) {
  case AOE_SEND_OK:
    return true;
  case AOE_SEND_AGAIN:
    memcpy (iface->pending, frame, len);
    iface->pending_len = len;
    iface->blocked_since = now;
    watch_write (iface, true);
    return false;
  case AOE_SEND_FAILED:
    send_failed (iface, errno, now);
    return true;
  }
  return true;
}

/* True if some interface holds a frame the kernel refused. */
static bool
any_blocked (const struct aoe_io *io)
{
  size_t i;

  for (i = 0; i < io->nifaces; ++i)
    if (io->ifaces[i].write_blocked)
      return true;
  return false;
}

/* Move the commands other threads queued into the engine; a command the
 * engine refuses completes at once with the engine's errno. */
static void
move_queued (struct aoe_io *io, uint64_t now)
{
  struct aoe_command_vector swap;
  size_t i;

  pthread_mutex_lock (&io->queue_lock);
  swap = io->queue;
  io->queue = io->batch;
  io->batch = swap;
  pthread_mutex_unlock (&io->queue_lock);

  for (i = 0; i < io->batch.len; ++i) {
    struct aoe_command *cmd = io->batch.items[i];
    int err = aoe_engine_submit (io->engine, cmd, now);

    if (err)
      cmd->complete (cmd, err);
  }
  io->batch.len = 0;
}

/* Send every frame the engine has ready (unless a refused frame waits). */
static void
send_ready_frames (struct aoe_io *io, uint64_t now)
{
  unsigned ifindex;
  size_t len;

  if (any_blocked (io))
    return;
  while ((len = aoe_engine_next_frame (io->engine, now, io->frame,
                                       sizeof io->frame, &ifindex)) > 0) {
    if (ifindex >= io->nifaces)
      continue;
    if (!send_frame (&io->ifaces[ifindex], io->frame, len, now))
      break;
  }
}

/* Arm the timer for the engine's next deadline (or a blocked send's
 * retry), or stop it when nothing is due. */
static void
rearm_timer (struct aoe_io *io, uint64_t now)
{
  uint64_t deadline = aoe_engine_next_deadline (io->engine);

  if (any_blocked (io) && deadline > now + SEND_RETRY_US)
    deadline = now + SEND_RETRY_US;
  ev_timer_stop (io->loop, &io->timer);
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
  send_ready_frames (io, now);
  if (io->loop)
    rearm_timer (io, now);
}

/* Retry the frames the kernel refused; a frame refused for longer than
 * SEND_BLOCK_MAX_US is dropped (counted as a send error). */
static void
retry_blocked (struct aoe_io *io, uint64_t now)
{
  size_t i;

  for (i = 0; i < io->nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];
    struct aoe_transport *t = iface->transport;

    if (!iface->write_blocked)
      continue;
    switch (t->ops->send (t, iface->pending, iface->pending_len)) {
    case AOE_SEND_AGAIN:
      if (now - iface->blocked_since < SEND_BLOCK_MAX_US)
        continue;
      send_failed (iface, EAGAIN, now);
      break;
    case AOE_SEND_FAILED:
      send_failed (iface, errno, now);
      break;
    case AOE_SEND_OK:
      break;
    }
    watch_write (iface, false);
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
    aoe_internal_debug (iface->io->h, AOE_DEBUG_EVENTS,
                        "%s: capture buffer dropped %llu frames (total %llu)",
                        iface->transport->ifname,
                        (unsigned long long) (drops - iface->drops_seen),
                        (unsigned long long) drops);
    iface->drops_seen = drops;
  }
}

/* Receive every frame waiting on iface; give the interface up after
 * MAX_RECEIVE_ERRORS failures in a row. */
static void
receive_batch (struct aoe_io_iface *iface)
{
  struct aoe_io *io = iface->io;
  struct aoe_transport *t = iface->transport;
  struct rx_batch batch = { .io = io, .ifindex = iface->index,
                            .now = aoe_internal_now_us () };

  if (t->ops->receive_batch (t, receive_frame, &batch) != -1) {
    iface->receive_errors = 0;
    return;
  }
  aoe_internal_debug (io->h, AOE_DEBUG_EVENTS, "receive on %s: %s",
                      t->ifname, strerror (errno));
  if (++iface->receive_errors >= MAX_RECEIVE_ERRORS) {
    aoe_internal_debug (io->h, AOE_DEBUG_EVENTS,
                        "giving up on %s after %u receive errors",
                        t->ifname, iface->receive_errors);
    ev_io_stop (io->loop, &iface->watcher);
    iface->dead = true;
  }
}

/* An interface is readable (replies) or writable (a refused frame). */
static void
iface_ready (struct ev_loop *loop, ev_io *w, int revents)
{
  struct aoe_io_iface *iface = w->data;
  struct aoe_io *io = iface->io;
  uint64_t now;

  pthread_mutex_lock (&io->engine_lock);
  if (revents & EV_READ)
    receive_batch (iface);
  now = aoe_internal_now_us ();
  if (revents & EV_WRITE)
    retry_blocked (io, now);
  pump (io, now);
  pthread_mutex_unlock (&io->engine_lock);
  run_completions (io);
}

/* The engine's deadline came: retransmit, time out, retry refused sends. */
static void
timer_fired (struct ev_loop *loop, ev_timer *w, int revents)
{
  struct aoe_io *io = io_of (w, timer);
  uint64_t now = aoe_internal_now_us ();
  size_t i;

  pthread_mutex_lock (&io->engine_lock);
  retry_blocked (io, now);
  aoe_engine_tick (io->engine, now);
  for (i = 0; i < io->nifaces; ++i)
    check_drops (&io->ifaces[i]);
  pump (io, now);
  pthread_mutex_unlock (&io->engine_lock);
  run_completions (io);
}

/* Another thread queued commands. */
static void
commands_queued (struct ev_loop *loop, ev_async *w, int revents)
{
  struct aoe_io *io = io_of (w, submit_async);

  pthread_mutex_lock (&io->engine_lock);
  pump (io, aoe_internal_now_us ());
  pthread_mutex_unlock (&io->engine_lock);
  run_completions (io);
}

/* aoe_close asks the loop's thread to stop: fail everything, leave. */
static void
stop_requested (struct ev_loop *loop, ev_async *w, int revents)
{
  struct aoe_io *io = io_of (w, stop_async);

  aoe_internal_io_fail_all (io, ESHUTDOWN);
  ev_break (loop, EVBREAK_ALL);
}

void
aoe_internal_io_fail_all (struct aoe_io *io, int err)
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
  for (i = 0; i < io->nifaces; ++i)
    if (io->ifaces[i].write_blocked)
      watch_write (&io->ifaces[i], false);
  pthread_mutex_unlock (&io->engine_lock);
  run_completions (io);
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
  }
  ev_timer_init (&io->timer, timer_fired, 0., 0.);
  ev_async_init (&io->submit_async, commands_queued);
  ev_async_init (&io->stop_async, stop_requested);
}

void
aoe_internal_io_forget_loop (struct aoe_io *io)
{
  init_watchers (io);
  pthread_mutex_lock (&io->queue_lock);
  io->loop = NULL;
  pthread_mutex_unlock (&io->queue_lock);
}

struct aoe_io *
aoe_internal_io_open (struct aoe_handle *h, char (*ifnames)[IF_NAMESIZE],
                      size_t nifaces, size_t buffer_bytes,
                      const struct aoe_engine_config *cfg)
{
  struct aoe_iface_info infos[AOE_MAX_IFACES];
  struct aoe_io *io;
  size_t i;

  io = calloc (1, sizeof *io);
  if (io == NULL) {
    aoe_internal_set_error (ENOMEM, "out of memory");
    return NULL;
  }
  io->h = h;
  io->done_tail = &io->done;
  pthread_mutex_init (&io->engine_lock, NULL);
  pthread_mutex_init (&io->queue_lock, NULL);

  for (i = 0; i < nifaces; ++i) {
    struct aoe_io_iface *iface = &io->ifaces[i];

    iface->io = io;
    iface->index = (unsigned) i;
    iface->transport = aoe_transport_open (h->transport_kind, ifnames[i],
                                           buffer_bytes);
    if (iface->transport == NULL)
      goto err;
    io->nifaces = i + 1;
    iface->pending = malloc (AOE_MAX_FRAME);
    if (iface->pending == NULL) {
      aoe_internal_set_error (ENOMEM, "out of memory");
      goto err;
    }
    memcpy (infos[i].mac, iface->transport->mac, 6);
    infos[i].mtu = iface->transport->mtu;
    aoe_internal_debug (h, AOE_DEBUG_EVENTS,
                        "opened %s (%s, MTU %u, "
                        "%02x:%02x:%02x:%02x:%02x:%02x)",
                        ifnames[i], iface->transport->ops->name, infos[i].mtu,
                        infos[i].mac[0], infos[i].mac[1], infos[i].mac[2],
                        infos[i].mac[3], infos[i].mac[4], infos[i].mac[5]);
  }

  init_watchers (io);
  io->engine = aoe_engine_new (cfg, infos, nifaces);
  if (io->engine == NULL) {
    aoe_internal_set_error (errno ? errno : ENOMEM,
                            "cannot create the AoE engine");
    goto err;
  }
  return io;

 err:
  aoe_internal_io_close (io);
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

    aoe_internal_debug (io->h, AOE_DEBUG_EVENTS,
                        "interface %s: %llu send errors, %llu capture drops",
                        iface->transport->ifname,
                        (unsigned long long) iface->send_errors,
                        (unsigned long long) iface_drops (iface));
  }
  for (i = 0; i < nports; ++i) {
    struct aoe_port_stats ps;
    char mac[18];

    aoe_engine_port_stats (io->engine, i, &ps);
    aoe_internal_format_mac (ps.mac, mac);
    aoe_internal_debug (io->h, AOE_DEBUG_EVENTS,
                        "port %u (%s on %s): %llu frames sent, %llu replies, "
                        "%llu timeouts, %u sectors per frame, window %u%s",
                        i, mac, io->ifaces[ps.iface].transport->ifname,
                        (unsigned long long) ps.frames_sent,
                        (unsigned long long) ps.replies,
                        (unsigned long long) ps.frame_timeouts,
                        ps.frame_sectors, ps.window,
                        ps.demoted ? ", demoted" : "");
  }
  pthread_mutex_unlock (&io->engine_lock);
}

void
aoe_internal_io_close (struct aoe_io *io)
{
  size_t i;

  if (io == NULL)
    return;
  if (io->engine) {
    log_summary (io);
    aoe_internal_io_fail_all (io, ESHUTDOWN);
    aoe_engine_free (io->engine);
  }
  aoe_internal_io_detach (io);
  for (i = 0; i < io->nifaces; ++i) {
    struct aoe_transport *t = io->ifaces[i].transport;

    if (t)
      t->ops->close (t);
    free (io->ifaces[i].pending);
  }
  free (io->queue.items);
  free (io->batch.items);
  pthread_mutex_destroy (&io->queue_lock);
  pthread_mutex_destroy (&io->engine_lock);
  free (io);
}

void
aoe_internal_io_attach (struct aoe_io *io, struct ev_loop *loop)
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
aoe_internal_io_detach (struct aoe_io *io)
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
  pthread_mutex_lock (&io->queue_lock);
  io->loop = NULL;
  pthread_mutex_unlock (&io->queue_lock);
}

int
aoe_internal_io_submit (struct aoe_io *io, struct aoe_command *cmd)
{
  int err;

  pthread_mutex_lock (&io->queue_lock);
  err = io->closed ? ESHUTDOWN : vector_push (&io->queue, cmd);
  if (err == 0 && io->loop)
    ev_async_send (io->loop, &io->submit_async);
  pthread_mutex_unlock (&io->queue_lock);
  return err;
}

void
aoe_internal_io_run_until (struct aoe_io *io, const bool *done)
{
  while (!*done)
    ev_run (io->loop, EVRUN_ONCE);
}

uint64_t
aoe_internal_io_drops (struct aoe_io *io)
{
  uint64_t drops = 0;
  size_t i;

  for (i = 0; i < io->nifaces; ++i)
    drops += iface_drops (&io->ifaces[i]);
  return drops;
}
