/* Text formatting without stdio's printf, and UTC timestamps without
 * gmtime_r, and error messages without strerror.
 *
 * musl's printf engine is 10 KiB of the static binary (a quarter of it
 * floating point, which initc never prints), so initc formats with its own:
 * every conversion of C's printf but floating point and %n (and glibc's
 * %m): %d %i %o %u %x %X %c %s %p %%, the flags - + space # 0, a width and
 * a precision (digits or *), and the lengths hh h l ll j z t. gcc checks
 * every call against its arguments through the printf format attribute in
 * format.h, and tests/tools/check-formats.c fails the build on a conversion that
 * gcc accepts but this engine does not; tests/test_format.c compares the
 * output with the C library's snprintf. */
#include "format.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Where formatted bytes go: a string (fd -1), or a buffer flushed to fd. */
struct sink {
	char *buf;
	size_t cap;
	size_t used;
	size_t total; /* every byte produced, also those a full string dropped */
	int fd;
};

/* Writes everything buffered to the sink's fd; errors are dropped, as with
 * printf to a closed stdout: there is nobody left to tell. */
static void sink_flush(struct sink *s)
{
	size_t off = 0;

	while (off < s->used) {
		ssize_t n = write(s->fd, s->buf + off, s->used - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	s->used = 0;
}

static void sink_put(struct sink *s, const char *p, size_t n)
{
	s->total += n;
	while (n > 0) {
		size_t k = s->cap - s->used;

		if (k == 0) {
			if (s->fd < 0)
				return; /* a string: the rest is truncated */
			sink_flush(s);
			k = s->cap;
		}
		if (k > n)
			k = n;
		memcpy(s->buf + s->used, p, k);
		s->used += k;
		p += k;
		n -= k;
	}
}

static void sink_pad(struct sink *s, char c, size_t n)
{
	while (n-- > 0)
		sink_put(s, &c, 1);
}

/* One conversion of the format: "%[flags][width][.precision][length]C". */
struct spec {
	bool left;    /* '-': pad on the right */
	bool zero;    /* '0': pad numbers with zeros */
	bool alt;     /* '#': 0x before hex, a leading 0 for octal */
	char sign;    /* '+' or ' ' before a non-negative number, or 0 */
	size_t width;
	size_t precision; /* SIZE_MAX: none */
	char length;      /* 'H' (hh), 'h', 0, 'l', 'q' (ll, j), 'z' (z, t) */
};

static void put_padding(struct sink *s, const struct spec *sp, size_t len, bool before)
{
	if (sp->width > len && sp->left != before)
		sink_pad(s, ' ', sp->width - len);
}

/* A number: sign or prefix, zeros for the precision or the '0' flag, the
 * digits, all within the field width. */
static void put_number(struct sink *s, const struct spec *sp, unsigned long long v,
		       const char *prefix, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];
	size_t n = 0, plen = strlen(prefix), zeros = 0, len;

	/* A precision of 0 prints no digit for 0 (but '#' keeps octal's 0). */
	if (v || sp->precision != 0 || (base == 8 && sp->alt))
		do {
			digits[sizeof(digits) - ++n] = set[v % base];
			v /= base;
		} while (v);
	if (base == 8 && sp->alt && digits[sizeof(digits) - n] != '0' &&
	    (sp->precision == SIZE_MAX || sp->precision <= n))
		zeros = 1;
	if (sp->precision != SIZE_MAX && sp->precision > n)
		zeros = sp->precision - n;
	len = plen + zeros + n;
	/* '0' pads with zeros only when there is no precision and no '-'. */
	if (sp->zero && !sp->left && sp->precision == SIZE_MAX && sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	put_padding(s, sp, len, true);
	sink_put(s, prefix, plen);
	sink_pad(s, '0', zeros);
	sink_put(s, digits + sizeof(digits) - n, n);
	put_padding(s, sp, len, false);
}

static void put_signed(struct sink *s, const struct spec *sp, long long v)
{
	/* -(v + 1) + 1: no overflow for LLONG_MIN. */
	unsigned long long mag = v < 0 ? (unsigned long long)-(v + 1) + 1 : (unsigned long long)v;
	char sign[2] = { sp->sign, '\0' };

	if (v < 0)
		sign[0] = '-';

	put_number(s, sp, mag, sign, 10, false);
}

static void put_bytes(struct sink *s, const struct spec *sp, const char *p, size_t n)
{
	put_padding(s, sp, n, true);
	sink_put(s, p, n);
	put_padding(s, sp, n, false);
}

static void put_string(struct sink *s, const struct spec *sp, const char *str)
{
	size_t n = 0;

	if (!str)
		str = "(null)";
	while (n < sp->precision && str[n])
		n++;
	put_bytes(s, sp, str, n);
}

/* A width or precision: digits, or '*' for an int argument. */
static long read_count(const char **f, va_list *ap)
{
	long n = 0;

	if (**f == '*') {
		++*f;
		return va_arg(*ap, int);
	}
	for (; **f >= '0' && **f <= '9'; ++*f)
		n = n * 10 + (**f - '0');
	return n;
}

/* Reads flags, width, precision and length at *fmt; moves *fmt past them. */
static void read_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;
	long width;

	memset(sp, 0, sizeof(*sp));
	sp->precision = SIZE_MAX;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '+')
			sp->sign = '+';
		else if (*f == ' ' && !sp->sign)
			sp->sign = ' '; /* ' ' after '+' changes nothing */
		else if (*f != ' ')
			break;
	}
	width = read_count(&f, ap);
	/* A negative '*' width is the '-' flag and its magnitude. */
	if (width < 0) {
		sp->left = true;
		width = -width;
	}
	sp->width = (size_t)width;
	if (*f == '.') {
		long p;

		f++;
		p = read_count(&f, ap);
		sp->precision = p < 0 ? SIZE_MAX : (size_t)p; /* negative: none */
	}
	if (f[0] == 'h')
		sp->length = f[1] == 'h' ? 'H' : 'h';
	else if (f[0] == 'l')
		sp->length = f[1] == 'l' ? 'q' : 'l';
	else if (*f == 'j')
		sp->length = 'q';
	else if (*f == 'z' || *f == 't')
		sp->length = 'z';
	if (sp->length)
		f += sp->length == 'H' || (sp->length == 'q' && *f == 'l') ? 2 : 1;
	*fmt = f;
}

/* The value of a %d or %i argument of the given length. */
static long long arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'q':
		return va_arg(*ap, long long);
	case 'l':
	case 'z': /* ptrdiff_t and ssize_t are long on every Linux ABI */
		return va_arg(*ap, long);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'H':
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'q':
		return va_arg(*ap, unsigned long long);
	case 'l':
	case 'z': /* size_t is unsigned long on every Linux ABI */
		return va_arg(*ap, unsigned long);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned);
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* An unsigned conversion: o, u, x or X. */
static void put_unsigned(struct sink *s, const struct spec *sp, char c, unsigned long long v)
{
	unsigned base = c == 'o' ? 8 : c == 'u' ? 10 : 16;
	const char *prefix = "";

	if (base == 16 && sp->alt && v)
		prefix = c == 'X' ? "0X" : "0x";
	put_number(s, sp, v, prefix, base, c == 'X');
}

/* %p as glibc prints it: "(nil)" for NULL, else 0x and the hex digits. */
static void put_pointer(struct sink *s, const struct spec *sp, const void *p)
{
	if (!p) {
		put_bytes(s, sp, "(nil)", 5);
		return;
	}
	put_number(s, sp, (uintptr_t)p, "0x", 16, false);
}

/* Formats one conversion; false for one outside the supported set, which
 * ends the formatting there: its argument's type is unknown, so no later
 * argument could be read safely. tests/tools/check-formats.c fails the build on
 * such a conversion in initc's sources, so this is a last resort. */
static bool put_conversion(struct sink *s, const struct spec *sp, char c, va_list *ap)
{
	char ch;

	switch (c) {
	case 's':
		if (sp->length)
			return false; /* %ls: wide characters */
		put_string(s, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		if (sp->length)
			return false; /* %lc */
		ch = (char)va_arg(*ap, int);
		put_bytes(s, sp, &ch, 1);
		return true;
	case 'd':
	case 'i':
		put_signed(s, sp, arg_signed(sp, ap));
		return true;
	case 'o':
	case 'u':
	case 'x':
	case 'X':
		put_unsigned(s, sp, c, arg_unsigned(sp, ap));
		return true;
	case 'p':
		put_pointer(s, sp, va_arg(*ap, const void *));
		return true;
	case '%':
		ch = '%';
		sink_put(s, &ch, 1);
		return true;
	default: /* floating point, %n, %m, or a lone '%' at the end */
		return false;
	}
}

static void format_into(struct sink *s, const char *fmt, va_list ap)
{
	va_list args;

	/* A copy, so that helpers can take &args on every ABI. */
	va_copy(args, ap);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		struct spec sp;

		if (!pct) {
			sink_put(s, fmt, strlen(fmt));
			break;
		}
		sink_put(s, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		read_spec(&fmt, &sp, &args);
		if (!put_conversion(s, &sp, *fmt, &args))
			break;
		fmt++;
	}
	va_end(args);
}

int str_vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct sink s = { buf, len ? len - 1 : 0, 0, 0, -1 };

	format_into(&s, fmt, ap);
	if (len)
		buf[s.used] = '\0';
	return s.total > INT_MAX ? INT_MAX : (int)s.total;
}

int str_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = str_vformat(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

void out_format(const char *fmt, ...)
{
	char buf[1024];
	struct sink s = { buf, sizeof(buf), 0, 0, STDOUT_FILENO };
	va_list ap;

	va_start(ap, fmt);
	format_into(&s, fmt, ap);
	va_end(ap);
	sink_flush(&s);
}

/* Year, month and day of a day count since 1970-01-01 in the proleptic
 * Gregorian calendar, computed in 400-year eras of 146097 days whose years
 * start on March 1 (so the leap day ends a year). gmtime_r would bring
 * musl's time-zone code, 5 KiB, into the static binary for nothing. */
static void civil_date(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 719468; /* days from 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                           /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                    /* March = 0 */

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

void format_utc(const struct timespec *ts, char *buf, size_t len)
{
	int64_t secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400, year;
	unsigned month, day;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_date(days, &year, &month, &day);
	str_format(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)year, month,
		   day, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
		   (int)(ts->tv_nsec / 1000000));
}

/* The errors initc can meet, in the C library's words (glibc's, so both
 * builds say the same); any other shows as "error N". musl's strerror has
 * all 130 in 2 KiB of the static binary. error_texts holds the messages
 * in the order of error_codes, each ended by a NUL. */
static const unsigned char error_codes[] = {
	EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC,
	EBADF, ECHILD, EAGAIN, ENOMEM, EACCES, EBUSY, EEXIST, EXDEV,
	ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY, ETXTBSY,
	EFBIG, ENOSPC, EROFS, EPIPE, ENAMETOOLONG, ENOSYS, ENOTEMPTY, ELOOP,
	EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN, ENETUNREACH, ECONNRESET, ENOBUFS,
	ETIMEDOUT, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EDQUOT,
};

static const char error_texts[] =
	"Operation not permitted\0"
	"No such file or directory\0"
	"No such process\0"
	"Interrupted system call\0"
	"Input/output error\0"
	"No such device or address\0"
	"Argument list too long\0"
	"Exec format error\0"
	"Bad file descriptor\0"
	"No child processes\0"
	"Resource temporarily unavailable\0"
	"Cannot allocate memory\0"
	"Permission denied\0"
	"Device or resource busy\0"
	"File exists\0"
	"Invalid cross-device link\0"
	"No such device\0"
	"Not a directory\0"
	"Is a directory\0"
	"Invalid argument\0"
	"Too many open files in system\0"
	"Too many open files\0"
	"Inappropriate ioctl for device\0"
	"Text file busy\0"
	"File too large\0"
	"No space left on device\0"
	"Read-only file system\0"
	"Broken pipe\0"
	"File name too long\0"
	"Function not implemented\0"
	"Directory not empty\0"
	"Too many levels of symbolic links\0"
	"Operation not supported\0"
	"Address family not supported by protocol\0"
	"Address already in use\0"
	"Cannot assign requested address\0"
	"Network is down\0"
	"Network is unreachable\0"
	"Connection reset by peer\0"
	"No buffer space available\0"
	"Connection timed out\0"
	"Connection refused\0"
	"Host is down\0"
	"No route to host\0"
	"Disk quota exceeded\0";

const char *error_text(int err)
{
	static char unknown[24];
	const char *t = error_texts;

	for (size_t i = 0; i < sizeof(error_codes); i++) {
		if (error_codes[i] == err)
			return t;
		t += strlen(t) + 1;
	}
	str_format(unknown, sizeof(unknown), "error %d", err);
	return unknown;
}
