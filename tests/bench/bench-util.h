/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * bench-util.h: measurement helpers shared by the benchmark programs
 * (tests/bench/aoe-raw.c, the raw-socket ceiling, and examples/aoe-bench.c,
 * libaoe's benchmark), so that both measure time, CPU and latency the
 * same way and print the same JSON keys.
 *
 * Header only: every function is static and used by both programs.
 * Parsing options and reporting errors is tool-common's (both programs
 * link it), as in aoectl.
 */
#ifndef AOE_BENCH_UTIL_H
#define AOE_BENCH_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tool-common.h"

/* A one-line error ("PROGRAM: MESSAGE", tool_init's name): exit 1. */
#define bench_die(...) tool_die (TOOL_EXIT_FAILED, __VA_ARGS__)

/* A growing array of latency samples, in nanoseconds. */
struct bench_latencies {
  uint64_t *ns;     /* the samples, in arrival order until sorted */
  size_t count;     /* samples stored */
  size_t capacity;  /* samples ns can hold */
  bool failed;      /* set when memory ran out (later samples dropped) */
};

/* What one benchmark run measured; printed by bench_print_result. */
struct bench_result {
  const char *tool;        /* "aoe-raw" or "aoe-bench" */
  const char *mode;        /* how the tool drove I/O ("raw", "aio", ...) */
  const char *pattern;     /* "seq" or "rand" */
  bool write;              /* writes instead of reads */
  unsigned mtu;            /* MTU of the interface (0 if unknown) */
  unsigned queue_depth;    /* requests kept in flight */
  uint64_t request_size;   /* bytes per request */
  unsigned window;         /* frames in flight allowed (0 if unknown) */
  unsigned sectors_per_frame; /* sectors carried by one data frame */
  uint64_t bytes;          /* payload bytes completed */
  uint64_t requests;       /* requests completed */
  double seconds;          /* wall-clock time of the measured phase */
  double cpu_seconds;      /* user + system CPU of the whole process */
  uint64_t retransmits;    /* frames sent again after a timeout */
  const struct bench_latencies *latencies; /* sorted samples */
};

/* Monotonic time in nanoseconds. */
static inline uint64_t
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000 + (uint64_t) ts.tv_nsec;
}

/* User plus system CPU seconds used so far by every thread of this
 * process (getrusage RUSAGE_SELF). */
static inline double
bench_cpu_seconds (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) == -1)
    return 0;
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
    + (double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Append one sample; on ENOMEM mark the set failed and drop it. */
static inline void
bench_latencies_add (struct bench_latencies *l, uint64_t ns)
{
  if (l->count == l->capacity) {
    size_t capacity = l->capacity ? l->capacity * 2 : 65536;
    uint64_t *grown = realloc (l->ns, capacity * sizeof *grown);

    if (grown == NULL) {
      l->failed = true;
      return;
    }
    l->ns = grown;
    l->capacity = capacity;
  }
  l->ns[l->count++] = ns;
}

/* qsort comparison of two uint64_t. */
static inline int
bench_compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

/* Sort the samples so that bench_percentile_us can read them. */
static inline void
bench_latencies_sort (struct bench_latencies *l)
{
  if (l->count > 1)
    qsort (l->ns, l->count, sizeof *l->ns, bench_compare_u64);
}

/* The p-th percentile (0-100, nearest rank) of sorted samples, in
 * microseconds; 0 if there are none. */
static inline double
bench_percentile_us (const struct bench_latencies *l, double p)
{
  size_t rank;

  if (l->count == 0)
    return 0;
  rank = (size_t) (p / 100 * (double) l->count + 0.999999);
  if (rank < 1)
    rank = 1;
  if (rank > l->count)
    rank = l->count;
  return (double) l->ns[rank - 1] / 1000;
}

/* Free the samples. */
static inline void
bench_latencies_free (struct bench_latencies *l)
{
  free (l->ns);
  memset (l, 0, sizeof *l);
}

/* Next value of a xorshift64* generator (state must not be 0). */
static inline uint64_t
bench_random (uint64_t *state)
{
  uint64_t x = *state;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * UINT64_C (2685821657736338717);
}

/* Print r on stdout: one JSON object on one line (json), or a line of
 * text.  MB/s counts 10^6 bytes; latencies are per request. */
static inline void
bench_print_result (const struct bench_result *r, bool json)
{
  double seconds = r->seconds > 0 ? r->seconds : 1e-9;
  double mb_per_s = (double) r->bytes / seconds / 1e6;
  double iops = (double) r->requests / seconds;
  double gib = (double) r->bytes / (1024.0 * 1024 * 1024);
  double cpu_per_gib = gib > 0 ? r->cpu_seconds / gib : 0;
  double p50 = bench_percentile_us (r->latencies, 50);
  double p99 = bench_percentile_us (r->latencies, 99);

  if (json) {
    printf ("{\"tool\":\"%s\",\"mode\":\"%s\",\"pattern\":\"%s\","
            "\"rw\":\"%s\",\"mtu\":%u,\"queue_depth\":%u,"
            "\"request_size\":%llu,\"window\":%u,\"sectors_per_frame\":%u,"
            "\"bytes\":%llu,\"requests\":%llu,\"seconds\":%.6f,"
            "\"mb_per_s\":%.3f,\"iops\":%.1f,\"lat_p50_us\":%.1f,"
            "\"lat_p99_us\":%.1f,\"retransmits\":%llu,"
            "\"cpu_seconds\":%.4f,\"cpu_seconds_per_gib\":%.4f}\n",
            r->tool, r->mode, r->pattern, r->write ? "write" : "read",
            r->mtu, r->queue_depth, (unsigned long long) r->request_size,
            r->window, r->sectors_per_frame,
            (unsigned long long) r->bytes, (unsigned long long) r->requests,
            r->seconds, mb_per_s, iops, p50, p99,
            (unsigned long long) r->retransmits, r->cpu_seconds,
            cpu_per_gib);
  }
  else {
    printf ("%s %s %s: %llu bytes in %.2f s: %.1f MB/s, %.0f IOPS, "
            "latency p50 %.1f us p99 %.1f us, %llu retransmits, "
            "CPU %.2f s (%.2f s/GiB)\n",
            r->tool, r->pattern, r->write ? "write" : "read",
            (unsigned long long) r->bytes, r->seconds, mb_per_s, iops,
            p50, p99, (unsigned long long) r->retransmits, r->cpu_seconds,
            cpu_per_gib);
  }
  fflush (stdout);
}

#endif /* AOE_BENCH_UTIL_H */
