PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run test lint bench lock vectors clean

# Install exactly the versions (and files, by hash) in the lock, then the bot itself.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Resolve pyproject.toml's dependencies (all extras) again and pin them with hashes.
# Run after adding or changing a dependency, then commit pyproject.toml and the lock together.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --all-extras --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

run: $(STAMP)
	$(BIN)/python run_bot.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Embed the shipped content again and rewrite content/vectors.npz, so that a first start
# embeds nothing. Run after changing content/ or how passages are cut, then commit the file.
vectors: $(STAMP)
	$(BIN)/python -m bot.knowledge.vectors_export

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
