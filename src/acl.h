/* Who may write a file through its POSIX access ACL: the mode's bits do not
 * tell (with an ACL, the group bits are the ACL's mask), and whoever can
 * change a config decides what initc runs as root. */
#ifndef INITC_ACL_H
#define INITC_ACL_H

#include <stddef.h>
#include <sys/types.h>

enum acl_who { ACL_WHO_NONE, ACL_WHO_USER, ACL_WHO_GROUP };

struct acl_writer {
	enum acl_who who; /* ACL_WHO_NONE: nobody untrusted */
	unsigned long id; /* the uid or gid */
};

/* Finds, in the kernel's system.posix_acl_access value (len bytes), an entry
 * that lets someone other than root or self write: a named user, a named
 * group other than gid 0, or the owning group (file_gid, unless 0), each
 * with the write bit in both the entry and the mask. 0 with *w set (who is
 * ACL_WHO_NONE when there is none); -1 when the value is malformed. */
int acl_find_writer(const void *value, size_t len, uid_t self, gid_t file_gid,
		    struct acl_writer *w);

/* The same for the open file fd: no ACL (or no ACL support) means no
 * writer here; -1 with errno when the ACL cannot be read. */
int acl_fd_writer(int fd, uid_t self, gid_t file_gid, struct acl_writer *w);

#endif
