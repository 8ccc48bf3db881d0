"""Deterministic article corpus of the mirror: which articles exist, where, and how they are discovered.

``build_corpus(seed, articles, exclusive_share, edition, skin)``: edition 0 is the site as first crawled; later
editions (``editions``) revise and add articles on top of it without touching anything else; a skin other than
"default" (``skins``) gives some articles other slugs, hence other URL paths.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from crawler.mirror import texts
from crawler.mirror.skins import apply_slugs, get_skin, slug_names_topic

PARIS = ZoneInfo("Europe/Paris")
SITES = ("clubic", "numerama")
CHANNELS = ("sitemap", "tag", "search", "feed", "related")
KINDS = ("on_topic", "decoy", "souverain_other", "off_topic")
FEED_SIZE = 20

_START = dt.datetime(2012, 1, 2, tzinfo=PARIS)
_END = dt.datetime(2026, 3, 31, tzinfo=PARIS)
_RELAUNCH = dt.datetime(2015, 10, 1, tzinfo=PARIS)
_CLUBIC_FLAT = dt.datetime(2020, 1, 1, tzinfo=PARIS)
# Post id anchors (date, id) of Numerama after its relaunch and of Clubic's two id series.
_NUMERAMA_IDS = ((_RELAUNCH, 125000), (dt.datetime(2015, 12, 1, tzinfo=PARIS), 133000),
                 (dt.datetime(2016, 3, 19, tzinfo=PARIS), 150700), (dt.datetime(2020, 1, 1, tzinfo=PARIS), 700000),
                 (_END, 2230000))
_NUMERAMA_OLD_IDS = ((_START, 10000), (_RELAUNCH, 30000))
_CLUBIC_OLD_IDS = ((_START, 470000), (_CLUBIC_FLAT, 890000))
_CLUBIC_NEW_IDS = ((_CLUBIC_FLAT, 380000), (_END, 640000))

NUMERAMA_SECTIONS = {
    "tech": "Tech", "politique": "Politique", "business": "Business", "sciences": "Sciences",
    "cyberguerre": "Cyberguerre", "pop-culture": "Pop culture", "vroom": "Vroom",
}
CLUBIC_SECTIONS = {
    "pro/it-business/cloud-computing": "Cloud computing",
    "telephone-portable": "Téléphonie mobile",
    "jeux-video": "Jeux vidéo",
    "sciences/espace": "Espace",
    "mag/transports/voiture-electrique": "Voiture électrique",
    "technologies-d-avenir/intelligence-artificielle": "Intelligence artificielle",
    "telephone-portable/operateur-telephonie-mobile": "Opérateurs",
    "antivirus-securite-informatique": "Sécurité informatique",
    "materiel-informatique": "Matériel informatique",
    "pro/actualite-economie": "Économie",
    "internet/reseaux-sociaux": "Réseaux sociaux",
    "internet/politique-numerique": "Politique numérique",
    "mag/sante": "Santé",
}
# Words Clubic leaves out of its slugs.
CLUBIC_STOPWORDS = frozenset(
    "le la les l de du des d un une et a au aux en pour par sur dans son sa ses ce que qui est se s ne pas plus "
    "avec ou tout il elle on nous vous leur leurs y".split()
)


def fold(text: str) -> str:
    """Fold accents, case and typographic apostrophes for matching.

    Args:
        text: any text.

    Returns:
        The lower-case text without diacritics, with ’ as '.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("œ", "oe").replace("Œ", "Oe"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(text: str, *, drop_apostrophes: bool = False) -> str:
    """Make a URL slug the way the sites do.

    Args:
        text: a title or tag name.
        drop_apostrophes: remove apostrophes without a dash (WordPress: "s'achève" -> "sacheve").

    Returns:
        Lower-case ASCII words joined by dashes.
    """
    folded = fold(text)
    if drop_apostrophes:
        folded = folded.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


@dataclass(slots=True, eq=False)
class Article:
    """One article of the corpus, with everything needed to render and discover it."""

    index: int
    site: str
    id: int
    slug: str
    section: str
    section_name: str
    section_path: str
    title: str
    authors: tuple[str, ...]
    author_keys: tuple[str, ...]
    published: dt.datetime
    modified: dt.datetime
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]
    kind: str
    pages: int = 1
    related: tuple[int, ...] = ()
    channels: frozenset[str] = frozenset()
    exclusive: str = ""
    comments: tuple[tuple[str, str], ...] = ()
    change: str = ""  # what the corpus edition changed: "", "text", "chrome" or "new"

    @property
    def on_topic(self) -> bool:
        """Whether the article is about the cloud souverain."""
        return self.kind == "on_topic"

    @property
    def page_paths(self) -> tuple[str, ...]:
        """URL paths of all pages, in order (one path for a single-page article)."""
        if self.site == "numerama":
            return (f"/{self.section_path}/{self.id}-{self.slug}.html",)
        if self.pages > 1:
            return tuple(f"/{self.section_path}/article-{self.id}-{n}-{self.slug}.html"
                         for n in range(1, self.pages + 1))
        if self.published >= _CLUBIC_FLAT:
            return (f"/actualite-{self.id}-{self.slug}.html",)
        return (f"/{self.section_path}/actualite-{self.id}-{self.slug}.html",)

    @property
    def path(self) -> str:
        """URL path of the article (its first page)."""
        return self.page_paths[0]

    @property
    def last_modified(self) -> dt.datetime:
        """The later of published and modified (what a server reports as Last-Modified)."""
        return max(self.published, self.modified)

    def page_paragraphs(self, page: int) -> tuple[str, ...]:
        """Paragraphs shown on one page.

        Args:
            page: page number, from 1.

        Returns:
            The paragraphs of that page (all of them for a single-page article).
        """
        per = -(-len(self.paragraphs) // self.pages)
        return self.paragraphs[(page - 1) * per: page * per]

    @property
    def ad_salt(self) -> str:
        """Salt of the page's ad tokens: rotated when the edition changed the article's chrome."""
        return "|rotated" if self.change == "chrome" else ""

    @property
    def text(self) -> str:
        """The article text: its paragraphs joined by newlines, all pages."""
        return "\n".join(self.paragraphs)

    @property
    def snippet(self) -> str:
        """First sentence-ish excerpt used in listings and feeds."""
        first = self.paragraphs[0]
        return first if len(first) <= 220 else first[:217].rsplit(" ", 1)[0] + "…"


@dataclass(eq=False)
class Corpus:
    """All articles of both sites, with the listings the servers show."""

    seed: int
    articles: list[Article]
    exclusive_share: float
    edition: int = 0
    skin: str = "default"
    by_path: dict[str, dict[str, tuple[Article, int]]] = field(default_factory=dict)
    tags: dict[str, dict[str, tuple[str, list[Article]]]] = field(default_factory=dict)

    def site_articles(self, site: str) -> list[Article]:
        """Articles of one site, oldest first.

        Args:
            site: "clubic" or "numerama".

        Returns:
            The articles of that site in publication order.
        """
        return [a for a in self.articles if a.site == site]

    def listed(self, site: str, channel: str) -> list[Article]:
        """Articles of a site that a channel may list, newest first.

        Args:
            site: "clubic" or "numerama".
            channel: one of CHANNELS ("feed" also covers home, section and author listings).

        Returns:
            Articles not reserved to another channel, newest first.
        """
        return self._listed(site, channel)

    @functools.cache  # noqa: B019 - a corpus lives as long as the process serving it
    def _listed(self, site: str, channel: str) -> list[Article]:
        return [a for a in reversed(self.articles)
                if a.site == site and (not a.exclusive or a.exclusive == channel)]

    def search(self, site: str, query: str) -> list[Article]:
        """Accent- and case-folded substring search over title and text, newest first.

        Args:
            site: "clubic" or "numerama".
            query: the words typed by the user.

        Returns:
            Matching articles searchable on that site, newest first.
        """
        return self._search(site, fold(query).strip())

    @functools.lru_cache(maxsize=512)  # noqa: B019
    def _search(self, site: str, needle: str) -> list[Article]:
        if not needle:
            return []
        return [a for a in self.listed(site, "search") if needle in self._folded(a.index)]

    @functools.cache  # noqa: B019
    def _folded(self, index: int) -> str:
        article = self.articles[index]
        return fold(article.title + "\n" + article.text)

    def edition_changes(self) -> dict[str, list[str]]:
        """Articles the corpus edition changed, by kind of change.

        Returns:
            {"text": [...], "chrome": [...], "new": [...]}: URL paths, in publication order (all empty in edition 0).
        """
        return {kind: [a.path for a in self.articles if a.change == kind] for kind in ("text", "chrome", "new")}

    def truth(self) -> list[dict]:
        """Ground truth for tests: one dict per article.

        Returns:
            Dicts with site, url_path, page_paths (as served by this skin), kind, on_topic, published, title,
            authors, section, tags, channels, exclusive (the one channel an article is reserved to, or None),
            slug_names_topic (whether the slug holds a word of the topic, ``skins.slug_names_topic``), text (as
            served by this edition) and edition_change ("text", "chrome", "new" or None), in publication order.
        """

        return [
            {
                "site": a.site, "url_path": a.path, "page_paths": list(a.page_paths), "kind": a.kind,
                "on_topic": a.on_topic, "published": a.published.isoformat(), "modified": a.modified.isoformat(),
                "title": a.title, "authors": list(a.authors), "section": a.section_name, "tags": list(a.tags),
                "channels": sorted(a.channels), "exclusive": a.exclusive or None,
                "slug_names_topic": slug_names_topic(a.slug), "text": a.text, "edition_change": a.change or None,
            }
            for a in self.articles
        ]


def build_corpus(seed: int = 0, articles: int = 360, exclusive_share: float = 0.0, edition: int = 0,
                 skin: str = "default") -> Corpus:
    """Generate the corpus of both sites.

    Args:
        seed: seed of the random generator: same seed and size give the same corpus.
        articles: number of articles over both sites.
        exclusive_share: share of on-topic articles reachable through exactly one non-sitemap channel.
        edition: 0 for the site as first crawled, 1 and 2 for later states (see ``editions``).
        skin: one of ``skins.SKIN_NAMES``; only the slugs of some on-topic articles depend on it.

    Returns:
        The corpus, articles in publication order, with related links and discovery channels computed.

    Raises:
        ValueError: unknown skin or edition.
    """
    style = get_skin(skin)
    corpus = _first_edition(seed, articles, exclusive_share)
    if edition:
        from crawler.mirror.editions import later_edition  # deferred: editions builds on this module

        corpus = later_edition(corpus, edition)
    if style is not None:
        apply_slugs(corpus, style)
        _index(corpus)
    corpus.skin = skin
    return corpus


def _first_edition(seed: int, articles: int, exclusive_share: float) -> Corpus:
    """Generate edition 0 of the corpus."""
    rng = random.Random(seed)
    span = (_END - _START).total_seconds()
    stamps = sorted(_START + dt.timedelta(seconds=int(rng.random() * span)) for _ in range(articles))
    stamps = [_daytime(rng, s) for s in stamps]
    n_topic = max(round(articles * 0.10), min(articles, 3))
    kinds = ["off_topic"] * articles
    picks = rng.sample(range(articles), min(articles, n_topic + round(articles * 0.06) + round(articles * 0.05)))
    for i, idx in enumerate(picks):
        kinds[idx] = "on_topic" if i < n_topic else "decoy" if i < n_topic + round(articles * 0.06) else "souverain_other"
    sites = ["clubic" if rng.random() < 0.5 else "numerama" for _ in range(articles)]
    out = [_make_article(rng, i, sites[i], kinds[i], stamps[i]) for i in range(articles)]
    _assign_ids(rng, out)
    _split_pages(rng, out)
    corpus = Corpus(seed=seed, articles=out, exclusive_share=exclusive_share)
    _assign_exclusives(rng, corpus)
    _link_related(rng, corpus)
    _index(corpus)
    _assign_channels(corpus)
    return corpus


def _daytime(rng: random.Random, stamp: dt.datetime) -> dt.datetime:
    """Move a timestamp to office hours, Paris time, whole minutes (seconds kept for Numerama realism)."""
    local = stamp.astimezone(PARIS)
    return local.replace(hour=rng.randint(6, 21), minute=rng.randint(0, 59), second=rng.randint(0, 59))


def _ym(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _fill(rng: random.Random, template: str, entities: tuple[str, str]) -> str:
    """Fill the placeholders of a sentence and capitalise its first letter."""
    text = template.format(e=entities[0], e2=entities[1], n=rng.randint(2, 9), p=rng.randint(12, 60))
    return text[0].upper() + text[1:]


def _paragraphs(rng: random.Random, lead: list[str], pool: list[str], target: int) -> tuple[str, ...]:
    """Cut sentences into paragraphs of 2-5 sentences until about `target` words."""
    paragraphs = [" ".join(lead)]
    words = sum(len(s.split()) for s in lead)
    queue = list(pool)
    while queue and (words < target or len(paragraphs) < 4):
        size = min(len(queue), rng.randint(2, 5))
        chunk, queue = queue[:size], queue[size:]
        if words + sum(len(s.split()) for s in chunk) > 900 and len(paragraphs) >= 4:
            break
        paragraphs.append(" ".join(chunk))
        words += sum(len(s.split()) for s in chunk)
    return tuple(paragraphs)


def _mix(rng: random.Random, first: list[str], second: list[str]) -> list[str]:
    """Interleave two shuffled sentence lists, keeping the first list's sentences ahead."""
    first, second = first[:], second[:]
    rng.shuffle(first)
    rng.shuffle(second)
    out: list[str] = []
    while first or second:
        if first and (not second or rng.random() < 0.6):
            out.append(first.pop())
        else:
            out.append(second.pop())
    return out


def _make_article(rng: random.Random, index: int, site: str, kind: str, published: dt.datetime) -> Article:
    """Write one article of the given kind at the given date (ids and links come later)."""
    ym = _ym(published)
    target = rng.randint(270, 820)
    if kind == "on_topic":
        era = rng.choice([e for e in texts.ERAS if e.since <= ym <= e.until])
        ents = ("", "")
        title = _fill(rng, rng.choice(era.titles), ents)
        lead = rng.sample(era.leads, 2)
        background = [s for since, s in texts.TOPIC_BACKGROUND if since <= ym]
        pool = _mix(rng, list(era.body), background + list(texts.TOPIC_ANALYSIS))
        paragraphs = _paragraphs(rng, [_fill(rng, s, ents) for s in lead], [_fill(rng, s, ents) for s in pool], target)
        tags = tuple(rng.sample(era.tags[:-1], min(len(era.tags) - 1, rng.randint(2, 3)))) + (era.tags[-1],)
        numerama_section = rng.choice(("business", "business", "tech", "politique"))
        clubic_section = "pro/it-business/cloud-computing"
    elif kind == "souverain_other":
        homonym = rng.choice([h for h in texts.HOMONYMS if h.since <= ym])
        ents = ("", "")
        title = _fill(rng, rng.choice(homonym.titles), ents)
        sentences = [_fill(rng, s, ents) for s in homonym.sentences]
        lead, rest = sentences[:2], sentences[2:]
        pool = _mix(rng, rest, list(texts.GENERIC))
        paragraphs = _paragraphs(rng, lead, pool, min(target, 420))
        tags = homonym.tags
        numerama_section, clubic_section = homonym.numerama_section, homonym.clubic_section
    else:
        subject = rng.choice(texts.SUBJECTS)
        ents = tuple(rng.sample(subject.entities, 2))
        title = _fill(rng, rng.choice(subject.titles), ents)
        sentences = [_fill(rng, s, ents) for s in subject.sentences]
        lead_count = 2
        lead, rest = sentences[:lead_count], sentences[lead_count:]
        pool = _mix(rng, rest, list(texts.GENERIC))
        paragraphs = list(_paragraphs(rng, lead, pool, min(target, 560)))
        if kind == "decoy":
            mention = rng.choice([s for since, s in texts.DECOYS if since <= ym])
            where = rng.randint(1, len(paragraphs) - 2)
            parts = re.split(r"(?<=[.!?…]) ", paragraphs[where])
            parts.insert(rng.randint(1, len(parts)), mention)
            paragraphs[where] = " ".join(parts)
        paragraphs = tuple(paragraphs)
        entity_tag = ents[0].removeprefix("la ").removeprefix("le ").removeprefix("l'")
        tags = tuple(rng.sample(subject.tags, 2)) + (entity_tag[0].upper() + entity_tag[1:],)
        numerama_section, clubic_section = subject.numerama_section, subject.clubic_section
        if numerama_section == "vroom" and published.year < 2018:
            numerama_section = "tech"
        if numerama_section == "cyberguerre" and published.year < 2019:
            numerama_section = "tech"
    if site == "numerama":
        pool_authors = texts.NUMERAMA_AUTHORS
        section, section_name = numerama_section, NUMERAMA_SECTIONS[numerama_section]
        section_path = section if published >= _RELAUNCH else "magazine"
        slug = slugify(title, drop_apostrophes=True)
    else:
        pool_authors = texts.CLUBIC_AUTHORS
        section, section_name, section_path = clubic_section, CLUBIC_SECTIONS[clubic_section], clubic_section
        words = [w for w in slugify(title).split("-") if w not in CLUBIC_STOPWORDS]
        slug = "-".join(words[:6]) or "article"
    chosen = rng.sample(pool_authors, 2 if rng.random() < 0.1 else 1)
    roll = rng.random()
    if roll < 0.12:
        modified = published - dt.timedelta(minutes=rng.randint(5, 2880))
    elif roll < 0.18:
        modified = published + dt.timedelta(days=rng.randint(200, 1500))
    else:
        modified = published + dt.timedelta(minutes=rng.randint(0, 4320))
    modified = min(modified, _END + dt.timedelta(days=1)).astimezone(PARIS)
    comments = tuple(rng.sample(texts.COMMENTS, rng.choice((0, 0, 1, 2, 3, 4)))) if site == "clubic" else ()
    return Article(
        index=index, site=site, id=0, slug=slug, section=section, section_name=section_name,
        section_path=section_path, title=title, authors=tuple(n for n, _ in chosen),
        author_keys=tuple(k for _, k in chosen), published=published, modified=modified, tags=tags,
        paragraphs=paragraphs, kind=kind, comments=comments,
    )


def _interp(anchors: tuple[tuple[dt.datetime, int], ...], moment: dt.datetime) -> float:
    """Piecewise-linear id at a date from (date, id) anchors."""
    for (d0, v0), (d1, v1) in zip(anchors, anchors[1:], strict=False):
        if moment <= d1:
            return v0 + (v1 - v0) * (moment - d0).total_seconds() / (d1 - d0).total_seconds()
    return float(anchors[-1][1])


def _assign_ids(rng: random.Random, articles: list[Article]) -> None:
    """Give post ids growing with time; make Clubic's restarted series share some ids with the old one."""
    last: dict[str, int] = {}
    for a in articles:
        if a.site == "numerama":
            series = "n-old" if a.published < _RELAUNCH else "n-new"
            anchors = _NUMERAMA_OLD_IDS if series == "n-old" else _NUMERAMA_IDS
        else:
            series = "c-old" if a.published < _CLUBIC_FLAT else "c-new"
            anchors = _CLUBIC_OLD_IDS if series == "c-old" else _CLUBIC_NEW_IDS
        a.id = max(last.get(series, 0) + 1, int(_interp(anchors, a.published)) + rng.randint(0, 400))
        last[series] = a.id
    old = sorted(a.id for a in articles if a.site == "clubic" and a.published < _CLUBIC_FLAT)
    new = [a for a in articles if a.site == "clubic" and a.published >= _CLUBIC_FLAT]
    if not old or not new:
        return
    taken = {a.id for a in new}
    overlapping = [a for a in new if old[0] <= a.id <= old[-1]] or new
    wanted = max(3, len(new) // 40)
    for a in overlapping[:: max(1, len(overlapping) // wanted)][:wanted]:
        pos = min(bisect.bisect_left(old, a.id), len(old) - 1)
        for candidate in old[pos:] + old[:pos][::-1]:
            if candidate not in taken:
                taken.discard(a.id)
                a.id = candidate
                taken.add(candidate)
                break


def _split_pages(rng: random.Random, articles: list[Article]) -> None:
    """Make about 5% of Clubic articles multi-page pieces (2-3 pages), at least one on topic."""
    clubic = [a for a in articles if a.site == "clubic"]
    if not clubic:
        return
    chosen = rng.sample(clubic, max(1, round(len(clubic) * 0.05)))
    topical = [a for a in clubic if a.on_topic and a not in chosen]
    missing = max(0, min(len(topical), 2) - sum(c.on_topic for c in chosen))
    chosen = [c for c in chosen if c.on_topic] + rng.sample(topical, missing) + \
        [c for c in chosen if not c.on_topic][missing:]
    for a in chosen:
        a.pages = rng.choice((2, 3))
        while len(a.paragraphs) < 2 * a.pages:
            a.pages -= 1
        a.pages = max(a.pages, 1)


def _assign_exclusives(rng: random.Random, corpus: Corpus) -> None:
    """Reserve a share of on-topic articles to exactly one of search, tag or related."""
    topical = [a for a in corpus.articles if a.on_topic]
    count = round(len(topical) * corpus.exclusive_share)
    for i, a in enumerate(rng.sample(topical, min(count, len(topical)))):
        a.exclusive = ("search", "tag", "related")[i % 3]


def _link_related(rng: random.Random, corpus: Corpus) -> None:
    """Give every article 3-5 related articles of its site; topic articles favour topic articles."""
    for site in SITES:
        linkable = [a for a in corpus.site_articles(site) if not a.exclusive or a.exclusive == "related"]
        topical = [a for a in linkable if a.on_topic]
        for a in corpus.site_articles(site):
            want = rng.randint(3, 5)
            picked: list[Article] = []
            if a.on_topic:
                near = sorted((t for t in topical if t is not a), key=lambda t: abs(t.published - a.published))[:10]
                picked = rng.sample(near, min(len(near), want - 1))
            others = [o for o in linkable if o is not a and o not in picked]
            picked += rng.sample(others, min(len(others), want - len(picked)))
            a.related = tuple(o.index for o in picked)
        hosts = [a for a in corpus.site_articles(site) if a.on_topic and not a.exclusive] or \
                [a for a in corpus.site_articles(site) if not a.exclusive]
        for a in corpus.site_articles(site):
            if a.exclusive == "related" and hosts and not any(a.index in h.related for h in hosts):
                host = rng.choice([h for h in hosts if h is not a])
                host.related = host.related[:-1] + (a.index,)


def _index(corpus: Corpus) -> None:
    """Index every page path and every tag listing of both sites."""
    for site in SITES:
        paths: dict[str, tuple[Article, int]] = {}
        tags: dict[str, tuple[str, list[Article]]] = {}
        for a in corpus.site_articles(site):
            for page, path in enumerate(a.page_paths, start=1):
                paths[path] = (a, page)
        for a in corpus.listed(site, "tag"):
            for tag in a.tags:
                tags.setdefault(slugify(tag), (tag, []))[1].append(a)
        corpus.by_path[site] = paths
        corpus.tags[site] = tags


def feed_lists(corpus: Corpus, site: str) -> dict[str, list[Article]]:
    """Every feed of a site with its items.

    Args:
        corpus: the corpus.
        site: "clubic" or "numerama".

    Returns:
        Feed path -> its (at most FEED_SIZE) newest articles.
    """
    listed = corpus.listed(site, "feed")
    if site == "clubic":
        return {
            "/feed/news.rss": listed[:FEED_SIZE],
            "/feed/news-pro.rss": [a for a in listed if a.section_path.startswith("pro/")][:FEED_SIZE],
        }
    feeds = {"/feed/": listed[:FEED_SIZE]}
    for section in NUMERAMA_SECTIONS:
        feeds[f"/{section}/feed/"] = [a for a in listed if a.section == section][:FEED_SIZE]
    for slug, (_, items) in corpus.tags[site].items():
        feeds[f"/tag/{slug}/feed/"] = [a for a in items if not a.exclusive][:FEED_SIZE]
    return feeds


def _assign_channels(corpus: Corpus) -> None:
    """Record on each article the discovery channels that list it."""
    in_feed = {a.index for site in SITES for items in feed_lists(corpus, site).values() for a in items}
    linked = {i for a in corpus.articles for i in a.related}
    searchable = {a.index for site in SITES for a in corpus.listed(site, "search")}
    tagged = {a.index for site in SITES for _, items in corpus.tags[site].values() for a in items}
    for a in corpus.articles:
        channels = set()
        if not a.exclusive:
            channels.add("sitemap")
        if a.index in tagged:
            channels.add("tag")
        if a.index in searchable:
            channels.add("search")
        if a.index in in_feed:
            channels.add("feed")
        if a.index in linked:
            channels.add("related")
        a.channels = frozenset(channels)
