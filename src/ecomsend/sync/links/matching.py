"""Link products, pure part: which Shopify variant is which existing TikTok SKU (issue 6).

- `propose_by_sku`: identical SKU on both sides → a proposed pair (the merchant confirms).
  Only unambiguous matches are proposed: a SKU carried by two Shopify variants or two TikTok
  SKUs is reported in `ambiguous` instead (linking either would be a guess).
- `suggest_by_barcode`: identical GTIN/EAN/UPC (digits only, leading zeros ignored, so a UPC-A
  and its EAN-13 form match).
- `suggest_by_title`: product-level title similarity (token overlap and character ratio), with
  the SKU pair filled in when both products have exactly one variant/SKU.
Anything already linked on either side is left out of every list.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

#: Title suggestions below this similarity (0..1) are noise.
TITLE_THRESHOLD = 0.6
#: At most this many title suggestions per TikTok listing.
TITLE_SUGGESTIONS_PER_LISTING = 3
#: Products sharing the most words with a listing that get the full similarity score.
CANDIDATES = 20
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ShopifyVariantRef:
    """A Shopify variant as the link page shows it."""

    variant_id: str
    product_id: str
    product_title: str
    variant_title: str | None = None
    sku: str | None = None
    barcode: str | None = None


@dataclass(frozen=True, slots=True)
class TikTokSkuRef:
    """One SKU of an existing TikTok listing."""

    product_id: str
    sku_id: str
    product_title: str
    seller_sku: str | None = None
    barcode: str | None = None


@dataclass(frozen=True, slots=True)
class LinkPair:
    """A Shopify variant ↔ TikTok SKU pair, why it was proposed and how sure we are (0..1)."""

    shopify_variant_id: str
    shopify_product_id: str
    tiktok_product_id: str
    tiktok_sku_id: str
    reason: str
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class TitleSuggestion:
    """A Shopify product whose title resembles a TikTok listing's."""

    shopify_product_id: str
    shopify_title: str
    tiktok_product_id: str
    tiktok_title: str
    score: float
    pair: LinkPair | None = None


@dataclass(frozen=True, slots=True)
class SkuProposals:
    pairs: list[LinkPair]
    #: SKUs found on several variants or several TikTok SKUs: not proposed.
    ambiguous: list[str]


def norm_sku(sku: str | None) -> str:
    """SKUs compare trimmed and case-insensitively ("abc-1 " == "ABC-1")."""
    return (sku or "").strip().casefold()


def norm_barcode(code: str | None) -> str:
    """Digits only, leading zeros dropped (UPC-A 12 digits == its EAN-13 with a leading 0)."""
    return "".join(ch for ch in (code or "") if ch.isdigit()).lstrip("0")


def _pair(v: ShopifyVariantRef, t: TikTokSkuRef, reason: str, score: float = 1.0) -> LinkPair:
    return LinkPair(v.variant_id, v.product_id, t.product_id, t.sku_id, reason, score)


def _unlinked(variants: Iterable[ShopifyVariantRef], skus: Iterable[TikTokSkuRef],
              linked_variants: set[str], linked_skus: set[str],
              ) -> tuple[list[ShopifyVariantRef], list[TikTokSkuRef]]:
    return ([v for v in variants if v.variant_id not in linked_variants],
            [t for t in skus if t.sku_id not in linked_skus])


def _match_on(variants: Sequence[ShopifyVariantRef], skus: Sequence[TikTokSkuRef],
              left: dict[str, list[ShopifyVariantRef]], right: dict[str, list[TikTokSkuRef]],
              reason: str) -> SkuProposals:
    pairs, ambiguous = [], []
    for key in sorted(left.keys() & right.keys()):
        vs, ts = left[key], right[key]
        if len(vs) == 1 and len(ts) == 1:
            pairs.append(_pair(vs[0], ts[0], reason))
        else:
            ambiguous.append(key)
    return SkuProposals(pairs, ambiguous)


def propose_by_sku(variants: Iterable[ShopifyVariantRef], skus: Iterable[TikTokSkuRef], *,
                   linked_variants: Iterable[str] = (),
                   linked_skus: Iterable[str] = ()) -> SkuProposals:
    """Pairs with an identical SKU on both sides, unambiguous only, unlinked only."""
    vs, ts = _unlinked(variants, skus, set(linked_variants), set(linked_skus))
    left: dict[str, list[ShopifyVariantRef]] = defaultdict(list)
    right: dict[str, list[TikTokSkuRef]] = defaultdict(list)
    for v in vs:
        if norm_sku(v.sku):
            left[norm_sku(v.sku)].append(v)
    for t in ts:
        if norm_sku(t.seller_sku):
            right[norm_sku(t.seller_sku)].append(t)
    return _match_on(vs, ts, left, right, "identical SKU")


def suggest_by_barcode(variants: Iterable[ShopifyVariantRef], skus: Iterable[TikTokSkuRef], *,
                       linked_variants: Iterable[str] = (),
                       linked_skus: Iterable[str] = ()) -> SkuProposals:
    """Pairs with the same barcode (Shopify barcode ↔ TikTok identifier code)."""
    vs, ts = _unlinked(variants, skus, set(linked_variants), set(linked_skus))
    left: dict[str, list[ShopifyVariantRef]] = defaultdict(list)
    right: dict[str, list[TikTokSkuRef]] = defaultdict(list)
    for v in vs:
        if norm_barcode(v.barcode):
            left[norm_barcode(v.barcode)].append(v)
    for t in ts:
        if norm_barcode(t.barcode):
            right[norm_barcode(t.barcode)].append(t)
    return _match_on(vs, ts, left, right, "identical barcode")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold()))


def title_similarity(a: str, b: str) -> float:
    """0..1: the mean of word-set Jaccard and difflib's character ratio."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    jaccard = len(wa & wb) / len(wa | wb)
    ratio = SequenceMatcher(None, a.casefold(), b.casefold()).ratio()
    return round((jaccard + ratio) / 2, 3)


def _candidates(title: str, index: dict[str, set[str]],
                titles: dict[str, str]) -> list[tuple[float, str]]:
    """Products sharing a word with `title`, scored; only the best by word overlap are given
    the (slower) character ratio."""
    words = _words(title)
    ids = set().union(*(index.get(w, set()) for w in words)) if words else set()
    by_overlap = sorted(ids, key=lambda pid: (-len(words & _words(titles[pid])), pid))
    scored = [(title_similarity(title, titles[pid]), pid) for pid in by_overlap[:CANDIDATES]]
    return sorted(scored, key=lambda s: (-s[0], s[1]))


def suggest_by_title(variants: Iterable[ShopifyVariantRef], skus: Iterable[TikTokSkuRef], *,
                     linked_variants: Iterable[str] = (), linked_skus: Iterable[str] = (),
                     threshold: float = TITLE_THRESHOLD) -> list[TitleSuggestion]:
    """Best Shopify products for each TikTok listing with an unlinked SKU, best first."""
    vs, ts = _unlinked(variants, skus, set(linked_variants), set(linked_skus))
    products: dict[str, list[ShopifyVariantRef]] = defaultdict(list)
    for v in vs:
        products[v.product_id].append(v)
    titles = {pid: pv[0].product_title for pid, pv in products.items()}
    index: dict[str, set[str]] = defaultdict(set)
    for pid, title in titles.items():
        for word in _words(title):
            index[word].add(pid)
    listings: dict[str, list[TikTokSkuRef]] = defaultdict(list)
    for t in ts:
        listings[t.product_id].append(t)
    found: list[TitleSuggestion] = []
    for tiktok_id, tiktok_skus in listings.items():
        title = tiktok_skus[0].product_title
        for score, pid in _candidates(title, index, titles)[:TITLE_SUGGESTIONS_PER_LISTING]:
            if score < threshold:
                break
            pv = products[pid]
            pair = (_pair(pv[0], tiktok_skus[0], "similar title", score)
                    if len(pv) == 1 and len(tiktok_skus) == 1 else None)
            found.append(TitleSuggestion(pid, titles[pid], tiktok_id, title, score, pair))
    found.sort(key=lambda s: (-s.score, s.tiktok_product_id, s.shopify_product_id))
    return found
