"""Typed TikTok Shop errors and the pure mapping from a response to one of them.

The transport raises these; sync use-cases catch them (DESIGN.md §4.3): `RateLimited` → wait as
told, `Transient` → back off with jitter, `Permanent` → mark failed and show `field_errors` to the
merchant, `AuthExpired`/`AuthInvalid` → refresh or ask the merchant to reconnect. The client never
returns `{}` or `None` for an error.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

# Codes from the official common-errors table (contracts/tiktok/error-codes.json, common_errors).
#: HTTP 429 + this code: the 50 QPS per API per app+shop bucket is empty (rate-limits guide).
CODE_RATE_LIMITED = 36009002
#: "Internal error, retry" (listed on many endpoints' error_code_list).
CODE_INTERNAL_ERROR = 36009003
#: "Request timeout. The request to the endpoint timed out." (common errors).
CODE_GATEWAY_TIMEOUT = 36009007
#: "Expired credentials. The access_token or x-tts-access-token header has expired." → refresh.
CODE_TOKEN_EXPIRED = 105002
#: "Invalid credentials. The sign query parameter is invalid." (HTTP 401 observed).
CODE_INVALID_SIGN = 106001
#: Overloaded code: missing sign, invalid token/app_key, timestamp window, unexpected cipher.
CODE_INVALID_CREDENTIALS = 36009004
#: Missing `shop_cipher` on a shop-scoped API.
CODE_MISSING_SHOP_CIPHER = 106013
#: Missing access scope.
CODE_ACCESS_DENIED = 105005
#: Invalid `category_asset_cipher` or token not tied to the shop.
CODE_INVALID_ASSET_OR_TOKEN = 101000
#: Invalid auth code on the token endpoint (common errors, cited by third-party SDKs).
CODE_INVALID_AUTH_CODE = 36004004
#: The generic "Parameter {param_name} is invalid. Reason: … Expected: …" validation error.
CODE_INVALID_PARAMETER = 98001004

#: Codes TikTok documents as "retry later" rather than "your request is wrong".
TRANSIENT_CODES = frozenset({CODE_INTERNAL_ERROR, CODE_GATEWAY_TIMEOUT})
#: Codes meaning the credentials are wrong for good (the merchant must reconnect or we have a bug).
AUTH_INVALID_CODES = frozenset(
    {CODE_INVALID_SIGN, CODE_INVALID_CREDENTIALS, CODE_ACCESS_DENIED, CODE_INVALID_ASSET_OR_TOKEN,
     CODE_INVALID_AUTH_CODE}
)

#: Which product field a documented product-validation code is about (Create Product doc error
#: list; reference §3.3), so a merchant sees *where* even when TikTok's message doesn't say.
CODE_FIELDS: dict[int, str] = {
    12052023: "category_id", 12052024: "category_id", 12052230: "category_version",
    12052217: "category_version", 12052026: "brand_id", 12052201: "brand_id",
    12052028: "main_images", 12052300: "main_images", 12052722: "main_images",
    12052015: "description", 12052013: "description", 12052344: "description",
    12052345: "description", 12052051: "title", 12052261: "title", 12052262: "title",
    12052266: "title", 12052104: "product_attributes", 12052105: "certifications",
    12052525: "skus.sales_attributes", 12052550: "skus.sales_attributes",
    12052560: "skus.sales_attributes", 12052050: "skus", 12019059: "skus.seller_sku",
    12052054: "skus.seller_sku", 12052571: "skus.price", 12052073: "skus.price",
    12052570: "skus.price", 12052084: "skus.price.currency", 12052055: "skus.inventory.quantity",
    12052097: "skus.inventory.warehouse_id", 12052530: "skus.inventory.warehouse_id",
    12019022: "skus.inventory.warehouse_id", 12019028: "skus.inventory.warehouse_id",
    12019011: "package_weight", 12052006: "package_weight", 12052181: "package_weight",
    12019012: "package_dimensions", 12052003: "package_dimensions.height",
    12052004: "package_dimensions.width", 12052005: "package_dimensions.length",
    12052915: "package_weight.unit", 12019061: "package_weight.unit",
    12052282: "manufacturer_ids", 12052287: "responsible_person_ids", 12052128: "size_chart",
    12052996: "external_product_id",
}

#: Picks the field name out of TikTok's "Parameter X is invalid" style validation messages.
_PARAM_RE = re.compile(r"[Pp]arameter\s*[\[`'\"]?([A-Za-z0-9_.\[\]]+)[\]`'\"]?\s*(?:is|was)")
#: Picks a bracketed field name such as "The [brand_id]:123 field is incorrect" (create warnings).
_BRACKET_RE = re.compile(r"\[([a-z][a-z0-9_.]*)\]")


@dataclass(frozen=True)
class FieldError:
    """One field-level reason a merchant can read: which field (if known), code and message."""

    message: str
    field: str | None = None
    code: int | None = None
    context: dict[str, str] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        ctx = ", ".join(f"{k}={v}" for k, v in self.context.items())
        return f"{where}{self.message}" + (f" ({ctx})" if ctx else "")


class TikTokError(Exception):
    """Base of every TikTok client error: code, message, request id and HTTP status."""

    def __init__(self, message: str, *, code: int | None = None, request_id: str | None = None,
                 http_status: int | None = None, api: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.api = api

    def __str__(self) -> str:
        bits = [self.message]
        if self.code is not None:
            bits.append(f"code={self.code}")
        if self.api:
            bits.append(f"api={self.api}")
        if self.request_id:
            bits.append(f"request_id={self.request_id}")
        return " | ".join(bits)


class RateLimited(TikTokError):
    """HTTP 429 / 36009002: not executed; wait `retry_after` seconds and call again."""

    def __init__(self, message: str, *, retry_after: float, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Transient(TikTokError):
    """5xx, gateway timeout, connection reset or client timeout: retry with backoff + jitter."""


class Permanent(TikTokError):
    """The request is wrong (validation, state, not found): retrying the same call won't help."""

    def __init__(self, message: str, *, field_errors: list[FieldError] | None = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.field_errors: list[FieldError] = list(field_errors or [])

    def human(self) -> str:
        """The message plus every field-level reason, for `sync_state.last_error` and the UI."""
        if not self.field_errors:
            return self.message
        return self.message + ": " + "; ".join(str(e) for e in self.field_errors)


class PartialFailure(Permanent):
    """`code: 0` but `data.errors[]` lists items that failed (inventory, delete, activate…).

    `data` keeps the raw response data so a caller can see what did succeed.
    """

    def __init__(self, message: str, *, data: dict[str, Any], **kw: Any) -> None:
        super().__init__(message, **kw)
        self.data = data


class AuthExpired(TikTokError):
    """105002: the access token expired; the client refreshes once and retries by itself."""


class AuthInvalid(Permanent):
    """Bad sign, token, app_key, scope or refresh token: the merchant must reconnect (or a bug)."""


class ProtocolError(Transient):
    """The response was not a TikTok envelope (not JSON, or no `code`)."""


def _field_from_message(message: str) -> str | None:
    match = _PARAM_RE.search(message) or _BRACKET_RE.search(message)
    return match.group(1) if match else None


def _field_for(message: str, code: int | None) -> str | None:
    return _field_from_message(message) or CODE_FIELDS.get(code or 0)


def _item_error(item: dict[str, Any]) -> list[FieldError]:
    """Expand one `data.errors[]` entry (with its `detail.extra_errors`) into field errors."""
    message = str(item.get("message") or "error")
    code = _int_or_none(item.get("code"))
    detail = item.get("detail") if isinstance(item.get("detail"), dict) else {}
    assert isinstance(detail, dict)
    ctx = {k: str(v) for k, v in detail.items() if k != "extra_errors" and v is not None
           and not isinstance(v, (dict, list))}
    extras = detail.get("extra_errors") or []
    out = [FieldError(message=message, field=_field_for(message, code), code=code, context=ctx)]
    for extra in extras if isinstance(extras, list) else []:
        if isinstance(extra, dict):
            sub_ctx = dict(ctx)
            sub_ctx.update({k: str(v) for k, v in extra.items()
                            if k not in ("code", "message") and v is not None})
            sub_msg = str(extra.get("message") or message)
            sub_code = _int_or_none(extra.get("code"))
            out.append(FieldError(message=sub_msg, field=_field_for(sub_msg, sub_code),
                                  code=sub_code, context=sub_ctx))
    return out


def field_errors_from(message: str, data: Any, code: int | None = None) -> list[FieldError]:
    """Every field-level reason TikTok gave: `data.errors[]`, `data.field_errors`, the message
    (field named in it, or known from the documented `code`)."""
    errors: list[FieldError] = []
    if isinstance(data, dict):
        for item in data.get("errors") or []:
            if isinstance(item, dict):
                errors.extend(_item_error(item))
        for item in data.get("field_errors") or []:
            if isinstance(item, dict):
                errors.append(FieldError(message=str(item.get("message") or message),
                                         field=_str_or_none(item.get("field")),
                                         code=_int_or_none(item.get("code"))))
    if not errors and message:
        field_name = _field_for(message, code)
        if field_name:
            errors.append(FieldError(message=message, field=field_name, code=code))
    return errors


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
