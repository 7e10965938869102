"""Reference data for the nine regions, generated deterministically by our own code.

TikTok's real trees are not copied (their data has no licence). Shapes follow the docs:
Get Categories returns a flat list `{id, parent_id ("0" for roots), local_name, is_leaf,
permission_statuses}`; v1 is the 3-level tree, v2 (US, mandatory there) a deeper one
(reference §4.5).
Attributes, rules and brands are derived from (region, version, category id) with a seeded RNG.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from functools import lru_cache

from ecomsend.sandbox.tiktok.markets import REGIONS, market

#: First category id of each tree version (ids differ, so a v1 id used with v2 is "not in tree").
V1_BASE_ID = 600000
V2_BASE_ID = 800000
#: Leaves per second-level node in v1; v2 adds a level with 3×3 (so it is deeper and larger).
V1_LEAVES_PER_SUB = 5
V2_BRANCHES = 3
#: Brands generated per region.
BRANDS_PER_REGION = 80

#: Our own top-level departments, each with four sub-departments.
_TREE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Women's Clothing", ("Tops", "Dresses", "Trousers", "Outerwear")),
    ("Men's Clothing", ("Shirts", "Jeans", "Jackets", "Knitwear")),
    ("Footwear", ("Trainers", "Boots", "Sandals", "Slippers")),
    ("Beauty", ("Skincare", "Makeup", "Haircare", "Fragrance")),
    ("Consumer Electronics", ("Audio", "Phone Accessories", "Cameras", "Wearables")),
    ("Home & Living", ("Storage", "Decor", "Lighting", "Bedding")),
    ("Kitchen", ("Cookware", "Bakeware", "Utensils", "Drinkware")),
    ("Sport & Outdoor", ("Fitness", "Camping", "Cycling", "Water Sports")),
    ("Toys & Games", ("Puzzles", "Building Sets", "Dolls", "Outdoor Play")),
    ("Pets", ("Dog Supplies", "Cat Supplies", "Aquarium", "Small Animals")),
    ("Automotive", ("Car Care", "Interior", "Tools", "Electronics")),
    ("Books & Media", ("Fiction", "Non-fiction", "Music", "Stationery")),
    ("Jewellery", ("Necklaces", "Rings", "Earrings", "Bracelets")),
    ("Bags & Luggage", ("Handbags", "Backpacks", "Suitcases", "Wallets")),
    ("Baby", ("Feeding", "Nursery", "Baby Clothing", "Strollers")),
    ("Health", ("Supplements", "Medical Supplies", "Personal Care", "Massage")),
    ("Food & Drink", ("Snacks", "Coffee & Tea", "Pantry", "Confectionery")),
    ("Garden & DIY", ("Garden Tools", "Plants", "Power Tools", "Hardware")),
)
#: Qualifiers that make leaf names ("Travel Backpacks", "Kids' Sandals" …).
_QUALIFIERS = ("Classic", "Travel", "Kids'", "Premium", "Compact", "Outdoor", "Vintage", "Eco",
               "Smart", "Everyday", "Deluxe", "Mini", "Professional", "Seasonal", "Handmade")
#: Departments whose leaves support (and sometimes require) a size chart.
_SIZED = frozenset({0, 1, 2})
#: Departments whose leaves may need a certification (restricted-ish goods).
_CERTIFIED = frozenset({3, 4, 8, 14, 15, 16})
#: Certification names of our own.
_CERT_NAMES = ("Safety Test Report", "Conformity Declaration", "Ingredient Disclosure",
               "Electrical Safety Certificate")
#: Sub-departments where TikTok's real rules are strict everywhere: children's clothing needs a
#: size chart and a children's-product safety certificate (name per market's scheme).
_BABY_CLOTHING = "Baby Clothing"
_CHILD_SAFETY = {"US": "Children's Product Certificate (CPC)", "GB": "UKCA Toy & Child Safety "
                 "Declaration", "JP": "ST Mark Certificate", "MX": "NOM Child Safety Certificate"}
_CHILD_SAFETY_EU = "CE Child Safety Declaration (EN 71 / EN 14682)"
#: Departments where EU GPSR always asks for a manufacturer and a responsible person (toys and
#: baby goods are the categories the regulation singles out); elsewhere some categories do.
_GPSR_ALWAYS = frozenset({8, 14})

COLOR_ATTR_ID = "100000"
SIZE_ATTR_ID = "100007"
_COLORS = ("Black", "White", "Red", "Blue", "Green", "Yellow", "Pink", "Grey", "Navy", "Beige",
           "Brown", "Purple")
_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
#: Product-attribute pool: (id, name, values or () for free numeric input, multi-select).
_PRODUCT_ATTRS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("100392", "Occasion", ("Birthday", "Wedding", "Daily", "Party", "Office"), True),
    ("100393", "Material", ("Cotton", "Polyester", "Leather", "Wood", "Steel", "Plastic",
                            "Glass", "Silicone"), True),
    ("100394", "Pattern", ("Solid", "Striped", "Floral", "Checked", "Printed"), False),
    ("100395", "Season", ("Spring", "Summer", "Autumn", "Winter", "All Seasons"), True),
    ("100396", "Style", ("Casual", "Sporty", "Elegant", "Minimalist", "Retro"), False),
    ("100397", "Country of Origin", ("China", "United States", "Germany", "Japan", "Mexico",
                                     "Italy", "Vietnam"), False),
    ("100398", "Warranty Type", ("No Warranty", "Manufacturer", "Seller"), False),
    ("100399", "Power Source", ("Battery", "Mains", "USB", "Solar", "None"), False),
    ("100400", "Age Group", ("Adult", "Teen", "Kids", "Baby"), True),
    ("100401", "Quantity per Pack", (), False),
    ("100402", "Capacity (mL)", (), False),
    ("100403", "Care Instructions", ("Machine Wash", "Hand Wash", "Dry Clean", "Wipe Clean"),
     False),
    ("100404", "Finish", ("Matte", "Glossy", "Satin", "Textured"), False),
    ("100405", "Theme", ("Animals", "Space", "Nature", "Cartoon", "Sports"), True),
)
#: value_data_format for free numeric attributes (Get Attributes doc).
NUMERIC_FORMAT = "POSITIVE_INT_OR_DECIMAL"


@dataclass(frozen=True)
class Category:
    """One node of a category tree."""

    id: str
    parent_id: str
    local_name: str
    is_leaf: bool
    department: int
    permission: str

    def wire(self) -> dict[str, object]:
        """Get Categories item."""
        return {"id": self.id, "parent_id": self.parent_id, "local_name": self.local_name,
                "is_leaf": self.is_leaf, "permission_statuses": [self.permission]}


@dataclass(frozen=True)
class Attribute:
    """A sales or product attribute of a leaf category."""

    id: str
    name: str
    type: str
    is_required: bool
    is_customizable: bool
    is_multiple_selection: bool
    value_data_format: str
    values: tuple[tuple[str, str], ...]

    def wire(self) -> dict[str, object]:
        """Get Attributes item; `is_requried` is TikTok's own spelling (reference §4.5)."""
        return {"id": self.id, "name": self.name, "type": self.type,
                "is_requried": self.is_required, "is_customizable": self.is_customizable,
                "is_multiple_selection": self.is_multiple_selection,
                "value_data_format": self.value_data_format,
                "values": [{"id": vid, "name": name} for vid, name in self.values],
                "requirement_conditions": []}


@dataclass(frozen=True)
class Certification:
    """A certification type a category may require."""

    id: str
    name: str
    is_required: bool
    #: Whether `certifications[].expiration_date` must be sent (test reports expire).
    expiration_required: bool = False


@dataclass(frozen=True)
class Rules:
    """Get Category Rules for one leaf."""

    package_dimension_required: bool
    size_chart_supported: bool
    size_chart_required: bool
    certifications: tuple[Certification, ...]
    manufacturer_required: bool
    responsible_person_required: bool

    def wire(self) -> dict[str, object]:
        """Get Category Rules `data`."""
        return {
            "product_certifications": [
                {"id": c.id, "name": c.name, "is_required": c.is_required,
                 "document_details": f"Upload a clear scan of the {c.name.lower()}.",
                 "sample_image_url": "",
                 "expiration_date": {"is_required": c.expiration_required},
                 "requirement_conditions": []} for c in self.certifications],
            "size_chart": {"is_supported": self.size_chart_supported,
                           "is_required": self.size_chart_required},
            "cod": {"is_supported": False},
            "package_dimension": {"is_required": self.package_dimension_required},
            "epr": {"is_required": False},
            "manufacturer": {"is_required": self.manufacturer_required},
            "responsible_person": {"is_required": self.responsible_person_required},
            "allowed_special_product_types": [],
        }


@dataclass(frozen=True)
class Brand:
    """A brand; `authorized_status` uses TikTok's spelling UNAUTHORIEZD (reference §4.5)."""

    id: str
    name: str
    authorized_status: str
    brand_status: str
    is_t1_brand: bool
    departments: frozenset[int]

    def wire(self) -> dict[str, object]:
        """Get Brands item."""
        return {"id": self.id, "name": self.name, "authorized_status": self.authorized_status,
                "brand_status": self.brand_status, "is_t1_brand": self.is_t1_brand}


def _rng(*parts: object) -> random.Random:
    """A Random seeded from the given parts (stable across processes)."""
    return random.Random(zlib.crc32(":".join(map(str, parts)).encode()))


class RegionCatalog:
    """Categories, attributes, rules and brands of one region and tree version."""

    def __init__(self, region: str, version: str) -> None:
        self.region = region
        self.version = version
        self.categories: dict[str, Category] = {}
        self._build_tree()
        self.brands = _make_brands(region)
        self.brands_by_id = {b.id: b for b in self.brands}

    def _add(self, parent: str, name: str, leaf: bool, dept: int, rng: random.Random) -> str:
        """Register one category node and return its id."""
        base = V2_BASE_ID if self.version == "v2" else V1_BASE_ID
        cid = str(base + len(self.categories) + 1)
        # US has invitation-only categories (reference §7 "US specifics").
        invite = leaf and self.region == "US" and rng.random() < 0.03
        self.categories[cid] = Category(cid, parent, name, leaf, dept,
                                        "INVITE_ONLY" if invite else "AVAILABLE")
        return cid

    def _build_tree(self) -> None:
        """Generate the tree: 3 levels for v1, 4 for v2."""
        rng = _rng("tree", self.region, self.version)
        for dept, (top, subs) in enumerate(_TREE):
            top_id = self._add("0", top, False, dept, rng)
            for sub in subs:
                sub_id = self._add(top_id, sub, False, dept, rng)
                quals = rng.sample(_QUALIFIERS, V1_LEAVES_PER_SUB)
                if self.version == "v1":
                    for q in quals:
                        self._add(sub_id, f"{q} {sub}", True, dept, rng)
                    continue
                for q in quals[:V2_BRANCHES]:
                    mid = self._add(sub_id, f"{q} {sub}", False, dept, rng)
                    for q2 in rng.sample(_QUALIFIERS, V2_BRANCHES):
                        self._add(mid, f"{q2} {q} {sub}", True, dept, rng)

    def leaves(self) -> list[Category]:
        """Every leaf category, in id order."""
        return [c for c in self.categories.values() if c.is_leaf]

    def attributes(self, category_id: str) -> tuple[Attribute, ...]:
        """Sales + product attributes of a leaf."""
        return _attributes(self.region, self.version, category_id,
                           self.categories[category_id].department)

    def rules(self, category_id: str) -> Rules:
        """Category rules of a leaf."""
        chain = self.chain(category_id)
        sub = chain[1].local_name if len(chain) > 1 else ""
        return _rules(self.region, self.version, category_id,
                      self.categories[category_id].department, sub)

    def chain(self, category_id: str) -> list[Category]:
        """Root-to-leaf chain (Get Product `category_chains`)."""
        out: list[Category] = []
        cid = category_id
        while cid != "0" and cid in self.categories:
            out.append(self.categories[cid])
            cid = self.categories[cid].parent_id
        return list(reversed(out))


def _value_ids(attr_id: str, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Value ids derived from the attribute id."""
    return tuple((f"{attr_id}{i + 1:04d}", n) for i, n in enumerate(names))


@lru_cache(maxsize=8192)
def _attributes(region: str, version: str, category_id: str, dept: int) -> tuple[Attribute, ...]:
    """Sales + product attributes of a leaf (seeded)."""
    rng = _rng("attrs", region, version, category_id)
    out = [Attribute(COLOR_ATTR_ID, "Color", "SALES_PROPERTY", False, True, False, "",
                     _value_ids(COLOR_ATTR_ID, _COLORS))]
    if dept in _SIZED:
        out.append(Attribute(SIZE_ATTR_ID, "Size", "SALES_PROPERTY", False, True, False, "",
                             _value_ids(SIZE_ATTR_ID, _SIZES)))
    picked = rng.sample(_PRODUCT_ATTRS, rng.randint(4, 7))
    n_required = 0 if rng.random() < 0.2 else (2 if rng.random() < 0.3 else 1)
    for i, (aid, name, values, multi) in enumerate(picked):
        numeric = not values
        out.append(Attribute(aid, name, "PRODUCT_PROPERTY", i < n_required, numeric, multi,
                             NUMERIC_FORMAT if numeric else "", _value_ids(aid, values)))
    return tuple(out)


@lru_cache(maxsize=8192)
def _rules(region: str, version: str, category_id: str, dept: int, sub: str = "") -> Rules:
    """Category rules of a leaf (seeded), with the fixed rules of `_BABY_CLOTHING` and
    `_GPSR_ALWAYS`."""
    rng = _rng("rules", region, version, category_id)
    sized = dept in _SIZED
    certs: tuple[Certification, ...] = ()
    if dept in _CERTIFIED:
        idx = rng.randrange(len(_CERT_NAMES))
        certs = (Certification(str(7100000000000000000 + idx * 1000 + dept),
                               _CERT_NAMES[idx], rng.random() < 0.4),)
    # EU GPSR: manufacturer / responsible person required for some categories (reference §7).
    eu = market(region).is_eu
    gpsr = eu and rng.random() < 0.35
    dims = rng.random() < 0.5
    chart_required = sized and rng.random() < 0.5
    if sub == _BABY_CLOTHING:
        sized = chart_required = True
        name = _CHILD_SAFETY_EU if eu else _CHILD_SAFETY[region]
        certs = (Certification(str(7100000000000099000 + dept), name, True,
                               expiration_required=True),)
    return Rules(package_dimension_required=dims,
                 size_chart_supported=sized, size_chart_required=chart_required,
                 certifications=certs, manufacturer_required=gpsr or (eu and dept in _GPSR_ALWAYS),
                 responsible_person_required=gpsr or (eu and dept in _GPSR_ALWAYS))


_SYLLABLES = ("ka", "lo", "mi", "ra", "ven", "tor", "sa", "ni", "bel", "zu", "qua", "dex", "ori",
              "pel", "sun", "mar", "tek", "lux", "vio", "nor")


def _make_brands(region: str) -> tuple[Brand, ...]:
    """The brands of a region (seeded syllable names)."""
    rng = _rng("brands", region)
    out: list[Brand] = []
    seen: set[str] = set()
    while len(out) < BRANDS_PER_REGION:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
        if name in seen:
            continue
        seen.add(name)
        authorized = rng.random() < 0.7
        out.append(Brand(
            id=str(7082427311584300000 + zlib.crc32(f"{region}:{name}".encode()) % 99991),
            name=name, authorized_status="AUTHORIZED" if authorized else "UNAUTHORIEZD",
            brand_status="AVAILABLE" if rng.random() < 0.95 else "UNAVAILABLE",
            is_t1_brand=rng.random() < 0.2,
            departments=frozenset(rng.sample(range(len(_TREE)), 4))))
    return tuple(out)


@lru_cache(maxsize=32)
def catalog(region: str, version: str) -> RegionCatalog:
    """The (cached) catalog of a region and tree version."""
    if region not in REGIONS:
        raise KeyError(region)
    return RegionCatalog(region, version)
