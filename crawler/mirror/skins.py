"""Skins of the mirror: the same corpus under other markup, file names and slugs, with the same public URLs.

The profiles (``crawler/profiles/*.toml``) were written against the ``default`` skin, which is the markup of
``clubic.py`` and ``numerama.py`` and stays byte for byte what it was. Every other skin changes, on both sites,
everything a profile rule relies on while keeping the URL structure of the real sites (article paths,
``/tag/{slug}/``, search, feeds, robots.txt ``Sitemap:`` line to the same index):

- listing markup (tag, search, home, section and author pages): other elements and classes;
- related links: other markup, wording and place (after the article, in the middle of the body, inline);
- sitemaps: children named by ``SitemapLayout.posts`` (numbered files, Yoast-style or not, yearly or monthly
  files) with other densities than the default skin's, plus plainly-non-post children (``page-``, ``category-``,
  ``tag-``, ``author-sitemap.xml``);
- pagination of listings: ``<link rel="next">`` only, a "Page suivante" link, or bare page numbers; ``/page/N/``
  paths or a ``?page=N`` query (Clubic's multi-page articles keep their "Page suivante" links, as on the real site);
- boilerplate inside the article body (Numerama+ ``premium-promo-alert``, Clubic's newsletter or "À découvrir
  également" block) with article paragraphs after it, and more after the article;
- metadata: JSON-LD only, ``<meta>`` only, or microdata only;
- site-wide links: some skins put a "Les plus lus" box of article links on every page;
- slugs: every third on-topic article (not reserved to related links) gets a slug that does not name the topic
  (``topic_free_slug``), while it stays on its tag pages, search results and feeds.

A skin is data (this module); ``skinned`` renders it. ``build_corpus(..., skin=NAME)`` applies its slugs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.mirror.corpus import Article, Corpus

SKIN_NAMES = ("default", "cards", "river", "compact")

# Slug words that name the cloud souverain story (folded); a slug without any of them says nothing of the topic.
TOPIC_WORDS = frozenset(
    "cloud clouds souverain souveraine souverains souveraines souverainete numergy cloudwatt andromede secnumcloud "
    "s3ns gaia ovh ovhcloud outscale bleu confiance hebergeur hebergement".split()
)
# Appended to a topic-free slug left with fewer than three words (what editors write when the title is all names).
NEUTRAL_TAILS = ("ce-quil-faut-savoir", "le-point-sur-le-dossier", "les-coulisses-dun-choix",
                 "ce-qui-change-vraiment", "retour-sur-un-dossier", "les-questions-qui-restent")


@dataclass(frozen=True)
class SitemapLayout:
    """How a site's post sitemaps are named and filled.

    ``posts`` names the files: with ``{n}`` numbered files of ``per_file`` posts, least recently modified first
    (``yoast``: the first one without a number); with ``{year}`` one file a year, with ``{year}`` and ``{month}``
    one a month (posts by publication date). The index also lists ``page-``, ``category-``, ``tag-`` and
    ``author-sitemap.xml``.
    """

    posts: str
    per_file: int = 0
    yoast: bool = False


@dataclass(frozen=True)
class SiteSkin:
    """What a skin does on one site."""

    page_urls: str                 # "path": /tag/x/page/2/, "query": /tag/x/?page=2
    related_heading: str
    middle: tuple[str, ...]        # BLOCKS inserted in the middle of the article body
    after: tuple[str, ...]         # BLOCKS after the article
    sitemaps: SitemapLayout


@dataclass(frozen=True)
class Skin:
    """A whole skin: templates shared by both sites, and what differs per site."""

    name: str
    css: str                       # class prefix of the page chrome
    listing_wrap: str              # {heading}, {entries}
    listing_entry: str             # {href}, {title}, {snippet}, {iso}, {date}
    listing_empty: str
    pager: str                     # "rel-next", "text" or "numbers"
    metadata: str                  # "jsonld", "meta" or "itemprop"
    related: str                   # "after", "middle" or "inline"
    related_wrap: str              # {heading}, {links}
    related_link: str              # {href}, {title}, {date} (day of publication), {heading}
    slug_offset: int               # which on-topic articles (every third from this one) get topic-free slugs
    popular: bool                  # a "Les plus lus" box of article links on every page (site-wide links)
    sites: dict[str, SiteSkin]


# Boilerplate blocks, by name. {root} is the site root, {url} the page URL, {ncom} its number of comments.
BLOCKS = {
    "numerama_plus": (
        '<div class="premium-promo-alert"><p class="premium-promo-alert__title">+ rapide, + pratique, + exclusif</p>'
        "<p>Zéro publicité, lecture sans distraction, résumés des articles et contenus réservés aux membres : "
        "c'est ce que propose Numerama+.</p>"
        "<p>Vous avez lu 0 articles sur Numerama ce mois-ci.</p>"
        "<p>Notre rédaction reste ouverte à tous, parce que l'information ne devrait pas dépendre des moyens de "
        "chacun. Si vous le pouvez, soutenez-la :</p>"
        "<ul><li>un site plus léger et plus rapide ;</li><li>des outils de lecture pensés pour vous ;</li>"
        "<li>une rédaction indépendante qui enquête dans la durée.</li></ul>"
        '<p><a class="premium-promo-alert__cta" href="{root}/numerama-plus/">Découvrir Numerama+</a></p></div>'
    ),
    "numerama_share": (
        '<div class="share-bar"><p>Partager sur les réseaux sociaux</p>'
        '<a href="https://www.linkedin.com/shareArticle?mini=true&amp;url={url}">LinkedIn</a> '
        '<a href="https://bsky.app/intent/compose?text={url}">Bluesky</a></div>'
    ),
    "numerama_follow": (
        '<p class="follow-line">Si vous avez aimé cet article, retrouvez les suivants sur Google Actualités : '
        "suivez Numerama pour ne rien manquer.</p>"
    ),
    "clubic_newsletter": (
        '<div class="nl-box"><p class="nl-box__title">Abonnez-vous à notre newsletter !</p>'
        "<p>Chaque matin, l'essentiel de l'actualité high-tech dans votre boîte mail.</p>"
        '<form class="nl-box__form"><input type="email" name="email" placeholder="Adresse e-mail" />'
        '<button type="submit">Je m\'inscris</button></form>'
        "<p>Vous pouvez vous désinscrire à tout moment depuis chaque envoi.</p></div>"
    ),
    "clubic_community": (
        '<div class="club-box"><p>Rejoignez la communauté Clubic</p>'
        "<p>Des milliers de passionnés échangent chaque jour sur nos forums : posez vos questions, partagez vos "
        "trouvailles et débattez de l'actualité.</p></div>"
    ),
    "clubic_follow": (
        '<div class="follow-box"><p>Vous êtes un utilisateur de Google Actualités ou de WhatsApp ?</p>'
        "<p>Ajoutez Clubic à vos sources pour suivre l'actualité tech au quotidien.</p></div>"
    ),
    "clubic_comments": '<div class="talk"><p class="talk__count">Commentaires ({ncom})</p></div>',
    "clubic_trust": (
        '<p class="trust-note">Cet article contient des liens d\'affiliation : Clubic peut percevoir une commission. '
        'Lire <a href="/clubic/dossier-369336-a-propos-.html">la charte de confiance</a>.</p>'
    ),
}

SKINS = {
    "cards": Skin(
        name="cards", css="cards",
        listing_wrap='<main class="cards-main"><h1 class="cards-heading">{heading}</h1>\n'
                     '<section class="card-grid">\n{entries}</section></main>\n',
        listing_entry='<div class="card"><a class="card__link" href="{href}"><span class="card__title">{title}</span>'
                      '</a><p class="card__summary">{snippet}</p><span class="card__meta"><time datetime="{iso}">'
                      "{date}</time></span></div>\n",
        listing_empty='<p class="card-grid__empty">Rien à afficher pour le moment.</p>\n',
        pager="rel-next", metadata="jsonld", related="after",
        related_wrap='<aside class="read-more"><h2 class="read-more__title">{heading}</h2><ul>{links}</ul></aside>\n',
        related_link='<li class="read-more__item"><a href="{href}">{title}</a></li>',
        slug_offset=0, popular=True,
        sites={
            "clubic": SiteSkin("query", "Sur le même sujet", ("clubic_newsletter",),
                               ("clubic_trust", "clubic_follow", "clubic_comments", "clubic_community"),
                               SitemapLayout("/post-sitemap{n}.xml", 40, yoast=True)),
            "numerama": SiteSkin("path", "Sur le même sujet", ("numerama_plus",),
                                 ("numerama_share", "numerama_follow"), SitemapLayout("/sitemap-{year}.xml")),
        },
    ),
    "river": Skin(
        name="river", css="river",
        listing_wrap='<div class="river-page"><h1 class="river-page__title">{heading}</h1>\n'
                     '<ol class="stream">\n{entries}</ol></div>\n',
        listing_entry='<li class="stream-item"><h3 class="stream-item__headline"><a href="{href}">{title}</a></h3>'
                      '<div class="stream-item__lede">{snippet}</div>'
                      '<span class="stream-item__when" data-published="{iso}">{date}</span></li>\n',
        listing_empty='<li class="stream-item stream-item--empty">Aucun article trouvé.</li>\n',
        pager="text", metadata="meta", related="middle",
        related_wrap='<aside class="river-related"><p class="river-related__title">{heading}</p>'
                     "<ul>{links}</ul></aside>\n",
        related_link='<li><a href="{href}" class="river-related__link">{title}</a></li>',
        slug_offset=1, popular=True,
        sites={
            "clubic": SiteSkin("path", "À découvrir également", (),
                               ("clubic_follow", "clubic_newsletter", "clubic_comments", "clubic_community"),
                               SitemapLayout("/sitemap-{year}.xml")),
            "numerama": SiteSkin("query", "À lire aussi", ("numerama_plus",), ("numerama_share",),
                                 SitemapLayout("/sitemap-posts-{year}-{month}.xml")),
        },
    ),
    "compact": Skin(
        name="compact", css="cmp",
        listing_wrap='<div id="archive"><h1>{heading}</h1>\n<dl class="archive-list">\n{entries}</dl></div>\n',
        listing_entry='<dt><a href="{href}">{title}</a></dt><dd>{snippet} <em class="when">{date}</em></dd>\n',
        listing_empty="<dt>Aucun résultat</dt>\n",
        pager="numbers", metadata="itemprop", related="inline",
        related_wrap="{links}",
        related_link='<p class="see-also">{heading} : <a href="{href}">notre article du {date}</a></p>',
        slug_offset=2, popular=False,
        sites={
            "clubic": SiteSkin("query", "Sur le même sujet", ("clubic_newsletter", "clubic_community"),
                               ("clubic_comments", "clubic_trust"), SitemapLayout("/sitemap-articles-{n}.xml", 30)),
            "numerama": SiteSkin("path", "Lire aussi", ("numerama_plus",), ("numerama_follow", "numerama_share"),
                                 SitemapLayout("/article-sitemap{n}.xml", 25, yoast=True)),
        },
    ),
}


def get_skin(name: str) -> Skin | None:
    """Return a skin by name.

    Args:
        name: one of SKIN_NAMES.

    Returns:
        The skin, or None for "default" (the markup of ``clubic.py`` and ``numerama.py``).

    Raises:
        ValueError: unknown skin name.
    """
    if name == "default":
        return None
    if name not in SKINS:
        raise ValueError(f"unknown skin {name!r} (known: {', '.join(SKIN_NAMES)})")
    return SKINS[name]


def slug_names_topic(slug: str) -> bool:
    """Tell whether a slug holds a word of the topic.

    Args:
        slug: a URL slug (dash-separated, folded).

    Returns:
        True when one of TOPIC_WORDS is among its words.
    """
    return any(word in TOPIC_WORDS for word in re.split(r"[^a-z0-9]+", slug))


def topic_free_slug(article: Article) -> str:
    """A slug for an article that keeps the site's style but none of the topic's words.

    Args:
        article: the article (its title and site).

    Returns:
        The title's slug without TOPIC_WORDS, with a neutral tail when fewer than three words are left.
    """
    from crawler.mirror.corpus import CLUBIC_STOPWORDS, slugify  # deferred: corpus imports this module

    title = slugify(article.title, drop_apostrophes=article.site == "numerama").split("-")
    gone = [w in TOPIC_WORDS or w == "x" for w in title]
    # A small word beside a removed name goes with it ("les-debuts-difficiles-de-et" reads as a cut).
    words = [w for i, w in enumerate(title) if not gone[i] and not (
        w in CLUBIC_STOPWORDS and ((i > 0 and gone[i - 1]) or (i + 1 < len(title) and gone[i + 1])))]
    if article.site == "clubic":
        words = [w for w in words if w not in CLUBIC_STOPWORDS][:6]
    if len(words) < 3:
        words += NEUTRAL_TAILS[article.index % len(NEUTRAL_TAILS)].split("-")
    return "-".join(words)


def apply_slugs(corpus: Corpus, skin: Skin) -> None:
    """Give every third on-topic article (from ``skin.slug_offset``) a topic-free slug.

    Articles reserved to related links keep theirs: a topic-free slug is only fair where a listing, a search
    or a feed still shows the article (so a crawler that reads where a link was found can find it). The pick
    follows publication order, so a later edition keeps the slugs of the articles it shares with the first.

    Args:
        corpus: the corpus (slugs changed in place; index it again afterwards).
        skin: the skin.
    """
    eligible = [a for a in corpus.articles if a.on_topic and a.exclusive != "related"]
    for position, article in enumerate(eligible):
        if position % 3 == skin.slug_offset:
            article.slug = topic_free_slug(article)
