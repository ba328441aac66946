# Huzhu — `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
DEMO_WORKERS ?= 3000
# Test processes (pytest-xdist; each has its own test database and Redis database): one per core.
TEST_WORKERS ?= auto
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test check bench bench-api bench-discharge api-fuzz setup assets demo clean

$(BIN)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --silent && touch $@; \
	else \
		echo "!! npm not found: htmx and ECharts are not installed; pages still work, charts will not show." >&2; \
	fi

assets: node_modules/.installed

setup: $(BIN)/.installed assets
	@mkdir -p var
	@# English catalogue: the committed django.mo serves machines without GNU gettext.
	@if command -v msgfmt >/dev/null 2>&1; then cd src/huzhu && ../../$(BIN)/huzhu compilemessages -v0; fi

demo: setup
	$(BIN)/huzhu migrate --noinput -v0
	$(BIN)/huzhu demo --workers $(DEMO_WORKERS) --seed 1 --if-empty

run: demo
	@$(BIN)/huzhu demo_logins
	$(BIN)/huzhu runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

check: setup
	$(BIN)/ruff check src bench
	$(BIN)/huzhu makemigrations --check --dry-run -v0
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup
	@for script in bench/*.py; do case $$script in bench/api_load.py|bench/discharge.py) continue;; esac; echo "== $$script"; $(BIN)/python $$script || exit 1; done

# API load test against gunicorn + PostgreSQL (default 5,000,000 workers; BENCH_API_WORKERS=... to run small).
bench-api: setup
	$(BIN)/python bench/api_load.py

# Settlement at discharge against gunicorn + PostgreSQL: 50 hospitals at 200 calls/s, ratio to /ping (default
# 200,000 workers; BENCH_DISCHARGE_WORKERS=50000 BENCH_DISCHARGE_RATE=10 BENCH_DISCHARGE_SECONDS=15 to run small).
bench-discharge: setup
	$(BIN)/python bench/discharge.py

# schemathesis with many more generated requests per operation than the suite's quick pass.
api-fuzz: setup
	HUZHU_API_FUZZ_EXAMPLES=$${HUZHU_API_FUZZ_EXAMPLES:-100} $(BIN)/python -m pytest -q src/huzhu/tests/test_api_contract.py

clean:
	rm -rf var/huzhu.sqlite3* var/archive var/static var/screens
