"""Offline recommended category: token overlap over leaf categories, deterministic."""

from __future__ import annotations

from ecomsend.sync.products.recommend import category_paths, recommend_categories, tokens

from .factories import categories, product

TREE = categories([
    {"id": "1", "parent_id": "0", "local_name": "Menswear & Underwear", "is_leaf": False},
    {"id": "11", "parent_id": "1", "local_name": "Men's Tops", "is_leaf": False},
    {"id": "111", "parent_id": "11", "local_name": "T-shirts", "is_leaf": True,
     "permission_statuses": ["AVAILABLE"]},
    {"id": "112", "parent_id": "11", "local_name": "Shirts", "is_leaf": True,
     "permission_statuses": ["AVAILABLE"]},
    {"id": "113", "parent_id": "11", "local_name": "Shirts & Shirt Accessories", "is_leaf": True},
    {"id": "2", "parent_id": "0", "local_name": "Home Supplies", "is_leaf": False},
    {"id": "21", "parent_id": "2", "local_name": "Kitchenware", "is_leaf": False},
    {"id": "211", "parent_id": "21", "local_name": "Mugs", "is_leaf": True},
    {"id": "212", "parent_id": "21", "local_name": "Cups & Glasses", "is_leaf": True,
     "permission_statuses": ["INVITE_ONLY"]},
])


def test_tokens_stem_and_drop_stopwords() -> None:
    assert tokens("Shirts and Dresses for Accessories") == {"shirt", "dress", "accessory"}
    assert tokens("100 % Cotton") == {"cotton"}
    assert tokens(None) == frozenset()


def test_paths_from_a_flat_tree() -> None:
    paths = category_paths(TREE)
    assert paths["111"] == ("Menswear & Underwear", "Men's Tops", "T-shirts")
    assert paths["1"] == ("Menswear & Underwear",)


def test_product_type_wins_and_exact_leaf_beats_longer_leaf() -> None:
    p = product(title="Oxford button-down", product_type="Shirts")
    ranked = recommend_categories(p, TREE)
    assert ranked[0].category_id == "112"
    assert ranked[0].path == ("Menswear & Underwear", "Men's Tops", "Shirts")
    assert {c.category_id for c in ranked[1:3]} == {"111", "113"}
    assert ranked[0].score > ranked[1].score
    assert all(c.category_id not in {"1", "11"} for c in ranked)  # leaves only


def test_shopify_category_and_title_are_used() -> None:
    p = product(title="Ceramic coffee mug 350ml", product_type=None,
                category="Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs")
    assert recommend_categories(p, TREE)[0].category_id == "211"
    by_title = product(title="Big ceramic mug", product_type=None)
    assert recommend_categories(by_title, TREE)[0].category_id == "211"


def test_invite_only_categories_need_permission() -> None:
    p = product(title="Glasses", product_type="Cups")
    assert [c.category_id for c in recommend_categories(p, TREE)] == []
    allowed = recommend_categories(p, TREE, allow_invite_only=True)
    assert allowed[0].category_id == "212"


def test_nothing_in_common_gives_nothing_and_limit_applies() -> None:
    assert recommend_categories(product(title="Zzzz qqqq", product_type=None), TREE) == []
    p = product(title="shirt", product_type="Shirts")
    assert len(recommend_categories(p, TREE, limit=1)) == 1


def test_deterministic_regardless_of_input_order() -> None:
    p = product(title="Cotton shirt", product_type="Shirts")
    first = recommend_categories(p, TREE)
    for _ in range(5):
        assert recommend_categories(p, list(reversed(TREE))) == first


def test_cyclic_tree_does_not_hang() -> None:
    cyc = categories([
        {"id": "a", "parent_id": "b", "local_name": "Shirts", "is_leaf": True},
        {"id": "b", "parent_id": "a", "local_name": "Tops", "is_leaf": False},
    ])
    assert recommend_categories(product(product_type="Shirts"), cyc)[0].category_id == "a"


def test_t_shirt_goes_to_t_shirts() -> None:
    p = product(title="Graphic T-Shirt", product_type="T-Shirts")
    assert recommend_categories(p, TREE)[0].category_id == "111"
