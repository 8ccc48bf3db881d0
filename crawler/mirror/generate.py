"""Edition 0 of the mirror's corpus, drawn from the sentence banks (``texts``) by a seeded random generator: dates,
kinds, sites, texts, post ids, pages, exclusive channels, related links, listings."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re

from crawler.mirror import texts
from crawler.mirror.corpus import (
    CLUBIC_FLAT,
    CLUBIC_STOPWORDS,
    NUMERAMA_SECTIONS,
    PARIS,
    Article,
    Corpus,
    slugify,
)
from crawler.mirror.listings import assign_channels, assign_exclusives, index_listings, link_related

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
_START = dt.datetime(2012, 1, 2, tzinfo=PARIS)
_END = dt.datetime(2026, 3, 31, tzinfo=PARIS)
_RELAUNCH = dt.datetime(2015, 10, 1, tzinfo=PARIS)
# Post id anchors (date, id) of Numerama after its relaunch and of Clubic's two id series.
_NUMERAMA_IDS = ((_RELAUNCH, 125000), (dt.datetime(2015, 12, 1, tzinfo=PARIS), 133000),
                 (dt.datetime(2016, 3, 19, tzinfo=PARIS), 150700), (dt.datetime(2020, 1, 1, tzinfo=PARIS), 700000),
                 (_END, 2230000))
_NUMERAMA_OLD_IDS = ((_START, 10000), (_RELAUNCH, 30000))
_CLUBIC_OLD_IDS = ((_START, 470000), (CLUBIC_FLAT, 890000))
_CLUBIC_NEW_IDS = ((CLUBIC_FLAT, 380000), (_END, 640000))


def first_edition(seed: int, articles: int, exclusive_share: float) -> Corpus:
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
    out = [make_article(rng, i, sites[i], kinds[i], stamps[i]) for i in range(articles)]
    _assign_ids(rng, out)
    _split_pages(rng, out)
    corpus = Corpus(seed=seed, articles=out, exclusive_share=exclusive_share)
    assign_exclusives(rng, corpus)
    link_related(rng, corpus)
    index_listings(corpus)
    assign_channels(corpus)
    return corpus


def _daytime(rng: random.Random, stamp: dt.datetime) -> dt.datetime:
    """Move a timestamp to office hours, Paris time, whole minutes (seconds kept for Numerama realism)."""
    local = stamp.astimezone(PARIS)
    return local.replace(hour=rng.randint(6, 21), minute=rng.randint(0, 59), second=rng.randint(0, 59))


def _ym(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _fill(rng: random.Random, template: str, entities: tuple[str, ...]) -> str:
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


def make_article(rng: random.Random, index: int, site: str, kind: str, published: dt.datetime) -> Article:
    """Write one article of the given kind at the given date (ids and links come later)."""
    ym = _ym(published)
    target = rng.randint(270, 820)
    if kind == "on_topic":
        era = rng.choice([e for e in texts.ERAS if e.since <= ym <= e.until])
        ents: tuple[str, ...] = ("", "")
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
        drafted = list(_paragraphs(rng, lead, pool, min(target, 560)))
        if kind == "decoy":
            mention = rng.choice([s for since, s in texts.DECOYS if since <= ym])
            where = rng.randint(1, len(drafted) - 2)
            parts = re.split(r"(?<=[.!?…]) ", drafted[where])
            parts.insert(rng.randint(1, len(parts)), mention)
            drafted[where] = " ".join(parts)
        paragraphs = tuple(drafted)
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
            series = "c-old" if a.published < CLUBIC_FLAT else "c-new"
            anchors = _CLUBIC_OLD_IDS if series == "c-old" else _CLUBIC_NEW_IDS
        a.id = max(last.get(series, 0) + 1, int(_interp(anchors, a.published)) + rng.randint(0, 400))
        last[series] = a.id
    old = sorted(a.id for a in articles if a.site == "clubic" and a.published < CLUBIC_FLAT)
    new = [a for a in articles if a.site == "clubic" and a.published >= CLUBIC_FLAT]
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
