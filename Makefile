# The README's two set-up commands: `make demo` and `make test`. Each creates .venv on a fresh
# machine with only Python 3.11 and installs what it needs before running.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz lint typecheck bench catalog clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/s3cop demo

test: $(STAMP) lint typecheck
	$(BIN)/pytest -q

# Property tests at full strength (10,000 examples each; slow ones scale, see tests/conftest.py).
# More long runs (e.g. crash loops) join as further lines.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q --timeout=0 -p no:cacheprovider \
		tests/unit/test_timeparse_properties.py tests/unit/test_recurrence_properties.py \
		tests/e2e/test_events_precision_property.py
	# The crash test kills the bot 120 times (seeded; S3COP_CRASH_SEED replays a run); the
	# fault suite runs every fault on every route of every flow.
	S3COP_CRASH_KILLS=120 S3COP_CRASH_CLICKS=1000 $(BIN)/pytest -q -s --timeout=0 tests/e2e/test_crash.py
	S3COP_FAULTS=all $(BIN)/pytest -q tests/e2e/test_faults.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

catalog: $(STAMP)
	$(BIN)/python -m bot.i18n extract

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
