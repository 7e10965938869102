"""Shared pydantic building blocks for TikTok payloads (pure parsing, no I/O).

Used by every `models/*` module. TikTok IDs are 18–19 digit strings, but some webhook examples
send `product_id` as a JSON *number* (reference/tiktok-api.md §0, §5.3): `TikTokId` accepts both and
keeps every digit (never a float). Money is a decimal string.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _to_id(value: Any) -> Any:
    """Accept an ID as a string or an integer; refuse floats (they lose digits past 2**53)."""
    if isinstance(value, bool):
        raise ValueError("an id cannot be a boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError("an id arrived as a float: its digits may already be lost")
    return value


def _to_money(value: Any) -> Any:
    """Money is a decimal string on TikTok ("1.21"); tolerate an integer, never reformat."""
    if isinstance(value, bool):
        raise ValueError("money cannot be a boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def _to_list(value: Any) -> Any:
    """A documented `[]string` that an official example sends as one string: wrap it."""
    return [value] if isinstance(value, str) else value


#: A TikTok id: string or JSON integer in, exact digit string out.
TikTokId = Annotated[str, BeforeValidator(_to_id)]
#: A decimal money amount as TikTok sends it (string).
Money = Annotated[str, BeforeValidator(_to_money)]
#: A list of strings that tolerates a lone string (Get Category Rules' example does that).
StrList = Annotated[list[str], BeforeValidator(_to_list)]


class TikTokModel(BaseModel):
    """Base for response/webhook models: unknown fields are kept (TikTok adds fields often)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class RequestModel(BaseModel):
    """Base for request bodies: unknown fields are passed through (region-gated extras)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body TikTok expects: no nulls (an explicit null overwrites on edit)."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class Page(TikTokModel):
    """Cursor pagination fields shared by every search (`next_page_token` empty at the end)."""

    next_page_token: str | None = None
    total_count: int | None = None

    @property
    def has_more(self) -> bool:
        return bool(self.next_page_token)


class ItemError(TikTokModel):
    """One `data.errors[]` entry of a partially successful batch call."""

    code: int | None = None
    message: str | None = None
    detail: dict[str, Any] | None = None


class Warning_(TikTokModel):
    """A `data.warnings[]` entry (create/edit): TikTok fixed something and says what."""

    message: str


class Empty(TikTokModel):
    """A response whose `data` is documented as empty (update price, ship package…)."""
