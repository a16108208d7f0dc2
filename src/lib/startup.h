/* Start-up configuration, the pure parts (README, "Start-up
 * configuration"): the template expander, the INITC_ENV parser and the
 * environment that steps pass on. No I/O and no globals, so that unit
 * tests and fuzzers can drive them. */
#ifndef INITC_STARTUP_H
#define INITC_STARTUP_H

#include <stddef.h>

#include "parse.h"
#include "util.h"

/* The most initc reads of an INITC_ENV file or a NAME_FILE secret. */
#define STARTUP_FILE_MAX 65536

/* Renders a template of len bytes (any bytes, NULs too) into out:
 * ${NAME} and ${NAME:-default} from lookup (the default also when NAME is
 * empty), $${ as a literal ${, every other byte as it is. Returns 0, or -1
 * with "name:LINE: reason" in err (name is the template's path). */
int template_expand(const char *text, size_t len, const char *name, env_lookup_fn lookup,
		    void *ctx, struct sbuf *out, char *err, size_t errlen);

/* Parses what a step wrote to INITC_ENV: NAME=value lines (the value is
 * the rest of the line, taken as it is), blank lines skipped. Appends each
 * "NAME=value" to out. Returns 0, or -1 with "line N: reason" in err (out
 * may then hold the lines before the bad one: the caller frees it). */
int envfile_parse(const char *text, size_t len, struct strv *out, char *err, size_t errlen);

/* Puts entry ("NAME=value", or a bare "NAME" that removes NAME) into env,
 * in place of an entry of the same name: a later value wins and the list
 * stays one entry per name. Takes ownership of entry. */
void env_set(struct strv *env, char *entry);

/* An env_lookup_fn over ctx, a NULL-terminated "NAME=value" array; the
 * first entry of that name counts. */
const char *env_lookup_array(const char *name, bool has_default, void *ctx);

#endif
