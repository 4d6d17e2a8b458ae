#!/usr/bin/env bash
# Build the documentation site strictly and check it in headless Chromium.
#
#   bash scripts/build_docs.sh      -> docs/_build/html (open docs/_build/html/index.html),
#                                      screenshots in docs/_build/screenshots
#
# Installs the docs extra into .venv when it is missing (and Debian's chromium when it is missing and we
# are root), builds with `sphinx-build -W --keep-going -n` (any warning or broken reference fails), then
# runs docs/check_site.py: math typeset by the local MathJax, plots loaded, nothing fetched from outside.
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { printf '[docs %3ss] %s\n' "$SECONDS" "$*"; }
[ -x .venv/bin/python ] || bash scripts/setup.sh docs
if ! .venv/bin/python -c "import sphinx, furo, myst_nb, playwright, matplotlib" 2>/dev/null; then
  stage "installing jaxsched[docs] into .venv"
  .venv/bin/python -m pip install --progress-bar off -c .ci/constraints.txt -e ".[docs]"
fi
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    stage "installing chromium from Debian's packages"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  else
    echo "build_docs: $CHROMIUM missing; install Debian's chromium (apt-get install chromium)" >&2
    exit 1
  fi
fi
stage "building the site (sphinx-build -W --keep-going -n)"
rm -rf docs/_build docs/api docs/notebooks
MPLBACKEND=Agg JAX_PLATFORMS=cpu .venv/bin/python -m sphinx -W --keep-going -n -q -b html docs docs/_build/html
stage "checking the site in headless Chromium"
.venv/bin/python docs/check_site.py --chromium "$CHROMIUM"
stage "done: docs/_build/html/index.html"
