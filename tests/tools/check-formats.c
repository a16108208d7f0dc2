/* check-formats: fails the build when a string literal in initc's sources
 * holds a printf conversion that src/lib/format.c does not implement.
 *
 * gcc checks every call of str_format, out_format and the log functions
 * against its arguments, but it accepts the whole of printf (%f, %n, %m,
 * %ls ...), and initc's own formatter does not: it stops at such a
 * conversion. -Wformat=2 makes every format a literal, so reading every
 * literal (adjacent ones joined, as the compiler joins them) finds every
 * format. A literal that is not a format but holds a '%' is checked too,
 * which costs nothing: the rule is the formatter's own.
 *
 * usage: check-formats FILE...   (exit 1 and file:line for each finding) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One conversion at s (just past the '%'): true when the formatter takes
 * it; *end is set past it. The grammar is format.c's read_spec. */
static bool conversion_ok(const char *s, const char **end)
{
	bool has_length;

	s += strspn(s, "-+ #0");
	if (*s == '*')
		s++;
	else
		s += strspn(s, "0123456789");
	if (*s == '.') {
		s++;
		if (*s == '*')
			s++;
		else
			s += strspn(s, "0123456789");
	}
	has_length = strchr("hljzt", *s) && *s;
	if ((s[0] == 'h' && s[1] == 'h') || (s[0] == 'l' && s[1] == 'l'))
		s += 2;
	else if (has_length)
		s++;
	*end = *s ? s + 1 : s;
	if (*s == 'c' || *s == 's')
		return !has_length; /* %lc, %ls: wide characters */
	return *s && strchr("diouxXp%", *s);
}

/* Checks one literal (escapes left as written: a '%' is never escaped). */
static int check_literal(const char *file, int line, const char *text)
{
	int bad = 0;

	for (const char *p = strchr(text, '%'); p; p = strchr(p, '%')) {
		const char *end;

		if (!conversion_ok(p + 1, &end)) {
			fprintf(stderr, "%s:%d: \"%s\": the conversion '%.*s' is not one initc's "
				"formatter implements (see src/lib/format.c)\n",
				file, line, text, (int)(end - p), p);
			bad++;
		}
		p = end;
	}
	return bad;
}

/* A growable string for the literal being joined. */
struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, char c)
{
	if (t->len + 2 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->s = realloc(t->s, t->cap);
		if (!t->s) {
			perror("check-formats");
			exit(2);
		}
	}
	t->s[t->len++] = c;
	t->s[t->len] = '\0';
}

/* Skips a comment at *p, counting lines; true if there was one. */
static bool skip_comment(const char **p, int *line)
{
	const char *s = *p;

	if (s[0] == '/' && s[1] == '/') {
		s += strcspn(s, "\n");
	} else if (s[0] == '/' && s[1] == '*') {
		const char *e = strstr(s + 2, "*/");

		for (e = e ? e + 2 : s + strlen(s); s < e; s++)
			*line += *s == '\n';
	} else {
		return false;
	}
	*p = s;
	return true;
}

/* Copies a quoted literal at *p (a string or a character) into t. */
static void read_quoted(const char **p, int *line, struct text *t)
{
	const char *s = *p;
	char quote = *s++;

	while (*s && *s != quote) {
		if (*s == '\\' && s[1]) {
			if (t)
				text_add(t, *s);
			s++;
		}
		*line += *s == '\n';
		if (t)
			text_add(t, *s);
		s++;
	}
	*p = *s ? s + 1 : s;
}

static int check_source(const char *file, const char *src)
{
	struct text t = { 0 };
	int line = 1, start = 0, bad = 0;
	const char *p = src;

	while (*p) {
		if (skip_comment(&p, &line))
			continue;
		if (*p == '"') {
			if (!t.len && !start)
				start = line;
			read_quoted(&p, &line, &t);
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			line += *p++ == '\n';
			continue; /* adjacent literals join across white space */
		}
		if (start)
			bad += check_literal(file, start, t.s ? t.s : "");
		t.len = 0;
		start = 0;
		if (*p == '\'')
			read_quoted(&p, &line, NULL);
		else
			p++;
	}
	if (start)
		bad += check_literal(file, start, t.s ? t.s : "");
	free(t.s);
	return bad;
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!fp)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *bigger = realloc(buf, (cap = cap ? cap * 2 : 65536) + 1);

			if (!bigger) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = bigger;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	if (buf)
		buf[len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		char *src = read_file(argv[i]);

		if (!src) {
			perror(argv[i]);
			return 2;
		}
		bad += check_source(argv[i], src);
		free(src);
	}
	return bad ? 1 : 0;
}
