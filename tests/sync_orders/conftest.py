"""One LocalStack (both sandboxes + the app, real ports, SQLite) per test module that asks for
`env`: each test gets its own merchant (Shopify store + TikTok shop) on it, as in
tests/e2e_orders (whose harness these tests use)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from cryptography.fernet import Fernet

from e2e_orders.harness import Env, make_env
from ecomsend.db.migrate import upgrade
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    var = tmp_path_factory.mktemp("sync-orders-stack")
    overrides = {"token_encryption_key": Fernet.generate_key().decode(),
                 "session_secret": "sync-orders-stack-secret-0123456789abcdef"}
    running = LocalStack(var, database_url=f"sqlite+aiosqlite:///{var / 'app.db'}",
                         settings_overrides=overrides,
                         tiktok_options={"webhook_retry_delays_s": (0.2, 0.4, 0.8)})
    upgrade(running.settings)
    with running:
        yield running


@pytest.fixture(scope="module")
async def app_db(stack: LocalStack) -> AsyncIterator[Database]:
    db = Database(stack.settings)
    yield db
    await db.dispose()


@pytest.fixture
async def env(stack: LocalStack, app_db: Database) -> AsyncIterator[Env]:
    made = await make_env(stack, app_db)
    yield made
    await made.merchant.close()
