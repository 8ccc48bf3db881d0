"""What a page needs to render (``crawler/requisites.py``), read from hostile HTML and CSS; requisite hosts in
profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.profiles import ProfileError, SiteProfile
from crawler.requisites import (
    FONT,
    ICON,
    IMAGE,
    MAX_PER_DOCUMENT,
    SCRIPT,
    STYLESHEET,
    Requisite,
    css_requisites,
    is_private_host,
    page_requisites,
    srcset_urls,
)

PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/a.css"><link rel="Shortcut Icon" href="/favicon.ico">
<link rel="preload" as="font" href="https://cdn.example/f.woff2"><link rel="alternate" href="/feed/">
<script src="/app.js"></script><script>var inline = 1;</script>
<style>body { background: url('/bg.png') }</style></head><body>
<img src="/one.png" srcset="/one.png 1x, /one@2x.png 2x">
<picture><source media="(min-width: 800px)" srcset="https://cdn.example/big.webp 800w, data:image/png;base64,AA">
<img data-src="/lazy.png" data-srcset="/lazy-480.png 480w" src="data:image/gif;base64,R0lG"></picture>
<div style="background-image: url(&quot;/div.jpg&quot;)"></div><a href="/not-a-requisite.html">lien</a>
<video poster="/poster.jpg"><source src="/clip.mp4"></video><img src="#frag"><img src="/one.png#x">
</body></html>"""


def test_page_requisites_in_document_order_each_once() -> None:
    found = page_requisites(PAGE.encode(), "http://site.example/tech/article.html")
    assert found == [
        Requisite("http://site.example/a.css", STYLESHEET), Requisite("http://site.example/favicon.ico", ICON),
        Requisite("https://cdn.example/f.woff2", FONT), Requisite("http://site.example/app.js", SCRIPT),
        Requisite("http://site.example/one.png", IMAGE), Requisite("http://site.example/one@2x.png", IMAGE),
        Requisite("https://cdn.example/big.webp", IMAGE), Requisite("http://site.example/lazy.png", IMAGE),
        Requisite("http://site.example/lazy-480.png", IMAGE), Requisite("http://site.example/poster.jpg", IMAGE),
        Requisite("http://site.example/div.jpg", IMAGE), Requisite("http://site.example/bg.png", IMAGE),
    ]


def test_base_href_and_bounds() -> None:
    page = '<html><head><base href="https://cdn.example/x/"></head><body><img src="a.png"></body></html>'
    assert page_requisites(page, "http://site.example/") == [Requisite("https://cdn.example/x/a.png", IMAGE)]
    many = "<html><body>" + "".join(f'<img src="/{i}.png">' for i in range(5000)) + "</body></html>"
    assert len(page_requisites(many, "http://site.example/")) == MAX_PER_DOCUMENT
    assert page_requisites(b"", "http://site.example/") == []
    assert page_requisites(b"\x00\xff not html", "http://site.example/") == []
    long_url = '<img src="/' + "a" * 5000 + '.png">'
    assert page_requisites(f"<html><body>{long_url}</body></html>", "http://site.example/") == []


def test_css_imports_fonts_and_images_resolve_against_the_sheet() -> None:
    css = """@import url("https://cdn.example/fonts.css"); @import 'print.css' print;
    @font-face { src: url(f/display.woff2) format("woff2"), url('f/display.ttf'); }
    h1 { background: url( "../img/h.png" ) } .x { background: url(data:image/png;base64,AAAA) }"""
    assert css_requisites(css, "http://site.example/assets/site.css") == [
        Requisite("https://cdn.example/fonts.css", STYLESHEET), Requisite("http://site.example/assets/print.css",
                                                                        STYLESHEET),
        Requisite("http://site.example/assets/f/display.woff2", FONT),
        Requisite("http://site.example/assets/f/display.ttf", FONT), Requisite("http://site.example/img/h.png", IMAGE),
    ]


def test_srcset() -> None:
    assert srcset_urls(" a.png 480w,b.png  960w , ,c.png") == ["a.png", "b.png", "c.png"]


@pytest.mark.parametrize(("host", "private"), [
    ("127.0.0.1:8000", True), ("localhost", True), ("a.localhost:80", True), ("169.254.169.254", True),
    ("10.1.2.3", True), ("192.168.0.1:443", True), ("0.0.0.0", True), ("[::1]", True), ("224.0.0.1", True),
    ("c0.lestechnophiles.com", False), ("93.184.216.34:8080", False)])
def test_private_hosts(host: str, private: bool) -> None:
    assert is_private_host(host) is private


@pytest.mark.parametrize("host", ["169.254.169.254", "127.0.0.1:9", "localhost"])
def test_a_profile_may_not_name_a_private_requisite_host(host: str, tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(f'name = "site"\nroot = "https://www.site.example"\nallowed_hosts = ["www.site.example"]\n'
                    f'[urls]\narticle = ["^/a/"]\n[requisites]\nhosts = ["{host}"]\n')
    with pytest.raises(ProfileError, match=r"requisites\.hosts: \[0\]: .* is loopback, link-local or private"):
        SiteProfile.from_file(path)
    path.write_text(path.read_text().replace(host, "cdn.site.example"))
    profile = SiteProfile.from_file(path)
    assert profile.requisite_scope == {"www.site.example", "cdn.site.example"}
    assert profile.with_cdn_root("http://127.0.0.1:8002").requisite_scope == {"www.site.example", "127.0.0.1:8002"}
