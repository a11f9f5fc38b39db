/*
 * uuid.c - random (version 4) UUIDs for idempotency keys (uuid.h).  The
 * bits come from the kernel (getrandom, else /dev/urandom); should both
 * fail, a mix of the time, the pid, a counter and the address space keeps
 * keys unique within a machine, which is what an intent's key needs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "midwatch/uuid.h"

/* Fills buf with len random bytes; 0, or -1 when the kernel gave none. */
static int
uuid_random(unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno != EINTR)
			break;
	}
	if (got == len)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	close(fd);
	return got == len ? 0 : -1;
}

/* The fallback: unique per process and call, not unpredictable. */
static void
uuid_fallback(unsigned char b[16])
{
	static uint64_t counter;
	struct timespec ts;
	uint64_t x, y;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 40);
	y = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED) ^
	    (uint64_t)(uintptr_t)&ts;
	memcpy(b, &x, 8);
	memcpy(b + 8, &y, 8);
}

void
uuid_v4(char out[UUID_STRLEN])
{
	unsigned char b[16];

	if (uuid_random(b, sizeof b) != 0)
		uuid_fallback(b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, UUID_STRLEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int
uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != UUID_STRLEN - 1)
		return 0;
	for (i = 0; i < UUID_STRLEN - 1; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}
