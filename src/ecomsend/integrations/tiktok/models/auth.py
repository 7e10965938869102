"""Token and shop-authorization payloads (auth host and `/authorization/202309/shops`).

Parsed by `auth.py`; the resulting `TokenSet` is what the caller persists.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import TikTokId, TikTokModel


class TokenResponse(TikTokModel):
    """`data` of `/api/v2/token/get` and `/api/v2/token/refresh`.

    `*_expire_in` are ABSOLUTE Unix timestamps in seconds, not durations, despite the name
    (official "Get access token" doc table types them as Unix timestamps; reference §1.2).
    """

    access_token: str
    access_token_expire_in: int
    refresh_token: str
    refresh_token_expire_in: int
    open_id: str | None = None
    seller_name: str | None = None
    seller_base_region: str | None = None
    user_type: int | None = None
    granted_scopes: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class TokenSet:
    """Both tokens and their absolute expiries (Unix seconds). Persist all four together."""

    access_token: str
    access_token_expires_at: int
    refresh_token: str
    refresh_token_expires_at: int

    @classmethod
    def from_response(cls, data: TokenResponse) -> TokenSet:
        return cls(
            access_token=data.access_token,
            access_token_expires_at=data.access_token_expire_in,
            refresh_token=data.refresh_token,
            refresh_token_expires_at=data.refresh_token_expire_in,
        )


class AuthorizedShop(TikTokModel):
    """One shop the token covers; `cipher` is what shop-scoped calls send as `shop_cipher`."""

    id: TikTokId
    cipher: str
    name: str | None = None
    region: str | None = None
    seller_type: str | None = None  # LOCAL | CROSS_BORDER
    code: str | None = None


class AuthorizedShops(TikTokModel):
    """`data` of Get Authorized Shops."""

    shops: list[AuthorizedShop] = Field(default_factory=list)
