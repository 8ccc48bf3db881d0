"""HTML pages of the Clubic mirror, modelled on the real www.clubic.com article template.

Article page landmarks (class names of the real site):
``div.articleH1 > h1`` title; ``div#contenu > article.item-legacy`` article;
``div.AuthorBox`` byline (``div.author-infos`` author link, ``div.author-infos-date`` "Publié le …");
``div.body-filters__container`` body paragraphs; ``nav.pagination-article`` page links ("Page précédente" /
"Page suivante"); ``ul.breadcrumbs-tags`` tags; ``div.sponso-label`` ("Lire la charte de confiance");
``section.related-news`` ("À découvrir également :"); then, after the article, ``div.follow-us``
(Google Actualités / WhatsApp), ``div#commentaires`` ("Commentaires (N)"), ``div.community-block``
("Rejoignez la communauté Clubic"), ``div.newsletter-block``; chrome: ``div#didomi-host`` cookie banner,
``header``, ``div[id^=optidigital-adslot]`` ads, ``footer``.
"""

from __future__ import annotations

from crawler.mirror.corpus import Article, Corpus, slugify
from crawler.mirror.markup import Listing, esc, french_date, json_ld, token

NAV = (("/actualites-informatique/", "ACTUALITÉS"), ("/tag/cloud/", "CLOUD"), ("/tag/smartphone/", "SMARTPHONES"),
       ("/tag/jeux-video/", "JEUX VIDÉO"), ("/rechercher/?q=", "RECHERCHER"))


def author_path(name: str, key: str) -> str:
    """URL path of an author page.

    Args:
        name: display name.
        key: numeric author id.

    Returns:
        ``/auteur/{id}-{slug}.html``.
    """
    return f"/auteur/{key}-{slugify(name)}.html"


def _head(title: str, extra: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="UTF-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{esc(title)}</title>\n{extra}"
        '<link rel="alternate" type="application/rss+xml" title="Clubic" href="/feed/news.rss" />\n'
        "</head>\n"
    )


def _chrome_top(path: str, rotation: str = "") -> str:
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in NAV)
    return (
        '<body id="body" class="light-mode">\n'
        '<div id="didomi-host" class="didomi-cookie-banner" role="dialog">'
        "<p>Clubic et ses partenaires utilisent des cookies pour mesurer l'audience, personnaliser les contenus "
        "et vous proposer des publicités adaptées.</p>"
        '<button class="didomi-accept">Accepter &amp; fermer</button> <button class="didomi-refuse">Continuer sans accepter</button>'
        "</div>\n"
        '<header>\n<div class="header-content">\n<div class="logo"><a href="/" title="Retour Accueil">Clubic</a></div>\n'
        f'<div id="menu"><nav><ul class="header-content-topmenu">{nav}</ul></nav></div>\n</div>\n</header>\n'
        '<div id="ctBoc">\n<div class="grid-container content-wrapper">\n'
        '<div class="cell show-for-medium mt16" id="megaban-container">'
        f'<div id="optidigital-adslot-Billboard_1" class="Billboard_1" data-ad-token="{token(path, "billboard" + rotation)}"></div></div>\n'
    )


def _chrome_bottom() -> str:
    links = ("Mentions légales", "À propos", "Conditions générales d'utilisation", "Politique de confidentialité",
             "Archives", "Contact")
    items = "".join(f'<span class="obf-lien txt-nightblue txtuppercase fs11">{esc(x)}</span> ' for x in links)
    return (
        '</div>\n</div>\n<footer>\n<div class="grid-container"><div class="list-footer-rs">'
        '<span class="txtuppercase fs11">Suivez-nous</span></div>\n'
        f'<div class="list-footer fs15 pt10 pb20">{items}</div>\n'
        "<p>© Clubic SAS 2026</p></div>\n</footer>\n</body>\n</html>\n"
    )


def article_page(corpus: Corpus, article: Article, page: int, root: str) -> str:
    """Render one page of a Clubic article.

    Args:
        corpus: the corpus (for related articles).
        article: the article.
        page: page number, from 1.
        root: site root, e.g. ``http://127.0.0.1:8000``.

    Returns:
        The HTML document.
    """
    path = article.page_paths[page - 1]
    url = root + path
    wall = article.published.replace(tzinfo=None).isoformat()
    wall_mod = article.modified.replace(tzinfo=None).isoformat()
    authors = ", ".join(article.authors)
    ld = json_ld({
        "@context": "http://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url,
        "headline": article.title, "datePublished": wall + "Z", "dateModified": wall_mod + "Z",
        "author": [{"@type": "Person", "name": n} for n in article.authors],
        "articleSection": article.section_name, "keywords": ", ".join(article.tags),
        "publisher": {"@type": "Organization", "name": "Clubic"},
    })
    meta = (
        '<meta property="og:locale" content="fr_fr" />\n<meta property="og:site_name" content="Clubic.com" />\n'
        f'<meta property="og:title" content="{esc(article.title)}" />\n'
        f'<meta property="og:url" content="{esc(url)}" />\n<meta property="og:type" content="article" />\n'
        f'<meta property="og:description" content="{esc(article.snippet)}" />\n'
        f'<link rel="canonical" href="{esc(url)}" />\n'
        f'<meta name="news_keywords" content="{esc(", ".join(article.tags))}" />\n'
        f'<meta name="description" content="{esc(article.snippet)}" />\n'
        f'<meta name="author" content="{esc(authors)}" />\n'
        f'<meta property="article:author" content="{esc(authors)}" />\n'
        f'<meta property="article:published_time" content="{article.published.isoformat()}" />\n'
        f'<meta property="article:modified_time" content="{article.modified.isoformat()}" />\n'
        f'<meta property="article:section" content="{esc(article.section_name)}" />\n'
        f"{ld}\n"
    )
    byline_links = " et ".join(
        f'<a href="{author_path(n, k)}"><span>{esc(n)}</span></a>' for n, k in zip(article.authors, article.author_keys, strict=False))
    first_author = author_path(article.authors[0], article.author_keys[0])
    body = "\n".join(f"<p>{esc(p)}</p>" for p in article.page_paragraphs(page))
    pager = ""
    if article.pages > 1:
        links = []
        if page > 1:
            links.append(f'<a class="pagination-prev" rel="prev" href="{article.page_paths[page - 2]}">Page précédente</a>')
        links.append(f'<span class="pagination-current">Page {page}/{article.pages}</span>')
        if page < article.pages:
            links.append(f'<a class="pagination-next" rel="next" href="{article.page_paths[page]}">Page suivante</a>')
        pager = f'\n<nav class="pagination-article">{" ".join(links)}</nav>'
    tags = "".join(f'<li><a href="/tag/{slugify(t)}/">{esc(t)}</a></li>' for t in article.tags)
    related = "".join(
        f'<li><a href="{corpus.articles[i].path}" data-datalayer="widgetRelated">{esc(corpus.articles[i].title)}</a></li>'
        for i in article.related)
    comments = "".join(
        f'<li class="comment"><span class="comment-author">{esc(user)}</span><p class="comment-body">{esc(text)}</p></li>'
        for user, text in article.comments)
    ncom = len(article.comments)
    rotation = article.ad_salt
    return _head(f"{article.title}", meta) + _chrome_top(path, rotation) + (
        '<div class="cell mt16 fil-ariane"><ul id="wo-breadcrumbs" class="breadcrumbs breadcrumbs-default">'
        f'<li><a href="/"><span>Accueil</span></a></li><li><a href="/tag/{slugify(article.tags[0])}/"><span>'
        f'{esc(article.section_name)}</span></a></li></ul></div>\n'
        f'<div class="cell mt16 articleH1"><h1>{esc(article.title)}</h1></div>\n'
        '<div class="cell medium-8" id="contenu">\n<article class="item-legacy">\n'
        '<div class="grid-x mt16 mb16 AuthorBox align-middle">\n'
        f'<div class="cell auto fs14 txtleft lh10 txt-nightblue author-bloc"><a href="{first_author}" class="author-avatar" '
        f'title="{esc(article.authors[0])}"></a>\n<div class="author-infos"><div class="bold dflex align-middle">{byline_links}</div>\n'
        f'<div class="author-infos-date">Publié le {french_date(article.published)}</div></div></div>\n'
        f'<div class="cell shrink txtright comments-bloc"><a href="#commentaires" class="discourse-comments-count tag-comments-count">{ncom}</a></div>\n'
        "</div>\n"
        '<div class="grid-x grid-padding-x text"><div class="cell cell-legacy body-filters__container mod-summary">\n'
        f"{body}{pager}\n</div></div>\n"
        f'<section class="related-news"><div class="title-div">À découvrir également :</div><ul>{related}</ul></section>\n'
        f'<div class="grid-x mt16 align-justify align-middle"><ul class="breadcrumbs breadcrumbs-tags">{tags}</ul></div>\n'
        '<div class="grid-x mt16"><div class="sponso-label">Cet article contient des liens d\'affiliation, ce qui signifie '
        "qu'une commission peut être reversée à Clubic. Les prix mentionnés sont susceptibles d'évoluer.<br />"
        'Lire <a href="/clubic/dossier-369336-a-propos-.html" target="_blank">la charte de confiance</a></div></div>\n'
        "</article>\n"
        '<div class="follow-us"><p>Vous êtes un utilisateur de Google Actualités ou de WhatsApp ?</p>'
        "<p>Suivez-nous pour ne rien rater de l'actu tech !</p></div>\n"
        f'<div id="commentaires" class="grid-x mt16"><div class="cell discourse-comments">'
        f'<h2 class="comments-title">Commentaires ({ncom})</h2><ul class="comments-list">{comments}</ul></div></div>\n'
        '<div class="community-block"><div class="title-div">Rejoignez la communauté Clubic</div>'
        "<p>Rejoignez la communauté des passionnés de nouvelles technologies. Venez partager votre passion et débattre "
        "de l'actualité avec nos membres qui s'entraident et partagent leur expertise quotidiennement.</p></div>\n"
        '<div class="newsletter-block"><div class="title-div">Abonnez-vous à notre newsletter !</div>'
        "<p>Recevez un résumé quotidien de l'actu technologique.</p>"
        '<form class="newsletter-form"><input type="email" name="email" placeholder="Votre adresse e-mail" />'
        '<button type="submit">S\'inscrire</button></form>'
        '<p class="newsletter-legal">Désinscrivez-vous via le lien de désinscription présent sur nos newsletters ou '
        "écrivez à : newsletter@clubic.example. En savoir plus sur le traitement de données personnelles.</p></div>\n"
        '<div class="grid-x grid-margin-x ads mt16"><div class="cell">'
        f'<div id="optidigital-adslot-Content_Bottom" class="Content_Bottom" data-ad-token="{token(path, "bottom" + rotation)}"></div>'
        "</div></div>\n</div>\n"
    ) + _chrome_bottom()


def listing_page(listing: Listing[Article], path: str) -> str:
    """Render a list of articles (home, news, tag, author and search pages).

    Args:
        listing: heading, entries (articles) and pagination links.
        path: the request path (for the ad token).

    Returns:
        The HTML document.
    """
    entries = "".join(
        '<div class="grid-x posts">'
        f'<a href="{a.path}" class="cell" data-vr-excerpttitle><h3 class="titre">{esc(a.title)}</h3></a>'
        f'<div class="cell auto post-infos"><p class="post-excerpt">{esc(a.snippet)}</p>'
        f'<time datetime="{a.published.isoformat()}">{french_date(a.published)}</time></div></div>\n'
        for a in listing.entries)
    pager = ""
    if listing.prev_url:
        pager += f'<a class="pagination-prev" rel="prev" href="{esc(listing.prev_url)}">Page précédente</a> '
    if listing.pages > 1:
        pager += f'<span class="pagination-current">Page {listing.page}/{listing.pages}</span> '
    if listing.next_url:
        pager += f'<a class="pagination-next" rel="next" href="{esc(listing.next_url)}">Page suivante</a>'
    return _head(f"{listing.heading} - Clubic", "") + _chrome_top(path) + (
        f'<div class="cell mt16 articleH1"><h1>{esc(listing.heading)}</h1></div>\n'
        f'<div class="cell mt25 news-feed">\n{entries or "<p>Aucun résultat.</p>"}</div>\n'
        f'<nav class="pagination">{pager}</nav>\n'
    ) + _chrome_bottom()


def not_found_page(path: str) -> str:
    """Render the 404 page.

    Args:
        path: the missing path.

    Returns:
        The HTML document.
    """
    return _head("Page introuvable - Clubic", "") + _chrome_top(path) + (
        '<div class="cell mt16 articleH1"><h1>Oups, cette page n\'existe pas</h1></div>\n'
        '<p>La page demandée est introuvable. <a href="/">Retour à l\'accueil</a></p>\n'
    ) + _chrome_bottom()
