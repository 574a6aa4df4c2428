# The two commands of the README: `make run` and `make test`. Both install what is missing first.
.PHONY: install run test

install: .venv/.installed

.venv/.installed: pyproject.toml scripts/install.sh
	bash scripts/install.sh

# The service on the embedded default (SQLite under ./var, no other server) with a demo client, a demo
# analyst login and the samples ingested; prints the URL. HOST / PORT override where it listens.
HOST ?= 127.0.0.1
PORT ?= 8000
run: .venv/.installed
	.venv/bin/arrecon serve --demo --host $(HOST) --port $(PORT)

test: .venv/.installed
	bash scripts/test.sh
