#!/usr/bin/env bash
# Sourced by scripts/demo.sh and scripts/test.sh: creates .venv and installs the project (and its
# dev tools with WITH_DEV=1) whenever pyproject.toml changed since the last install, then installs
# the admin UI's npm packages (when the lockfile changed) and builds it (when its sources changed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "EcomSend Feed needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
extras=""
[ "${WITH_DEV:-0}" = "1" ] && extras="[dev]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "installing EcomSend Feed$extras into .venv (log: .venv/install.log)"
  if ! { .venv/bin/python -m pip install --upgrade pip \
         && .venv/bin/python -m pip install -e ".$extras"; } > .venv/install.log 2>&1; then
    grep -v "^WARNING: Location" .venv/install.log | tail -40 >&2
    exit 1
  fi
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"

# The admin UI (frontend/): React + Polaris, built by Vite into src/ecomsend/web/ui_dist.
if ! command -v node >/dev/null 2>&1 || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
  echo "EcomSend Feed's admin UI needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install it (e.g. 'apt-get install nodejs npm' or https://nodejs.org), then run this again." >&2
  exit 1
fi
ui_hash="$(cd frontend && cat package-lock.json | sha256sum | cut -c1-16)"
if [ ! -d frontend/node_modules ] || [ "$(cat frontend/node_modules/.ecomsend-lock 2>/dev/null)" != "$ui_hash" ]; then
  echo "installing the admin UI's npm packages (log: frontend/npm-install.log)"
  if ! (cd frontend && npm ci --no-audit --no-fund) > frontend/npm-install.log 2>&1; then
    tail -40 frontend/npm-install.log >&2
    exit 1
  fi
  echo "$ui_hash" > frontend/node_modules/.ecomsend-lock
fi
src_hash="$(cd frontend && find index.html vite.config.ts tsconfig.json package-lock.json src -type f -print0 \
            | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [ ! -f src/ecomsend/web/ui_dist/index.html ] || [ "$(cat src/ecomsend/web/ui_dist/.source-hash 2>/dev/null)" != "$src_hash" ]; then
  echo "building the admin UI (log: frontend/build.log)"
  if ! (cd frontend && npm run build) > frontend/build.log 2>&1; then
    tail -40 frontend/build.log >&2
    exit 1
  fi
  echo "$src_hash" > src/ecomsend/web/ui_dist/.source-hash
fi
