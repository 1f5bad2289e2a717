/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * nbdkit aoe plugin: publishing the live figures of every export in the
 * statistics file (stats=PATH).
 *
 * A thread started after nbdkit's fork rewrites PATH every second: the
 * whole text goes to PATH.tmp, which is then renamed over PATH, so a
 * reader (aoectl stat --server PATH, or cat) always sees one complete
 * sample and never a half-written file, and no socket protocol is needed
 * (a file needs no listener, works with any reader, and its permissions
 * are the directory's).  Reading it sends no frame: the figures are
 * aoe_get_stats of each export's shared handle.  The file is removed when
 * nbdkit stops.  Without stats= these functions do nothing.
 */
#ifndef AOEPLUG_STATS_H
#define AOEPLUG_STATS_H

/* .get_ready: write the file once (every export idle), so that a path
 * that cannot be written stops nbdkit with its error on the terminal.
 * 0, or -1 after nbdkit_error. */
extern int aoeplug_stats_prepare (void);

/* .after_fork: start the publishing thread.  0, or -1 after
 * nbdkit_error. */
extern int aoeplug_stats_start (void);

/* .cleanup: stop the thread and remove the file. */
extern void aoeplug_stats_stop (void);

#endif /* AOEPLUG_STATS_H */
