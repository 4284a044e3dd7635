# yurt — build, run, test.  See README.md.
#
# Objects go to build/ (or build/san/ with SAN=1, AddressSanitizer + UBSan),
# so a sanitized and a plain build live side by side.  Every src/*.c except
# main.c is also linked into the unit tests (tests/unit/*.c) and the test
# tools (tests/*.c), which are discovered by wildcard: adding a file needs
# no Makefile change.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share
SYSCONFDIR ?= /etc
UNITDIR	?= $(PREFIX)/lib/systemd/system
CC	?= cc
PKG_CONFIG ?= pkg-config
PKGS	= openssl libmagic

VERSION	= 0.1.0

ifeq ($(FUZZ),1)
# libFuzzer: every object instrumented, harnesses in tests/fuzz/
CC	= clang
B	= build/fuzz
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
SAN	= 1
else ifeq ($(SAN),1)
B	= build/san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B	= build
SANFLAGS =
endif

WARN	= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	  -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter
HARDEN	= -fstack-protector-strong -fPIE
ifneq ($(SAN),1)
HARDEN	+= -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# On a machine where `make deps` has only just installed them, pkg-config
# was not there yet when this Makefile was read: name the libraries.
ifeq ($(strip $(PKG_LIBS)),)
PKG_LIBS   := -lssl -lcrypto -lmagic
endif
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -DYURT_VERSION=\"$(VERSION)\" $(WARN) $(HARDEN) \
	   $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS	+= -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LDLIBS	+= $(PKG_LIBS) -lpthread

SRCS	:= $(wildcard src/*.c)
LIBOBJS	:= $(patsubst src/%.c,$(B)/%.o,$(filter-out src/main.c,$(SRCS)))
UNITS	:= $(patsubst tests/unit/%.c,$(B)/tests/unit_%,$(wildcard tests/unit/*.c))
TOOLS	:= $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/*.c))
FUZZERS	:= $(patsubst tests/fuzz/%.c,$(B)/fuzz_%,$(wildcard tests/fuzz/*.c))
FUZZTIME ?= 60
BENCH	:= $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(wildcard tests/bench/*.c))

.SECONDARY:

.PHONY: all deps test-deps test-programs run test check-san bench fuzz fuzz-build fuzz-run \
	clean install uninstall

all: $(B)/yurt

# Build dependencies: installed with apt when we can (root or sudo on
# Debian/Ubuntu), otherwise one line naming what to install.
deps:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || \
	  ./tests/need-packages build pkg-config libssl-dev libmagic-dev

test-deps: deps
	@./tests/need-packages test openssl curl lynx perl mandoc systemd faketime \
	  haproxy nginx-light libnginx-mod-stream tmux gopher sacc vf1

$(B)/yurt: $(B)/main.o $(LIBOBJS) | deps
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%.o: tests/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(B)/tests/unit/%.o: tests/unit/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isrc -Itests -c -o $@ $<

$(B)/tests/unit_%: $(B)/tests/unit/%.o $(LIBOBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The load generator stands alone: it must not share code with what it measures.
$(B)/tests/bench/%: tests/bench/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

# The test tools (gg, flood) share tests/tool/.
$(B)/tests/%: $(B)/tests/%.o $(B)/tests/tool/tool.o $(LIBOBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Serve the bundled capsule on localhost:1965 with a generated certificate,
# and over Gopher on port 70 (7070 when not root: port 70 is privileged).
RUN_GOPHER = $$([ "$$(id -u)" = 0 ] && echo 70 || echo 7070)
run: $(B)/yurt
	$(B)/yurt -r capsule -d certs -H localhost -a localhost -p 1965 \
	    -g $(RUN_GOPHER)

test-programs: $(B)/yurt $(UNITS) $(TOOLS) $(BENCH)

test: test-programs test-deps
	@YURT=$(B)/yurt BUILD=$(B) ./tests/run

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check-san:
	$(MAKE) SAN=1 test

# Fuzzing: each harness runs FUZZTIME seconds (make fuzz FUZZTIME=600).
# New inputs go to build/fuzz/corpus/, the seeds stay in tests/fuzz/corpus/.
fuzz:
	$(MAKE) FUZZ=1 fuzz-run

fuzz-build: $(FUZZERS)

fuzz-run: fuzz-build
	@./tests/fuzz/run $(B) $(FUZZTIME)

$(B)/fuzz_%: tests/fuzz/%.c $(LIBOBJS) | deps
	$(CC) $(CFLAGS) -Isrc -fsanitize=fuzzer,address,undefined -o $@ \
	    $(filter %.c %.o,$^) $(LDLIBS)

# Not part of the tests: a benchmark against references, see README.
bench: $(B)/yurt $(BENCH)
	YURT=$(B)/yurt BUILD=$(B) ./tests/bench/run

SUBST	= sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	      -e 's|@DATADIR@|$(DATADIR)|g'
UNITS_SYSTEMD = yurt.service yurt-standalone.service yurt-gemini.socket \
	      yurt-gopher.socket

install: $(B)/yurt
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/yurt $(DESTDIR)$(DATADIR)/yurt/capsule
	install -m 755 $(B)/yurt $(DESTDIR)$(BINDIR)/yurt
	install -m 644 src/yurt.8 $(DESTDIR)$(MANDIR)/man8/yurt.8
	install -m 644 src/yurt.conf.5 $(DESTDIR)$(MANDIR)/man5/yurt.conf.5
	for u in $(UNITS_SYSTEMD); do \
	    $(SUBST) systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	# an existing configuration is the operator's: never overwritten
	test -e $(DESTDIR)$(SYSCONFDIR)/yurt/yurt.conf || \
	    { $(SUBST) systemd/yurt.conf > \
	      $(DESTDIR)$(SYSCONFDIR)/yurt/yurt.conf && \
	      chmod 644 $(DESTDIR)$(SYSCONFDIR)/yurt/yurt.conf; }
	cp -R capsule/. $(DESTDIR)$(DATADIR)/yurt/capsule/
	chmod -R a+rX $(DESTDIR)$(DATADIR)/yurt/capsule

# The configuration is left behind, as package managers do.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/yurt $(DESTDIR)$(MANDIR)/man8/yurt.8 \
	    $(DESTDIR)$(MANDIR)/man5/yurt.conf.5
	for u in $(UNITS_SYSTEMD); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	rm -rf $(DESTDIR)$(DATADIR)/yurt

clean:
	rm -rf build

-include $(wildcard $(B)/*.d $(B)/tests/*.d $(B)/tests/unit/*.d $(B)/tests/tool/*.d)
