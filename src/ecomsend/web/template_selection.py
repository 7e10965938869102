"""Which products each category template takes, for the Category templates list and editor.

Pure functions over `ProductSnapshot`s and `TemplateSpec`s, called by `api_templates_page`.
They answer "if this template were active (next to the templates that are active now), which
products would it take?" — the same answer `selection.select_template` gives for a pool of the
active templates plus that one, but for every template in one pass over the catalog
(O(products × templates), not × templates²), so the list can show a count per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ecomsend.sync.products.selection import ordered, select_template, template_matches
from ecomsend.sync.products.types import ProductSnapshot, TemplateSpec


def positions(specs: Sequence[TemplateSpec]) -> dict[str, int]:
    """1-based place of each non-default template in the order rules are tried (the default
    template, tried last, has none)."""
    return {t.id: i + 1 for i, t in enumerate(ordered(specs))}


def taken_by_each(products: Iterable[ProductSnapshot],
                  specs: Sequence[TemplateSpec]) -> dict[str, list[str]]:
    """`{template id: [product id, …]}`: what each template takes, were it active.

    A product goes to a non-default template when the template's rules match and no *active*
    template tried earlier matches too; to the default template when no active non-default
    template matches it.
    """
    rank = {t.id: i for i, t in enumerate(ordered(specs))}
    never = len(rank)
    active = [t for t in ordered(specs) if t.active]
    taken: dict[str, list[str]] = {t.id: [] for t in specs}
    for product in products:
        first = next((rank[t.id] for t in active if template_matches(product, t)), never)
        for spec in specs:
            if spec.is_default:
                claimed = first == never
            else:
                claimed = rank[spec.id] <= first and template_matches(product, spec)
            if claimed:
                taken[spec.id].append(product.id)
    return taken


def taken_by_draft(products: Iterable[ProductSnapshot], saved: Sequence[TemplateSpec],
                   draft: TemplateSpec) -> list[str]:
    """The products an unsaved draft would take once active, next to the active templates
    (the saved version of the template being edited, if any, is replaced by the draft)."""
    pool = [t for t in saved if t.active and t.id != draft.id]
    if draft.is_default:
        pool = [t for t in pool if not t.is_default]
    pool.append(replace(draft, active=True))
    return [p.id for p in products
            if (chosen := select_template(p, pool, active_only=True)) is not None
            and chosen.id == draft.id]
