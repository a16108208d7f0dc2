/* libFuzzer harness for the start-up configuration parsers: the template
 * expander (first byte even) and the INITC_ENV parser (odd), on the raw
 * bytes, NULs included, as initc reads them from files. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "startup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const fake_env[] = { "HOST=db.local", "EMPTY=", "DOLLAR=${HOST}", "SPACED=a b",
				  NULL };

static void fuzz_template(const char *text, size_t len)
{
	struct sbuf out = { 0 };
	char err[256];

	if (template_expand(text, len, "fuzz.tmpl", env_lookup_array, (void *)fake_env, &out, err,
			    sizeof(err)) == 0 &&
	    !memchr(text, '$', len) && (out.len != len || memcmp(out.s, text, len) != 0))
		abort(); /* without a '$', every byte is copied as it is */
	free(out.s);
}

static void fuzz_envfile(const char *text, size_t len)
{
	struct strv out = { 0 }, env = { 0 };
	char err[256];

	if (envfile_parse(text, len, &out, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < out.n; i++) {
			if (!strchr(out.v[i], '='))
				abort(); /* every accepted line is NAME=value */
			env_set(&env, xstrdup(out.v[i]));
		}
	}
	strv_free(&out);
	strv_free(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;

	if (size < 1)
		return 0;
	/* An exact-size copy, so that ASan sees any read past the end. */
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	if (data[0] % 2 == 0)
		fuzz_template(copy, size - 1);
	else
		fuzz_envfile(copy, size - 1);
	free(copy);
	return 0;
}
