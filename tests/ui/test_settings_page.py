"""Settings in a real browser: a change saved through the contextual save bar persists after a
reload; a bad value shows its field error next to the field and keeps what was typed; the tab
is in the URL; Connections disconnects (confirmation modal) and reconnects through TikTok."""

from __future__ import annotations

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .conftest import axe_violations, connected_shop, shot
from .home_settings_seed import connection_of


async def test_order_settings_save_persist_and_field_errors(page: Page,
                                                            ui_stack: LocalStack) -> None:
    domain = "settings-ui.myshopify.com"
    async with connected_shop(page, ui_stack, domain, products=3):
        await connection_of(ui_stack, domain, 3)
        await page.goto(f"{ui_stack.app_url}/settings?tab=orders")
        await expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()
        await expect(page.get_by_role("tab", name="Orders")).to_have_attribute("aria-selected",
                                                                               "true")
        days = page.get_by_label("Fetch orders of the last (days) when connecting")
        await expect(days).to_have_value("7")
        await days.fill("30")
        await page.get_by_label("Sync new TikTok orders automatically").check()
        await page.get_by_label("Extra tags").fill("tiktok-us")
        await page.get_by_role("button", name="Add tag").click()
        save = page.get_by_role("button", name="Save", exact=True)
        await expect(save).to_be_visible()
        await shot(page, "settings-orders-dirty")
        await save.click()
        await expect(page.get_by_text("Order settings saved")).to_be_visible()
        await expect(save).to_have_count(0)

        await page.reload()
        await expect(days).to_have_value("30")
        await expect(page.get_by_label("Sync new TikTok orders automatically")).to_be_checked()
        await expect(page.get_by_text("tiktok-us", exact=True)).to_be_visible()

        # A bad value: the API's error sits at the field, what was typed stays.
        await days.fill("99")
        await save.click()
        await expect(page.get_by_text("Input should be less than or equal to 60")).to_be_visible()
        await expect(days).to_have_value("99")
        await expect(days).to_have_attribute("aria-invalid", "true")
        await expect(page.get_by_text("Some settings need attention")).to_be_visible()
        await shot(page, "settings-orders-error")
        assert await axe_violations(page) == []
        # A comma in a tag would be two tags in Shopify: refused with the field named.
        await page.get_by_label("Extra tags").fill("a,b")
        await page.get_by_role("button", name="Add tag").click()
        await days.fill("14")
        await save.click()
        await expect(page.get_by_text("contains a comma", exact=False)).to_be_visible()
        await page.get_by_role("button", name="Discard").click()
        await expect(days).to_have_value("30")

        # The Products tab, through the URL: a markup typo is refused at its field.
        await page.get_by_role("tab", name="Products").click()
        await expect(page).to_have_url(f"{ui_stack.app_url}/settings?tab=products")
        await page.get_by_label("Markup", exact=True).select_option("percent")
        markup = page.get_by_label("Markup (%)")
        await markup.fill("1500")
        await save.click()
        await expect(page.get_by_text("A markup above 1000 % is surely a typo.",
                                      exact=False)).to_be_visible()
        await expect(markup).to_have_value("1500")
        await markup.fill("15")
        await save.click()
        await expect(page.get_by_text("Product settings saved")).to_be_visible()
        await page.reload()
        await expect(page.get_by_label("Markup (%)")).to_have_value("15")
        await shot(page, "settings-products")
        assert await axe_violations(page) == []

        await page.get_by_role("tab", name="Fulfillment").click()
        await expect(page.get_by_label("Sync fulfillments automatically")).to_be_visible()
        await expect(page.get_by_text("Default mapping")).to_be_visible()
        await shot(page, "settings-fulfillment")
        assert await axe_violations(page) == []


async def test_disconnect_then_reconnect_from_connections(page: Page,
                                                          ui_stack: LocalStack) -> None:
    domain = "connections-ui.myshopify.com"
    async with connected_shop(page, ui_stack, domain, products=2) as (_, tts_id):
        await connection_of(ui_stack, domain, 2)
        await page.goto(f"{ui_stack.app_url}/settings?tab=connections")
        name = "Sandbox US shop"
        card_badge = page.get_by_text("Connected", exact=True)
        await expect(card_badge).to_be_visible()
        await expect(page.get_by_role("button", name="Connect another region")).to_be_visible()
        await page.get_by_role("button", name="Disconnect", exact=False).first.click()
        dialog = page.get_by_role("dialog")
        title = dialog.get_by_role("heading", name="Disconnect", exact=False)
        await expect(title).to_contain_text(name)
        await expect(dialog.get_by_text("Its history is kept", exact=False)).to_be_visible()
        await shot(page, "settings-disconnect-modal")
        assert await axe_violations(page) == []
        await dialog.get_by_role("button", name="Disconnect").click()
        await expect(dialog).to_have_count(0)
        await expect(page.get_by_text("TikTok Shop disconnected")).to_be_visible()
        await expect(page.get_by_text("Its history is kept", exact=False)).to_be_visible()
        await expect(page.get_by_text("Disconnected", exact=True).first).to_be_visible()
        await shot(page, "settings-disconnected")
        session = await page.evaluate("() => fetch('/api/session').then(r => r.json())")
        assert [(c["tiktok_shop_id"], c["connected"]) for c in session["connections"]] == [
            (tts_id, False)]

        # Reconnect: TikTok's consent page, back to the app, connected again (same shop).
        await page.get_by_role("button", name="Reconnect", exact=False).click()
        await page.wait_for_url(f"{ui_stack.app_url}/")
        await page.goto(f"{ui_stack.app_url}/settings?tab=connections")
        await expect(page.get_by_text("Connected", exact=True)).to_be_visible()
        await expect(page.get_by_role("button", name="Reauthorize", exact=False)).to_be_visible()
        session = await page.evaluate("() => fetch('/api/session').then(r => r.json())")
        assert [(c["tiktok_shop_id"], c["connected"]) for c in session["connections"]] == [
            (tts_id, True)]
