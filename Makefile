# rtpipe: real-time stream analytics as Unix pipelines.
# make [all] | demo | check | bench | install | uninstall | clean

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
# Where objects and binaries go; `make check` also builds build-asan/.
BUILD   ?= build

RT_CFLAGS   = -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE
RT_CPPFLAGS = -Icommon -I$(BUILD)/gen -DRTPIPE_VERSION=\"$(VERSION)\"
LDLIBS      = -Wl,--as-needed -lutf8proc -lcjson -lcsv -lcurl -lrdkafka -lz -lm

TOOLS   = $(notdir $(wildcard cmd/*))
BINS    = $(TOOLS:%=$(BUILD)/bin/%)
COMMON  = $(patsubst common/%.c,$(BUILD)/common/%.o,$(wildcard common/*.c))
HEADERS = $(wildcard common/*.h)
UNITS   = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))
HELPERS = $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))
BENCHC  = $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
GEN     = $(BUILD)/gen/tld.h
SANITIZE = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

all: $(BINS) $(UNITS) $(HELPERS)

.SECONDEXPANSION:

# The top-level domains that bare URLs may end in come from Debian's
# publicsuffix package, so the list is as current as the system's.
$(GEN): tools/gen-tld.sh /usr/share/publicsuffix/public_suffix_list.dat
	@mkdir -p $(@D)
	sh tools/gen-tld.sh /usr/share/publicsuffix/public_suffix_list.dat > $@.tmp
	mv $@.tmp $@

$(BUILD)/common/tok.o: $(GEN)
$(BUILD)/common/%.o: common/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(RT_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON)
	rm -f $@
	ar rcs $@ $(COMMON)

$(BUILD)/bin/%: cmd/$$*/$$*.c $(HEADERS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(RT_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		$(filter %.c,$^) $(BUILD)/libcommon.a $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(HEADERS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(RT_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		$< $(BUILD)/libcommon.a $(LDLIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(HEADERS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(RT_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		$< $(BUILD)/libcommon.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(HEADERS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(RT_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		$< $(BUILD)/libcommon.a $(LDLIBS)

# Installs the Debian packages the build and tests need, when missing.
deps:
	@sh tools/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(BUILD)/bin

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(SANITIZE)" \
		LDFLAGS="-fsanitize=address,undefined" all
	@sh tests/run.sh $(BUILD) build-asan

bench: deps
	@$(MAKE) --no-print-directory all $(BENCHC)
	@sh bench/run.sh $(BUILD)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do cp -f $(BUILD)/bin/$$t $(DESTDIR)$(BINDIR)/ || exit 1; done
	cp -f $(TOOLS:%=man/%.1) $(DESTDIR)$(MANDIR)/man1/
	cp -f man/rtpipe.7 $(DESTDIR)$(MANDIR)/man7/

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/man1/$$t.1; done
	rm -f $(DESTDIR)$(MANDIR)/man7/rtpipe.7

clean:
	rm -rf build build-asan

.PHONY: all deps demo check bench install uninstall clean
.SECONDARY:
