/* Pure parsers for config values. */
#include "parse.h"
#include "format.h"

#include <ctype.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* A duration past ~31 years is certainly a typo. */
#define DURATION_MAX_MS 1000000000000LL
#define FACTOR_MAX_MILLI 100000U

const char *env_lookup_getenv(const char *name, bool has_default, void *ctx)
{
	(void)has_default;
	(void)ctx;
	return getenv(name);
}

static int __attribute__((format(printf, 2, 3))) fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	str_vformat(err, PARSE_ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

/* Parses "123" or "1.25" into thousandths without floating point, so the
 * same text always gives the same milliseconds. */
static const char *parse_decimal_milli(const char *s, int64_t *milli)
{
	int64_t whole = 0, frac = 0, scale = 100;
	const char *p = s;

	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return NULL;
	/* Saturate instead of overflowing: callers report "too large". */
	for (; isdigit((unsigned char)*p); p++)
		whole = whole > DURATION_MAX_MS ? whole : whole * 10 + (*p - '0');
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		for (; isdigit((unsigned char)*p); p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	*milli = whole * 1000 + frac;
	return p;
}

int parse_duration(const char *s, int64_t *ms, char *err)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = { { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
	static const char hint[] =
		"bad duration '%s'; use a number with a unit: 500ms, 2s, 1.5m, 1h (bare numbers are seconds)";
	int64_t milli;
	const char *unit = parse_decimal_milli(s, &milli);

	if (!unit)
		return fail(err, hint, s);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].suffix) != 0)
			continue;
		if (milli > DURATION_MAX_MS * 1000 / units[i].ms)
			return fail(err, "duration '%s' is too large", s);
		/* Round to the nearest millisecond: "1.5ms" is 2ms, "0.0001s" is 0. */
		*ms = (milli * units[i].ms + 500) / 1000;
		return 0;
	}
	return fail(err, hint, s);
}

int parse_bool(const char *s, bool *out, char *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (str_case_eqn(s, yes[i], SIZE_MAX)) {
			*out = true;
			return 0;
		}
		if (str_case_eqn(s, no[i], SIZE_MAX)) {
			*out = false;
			return 0;
		}
	}
	return fail(err, "bad boolean '%s'; use true or false", s);
}

const char *scan_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s))
		return NULL;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return NULL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return s;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out, char *err)
{
	const char *end;
	unsigned long v;

	if (!*s)
		return fail(err, "empty number; give a whole number such as 3");
	end = scan_ulong(s, max, &v);
	if (end && *end == '\0') {
		*out = v;
		return 0;
	}
	/* Digits all the way that did not fit: too large; else not a number. */
	for (end = s; isdigit((unsigned char)*end); end++)
		;
	if (*end)
		return fail(err, "bad number '%s'; give a whole number such as 3", s);
	return fail(err, "number '%.64s' is too large (at most %lu)", s, max);
}

int parse_factor(const char *s, unsigned *milli, char *err)
{
	int64_t v;
	const char *end = parse_decimal_milli(s, &v);

	if (!end || *end)
		return fail(err, "bad factor '%s'; give a number such as 2 or 1.5", s);
	if (v < 1000 || v > FACTOR_MAX_MILLI)
		return fail(err, "factor '%s' is out of range; give a number from 1 to 100", s);
	*milli = (unsigned)v;
	return 0;
}

static const char *const signal_names[] = {
	[SIGHUP] = "HUP",     [SIGINT] = "INT",	    [SIGQUIT] = "QUIT",	  [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP",   [SIGABRT] = "ABRT",   [SIGBUS] = "BUS",	  [SIGFPE] = "FPE",
	[SIGKILL] = "KILL",   [SIGUSR1] = "USR1",   [SIGSEGV] = "SEGV",	  [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM",   [SIGTERM] = "TERM",	  [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD",   [SIGCONT] = "CONT",   [SIGSTOP] = "STOP",	  [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN",   [SIGTTOU] = "TTOU",   [SIGURG] = "URG",	  [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ",   [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
	[SIGIO] = "IO",	      [SIGPWR] = "PWR",	    [SIGSYS] = "SYS",
};

#define N_SIGNAL_NAMES (int)(sizeof(signal_names) / sizeof(signal_names[0]))

const char *signal_name(int sig)
{
	if (sig > 0 && sig < N_SIGNAL_NAMES && signal_names[sig])
		return signal_names[sig];
	return "?";
}

void describe_wait_status(int wstatus, char *buf, size_t len)
{
	int sig = WTERMSIG(wstatus);

	if (!WIFSIGNALED(wstatus))
		str_format(buf, len, "exit status %d", WEXITSTATUS(wstatus));
	else if (strcmp(signal_name(sig), "?") == 0) /* real-time: no fixed name */
		str_format(buf, len, "killed by signal %d", sig);
	else
		str_format(buf, len, "killed by signal %d (SIG%s)", sig, signal_name(sig));
}

int parse_signal(const char *s, int *sig, char *err)
{
	const char *name = str_case_eqn(s, "SIG", 3) ? s + 3 : s;
	unsigned long n = 0;
	char ignored[PARSE_ERR_MAX];

	if (parse_uint(s, N_SIGNAL_NAMES - 1, &n, ignored) == 0 && n > 0 && signal_names[n]) {
		*sig = (int)n;
		return 0;
	}
	for (int i = 1; i < N_SIGNAL_NAMES; i++) {
		if (signal_names[i] && str_case_eqn(name, signal_names[i], SIZE_MAX)) {
			*sig = i;
			return 0;
		}
	}
	return fail(err, "unknown signal '%s'; use a name such as TERM, INT, QUIT or HUP", s);
}

static bool is_name_start(char c)
{
	return c == '_' || isalpha((unsigned char)c);
}

static bool is_name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

/* Expands the ${...} that starts at *pp (which points at '$') into out and
 * advances *pp past it. Handles "$$" too. A '$' followed by anything else
 * is literal. */
static int expand_one(const char **pp, env_lookup_fn lookup, void *ctx, struct sbuf *out,
		      char *err)
{
	const char *p = *pp, *name, *val, *def = NULL, *close;
	char var[128];
	size_t nlen;

	if (p[1] == '$') {
		sbuf_addc(out, '$');
		*pp = p + 2;
		return 0;
	}
	if (p[1] != '{') {
		sbuf_addc(out, '$');
		*pp = p + 1;
		return 0;
	}
	name = p + 2;
	if (!is_name_start(*name))
		return fail(err, "bad variable reference '${%.40s'; names are letters, digits and _", name);
	for (nlen = 1; is_name_char(name[nlen]); nlen++)
		;
	if (nlen >= sizeof(var))
		return fail(err, "variable name '%.40s...' is too long", name);
	memcpy(var, name, nlen);
	var[nlen] = '\0';
	close = name + nlen;
	if (close[0] == ':' && close[1] == '-') {
		def = close + 2;
		close = def + strcspn(def, "}");
		if (!*close)
			return fail(err, "unterminated '${%.64s:-': add the closing '}'", var);
		for (const char *q = def; q < close; q++)
			if (q[0] == '$' && q[1] == '{')
				return fail(err, "nested '${' in the default of ${%.64s}; "
						 "defaults are plain text", var);
	} else if (*close != '}') {
		if (!*close)
			return fail(err, "unterminated '${%.64s': add the closing '}'", var);
		return fail(err, "unsupported form '${%.64s%c...}'; use ${%.64s} or ${%.64s:-default}",
			    var, *close, var, var);
	}
	val = lookup(var, def != NULL, ctx);
	if (def && (!val || !*val))
		sbuf_add(out, def, (size_t)(close - def));
	else if (val)
		sbuf_add(out, val, strlen(val));
	else {
		return fail(err,
			    "variable %.64s is not set; set it in initc's environment or give a default: ${%.64s:-value}",
			    var, var);
	}
	*pp = close + 1;
	return 0;
}

int expand_vars(const char *in, env_lookup_fn lookup, void *ctx, char **out, char *err)
{
	struct sbuf b = { 0 };
	const char *p = in;

	while (*p) {
		if (*p == '$') {
			if (expand_one(&p, lookup, ctx, &b, err) == -1) {
				free(b.s);
				return -1;
			}
			continue;
		}
		sbuf_addc(&b, *p++);
	}
	*out = sbuf_take(&b);
	return 0;
}

/* Inside double quotes a backslash only escapes these, as in sh. */
static bool dquote_escapable(char c)
{
	return c == '"' || c == '\\' || c == '$' || c == '`';
}

int split_words(const char *in, env_lookup_fn lookup, void *ctx, struct strv *out, char *err)
{
	struct sbuf word = { 0 };
	bool in_word = false;
	const char *p = in;
	char quote = 0;

	while (*p) {
		char c = *p;

		if (c == '$' && lookup && (p[1] == '{' || p[1] == '$')) {
			/* First, whatever the quoting: one rule for '$'. */
			if (expand_one(&p, lookup, ctx, &word, err) == -1)
				goto error;
			in_word = true;
		} else if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				sbuf_addc(&word, c);
			p++;
		} else if (c == '\\') {
			if (!p[1]) {
				fail(err, "trailing backslash; remove it or write \\\\");
				goto error;
			}
			if (lookup && p[1] == '$' && (p[2] == '{' || p[2] == '$')) {
				fail(err, "'\\%.2s': a backslash does not stop initc's expansion of ${...} "
					  "and $$; write $$ for a literal $ ($${ gives ${)", p + 1);
				goto error;
			}
			if (quote == '"' && !dquote_escapable(p[1]))
				sbuf_addc(&word, c);
			sbuf_addc(&word, p[1]);
			in_word = true; /* "\;" alone is a word */
			p += 2;
		} else if (c == '"') {
			quote = quote ? 0 : '"';
			in_word = true;
			p++;
		} else if (quote) {
			sbuf_addc(&word, c);
			p++;
		} else if (c == '\'') {
			quote = '\'';
			in_word = true;
			p++;
		} else if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				strv_push(out, sbuf_take(&word));
			in_word = false;
			p++;
		} else {
			sbuf_addc(&word, c);
			in_word = true;
			p++;
		}
	}
	if (quote) {
		fail(err, "unterminated %s quote; add the closing %c", quote == '"' ? "double" : "single",
		     quote);
		goto error;
	}
	if (in_word)
		strv_push(out, sbuf_take(&word));
	return 0;
error:
	free(word.s);
	strv_free(out);
	return -1;
}

int64_t backoff_delay_ms(int64_t first, unsigned factor_milli, int64_t max, unsigned n)
{
	int64_t d = first;

	/* The loop ends when d reaches max or stops changing (factor 1, a
	 * delay of 0, or one too small to grow by a whole millisecond): at
	 * most a few thousand rounds whatever n is, so retry n costs the same
	 * as retry 2. */
	for (unsigned i = 1; i < n && d < max; i++) {
		/* first and max are capped far below INT64_MAX / factor: no overflow. */
		int64_t next = d * factor_milli / 1000;

		if (next == d)
			break;
		d = next;
	}
	return d < max ? d : max;
}

unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[64], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la >= 64 || lb >= 64)
		return 64;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void format_duration(int64_t ms, char *buf, size_t len)
{
	if (ms % 3600000 == 0 && ms >= 3600000)
		str_format(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0 && ms >= 60000)
		str_format(buf, len, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		str_format(buf, len, "%llds", (long long)(ms / 1000));
	else
		str_format(buf, len, "%lldms", (long long)ms);
}

/* wait_tcp targets: checked when the config is loaded, split again by the
 * probe at each attempt. */
int parse_host_port(const char *target, char *host, size_t hlen, char *port, size_t plen,
		    char *err, size_t elen)
{
	const char *colon, *h = target;
	size_t n;
	unsigned long p = 0; /* parse_uint sets it; 0 for clang-tidy's analyzer */
	char perr[PARSE_ERR_MAX];

	if (target[0] == '[') {
		const char *close = strchr(target, ']');

		if (!close || close[1] != ':') {
			str_format(err, elen, "bad address '%s'; write [v6addr]:port", target);
			return -1;
		}
		h = target + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(target, ':');
		if (!colon || strchr(target, ':') != colon) {
			str_format(err, elen, "bad address '%s'; write host:port (IPv6: [addr]:port)",
				   target);
			return -1;
		}
		n = (size_t)(colon - target);
	}
	if (n == 0 || n >= hlen || parse_uint(colon + 1, 65535, &p, perr) == -1 || p == 0) {
		str_format(err, elen, "bad address '%s'; write host:port with a port from 1 to 65535",
			   target);
		return -1;
	}
	str_format(host, hlen, "%.*s", (int)n, h);
	str_format(port, plen, "%lu", p);
	return 0;
}
