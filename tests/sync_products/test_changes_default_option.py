"""classify_change on a product without variants: Shopify's placeholder option ("Title" /
"Default Title") is no option to TikTok, so how the mirror holds it is no change.

The GraphQL catalog import stores it (`selectedOptions`); a REST products/update body may carry
none; a tag-only edit after an import must still make no TikTok call (issue 12)."""

from __future__ import annotations

import dataclasses

from ecomsend.sync.products.changes import classify_change, push_kind
from ecomsend.sync.products.mapping import DEFAULT_OPTION
from ecomsend.sync.products.regions import region_rules

from .factories import prefs, product, variant

US = region_rules("US")


def _imported():  # type: ignore[no-untyped-def]
    """As the catalog import mirrors it: option "Title", variant "Default Title"."""
    return product((variant("v1", options=(DEFAULT_OPTION,)),), option_names=("Title",))


def test_placeholder_option_dropped_by_a_webhook_is_no_change() -> None:
    old = _imported()
    new = dataclasses.replace(old, option_names=(), tags=("edited",), variants=(
        dataclasses.replace(old.variants[0], options=()),))
    changes = classify_change(old, new, prefs(), region=US)
    assert changes == set()
    assert push_kind(changes) == "none"


def test_a_real_option_value_change_is_still_a_variant_change() -> None:
    old = product((variant("v1", options=(("Size", "M"),)),
                   variant("v2", options=(("Size", "L"),), position=2)),
                  option_names=("Size",))
    new = dataclasses.replace(old, variants=(
        dataclasses.replace(old.variants[0], options=(("Size", "S"),)), old.variants[1]))
    assert "variants" in classify_change(old, new, prefs(), region=US)


def test_a_lone_variant_getting_a_real_option_is_a_variant_change() -> None:
    old = _imported()
    new = dataclasses.replace(old, option_names=("Color",), variants=(
        dataclasses.replace(old.variants[0], options=(("Color", "Red"),)),))
    assert "variants" in classify_change(old, new, prefs(), region=US)
