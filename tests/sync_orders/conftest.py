"""One LocalStack (both sandboxes + the app, real ports, SQLite) per test module that asks for
`env`: each test gets its own merchant (Shopify store + TikTok shop) on it. The fixtures are
tests/e2e_orders' own (whose harness these tests use), imported so both folders share them."""

from __future__ import annotations

from e2e_orders.conftest import app_db, env, stack

__all__ = ["app_db", "env", "stack"]
