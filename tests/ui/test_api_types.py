"""The UI's API types are generated from the app's own OpenAPI document; this fails when a
route or model changed and `scripts/gen-api-types.sh` was not run (the UI would drift)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from ecomsend.web.openapi_dump import openapi_document

FRONTEND = REPO_ROOT / "frontend"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


@pytest.mark.skipif(not GENERATOR.exists() or shutil.which("node") is None,
                    reason="frontend/node_modules missing (the setup step installs it)")
def test_committed_api_types_match_the_openapi_document(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")
    out = tmp_path / "schema.d.ts"
    subprocess.run([str(GENERATOR), str(spec), "-o", str(out)], cwd=FRONTEND, check=True,
                   capture_output=True)
    committed = (FRONTEND / "src" / "api" / "schema.d.ts").read_text()
    assert out.read_text() == committed, (
        "frontend/src/api/schema.d.ts is stale: run scripts/gen-api-types.sh")
