"""decode_html, byte by byte: what each declaration, BOM and invalid byte run gives (the pages of a real crawl
are in tests/test_hostile_units.py)."""

from __future__ import annotations

import pytest

from archive.text.charset import decode_html

PHRASE = "L’économie du cloud souverain : 150 millions d’€"


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", None])
def test_valid_utf8_decodes_exactly(content_type):
    assert decode_html(PHRASE.encode("utf-8"), content_type) == PHRASE


def test_a_cp1252_page_declared_utf8_reads_as_cp1252_run_by_run():
    body = "Déjà ".encode() + PHRASE.encode("cp1252") + " — fin".encode()
    assert decode_html(body, "text/html; charset=utf-8") == "Déjà " + PHRASE + " — fin"


def test_bytes_cp1252_leaves_undefined_become_replacement_characters():
    # 0x81 is neither UTF-8 nor Windows-1252: one U+FFFD, the words around it intact.
    assert decode_html(b"caf\x81 cr\xe8me", "text/html; charset=utf-8") == "caf\ufffd crème"


def test_a_bom_wins_over_the_declaration_and_invalid_bytes_after_it_are_replaced():
    assert decode_html(b"\xef\xbb\xbf" + PHRASE.encode("utf-8"), "text/html; charset=iso-8859-1") == PHRASE
    assert decode_html(b"\xef\xbb\xbfok \xff", "text/html; charset=utf-8") == "ok \ufffd"
    assert decode_html(b"\xff\xfe" + "été".encode("utf-16-le"), None) == "été"


def test_the_content_type_charset_is_read():
    body = "Привет, облако".encode("koi8-r")
    assert decode_html(body, "text/html; charset=koi8-r") == "Привет, облако"
    assert decode_html(b"<meta charset='koi8-r'>" + body, None) == "<meta charset='koi8-r'>Привет, облако"


def test_a_single_byte_declaration_over_valid_utf8_reads_utf8():
    assert decode_html(PHRASE.encode("utf-8"), "text/html; charset=iso-8859-1") == PHRASE
    assert decode_html(PHRASE.encode("utf-8"), "text/html; charset=windows-1252") == PHRASE
    assert decode_html("€uro".encode("iso-8859-15"), "text/html; charset=iso-8859-15") == "€uro"


def test_a_single_byte_declaration_over_invalid_utf8_keeps_the_declared_encoding():
    assert decode_html("crème brûlée".encode("latin-1"), "text/html; charset=iso-8859-1") == "crème brûlée"


def test_other_declarations_are_not_second_guessed_as_utf8():
    # Valid UTF-8 bytes, declared KOI8-R: read as KOI8-R (only single-byte Western declarations are doubted).
    assert decode_html("é".encode(), "text/html; charset=koi8-r") == "é".encode().decode("koi8-r")
