"""Generic fallbacks of every profile rule: the rule matches nothing, the fallback finds the URLs, the drift is
named. Pages are written here in markup the profiles do not know; the frontier's promise from context."""

from __future__ import annotations

import pytest
from parsel import Selector

from archive.text.extract import SiteCleanup, extract_article
from archive.text.relevance import Topic
from crawler.discovery.frontier import Context, Frontier
from crawler.discovery.generic import MIN_PAGES, Navigation, next_page_link
from crawler.discovery.listing import parse_listing, related_links
from crawler.discovery.parsers import Entry
from crawler.discovery.sitemapindex import choose_sitemaps
from crawler.discovery.window import DateWindow
from crawler.profiles import get_profile
from crawler.run import drift_warnings
from crawler.topic import topic_path

ROOT = "https://www.numerama.com"
TOPIC = Topic.load(topic_path("cloud-souverain"))
CHROME = (
    f'<header class="top"><a href="{ROOT}/">Numerama</a><nav><a href="{ROOT}/tech/">Tech</a>'
    f'<a href="{ROOT}/tech/900001-une-annonce-du-menu.html">À la une</a></nav></header>'
)
POPULAR = f'<aside class="box-popular"><p>Les plus lus</p><a href="{ROOT}/tech/900002-le-plus-lu.html">Le plus lu</a></aside>'
FOOTER = f'<footer><a href="{ROOT}/mentions-legales/">Mentions</a><a href="{ROOT}/vroom/900003-pied.html">Pied</a></footer>'


def document(main: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{CHROME}<main>{main}</main>{POPULAR}{FOOTER}</body></html>"


def card(number: int, title: str) -> str:
    return (f'<div class="tile"><a class="tile__go" href="{ROOT}/tech/{number}-article-{number}.html">'
            f'<span>{title}</span></a><p class="tile__lede">Le résumé {number}.</p>'
            f'<span class="tile__when"><time datetime="2024-0{number % 9 + 1}-02T10:00:00+02:00">2 mars</time></span></div>')


def read(html: str, url: str, navigation: Navigation | None = None):
    page = Selector(text=html)
    profile = get_profile("numerama")
    links = (navigation or Navigation(profile.match_article)).article_links(page.root, url)
    return page, profile, links


def test_listing_entry_fallback_takes_article_links_outside_navigation():
    html = document("".join(card(n, f"Titre {n} sur le cloud souverain") for n in (101, 102, 103)),
                    head=f'<link rel="next" href="{ROOT}/tag/numergy/page/2/">')
    page, profile, links = read(html, f"{ROOT}/tag/numergy/")
    listing = parse_listing(page, f"{ROOT}/tag/numergy/", profile.listing, links)
    assert [e.url for e in listing.entries] == [f"{ROOT}/tech/{n}-article-{n}.html" for n in (101, 102, 103)]
    first = listing.entries[0]
    assert (first.title, first.summary, first.published) == (
        "Titre 101 sur le cloud souverain", "Le résumé 101.", "2024-03-02T10:00:00+02:00")
    assert listing.next_url == f"{ROOT}/tag/numergy/page/2/"
    assert listing.drift == ("listing.entry", "listing.next")


def test_listing_fallback_title_from_the_card_heading_when_the_link_says_little():
    html = document(f'<ul><li><h3>Numergy repris par SFR</h3><p>Fin du cloud souverain.</p>'
                    f'<a href="{ROOT}/tech/104-fin.html">Lire la suite</a></li>'
                    f'<li><h3>Autre</h3><a href="{ROOT}/tech/105-autre.html">Lire la suite</a></li></ul>')
    page, profile, links = read(html, f"{ROOT}/?s=numergy")
    entries = parse_listing(page, f"{ROOT}/?s=numergy", profile.listing, links).entries
    assert [(e.title, e.summary) for e in entries] == [("Numergy repris par SFR", "Fin du cloud souverain."),
                                                       ("Lire la suite", "")]


def test_profile_rules_first_and_no_drift_when_they_match():
    html = document('<div class="archive-posts"><article><h2><a href="/tech/106-a.html">A</a></h2></article></div>'
                    '<a class="next page-numbers" href="/page/2/">Suivant</a>')
    page, profile, links = read(html, f"{ROOT}/tag/numergy/")
    listing = parse_listing(page, f"{ROOT}/tag/numergy/", profile.listing, links)
    assert [e.url for e in listing.entries] == [f"{ROOT}/tech/106-a.html"] and listing.drift == ()


def test_an_empty_listing_is_no_drift():
    page, profile, links = read(document("<p>Aucun résultat.</p>"), f"{ROOT}/?s=zzz")
    listing = parse_listing(page, f"{ROOT}/?s=zzz", profile.listing, links)
    assert listing.entries == [] and listing.next_url is None and listing.drift == ()


@pytest.mark.parametrize(("url", "pager", "expected"), [
    (f"{ROOT}/tag/x/", '<a href="/tag/x/page/2/">Page suivante</a>', f"{ROOT}/tag/x/page/2/"),
    (f"{ROOT}/tag/x/", '<a href="/tag/x/?page=2">Suivant</a>', f"{ROOT}/tag/x/?page=2"),
    (f"{ROOT}/tag/x/page/2/", '<a href="/tag/x/">1</a> <b>2</b> <a href="/tag/x/page/3/">3</a>', f"{ROOT}/tag/x/page/3/"),
    (f"{ROOT}/rechercher/?q=cloud&page=2", '<a href="/rechercher/?q=cloud">1</a> <a href="/rechercher/?q=cloud&page=3">3</a>',
     f"{ROOT}/rechercher/?q=cloud&page=3"),
    (f"{ROOT}/tag/x/", '<a href="/tag/y/?page=2">2</a> <a href="/tag/x/page/4/">4</a>', None),
    (f"{ROOT}/tag/x/page/3/", '<a href="/tag/x/page/2/">Page précédente</a>', None),
])
def test_generic_pagination(url, pager, expected):
    assert next_page_link(Selector(text=document(pager)).root, url) == expected


def test_related_fallback_every_article_link_that_is_not_navigation():
    url = f"{ROOT}/tech/200-un-article.html"
    html = document(f'<article><h1>Un article</h1><p>Texte.</p><a href="{url}#commentaires">0</a>'
                    f'<div class="more-reads"><b>Sur le même sujet</b><a href="/tech/201-secnumcloud.html">SecNumCloud</a>'
                    f'<a href="/tech/202-gaia-x.html">Gaia-X</a></div></article>')
    page, profile, links = read(html, url)
    entries, drift = related_links(page, url, profile.listing, links)
    assert [(e.url, e.title) for e in entries] == [(f"{ROOT}/tech/201-secnumcloud.html", "SecNumCloud"),
                                                   (f"{ROOT}/tech/202-gaia-x.html", "Gaia-X")]
    assert drift == ("listing.related",)


def test_other_pages_of_the_same_article_are_no_related_links():
    profile = get_profile("clubic")
    url = "https://www.clubic.com/pro/article-300-1-dossier.html"
    html = document('<article><p>Texte.</p><a href="/pro/article-300-2-dossier.html">Page suivante</a>'
                    '<a href="/actualite-301-numergy.html">Numergy</a></article>')
    page = Selector(text=html)
    links = Navigation(profile.match_article).article_links(page.root, url)
    assert [link.url for link in links] == ["https://www.clubic.com/actualite-301-numergy.html"]
    assert next_page_link(page.root, url) == "https://www.clubic.com/pro/article-300-2-dossier.html"


def test_navigation_is_learnt_from_links_on_most_pages():
    profile = get_profile("numerama")
    navigation = Navigation(profile.match_article)
    box = f'<div class="widget"><a href="{ROOT}/tech/400-partout.html">Partout</a></div>'
    for n in range(MIN_PAGES):
        html = f'<html><body>{box}<div><a href="{ROOT}/tech/{500 + n}-a.html">A</a></div></body></html>'
        found = [link.url for link in navigation.article_links(Selector(text=html).root, f"{ROOT}/tag/t{n}/")]
    assert found == [f"{ROOT}/tech/{500 + MIN_PAGES - 1}-a.html"]


def test_sitemap_index_fallback_follows_post_sitemaps_newest_first_within_the_window():
    profile = get_profile("numerama")
    names = {"/page-sitemap.xml": "2026-01-01", "/category-sitemap.xml": "2026-01-01", "/tag-sitemap.xml": "2026-01-01",
             "/author-sitemap.xml": "2026-01-01", "/sitemap-2014.xml": "2015-01-02", "/sitemap-2015.xml": "2016-01-02",
             "/sitemap-2016.xml": "2017-01-02", "https://elsewhere.example/sitemap-2016.xml": "2017-01-02"}
    entries = [Entry(ROOT + name if name.startswith("/") else name, lastmod=day) for name, day in names.items()]
    choice = choose_sitemaps(entries, profile, DateWindow())
    assert [e.url for e in choice.follow] == [f"{ROOT}/sitemap-{y}.xml" for y in (2016, 2015, 2014)]
    assert choice.drift == ("discovery.sitemap_follow",)
    windowed = choose_sitemaps(entries, profile, DateWindow.from_strings("2015-01-01", "2015-12-31"))
    assert [e.url for e in windowed.follow] == [f"{ROOT}/sitemap-2015.xml"] and windowed.out_of_window == 2
    matching = choose_sitemaps([Entry(f"{ROOT}/post-sitemap2.xml"), Entry(f"{ROOT}/page-sitemap.xml")], profile, DateWindow())
    assert [e.url for e in matching.follow] == [f"{ROOT}/post-sitemap2.xml"] and matching.drift == ()


def test_sitemap_month_drift_when_names_carry_other_dates():
    profile = get_profile("clubic")
    entries = [Entry(f"https://www.clubic.com/sitemap-posts-{y}-03.xml") for y in (2014, 2015)]
    choice = choose_sitemaps(entries, profile, DateWindow.from_strings("2015-01-01", ""))
    assert [e.url for e in choice.follow] == ["https://www.clubic.com/sitemap-posts-2015-03.xml"]
    assert choice.drift == ("discovery.sitemap_month",)


def test_drift_warnings_name_site_rule_pages_and_fallback():
    report = {"sites": {"numerama": {"drift": {"listing.entry": 12, "listing.related": 1}}, "clubic": {"drift": {}}}}
    assert drift_warnings(report) == ["numerama listing.entry matched nothing on 12 pages: generic links used",
                                      "numerama listing.related matched nothing on 1 page: generic links used"]


PARAGRAPHS = [f"Paragraphe {n} : le cloud souverain avance, et les opérateurs publient des chiffres détaillés sur "
              f"leurs centres de données, leurs clients publics et leurs certifications SecNumCloud." for n in range(1, 7)]
PROMOTIONS = {
    "numerama": ('<div class="premium-promo-alert"><p class="premium-promo-alert__title">+ rapide, + pratique, + exclusif</p>'
                 "<p>Zéro publicité, lecture sans distraction et contenus réservés aux membres de Numerama+.</p>"
                 "<p>Vous avez lu 3 articles sur Numerama ce mois-ci.</p><ul><li>un site plus léger ;</li>"
                 "<li>une rédaction indépendante qui enquête dans la durée et le dit.</li></ul>"
                 '<p><a href="/numerama-plus/">Découvrir Numerama+</a></p></div>'),
    "clubic": ('<section class="nl-inread"><h3>Abonnez-vous à notre newsletter !</h3><p>Chaque matin, '
               "l'essentiel de l'actualité high-tech dans votre boîte mail, sans publicité.</p>"
               '<form><input type="email" name="email"></form><p>Désinscription à tout moment.</p></section>'),
}


@pytest.mark.parametrize("site", ["numerama", "clubic"])
def test_promotion_block_in_the_middle_keeps_every_paragraph(site):
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + PROMOTIONS[site] + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    html = f"<html lang='fr'><body><article><div class='story-text'>{body}</div></article></body></html>"
    rules = SiteCleanup.from_dict(get_profile(site).cleanup)
    article = extract_article(html.encode(), f"https://www.{site}.com/tech/1-x.html", cleanup=rules)
    assert article.text.split("\n") == PARAGRAPHS
    words = Selector(text=PROMOTIONS[site]).xpath("string()").get()
    assert not any(sentence.strip() in article.text for sentence in words.split(".") if len(sentence.strip()) > 10)


def test_a_marker_heading_of_a_long_trailing_section_still_ends_the_text():
    comments = "".join(f"<li>Commentaire {n} : je ne suis pas d'accord avec cette analyse du marché.</li>" for n in range(80))
    html = (f"<html lang='fr'><body><article>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}"
            f"<div class='talk'><h2>Commentaires (80)</h2><ul>{comments}</ul></div></article></body></html>")
    article = extract_article(html.encode(), "https://www.clubic.com/actualite-1-x.html",
                              cleanup=SiteCleanup.from_dict(get_profile("clubic").cleanup))
    assert article.text.split("\n") == PARAGRAPHS


@pytest.fixture
def frontier() -> Frontier:
    return Frontier(get_profile("numerama"), TOPIC.score_hint, DateWindow())


def test_a_topic_listing_makes_any_slug_promising_and_reopens_a_sitemap_skip(frontier):
    url = f"{ROOT}/tech/700-ce-quil-faut-savoir.html"
    assert frontier.offer(Entry(url), "sitemap") is None
    assert frontier.ledger.get(url).reason.startswith("unpromising")
    assert frontier.offer(Entry(url, title="Ce qu'il faut savoir"), "tag", Context(topic_listing="tag page numergy")) > 0
    candidate = frontier.ledger.get(url)
    assert candidate.sources == ["sitemap", "tag"] and candidate.promise == "listed on tag page numergy"


def test_related_links_wait_for_the_relevance_of_their_article(frontier):
    parent = f"{ROOT}/tech/800-parent.html"
    image_link, worded, topical = (Entry(f"{ROOT}/tech/801-vu.html"), Entry(f"{ROOT}/tech/802-vu.html", title="Le match"),
                                   Entry(f"{ROOT}/tech/803-vu.html", title="Numergy"))
    frontier.hold(parent, [image_link, worded, topical])
    entries, context = frontier.release(parent, {"score": 30.0, "on_topic": True})
    assert entries == [image_link, worded, topical] and frontier.release(parent, None) == ([], None)
    priorities = [frontier.offer(e, "related", context) for e in entries]
    assert priorities[0] > 0 and priorities[1] is None  # no words: the article's relevance decides; words: they do
    assert frontier.ledger.get(image_link.url).promise == f"hint 0 + 0.5 × score 30 of on-topic {parent}"
    off_topic = Context(parent=parent, parent_score=4.0, parent_on_topic=False)
    assert frontier.offer(Entry(f"{ROOT}/tech/804-vu.html"), "related", off_topic) is None
    assert frontier.offer(Entry(f"{ROOT}/tech/805-vu.html", title="Numergy"), "related", off_topic) < priorities[2]


def spider_of(site: str):
    from scrapy.utils.test import get_crawler

    from crawler.spiders import sites

    cls = getattr(sites, f"{site.capitalize()}Spider")
    crawler = get_crawler(cls, {"STATE_ENABLED": False})
    return crawler, cls.from_crawler(crawler)


def test_the_spider_counts_drift_as_stats_the_report_lists():
    from scrapy.http import HtmlResponse, Request

    from crawler.extensions.report import profile_drift

    crawler, spider = spider_of("numerama")
    url = f"{ROOT}/tag/numergy/"
    html = document(card(101, "Titre 101") + card(102, "Titre 102"), head=f'<link rel="next" href="{url}page/2/">')
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    requests = list(spider.parse_listing(response, source="tag", topic_listing="tag page numergy"))
    assert [r.url for r in requests] == [f"{ROOT}/tech/101-article-101.html", f"{ROOT}/tech/102-article-102.html",
                                         f"{url}page/2/"]
    assert spider.frontier.ledger.get(requests[0].url).promise == "listed on tag page numergy"
    assert profile_drift(crawler.stats.get_stats()) == {"listing.entry": 1, "listing.next": 1}


def test_multi_page_article_next_page_fallback_and_drift():
    from scrapy.http import HtmlResponse, Request

    crawler, spider = spider_of("clubic")
    url = "https://www.clubic.com/pro/article-300-1-dossier.html"
    html = document('<article><p>Texte.</p><div class="pages"><a rel="next" href="/pro/article-300-2-dossier.html">2</a>'
                    '<a rel="next" href="/pro/article-301-2-autre.html">x</a></div></article>')
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    assert spider.next_page_url(response, []) == "https://www.clubic.com/pro/article-300-2-dossier.html"
    assert crawler.stats.get_value("profile/drift/urls.next_page") == 1


def test_a_listed_article_also_in_the_sidebar_stays_an_entry():
    popular = f'<aside><a href="{ROOT}/tech/101-article-101.html">Titre 101</a></aside>'
    html = document(card(101, "Titre 101") + card(102, "Titre 102")).replace("</main>", f"</main>{popular}")
    page, profile, links = read(html, f"{ROOT}/tag/numergy/")
    assert [e.url for e in parse_listing(page, f"{ROOT}/tag/numergy/", profile.listing, links).entries] == [
        f"{ROOT}/tech/101-article-101.html", f"{ROOT}/tech/102-article-102.html"]
