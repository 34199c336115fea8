# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app

.PHONY: run test setup db lint bench clean

# Every process of the Procfile (web server and job worker), as deployed, on SQLite.
run: db
	@echo "打开 http://127.0.0.1:5000 （演示账号见 README.md）"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --port 5000

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --upgrade pip
# Compiled here, once: where PYTHONDONTWRITEBYTECODE is set (as on the CI machine) Python
# never keeps what it compiles, and every process compiled pyHanko, fontTools … again
# (importing the signer: 1.37 s of CPU, 0.50 s compiled).
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask cert init-key
	$(BIN)/flask bank import question_bank/banks/*.yaml
	$(BIN)/flask exam import question_bank/exams/*.yaml
	$(BIN)/flask demo seed

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The session load test at a small size (30 candidates, a 30-second test, every paper
# submitted): fails on any failed request, lost answer, paper not finalized once or
# certificate missing. `make bench` runs it at full size.
SMALL_SESSION := BENCH_SESSION_N=30 BENCH_LOGIN_SECONDS=3 BENCH_TEST_MINUTES=0.5 BENCH_EARLY=1 \
	BENCH_SESSION_STRICT=1 BENCH_SESSION_LIMIT=180 BENCH_READ_BACK_WAIT=60 WEB_CONCURRENCY=2

# The second run, on PostgreSQL, is for what the engine can change (SQL, locking,
# concurrency): it leaves out the domain packages and every other test that opens no
# database (tests/conftest.py), and the browser tests: what a browser adds (the pages'
# scripts, layout, keyboard, print) does not depend on the engine, and the requests they
# send are the HTTP tests', which run on both (they were a third of this run's time).
# The small session runs beside it: it waits on its own timeline (~50 s) and uses a tenth
# of a core, so it adds no time; its output follows the run's, and either failing fails.
# --durations prints the slowest tests, to keep the suite's time (aim: well under 15 min) in view.
test: setup lint
	$(BIN)/python -m pytest -q -n 2 --durations=15
	log=$$(mktemp); $(SMALL_SESSION) $(BIN)/python bench/bench_session.py >$$log 2>&1 & session=$$!; \
	scripts/with-postgres.sh $(BIN)/python -m pytest -q -n 2 --durations=10 -m "not browser" tests/app tests/bench; \
	postgres=$$?; wait $$session; small=$$?; cat $$log; rm -f $$log; \
	test $$postgres = 0 -a $$small = 0

bench: setup
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done
	scripts/with-postgres.sh $(BIN)/python bench/bench_pdf_storage.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_item_updates.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
