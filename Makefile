# Entry points: `make demo` serves both pages, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Tests read MNIST from here; unset, the loader downloads it to ~/.cache/dcgan-mnist.
MNIST_DATA_DIR ?= $(abspath $(wildcard ../shared/data/mnist))
export MNIST_DATA_DIR

.PHONY: setup system-deps demo build lint test bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'setuptools<70' wheel 'numpy==1.26.4'
	$(PY) -m pip install -q --no-build-isolation -r requirements.txt
	# the library package, editable: the scripts, tests and bench/ import it from here
	$(PY) -m pip install -q --no-build-isolation --no-deps -e .
	touch $@

# numjs pulls in sharp, whose install script downloads libvips; numjs only uses it under Node.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

system-deps:
	scripts/install-system-deps.sh

dist/index.html: $(shell find app -type f 2>/dev/null) webpack.config.js package-lock.json | setup
	npm run build

build: dist/index.html

demo: setup build
	$(PY) serve.py --port '$(PORT)'

lint: setup
	$(VENV)/bin/ruff check .

test: system-deps setup build lint
	$(PY) -m pytest tests

# Bench-only Python packages (PyTorch, onnxruntime): see bench/requirements.txt for --no-deps.
$(VENV)/.bench-installed: bench/requirements.txt | setup
	$(PY) -m pip install -q --no-deps -r bench/requirements.txt
	touch $@

# Not part of `make test`: prints a table and writes bench/results.json (~10 minutes).
bench: system-deps setup build $(VENV)/.bench-installed
	$(PY) bench/run.py

clean:
	rm -rf dist .pytest_cache test-artifacts
