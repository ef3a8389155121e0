# Two commands for a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# Links, QR codes and emails give the address served, unless the environment names another.
RAQMANA_PUBLIC_URL ?= http://$(HOST)
export RAQMANA_PUBLIC_URL

.PHONY: run test lint format messages bench clean

$(PY):
	@PYTHON=$$(scripts/find-python) && echo "Using $$PYTHON" && "$$PYTHON" -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# Development server with the database task worker and the periodic jobs' scheduler beside it; all stop with
# Ctrl-C. `make run HOST=127.0.0.1:8001` serves another address. The demo logins are printed last, after the worker
# has sent the first emails (written to var/mail/). Server and worker time-stamp seals at the server's own development TSA (seed_demo, before the server runs,
# calls it in-process). ClamAV's daemon, where installed, scans uploaded proofs with the EICAR test signature only
# (scripts/clamav/start-clamd).
run: $(STAMP)
	RAQMANA_DEBUG=1 $(PY) manage.py migrate --no-input
	RAQMANA_DEBUG=1 $(PY) manage.py load_territories
	RAQMANA_DEBUG=1 $(PY) manage.py load_holidays
	RAQMANA_DEBUG=1 $(PY) manage.py load_procedures
	RAQMANA_DEBUG=1 $(PY) manage.py open_single_windows
	@if command -v clamd >/dev/null; then scripts/clamav/start-clamd 2>/dev/null || true; \
	else echo "No ClamAV daemon (apt-get install clamav-daemon): uploaded proofs wait for a virus scan."; fi
	RAQMANA_DEBUG=1 $(PY) manage.py seed_demo --verbosity 0
	export RAQMANA_TSA_URL=$${RAQMANA_TSA_URL:-http://$(HOST)/documents/pki/tsa}; \
	RAQMANA_DEBUG=1 $(PY) manage.py run_worker --no-reload & worker=$$!; \
	RAQMANA_DEBUG=1 $(PY) manage.py run_periodic & periodic=$$!; \
	trap 'kill $$worker $$periodic 2>/dev/null' EXIT INT TERM; \
	sleep 5; RAQMANA_DEBUG=1 $(PY) manage.py seed_demo --logins-only; \
	RAQMANA_DEBUG=1 $(PY) manage.py runserver $(HOST)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Style, then the arrows between apps (import-linter's contracts in pyproject.toml), then the types of services,
# selectors and the kernel (mypy with django-stubs).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	RAQMANA_DEBUG=1 $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP)
	RAQMANA_DEBUG=1 $(PY) manage.py makemessages -l ar -l fr --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --no-obsolete --no-location --no-wrap
	RAQMANA_DEBUG=1 $(PY) manage.py compilemessages --ignore ".venv/*"

bench: $(STAMP)
	$(PY) bench/territories_load.py
	$(PY) bench/civil_status_search.py --acts 100000

clean:
	rm -rf $(VENV)
