"""Later editions of the corpus: the sites as a second, incremental crawl finds them.

Edition 1, on top of edition 0 (the picks come from their own random stream, so edition 0 never moves):

- ``text``: TEXT_CHANGES on-topic, single-page articles listed by the sitemaps get a new text: one paragraph
  after the lead is rewritten (its sentences reordered and a correction appended) and a dated update
  paragraph is added at the end; their modified date moves past every date of edition 0 (so Last-Modified,
  ETag, sitemap ``<lastmod>`` and Numerama's post-sitemap order change). Title, lead and snippet stay.
- ``chrome``: CHROME_CHANGES other such articles keep their text and dates but get new ad tokens
  (``data-ad-token``) and their related block in reverse order: their bytes and ETag change, their
  Last-Modified and extracted text do not.

Edition 2 adds NEW_ARTICLES articles (NEW_KINDS, both sites in turn) published after everything of edition 1,
one an hour: they top the feeds, home and listings, join tags, search and sitemaps (Clubic gets a new monthly
sitemap), and link to older articles of their site (no older article links to them).
"""

from __future__ import annotations

import datetime as dt
import random
import re

from crawler.mirror.corpus import PARIS, SITES, Article, Corpus
from crawler.mirror.generate import make_article
from crawler.mirror.listings import assign_channels, index_listings
from crawler.mirror.markup import french_date

TEXT_CHANGES = 5
CHROME_CHANGES = 5
NEW_KINDS = ("on_topic", "off_topic", "on_topic", "decoy", "off_topic", "on_topic", "souverain_other",
             "off_topic", "on_topic", "off_topic")
NEW_ARTICLES = len(NEW_KINDS)
CORRECTIONS = (
    "Une précédente version de cet article indiquait un calendrier erroné, nous l'avons corrigé.",
    "Nous avons précisé ce passage après des échanges avec les acteurs concernés.",
    "Ce paragraphe a été reformulé pour lever une ambiguïté relevée par nos lecteurs.",
    "Les montants cités ici ont été vérifiés auprès des entreprises concernées.",
    "Une erreur d'attribution s'était glissée dans ce passage, elle a été corrigée.",
)
UPDATES = (
    "Contactée après la publication de cet article, l'entreprise n'a pas souhaité faire de commentaire.",
    "Le ministère a confirmé ces informations dans un communiqué publié dans la soirée.",
    "Plusieurs lecteurs nous ont signalé une imprécision, que nous avons rectifiée dans le texte.",
    "Les parties prenantes doivent se retrouver dans les prochaines semaines pour faire le point.",
    "Un porte-parole a précisé que les chiffres évoqués restaient provisoires à ce stade.",
)


def later_edition(corpus: Corpus, edition: int) -> Corpus:
    """Turn edition 0 of a corpus into a later edition.

    Args:
        corpus: edition 0, as generated (modified in place).
        edition: 1 (texts and chromes changed) or 2 (and new articles).

    Returns:
        The corpus of that edition (a new Corpus for edition 2).

    Raises:
        ValueError: edition is not 1 or 2.
    """
    if edition not in (1, 2):
        raise ValueError(f"unknown edition {edition} (known: 0, 1, 2)")
    rng = random.Random(f"edition|{corpus.seed}|{len(corpus.articles)}|{corpus.exclusive_share}")
    _revise(rng, corpus)
    if edition == 2:
        corpus = _publish(rng, corpus)
    corpus.edition = edition
    return corpus


def _revise(rng: random.Random, corpus: Corpus) -> None:
    """Change the text of TEXT_CHANGES articles and the chrome of CHROME_CHANGES others."""
    candidates = [a for a in corpus.articles if a.on_topic and a.pages == 1 and not a.exclusive]
    picks = rng.sample(candidates, min(len(candidates), TEXT_CHANGES + CHROME_CHANGES))
    revised = _newest(corpus).replace(hour=9, minute=12, second=0) + dt.timedelta(days=1)
    for i, article in enumerate(sorted(picks[:TEXT_CHANGES], key=lambda a: a.index)):
        split = [re.split(r"(?<=[.!?…]) ", p) for p in article.paragraphs]
        at = rng.choice([k for k in range(1, len(split)) if len(split[k]) > 1] or list(range(1, len(split))))
        sentences = split[at]
        rewritten = " ".join([*sentences[1:], sentences[0], rng.choice(CORRECTIONS)])
        article.modified = revised + dt.timedelta(minutes=37 * i)
        note = rng.choice(UPDATES)
        update = f"Mise à jour du {french_date(article.modified)} : {note[0].lower()}{note[1:]}"
        article.paragraphs = (*article.paragraphs[:at], rewritten, *article.paragraphs[at + 1:], update)
        article.change = "text"
    for article in picks[TEXT_CHANGES:]:
        article.related = article.related[::-1]
        article.change = "chrome"


def _publish(rng: random.Random, corpus: Corpus) -> Corpus:
    """A new corpus with NEW_ARTICLES articles published after every date of the current one."""
    start = _newest(corpus).replace(hour=7, minute=0, second=0) + dt.timedelta(days=1)
    # Both sites number their posts of the 2020s in one growing series (Clubic's older series is higher).
    last = {site: max((a.id for a in corpus.site_articles(site) if a.published.year >= 2020), default=1000)
            for site in SITES}
    new: list[Article] = []
    for i, kind in enumerate(NEW_KINDS):
        site = SITES[i % 2]
        published = start + dt.timedelta(hours=i, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        article = make_article(rng, len(corpus.articles) + i, site, kind, published)
        article.modified = published + dt.timedelta(minutes=rng.randint(0, 90))
        article.id = last[site] = last[site] + rng.randint(40, 400)
        article.change = "new"
        new.append(article)
    out = Corpus(seed=corpus.seed, articles=corpus.articles + new, exclusive_share=corpus.exclusive_share)
    for article in new:
        _link(rng, out, article)
    index_listings(out)
    assign_channels(out)
    return out


def _link(rng: random.Random, corpus: Corpus, article: Article) -> None:
    """Give a new article 3-5 related older articles of its site (topic articles favour topic articles)."""
    older = [a for a in corpus.site_articles(article.site)
             if a.index < article.index and (not a.exclusive or a.exclusive == "related")]
    want = rng.randint(3, 5)
    picked: list[Article] = []
    if article.on_topic:
        topical = [a for a in older if a.on_topic][-10:]
        picked = rng.sample(topical, min(len(topical), want - 1))
    others = [a for a in older if a not in picked]
    picked += rng.sample(others, min(len(others), want - len(picked)))
    article.related = tuple(a.index for a in picked)


def _newest(corpus: Corpus) -> dt.datetime:
    """The latest publication or modification date of the corpus, Paris time."""
    return max(a.last_modified for a in corpus.articles).astimezone(PARIS)
