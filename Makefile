# Convene: build, test, run, demo, install, package.
#
#   make            build build/convene and build/plugins/*.so
#   make demo       install what is missing, build, start ngircd + the bot
#                   with one example event (scripts/demo)
#   make test       install what is missing, build, run every test
#                   (unit, end-to-end, fuzz seeds, the Debian package;
#                   then unit and end-to-end under ASan+UBSan)
#   make lint       clang-format check, clang-tidy, file length (scripts/lint)
#   make fuzz       run every fuzz harness for FUZZ_SECONDS each
#   make bench      run the benchmarks in bench/
#   make install    binary, plugins, example config, manual pages:
#                   PREFIX=/usr/local DESTDIR= (also BINDIR, PLUGINDIR,
#                   SYSCONFDIR, MANDIR, LOCALEDIR); catalogues in LOCALEDIR
#   make deb        build/deb/convene_VERSION_ARCH.deb with debhelper
#                   (debian/); debian/changelog must be at VERSION
#   make test-package  make deb, then check the package and run lintian

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
PLUGINDIR ?= $(PREFIX)/lib/convene/plugins
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
PYTHON ?= /usr/bin/python3
FUZZ_SECONDS ?= 60
VERSION := 0.1.0

PKGS := libcurl libical sqlite3 libmicrohttpd inih libxxhash
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Each binary links only the libraries it calls (bench/README.md, "Memory"):
# libical (with ICU and libstdc++ behind it) is the plugins', not the host's,
# and the plugins open it at their first call of it (include/cv_ical.h):
# they link with -z defs, so a libical function called other than through
# cv_ical.h's table is a link error. libcurl the host opens with dlopen when
# it first needs it (bot/curl_lazy.h).
HOST_PKGS := sqlite3 libmicrohttpd inih
PLUGIN_PKGS := sqlite3 libxxhash
pkg_libs = $(shell pkg-config --libs $(1) 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
BASE_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) -Iinclude -Ibot $(PKG_CFLAGS) \
	-DCONVENE_VERSION='"$(VERSION)"' -DCONVENE_PLUGINDIR='"$(PLUGINDIR)"' \
	-DCONVENE_LOCALEDIR='"$(LOCALEDIR)"'
AS_NEEDED := -Wl,--as-needed
HOST_LIBS = $(AS_NEEDED) $(call pkg_libs,$(HOST_PKGS)) -lircclient -ldl -lm
PLUGIN_LIBS = $(AS_NEEDED) -Wl,-z,defs $(call pkg_libs,$(PLUGIN_PKGS)) -ldl -lm
# Unit tests and fuzz harnesses link the host's objects with plugins' code,
# and libcurl and libical themselves (curl_lazy.c and cv_ical.c then open
# the copies already mapped).
TEST_LIBS = $(HOST_LIBS) $(call pkg_libs,libcurl $(PLUGIN_PKGS) libical)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Build variants: B is the output folder, VFLAGS the extra flags.
B ?= build
VFLAGS ?=
# make V=1 shows the whole command lines.
Q := $(if $(V),,@)

BOT_SRC := $(wildcard bot/*.c)
BOT_LIB_SRC := $(filter-out bot/main.c,$(BOT_SRC))
# plugins/common/ is no plugin: code that plugins compile in (cv_ical.c).
PLUGINS := $(filter-out common,$(notdir $(patsubst %/,%,$(wildcard plugins/*/))))
TEST_PLUGINS := $(notdir $(patsubst %/,%,$(wildcard tests/plugins/*/)))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

BOT_OBJ = $(BOT_SRC:%.c=$(B)/obj/%.o)
dir_objs = $(patsubst %.c,$(B)/obj/%.o,$(wildcard $(1)/*.c))
BOT_LIB_OBJ = $(BOT_LIB_SRC:%.c=$(B)/obj/%.o)
PLUGIN_SO = $(PLUGINS:%=$(B)/plugins/%.so)
PLUGIN_AR = $(PLUGINS:%=$(B)/obj/plugins/%.a)
# An archive: a plugin takes from it only what it calls.
COMMON_AR = $(B)/obj/plugins/common.a
TEST_PLUGIN_SO = $(TEST_PLUGINS:%=$(B)/test-plugins/%.so)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# The languages other than English, each with po/LANG.po.
LANGS := fr
MO = $(LANGS:%=$(B)/locale/%/LC_MESSAGES/convene.mo)

.PHONY: interop all deps build lint asan test test-unit test-e2e test-fuzz-seeds test-asan \
	test-valgrind fuzz demo run bench install deb test-package clean distclean

all: build

deps:
	@./scripts/install-deps

build: $(B)/convene $(PLUGIN_SO) $(TEST_PLUGIN_SO) $(MO)

# ---- catalogues (HACKING.md, "Languages") ----

# The template comes from every source, each make: a sentence marked
# tr(lang, "..."), ntr(lang, "...", "...", n) or N_("...") cannot be left out.
# po/convene.pot is rewritten only when a message changed (no date in it).
XGETTEXT_FLAGS := --from-code=UTF-8 --language=C --no-wrap --sort-by-file \
	--package-name=convene --package-version=$(VERSION) \
	--add-location=file -k -ktr:2 -kntr:2,3 -kN_ --flag=tr:2:c-format --flag=ntr:2:c-format --flag=ntr:3:c-format

.PHONY: pot FORCE
pot: po/convene.pot
po/convene.pot: FORCE | deps-checked
	@mkdir -p $(B)
	$(Q)xgettext $(XGETTEXT_FLAGS) -o $(B)/convene.pot.new $(sort $(BOT_SRC) $(wildcard plugins/*/*.c))
	$(Q)sed -i -e '/^"POT-Creation-Date:/d' -e 's/charset=CHARSET/charset=UTF-8/' $(B)/convene.pot.new
	$(Q)cmp -s $(B)/convene.pot.new po/convene.pot || { echo "  POT     po/convene.pot"; \
		cp $(B)/convene.pot.new po/convene.pot; }
	$(Q)rm -f $(B)/convene.pot.new

# Fails when a message of the template has no translation (missing, empty
# or fuzzy: msgcmp ignores those) or when a translation's printf
# conversions differ from its original (msgfmt --check).
$(B)/locale/%/LC_MESSAGES/convene.mo: po/%.po po/convene.pot
	@mkdir -p $(dir $@)
	@echo "  MSGFMT  $@"
	$(Q)msgcmp $< po/convene.pot || { echo "po/$*.po: translate the messages above" \
		"(msgmerge -U --no-wrap po/$*.po po/convene.pot)" >&2; exit 1; }
	$(Q)msgfmt --check -o $@ $<

$(B)/convene: $(BOT_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(VFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS) $(VFLAGS)

$(B)/obj/%.o: %.c $(wildcard include/*.h bot/*.h plugins/*/*.h) | deps-checked
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(VFLAGS) $(BASE_CFLAGS) -fPIC -I$(dir $<) -c -o $@ $<

# One shared object per plugin folder, from every .c in it.
.SECONDEXPANSION:
.SECONDARY:
$(B)/plugins/%.so: $$(call dir_objs,plugins/$$*) $(COMMON_AR)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(VFLAGS) $(LDFLAGS) -shared -o $@ $^ $(PLUGIN_LIBS)

# Plugins that only the tests load, kept out of the plugin dir that ships.
$(B)/test-plugins/%.so: $$(call dir_objs,tests/plugins/$$*)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(VFLAGS) -shared -o $@ $^ $(PLUGIN_LIBS)

# The same objects as an archive, so unit tests can link a plugin's pure parts.
$(B)/obj/plugins/%.a: $$(call dir_objs,plugins/$$*)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

# test_host records what reaches the link, and when.
$(B)/tests/test_host: TEST_WRAP := -Wl,--wrap=link_text,--wrap=link_notice_many
$(B)/tests/%: tests/unit/%.c $(BOT_LIB_OBJ) $(PLUGIN_AR) $(COMMON_AR) $(MO)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(VFLAGS) $(BASE_CFLAGS) $(TEST_WRAP) -Itests/unit -o $@ $< $(BOT_LIB_OBJ) \
		$(PLUGIN_AR) $(COMMON_AR) $(TEST_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null) $(VFLAGS)

# Checks once per make run that the packages are there, without apt when they are.
.PHONY: deps-checked
deps-checked:
	@pkg-config --exists $(PKGS) cmocka && test -f /usr/include/libircclient.h \
		&& command -v msgfmt >/dev/null \
		|| ./scripts/install-deps

asan:
	$(MAKE) B=build/asan VFLAGS="$(SAN_FLAGS)" CFLAGS="-O1 -g" build unit-bins

unit-bins: $(UNIT_BIN)

# ---- tests ----

test: deps
	$(MAKE) lint
	$(MAKE) build unit-bins
	$(MAKE) test-unit
	$(MAKE) test-fuzz-seeds
	$(MAKE) test-e2e
	$(MAKE) test-package
	$(MAKE) test-asan
	@echo "make test: all passed"

# Style and static checks (.clang-format, .clang-tidy, HACKING.md "Style"):
# about a minute on 2 cores. LINT_JOBS sets the cores clang-tidy uses.
lint:
	@./scripts/lint

test-unit: build unit-bins
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The pinned npm packages the e2e tests use: calendar parsers (ical.js,
# node-ical), the browser driver (playwright-core) and axe-core.
interop:
	@./tests/interop/install

# The end-to-end files run on every core (pytest-xdist), a file per worker:
# each test starts its own servers on free ports, so they do not meet.
# E2E_JOBS=0 runs them one after another.
E2E_JOBS ?= auto
E2E_PAR = $(if $(filter 0,$(E2E_JOBS)),,-n $(E2E_JOBS) --dist loadfile)

test-e2e: build unit-bins interop
	CONVENE_BIN=$(abspath $(B)/convene) $(PYTHON) -m pytest -q -p no:cacheprovider \
		$(E2E_PAR) tests/e2e $(PYTEST_ARGS)

test-asan:
	$(MAKE) asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MAKE) B=build/asan VFLAGS="$(SAN_FLAGS)" CFLAGS="-O1 -g" test-unit-run test-e2e-run

test-unit-run:
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

test-e2e-run: interop
	CONVENE_BIN=$(abspath $(B)/convene) $(PYTHON) -m pytest -q -p no:cacheprovider \
		$(E2E_PAR) tests/e2e $(PYTEST_ARGS)

test-valgrind: build unit-bins interop
	CONVENE_VALGRIND=1 CONVENE_BIN=$(abspath $(B)/convene) $(PYTHON) -m pytest -q \
		-p no:cacheprovider tests/e2e $(PYTEST_ARGS)

# ---- fuzzing (libFuzzer, clang-14) ----

FUZZ_CC := clang-14
FUZZ_B := build/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)

$(FUZZ_B)/%: tests/fuzz/%.c $(BOT_LIB_SRC) $(wildcard plugins/*/*.c) $(wildcard include/*.h bot/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
		-Iinclude -Ibot $(PKG_CFLAGS) -DCONVENE_VERSION='"$(VERSION)"' \
		-DCONVENE_PLUGINDIR='"$(PLUGINDIR)"' -o $@ $< $(BOT_LIB_SRC) \
		$(shell sed -n 's,^// fuzz-sources: *,,p' $<) $(TEST_LIBS)

fuzz-bins: $(FUZZ_BIN)

# Each harness over its committed corpus (tests/fuzz/corpus/NAME/) and
# 20,000 mutations, or as many as fit in 45 s after the corpus (fuzz_recur
# runs libical's recurrence iterator, which goes through ICU: ~7 ms a run);
# what it finds goes to build/, never into the repository.
test-fuzz-seeds: fuzz-bins
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
		echo "== $$n (seed corpus)"; rm -rf $(FUZZ_B)/seedrun/$$n; \
		mkdir -p $(FUZZ_B)/seedrun/$$n tests/fuzz/corpus/$$n; \
		$$f -runs=20000 -max_total_time=45 -max_len=4096 $(FUZZ_B)/seedrun/$$n tests/fuzz/corpus/$$n \
			>/dev/null 2>$(FUZZ_B)/$$n.log || { tail -40 $(FUZZ_B)/$$n.log; exit 1; }; done

fuzz: fuzz-bins
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
		mkdir -p $(FUZZ_B)/corpus/$$n; echo "== $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=$(FUZZ_B)/$$n- \
			$(FUZZ_B)/corpus/$$n tests/fuzz/corpus/$$n 2>&1 | tail -3; done

# ---- running ----

demo: deps
	$(MAKE) build
	@./scripts/demo

run: build
	$(B)/convene -c $(or $(CONFIG),conf/convene.ini)

bench: build
	@./scripts/install-deps wrk nginx-light eggdrop limnoria
	@$(MAKE) -C bench
	@$(MAKE) -C bench/calendars
	@$(MAKE) -C bench peers

MAN_PAGES := convene.8 convene.ini.5

# The pages name the Debian package's paths; an install elsewhere gets its own.
install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(SYSCONFDIR)/convene \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(B)/man
	install -m 0755 $(B)/convene $(DESTDIR)$(BINDIR)/convene
	install -m 0644 $(PLUGIN_SO) $(DESTDIR)$(PLUGINDIR)/
	@set -e; for l in $(LANGS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
		install -m 0644 $(B)/locale/$$l/LC_MESSAGES/convene.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/convene.mo; done
	install -m 0644 conf/convene.example.ini $(DESTDIR)$(SYSCONFDIR)/convene/convene.example.ini
	@set -e; for p in $(MAN_PAGES); do \
		sed -e 's|/usr/lib/convene/plugins|$(PLUGINDIR)|g' \
			-e 's|/etc/convene|$(SYSCONFDIR)/convene|g' man/$$p >$(B)/man/$$p; \
		echo "install -m 0644 $(B)/man/$$p $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p"; \
		install -m 0644 $(B)/man/$$p $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; done

# ---- Debian package ----

DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/convene-$(VERSION)
DEB_JOBS ?= 2
# The outer make's flags and variables must not leak into the package build.
DEB_ENV := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u B -u VFLAGS \
	-u CFLAGS -u PREFIX -u DESTDIR -u BINDIR -u PLUGINDIR -u SYSCONFDIR -u MANDIR -u LOCALEDIR

# dpkg-buildpackage writes its output next to the tree it builds: build a
# copy of the sources (git's tracked and untracked files, or every file
# outside build/ without git) under build/deb/, so that the .deb, .buildinfo
# and .changes land there and nothing in ../. VERSION is the one version:
# debian/changelog must agree with it.
deb: deps
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "make deb: debian/changelog is at $$v, the Makefile's VERSION is" \
			"$(VERSION): add a changelog entry (dch -v $(VERSION))" >&2; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	@set -e; if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z -c -o --exclude-standard; \
	else find . \( -path ./build -o -path ./.git \) -prune -o -type f -print0; fi | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && $(DEB_ENV) dpkg-buildpackage -us -uc -b -j$(DEB_JOBS)
	@echo "make deb: $(DEB_DIR)/convene_$(VERSION)_$$(dpkg --print-architecture).deb"

# Builds the package and checks it (file list, modes, conffiles, lintian).
test-package: deps
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/package $(PYTEST_ARGS)

clean:
	rm -rf build

distclean: clean
