# Two commands on a fresh machine:  make demo   |   make test
# Everything they need is installed here: a virtualenv with the package (non-editable, the way a
# user installs it), the test tools, Debian's chromium for the browser tests and python3-qgis
# (QGIS 3.22, system python) for tests/test_qgis.py.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TC8 := $(VENV)/bin/tc8
DEMO_OUT ?= demo-output

.PHONY: demo test setup system-deps install bench clean

$(VENV)/.deps: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet '.[test]'
	touch $@

# Reinstall the package itself (fast, no dependencies) so tests run what a user would install.
install: $(VENV)/.deps
	rm -rf build
	$(PY) -m pip install --quiet --no-deps --force-reinstall .

system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; \
	fi
	@if ! /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then \
	  echo "Installing Debian python3-qgis (QGIS 3.22) for tests/test_qgis.py"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-qgis; \
	fi

setup: install

demo: install
	$(TC8) demo --output $(DEMO_OUT) --overwrite

test: install system-deps
	$(PY) -m pytest -q tests

bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info $(DEMO_OUT)
