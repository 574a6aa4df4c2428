#!/usr/bin/env bash
# The whole check: lint, types, import contracts, then the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

ruff check .
lint-imports
mypy
eval "$(bash scripts/services.sh || echo exit 1)"
pytest "$@"
