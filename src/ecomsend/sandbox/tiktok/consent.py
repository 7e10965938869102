"""The consent page (services.tiktokshop.com in production, reference §1.1): the seller picks
which of their shops to authorize, then is redirected to `{redirect_uri}?code=…&state=…`.

`shop_id` (repeatable) authorizes those shops at once (tests, LocalStack's Merchant). Without
it the seller is the owner of the most recently created shop (or `seller=`): with one shop the
sandbox approves at once (kinder than TikTok, which always asks for a click); with several it
answers a page listing them with checkboxes, whose form comes back here with the chosen
`shop_id`s. One auth code then covers all chosen shops (one token, several shops).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.shops import create_shop
from ecomsend.sandbox.tiktok.state import Shop

#: Query parameters carried through the picker form.
_CARRIED = ("service_id", "app_key", "state")


def authorize(sb: Sandbox, query: QueryParams) -> Response:
    """GET /oauth/authorize and /open/authorize."""
    expected = sb.options.service_id
    if expected is not None and query.get("service_id") != expected \
            and query.get("app_key") != sb.app_key:
        return PlainTextResponse("Unknown service_id.", status_code=400)
    if not sb.options.redirect_uri:
        return PlainTextResponse("No redirect_uri configured for this app.", status_code=400)
    state = query.get("state", "")
    if query.get("deny"):
        return _redirect(sb, {"code": "null", "error": "auth_denied", "state": state})
    shop_ids = [s for s in query.getlist("shop_id") if s]
    if shop_ids:
        return _approve(sb, shop_ids, state)
    shops = _seller_shops(sb, query.get("seller"))
    if shops is None:
        return PlainTextResponse("Unknown seller.", status_code=400)
    if len(shops) == 1:
        return _approve(sb, [shops[0].id], state)
    return _picker(shops, query)


def _approve(sb: Sandbox, shop_ids: list[str], state: str) -> Response:
    """Mint one auth code for the chosen shops (all of one seller) and redirect back."""
    shops = [sb.store.shops.get(s) for s in dict.fromkeys(shop_ids)]
    if any(s is None for s in shops):
        return PlainTextResponse("Unknown shop_id.", status_code=400)
    if len({s.seller for s in shops if s is not None}) != 1:
        return PlainTextResponse("These shops belong to different sellers.", status_code=400)
    code = sb.store.mint_auth_code([s.id for s in shops if s is not None])
    return _redirect(sb, {"code": code, "state": state})


def _seller_shops(sb: Sandbox, seller: str | None) -> list[Shop] | None:
    """The shops of `seller`, or of the newest shop's seller (a US shop is created if none)."""
    shops = list(sb.store.shops.values())
    if seller:
        mine = [s for s in shops if s.seller == seller]
        return mine or None
    if not shops:
        return [create_shop(sb, {"region": "US"})]
    return [s for s in shops if s.seller == shops[-1].seller]


def _picker(shops: list[Shop], query: QueryParams) -> Response:
    """The page where the seller ticks the shops to authorize."""
    hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(query[k])}">'
                     for k in _CARRIED if k in query)
    rows = "".join(
        f'<li><label><input type="checkbox" name="shop_id" value="{escape(s.id)}" checked> '
        f"{escape(s.name)} ({escape(s.region)}, {escape(s.seller_type)})</label></li>"
        for s in shops)
    page = (f"<!doctype html><html><head><title>Authorize app</title></head><body>"
            f"<h1>Choose the shops to authorize</h1><form method=\"get\">{hidden}<ul>{rows}</ul>"
            f'<button type="submit">Authorize</button> '
            f'<button type="submit" name="deny" value="1">Cancel</button></form></body></html>')
    return HTMLResponse(page)


def _redirect(sb: Sandbox, params: dict[str, str]) -> Response:
    """302 to the app's redirect_uri with `params`."""
    uri = sb.options.redirect_uri or ""
    sep = "&" if "?" in uri else "?"
    return RedirectResponse(f"{uri}{sep}{urlencode(params)}", 302)
