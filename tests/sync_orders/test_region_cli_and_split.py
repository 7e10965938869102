"""`ecomsend demo --region` refuses a region outside the nine before starting anything; the MX
all-units split rule (Split Orders doc, "MX (local sellers)") is checked before calling TikTok."""

from __future__ import annotations

from typer.testing import CliRunner

from ecomsend.cli import app
from ecomsend.demo.regions import demo_region
from ecomsend.integrations.tiktok.models.orders import LineItem
from ecomsend.sync.fulfillments.split import all_units_problem

UNSHIPPED = frozenset({"", "TO_FULFILL", "PROCESSING"})


def test_demo_region_outside_the_nine_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["demo", "--headless", "--region", "SG"])
    assert result.exit_code == 2
    assert "SG" in result.output and "UK = GB" in result.output
    assert demo_region("uk").code == "GB" and demo_region("jp").shipping_fee == "600"


def _line(lid: str, sku: str, status: str = "TO_FULFILL") -> LineItem:
    return LineItem(id=lid, sku_id=sku, package_id="p1", package_status=status)


def test_all_units_split_needs_every_unshipped_unit_of_a_sku() -> None:
    order = [_line("1", "A"), _line("2", "A"), _line("3", "B"), _line("4", "A", "FULFILLING")]
    assert all_units_problem(order, [order[0], order[1]], UNSHIPPED) is None  # all of A left
    assert all_units_problem(order, [order[2]], UNSHIPPED) is None
    problem = all_units_problem(order, [order[0], order[2]], UNSHIPPED)
    assert problem is not None and "1 unit(s) of SKU A" in problem
