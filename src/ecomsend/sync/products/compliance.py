"""The `compliance` JSON of a category template (or a manual-sync override) → TemplateSpec
fields (pure). Called by `converters.template_spec` and `links.overrides.effective_template`.

Shape (written by the templates API and the manual-sync form; migration 0009):
`{"size_chart": {"template_id", "template_name", "image_uri", "image_url"},
  "certifications": [{"id", "name", "images": [{"uri", "url"}], "files": [{"id", "name",
  "format"}], "expiration_date": "YYYY-MM-DD"}], "manufacturers": [{"id", "name"}],
  "responsible_persons": [{"id", "name"}]}`.
Names and URLs are for display only; TikTok gets the ids and uris.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, TypedDict

from ecomsend.sync.products.types import CertificationFile, CertificationSpec

#: The keys of the compliance JSON, each replacing the template's when an override sets it.
COMPLIANCE_KEYS = ("size_chart", "certifications", "manufacturers", "responsible_persons")


class ComplianceFields(TypedDict):
    """The TemplateSpec keyword arguments the compliance JSON sets."""

    size_chart_template_id: str | None
    size_chart_image_uri: str | None
    certifications: tuple[CertificationSpec, ...]
    manufacturer_ids: tuple[str, ...]
    responsible_person_ids: tuple[str, ...]


def _dicts(raw: Any) -> list[Mapping[str, Any]]:
    return [x for x in raw if isinstance(x, Mapping)] if isinstance(raw, list) else []


def _text(raw: Any) -> str | None:
    return str(raw).strip() or None if raw not in (None, "") else None


def _certification(raw: Mapping[str, Any]) -> CertificationSpec | None:
    cid = _text(raw.get("id"))
    if cid is None:
        return None
    uris = tuple(u for u in (_text(i.get("uri")) for i in _dicts(raw.get("images"))) if u)
    files = tuple(CertificationFile(str(f["id"]), str(f.get("name") or ""),
                                    str(f.get("format") or "PDF"))
                  for f in _dicts(raw.get("files")) if _text(f.get("id")))
    return CertificationSpec(cid, _text(raw.get("name")), uris, files,
                             expiration_seconds(raw.get("expiration_date")))


def expiration_seconds(raw: Any) -> int | None:
    """A certificate's expiry as TikTok takes it (Unix seconds): the end of an ISO date
    ("2027-06-30", as the forms store it) in UTC, or seconds as given; None when unreadable."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        return None
    end = datetime.combine(day, time.max, tzinfo=UTC)
    return int(end.timestamp())


def _ids(raw: Any) -> tuple[str, ...]:
    found = (_text(x.get("id")) for x in _dicts(raw))
    return tuple(dict.fromkeys(i for i in found if i))


def compliance_fields(raw: Mapping[str, Any] | None) -> ComplianceFields:
    """TemplateSpec fields from the JSON (missing or malformed parts are empty)."""
    data = raw if isinstance(raw, Mapping) else {}
    chart = data.get("size_chart")
    chart = chart if isinstance(chart, Mapping) else {}
    certs = (_certification(c) for c in _dicts(data.get("certifications")))
    return ComplianceFields(
        size_chart_template_id=_text(chart.get("template_id")),
        size_chart_image_uri=_text(chart.get("image_uri")),
        certifications=tuple(c for c in certs if c is not None),
        manufacturer_ids=_ids(data.get("manufacturers")),
        responsible_person_ids=_ids(data.get("responsible_persons")))


def merged(base: Mapping[str, Any] | None, override: Mapping[str, Any] | None
           ) -> dict[str, Any]:
    """The template's compliance JSON with each key the override sets replacing it."""
    out = dict(base or {})
    for key in COMPLIANCE_KEYS:
        if override and override.get(key) is not None:
            out[key] = override[key]
    return out
