/*
 * uuid.h - random (version 4) UUIDs: the idempotency keys of operator
 * intents.  One key is made when the operator acts (a key press, a CLI
 * invocation) and carried through every retry, the journal and replays, so
 * one intent records once however often it is tried, and no clock is
 * involved.
 */
#ifndef MIDWATCH_UUID_H
#define MIDWATCH_UUID_H

#include <stddef.h>

/* Characters of a UUID in text, with its NUL. */
#define UUID_STRLEN 37

/* Writes a new random UUID ("8-4-4-4-12" lower-case hex) to out: 122
 * random bits from getrandom(2), else /dev/urandom; never fails. */
void uuid_v4(char out[UUID_STRLEN]);

/* Non-zero when s is a UUID as uuid_v4 writes it (any version). */
int uuid_valid(const char *s);

#endif
