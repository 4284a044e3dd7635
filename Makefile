# yurt — build, run, test.  See README.md.
#
# Objects go to build/ (or build/san/ with SAN=1, AddressSanitizer + UBSan),
# so a sanitized and a plain build live side by side.  Every src/*.c except
# main.c is also linked into the unit tests (tests/unit/*.c) and the test
# tools (tests/*.c), which are discovered by wildcard: adding a file needs
# no Makefile change.

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
PKG_CONFIG ?= pkg-config
PKGS	= openssl libmagic

VERSION	= 0.1.0

ifeq ($(SAN),1)
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
HARDEN	+= -D_FORTIFY_SOURCE=2
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -DYURT_VERSION=\"$(VERSION)\" $(WARN) $(HARDEN) \
	   $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS	+= -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LDLIBS	+= $(PKG_LIBS) -lpthread

SRCS	:= $(wildcard src/*.c)
LIBOBJS	:= $(patsubst src/%.c,$(B)/%.o,$(filter-out src/main.c,$(SRCS)))
UNITS	:= $(patsubst tests/unit/%.c,$(B)/tests/unit_%,$(wildcard tests/unit/*.c))
TOOLS	:= $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/*.c))

.SECONDARY:

.PHONY: all deps test-deps run test check-san clean install uninstall

all: $(B)/yurt

# Build dependencies: installed with apt when we can (root or sudo on
# Debian/Ubuntu), otherwise one line naming what to install.
deps:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || \
	  ./tests/need-packages build pkg-config libssl-dev libmagic-dev

test-deps: deps
	@./tests/need-packages test openssl curl lynx perl

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

$(B)/tests/%: $(B)/tests/%.o $(LIBOBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Serve the bundled capsule on localhost:1965 with a generated certificate.
run: $(B)/yurt
	$(B)/yurt -r capsule -d certs -H localhost -a localhost -p 1965

test: $(B)/yurt $(UNITS) $(TOOLS) test-deps
	@YURT=$(B)/yurt BUILD=$(B) ./tests/run

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check-san:
	$(MAKE) SAN=1 test

clean:
	rm -rf build

-include $(wildcard $(B)/*.d $(B)/tests/*.d $(B)/tests/unit/*.d)
