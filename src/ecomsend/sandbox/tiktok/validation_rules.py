"""Create/Edit Product checks of what Get Category Rules asks for: certifications (images or
files), the size chart (image or template) and the EU manufacturer / responsible person.

Codes and messages from the Create Product doc's error list (`12052105` required qualification
miss, `12052650`/`12052655`/`12052656`/`12052657`/`12052658` certification problems,
`12052670`/`12052673`/`12052128` size chart, `12052282`–`12052296` GPSR ids).
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.tiktok.compliance import for_seller
from ecomsend.sandbox.tiktok.compliance_state import SellerCompliance
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.refdata import Rules
from ecomsend.sandbox.tiktok.state import Shop, now
from ecomsend.sandbox.tiktok.validation_common import fail

CERT_IMAGE_URI = 12052650
CERT_UNKNOWN = 12052655
CERT_DUPLICATE = 12052656
CERT_TOO_MANY = 12052657
CERT_FILE = 12052658
CERT_EXPIRATION = 12052385
SIZE_CHART_URI = 12052670
SIZE_CHART_NOT_FOUND = 12052128
MANUFACTURER_TOO_MANY = 12052283
MANUFACTURER_NOT_FOUND = 12052284
MANUFACTURER_NOT_SELLERS = 12052285
RP_COUNT = 12052288
RP_NOT_FOUND = 12052289
RP_NOT_SELLERS = 12052290
MANUFACTURER_DUPLICATE = 12052295
RP_DUPLICATE = 12052296
#: Images + PDF files per certification. [INF] The doc names the error (`12052657` "image and
#: pdf file is out of limit") but not the number; Seller Center takes up to 10 per certificate.
CERT_FILES_MAX = 10
#: [INF] `12052283` gives no number; one product rarely has more than a few manufacturers.
MANUFACTURERS_MAX = 10
#: `12052288`: "cannot exceed {{max_limit}}, and cannot less {{min_limit}}" — GPSR names one
#: responsible person per product, so 1..1 when the list is sent.
RP_MAX = 1


#: Kinder than TikTok, knowingly: an image `uri` counts whatever `use_case` it was uploaded
#: with (Upload Product Image has CERTIFICATION_IMAGE and SIZE_CHART_IMAGE; the Create Product
#: doc does not say a MAIN_IMAGE uri is refused there), and `requirement_conditions` of
#: certifications are always empty in the sandbox's rules.
def check_rules(sb: Sandbox, shop: Shop, rules: Rules, body: dict[str, Any]) -> None:
    """Raise the first documented error about certifications, size chart or GPSR ids."""
    book = for_seller(sb, shop.seller)
    _check_certifications(sb, book, rules, body)
    _check_size_chart(sb, book, rules, body)
    _check_gpsr(sb, shop, rules, body)


def _check_certifications(sb: Sandbox, book: SellerCompliance, rules: Rules,
                          body: dict[str, Any]) -> None:
    known = {c.id for c in rules.certifications}
    given: set[str] = set()
    for cert in body.get("certifications") or []:
        cid = str(cert.get("id") or "") if isinstance(cert, dict) else ""
        if cid not in known:
            raise ApiError(CERT_UNKNOWN, f"qualification id not exist: {cid or '(empty)'}")
        if cid in given:
            raise ApiError(CERT_DUPLICATE, f"qualification id duplicate: {cid}")
        given.add(cid)
        images, files = cert.get("images") or [], cert.get("files") or []
        if len(images) + len(files) > CERT_FILES_MAX:
            raise ApiError(CERT_TOO_MANY, "qualification image and pdf file is out of limit.")
        for image in images:
            if str((image or {}).get("uri") or "") not in sb.store.images:
                raise ApiError(CERT_IMAGE_URI, "product qualification image uri illegal: "
                               f"certifications[{cid}].images")
        for file in files:
            if str((file or {}).get("id") or "") not in book.files:
                raise ApiError(CERT_FILE, "product qualification file uri illegal: "
                               f"certifications[{cid}].files")
        _check_expiration(rules, cid, cert.get("expiration_date"))
        if not images and not files:
            given.discard(cid)  # an entry with nothing attached does not satisfy the rule
    for cert in rules.certifications:
        if cert.is_required and cert.id not in given:
            raise fail("cert_required", f"required qualification miss: certifications must "
                       f"include '{cert.name}' (id {cert.id}) with an image or a file.")


def _check_expiration(rules: Rules, cid: str, raw: Any) -> None:
    """`expiration_date` (Unix seconds) when the rule asks for it, and in the future whenever
    sent (`12052385` "Please enter valid certificate expiration date")."""
    needed = any(c.id == cid and c.expiration_required for c in rules.certifications)
    if raw is None and not needed:
        return
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= now():
        raise ApiError(CERT_EXPIRATION, "Please enter valid certificate expiration date: "
                       f"certifications[{cid}].expiration_date must be a future Unix time.")


def _check_size_chart(sb: Sandbox, book: SellerCompliance, rules: Rules,
                      body: dict[str, Any]) -> None:
    chart = body.get("size_chart") or {}
    uri = str((chart.get("image") or {}).get("uri") or "")
    template_id = str((chart.get("template") or {}).get("id") or "")
    if uri and uri not in sb.store.images:
        raise ApiError(SIZE_CHART_URI, "The size chart image URI is invalid. Note: API users "
                       "must use the URI generated by the Upload Product Image API.")
    if template_id and template_id not in book.size_charts:
        raise ApiError(SIZE_CHART_NOT_FOUND, f"Size chart not found: {template_id}")
    if rules.size_chart_required and not (uri or template_id):
        raise fail("size_chart", "Product sizechart  image is required: size_chart.image.uri "
                   "or size_chart.template.id.")


def _check_ids(ids: list[Any], known: set[str], others: set[str], what: str,
               codes: tuple[int, int, int]) -> None:
    """Duplicates, unknown ids and ids of another seller (in the doc's order of codes)."""
    not_found, not_sellers, duplicate = codes
    if len(set(map(str, ids))) != len(ids):
        raise ApiError(duplicate, f"Duplicate {what} IDs associated with the same product")
    for raw in map(str, ids):
        if raw in others:
            raise ApiError(not_sellers, f"{what.capitalize()} ID {raw} is not associated with "
                           "the seller")
        if raw not in known:
            raise ApiError(not_found, f"{what.capitalize()} ID {raw} is not found")


def _check_gpsr(sb: Sandbox, shop: Shop, rules: Rules, body: dict[str, Any]) -> None:
    mine = for_seller(sb, shop.seller)
    theirs = [b for s, b in sb.store.compliance.items() if s != shop.seller]
    m_ids = list(body.get("manufacturer_ids") or [])
    r_ids = list(body.get("responsible_person_ids") or [])
    if rules.manufacturer_required and not m_ids:
        raise fail("manufacturer", "Product manufacturer is required.")
    if len(m_ids) > MANUFACTURERS_MAX:
        raise ApiError(MANUFACTURER_TOO_MANY, "The number of manufacturers cannot exceed the "
                       "allowed limits.")
    _check_ids(m_ids, set(mine.manufacturers), {i for b in theirs for i in b.manufacturers},
               "manufacturer", (MANUFACTURER_NOT_FOUND, MANUFACTURER_NOT_SELLERS,
                                MANUFACTURER_DUPLICATE))
    if rules.responsible_person_required and not r_ids:
        raise fail("responsible_person", "Product responsible person is required")
    if len(r_ids) > RP_MAX:
        raise ApiError(RP_COUNT, f"The number of responsible person ids cannot exceed {RP_MAX}, "
                       "and cannot less 1.")
    _check_ids(r_ids, set(mine.responsible_persons),
               {i for b in theirs for i in b.responsible_persons}, "responsible person",
               (RP_NOT_FOUND, RP_NOT_SELLERS, RP_DUPLICATE))
