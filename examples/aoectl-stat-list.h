/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat without a target: the listing of every target on the
 * segment (aoectl-stat-list.c), called by aoectl stat (aoectl-stat.c).
 */
#ifndef AOE_AOECTL_STAT_LIST_H
#define AOE_AOECTL_STAT_LIST_H

#include <stdbool.h>

#include "tool-common.h"

/* Discover the targets on ifaces (waiting timeout_ms) and print one
 * line each (sizes in bytes if bytes), or a JSON array if json.  Returns
 * the exit status: TOOL_EXIT_OK if a target answered, TOOL_EXIT_FAILED
 * if none did; exits TOOL_EXIT_USAGE on a setup error. */
int aoectl_stat_list (const struct tool_ifaces *ifaces, unsigned timeout_ms,
                      bool bytes, bool json);

#endif /* AOE_AOECTL_STAT_LIST_H */
