# One command runs the dashboard (make run), one runs the tests (make test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the accessibility test, pinned in tests/a11y/package-lock.json.
AXE := tests/a11y/node_modules/axe-core/axe.min.js

.PHONY: install run demo test lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Fills an empty database with synthetic data, then serves http://localhost:8501.
# Streamlit's STREAMLIT_* variables (port, headless, ...) and SP_DASHBOARD_DB pass through.
run: install
	$(BIN)/python -m dashboard serve

demo: install
	$(BIN)/python -m dashboard demo --replace

test: install lint $(AXE)
	$(BIN)/python -m pytest

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the accessibility test's axe-core: apt-get install -y npm" >&2; exit 1; }
	npm ci --prefix tests/a11y --ignore-scripts --no-audit --no-fund
	touch $(AXE)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Measures load, queries, pages, memory and the pandas comparison at 1,000,000 referrals
# (several minutes). BENCH_ARGS passes options, e.g. BENCH_ARGS="--referrals 100000 --browser".
bench: install
	$(BIN)/python -m dashboard bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info tests/a11y/node_modules
