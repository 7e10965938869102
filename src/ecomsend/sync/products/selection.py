"""Category-template selection: which template takes which Shopify product (issue 6).

Called by the template use-cases (activation auto-sync, new products) and by the template
preview API. Rules compare case-insensitively (`casefold`, trimmed) for both `equals` and
`contains`: Shopify treats tags, vendors and types case-insensitively in its own filters, and a
merchant typing "Summer" means "summer" too. Templates are tried in priority order (lower number
first, then id); the first that matches wins; the default template takes what no other claims.
A non-default template without rules claims nothing (an empty "all" must not swallow the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ecomsend.sync.products.types import ProductSnapshot, SelectionRule, TemplateSpec


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _field_values(product: ProductSnapshot, rule: SelectionRule) -> tuple[str, ...]:
    """The product's values for the rule's field (several for tags and collections)."""
    if rule.field == "tag":
        return product.tags
    if rule.field == "collection":
        return product.collections
    if rule.field == "product_type":
        return (product.product_type or "",)
    if rule.field == "vendor":
        return (product.vendor or "",)
    return (product.title,)


def rule_matches(product: ProductSnapshot, rule: SelectionRule) -> bool:
    """True when any of the product's values for the field satisfies the rule."""
    wanted = _norm(rule.value)
    if not wanted:
        return False
    for value in _field_values(product, rule):
        have = _norm(value)
        if (rule.op == "equals" and have == wanted) or (rule.op == "contains" and wanted in have):
            return True
    return False


def template_matches(product: ProductSnapshot, template: TemplateSpec) -> bool:
    """Does the template's own rule set claim the product (ignoring priority and default)?"""
    if not template.rules:
        return False
    results = (rule_matches(product, r) for r in template.rules)
    return all(results) if template.match_mode == "all" else any(results)


def ordered(templates: Iterable[TemplateSpec]) -> list[TemplateSpec]:
    """Non-default templates in the order they are tried: priority ascending, then id."""
    return sorted((t for t in templates if not t.is_default), key=lambda t: (t.priority, t.id))


def select_template(
    product: ProductSnapshot, templates: Sequence[TemplateSpec], *, active_only: bool = True
) -> TemplateSpec | None:
    """The template that takes the product, or None when none does and there is no default.

    `active_only=False` is for previews of templates the merchant has not activated yet.
    """
    pool = [t for t in templates if t.active or not active_only]
    for template in ordered(pool):
        if template_matches(product, template):
            return template
    return next((t for t in pool if t.is_default), None)


@dataclass(frozen=True)
class SelectionPreview:
    """Which template takes which product: `{template_id: [product_id, …]}` plus the rest."""

    assignments: dict[str, list[str]] = field(default_factory=dict)
    unassigned: list[str] = field(default_factory=list)

    def products_for(self, template_id: str) -> list[str]:
        """The products a template would take (empty when it takes none)."""
        return self.assignments.get(template_id, [])


def preview(
    products: Iterable[ProductSnapshot],
    templates: Sequence[TemplateSpec],
    *,
    active_only: bool = False,
) -> SelectionPreview:
    """Assign every product to at most one template; called by the template preview API.

    Every template id appears in `assignments` (with an empty list when it takes nothing), so
    the UI can show "0 products" for a template shadowed by a higher-priority one.
    """
    pool = [t for t in templates if t.active or not active_only]
    assignments: dict[str, list[str]] = {t.id: [] for t in pool}
    unassigned: list[str] = []
    for product in products:
        chosen = select_template(product, pool, active_only=False)
        if chosen is None:
            unassigned.append(product.id)
        else:
            assignments[chosen.id].append(product.id)
    return SelectionPreview(assignments=assignments, unassigned=unassigned)
