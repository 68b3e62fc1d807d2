# The two commands: `make run` and `make test`. Both set up .venv from pinned requirements first.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

.PHONY: setup run test bench lint clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: setup
	$(PY) -m scripts.run

test: setup
	$(PY) -m pytest -q

bench: setup
	@$(PY) -m bench.run

lint: setup
	$(VENV)/bin/lint-imports

clean:
	rm -rf var
