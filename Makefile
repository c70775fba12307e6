# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= data/store
SAMPLE ?= data/sample
PORT   ?= 8050

.PHONY: run test lint format install install-test sample clean bench browser java artifacts

# Each step says what it does: a first `make run` installs for about a minute.
PIP := $(BIN)/pip install --disable-pip-version-check --progress-bar on

$(BIN)/python:
	@echo "==> make: creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> make: upgrading pip inside $(VENV)"
	$(PIP) --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> make: installing the forecaster and its dependencies into $(VENV)"
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "==> make: installing the forecaster with what its tests need into $(VENV)"
	$(PIP) -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The bundled sample: deterministic, regenerated only when missing.
$(SAMPLE)/.done: | $(VENV)/.installed
	@echo "==> make: writing the bundled sample to $(SAMPLE) and ingesting it into $(STORE)"
	$(BIN)/forecaster sample --out $(SAMPLE) --store $(STORE)
	touch $@

sample: $(SAMPLE)/.done

run: $(VENV)/.installed $(SAMPLE)/.done
	@echo "==> make: serving the dashboard on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/forecaster serve --store $(STORE) --workloads $(SAMPLE)/workloads.toml --loadtests $(SAMPLE)/loadtest --scenarios $(SAMPLE)/scenarios.toml --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check forecaster dashboard tests benchmarks
	$(BIN)/ruff format --check forecaster dashboard tests benchmarks

format: $(VENV)/.installed-test
	$(BIN)/ruff format forecaster dashboard tests benchmarks
	$(BIN)/ruff check --fix forecaster dashboard tests benchmarks

# pdftotext (Debian's poppler-utils) checks the review pack's PDF pages in the tests.
$(VENV)/.poppler: | $(BIN)/python
	command -v pdftotext >/dev/null || (apt-get update && apt-get install -y poppler-utils)
	touch $@

# Headless Chromium and its driver for the browser tests (tests/e2e): Debian's packages.
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || (apt-get update && apt-get install -y chromium chromium-driver)

# A Java runtime for PySpark's local mode (the Spark engine's tests): Debian's headless JRE.
java:
	command -v java >/dev/null || (apt-get update && apt-get install -y default-jre-headless)

test: $(VENV)/.installed-test $(VENV)/.poppler lint browser java
	$(BIN)/python -m pytest -q

# Reviewable pictures under tests/artifacts (gitignored): every dashboard page and the HTML
# pack screenshotted in headless Chromium, the sample month's PDF pages rendered with pdftoppm.
artifacts: $(VENV)/.installed-test $(VENV)/.poppler browser
	@echo "==> make: screenshots of the dashboard and the review pack into tests/artifacts"
	$(BIN)/python -m pytest -q tests/e2e/test_pages.py tests/e2e/test_pack_screenshot.py tests/test_review_pdf_report.py

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(SAMPLE) $(STORE)
