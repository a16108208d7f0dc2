# initc — plain GNU make. `make` builds build/initc, `make check` runs every
# test, `make static` the release binary. See README.md.

PREFIX ?= /usr/local
DESTDIR ?=
MANDIR ?= $(PREFIX)/share/man
VERSION := 0.1.0

CC ?= cc
PKG_CONFIG ?= pkg-config
# First the packages the build needs (installed as root, or the command to
# run), so that the pkg-config calls below see them; then ARCH.
include platforms.mk
INIH_CFLAGS := $(shell $(PKG_CONFIG) --cflags inih 2>/dev/null)
INIH_LIBS := $(shell $(PKG_CONFIG) --libs inih 2>/dev/null || echo -linih)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g

# src/ by layer, lowest first; a file includes headers of its own layer and
# the ones below it, never above (tools/check-layers, run by every build):
#   lib     initc's own C library: formatter, allocator, text parsing, lines
#   os      processes, signals, users, files, the resolver and probes
#   config  the config files -> the plan
#   run     the runner: event loop, steps, hand-off, start-up files
# main.c, on top, reads as the phases.
LAYERS := lib os config run
SRC_DIRS := $(LAYERS:%=src/%)
# #include "x.h" finds x.h in any layer (-iquote: never for <x.h>, so that
# src/run/sched.h does not stand in for the C library's <sched.h>).
SRC_INC := $(SRC_DIRS:%=-iquote %)
vpath %.c src $(SRC_DIRS)
SRC_NAMES := util format log parse config config_files config_ini config_keys \
       config_plan plan user lines acl \
       spawn launch loop probe resolve steps tree \
       handoff check startup startfiles job \
       sched stop phase
# The probe engine's syntax and HTTP parts (probe.c runs the attempts).
SRC_NAMES += probe_syntax http
SRC := $(foreach n,$(SRC_NAMES),$(wildcard $(SRC_DIRS:%=%/$(n).c)))
ALL_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DINITC_VERSION='"$(VERSION)"' $(SRC_INC) \
	$(INIH_CFLAGS) $(CFLAGS)
MAIN := src/main.c
HDR := $(wildcard $(SRC_DIRS:%=%/*.h))
# Every C file of src/, main.c and the static-only ones included.
ALL_C := $(wildcard src/*.c $(SRC_DIRS:%=%/*.c))

B := build
OBJ := $(SRC_NAMES:%=$(B)/obj/%.o)
# The static binary's allocator: src/lib/malloc.c gives it libc's names there;
# the dev build keeps libc's malloc, so the tests alone link it here.
ALLOC_OBJ := $(B)/obj/alloc.o
.SECONDARY: $(ALLOC_OBJ)

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/helpers/%)
TEST_CFLAGS := $(ALL_CFLAGS) $(CHECK_CFLAGS) -Wno-missing-prototypes

# make static: the release binary, linked against musl so that wait_tcp's
# name lookup and user lookup need no NSS modules in the image. A musl
# system's own cc is used (Alpine); elsewhere musl-gcc (Debian: musl-tools),
# which searches musl's headers only, so ini.h is copied into a private
# include dir and no glibc header leaks in. The distribution's libinih.a is
# linked as is: it is plain C with no fortify (__*_chk) calls, and its one
# glibc-ism, __ctype_b_loc from isspace(), is part of musl's glibc-compatible
# ABI (tests/test_release.c resolves a host name and parses a config with it).
# ARCH=arm64 (or arm, 386, ppc64le, s390x, amd64: Docker's TARGETARCH)
# builds the static binary for that architecture, in $(B)/ARCH/, with the
# cross compiler and musl set in platforms.mk.
MUSL_NATIVE := $(findstring musl,$(shell $(CC) -dumpmachine 2>/dev/null))
STATIC_CC ?= $(if $(MUSL_NATIVE),$(CC),musl-gcc)
INIH_A ?= $(shell $(CC) -print-file-name=libinih.a)
INIH_H ?= $(or $(shell $(PKG_CONFIG) --variable=includedir inih 2>/dev/null),/usr/include)/ini.h
STATIC_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DINITC_VERSION='"$(VERSION)"' $(SRC_INC) \
	-I$(SB)/musl-include -Os -fno-pie -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fstack-protector -flto=auto
# -flto: the whole program optimised at once (inlined across files, code
# no caller needs dropped): 3.3 KiB less on amd64, 6 KiB on arm64.
# -fstack-protector, stated rather than left to the compiler's default (on
# for Alpine's gcc, off for Debian's musl-gcc): a canary in every function
# with a character buffer, 1.5 KiB; -strong, which adds one to every
# function with any array, would cost 3 KiB more.
# -z norelro: musl's static start-up never makes the RELRO range read-only
# (the data segment stays rw-p in /proc/PID/maps either way), so the page
# alignment RELRO needs would only pad the file by up to 4 KiB.
# -z common-page-size=64: the data segment then starts at the file offset
# where the code ends (mapped from the same file page, as with the classic
# layout) instead of at the next page boundary, another 0-4 KiB of padding.
STATIC_LDFLAGS := -static -no-pie -s -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,noseparate-code -Wl,-z,norelro -Wl,-z,common-page-size=64
STATIC_OBJ := $(OBJ:$(B)/obj/%=$(SB)/static/%) $(SB)/static/main.o \
	$(SB)/static/alloc.o $(SB)/static/malloc.o $(SB)/static/nostdio.o
STATIC_OK := $(shell command -v $(firstword $(STATIC_CC)) >/dev/null 2>&1 && \
	test -f "$(INIH_A)" && echo yes)
# tests/test_release.c fails past this many bytes (see README.md).
STATIC_MAX := 98304

.PHONY: all check check-static demo deps clean static static-cc install container-test \
	fuzz check-sanitize check-valgrind lint coverage

all: $(B)/initc

$(B)/obj/%.o: %.c $(HDR) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj:
	mkdir -p $@

$(B)/initc: $(OBJ) $(B)/obj/main.o | $(B)/formats.ok $(B)/layers.ok
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(INIH_LIBS) $(LDFLAGS)

# gcc accepts every printf conversion in a format; src/lib/format.c implements
# all but floating point, %n and %m. This fails the build on one of those
# in any string literal of src/ (tests/tools/check-formats.c says how).
$(B)/check-formats: tests/tools/check-formats.c | $(B)/obj
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(B)/formats.ok: $(B)/check-formats $(ALL_C) $(HDR)
	$(B)/check-formats $(ALL_C) $(HDR)
	touch $@

# The layers' order (LAYERS above): a file that includes a header of a
# layer above its own fails the build.
$(B)/layers.ok: tools/check-layers $(ALL_C) $(HDR) | $(B)/obj
	tools/check-layers $(LAYERS)
	touch $@

$(B)/tests $(B)/tests/helpers:
	mkdir -p $@

# Each tests/test_*.c is one Check program: unit suites link the modules,
# integration suites run the real build/initc.
$(B)/tests/%: tests/%.c tests/harness.c tests/harness.h $(OBJ) $(ALLOC_OBJ) | $(B)/tests
	$(CC) $(TEST_CFLAGS) -o $@ $< tests/harness.c $(OBJ) $(ALLOC_OBJ) $(INIH_LIBS) $(CHECK_LIBS)

# Small programs the integration tests run as steps or as the app.
$(B)/tests/helpers/%: tests/helpers/%.c | $(B)/tests/helpers
	$(CC) $(ALL_CFLAGS) $(HELPER_CFLAGS) -o $@ $<

check: $(B)/initc $(TEST_BIN) $(HELPER_BIN) $(if $(STATIC_OK),$(B)/initc-static)
	INITC_BIN=$(B)/initc HELPERS=$(B)/tests/helpers \
	INITC_STATIC=$(if $(STATIC_OK),$(B)/initc-static) INITC_STATIC_MAX=$(STATIC_MAX) \
	MAKE="$(MAKE)" tests/run-all.sh $(TEST_BIN)

# A short tour: ordered steps, a retry that recovers, a timeout, a
# `creates` skip, and the exec hand-off to the app.
demo: $(B)/initc
	@rm -rf $(B)/demo && mkdir -p $(B)/demo && chmod 755 $(B)/demo
	DEMO_DIR=$(B)/demo $(B)/initc -c examples/demo.ini -- \
		sh -c 'echo "app: running as pid $$$$ (initc exec-ed into me)"; cat $(B)/demo/greeting'
	@echo "--- second run: the 'prepare' step is skipped, its file exists"
	DEMO_DIR=$(B)/demo $(B)/initc -c examples/demo.ini -- sh -c 'echo "app: hello again"'

# make check-static: the integration suites (those that run the real
# binary) against build/initc-static, the binary users get: musl, and
# src/lib/alloc.c as its malloc. The unit suites link the modules themselves, and test_release
# checks the static binary in make check already.
STATIC_SUITES := $(filter-out $(B)/tests/test_release,$(patsubst tests/%.c,$(B)/tests/%,\
	$(shell grep -lE 'run_initc|start_initc|initc_bin' $(TEST_SRC))))

check-static: $(B)/initc-static $(STATIC_SUITES) $(HELPER_BIN)
	INITC_BIN=$(B)/initc-static INITC_STATIC=$(B)/initc-static \
		HELPERS=$(B)/tests/helpers MAKE="$(MAKE)" tests/run-all.sh $(STATIC_SUITES)

# make static: see the variables above.
static: $(SB)/initc-static

static-cc:
	@command -v $(firstword $(STATIC_CC)) >/dev/null || { echo "make static: no musl compiler;" \
		"install musl-tools (Debian) or build on Alpine"; exit 1; }
	@test -f "$(INIH_A)" || { echo "make static: libinih.a not found;" \
		"install libinih-dev (Debian) or inih-static (Alpine)"; exit 1; }

$(SB)/musl-include/ini.h: | static-cc
	mkdir -p $(@D)
	cp $(INIH_H) $@

$(SB)/static/%.o: %.c $(HDR) $(SB)/musl-include/ini.h
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_CFLAGS) -c -o $@ $<

# src/lib/nostdio.c stands in for the stdio calls of libinih.a's unused
# ini_parse: the linker's trace (-y) of those names must show no caller but
# libinih.a, or the link fails (anything else would get the stand-ins).
NOSTDIO := fopen fopen64 fgets fclose

$(SB)/initc-static: $(STATIC_OBJ) | static-cc $(B)/formats.ok $(B)/layers.ok
	$(STATIC_CC) $(STATIC_CFLAGS) $(STATIC_LDFLAGS) $(NOSTDIO:%=-Wl,-y,%) -o $@ $^ $(INIH_A) \
		2> $@.trace || { cat $@.trace >&2; exit 1; }
	@grep -v -e ': definition of ' -e ': reference to ' $@.trace >&2 || true
	@if grep ': reference to ' $@.trace | grep -v 'libinih\.a(' >&2; then rm -f $@; \
		echo "$@: only libinih.a may call $(NOSTDIO) (src/lib/nostdio.c)" >&2; exit 1; fi
	@size=$$(wc -c < $@); echo "$@: $$size bytes (budget $(STATIC_MAX), margin $$(($(STATIC_MAX) - size)); checked by make check)"

# The binary (INSTALL_BIN=build/initc-static for the static one) and the
# man pages, under $(DESTDIR)$(PREFIX).
INSTALL_BIN ?= $(B)/initc

install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/sbin/initc
	install -m 644 man/initc.8 $(DESTDIR)$(MANDIR)/man8/initc.8
	install -m 644 man/initc.ini.5 $(DESTDIR)$(MANDIR)/man5/initc.ini.5

# The static binary as PID 1 of real podman containers (tests/container/).
container-test: static
	tests/container/run.sh $(B)/initc-static

# Installs the build and test dependencies (Debian or Alpine) as root, or
# prints the command; make demo, make check and the rest do it themselves
# (platforms.mk).
deps:
	tools/deps ensure test

# --- Hardening: fuzzing (see README "Hardening") ---
# The libFuzzer harnesses are built from the sources directly with clang,
# ASan and UBSan (every UB report aborts). FUZZ_SECONDS is per harness.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(SRC_INC) $(INIH_CFLAGS) -g -O1 \
	-fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BIN := $(B)/fuzz/fuzz_config $(B)/fuzz/fuzz_parsers $(B)/fuzz/fuzz_dns \
	$(B)/fuzz/fuzz_startup $(B)/fuzz/fuzz_probe

$(B)/fuzz/%: tests/fuzz/%.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(SRC) $(INIH_LIBS)

fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# --- Hardening: sanitizers and valgrind ---
# check-sanitize: initc, the tests and the helpers built with ASan+UBSan in
# their own build directory; the first report ends the process with an error.
SAN_B := build-san
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

check-sanitize:
	$(SAN_ENV) $(MAKE) B=$(SAN_B) CFLAGS="$(SAN_CFLAGS)" check

# check-valgrind: the whole suite, with every run of initc under memcheck
# (tests/valgrind-initc.sh stands in for the binary). INITC_UNDER_VALGRIND
# tells tests that each start of initc costs ~0.6 s; two suites at a time,
# since memcheck keeps a core busy where the plain suites mostly wait.
check-valgrind: $(B)/initc $(TEST_BIN) $(HELPER_BIN) $(if $(STATIC_OK),$(B)/initc-static)
	TEST_JOBS=$${TEST_JOBS:-2} INITC_UNDER_VALGRIND=1 INITC_REAL=$(CURDIR)/$(B)/initc \
		INITC_BIN=$(CURDIR)/tests/valgrind-initc.sh \
		HELPERS=$(B)/tests/helpers \
		INITC_STATIC=$(if $(STATIC_OK),$(B)/initc-static) INITC_STATIC_MAX=$(STATIC_MAX) \
		MAKE="$(MAKE)" tests/run-all.sh $(TEST_BIN)

# --- Hardening: static analysis ---
# cppcheck (warning, portability) and clang-tidy (the checks and the reasons
# for the ones left out are in .clang-tidy); any finding fails.
TIDY_SRC := $(SRC) $(MAIN) src/lib/alloc.c src/lib/malloc.c src/lib/nostdio.c $(wildcard tests/fuzz/*.c)

lint:
	cppcheck --enable=warning,portability --error-exitcode=1 --quiet --inline-suppr \
		-D_GNU_SOURCE $(SRC_DIRS:%=-I%) src tests/fuzz tests/helpers $(wildcard tests/*.c)
	printf '%s\n' $(TIDY_SRC) | xargs -P2 -n4 sh -c 'clang-tidy --quiet "$$@" -- \
		-std=gnu11 -D_GNU_SOURCE $(SRC_INC) $(INIH_CFLAGS)' clang-tidy

# --- Benchmarks (bench/README.md) ---
# make bench: the full comparison with tini, tini-static, dumb-init,
# catatonit and the floor, written to bench/results/ (about 4 minutes);
# make bench BENCH_ARGS=--quick for the CI run. Uses the static binary when
# a musl compiler is there, else build/initc.
.PHONY: bench
bench: $(if $(STATIC_OK),$(B)/initc-static,$(B)/initc)
	bench/run $(BENCH_ARGS)

# --- Hardening: coverage ---
# make coverage: initc and the tests built with gcc --coverage in their own
# build directory (the helpers without it: they are not initc), the whole
# suite run once, then gcovr's line coverage of src/. The static build is
# left out, and CI is cleared so that its tests skip rather than fail.
# tests/coverage/gcov_exit.c keeps the counters of children that end with
# _exit; the counter files are made writable by all, so that children
# running as another user (user = nobody) count too. INITC_UNDER_COVERAGE
# makes test_robust skip its signal storm at the exec hand-off: a signal
# that jumps out of gcov's write before execve corrupts the counter files.
COV_B := build-cov
COV_CFLAGS := -O0 -g --coverage
GCOVR ?= gcovr
COV_MAKE = CI= INITC_UNDER_COVERAGE=1 $(MAKE) B=$(COV_B) CFLAGS="$(COV_CFLAGS)" STATIC_OK= \
	HELPER_CFLAGS="-fno-profile-arcs -fno-test-coverage" \
	LDFLAGS="-Wl,--wrap=_exit $(CURDIR)/$(COV_B)/gcov_exit.o"

coverage:
	@command -v $(GCOVR) >/dev/null || { echo "make coverage: needs gcovr (Debian: apt-get install gcovr)"; exit 1; }
	mkdir -p $(COV_B)/obj
	rm -f $(COV_B)/obj/*.gcda
	$(CC) -O0 -g -c -o $(COV_B)/gcov_exit.o tests/coverage/gcov_exit.c
	$(COV_MAKE) $(COV_B)/initc
	$(COV_B)/initc --version >/dev/null
	chmod a+rw $(COV_B)/obj/*.gcda
	$(COV_MAKE) check
	$(GCOVR) --root . --filter 'src/' --txt $(COV_B)/coverage.txt \
		--html-details $(COV_B)/coverage.html --print-summary $(COV_B)/obj
	cat $(COV_B)/coverage.txt

# --- Platforms and release (README "Platforms") ---
# make static ARCH=arm64 builds $(B)/arm64/initc-static with Debian's cross
# compiler, musl and libinih.a for that architecture (platforms.mk), which
# tools/deps installs first as root (or names the command to run).
.PHONY: cross-deps release check-arch clean-dist FORCE
cross-deps:
	tools/deps cross $(ARCH)

static-cc: $(if $(ARCH),cross-deps)

# make release: dist/initc-ARCH for each of RELEASE_ARCHES (platforms.mk), each
# within the size budget, and dist/SHA256SUMS. Each architecture is a
# sub-make of its own (ARCH given), so make -j2 builds two at once.
DIST := dist
DIST_BIN := $(RELEASE_ARCHES:%=$(DIST)/initc-%)

release: $(DIST)/SHA256SUMS

$(DIST)/SHA256SUMS: $(DIST_BIN)
	cd $(DIST) && sha256sum $(notdir $(DIST_BIN)) > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	@cat $@

$(ARCHES:%=$(DIST)/initc-%): $(DIST)/initc-%: FORCE | release-deps
	+$(MAKE) --no-print-directory static ARCH=$*
	tools/elf-arch $(B)/$*/initc-static $*
	@size=$$(wc -c < $(B)/$*/initc-static); if [ $$size -gt $(STATIC_MAX) ]; then \
		echo "$@: $$size bytes, over the budget of $(STATIC_MAX) (README.md, Platforms)"; exit 1; fi
	@mkdir -p $(@D)
	cp $(B)/$*/initc-static $@

# All the cross compilers in one apt-get run, before the sub-makes start.
.PHONY: release-deps
release-deps:
	tools/deps cross $(RELEASE_ARCHES)

FORCE:

# make check-arch ARCH=arm64: the integration suites and test_release (the
# test programs stay native) against dist/initc-ARCH, which the kernel runs
# itself (amd64; 386 where it has IA-32 emulation) or through binfmt_misc
# and qemu-user (tools/binfmt sets that up as root). Under emulation,
# INITC_EMULATED=1 makes the few cases it cannot run skip, each saying why.
check-arch: $(if $(ARCH),$(DIST)/initc-$(ARCH)) $(STATIC_SUITES) $(B)/tests/test_release \
		$(HELPER_BIN)
	@test -n "$(ARCH)" || { echo "make check-arch: which one? e.g. ARCH=arm64"; exit 2; }
	mode=$$(tools/binfmt $(ARCH) $(DIST)/initc-$(ARCH)) && echo "$(ARCH): $$mode" && \
	INITC_BIN=$(DIST)/initc-$(ARCH) INITC_STATIC=$(DIST)/initc-$(ARCH) \
		INITC_STATIC_MAX=$(STATIC_MAX) INITC_EMULATED=$$([ $$mode = emulated ] && echo 1) \
		HELPERS=$(B)/tests/helpers MAKE="$(MAKE)" \
		tests/run-all.sh $(STATIC_SUITES) $(B)/tests/test_release

clean: clean-dist
clean-dist:
	rm -rf $(DIST)

clean:
	rm -rf $(B) $(SAN_B) $(COV_B)
