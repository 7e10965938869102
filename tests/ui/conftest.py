"""Browser tests of the admin UI: Playwright driving Debian's Chromium (no browser download),
against the three real servers of a `LocalStack` (sandboxes + app, embedded default).

- `ui_stack`: one stack for the package (SQLite; the UI built by the setup step).
- `browser`: one headless Chromium for the package.
- `page`: a fresh browser context and page per test; any console error or uncaught page error
  fails the test at teardown. `shot(page, name)` writes `var/screenshots/<name>.png` (git-ignored).
- `signed_in(page, stack, domain, products)`: a merchant with a seeded store installs the app
  in the browser (Shopify OAuth through the sandbox) and lands on Home.
- `axe_violations(page)`: serious or critical axe-core violations of the current page.

The tests skip, with the reason, when Chromium or the UI build is missing; CI has both
(`.ci/run` installs Debian's chromium, `scripts/test.sh` builds the UI).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from conftest import REPO_ROOT, TEST_TOKEN_KEY
from ecomsend.db.migrate import upgrade
from ecomsend.demo.stack import LocalStack, Merchant
from ecomsend.web.ui import UI_DIST

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
AXE_JS = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
#: Flags for a headless Chromium on a machine with no network beyond localhost (env notes:
#: without the background-networking flags it keeps dialling Google's hosts).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
#: Polaris' CDN fonts and images are unreachable offline; these failures are the network's, not
#: the app's (requests to any host but the stack are aborted by `page`).
OFFLINE_NOISE = ("net::ERR_FAILED", "ERR_BLOCKED_BY_CLIENT", "Failed to load resource")


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium not installed (apt-get install chromium; .ci/run does it)"
    if not (UI_DIST / "index.html").exists():
        return "admin UI not built (scripts/test.sh builds it; needs Node.js 20+)"
    if not AXE_JS.exists():
        return "frontend/node_modules missing (npm ci in frontend/)"
    return None


pytestmark = pytest.mark.browser
_REASON = _skip_reason()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _REASON is None:
        return
    for item in items:
        if "tests/ui/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=_REASON))


@pytest.fixture(scope="package")
def ui_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    var_dir = tmp_path_factory.mktemp("ui-stack")
    overrides = {"token_encryption_key": TEST_TOKEN_KEY,
                 "session_secret": "ui-tests-session-secret-" + "x" * 16}
    stack = LocalStack(var_dir, settings_overrides=overrides,
                       tiktok_options={"audit_delay_s": 0.05})
    upgrade(stack.settings)
    with stack as running:
        yield running


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


class ConsoleErrors(list[str]):
    """Console errors and uncaught exceptions seen by a page."""

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.append(f"pageerror: {exc}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(n in message.text for n in OFFLINE_NOISE):
            self.append(f"console.error: {message.text}")


@pytest.fixture
async def page(browser: Browser, ui_stack: LocalStack) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    allowed = (ui_stack.app_url, ui_stack.shopify_url, ui_stack.tiktok_url, "data:", "blob:")

    async def offline(route: Any) -> None:
        if route.request.url.startswith(allowed):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", offline)
    pg = await context.new_page()
    errors = ConsoleErrors()
    errors.watch(pg)
    yield pg
    await context.close()
    assert not errors, f"console errors: {errors}"


async def shot(page: Page, name: str) -> Path:
    """Screenshot the full page to var/screenshots/<name>.png (kept for a human to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


#: Resolves when every finite animation on the page has finished (spinners loop forever and
#: are skipped), or after 3 s at most.
SETTLE_ANIMATIONS_JS = """() => Promise.race([
  new Promise(done => setTimeout(done, 3000)),
  Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null))),
])"""


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now, once its finite CSS
    transitions and animations have ended (axe measures contrast on the colours it sees: a
    bulk-actions bar still fading in reads as low contrast on a loaded machine)."""
    await page.evaluate(SETTLE_ANIMATIONS_JS)
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE_JS))
    result = await page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def signed_in(page: Page, stack: LocalStack, domain: str, products: int = 20,
                    seed: int = 7) -> Merchant:
    """Create a seeded Shopify store, then install the app from the browser (OAuth through the
    sandbox's grant screen) so the page ends on Home with a session cookie. Returns a Merchant
    (control-API helper) for seeding more data."""
    merchant = Merchant(stack)
    await merchant.create_store(domain, products=products, seed=seed)
    await page.goto(f"{stack.app_url}/auth/shopify/install?shop={domain}")
    await page.wait_for_url(f"{stack.app_url}/")
    return merchant


async def connected(page: Page, stack: LocalStack, domain: str, products: int = 20,
                    seed: int = 7, region: str = "US", **tiktok: Any) -> tuple[Merchant, str]:
    """`signed_in`, then a TikTok shop of `region` (sandbox control API; `tiktok` options such
    as prerequisites_ok=False go to it) connected from the browser through TikTok's consent
    page. Returns the Merchant and the TikTok shop id; the page ends on Home."""
    merchant = await signed_in(page, stack, domain, products=products, seed=seed)
    tts = await merchant.create_tiktok_shop(region, **tiktok)
    await page.goto(f"{stack.app_url}/auth/tiktok/connect")
    await page.wait_for_url(f"{stack.app_url}/")
    return merchant, str(tts["shop_id"])


@asynccontextmanager
async def connected_shop(page: Page, stack: LocalStack, domain: str, products: int = 20,
                         **options: Any) -> AsyncIterator[tuple[Merchant, str]]:
    """`connected` for the length of a test: yields the Merchant and the TikTok shop id, and
    closes the Merchant's clients afterwards, whatever the test did."""
    merchant, tts_id = await connected(page, stack, domain, products=products, **options)
    try:
        yield merchant, tts_id
    finally:
        await merchant.close()
