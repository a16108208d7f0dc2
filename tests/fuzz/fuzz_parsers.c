/* libFuzzer harness for the pure parsers, one per run chosen by the first
 * byte: durations, numbers, factors, booleans, signals, word splitting and
 * ${VAR} expansion (with a fake environment), host:port splitting, and
 * user resolution from fuzzed passwd/group files. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "probe.h"
#include "user.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char passwd_path[128], group_path[128];

/* A fixed environment with the awkward cases: empty, spaces, a value that
 * looks like a reference (must not be expanded again). */
static const char *fake_env(const char *name, bool has_default, void *ctx)
{
	(void)has_default;
	static const char *const vars[][2] = {
		{ "HOST", "db.local" }, { "EMPTY", "" }, { "SPACED", "a b  c" },
		{ "DOLLAR", "${HOST}" }, { "QUOTE", "'\"\\" },
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strcmp(name, vars[i][0]) == 0)
			return vars[i][1];
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void)argc;
	(void)argv;
	log_setup(LOG_SILENT, LOG_TEXT);
	snprintf(passwd_path, sizeof(passwd_path), "%s/initc-fuzz-passwd.%d", dir, (int)getpid());
	snprintf(group_path, sizeof(group_path), "%s/initc-fuzz-group.%d", dir, (int)getpid());
	return 0;
}

static void write_whole(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* "spec\0passwd\0group": the spec resolved against the two files. s holds
 * len bytes and a NUL at s[len]. */
static void fuzz_user(const char *s, size_t len)
{
	const char *end = s + len, *passwd, *group;
	struct creds c;
	char err[256];

	passwd = s + strlen(s);
	if (passwd < end)
		passwd++;
	group = passwd + strlen(passwd);
	if (group < end)
		group++;
	write_whole(passwd_path, passwd, strlen(passwd));
	write_whole(group_path, group, strlen(group));
	user_resolve_in(s, passwd_path, group_path, &c, err, sizeof(err));
	creds_free(&c);
	unlink(passwd_path);
	unlink(group_path);
}

static void fuzz_words(const char *s, bool expand)
{
	struct strv words = { 0 };
	char err[PARSE_ERR_MAX];

	if (split_words(s, expand ? fake_env : NULL, NULL, &words, err) == 0)
		strv_free(&words);
}

static void fuzz_numbers(const char *s)
{
	char err[PARSE_ERR_MAX], buf[32];
	int64_t ms;
	unsigned long n;
	unsigned milli;
	bool b;
	int sig;

	if (parse_duration(s, &ms, err) == 0) {
		format_duration(ms, buf, sizeof(buf));
		backoff_delay_ms(ms, 100000, ms * 2 + 1, 50);
	}
	if (parse_uint(s, 1000000, &n, err) == 0)
		backoff_delay_ms(1000, 2000, 30000, (unsigned)n);
	if (parse_factor(s, &milli, err) == 0)
		backoff_delay_ms(1000, milli, 1000000000000LL, 60);
	parse_bool(s, &b, err);
	if (parse_signal(s, &sig, err) == 0)
		signal_name(sig);
	edit_distance(s, "retries");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *out, err[PARSE_ERR_MAX], host[256], port[16];

	if (size < 1)
		return 0;
	/* A NUL-terminated copy, so the parsers see C strings as in initc. */
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		fuzz_numbers(s);
		break;
	case 1:
		fuzz_words(s, data[0] & 0x80);
		break;
	case 2:
		if (expand_vars(s, fake_env, NULL, &out, err) == 0)
			free(out);
		break;
	case 3:
		parse_host_port(s, host, sizeof(host), port, sizeof(port), err, sizeof(err));
		break;
	case 4:
		fuzz_user(s, size - 1);
		break;
	}
	free(s);
	return 0;
}
