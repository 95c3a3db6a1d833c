#!/usr/bin/env bash
# Set up learnsys in a virtual environment at .venv (idempotent). Usage: scripts/setup.sh [--test]
#   --test  also install the test tools (pytest, httpx, playwright) and Debian's chromium for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# CPU build of torch first: a plain 'torch' requirement would pull a multi-GB CUDA build.
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  echo "[setup] installing torch==2.13.0 (CPU)"
  .venv/bin/pip install -q torch==2.13.0
fi
extras=""
if [ "${1:-}" = "--test" ]; then extras="[test]"; fi
echo "[setup] installing learnsys${extras}"
.venv/bin/pip install -q -e ".${extras}"
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "[setup] installing Debian chromium for the browser tests"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "[setup] done: .venv/bin/learnsys"
