# Build targets. `make` builds every manuscript in manuscripts/ to PDF, EPUB, screen PDF and cover;
# `make test` runs the tests. Both set up .venv (and the few system packages)
# first if needed.
#   make BOOK=manuscripts/the-salt-lantern   one book only
#   make pdf | make epub | make screen-pdf | make cover   one format only
#   make corpus                              the books in ../shared/corpus
#   make bench                               timings and peak memory
#   make clean                               remove build/

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BOOK   ?= $(wildcard manuscripts/*)
OUT    ?= build
CORPUS ?= ../shared/corpus
SPEC   := $(VENV)/share/commonmark-spec/spec.txt

.PHONY: all pdf epub screen-pdf cover test lint clean corpus bench setup system-deps test-deps
all: setup
	$(PY) -m pipeline build $(BOOK) --to pdf,epub,screen-pdf,cover --out $(OUT)

pdf: setup
	$(PY) -m pipeline build $(BOOK) --to pdf --out $(OUT)

epub: setup
	$(PY) -m pipeline build $(BOOK) --to epub --out $(OUT)

screen-pdf: setup
	$(PY) -m pipeline build $(BOOK) --to screen-pdf --out $(OUT)

cover: setup
	$(PY) -m pipeline cover $(BOOK) --out $(OUT)

# Test files run in parallel, one file per worker process (pytest-xdist), so a file's shared
# builds are made once; the files that build whole books start first (tests/conftest.py).
# --ace-every-epub: DAISY Ace checks every EPUB the tests build, as they are built
# (tests/conftest.py, tests/ace_batch.js: one browser for all).
test: setup test-deps
	PUPPETEER_EXECUTABLE_PATH=$(CHROMIUM) $(PY) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder \
	  --ace-every-epub --durations=15

lint: setup
	$(VENV)/bin/ruff check pipeline tests

corpus: setup
	$(PY) -m pipeline build $(wildcard $(CORPUS)/*/) --out $(OUT)

# pandoc 3.9 (pypandoc-binary, in the test extra) for the side-by-side timings.
#   make bench BENCH_ARGS='--quick'      or --books 50k,war-and-peace, --skip-pandoc
bench: setup
	$(PY) tests/benchmark.py $(BENCH_ARGS)

clean:
	rm -rf $(OUT)

setup: $(VENV)/.installed $(SPEC)

# DAISY Ace (the EPUB accessibility checker) for the tests only: the npm package
# in .venv/ace, run with Debian's chromium (puppeteer's own download is skipped).
# Building a book needs neither.
ACE_VERSION := 1.4.6
ACE         := $(VENV)/ace/node_modules/.bin/ace-cli
CHROMIUM    ?= /usr/bin/chromium
# Calibre (tests/test_reading_systems.py: ebook-meta, ebook-convert to AZW3 and TXT) is
# installed when root on Debian (373 MB, about 50 s); elsewhere those tests are skipped.
test-deps: $(ACE)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then echo "installing system packages: chromium"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "please install: chromium (apt-get install chromium)"; exit 1; fi; }
	@command -v ebook-convert >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then echo "installing system packages: calibre"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends calibre \
	      >/dev/null; \
	  else echo "calibre is not installed: the reading-system tests are skipped (apt-get install calibre)"; fi; }

$(ACE):
	mkdir -p $(VENV)/ace
	PUPPETEER_SKIP_DOWNLOAD=true npm install --silent --no-audit --no-fund --prefix $(VENV)/ace @daisy/ace-cli@$(ACE_VERSION)

# The CommonMark spec's examples, from the npm package, for the hostile-input tests.
SPEC_VERSION := 0.31.2
$(SPEC):
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent commonmark-spec@$(SPEC_VERSION) >/dev/null \
	  && tar xzf commonmark-spec-$(SPEC_VERSION).tgz --strip-components=1 package/spec.txt package/LICENSE \
	  && rm commonmark-spec-$(SPEC_VERSION).tgz

# System packages: HarfBuzz's subsetter (WeasyPrint's font subsetting; without
# it output differs) and a Java runtime for EPUBCheck in the tests.
system-deps:
	@need=""; \
	ldconfig -p | grep -q libharfbuzz-subset.so.0 || need="$$need libharfbuzz-subset0"; \
	command -v java >/dev/null || need="$$need default-jre-headless"; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$need"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  else echo "please install:$$need (apt-get install$$need)"; exit 1; fi; \
	fi

$(VENV)/.installed: pyproject.toml
	$(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@
