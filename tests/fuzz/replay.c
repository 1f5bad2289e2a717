/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Run a fuzz harness over files without libFuzzer:
 *
 *   fuzz-X-replay FILE...
 *
 * Each file is one input.  Used by meson to run the harnesses over their
 * seed corpus (the .bin files in tests/fixtures/ and tests/fuzz/seeds/)
 * as unit tests with the project's usual compiler, and to replay a crash
 * file found by a long fuzz run. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* Largest input read from a file. */
#define MAX_INPUT (1 << 20)

int
main (int argc, char *argv[])
{
  static uint8_t data[MAX_INPUT];
  int i;

  if (argc < 2) {
    fprintf (stderr, "usage: %s FILE...\n", argv[0]);
    return EXIT_FAILURE;
  }
  for (i = 1; i < argc; i++) {
    FILE *f = fopen (argv[i], "rb");
    size_t n;

    if (f == NULL) {
      perror (argv[i]);
      return EXIT_FAILURE;
    }
    n = fread (data, 1, sizeof data, f);
    fclose (f);
    LLVMFuzzerTestOneInput (data, n);
  }
  printf ("%s: %d inputs ok\n", argv[0], argc - 1);
  return EXIT_SUCCESS;
}
