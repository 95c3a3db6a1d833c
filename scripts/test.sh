#!/usr/bin/env bash
# Set up (with test tools) and run the whole test suite. Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check src tests scripts
.venv/bin/python -m pytest "$@"
