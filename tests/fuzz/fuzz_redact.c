/*
 * fuzz_redact.c - fuzz target: secrets found by the shape of the value
 * (redact_text, src/core/redact.c and redact_tokens.c), by the name of the
 * key (redact_is_secret_key), and the fingerprint of error messages that
 * follows redaction at ingest (ingest_fingerprint, ingest_fingerprint.c).
 *
 * Invariants: redacting is idempotent (its output holds nothing to
 * redact), redact_text_changed is NULL exactly when nothing was found and
 * otherwise equals redact_text, found counts agree, valid UTF-8 stays
 * valid UTF-8; a fingerprint is 16 lowercase hex digits, and the
 * normalised message stays valid UTF-8.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/ingest.h"
#include "midwatch/redact.h"

static void
check_redact(const char *s)
{
	char *out, *changed, *again;
	int n, n2, n3;

	out = redact_text(s, &n);
	changed = redact_text_changed(s, &n2);
	FUZZ_CHECK(n == n2, "both count the same secrets");
	FUZZ_CHECK((changed == NULL) == (n == 0), "changed when found");
	FUZZ_CHECK(strcmp(out, changed != NULL ? changed : s) == 0,
	    "both redact the same");
	if (n == 0)
		FUZZ_CHECK(strcmp(out, s) == 0, "nothing found, nothing changed");
	if (fuzz_utf8_valid(s, strlen(s)))
		FUZZ_CHECK(fuzz_utf8_valid(out, strlen(out)),
		    "valid UTF-8 stays valid");
	again = redact_text_changed(out, &n3);
	if (again != NULL)
		fuzz_fail("redacting again found %d more in: %s", n3, out);
	free(changed);
	free(out);
}

static void
check_fingerprint(const char *s)
{
	char *fp = ingest_fingerprint(s), *norm;
	size_t i;

	FUZZ_CHECK(strlen(fp) == 16, "a fingerprint is 16 digits");
	for (i = 0; i < 16; i++)
		FUZZ_CHECK((fp[i] >= '0' && fp[i] <= '9') ||
		    (fp[i] >= 'a' && fp[i] <= 'f'), "of lowercase hex");
	norm = ingest_fingerprint_normalize(s);
	if (fuzz_utf8_valid(s, strlen(s)))
		FUZZ_CHECK(fuzz_utf8_valid(norm, strlen(norm)),
		    "normalising keeps UTF-8 valid");
	free(norm);
	free(fp);
}

static void
check_text(const char *s)
{
	check_redact(s);
	redact_is_secret_key(s);
	check_fingerprint(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text(data, size, check_text);
}
