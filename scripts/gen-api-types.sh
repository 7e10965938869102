#!/usr/bin/env bash
# Regenerate frontend/src/api/schema.d.ts from the app's own OpenAPI document, so the UI's types
# are the API's. Run after changing a route or a response model; tests/ui/test_api_types.py fails
# while the committed file is stale.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON_BIN:-$ROOT/.venv/bin/python}"
mkdir -p var
"$PY" -m ecomsend.web.openapi_dump var/openapi.json
(cd frontend && npx --no-install openapi-typescript ../var/openapi.json -o src/api/schema.d.ts >/dev/null)
echo "frontend/src/api/schema.d.ts regenerated"
