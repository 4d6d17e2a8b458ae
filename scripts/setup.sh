#!/usr/bin/env bash
# Create .venv and install jaxsched into it (editable), printing a line per stage and pip's own progress.
#
#   bash scripts/setup.sh          everything the test suite needs: .[test,dev] (CI, development)
#   bash scripts/setup.sh parity   only what `jaxsched parity` needs: .[parity] (the README's first command)
#   bash scripts/setup.sh docs     what scripts/build_docs.sh needs: .[docs]
#
# CPU torch is pinned by .ci/constraints.txt (an unpinned torch pulls several GB of CUDA wheels).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-test}" in
  parity) extras="parity" ;;
  test) extras="test,dev" ;;
  docs) extras="docs" ;;
  *) echo "usage: bash scripts/setup.sh [parity|test|docs]" >&2; exit 2 ;;
esac
stage() { printf '[setup %3ss] %s\n' "$SECONDS" "$*"; }
if [ -x .venv/bin/python ]; then
  stage "using the existing .venv ($(.venv/bin/python -V 2>&1))"
else
  stage "creating .venv with $(python3 -V 2>&1)"
  python3 -m venv .venv
fi
stage "installing jaxsched[$extras] (pip's output follows)"
.venv/bin/python -m pip install --progress-bar off -c .ci/constraints.txt -e ".[$extras]"
if [ "$extras" = "test,dev" ]; then
  # timm without its dependencies: its only other runtime need here is torch, and the torchvision it would
  # pull is built for CUDA torch, fails to import against the CPU torch and breaks lightning and
  # torchmetrics. The tests load timm's scheduler code alone (tests/timm_original.py).
  stage "installing timm (scheduler code only, without dependencies)"
  .venv/bin/python -m pip install --progress-bar off --no-deps "timm>=1.0.31,<2"
fi
stage "done: .venv has jaxsched[$extras]"
