#!/usr/bin/env bash
# Set everything up, then run every check: ruff, mypy, import-linter and the whole pytest suite
# (PostgreSQL tests use ECOMSEND_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432).
set -euo pipefail
WITH_DEV=1 source "$(dirname "$0")/bootstrap.sh"
echo "== ruff";          ruff check src tests bench
echo "== mypy";          mypy
echo "== import-linter"; lint-imports --no-cache
echo "== pytest";        pytest "$@"
