#!/usr/bin/env bash
# One command from a fresh clone to a result. Usage:
#   bash scripts/setup-and-run.sh tour [poolkit tour options]   # install + run the seed tour
#   bash scripts/setup-and-run.sh test [pytest options]         # install everything + run the tests
# Creates ./.venv (reused on later runs) and installs poolkit with the extras the job needs.
set -euo pipefail
cd "$(dirname "$0")/.."
job=${1:-tour}
shift || true
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
case "$job" in
  tour)
    pip install -e ".[tour]"
    exec .venv/bin/poolkit tour "$@"
    ;;
  test)
    # The extras ask for torch>=2.13; this machine's torch 2.13.0 is a CPU build on disk, and
    # installing it first keeps pip from resolving a newer (CUDA, several GB) release.
    pip install "torch==2.13.0"
    pip install -e ".[test,torch,tour,train,tensorboard,conformance,jax,keras,dask]"
    .venv/bin/ruff check src tests scripts $(ls -d benchmarks 2>/dev/null)
    # every core (-n auto); worksteal hands a long module's remaining tests to an idle worker
    exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
    ;;
  *)
    echo "usage: $0 tour|test [options]" >&2
    exit 2
    ;;
esac
