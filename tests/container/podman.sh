#!/bin/sh
# podman with initc's sandbox settings: every podman call of the container
# tests goes through this wrapper.
#
#   tests/container/podman.sh [PODMAN ARGS...]
#
# Settings live in containers.conf / storage.conf / registries.conf next to
# this script. State (images, containers, runtime files) is private to the
# tests: $INITC_CONTAINER_DIR, default <repo>/build/container/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${INITC_CONTAINER_DIR:-$repo/build/container}

mkdir -p "$state/storage" "$state/run" "$state/libpod" "$state/tmp"

export CONTAINERS_CONF="$here/containers.conf"
export CONTAINERS_STORAGE_CONF="$here/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$here/registries.conf"
# podman build copies the context and stages layers under TMPDIR (default
# /var/tmp); keep that inside the private state directory too.
export TMPDIR="$state/tmp"

# The global flags repeat containers.conf's engine settings so that the
# wrapper still works if a system-wide config overrides them.
exec podman \
    --root "$state/storage" \
    --runroot "$state/run" \
    --tmpdir "$state/libpod" \
    --storage-driver vfs \
    --runtime runc \
    --cgroup-manager cgroupfs \
    --events-backend file \
    "$@"
