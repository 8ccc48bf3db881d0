"""HTML pages of the Numerama mirror, modelled on the real WordPress theme (2016 page in realpages/).

Article page landmarks (class names of the real site):
``div.article-container#container-post{id}``; ``div.post-title > h1[itemprop=headline]`` title;
``div.post-author-bloc`` byline (``a[rel=author]``, ``time[itemprop=datePublished]``, ``a.post-univers-url``);
``ul.post-breadcrumb``; ``div#p{id}.post`` wrapper; ``article.post-content`` body (first paragraph
``p.chapo``); inside it, after the text: ``div.in-content-ad``, ``footer.clearfix`` (``ul.tags-list``,
``div.comments-count``), ``div.numerama-plus`` (Numerama+ block), ``div.post-share`` ("Partager sur les réseaux
sociaux"), ``p.google-news-follow`` ("Si vous avez aimé cet article…"); after it ``section.related-article``
("À lire aussi", ``h4 > a`` links whose text is the target's title); chrome: ``div#cmp-banner`` cookie banner,
``div#header-container``, ``span#current_header_box`` rotating ad token, ``footer#footer``.
"""

from __future__ import annotations

from crawler.mirror.corpus import NUMERAMA_SECTIONS, Article, Corpus, slugify
from crawler.mirror.markup import Listing, esc, french_date, json_ld, token

PLUS_REASONS = (
    "Numerama+ contribue à offrir une expérience gratuite à tous les lecteurs de Numerama.",
    "Vous profiterez d'une lecture sans publicité, de nombreuses fonctions avancées de lecture et des contenus exclusifs.",
    "Aider Numerama dans sa mission : comprendre le présent pour anticiper l'avenir.",
)


def _head(title: str, extra: str, root: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr-FR" prefix="og: http://ogp.me/ns#">\n<head>\n<meta charset="UTF-8">\n'
        '<meta name="viewport" id="viewport" content="width=device-width, initial-scale=1, user-scalable=yes">\n'
        f"<title>{esc(title)}</title>\n{extra}"
        f'<link rel="alternate" type="application/rss+xml" title="Numerama &raquo; Flux" href="{root}/feed/" />\n'
        "</head>\n"
    )


def _chrome_top(root: str, body_class: str, active: str) -> str:
    nav = "".join(
        f'<li><a href="{root}/{slug}/" data-universeslug="{slug}" class="{"active" if slug == active else ""}">{esc(name)}</a></li>'
        for slug, name in NUMERAMA_SECTIONS.items())
    return (
        f'<body class="{body_class}">\n'
        '<div id="cmp-banner" class="cookie-consent" role="dialog"><p>Nous utilisons des cookies pour améliorer '
        "votre expérience, mesurer l'audience et afficher des publicités personnalisées.</p>"
        '<button class="cmp-accept">Accepter</button> <button class="cmp-refuse">Refuser</button></div>\n'
        '<div id="header-container">\n<nav class="wrap header-container">\n'
        f'<ul class="header-container_brand floatleft"><li class="header-container_brand-logo"><a href="{root}/">Numerama</a></li></ul>\n'
        f'<ul class="header-container_taxonomy floatleft">{nav}</ul>\n</nav>\n</div>\n<div id="ctBoc">\n'
    )


def _chrome_bottom(root: str) -> str:
    return (
        '</div>\n<footer id="footer"><div class="wrap"><ul class="footer-links">'
        f'<li><a href="{root}/mentions-legales/">Mentions légales</a></li>'
        f'<li><a href="{root}/feed/">Flux RSS</a></li><li>Numerama, un site du groupe Humanoid</li>'
        "</ul></div></footer>\n</body>\n</html>\n"
    )


def author_path(login: str) -> str:
    """URL path of an author page.

    Args:
        login: WordPress login of the author.

    Returns:
        ``/author/{login}/``.
    """
    return f"/author/{login}/"


def article_page(corpus: Corpus, article: Article, root: str) -> str:
    """Render a Numerama article.

    Args:
        corpus: the corpus (for related articles).
        article: the article.
        root: site root, e.g. ``http://127.0.0.1:8001``.

    Returns:
        The HTML document.
    """
    url = root + article.path
    pid = article.id
    seo_title = f"{article.title} - {article.section_name} - Numerama"
    authors = ", ".join(article.authors)
    tag_meta = "".join(f'<meta property="article:tag" content="{esc(t)}" />\n' for t in article.tags)
    ld = json_ld({
        "@context": "https://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url, "headline": article.title,
        "datePublished": article.published.isoformat(), "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": n, "url": root + author_path(k)}
                   for n, k in zip(article.authors, article.author_keys, strict=False)],
        "articleSection": article.section_name, "keywords": list(article.tags),
        "publisher": {"@type": "Organization", "name": "Numerama"},
    })
    meta = (
        f'<meta name="description" content="{esc(article.snippet)}"/>\n'
        f'<link rel="canonical" href="{esc(url)}" />\n'
        '<meta property="og:locale" content="fr_FR" />\n<meta property="og:type" content="article" />\n'
        f'<meta property="og:title" content="{esc(seo_title)}" />\n'
        f'<meta property="og:description" content="{esc(article.snippet)}" />\n'
        f'<meta property="og:url" content="{esc(url)}" />\n<meta property="og:site_name" content="Numerama" />\n'
        f"{tag_meta}"
        f'<meta property="article:section" content="{esc(article.section_name)}" />\n'
        f'<meta property="article:published_time" content="{article.published.isoformat()}" />\n'
        f'<meta property="article:modified_time" content="{article.modified.isoformat()}" />\n'
        f'<meta property="og:updated_time" content="{article.modified.isoformat()}" />\n'
        f'<meta name="author" content="{esc(authors)}" />\n{ld}\n'
    )
    byline = " et ".join(
        f'<span itemscope itemtype="https://schema.org/Person" itemprop="author"><a href="{root}{author_path(k)}" '
        f'rel="author"><span itemprop="name">{esc(n)}</span></a></span>'
        for n, k in zip(article.authors, article.author_keys, strict=False))
    first, *rest = article.paragraphs
    body = f'<p class="chapo">{esc(first)}</p>\n' + "\n".join(f"<p>{esc(p)}</p>" for p in rest)
    tags = "".join(f'<li><a href="{root}/tag/{slugify(t)}/">{esc(t)}</a></li>' for t in article.tags)
    reasons = "".join(f"<li><span>{n}</span> {esc(r)}</li>" for n, r in enumerate(PLUS_REASONS, start=1))
    related = "".join(
        '<article class="post-grid format-article">'
        '<div class="cover-preview floatleft"><div class="cover-preview_type cover-preview_article">Lire</div></div>'
        f'<h4><a href="{root}{corpus.articles[i].path}" title="{esc(corpus.articles[i].title)}">'
        f"{esc(corpus.articles[i].title)}</a></h4></article>\n"
        for i in article.related)
    stamp = article.published.strftime("%Y-%m-%d %H:%M:%S")
    rotation = article.ad_salt
    section_url = f"{root}/{article.section}/"
    return _head(seo_title, meta, root) + _chrome_top(
        root, f"single single-post postid-{pid} single-format-standard", article.section) + (
        f'<div class="article-container ajax-container" id="container-post{pid}" itemscope itemtype="http://schema.org/Article">\n'
        '<div class="wrap post-top-area">\n<div class="post-title">\n'
        f'<h1 itemprop="headline">{esc(article.title)}</h1>\n'
        f'<div class="post-author-bloc"><span class="post-author-bloc_text">{byline} - '
        f'<time itemprop="datePublished" datetime="{stamp}">{french_date(article.published)}</time>'
        f'<meta itemprop="dateModified" content="{article.modified.strftime("%Y-%m-%d %H:%M:%S")}">'
        f' <span class="hidden-tablet hidden-phone">- <a class="post-univers-url" href="{section_url}">'
        f"{esc(article.section_name)}</a></span></span></div>\n</div>\n"
        '<ul class="post-breadcrumb hidden-tablet hidden-phone">'
        f'<li class="post-breadcrumb_li"><a href="{root}/">Accueil</a></li>'
        f'<li class="post-breadcrumb_li"><a href="{section_url}">{esc(article.section_name)}</a></li>'
        f'<li class="post-breadcrumb_li"><a href="{url}">{esc(article.title)}</a></li></ul>\n</div>\n'
        f'<div id="p{pid}" class="wrap post">\n'
        f'<div class="top-bloc"><span id="current_header_box" data-ad-token="{token(article.path, "header" + rotation)}"></span></div>\n'
        f'<article class="post-content span8 tablet12 phone12">\n{body}\n'
        f'<div class="in-content-ad" data-ad-token="{token(article.path, "incontent" + rotation)}"></div>\n'
        f'<footer class="clearfix"><ul class="tags-list">{tags}</ul>'
        '<div class="comments-count"><a href="#commentaires" class="add-first-comment">'
        "Il n'y a pas de commentaire. En ajouter un ?</a></div></footer>\n"
        '<div class="numerama-plus"><p class="numerama-plus_title">+ rapide, + pratique, + exclusif</p>'
        "<p>Zéro publicité, fonctions avancées de lecture, articles résumés par l'I.A, contenus exclusifs et plus encore.</p>"
        "<p>Découvrez les nombreux avantages de Numerama+.</p>"
        '<p class="numerama-plus_counter">Vous avez lu 0 articles sur Numerama ce mois-ci</p>'
        "<p>Tout le monde n'a pas les moyens de payer pour l'information. C'est pourquoi nous maintenons notre "
        "journalisme ouvert à tous. Mais si vous le pouvez, voici trois bonnes raisons de soutenir notre travail :</p>"
        f"<ol>{reasons}</ol>"
        "<p>Si vous croyez en un web gratuit et à une information de qualité accessible au plus grand nombre, "
        f'<a href="{root}/numerama-plus/">rejoignez Numerama+</a>.</p></div>\n'
        '<div class="post-share"><header><p>Partager sur les réseaux sociaux</p></header><div class="share-buttons">'
        f'<a href="https://www.twitter.com/share?url={esc(url)}" class="twitter">Tweeter</a> '
        f'<a href="https://www.facebook.com/sharer/sharer.php?u={esc(url)}" class="facebook">Partager</a> '
        f'<a href="https://www.linkedin.com/shareArticle?mini=true&amp;url={esc(url)}" class="linkedin">Partager</a>'
        "</div></div>\n"
        '<p class="google-news-follow">Si vous avez aimé cet article, vous aimerez les suivants : ne les manquez pas '
        "en vous abonnant à Numerama sur Google News.</p>\n"
        "</article>\n"
        f'<section class="related-article"><header><h3>À lire aussi</h3></header>\n{related}</section>\n'
        "</div>\n</div>\n"
    ) + _chrome_bottom(root)


def listing_page(listing: Listing[Article], root: str) -> str:
    """Render a list of articles (home, section, tag, author and search pages).

    Args:
        listing: heading, entries (articles) and pagination links (absolute).
        root: site root.

    Returns:
        The HTML document.
    """
    entries = "".join(
        '<article class="post-grid format-article">'
        f'<h2><a href="{root}{a.path}">{esc(a.title)}</a></h2>'
        f'<p class="post-grid_excerpt">{esc(a.snippet)}</p>'
        f'<time datetime="{a.published.isoformat()}">{french_date(a.published)}</time></article>\n'
        for a in listing.entries)
    pager = ""
    if listing.prev_url:
        pager += f'<a class="prev page-numbers" href="{esc(listing.prev_url)}">Précédent</a> '
    if listing.pages > 1:
        pager += f'<span class="page-numbers current">{listing.page}</span> '
    if listing.next_url:
        pager += f'<a class="next page-numbers" href="{esc(listing.next_url)}">Suivant</a>'
    return _head(f"{listing.heading} - Numerama", "", root) + _chrome_top(root, "archive", "") + (
        f'<div class="wrap archive-header"><h1>{esc(listing.heading)}</h1></div>\n'
        f'<div class="wrap archive-posts">\n{entries or "<p>Aucun article ne correspond à votre recherche.</p>"}</div>\n'
        f'<nav class="navigation pagination">{pager}</nav>\n'
    ) + _chrome_bottom(root)


def not_found_page(root: str) -> str:
    """Render the 404 page.

    Args:
        root: site root.

    Returns:
        The HTML document.
    """
    return _head("Page non trouvée - Numerama", "", root) + _chrome_top(root, "error404", "") + (
        '<div class="wrap"><h1>Erreur 404</h1><p>Cette page n\'existe pas ou plus. '
        f'<a href="{root}/">Revenir à l\'accueil</a></p></div>\n'
    ) + _chrome_bottom(root)
