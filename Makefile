# Two entry points (see README): `make demo` and `make test`. Each installs only what it needs
# (scripts/install.sh: uv when it can be had, pip otherwise; INSTALLER=pip forces pip).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PYTHON VENV

.PHONY: demo test test-slow chaos system-deps bench lint clean image image-test

# One stamp per set of extras ("+" stands for ","): `make demo` → core + web (the console it points to), `make test` → test,cloud,web,
# `make lint` → lint,cloud,web (mypy needs the packages it type-checks against).
$(VENV)/.installed-%: pyproject.toml scripts/install.sh
	@bash scripts/install.sh '$(subst +,$(comma),$*)'
	@touch $@
comma := ,

system-deps:
	@bash scripts/system-deps.sh

demo: $(VENV)/.installed-demo
	$(BIN)/oncodrop demo --workdir demo-work

test: $(VENV)/.installed-test+cloud+web system-deps
	@if [ -f .importlinter ]; then echo '$(BIN)/lint-imports'; $(BIN)/lint-imports; fi
	$(BIN)/python -m pytest -q -p no:cacheprovider -m 'not slow'

# the longest end-to-end runs (marker `slow`: worker and serve kills, Celery, Slurm, AWS Batch, the
# short chaos round), kept out of `make test` so that it stays well under 20 minutes; CI runs both
test-slow: $(VENV)/.installed-test+cloud+web system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow

chaos: $(VENV)/.installed-test+cloud+web system-deps
	ONCODROP_CHAOS=long $(BIN)/python -m pytest -q -s -p no:cacheprovider -m chaos

lint: $(VENV)/.installed-lint+cloud+web
	$(BIN)/ruff check src tests benchmarks
	@if [ -f .importlinter ]; then echo '$(BIN)/lint-imports'; $(BIN)/lint-imports; fi
	$(BIN)/mypy src

bench: $(VENV)/.installed-demo
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/reporter.py

clean:
	rm -rf $(VENV) $(ANSIBLE_VENV) demo-work .pytest_cache build/image

# The OCI image (Containerfile; deploy/aws/README.md "The image"), kept out of `make test`: the first
# build here takes ~9 min (Debian base ~4, dependencies ~4), a rebuild of a changed wheel ~1.
# IMAGE, VERSION, BASE (a pinned upstream image for a release) are read from the environment.
image: $(VENV)/.installed-demo
	@bash scripts/release/image-deps.sh
	RELEASE_PYTHON=$(CURDIR)/$(BIN)/python bash scripts/release/build-image.sh

# the smoke test: `oncodrop demo` and each role's command inside the image, non-root, no secrets
image-test: image
	RELEASE_PYTHON=$(CURDIR)/$(BIN)/python bash scripts/release/test-image.sh

# Slow checks kept out of `make test` (see deploy/hpc/README.md and deploy/onprem/README.md).
ANSIBLE_VENV := .venv-ansible
.PHONY: test-slurm test-ansible lint-ansible

# twenty samples, an scancel and a drained node on a real one-node Slurm (root; ~2-5 min)
test-slurm: $(VENV)/.installed-test+cloud+web
	@command -v slurmctld >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null)
	ONCODROP_TEST_SLURM_FULL=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/test_slurm.py

$(ANSIBLE_VENV)/bin/ansible-lint:
	@test -x $(ANSIBLE_VENV)/bin/python || $(PYTHON) -m venv $(ANSIBLE_VENV)
	@$(ANSIBLE_VENV)/bin/pip install -q --disable-pip-version-check ansible-core ansible-lint

# the role applied twice into a throw-away prefix, the installed demo, units verified (~5-10 min)
test-ansible: $(VENV)/.installed-test+cloud+web $(ANSIBLE_VENV)/bin/ansible-lint
	ONCODROP_TEST_ANSIBLE=1 ONCODROP_TEST_ANSIBLE_BIN=$(CURDIR)/$(ANSIBLE_VENV)/bin \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/deploy/test_ansible.py

lint-ansible: $(ANSIBLE_VENV)/bin/ansible-lint
	cd deploy/ansible && ANSIBLE_HOME=$$(mktemp -d) $(CURDIR)/$(ANSIBLE_VENV)/bin/ansible-lint --profile production --offline site.yml roles
