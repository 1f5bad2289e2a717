/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * aoectl stat without a target: every target on the segment, one line
 * each, as aoetools' aoe-stat lists the kernel driver's devices.
 *
 *   aoectl stat -i IFACE [-i IFACE...] [--timeout MS] [--bytes] [--json]
 *
 * Built on aoe_discover (tool_discover, shared with aoectl discover): the
 * answers, one per target port, are folded into one line per shelf.slot
 * with its size in powers of 1024 (or bytes), state, number of ports,
 * the interfaces it answered on, and IDENTIFY's serial and model.  No
 * session is opened, so the listing reads no data.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libaoe.h>

#include "aoectl-stat-list.h"
#include "tool-common.h"

/* One target of the listing: the discover answers of one shelf.slot
 * (aoe_discover sorts them by shelf, slot and MAC, so they are
 * consecutive). */
struct listed_target {
  const struct aoe_target_info *first;      /* its first answer */
  const struct aoe_target_info *identified; /* first answer with IDENTIFY, or NULL */
  size_t nanswers;                          /* answers (ports) in the run */
  bool conflict;                            /* some answer is a conflicting disk */
};

/* Gather the answers of the target that starts at targets[i] (of n)
 * into *t; returns the index after them. */
static size_t
gather (const struct aoe_target_info *targets, size_t n, size_t i,
        struct listed_target *t)
{
  memset (t, 0, sizeof *t);
  t->first = &targets[i];
  for (; i < n && targets[i].shelf == t->first->shelf
         && targets[i].slot == t->first->slot; i++) {
    t->nanswers++;
    if (targets[i].identified && t->identified == NULL)
      t->identified = &targets[i];
    if (targets[i].conflict)
      t->conflict = true;
  }
  return i;
}

/* True if t's answers before index k (within the run) came on the same
 * interface as answer k: each interface is listed once. */
static bool
iface_seen_before (const struct listed_target *t, size_t k)
{
  size_t j;

  for (j = 0; j < k; j++)
    if (strcmp (t->first[j].iface, t->first[k].iface) == 0)
      return true;
  return false;
}

/* The state word of t: "conflict" (another disk answers as it), "up"
 * (IDENTIFY answered: the size is known), else "noidentify". */
static const char *
state_of (const struct listed_target *t)
{
  if (t->conflict)
    return "conflict";
  return t->identified ? "up" : "noidentify";
}

/* Print t as one text line: target, size, state, ports, interfaces
 * (comma-separated), serial and model. */
static void
print_text_line (const struct listed_target *t, bool bytes)
{
  char name[16], size[TOOL_SIZE_BUFSIZE];
  size_t k;

  snprintf (name, sizeof name, "e%u.%u", t->first->shelf, t->first->slot);
  if (t->identified == NULL)
    snprintf (size, sizeof size, "-");
  else if (bytes)
    snprintf (size, sizeof size, "%" PRIu64, t->identified->size);
  else
    tool_format_size (t->identified->size, size);
  printf ("%-8s %12s  %-10s %2zu  ", name, size, state_of (t), t->nanswers);
  for (k = 0; k < t->nanswers; k++)
    if (!iface_seen_before (t, k))
      printf ("%s%s", k > 0 ? "," : "", t->first[k].iface);
  if (t->identified) {
    printf ("  ");
    tool_print_text_string (stdout, t->identified->serial);
    printf ("  ");
    tool_print_text_string (stdout, t->identified->model);
  }
  printf ("\n");
}

/* Print s as a JSON string, or null if s is NULL. */
static void
print_json_or_null (const char *s)
{
  if (s)
    tool_print_json_string (stdout, s);
  else
    printf ("null");
}

/* Print t as one JSON object (LAST: no trailing comma). */
static void
print_json_object (const struct listed_target *t, bool last)
{
  const struct aoe_target_info *id = t->identified;
  char mac[18], size[TOOL_SIZE_BUFSIZE];
  size_t k;
  bool any = false;

  printf ("  {\"target\": \"e%u.%u\", \"shelf\": %u, \"slot\": %u, ",
          t->first->shelf, t->first->slot, t->first->shelf, t->first->slot);
  if (id) {
    tool_format_size (id->size, size);
    printf ("\"size\": %" PRIu64 ", \"size_human\": \"%s\", ", id->size, size);
  }
  else
    printf ("\"size\": null, \"size_human\": null, ");
  printf ("\"state\": \"%s\", \"ports\": %zu, \"interfaces\": [",
          state_of (t), t->nanswers);
  for (k = 0; k < t->nanswers; k++)
    if (!iface_seen_before (t, k)) {
      printf ("%s", any ? ", " : "");
      tool_print_json_string (stdout, t->first[k].iface);
      any = true;
    }
  printf ("], \"macs\": [");
  for (k = 0; k < t->nanswers; k++) {
    tool_format_mac (t->first[k].mac, mac);
    printf ("%s\"%s\"", k > 0 ? ", " : "", mac);
  }
  printf ("], \"serial\": ");
  print_json_or_null (id ? id->serial : NULL);
  printf (", \"model\": ");
  print_json_or_null (id ? id->model : NULL);
  printf (", \"config\": ");
  tool_print_json_string (stdout, t->first->config);
  printf ("}%s\n", last ? "" : ",");
}

int
aoectl_stat_list (const struct tool_ifaces *ifaces, unsigned timeout_ms,
                  bool bytes, bool json)
{
  struct aoe_target_info *targets;
  struct listed_target t;
  size_t n, i, next;

  n = tool_discover (ifaces, timeout_ms, !json, &targets);
  if (json)
    printf ("[\n");
  for (i = 0; i < n; i = next) {
    next = gather (targets, n, i, &t);
    if (json)
      print_json_object (&t, next == n);
    else
      print_text_line (&t, bytes);
  }
  if (json)
    printf ("]\n");
  aoe_free_targets (targets);
  return tool_finish (n > 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAILED);
}
