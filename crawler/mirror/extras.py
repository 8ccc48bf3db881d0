"""Extra sitemaps of Numerama: a synthetic set of off-topic post URLs, as many as a real site's sitemaps offer.

``--extra-sitemap-urls N`` adds N post URLs to Numerama's sitemap index, ``PER_FILE`` a file (the sitemap
protocol's limit), in ``/post-sitemapK.xml`` files numbered after the real ones. Each file is computed when it is
asked for, from its number alone: the set costs nothing until read. The URLs look like posts (``/{section}/{id}-
{slug}.html``, ids above the real ones), their slugs name nothing of the topic, and their pages answer 404: they
exist to be offered to the frontier, as the hundreds of thousands of old posts of a real site are.
"""

from __future__ import annotations

import datetime as dt

from crawler.mirror.corpus import NUMERAMA_SECTIONS, PARIS

PER_FILE = 50_000
MAX_URLS = 10_000_000
FIRST_ID = 3_000_000  # above every post id of the corpus (Numerama's reach 2.23 million)
_START = dt.datetime(2016, 1, 1, 8, 0, tzinfo=PARIS)
_SECTIONS = tuple(NUMERAMA_SECTIONS)
_WORDS = ("essai", "smartphone", "console", "serie", "film", "fusee", "trottinette", "batterie", "ecran", "jeu",
          "photo", "velo", "montre", "casque", "tablette", "satellite", "voiture", "musique", "episode", "bande")

Entry = tuple[str, dt.datetime]  # URL path and lastmod, as in ``feeds``


def extra_files(count: int, after: int) -> list[Entry]:
    """Return the extra sitemaps of the index, with their lastmod.

    Args:
        count: the number of extra URLs.
        after: the number of Numerama's real post sitemaps (the extra ones are numbered after them).

    Returns:
        One ``/post-sitemapK.xml`` per ``PER_FILE`` URLs.
    """
    files = -(-count // PER_FILE)
    return [(f"/post-sitemap{after + 1 + k}.xml", _lastmod(min(count, (k + 1) * PER_FILE) - 1)) for k in range(files)]


def extra_entries(count: int, after: int, path: str) -> list[Entry] | None:
    """Return the URLs of one extra sitemap, or None when ``path`` is none of them.

    Args:
        count: the number of extra URLs.
        after: the number of Numerama's real post sitemaps.
        path: the sitemap's path.

    Returns:
        Its URL paths with their lastmod, oldest first.
    """
    number = path.removeprefix("/post-sitemap").removesuffix(".xml")
    if not number.isdigit() or not path.endswith(".xml") or int(number) <= after:
        return None
    first = (int(number) - after - 1) * PER_FILE
    if first >= count:
        return None
    return [(_path(i), _lastmod(i)) for i in range(first, min(count, first + PER_FILE))]


def _path(i: int) -> str:
    """URL path of extra post ``i``: a section, an id, an off-topic slug of three words."""
    n = len(_WORDS)
    slug = f"{_WORDS[i % n]}-{_WORDS[i // n % n]}-{_WORDS[i // n // n % n]}-{i % 97}"
    return f"/{_SECTIONS[i % len(_SECTIONS)]}/{FIRST_ID + i}-{slug}.html"


def _lastmod(i: int) -> dt.datetime:
    """Lastmod of extra post ``i``: one every five minutes from 2016 on."""
    return _START + dt.timedelta(minutes=5 * i)
