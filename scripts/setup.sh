#!/usr/bin/env bash
# Create .venv and install jaxsched with every test dependency (CPU torch pinned by .ci/constraints.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c .ci/constraints.txt -e ".[test,dev]"
# timm's scheduler code is a test reference. timm's models need torchvision, whose wheels here are CUDA
# builds that fail to load with the pinned CPU torch (and then break Lightning and the HF Trainer), so timm
# is installed without its dependencies; the tests import only timm.scheduler (tests/_timm_import.py).
.venv/bin/python -m pip install -q -c .ci/constraints.txt --no-deps "timm>=1.0.20"
