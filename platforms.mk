# Included by the Makefile before anything else is computed: the build's
# own packages, then the target architecture of the static binary. The
# rules that use ARCH (release, check-arch) are in the Makefile, section
# "Platforms and release"; README.md, "Platforms", is the user's view.

# --- The packages the build and the tests need ---
# On a fresh machine `make demo` and `make check` install them first (as
# root; otherwise tools/deps prints the exact command and make stops before
# it builds anything). This runs while make reads the Makefile, before the
# pkg-config calls that need inih and check. A complete machine pays a few
# file tests; sub-makes (MAKELEVEL > 0) trust their parent's check.
# The test suites' packages only for the goals that run them: an image that
# only builds (docker/Dockerfile) gets the compiler and inih alone.
DEPS_FREE_GOALS := clean deps help
DEPS_TEST_GOALS := check check-% coverage container-test
DEPS_LEVEL := $(if $(filter $(DEPS_TEST_GOALS),$(MAKECMDGOALS)),test,build)
ifeq ($(MAKELEVEL),0)
ifneq ($(filter-out $(DEPS_FREE_GOALS),$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell tools/deps ensure $(DEPS_LEVEL) >&2 && echo ok),ok)
$(error the packages above are missing: run the command shown, then make again)
endif
endif
endif

# --- The static binary's architecture ---
# Docker's TARGETARCH : Debian's architecture : the cross gcc's triplet :
# the multiarch library dir (libinih.a) : musl's triplet (its gcc wrapper,
# from musl-dev:ARCH, runs the cross gcc with musl's specs).
PLATFORMS := \
	amd64:amd64:x86_64-linux-gnu:x86_64-linux-gnu:x86_64-linux-musl \
	arm64:arm64:aarch64-linux-gnu:aarch64-linux-gnu:aarch64-linux-musl \
	arm:armhf:arm-linux-gnueabihf:arm-linux-gnueabihf:arm-linux-musleabihf \
	386:i386:i686-linux-gnu:i386-linux-gnu:i386-linux-musl \
	ppc64le:ppc64el:powerpc64le-linux-gnu:powerpc64le-linux-gnu:powerpc64le-linux-musl \
	s390x:s390x:s390x-linux-gnu:s390x-linux-gnu:s390x-linux-musl
ARCHES := $(foreach p,$(PLATFORMS),$(firstword $(subst :, ,$(p))))
# Those make release builds: the ones within the size budget (README.md,
# "Platforms"). ppc64le and s390x build (make static ARCH=...), but their
# code is larger than the budget allows.
RELEASE_ARCHES := amd64 arm64 arm 386
# $(call platform_field,ARCH,N): field N of ARCH's line above.
platform_field = $(word $(2),$(subst :, ,$(filter $(1):%,$(PLATFORMS))))

# ARCH counts only when given on the command line (make static ARCH=arm64):
# an ARCH=x86_64 some shells export must not change what `make` builds.
ifeq ($(origin ARCH),command line)
ifeq ($(call platform_field,$(ARCH),1),)
$(error ARCH=$(ARCH) is not an architecture initc builds for; use one of: $(ARCHES))
endif
STATIC_CC := $(call platform_field,$(ARCH),5)-gcc
INIH_A := /usr/lib/$(call platform_field,$(ARCH),4)/libinih.a
# The objects and the binary of each architecture in a directory of their
# own, so that the builds of several never mix.
SB = $(B)/$(ARCH)
else
ARCH :=
SB = $(B)
endif
