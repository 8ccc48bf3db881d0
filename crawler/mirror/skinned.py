"""HTML pages of both sites under a skin (``skins``): one renderer, the skin and the site as data.

``SkinPages(skin, site, corpus, root)`` renders article, listing and 404 pages; ``listing_document`` also renders
listings that are not made of corpus articles (the hostile corpus's listing). The site gives the brand, the nav,
whether links are absolute (Numerama) or relative (Clubic) and its author URLs; the skin gives every element and
class, the place of the related links and of the boilerplate, the pagination and the metadata.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crawler.mirror import clubic, numerama
from crawler.mirror.corpus import NUMERAMA_SECTIONS, Article, Corpus, slugify
from crawler.mirror.markup import Listing, esc, french_date, json_ld, token
from crawler.mirror.skins import BLOCKS, Skin

POPULAR_SIZE = 5


@dataclass(frozen=True)
class Brand:
    """What a site keeps under every skin."""

    name: str
    lang: str
    absolute: bool                       # links carry the root (WordPress) or not
    feed: str
    nav: tuple[tuple[str, str], ...]


BRANDS = {
    "clubic": Brand("Clubic", "fr", False, "/feed/news.rss", clubic.NAV),
    "numerama": Brand("Numerama", "fr-FR", True, "/feed/",
                      tuple((f"/{slug}/", name) for slug, name in NUMERAMA_SECTIONS.items())),
}


@dataclass(frozen=True)
class ListEntry:
    """One entry of a listing: link (absolute or as the site writes it), title, snippet, publication date."""

    href: str
    title: str
    snippet: str
    published: dt.datetime


def _entry_html(skin: Skin, entry: ListEntry) -> str:
    return skin.listing_entry.format(href=esc(entry.href), title=esc(entry.title), snippet=esc(entry.snippet),
                                     iso=entry.published.isoformat(), date=french_date(entry.published))


def _head(skin: Skin, brand: Brand, root: str, title: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{brand.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n{extra}'
        f'<link rel="alternate" type="application/rss+xml" title="{brand.name}" href="{root if brand.absolute else ""}'
        f'{brand.feed}">\n<link rel="stylesheet" href="/assets/{skin.css}.css">\n</head>\n'
    )


def _top(skin: Skin, brand: Brand, root: str) -> str:
    base = root if brand.absolute else ""
    nav = "".join(f'<li class="{skin.css}-nav__item"><a href="{base}{href}">{esc(label)}</a></li>'
                  for href, label in brand.nav)
    return (
        f'<body class="{skin.css}">\n<div class="{skin.css}-consent" role="dialog"><p>{brand.name} utilise des '
        "traceurs pour mesurer l'audience et financer le site par la publicité. Vous pouvez les accepter ou les "
        f'refuser.</p><button>Tout accepter</button> <button>Tout refuser</button></div>\n'
        f'<header class="{skin.css}-header"><a class="{skin.css}-logo" href="{base}/">{brand.name}</a>\n'
        f'<nav class="{skin.css}-nav"><ul>{nav}</ul></nav></header>\n<div class="{skin.css}-page">\n'
    )


def _bottom(skin: Skin, brand: Brand, root: str, popular: tuple[ListEntry, ...]) -> str:
    box = ""
    if popular:
        links = "".join(f'<li><a href="{esc(e.href)}">{esc(e.title)}</a></li>' for e in popular)
        box = f'<aside class="{skin.css}-popular"><p>Les plus lus</p><ol>{links}</ol></aside>\n'
    base = root if brand.absolute else ""
    return (
        f'{box}</div>\n<footer class="{skin.css}-footer"><a href="{base}/mentions-legales/">Mentions légales</a> '
        f'<a href="{base}{brand.feed}">Flux RSS</a> <span>© {brand.name} 2026</span></footer>\n</body>\n</html>\n'
    )


def _pager_links(skin: Skin, listing: Listing[ListEntry]) -> tuple[str, str]:
    """The listing's pagination: (elements for <head>, elements for the page)."""
    head, body = "", ""
    if skin.pager == "rel-next":
        if listing.prev_url:
            head += f'<link rel="prev" href="{esc(listing.prev_url)}">\n'
        if listing.next_url:
            head += f'<link rel="next" href="{esc(listing.next_url)}">\n'
            body = f'<div class="{skin.css}-more"><button type="button">Afficher plus d\'articles</button></div>\n'
    elif skin.pager == "text":
        links = []
        if listing.prev_url:
            links.append(f'<a class="{skin.css}-pager__back" href="{esc(listing.prev_url)}">Page précédente</a>')
        if listing.next_url:
            links.append(f'<a class="{skin.css}-pager__on" href="{esc(listing.next_url)}">Page suivante</a>')
        body = f'<div class="{skin.css}-pager">{" ".join(links)}</div>\n' if links else ""
    elif listing.pages > 1:
        shown = sorted({1, listing.pages, *range(max(1, listing.page - 2), min(listing.pages, listing.page + 2) + 1)})
        numbers = []
        for previous, n in zip([0, *shown], shown, strict=False):
            if n > previous + 1:
                numbers.append("<span>…</span>")
            numbers.append(f"<b>{n}</b>" if n == listing.page else f'<a href="{esc(listing.page_urls[n - 1])}">{n}</a>')
        body = f'<div class="{skin.css}-pages">{" ".join(numbers)}</div>\n'
    return head, body


def listing_document(skin: Skin, site: str, root: str, listing: Listing[ListEntry],
                     popular: tuple[ListEntry, ...] = ()) -> str:
    """Render a listing page.

    Args:
        skin: the skin.
        site: "clubic" or "numerama".
        root: site root.
        listing: heading, entries (``ListEntry``), page links (``page_urls`` for numbered pagers).
        popular: links of the "Les plus lus" box (empty: no box).

    Returns:
        The HTML document.
    """
    brand = BRANDS[site]
    head_links, pager = _pager_links(skin, listing)
    entries = "".join(_entry_html(skin, e) for e in listing.entries) or skin.listing_empty
    return (_head(skin, brand, root, f"{listing.heading} - {brand.name}", head_links) + _top(skin, brand, root)
            + skin.listing_wrap.format(heading=esc(listing.heading), entries=entries) + pager
            + _bottom(skin, brand, root, popular))


class SkinPages:
    """Article, listing and 404 pages of one site under a skin."""

    def __init__(self, skin: Skin, site: str, corpus: Corpus, root: str) -> None:
        """Prepare the site's chrome.

        Args:
            skin: the skin.
            site: "clubic" or "numerama".
            corpus: the corpus served (related links, the "Les plus lus" box).
            root: site root.
        """
        self.skin = skin
        self.site = site
        self.style = skin.sites[site]
        self.brand = BRANDS[site]
        self.corpus = corpus
        self.root = root
        self.base = root if self.brand.absolute else ""
        # Articles of the first edition, so a later edition does not change every page of the site.
        stable = [a for a in corpus.listed(site, "feed") if a.change != "new"]
        self.popular = tuple(self.entry(a) for a in stable[3: 3 + POPULAR_SIZE]) if skin.popular else ()

    def entry(self, article: Article) -> ListEntry:
        """The listing entry of an article."""
        return ListEntry(self.base + article.path, article.title, article.snippet, article.published)

    def listing(self, listing: Listing[Article]) -> str:
        """Render a listing whose entries are articles."""
        drawn = listing.with_entries([self.entry(a) for a in listing.entries])
        return listing_document(self.skin, self.site, self.root, drawn, self.popular)

    def not_found(self) -> str:
        """Render the 404 page."""
        skin, brand, root = self.skin, self.brand, self.root
        return (_head(skin, brand, root, f"Page introuvable - {brand.name}") + _top(skin, brand, root)
                + f'<main class="{skin.css}-error"><h1>Cette page n\'existe pas</h1>'
                  f'<p><a href="{self.base}/">Retour à l\'accueil</a></p></main>\n'
                + _bottom(skin, brand, root, self.popular))

    def _author_path(self, name: str, key: str) -> str:
        return clubic.author_path(name, key) if self.site == "clubic" else numerama.author_path(key)

    def _metadata(self, article: Article, url: str) -> str:
        """Metadata of an article in <head>, in the skin's one form (microdata goes in the page)."""
        canonical = f'<link rel="canonical" href="{esc(url)}">\n'
        if self.skin.metadata == "jsonld":
            return canonical + json_ld({
                "@context": "https://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url,
                "headline": article.title, "datePublished": article.published.isoformat(),
                "dateModified": article.modified.isoformat(),
                "author": [{"@type": "Person", "name": n} for n in article.authors],
                "articleSection": article.section_name, "keywords": list(article.tags),
                "publisher": {"@type": "Organization", "name": self.brand.name},
            }) + "\n"
        if self.skin.metadata == "meta":
            tags = "".join(f'<meta property="article:tag" content="{esc(t)}">\n' for t in article.tags)
            return canonical + (
                f'<meta property="og:title" content="{esc(article.title)} - {self.brand.name}">\n'
                f'<meta property="og:url" content="{esc(url)}">\n<meta property="og:type" content="article">\n'
                f'<meta property="og:description" content="{esc(article.snippet)}">\n'
                f'<meta property="article:published_time" content="{article.published.isoformat()}">\n'
                f'<meta property="article:modified_time" content="{article.modified.isoformat()}">\n'
                f'<meta property="article:section" content="{esc(article.section_name)}">\n{tags}'
                f'<meta name="author" content="{esc(", ".join(article.authors))}">\n'
            )
        return canonical

    def _related(self, article: Article) -> list[str]:
        """The related links, each rendered (one element per link for inline links, else one block)."""
        skin, heading = self.skin, self.style.related_heading
        links = [skin.related_link.format(href=esc(self.base + target.path), title=esc(target.title),
                                          date=french_date(target.published).split(" à ")[0], heading=heading)
                 for target in (self.corpus.articles[i] for i in article.related)]
        if skin.related == "inline":
            return links
        return [skin.related_wrap.format(heading=heading, links="".join(links))] if links else []

    def _block(self, name: str, article: Article, url: str) -> str:
        return BLOCKS[name].format(root=self.base, url=esc(url), ncom=len(article.comments))

    def _body(self, article: Article, page: int, path: str, url: str) -> str:
        """Paragraphs of one page with the related links and boilerplate placed where the skin puts them."""
        paragraphs = [f"<p>{esc(p)}</p>" for p in article.page_paragraphs(page)]
        middle = max(1, len(paragraphs) // 2)
        inserts: dict[int, list[str]] = {}
        related = self._related(article)
        if self.skin.related == "inline":
            for k, link in enumerate(related):
                inserts.setdefault(1 + k * max(1, len(paragraphs) - 1) // len(related), []).append(link)
        elif self.skin.related == "middle":
            inserts.setdefault(max(1, middle - 1) if len(paragraphs) > 2 else middle, []).extend(related)
        ad = f'<div class="{self.skin.css}-ad" data-ad-token="{token(path, "inread" + article.ad_salt)}"></div>'
        inserts.setdefault(middle, []).extend([ad, *(self._block(b, article, url) for b in self.style.middle)])
        out = []
        for i, paragraph in enumerate(paragraphs, start=1):
            out.append(paragraph)
            out.extend(inserts.get(i, ()))
        return "\n".join(out)

    def article(self, article: Article, page: int) -> str:
        """Render one page of an article.

        Args:
            article: the article.
            page: page number, from 1.

        Returns:
            The HTML document.
        """
        skin, brand, base = self.skin, self.brand, self.base
        path = article.page_paths[page - 1]
        url = self.root + path
        byline = " et ".join(f'<a href="{base}{self._author_path(n, k)}" rel="author">{esc(n)}</a>'
                             for n, k in zip(article.authors, article.author_keys, strict=False))
        if skin.metadata == "itemprop":
            opening = f'<article class="{skin.css}-story" itemscope itemtype="https://schema.org/NewsArticle">\n'
            title = f'<h1 itemprop="headline">{esc(article.title)}</h1>\n'
            when = (f'<time itemprop="datePublished" datetime="{article.published.isoformat()}">'
                    f'{french_date(article.published)}</time><meta itemprop="dateModified" '
                    f'content="{article.modified.isoformat()}">')
        else:
            opening = f'<article class="{skin.css}-story">\n'
            title = f"<h1>{esc(article.title)}</h1>\n"
            when = f'<span class="{skin.css}-date">Publié le {french_date(article.published)}</span>'
        pager = ""
        if article.pages > 1:
            links = [f'<a href="{base}{article.page_paths[page - 2]}">Page précédente</a>'] if page > 1 else []
            links.append(f"<span>{page} / {article.pages}</span>")
            if page < article.pages:
                links.append(f'<a href="{base}{article.page_paths[page]}">Page suivante</a>')
            pager = f'<div class="{skin.css}-story__pages">{" ".join(links)}</div>\n'
        tags = "".join(f'<a href="{base}/tag/{slugify(t)}/">{esc(t)}</a> ' for t in article.tags)
        after = "".join(self._block(b, article, url) + "\n" for b in self.style.after)
        related = "".join(self._related(article)) if skin.related == "after" else ""
        return (
            _head(skin, brand, self.root, f"{article.title} - {brand.name}", self._metadata(article, url))
            + _top(skin, brand, self.root)
            + f'<main class="{skin.css}-main">\n{opening}{title}'
            + f'<p class="{skin.css}-byline">{byline} · {when} · '
              f'<a href="{base}/tag/{slugify(article.tags[0])}/">{esc(article.section_name)}</a></p>\n'
            + f'<div class="{skin.css}-story__text">\n{self._body(article, page, path, url)}\n</div>\n{pager}'
            + f'<p class="{skin.css}-story__tags">{tags}</p>\n</article>\n{related}{after}</main>\n'
            + _bottom(skin, brand, self.root, self.popular)
        )
