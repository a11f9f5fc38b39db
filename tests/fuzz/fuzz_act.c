/*
 * fuzz_act.c - fuzz target: a tracker's answer to create_or_update_task
 * (any text, as the HTTP body arrives) through notify_act_task_id
 * (src/notify/notify_act.c), which finds the task id kept in the action
 * run's result and shown by `act --list` and the console.
 *
 * Invariants: a task id is NULL or non-empty valid UTF-8 on one line, with
 * no control, no bidi or invisible character; an answer that is no JSON
 * object names none.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "midwatch/notify.h"

static void
check(const char *answer)
{
	char *id = notify_act_task_id(answer);
	json_t *j = json_loads(answer, 0, NULL);
	size_t i, n;

	if (!json_is_object(j))
		FUZZ_CHECK(id == NULL, "no object, no task id");
	json_decref(j);
	if (id == NULL)
		return;
	n = strlen(id);
	FUZZ_CHECK(n > 0 && fuzz_utf8_valid(id, n),
	    "a task id is non-empty valid UTF-8");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)id[i] >= 0x20 && id[i] != 0x7f,
		    "a task id has no control");
	FUZZ_CHECK(strstr(id, "\xe2\x80\xae") == NULL &&
	    strstr(id, "\xe2\x80\x8b") == NULL, "a task id has no bidi override "
	    "or zero-width space");
	free(id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text(data, size, check);
}
