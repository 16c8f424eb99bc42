# Training Bookings. `make run` serves the app (gunicorn); `make dev` with Flask's
# reloading debug server; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run dev test test-sqlite test-postgres lint format bench install install-dev migrate demo send-mail clean a11y

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

# gunicorn as in production (gunicorn.conf.py: WEB_CONCURRENCY workers, default 2).
run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ with gunicorn (Ctrl+C stops it)"
	PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
		$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# Flask's debug server, reloading when the code changes.
dev: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ with Flask's debug server"
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(FLASK) run --debug --host 127.0.0.1 --port $(PORT)

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL is set. In parallel, one
# process per core, each with its own database (see tests/conftest.py); then the tests
# marked exclusive (many connections or servers of their own) one at a time, so they
# never compete with each other for PostgreSQL's connections. PYTEST_WORKERS=0 runs
# everything in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest
PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS))
test: install-dev
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== tests on SQLite =="; \
		env -u TEST_DATABASE_URL $(PYTEST) $(PARALLEL) -m "not postgres and not exclusive" $(PYTEST_ARGS) || exit $$?; \
		env -u TEST_DATABASE_URL $(PYTEST) -m "not postgres and exclusive" $(PYTEST_ARGS) || exit $$?; \
		echo "== tests on PostgreSQL =="; \
		$(PYTEST) $(PARALLEL) -m "not exclusive" $(PYTEST_ARGS) || exit $$?; \
		$(PYTEST) -m exclusive $(PYTEST_ARGS); \
	else \
		$(PYTEST) $(PARALLEL) -m "not exclusive" $(PYTEST_ARGS) || exit $$?; \
		$(PYTEST) -m exclusive $(PYTEST_ARGS); \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev
	$(BIN)/python bench/catalogue.py
	$(BIN)/python bench/booking.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/brochure.py

send-mail: install
	$(FLASK) outbox send --loop

clean:
	rm -rf $(VENV) .pytest_cache

# axe-core on every page in headless Chromium (needs chromium and node; see .ci/axe).
a11y: install
	bash .ci/axe/run.sh
