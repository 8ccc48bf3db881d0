"""Decoding of HTML bytes to text that stays readable when the page lies about its encoding.

w3lib's ``html_to_unicode`` picks the encoding (Content-Type charset, then BOM, then ``<meta>``, else UTF-8);
here a BOM wins over every declaration (as in browsers), a UTF-8 decoding falls back to Windows-1252 for each
byte run that is not valid UTF-8 (a Windows-1252 page declared UTF-8, or one paragraph pasted from one), and a
page declared Latin-1 or Windows-1252 whose bytes are valid multi-byte UTF-8 is read as UTF-8. A valid UTF-8
page decodes exactly as before. The raw bytes are never changed: this only affects the extracted text.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_to_unicode, read_bom

_FALLBACK = "souverain-utf8-cp1252"
_SINGLE_BYTE = frozenset({"cp1252", "iso8859-1", "iso8859-15"})


def _cp1252_run(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as Windows-1252 (its five undefined bytes as U+FFFD)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start:error.end]
    return chunk.decode("cp1252", errors="replace"), error.end


codecs.register_error(_FALLBACK, _cp1252_run)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML page to text.

    Args:
        body: the page bytes (content-encoding already removed).
        content_type: the ``Content-Type`` header, if any.

    Returns:
        The page as text, without a BOM.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom is not None:
        return body[len(bom):].decode(bom_encoding, errors="replace")
    encoding, text = html_to_unicode(content_type, body)
    name = codecs.lookup(encoding).name
    if name == "utf-8":
        return body.decode("utf-8", errors=_FALLBACK)
    if name in _SINGLE_BYTE and not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return text
    return text
