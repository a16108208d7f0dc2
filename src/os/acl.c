/* Reading the POSIX access ACL from its extended attribute directly, without
 * libacl: a 4-byte version, then 8-byte entries (tag, permissions, id),
 * little-endian, as the kernel documents in include/uapi/linux/posix_acl_xattr.h. */
#include "acl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/xattr.h>

#define ACL_XATTR_VERSION 2
#define ACL_TAG_USER 0x02
#define ACL_TAG_GROUP_OBJ 0x04
#define ACL_TAG_GROUP 0x08
#define ACL_TAG_MASK 0x10
#define ACL_PERM_WRITE 0x02
#define ACL_ENTRY_BYTES 8
/* More entries than ext4 fits in its one block; a longer ACL is an error. */
#define ACL_VALUE_MAX (4 + 1024 * ACL_ENTRY_BYTES)

static uint32_t read_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned read_le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* True when gid is root's or initc's own group. */
static bool group_trusted(uint32_t gid, const struct acl_self *self)
{
	return gid == 0 || gid == (uint32_t)self->gid;
}

/* True when the entry at e, given the mask, grants write to someone that
 * initc does not trust; sets *w. */
static bool entry_grants_write(const unsigned char *e, bool mask_writes,
			       const struct acl_self *self, gid_t file_gid, struct acl_writer *w)
{
	unsigned tag = read_le16(e), perm = read_le16(e + 2);
	uint32_t id = read_le32(e + 4);

	if (!(perm & ACL_PERM_WRITE) || !mask_writes)
		return false;
	if (tag == ACL_TAG_USER && id != 0 && id != (uint32_t)self->uid) {
		w->who = ACL_WHO_USER;
		w->id = id;
		return true;
	}
	if ((tag == ACL_TAG_GROUP && !group_trusted(id, self)) ||
	    (tag == ACL_TAG_GROUP_OBJ && !group_trusted((uint32_t)file_gid, self))) {
		w->who = ACL_WHO_GROUP;
		w->id = tag == ACL_TAG_GROUP ? id : (unsigned long)file_gid;
		return true;
	}
	return false;
}

int acl_find_writer(const void *value, size_t len, const struct acl_self *self, gid_t file_gid,
		    struct acl_writer *w)
{
	const unsigned char *v = value;
	bool mask_writes = true; /* an ACL without named entries has no mask */

	w->who = ACL_WHO_NONE;
	w->id = 0;
	if (len < 4 || (len - 4) % ACL_ENTRY_BYTES != 0 || read_le32(v) != ACL_XATTR_VERSION)
		return -1;
	for (size_t off = 4; off < len; off += ACL_ENTRY_BYTES)
		if (read_le16(v + off) == ACL_TAG_MASK)
			mask_writes = read_le16(v + off + 2) & ACL_PERM_WRITE;
	for (size_t off = 4; off < len; off += ACL_ENTRY_BYTES)
		if (entry_grants_write(v + off, mask_writes, self, file_gid, w))
			return 0;
	return 0;
}

int acl_fd_writer(int fd, const struct acl_self *self, gid_t file_gid, struct acl_writer *w)
{
	static unsigned char value[ACL_VALUE_MAX];
	ssize_t n = fgetxattr(fd, "system.posix_acl_access", value, sizeof(value));

	w->who = ACL_WHO_NONE;
	if (n == -1)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
	if (acl_find_writer(value, (size_t)n, self, file_gid, w) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
