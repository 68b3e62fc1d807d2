# The two commands: `make run` and `make test`. Both set up .venv from pinned requirements first.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

.PHONY: setup browser static run test bench lint clean directory-sync

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: setup
	$(PY) -m scripts.run

# Compare the directory with a feed (a URL or a file) and print the difference; APPLY=1 applies it.
directory-sync: setup
	@test -n "$(SOURCE)" || { echo "usage: make directory-sync SOURCE=<url or path> [APPLY=1] [REASON=...]" >&2; exit 2; }
	@$(PY) -m scripts.directory_sync "$(SOURCE)" $(if $(APPLY),--apply) --reason "$(REASON)"

# The browser tests drive Debian's chromium (with Thai fonts) through Playwright; never a download.
browser:
	@test -x /usr/bin/chromium && test -d /usr/share/fonts/truetype/tlwg || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null)

# Refresh web/static from the npm registry (package.json pins the versions); the files are committed.
static:
	rm -rf var/npm && mkdir -p var/npm && cd var/npm && npm pack --silent htmx.org@2.0.11 @fontsource/sarabun@5.3.0 && \
	  for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	cp var/npm/htmx.org-2.0.11/package/dist/htmx.min.js web/static/
	for w in thai-400 thai-700 latin-400 latin-700; do \
	  cp var/npm/fontsource-sarabun-5.3.0/package/files/sarabun-$$w-normal.woff2 web/static/fonts/; done

test: setup browser lint
	$(PY) -m pytest -q

bench: setup
	@$(PY) -m bench.run

# ruff (format and check) and the import contracts of DESIGN.md section 3; `make test` runs it first.
lint: setup
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf var
