"""Text clean-up for TikTok: titles, attribute values and the HTML description.

Called by `mapping` (to produce what is sent) and `preflight` (to measure what would be sent).
TikTok's rules (Create Product error list, `error-codes.json`):
- `12052931`/`12052932`/`12052933`/`12052934`: titles, descriptions and attribute names/values
  may not contain HTML escapes (`&nbsp;`), emojis or ASCII control characters, may not be only
  symbols, and may not repeat one character more than 9 times (the doc's own example has 9, so
  we treat 9 as the limit).
- `12052262`/`12052346`/`12052554`: no Chinese characters (Japanese legitimately uses kanji).
- Description (Create Product doc): HTML, ≤ 10,000 chars, ≤ 30 `<img>`, TikTok-hosted image
  URLs only, each `<img>` with `src`, `width`, `height`; `12052345` unsupported tag,
  `12052349` unsupported nesting, `12052350` illegal attribute. The doc says "all HTML tags are
  accepted" yet lists those errors, so we keep a small safe subset and drop every attribute.
What we can fix without changing meaning is fixed here (entities, emoji, control characters,
whitespace, symbol runs); what we cannot is left for `preflight` to report.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser

from ecomsend.sync.products.types import UploadedImage

#: One character repeated this many times is refused (`12052931`).
MAX_REPEAT = 9
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, flags, symbols & pictographs
    "\u2600-\u27bf"  # misc symbols and dingbats
    "\u2b00-\u2bff"  # arrows/stars used as emoji
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, zero-width joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "]+"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_SYMBOL_RUN = re.compile(r"([^\w\s])\1{" + str(MAX_REPEAT - 1) + ",}")
_ANY_RUN = re.compile(r"(.)\1{" + str(MAX_REPEAT - 1) + ",}", re.DOTALL)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


def clean_text(text: str | None) -> str:
    """Unescape entities, drop emoji and control characters, collapse whitespace and long
    symbol runs ("==========" → "==="); the result is one trimmed line."""
    if not text:
        return ""
    out = html.unescape(text)
    out = _EMOJI.sub("", out)
    out = _CONTROL.sub(" ", out)
    out = _SPACES.sub(" ", out)
    out = _SYMBOL_RUN.sub(lambda m: m.group(1) * 3, out)
    return out.strip()


def repeated_run(text: str) -> str | None:
    """The first run of one character repeated `MAX_REPEAT`+ times, or None."""
    m = _ANY_RUN.search(text)
    return m.group(0) if m else None


def only_symbols(text: str) -> bool:
    """True when the text has characters but no letter or digit ("!!! ///")."""
    return bool(text.strip()) and not any(ch.isalnum() for ch in text)


def has_han(text: str) -> bool:
    """True when the text contains Chinese (Han) characters."""
    return _HAN.search(text) is not None


def html_text(description: str) -> str:
    """The visible text of sanitized HTML (for checks that apply to words, not markup)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", description))


#: Tags kept as they are.
_INLINE = frozenset({"strong", "b", "i", "em", "u"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_LISTS = frozenset({"ul", "ol"})
#: Tags whose whole content is dropped (code, media, forms).
_DROP = frozenset({
    "script", "style", "iframe", "noscript", "svg", "template", "head", "title", "object",
    "embed", "video", "audio", "canvas", "form", "button", "select", "textarea", "math",
})
#: Block containers that become a paragraph boundary.
_BLOCKS = frozenset({
    "p", "div", "section", "article", "blockquote", "h5", "h6", "header", "footer", "aside",
    "figure", "figcaption", "address", "pre", "table", "tr", "td", "th", "dd", "dt", "dl",
    "caption", "main", "nav", "hr", "tbody", "thead", "tfoot",
})


#: Outputs after which a pending space is meaningless (start of a block or a line).
_NO_SPACE_AFTER = frozenset({"<p>", "<li>", "<br>", *(f"<{h}>" for h in _HEADINGS)})


class _Sanitizer(HTMLParser):
    """Rebuilds a description from the safe subset, balanced and without nesting surprises."""

    def __init__(self, images: Mapping[str, UploadedImage], max_images: int) -> None:
        super().__init__(convert_charrefs=True)
        self.images = images
        self.max_images = max_images
        self.image_count = 0
        self.out: list[str] = []
        self.stack: list[str] = []
        self.drop_depth = 0
        self.ignored_lists = 0
        #: Whitespace seen between tags, emitted only if more text follows inline.
        self.pending_space = False

    # -- structure helpers ------------------------------------------------------------
    def _open(self, tag: str) -> None:
        self.out.append(f"<{tag}>")
        self.stack.append(tag)

    def _close_to(self, tag: str) -> None:
        """Close open tags down to and including the innermost `tag`."""
        while self.stack:
            top = self.stack.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                return

    def _close_blocks(self) -> None:
        """Close an open paragraph or heading (and whatever is open inside it)."""
        for tag in ("p", *sorted(_HEADINGS)):
            if tag in self.stack:
                self._close_to(tag)

    def _ensure_paragraph(self) -> None:
        """Text outside any block goes into a paragraph (TikTok renders bare text poorly)."""
        if not any(t in self.stack for t in ("p", "li", *_HEADINGS)):
            self._open("p")

    # -- parser callbacks -------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.drop_depth or tag in _DROP:
            self.drop_depth += tag in _DROP
            return
        if tag == "br":
            self.out.append("<br>")
        elif tag == "img":
            self._image(dict(attrs).get("src"))
        elif tag in _INLINE:
            self._ensure_paragraph()
            self._flush_space()
            self._open(tag)
        elif tag in _HEADINGS:
            self._close_blocks()
            self._open(tag)
        elif tag in _LISTS:
            self._start_list(tag)
        elif tag == "li":
            self._start_item()
        elif tag in _BLOCKS:
            self._close_blocks()

    def _start_list(self, tag: str) -> None:
        if any(t in _LISTS for t in self.stack):
            self.ignored_lists += 1  # nested lists are flattened (`12052349` nesting)
            return
        self._close_blocks()
        self._open(tag)

    def _start_item(self) -> None:
        if not any(t in _LISTS for t in self.stack):
            self._close_blocks()
            self._open("p")
            return
        if "li" in self.stack:
            self._close_to("li")
        self._open("li")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img") and tag not in _DROP:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.drop_depth:
            self.drop_depth -= tag in _DROP
            return
        if tag in _LISTS and self.ignored_lists:
            self.ignored_lists -= 1
        elif tag in _BLOCKS:
            self._close_blocks()
        elif tag in self.stack:
            self._close_to(tag)

    def handle_data(self, data: str) -> None:
        if self.drop_depth:
            return
        text = _SYMBOL_RUN.sub(lambda m: m.group(1) * 3, _SPACES.sub(" ", _EMOJI.sub("", data)))
        text = _CONTROL.sub(" ", text)
        if not text.strip():
            self.pending_space = True
            return
        self._ensure_paragraph()
        if not text.startswith(" "):
            self._flush_space()
        self.pending_space = False
        self.out.append(text.replace("<", "‹").replace(">", "›"))

    def _flush_space(self) -> None:
        """Emit the whitespace seen between tags, unless a block or line just started."""
        if self.pending_space and self.out and self.out[-1] not in _NO_SPACE_AFTER:
            self.out.append(" ")
        self.pending_space = False

    def _image(self, src: str | None) -> None:
        hosted = self.images.get(src or "")
        if hosted is None or not hosted.url or self.image_count >= self.max_images:
            return  # not uploaded to TikTok (or over the limit): TikTok would refuse it
        self.image_count += 1
        width, height = hosted.width or 0, hosted.height or 0
        url = hosted.url.replace('"', "%22")
        self.out.append(f'<img src="{url}" width="{width}" height="{height}">')

    def result(self) -> str:
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        joined = "".join(self.out)
        return re.sub(r"<p>\s*</p>", "", joined).strip()


def sanitize_description(
    body_html: str | None, images: Mapping[str, UploadedImage] | None = None, max_images: int = 30
) -> str:
    """TikTok-safe description HTML from Shopify `body_html` (empty string when nothing is left).

    `images` maps Shopify image URLs to their TikTok upload; other `<img>`s are dropped.
    `<` and `>` in text become ‹ › so the text needs no entity (entities are refused).
    """
    if not body_html:
        return ""
    parser = _Sanitizer(images or {}, max_images)
    parser.feed(body_html)
    parser.close()
    return parser.result()
