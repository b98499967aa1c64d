# make run: the product on its embedded defaults (SQLite, in-process state, fake WeChat API).
# make test: the whole test suite against Redis, PostgreSQL and the SQLite default.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app bot

.PHONY: run test lint install install-dev services browser migrate bench audit clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt

migrate: install
	$(FLASK) migrate
	$(FLASK) import-regions

run: migrate
	@echo "Fake WeChat API on http://127.0.0.1:5001, the app on http://127.0.0.1:5000 (simulator at /)"
	@echo "In another terminal: .venv/bin/flask --app bot chat"
	$(FLASK) demo-places
	$(BIN)/python -m fake_wechat --port 5001 & trap 'kill $$!' EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

services:
	@bash scripts/ensure_services.sh

# The console's browser tests drive the system's Chromium (Playwright never downloads one);
# CJK fonts so pages render as staff see them. Installs only when missing (CI runs as root).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-wqy-zenhei; \
	fi

test: install-dev services browser lint
	$(BIN)/python -m pytest
	@bash scripts/audit.sh

# The layers import only downward (.importlinter), imports are tidy and used, no dead code.
lint: install-dev
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	@bash scripts/deadcode.sh

# Known vulnerabilities in the pinned dependencies (pip-audit, OSV); also the last step of `make test`.
audit:
	@bash scripts/audit.sh

bench: install-dev services
	$(BIN)/python -m bench.accuracy
	$(BIN)/python -m bench.webhook

clean:
	rm -rf $(VENV) .venv-audit instance .pytest_cache
