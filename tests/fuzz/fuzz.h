/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * The entry point every libFuzzer harness in tests/fuzz/ defines; also
 * called by tests/fuzz/replay.c, which runs a harness over files without
 * libFuzzer (the meson unit tests built with any compiler). */
#ifndef AOE_FUZZ_H
#define AOE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input; always returns 0 (a broken promise aborts). */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#endif /* AOE_FUZZ_H */
