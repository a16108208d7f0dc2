/* The files of start-up configuration: see startfiles.h. */
#include "startfiles.h"

#include <errno.h>
#include <fcntl.h>
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
		str_format(ef->dir, sizeof(ef->dir), "%s/initc-env.XXXXXX", envfile_bases[i]);
		if (mkdtemp(ef->dir))
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
