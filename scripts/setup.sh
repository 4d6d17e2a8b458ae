#!/usr/bin/env bash
# Create .venv and install jaxsched with every test dependency (CPU torch pinned by .ci/constraints.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c .ci/constraints.txt -e ".[test,dev]"
