/*
 * redact.h - finding secrets in text by the shape of the value, and in
 * key/value data by the name of the key.  Pure functions (no database, no
 * I/O, no regex library): ingest runs every text field of every kind
 * through them before anything is stored (doc/reliability.md, "Secrets").
 *
 * What is found: Authorization headers (Bearer, Basic, token, Digest...),
 * bare "Bearer <token>" and "Basic <base64 user:pass>", JWTs, private key
 * blocks, the key formats of cloud, code-forge, chat, payment and other
 * providers (AWS, GCP, Azure, GitHub, GitLab, Slack, Stripe, npm, PyPI,
 * SendGrid, Twilio, ... the shapes secret scanners such as gitleaks ship),
 * chat webhook URLs, "key=value" / "key: value" / "\"key\":\"value\"" pairs
 * whose key is secret-like, and the password of URL userinfo
 * ("scheme://user:pass@host").  Not found, on purpose: hex ids (git shas,
 * trace ids), UUIDs, service and metric names, numbers.
 */
#ifndef MIDWATCH_REDACT_H
#define MIDWATCH_REDACT_H

/* What replaces a secret found by its key (or URL position); a secret of a
 * known format becomes "[redacted:KIND]" ("[redacted:github]"). */
#define REDACT_MARK "[redacted]"

/*
 * 1 when a field or key name looks like it names a secret: it contains
 * password, passwd, passphrase, secret, token, api_key, apikey,
 * private_key, credential, creds, access_key, signing_key, cookie, ... or
 * "auth" (but not "author"/"authorization"), or one of its '_'/'-'/'.'
 * separated words is pwd, pw, pass, dsn, jwt or sig; "key" only when it is
 * the whole name.  Case-insensitive.  0 for NULL.
 */
int redact_is_secret_key(const char *name);

/*
 * A malloc'd copy of s in which every secret found is replaced by
 * REDACT_MARK or "[redacted:KIND]"; *n_found (when not NULL) gets how many
 * were replaced.  Idempotent: redacting the result again finds nothing.
 * NULL only for NULL.
 */
char *redact_text(const char *s, int *n_found);

/* As redact_text, but NULL (and *n_found 0) when nothing was found, so the
 * common case costs one scan and no copy. */
char *redact_text_changed(const char *s, int *n_found);

/* 1 when s starts with a redaction marker ("[redacted" ...). */
int redact_is_marker(const char *s);

#endif
