"""The JSON API routers behind the Products, Category templates, Link products and product
Settings pages (plus TikTok reference data and shop readiness), for `web.app` to include."""

from __future__ import annotations

from fastapi import APIRouter

from ecomsend.web import (
    api_links,
    api_pricing,
    api_product_compliance,
    api_product_preview,
    api_product_settings,
    api_products,
    api_products_bulk,
    api_products_sync,
    api_readiness,
    api_templates,
    api_templates_page,
    api_tiktok_reference,
)

#: `api_products_sync` comes before `api_products` so `POST …/products/sync` is matched first;
#: `api_templates_page` before `api_templates` so `GET …/templates/overview` is not an id.
PRODUCT_PAGE_ROUTERS: tuple[APIRouter, ...] = (
    api_products_sync.router, api_products_bulk.router, api_product_preview.router,
    api_products.router, api_templates_page.router,
    api_templates.router, api_links.router,
    api_product_settings.router, api_readiness.router, api_tiktok_reference.router,
    api_product_compliance.router,
    api_pricing.router,
)
