/* Unit tests for src/lib/startup.c: the template expander, the INITC_ENV
 * parser and env_set. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "startup.h"

static char *const env[] = { "HOST=db.local", "EMPTY=", "PORT=5432", "X==a=b", NULL };

/* Renders text (its strlen) with env; returns the output or the error. */
static char *render(const char *text, int *rc)
{
	struct sbuf out = { 0 };
	char err[256];

	*rc = template_expand(text, strlen(text), "t.conf", env_lookup_array, (void *)env, &out,
			      err, sizeof(err));
	if (*rc == -1) {
		free(out.s);
		return strdup(err);
	}
	return sbuf_take(&out);
}

static void assert_renders(const char *text, const char *want)
{
	int rc;
	char *got = render(text, &rc);

	ck_assert_msg(rc == 0, "'%s' failed: %s", text, got);
	ck_assert_str_eq(got, want);
	free(got);
}

static void assert_fails(const char *text, const char *want)
{
	int rc;
	char *got = render(text, &rc);

	ck_assert_msg(rc == -1, "'%s' rendered as '%s'", text, got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_template_replaces_variables)
{
	assert_renders("server ${HOST}:${PORT};\n", "server db.local:5432;\n");
	assert_renders("${MISSING:-fallback} ${EMPTY:-e} ${HOST:-x}", "fallback e db.local");
	assert_renders("${X}", "=a=b");
	assert_renders("", "");
}
END_TEST

/* nginx's own variables and other lone dollars are not initc's business. */
START_TEST(test_template_copies_other_bytes)
{
	assert_renders("proxy_set_header Host $host; $1 $ $$ $}", "proxy_set_header Host $host; $1 $ $$ $}");
	/* Left to right: a lone "$", then "$${" (a literal "${"). */
	assert_renders("$${HOST} $$${HOST}", "${HOST} $${HOST}");
	assert_renders("end $", "end $");
	assert_renders("{ } ${HOST}}", "{ } db.local}");
}
END_TEST

START_TEST(test_template_errors_name_line)
{
	assert_fails("a\nb\n${NOPE}\n", "t.conf:3: NOPE is not set");
	assert_fails("x ${1abc}", "t.conf:1: '${' starts no variable name (names are letters, digits and _); write $${ for a literal ${");
	assert_fails("\n${HOST", "t.conf:2: '${HOST' has no closing '}' on its line");
	assert_fails("${A:-x\n}", "t.conf:1: '${A' has no closing '}' on its line");
	assert_fails("${A:-${B}}", "t.conf:1: nested '${' in the default of ${A}; defaults are plain text");
	assert_fails("${HOST:x}", "t.conf:1: '${HOST' has no closing '}' on its line");
}
END_TEST

START_TEST(test_template_keeps_nul_bytes)
{
	static const char text[] = "a\0${HOST}\0b";
	struct sbuf out = { 0 };
	char err[256];

	ck_assert_int_eq(template_expand(text, sizeof(text) - 1, "t", env_lookup_array, (void *)env,
					 &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(out.len, 12);
	ck_assert_mem_eq(out.s, "a\0db.local\0b", 12);
	free(out.s);
}
END_TEST

static int parse(const char *text, struct strv *out, char *err)
{
	return envfile_parse(text, strlen(text), out, err, 256);
}

START_TEST(test_envfile_parses_lines)
{
	struct strv out = { 0 };
	char err[256];

	ck_assert_int_eq(parse("A=1\n\nB_2=x=y \nEMPTY=\nLAST=no newline", &out, err), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_str_eq(out.v[0], "A=1");
	ck_assert_str_eq(out.v[1], "B_2=x=y ");
	ck_assert_str_eq(out.v[2], "EMPTY=");
	ck_assert_str_eq(out.v[3], "LAST=no newline");
	strv_free(&out);
	ck_assert_int_eq(parse("", &out, err), 0);
	ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(test_envfile_rejects_bad_lines)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "A=1\nnot a pair\n", "line 2: 'not a pair' is not NAME=value" },
		{ "=x", "line 1: bad variable name ''; use letters, digits and _, not starting with a digit" },
		{ "A=1\n\n9X=1", "line 3: bad variable name '9X'; use letters, digits and _, not starting with a digit" },
		{ "MY-VAR=1", "line 1: bad variable name 'MY-VAR'; use letters, digits and _, not starting with a digit" },
		{ " A=1", "line 1: bad variable name ' A'; use letters, digits and _, not starting with a digit" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strv out = { 0 };
		char err[256];

		ck_assert_int_eq(parse(cases[i].text, &out, err), -1);
		ck_assert_str_eq(err, cases[i].err);
		strv_free(&out);
	}
}
END_TEST

START_TEST(test_envfile_rejects_nul)
{
	static const char text[] = "A=1\nB=x\0y\n";
	struct strv out = { 0 };
	char err[256];

	ck_assert_int_eq(envfile_parse(text, sizeof(text) - 1, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 2: contains a NUL byte");
	strv_free(&out);
}
END_TEST

START_TEST(test_env_set_later_wins)
{
	struct strv e = { 0 };

	env_set(&e, strdup("A=1"));
	env_set(&e, strdup("B_FILE"));
	env_set(&e, strdup("AB=2"));
	env_set(&e, strdup("A=3"));
	env_set(&e, strdup("B_FILE=x"));
	ck_assert_uint_eq(e.n, 3);
	ck_assert_str_eq(e.v[0], "A=3");
	ck_assert_str_eq(e.v[1], "B_FILE=x");
	ck_assert_str_eq(e.v[2], "AB=2");
	ck_assert_ptr_null(e.v[3]);
	ck_assert_str_eq(env_lookup_array("AB", false, e.v), "2");
	ck_assert_ptr_null(env_lookup_array("B", false, e.v));
	strv_free(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("startup");
	TCase *tc = tcase_create("startup");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_template_replaces_variables);
	tcase_add_test(tc, test_template_copies_other_bytes);
	tcase_add_test(tc, test_template_errors_name_line);
	tcase_add_test(tc, test_template_keeps_nul_bytes);
	tcase_add_test(tc, test_envfile_parses_lines);
	tcase_add_test(tc, test_envfile_rejects_bad_lines);
	tcase_add_test(tc, test_envfile_rejects_nul);
	tcase_add_test(tc, test_env_set_later_wins);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
