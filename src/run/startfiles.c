/* The files of start-up configuration: see startfiles.h. */
#include "startfiles.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "startup.h"

/* Memory file systems first: a tmpfs never blocks initc and stays writable
 * when the image's root is read-only (Docker and Kubernetes mount one on
 * /dev/shm in every container). */
static const char *const envfile_bases[] = { "/dev/shm", "/run", "/tmp" };

static int make_private_dir(struct envfile *ef, char *err, size_t len)
{
	int saved = ENOENT;

	for (size_t i = 0; i < sizeof(envfile_bases) / sizeof(envfile_bases[0]); i++) {
		char hex[25];

		/* mkdtemp, without the 1 KiB of musl (its clock-based names
		 * bring the vDSO lookup): mkdir never follows or reuses a name. */
		random_hex(hex);
		str_format(ef->dir, sizeof(ef->dir), "%s/initc-env.%s", envfile_bases[i], hex);
		if (mkdir(ef->dir, 0700) == 0)
			return 0;
		saved = errno;
	}
	str_format(err, len, "cannot make a directory for INITC_ENV in /dev/shm, /run or /tmp: %s",
		   error_text(saved));
	ef->dir[0] = '\0';
	return -1;
}

int envfile_create(struct envfile *ef, const struct creds *c, char *err, size_t len)
{
	const char *path = ef->entry + strlen("INITC_ENV=");

	ef->fd = -1;
	if (make_private_dir(ef, err, len) == -1)
		return -1;
	str_format(ef->entry, sizeof(ef->entry), "INITC_ENV=%s/env", ef->dir);
	if (c && chmod(ef->dir, 0711) == -1) {
		str_format(err, len, "cannot open %s to the step's user: %s", ef->dir, error_text(errno));
		goto remove;
	}
	ef->fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (ef->fd == -1) {
		str_format(err, len, "cannot create %s: %s", path, error_text(errno));
		goto remove;
	}
	if (c && fchown(ef->fd, c->uid, c->gid) == -1) {
		str_format(err, len, "cannot give %s to uid %u: %s", path, (unsigned)c->uid,
			   error_text(errno));
		goto remove;
	}
	return 0;
remove:
	envfile_remove(ef);
	return -1;
}

int envfile_collect(const struct envfile *ef, struct strv *out, char *err, size_t len)
{
	char *buf = xmalloc(STARTUP_FILE_MAX + 1);
	size_t got = 0;
	int rc = -1;

	/* One byte more than the limit tells an oversize file, even one that
	 * grew after a stat. */
	while (got <= STARTUP_FILE_MAX) {
		ssize_t n = pread(ef->fd, buf + got, STARTUP_FILE_MAX + 1 - got, (off_t)got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			str_format(err, len, "cannot read INITC_ENV: %s", error_text(errno));
			goto free_buf;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > STARTUP_FILE_MAX) {
		str_format(err, len, "INITC_ENV is over %d bytes; pass large values in a file",
			   STARTUP_FILE_MAX);
		goto free_buf;
	}
	if (envfile_parse(buf, got, out, err, len) == 0)
		rc = 0;
free_buf:
	free(buf);
	return rc;
}

void envfile_remove(struct envfile *ef)
{
	if (ef->fd >= 0)
		close(ef->fd);
	ef->fd = -1;
	if (!ef->dir[0])
		return;
	/* The directory is initc's and only initc can add names to it. */
	if ((unlink(ef->entry + strlen("INITC_ENV=")) == -1 && errno != ENOENT) ||
	    rmdir(ef->dir) == -1)
		log_msg(LOG_WARN, "cannot remove %s: %s", ef->dir, error_text(errno));
	ef->dir[0] = '\0';
}

/* Reads a regular file of at most max bytes (a FIFO or a device must not
 * block initc, a huge file must not fill its memory). Returns the bytes,
 * NUL-terminated, with the permission bits in *mode when mode is not NULL,
 * or NULL with the reason in err. */
static char *read_small_file(const char *path, size_t max, size_t *len, mode_t *mode, char *err,
			     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	size_t got = 0, cap;

	if (fd == -1) {
		str_format(err, errlen, "cannot open %s: %s", path, error_text(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		str_format(err, errlen, "%s is not a regular file of at most %zu bytes", path, max);
		goto close_fd;
	}
	cap = (size_t)st.st_size + 1; /* one byte more tells a file that grew */
	buf = xmalloc(cap + 1);
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				break;
			str_format(err, errlen, "cannot read %s: %s", path, error_text(errno));
			goto free_buf;
		}
		got += (size_t)n;
	}
	if (got != (size_t)st.st_size) {
		str_format(err, errlen, "%s changed while initc read it", path);
		goto free_buf;
	}
	buf[got] = '\0';
	*len = got;
	if (mode)
		*mode = st.st_mode & 0777;
	goto close_fd;
free_buf:
	free(buf);
	buf = NULL;
close_fd:
	close(fd);
	return buf;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new file beside dest (same directory, so the rename is atomic), with a
 * name nobody can guess, created with O_CREAT|O_EXCL, which never follows
 * a link. The reader of dest sees the old file or the whole
 * new one, never half of it. */
static int write_atomically(const char *dest, const char *buf, size_t len, mode_t mode,
			    char *err, size_t errlen)
{
	char tmp[4096], hex[25];
	int fd;

	random_hex(hex);
	if ((size_t)str_format(tmp, sizeof(tmp), "%s.initc-%s", dest, hex) >= sizeof(tmp)) {
		str_format(err, errlen, "output path %.64s... is too long", dest);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		str_format(err, errlen, "cannot create a file beside %s: %s; render into a writable "
			   "directory (a volume or a tmpfs)", dest, error_text(errno));
		return -1;
	}
	if (write_all(fd, buf, len) == -1 || fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		str_format(err, errlen, "cannot write %s: %s", tmp, error_text(errno));
		goto remove;
	}
	if (close(fd) == -1) {
		fd = -1;
		str_format(err, errlen, "cannot write %s: %s", tmp, error_text(errno));
		goto remove;
	}
	fd = -1;
	if (rename(tmp, dest) == 0)
		return 0;
	str_format(err, errlen, "cannot rename %s to %s: %s", tmp, dest, error_text(errno));
remove:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int template_render(const char *step, const char *src, const char *dest, char *const *envp)
{
	struct sbuf out = { 0 };
	char err[1024];
	char *text = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int rc = 1;

	text = read_small_file(src, TEMPLATE_FILE_MAX, &len, &mode, err, sizeof(err));
	if (!text)
		goto fail;
	if (template_expand(text, len, src, env_lookup_array, (void *)envp, &out, err,
			    sizeof(err)) == -1 ||
	    write_atomically(dest, out.s, out.len, mode, err, sizeof(err)) == -1)
		goto fail;
	rc = 0;
	goto done;
fail:
	log_msg(LOG_ERROR, "step %s: %s", step, err);
done:
	free(text);
	free(out.s);
	return rc;
}

/* One NAME of file_env: its value from the file NAME_FILE names. */
static int secret_load(const char *name, struct strv *env, char *err, size_t errlen)
{
	char file_var[80], why[512];
	const char *path;
	struct sbuf b = { 0 };
	size_t len;
	char *text;

	str_format(file_var, sizeof(file_var), "%s_FILE", name);
	path = getenv(file_var);
	if (!path)
		return 0;
	text = read_small_file(path, STARTUP_FILE_MAX, &len, NULL, why, sizeof(why));
	if (text && memchr(text, '\0', len)) {
		str_format(why, sizeof(why), "%s holds a NUL byte, which no variable can", path);
		free(text);
		text = NULL;
	}
	if (!text) {
		str_format(err, errlen, "file_env: %s: %s", file_var, why);
		return -1;
	}
	if (len > 0 && text[len - 1] == '\n')
		len--;
	sbuf_add(&b, name, strlen(name));
	sbuf_addc(&b, '=');
	sbuf_add(&b, text, len);
	free(text);
	env_set(env, sbuf_take(&b));
	env_set(env, xstrdup(file_var));
	return 0;
}

int secrets_load(const struct strv *names, struct strv *env, char *err, size_t len)
{
	for (size_t i = 0; i < names->n; i++)
		if (secret_load(names->v[i], env, err, len) == -1)
			return -1;
	return 0;
}

static const char *termlog_path;

void termlog_setup(const char *path)
{
	if (path)
		termlog_path = strcmp(path, "none") == 0 ? NULL : path;
	else if (access(TERMINATION_LOG_DEFAULT, F_OK) == 0)
		termlog_path = TERMINATION_LOG_DEFAULT;
}

void termlog_write(const char *fmt, ...)
{
	char msg[TERMINATION_LOG_MAX];
	struct stat st = { .st_mode = S_IFREG }; /* for the message when fstat fails */
	va_list ap;
	size_t n;
	int fd;

	if (!termlog_path)
		return;
	va_start(ap, fmt);
	str_vformat(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	msg[n++] = '\n';
	fd = open(termlog_path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		  0644);
	/* A second name (a hard link a step planted) could make initc
	 * truncate any file: write only to a regular file of one name. */
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    ftruncate(fd, 0) == -1 || write_all(fd, msg, n) == -1)
		log_msg(LOG_WARN, "cannot write the termination message to %s: %s", termlog_path,
			fd == -1 || (S_ISREG(st.st_mode) && st.st_nlink == 1)
				? error_text(errno)
				: "not a regular file with one name");
	if (fd >= 0)
		close(fd);
}
