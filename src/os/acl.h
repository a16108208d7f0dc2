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

/* Who initc trusts to write: root, and its own user and group. */
struct acl_self {
	uid_t uid;
	gid_t gid;
};

/* Finds, in the kernel's system.posix_acl_access value (len bytes), an entry
 * that lets someone untrusted write: a named user other than root or
 * self->uid, a named group other than 0 or self->gid, or the owning group
 * (file_gid) when it is neither, each with the write bit in both the entry
 * and the mask. 0 with *w set (who is ACL_WHO_NONE when there is none); -1
 * when the value is malformed. */
int acl_find_writer(const void *value, size_t len, const struct acl_self *self, gid_t file_gid,
		    struct acl_writer *w);

/* The same for the open file fd: no ACL (or no ACL support) means no
 * writer here; -1 with errno when the ACL cannot be read. */
int acl_fd_writer(int fd, const struct acl_self *self, gid_t file_gid, struct acl_writer *w);

#endif
