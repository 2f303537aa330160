# The two commands: `make sandbox` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := bot handlers wallet subscriptions storage sandbox
LINT_PATHS := $(wildcard $(PACKAGES) tests bench)
# One test process more than there are cores: end-to-end tests spend part of their time waiting on sockets.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

.PHONY: sandbox test suite lint unit messages catalogs bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "jigap needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	# uv installs the same packages pip would, in seconds rather than half a minute.
	$(BIN)/python -m pip install --quiet uv

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[test]'
	@touch $@

# Compile the gettext catalogs (.po -> .mo) at install.
catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d bot/locale -D jigap --statistics

sandbox: catalogs
	$(BIN)/jigap sandbox

lint: $(VENV)/.installed
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy

unit: catalogs
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup

# Lint and the suite run side by side (the suite spends part of its time waiting on sockets); either one
# failing fails `make test`.
test: catalogs
	@$(MAKE) --no-print-directory -j2 lint suite

suite: catalogs
	$(BIN)/pytest -ra -n $(WORKERS) --dist loadgroup

# After adding or changing user-facing text: refresh the template and merge it into both catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k tr -k plural:1,2 -k N_ --no-location --sort-output --no-wrap \
		--project jigap -o bot/locale/jigap.pot $(PACKAGES)
	$(BIN)/pybabel update --no-fuzzy-matching --no-wrap -i bot/locale/jigap.pot -d bot/locale -D jigap

bench: catalogs
	for script in bench/*.py; do $(BIN)/python $$script --quick || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
