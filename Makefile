# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test install install-test lint clean browser bench bench-at bench-docs console-screenshots catalog pack-docs bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The project's own modules compiled ahead (only what changed since): a command then starts
# without compiling them, also where PYTHONDONTWRITEBYTECODE is set (as on some CI machines),
# which would otherwise compile them all again at every start (about 0.3 s of a command's time).
bytecode: | $(BIN)/python
	$(BIN)/python -m compileall -q -j0 src workflows activities runtime bench worker.py >/dev/null

run: install bytecode
	$(BIN)/lifecycle up

# The Web UI test drives Debian's Chromium (with a CJK font for the screenshots); installed when
# missing and this user may (root).
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -e /usr/share/fonts/truetype/wqy ]; } \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && { apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 \
	       || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); }; }; } \
	  || echo "Chromium is not installed (apt-get install chromium): the Web UI test is skipped."

# The suite side by side in TEST_WORKERS processes (pytest-xdist): most of its time is end-to-end
# tests waiting on business days and outages, which overlap; each process has its own ports,
# folders and PostgreSQL database. Tests are handed out two at a time, the longest waits first
# (marked `long`; tests/conftest.py orders them), so no process ends alone on a long one. Six
# processes on 2 cores: with four, the cores were idle about 40 % of the suite's time.
TEST_WORKERS ?= 6
test: install-test browser bytecode
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist load --maxschedchunk 2

# The console's screenshots in docs/screenshots, taken again by its browser test (Debian's
# Chromium through Playwright, on a whole system).
console-screenshots: install-test browser
	LIFECYCLE_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/e2e/test_console.py

# The console's catalogues: what its pages and the engine show that is new, added to both (the
# Chinese one then wants its translations; tests/unit/test_console_catalog.py names them).
catalog: install
	$(BIN)/python -m lifecycle.console.catalog update

# The pack format's reference in docs/packs.md, written again from its JSON Schema.
pack-docs: install
	$(BIN)/python -m lifecycle.policies.reference docs/packs.md

lint: install-test
	$(BIN)/ruff check src workflows activities runtime tests bench worker.py
	$(BIN)/ruff format --check src workflows activities runtime tests bench worker.py
	$(BIN)/mypy src/lifecycle workflows activities runtime bench
	$(BIN)/lint-imports --no-cache

# The engine against a minimal twin workflow on one server (embedded, or TEMPORAL_ADDRESS);
# about 35 minutes on 2 cores; writes var/bench/latest.json. Not part of `make test`.
bench: install-test bytecode
	$(BIN)/python -m bench $(BENCH_ARGS)

# The figures in docs/performance.md, rendered again from the run kept beside it
# (docs/bench/latest.json): make bench BENCH_ARGS="--out docs/bench/latest.json" && make bench-docs
bench-docs: install-test
	$(BIN)/python -m bench.report docs/performance.md

# The same bench against an earlier commit's engine (REV), in a worktree under var/bench/:
# make bench-at REV=48c808d BENCH_ARGS="--scale 0 --no-years"
bench-at: install-test
	@test -n "$(REV)" || { echo "REV is not set: make bench-at REV=<commit>"; exit 2; }
	rm -rf var/bench/at-$(REV) && git worktree prune
	git worktree add --detach var/bench/at-$(REV) $(REV)
	rm -rf var/bench/at-$(REV)/bench && cp -r bench var/bench/at-$(REV)/bench
	cd var/bench/at-$(REV) && PYTHONPATH=src:. $(CURDIR)/$(BIN)/python -m bench \
	  --out $(CURDIR)/var/bench/at-$(REV).json $(BENCH_ARGS)
	git worktree remove --force var/bench/at-$(REV)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
