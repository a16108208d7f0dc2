#!/bin/sh
# Build the base image localhost/initc-busybox for initc's container tests:
# Debian's static busybox (package busybox-static) and the few files a static
# musl binary needs (passwd, group, hosts), imported with `podman import`.
#
#   tests/container/base-image.sh [--force]
#
# Idempotent: the image carries a label with a digest of busybox and of this
# script; when both match the existing image, nothing is done.
set -eu
# initc refuses a world-writable config; keep everything 0644/0755.
umask 022

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${INITC_CONTAINER_DIR:-$repo/build/container}
podman="$here/podman.sh"
image=localhost/initc-busybox
busybox=${BUSYBOX:-/bin/busybox}
label=org.initc.test.base-digest
t=${INITC_PODMAN_TIMEOUT:-120}

force=0
[ "${1:-}" = --force ] && force=1

if [ ! -x "$busybox" ]; then
    echo "base-image: $busybox not found (apt-get install busybox-static)" >&2
    exit 1
fi
if ! "$busybox" --list-full >/dev/null 2>&1; then
    echo "base-image: $busybox does not support --list-full" >&2
    exit 1
fi
# A dynamically linked busybox would not run in an image without libc.
if command -v file >/dev/null 2>&1 &&
   ! file -L "$busybox" | grep -q 'statically linked'; then
    echo "base-image: $busybox is not static (apt-get install busybox-static)" >&2
    exit 1
fi

digest=$(cat "$busybox" "$0" | sha256sum | cut -c1-64)

old=$(timeout "$t" "$podman" image inspect --format '{{.Id}}' "$image" \
    2>/dev/null || true)
if [ "$force" = 0 ]; then
    have=$(timeout "$t" "$podman" image inspect \
        --format "{{index .Labels \"$label\"}}" "$image" 2>/dev/null || true)
    if [ "$have" = "$digest" ]; then
        echo "base-image: $image is up to date"
        exit 0
    fi
fi

rootfs="$state/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"
trap 'rm -rf "$rootfs"' EXIT

(
    cd "$rootfs"
    mkdir -p bin sbin usr/bin usr/sbin etc root tmp proc dev sys run var/tmp
    chmod 1777 tmp var/tmp
    chmod 700 root
    cp "$busybox" bin/busybox
    chmod 755 bin/busybox
    # What `busybox --install -s` would do, without running busybox in a
    # chroot: one absolute symlink per applet.
    "$busybox" --list-full | while read -r applet; do
        case $applet in
            bin/busybox | linuxrc | */) continue ;;
        esac
        [ -e "$applet" ] || ln -s /bin/busybox "$applet"
    done

    cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
    cat > etc/group <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
    # musl resolves "localhost" from /etc/hosts only: a static binary has no
    # NSS, and the tests run without a network (podman: no_hosts = true).
    cat > etc/hosts <<'HOSTS'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
HOSTS
    # For glibc-based tools; musl ignores it.
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' > etc/nsswitch.conf
    : > etc/resolv.conf
)

echo "base-image: importing $image"
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf - . |
    timeout "$t" "$podman" import --quiet \
        --change "LABEL $label=$digest" \
        --change 'CMD ["/bin/sh"]' \
        --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$image" >/dev/null
# The previous version is now untagged: drop it (it fails harmlessly while
# a container still uses it).
if [ -n "$old" ]; then
    timeout "$t" "$podman" rmi "$old" >/dev/null 2>&1 || true
fi
echo "base-image: $image built"
