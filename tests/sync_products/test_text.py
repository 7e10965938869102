"""Title clean-up and the description sanitizer (TikTok's safe HTML subset)."""

from __future__ import annotations

import random

from ecomsend.sync.products.text import (
    clean_text,
    has_han,
    html_text,
    only_symbols,
    repeated_run,
    sanitize_description,
)
from ecomsend.sync.products.types import UploadedImage


def test_clean_text_removes_what_tiktok_refuses() -> None:
    assert clean_text("Tee &amp; Cap&nbsp;Set") == "Tee & Cap Set"
    assert clean_text("Party 🎉 Hat 🇺🇸 ❤️") == "Party Hat"
    assert clean_text("Bell\x07 \x00Boot") == "Bell Boot"
    assert clean_text("  a\n\tb  ") == "a b"
    assert clean_text("Wow!!!!!!!!!!!! ==========") == "Wow!!! ==="
    assert clean_text("Line ========") == "Line ========"  # 8 in a row is allowed
    assert clean_text(None) == ""
    assert clean_text("Café – “crème” 日本") == "Café – “crème” 日本"


def test_format_checks() -> None:
    assert only_symbols("!!! ///")
    assert not only_symbols("A!")
    assert not only_symbols("")
    assert repeated_run("aaaaaaaaa") == "aaaaaaaaa"
    assert repeated_run("aaaaaaaa") is None
    assert repeated_run("1000000000 units") == "000000000"
    assert has_han("纯棉T恤")
    assert not has_han("Tシャツ")  # katakana is not Han
    assert not has_han("Crème brûlée")


def test_description_keeps_the_safe_subset_and_drops_attributes() -> None:
    html = ('<div class="x"><p style="color:red">Hello &amp; <b>bold</b> <em>it</em></p>'
            '<h2 id="h">Care</h2><ul><li>One</li><li>Two</li></ul><br/><u>u</u></div>')
    assert sanitize_description(html) == (
        "<p>Hello & <b>bold</b> <em>it</em></p><h2>Care</h2><ul><li>One</li><li>Two</li></ul>"
        "<br><p><u>u</u></p>"
    )


def test_description_drops_scripts_styles_and_media() -> None:
    html = ("<p>Hi</p><script>alert('x')</script><style>p{}</style><iframe src=x>y</iframe>"
            "<p>Bye</p>")
    assert sanitize_description(html) == "<p>Hi</p><p>Bye</p>"


def test_description_flattens_nesting_and_balances_tags() -> None:
    html = "<ul><li>A<ul><li>A1</li></ul></li><li>B</ul><p>open <b>bold"
    assert sanitize_description(html) == (
        "<ul><li>A</li><li>A1</li><li>B</li></ul><p>open <b>bold</b></p>"
    )
    assert sanitize_description("<li>stray item</li>") == "<p>stray item</p>"
    assert sanitize_description("<p>a<p>b") == "<p>a</p><p>b</p>"
    assert sanitize_description("</b></p>text") == "<p>text</p>"


def test_description_tables_become_paragraphs() -> None:
    html = "<table><tr><td>Size</td><td>M</td></tr></table>"
    assert sanitize_description(html) == "<p>Size</p><p>M</p>"


def test_description_images_only_when_hosted_on_tiktok() -> None:
    hosted = {"https://cdn.shopify.com/a.jpg": UploadedImage(
        uri="tos/a", url='https://p16.tiktokcdn.com/a"x.jpg', width=800, height=600)}
    html = '<p>Look</p><img src="https://cdn.shopify.com/a.jpg" alt="a"><img src="https://cdn.shopify.com/b.jpg">'
    out = sanitize_description(html, hosted)
    assert out == ('<p>Look</p>'
                   '<img src="https://p16.tiktokcdn.com/a%22x.jpg" width="800" height="600">')


def test_description_image_limit() -> None:
    hosted = {f"https://s/{i}.jpg": UploadedImage(uri=f"u{i}", url=f"https://t/{i}.jpg",
                                                 width=1, height=1) for i in range(40)}
    html = "".join(f'<img src="https://s/{i}.jpg">' for i in range(40))
    assert sanitize_description(html, hosted, max_images=30).count("<img") == 30


def test_description_text_has_no_entities_or_emoji() -> None:
    out = sanitize_description("<p>5 &lt; 6 &gt; 4 &nbsp;😀 fish &amp; chips</p>")
    assert out == "<p>5 ‹ 6 › 4 fish & chips</p>"
    assert "&" not in out.replace("& chips", "")


def test_description_empty_inputs() -> None:
    assert sanitize_description(None) == ""
    assert sanitize_description("   ") == ""
    assert sanitize_description("<p> </p><div></div>") == ""
    assert html_text("<p>a</p><p>b</p>").split() == ["a", "b"]


def test_sanitizer_output_is_balanced_on_generated_html() -> None:
    rng = random.Random(7)
    tags = ["p", "div", "b", "i", "ul", "ol", "li", "h2", "span", "table", "td", "script", "em"]
    allowed = {"p", "b", "i", "ul", "ol", "li", "h2", "em", "strong", "u"}
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 25)):
            tag = rng.choice(tags)
            parts.append(rng.choice([f"<{tag}>", f"</{tag}>", "text", " ", "&amp;"]))
        out = sanitize_description("".join(parts))
        stack: list[str] = []
        for closing, name in __import__("re").findall(r"<(/?)([a-z0-9]+)[^>]*>", out):
            if name in ("br", "img"):
                continue
            assert name in allowed, out
            if closing:
                assert stack and stack.pop() == name, out
            else:
                assert name != "p" or "p" not in stack, out  # no nested paragraphs
                stack.append(name)
        assert not stack, out
