# Two commands for a newcomer: `make book` and `make test`. Each creates .venv on first use and
# reinstalls it whenever requirements.txt or pyproject.toml changes.
SHELL := /bin/bash
# One BLAS thread for tests, notebooks and builds: the book's matrices are small, and threads on a
# busy two-core machine make them many times slower. Override from the shell if you like.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' -not -path '*/_build/*')

.PHONY: help book test lint format outputs lab dist clean distclean \
	test-browser book-student linkcheck-report

help:
	@echo "make book     build the HTML book into _build/html (warnings are errors)"
	@echo "make test     package tests, doctests and every notebook's outputs (nbval, strict)"
	@echo "make test-browser  the built book in headless Chromium, every page (needs chromium)"
	@echo "make book-student  the student edition, without solutions, into _build/student/html"
	@echo "make linkcheck-report  list the book's external links in _build/linkcheck/ (offline)"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make outputs  re-execute every notebook in place after changing the package"
	@echo "make lab      JupyterLab in the project's environment"
	@echo "make dist     wheel and sdist of the nncourse package into dist/"
	@echo "make clean    remove build products (make distclean also removes .venv)"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Debian's chromium (apt-get install chromium), driven by Playwright; screenshots go to _build/screenshots
test-browser: book
	$(BIN)/python -m pytest tests/browser

book-student: $(STAMP)
	$(BIN)/python scripts/build_student_edition.py _build/student

linkcheck-report: book
	$(BIN)/python scripts/linkcheck_report.py _build/html _build/linkcheck/external-links.md

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadscope \
		--doctest-modules nncourse tests --ignore=tests/browser \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

outputs: $(STAMP)
	$(BIN)/python scripts/refresh_outputs.py $(NOTEBOOKS)

lab: $(STAMP)
	$(BIN)/python -m pip show jupyterlab >/dev/null 2>&1 || $(BIN)/python -m pip install jupyterlab
	$(BIN)/jupyter lab

dist: $(STAMP)
	$(BIN)/python -m build --no-isolation --outdir dist .  # offline, with the pinned setuptools

clean:
	rm -rf _build dist build *.egg-info .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
