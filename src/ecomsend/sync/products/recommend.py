"""Recommended TikTok category for a Shopify product, offline (issue 6 "Recommended category").

Called by the products API to pre-fill the category picker; TikTok's own Recommend Category
endpoint (reference §4.1) needs a network call, this needs only the category tree the use-case
already fetched with Get Categories (a flat list with `parent_id`, reference §4.5).

Scoring is token overlap over leaf categories, deterministic for a given input:
- product signals: Shopify product type and the last level of the Shopify category weigh
  `STRONG_WEIGHT`, the rest of the Shopify category path and title words weigh 1;
- a signal token found in the leaf's own name counts double compared with an ancestor's name;
- plus the share of the leaf name's tokens that were matched (prefers "Shirts" to
  "Shirts & Shirt Accessories" for "shirt").
Ties are broken by shallower path, then category id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ecomsend.integrations.tiktok.models.catalog import Category
from ecomsend.sync.products.types import ProductSnapshot

#: Product type and the Shopify category's leaf name describe the product best.
STRONG_WEIGHT = 3.0
#: A match on the leaf's own name is worth this many ancestor matches.
LEAF_FACTOR = 2.0
#: Candidates returned by default: enough for a picker, few enough to read.
DEFAULT_LIMIT = 5
#: Words that say nothing about a category (en/fr/de/es/it basics).
STOPWORDS = frozenset({
    "a", "an", "and", "or", "the", "for", "with", "of", "in", "on", "to", "by", "at", "from",
    "new", "set", "pack", "kit", "de", "la", "le", "les", "et", "du", "des", "pour", "avec",
    "und", "der", "die", "das", "für", "mit", "el", "los", "las", "y", "con", "per", "il", "di",
    "e",
})
_WORD = re.compile(r"\w+", re.UNICODE)


def _stem(word: str) -> str:
    """A light English plural stemmer: shirts → shirt, dresses → dress, accessories → accessory."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str | None) -> frozenset[str]:
    """Normalised, stemmed, stopword-free word set of a text."""
    if not text:
        return frozenset()
    words = (_stem(w) for w in _WORD.findall(text.casefold()) if not w.isdigit())
    return frozenset(w for w in words if w not in STOPWORDS)


@dataclass(frozen=True, slots=True)
class CategoryCandidate:
    """One recommended leaf category: id, names from root to leaf, and its score."""

    category_id: str
    name: str
    path: tuple[str, ...]
    score: float


def _signals(product: ProductSnapshot) -> dict[str, float]:
    """Token → weight from product type, Shopify category and title (highest weight wins)."""
    weights: dict[str, float] = {}

    def add(words: Iterable[str], weight: float) -> None:
        for w in words:
            weights[w] = max(weights.get(w, 0.0), weight)

    add(tokens(product.title), 1.0)
    levels = [p.strip() for p in (product.category or "").split(">") if p.strip()]
    for level in levels[:-1]:
        add(tokens(level), 1.0)
    if levels:
        add(tokens(levels[-1]), STRONG_WEIGHT)
    add(tokens(product.product_type), STRONG_WEIGHT)
    return weights


def category_paths(categories: Sequence[Category]) -> dict[str, tuple[str, ...]]:
    """`{category_id: (root name, …, own name)}` for every category of a flat tree."""
    by_id = {c.id: c for c in categories}
    paths: dict[str, tuple[str, ...]] = {}
    for cat in categories:
        names: list[str] = []
        node: Category | None = cat
        seen: set[str] = set()
        while node is not None and node.id not in seen:  # guard against a cyclic tree
            seen.add(node.id)
            names.append(node.local_name or node.id)
            node = by_id.get(node.parent_id or "0")
        paths[cat.id] = tuple(reversed(names))
    return paths


def _score(signals: dict[str, float], path: tuple[str, ...]) -> float:
    leaf = tokens(path[-1])
    ancestors = frozenset().union(*(tokens(p) for p in path[:-1])) if len(path) > 1 else frozenset()
    raw = 0.0
    for word, weight in signals.items():
        if word in leaf:
            raw += weight * LEAF_FACTOR
        elif word in ancestors:
            raw += weight
    if raw == 0.0:
        return 0.0
    coverage = len(leaf & signals.keys()) / len(leaf) if leaf else 0.0
    return round(raw + coverage, 4)


def _usable(cat: Category, allow_invite_only: bool) -> bool:
    """A leaf the seller may list in (`permission_statuses` absent means no restriction)."""
    if not cat.is_leaf:
        return False
    statuses = set(cat.permission_statuses)
    if not statuses or "AVAILABLE" in statuses:
        return True
    return allow_invite_only and "INVITE_ONLY" in statuses


def recommend_categories(
    product: ProductSnapshot,
    categories: Sequence[Category],
    *,
    limit: int = DEFAULT_LIMIT,
    allow_invite_only: bool = False,
) -> list[CategoryCandidate]:
    """Ranked leaf categories for the product, best first; empty when nothing overlaps.

    `allow_invite_only` is for US sellers, who may list in INVITE_ONLY categories (Create
    Product doc).
    """
    signals = _signals(product)
    if not signals:
        return []
    paths = category_paths(categories)
    found = []
    for cat in categories:
        if not _usable(cat, allow_invite_only):
            continue
        score = _score(signals, paths[cat.id])
        if score > 0:
            found.append(CategoryCandidate(cat.id, paths[cat.id][-1], paths[cat.id], score))
    found.sort(key=lambda c: (-c.score, len(c.path), c.category_id))
    return found[:limit]
