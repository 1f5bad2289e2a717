/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (C) 2026 The libaoe authors
 *
 * Thread-local errors: the message and errno of the last failed call in
 * each thread (modelled on libnbd's lib/errors.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The error state of one thread. */
struct last_error {
  char *message;        /* "function: what went wrong", or NULL */
  int errnum;           /* its errno, 0 if unknown */
};

/* Key of each thread's struct last_error (freed when the thread exits). */
static pthread_key_t error_key;

/* Creates error_key exactly once. */
static pthread_once_t error_key_once = PTHREAD_ONCE_INIT;

/* The public function currently running in this thread, for messages. */
static __thread const char *error_context;

/* Destructor of error_key: free a thread's error when it exits. */
static void
free_last_error (void *ptr)
{
  struct last_error *last = ptr;

  free (last->message);
  free (last);
}

/* Create error_key (pthread_once callback). */
static void
create_error_key (void)
{
  pthread_key_create (&error_key, free_last_error);
}

/* This thread's error state, created on first use; NULL only if memory
 * runs out. */
static struct last_error *
get_last_error (void)
{
  struct last_error *last;

  pthread_once (&error_key_once, create_error_key);
  last = pthread_getspecific (error_key);
  if (last == NULL) {
    last = calloc (1, sizeof *last);
    if (last == NULL)
      return NULL;
    if (pthread_setspecific (error_key, last) != 0) {
      free (last);
      return NULL;
    }
  }
  return last;
}

void
aoe_internal_set_error_context (const char *function)
{
  error_context = function;
}

void
aoe_internal_set_error (int errnum, const char *fmt, ...)
{
  struct last_error *last = get_last_error ();
  char *text = NULL, *message = NULL;
  va_list args;

  if (last != NULL) {
    va_start (args, fmt);
    if (vasprintf (&text, fmt, args) == -1)
      text = NULL;
    va_end (args);
    if (text != NULL && error_context != NULL) {
      if (asprintf (&message, "%s: %s", error_context, text) == -1)
        message = NULL;
      free (text);
    }
    else
      message = text;
    free (last->message);
    last->message = message;
    last->errnum = errnum;
  }
  errno = errnum;
}

const char *
aoe_get_error (void)
{
  struct last_error *last = get_last_error ();

  return last ? last->message : NULL;
}

int
aoe_get_errno (void)
{
  struct last_error *last = get_last_error ();

  return last ? last->errnum : 0;
}
