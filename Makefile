# make run   - set up what is missing, then Azurite (ports 10000-10002, data in .azurite/data)
#              and the local Functions host on ${PORT:-7071}, until Ctrl-C stops both.
# make test  - the same set-up plus test dependencies, then the whole pytest suite on an
#              Azurite of its own (free ports); PYTEST_ARGS is passed to pytest.
#
# Settings for `make run` come from local.settings.json if present, else
# local.settings.example.json (its Values become environment variables; variables
# already set in the environment, such as PORT or FACE_API_KEY, win).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SETTINGS := $(if $(wildcard local.settings.json),local.settings.json,local.settings.example.json)
PYTEST_ARGS ?=

.PHONY: run test setup test-setup venv deps test-deps azurite models help

help:
	@echo "make run   - serve the API locally on \$${PORT:-7071} (with Azurite); Ctrl-C stops it"
	@echo "make test  - run the whole test suite (PYTEST_ARGS='-k detect' to select)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

venv: $(PY)

# reinstall only when requirements*.txt is newer than its stamp
$(VENV)/.requirements.stamp: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.requirements-test.stamp: requirements-test.txt $(VENV)/.requirements.stamp
	$(PY) -m pip install -q -r requirements-test.txt
	@touch $@

deps: $(VENV)/.requirements.stamp
test-deps: $(VENV)/.requirements-test.stamp

azurite: | $(PY)
	@$(PY) scripts/azurite.py install

models: deps
	@$(PY) scripts/fetch_models.py

setup: deps azurite models
test-setup: setup test-deps

run: setup
	@echo "Settings from $(SETTINGS) (environment wins); Azurite data in .azurite/data"
	$(PY) scripts/azurite.py run --location .azurite/data --export AzureWebJobsStorage -- \
		$(PY) scripts/local_host.py --settings $(SETTINGS)

test: test-setup
	$(PY) scripts/azurite.py run --free-ports -- $(PY) -m pytest -q $(PYTEST_ARGS)
