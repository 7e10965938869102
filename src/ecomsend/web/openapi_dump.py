"""`python -m ecomsend.web.openapi_dump PATH`: write the app's OpenAPI document (stable key order)
for `scripts/gen-api-types.sh`, which turns it into the admin UI's TypeScript types."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ecomsend.config import Settings


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of `create_app` (no lifespan runs, nothing is opened)."""
    from ecomsend.web.app import create_app

    settings = Settings(_env_file=None, shopify_api_key="openapi",
                        shopify_api_secret=SecretStr("openapi"))
    return create_app(settings, run_worker=False).openapi()


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else Path("var/openapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv)
