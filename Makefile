# The two commands of the README: `make run` and `make test`. Both install what is missing first.
.PHONY: install run test

install: .venv/.installed

.venv/.installed: pyproject.toml scripts/install.sh
	bash scripts/install.sh

run: .venv/.installed
	.venv/bin/arrecon extract samples --format table

test: .venv/.installed
	bash scripts/test.sh
