"""All models, imported here so `Base.metadata` is complete for Alembic and tests."""

from ecomsend.db.models.catalog import (
    InventoryLevel,
    ShopifyCollection,
    ShopifyProduct,
    ShopifyVariant,
)
from ecomsend.db.models.exclusions import ProductExclusion
from ecomsend.db.models.infra import LocalJob, PeriodicRun, RateBucket
from ecomsend.db.models.intents import CreateIntent
from ecomsend.db.models.link_dismissals import LinkDismissal
from ecomsend.db.models.links import FulfillmentLink, OrderLink, ProductLink
from ecomsend.db.models.orders import TikTokOrder, TikTokOrderLine
from ecomsend.db.models.returns import AfterSale
from ecomsend.db.models.shops import OAuthState, Shop, ShopSettings, TikTokShop
from ecomsend.db.models.sync import ActivityLog, SyncState, WebhookReceipt
from ecomsend.db.models.templates import CategoryTemplate

__all__ = [
    "ActivityLog",
    "AfterSale",
    "CategoryTemplate",
    "CreateIntent",
    "FulfillmentLink",
    "InventoryLevel",
    "LinkDismissal",
    "LocalJob",
    "OAuthState",
    "OrderLink",
    "PeriodicRun",
    "ProductExclusion",
    "ProductLink",
    "RateBucket",
    "Shop",
    "ShopSettings",
    "ShopifyCollection",
    "ShopifyProduct",
    "ShopifyVariant",
    "SyncState",
    "TikTokOrder",
    "TikTokOrderLine",
    "TikTokShop",
    "WebhookReceipt",
]
