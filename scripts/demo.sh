#!/usr/bin/env bash
# Set everything up, then run the demo on local sandboxes (embedded default: SQLite + LocalQueue).
# Extra arguments go to `ecomsend demo` (e.g. --headless --products 200 --report var/report.json).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
exec ecomsend demo "$@"
