# make run: the product on its embedded defaults (SQLite, in-process state, fake WeChat API).
# make test: the whole test suite against Redis, PostgreSQL and the SQLite default.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app bot

.PHONY: run test install install-dev services migrate bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt

migrate: install
	$(FLASK) migrate

run: migrate
	@echo "Fake WeChat API on http://127.0.0.1:5001, the app on http://127.0.0.1:5000 (simulator at /)"
	@echo "In another terminal: .venv/bin/flask --app bot chat"
	$(BIN)/python -m bot.fake_wechat --port 5001 & trap 'kill $$!' EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

services:
	@bash scripts/ensure_services.sh

test: install-dev services
	$(BIN)/python -m pytest

bench: install-dev services
	$(BIN)/python -m bench.accuracy
	$(BIN)/python -m bench.webhook

clean:
	rm -rf $(VENV) instance .pytest_cache
