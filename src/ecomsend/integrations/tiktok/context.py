"""The explicit shop context every shop-scoped call takes (no global tenant state).

Built by the caller (a sync job or the OAuth callback) from the `tiktok_shop` row and handed to
each client method. The client updates `tokens` in place after a refresh that the caller's
`TokenPersister` has stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ecomsend.integrations.tiktok.models.auth import TokenSet


@dataclass
class ShopContext:
    """Who we call as: TikTok shop id, its `shop_cipher`, region and current tokens.

    `shop_id`/`cipher` may be None only right after OAuth, for Get Authorized Shops.
    """

    tokens: TokenSet
    shop_id: str | None = None
    cipher: str | None = None
    region: str | None = None

    @property
    def limiter_identity(self) -> str:
        """Who TikTok counts requests for: the shop, else (no shop yet) the token."""
        if self.shop_id:
            return self.shop_id
        digest = hashlib.sha256(self.tokens.access_token.encode()).hexdigest()[:16]
        return f"token-{digest}"


#: `await persist(shop, new_tokens)`: store BOTH new tokens (and expiries) in one transaction.
#: Called by the client after every refresh, before the new tokens are used; if it raises, the
#: error propagates and the in-memory context keeps its old tokens.
TokenPersister = Callable[[ShopContext, TokenSet], Awaitable[None]]
