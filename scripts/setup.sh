#!/usr/bin/env bash
# Create .venv and install jaxsched with every test dependency (CPU torch pinned by .ci/constraints.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c .ci/constraints.txt -e ".[test,dev]"
# timm without its dependencies: its only other runtime need here is torch, and the torchvision it would
# pull is built for CUDA torch, fails to import against the CPU torch and breaks lightning and torchmetrics.
# The tests load timm's scheduler code alone (tests/timm_original.py).
.venv/bin/python -m pip install -q --no-deps "timm>=1.0.31,<2"
