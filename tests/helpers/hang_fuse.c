/* hang_fuse MOUNTPOINT READY: mounts a FUSE file system on MOUNTPOINT
 * whose server never answers, not even the kernel's INIT request: every
 * stat, chdir or execve below MOUNTPOINT then blocks, as on a hung network
 * or FUSE mount (only SIGKILL ends the waiting process). Creates the file
 * READY once mounted, then waits until killed; its end aborts the
 * connection, and what still waited gets ENOTCONN. Talks to /dev/fuse
 * directly: no libfuse needed. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char opts[128];
	int fd, ready;

	if (argc != 3) {
		fprintf(stderr, "usage: hang_fuse MOUNTPOINT READY\n");
		return 2;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd == -1) {
		perror("/dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("hang_fuse", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts) == -1) {
		perror("mount");
		return 1;
	}
	ready = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (ready == -1) {
		perror(argv[2]);
		return 1;
	}
	close(ready);
	for (;;)
		pause();
}
