"""Small builders for the pure product-sync tests (plain values; TikTok data via client models)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecomsend.integrations.tiktok.models.catalog import Attributes, Categories, CategoryRules
from ecomsend.sync.products.types import (
    ImageSnapshot,
    ProductPrefs,
    ProductSnapshot,
    TemplateSpec,
    UploadedImage,
    VariantSnapshot,
)

D = Decimal


def variant(
    vid: str = "v1",
    price: str = "10.00",
    *,
    sku: str | None = None,
    options: tuple[tuple[str, str], ...] = (),
    position: int = 1,
    stock: tuple[tuple[str, int], ...] = (("L1", 10),),
    **kw: Any,
) -> VariantSnapshot:
    return VariantSnapshot(
        id=vid, price=D(price), sku=sku if sku is not None else f"SKU-{vid}", options=options,
        position=position, stock=stock, **kw,
    )


def product(
    variants: tuple[VariantSnapshot, ...] | None = None,
    *,
    title: str = "Classic Cotton T-Shirt",
    images: tuple[str, ...] = ("https://cdn.shopify.com/a.jpg",),
    **kw: Any,
) -> ProductSnapshot:
    return ProductSnapshot(
        id=kw.pop("pid", "gid://shopify/Product/1"), title=title,
        body_html=kw.pop("body_html", "<p>Soft cotton tee.</p>"),
        images=tuple(ImageSnapshot(u) for u in images),
        variants=variants if variants is not None else (variant(),),
        **kw,
    )


def sized_product(n: int, option_names: tuple[str, ...] = ("Size",)) -> ProductSnapshot:
    """A product with n variants, each with distinct option values and SKUs."""
    vs = tuple(
        variant(f"v{i}", sku=f"SKU-{i}", position=i + 1,
                options=tuple((name, f"{name[0]}{i}") for name in option_names))
        for i in range(n)
    )
    return product(vs, option_names=option_names)


def template(**kw: Any) -> TemplateSpec:
    values: dict[str, Any] = {
        "id": "t1", "name": "Tees", "region": "US", "category_id": "601226",
        "package_weight": D("0.5"), "package_weight_unit": "KILOGRAM",
    }
    values.update(kw)
    return TemplateSpec(**values)


def prefs(**kw: Any) -> ProductPrefs:
    values: dict[str, Any] = {"warehouse_map": (("L1", "W1"),)}
    values.update(kw)
    return ProductPrefs(**values)


def uploads(*urls: str) -> dict[str, UploadedImage]:
    return {
        u: UploadedImage(uri=f"tos-us/{i}", url=f"https://p16.tiktokcdn.com/{i}.jpg",
                         width=800, height=800)
        for i, u in enumerate(urls)
    }


def attributes(raw: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    """Parse Get Attributes `data` the way the TikTok client does (official `is_requried`)."""
    return Attributes.model_validate({"attributes": raw}).attributes


def rules(raw: dict[str, Any]) -> CategoryRules:
    return CategoryRules.model_validate(raw)


def categories(raw: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    return Categories.model_validate({"categories": raw}).categories
