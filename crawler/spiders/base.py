"""ProfileSpider: a thin spider driven by a site profile (discovery through robots.txt and sitemaps)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.items import ArticleItem, PageData
from crawler.profiles import SiteProfile, get_profile

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

SITEMAP_MAX_SIZE = 50 * 1024 * 1024


class ProfileSpider(scrapy.Spider):
    """Base of every site spider; subclasses only set ``name`` (the profile's name)."""

    profile: SiteProfile

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProfileSpider:
        """Build the spider with its profile, pointed at ``SOUVERAIN_SITE_ROOTS[name]`` when set."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.profile = get_profile(cls.name, crawler.settings.getdict("SOUVERAIN_SITE_ROOTS"))
        spider.allowed_domains = sorted({host.split(":")[0] for host in spider.profile.hosts})
        spider.sources = {}  # article URL -> discovery sources
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Start from robots.txt (its ``Sitemap:`` lines) or the profile's sitemaps."""
        if self.profile.robots_sitemaps:
            yield scrapy.Request(self.profile.url("/robots.txt"), callback=self.parse_robots,
                                 errback=self.on_robots_error, dont_filter=True)
        else:
            for request in self.sitemap_requests(self.profile.url(p) for p in self.profile.sitemaps):
                yield request

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the ``Sitemap:`` lines of robots.txt, or the profile's sitemaps when there are none."""
        urls = [u for u in sitemap_urls_from_robots(response.body, base_url=response.url) if self.profile.is_own(u)]
        self.crawler.stats.inc_value("discovery/robots/sitemaps", len(urls))
        yield from self.sitemap_requests(urls or (self.profile.url(p) for p in self.profile.sitemaps))

    def on_robots_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """Fall back to the profile's sitemaps when robots.txt cannot be had."""
        self.on_start_error(failure)
        yield from self.sitemap_requests([self.profile.url(p) for p in self.profile.sitemaps])

    def sitemap_requests(self, urls: Iterator[str] | list[str]) -> Iterator[scrapy.Request]:
        """Return requests for sitemap (or sitemap index) URLs."""
        for url in urls:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_start_error)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Read a sitemap index (→ more sitemaps) or a urlset (→ article requests)."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=SITEMAP_MAX_SIZE)
        sitemap = Sitemap(body)
        locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            yield from self.sitemap_requests([u for u in locs if self.profile.is_own(u)])
            return
        for url in locs:
            yield from self.article_request(url, "sitemap")

    def article_request(self, url: str, source: str) -> Iterator[scrapy.Request]:
        """Yield a request for an article URL unless seen before; record every source that found it."""
        self.crawler.stats.inc_value(f"discovery/{source}/urls")
        seen = self.sources.get(url)
        if seen is not None:
            seen.add(source)
            self.crawler.stats.inc_value("discovery/duplicates")
            return
        if self.profile.match_article(url) is None:
            self.crawler.stats.inc_value("discovery/not_article")
            return
        self.sources[url] = {source}
        yield scrapy.Request(url, callback=self.parse_article, cb_kwargs={"first_url": url, "pages": []})

    def parse_article(self, response: Response, first_url: str, pages: list[PageData]) -> Iterator[Any]:
        """Collect an article page; follow ``Page suivante`` for multi-page pieces, then yield the item."""
        pages = [*pages, PageData(
            url=response.url,
            body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            capture=response.meta.get("capture"),
        )]
        next_url = self.next_page_url(response, pages)
        if next_url:
            yield response.follow(next_url, callback=self.parse_article,
                                  cb_kwargs={"first_url": first_url, "pages": pages})
            return
        yield ArticleItem(site=self.name, url=first_url, pages=pages,
                          discovered_via=sorted(self.sources.get(first_url, ())))

    def next_page_url(self, response: Response, pages: list[PageData]) -> str | None:
        """Return the next page of a multi-page article, if the profile describes one and it is new."""
        if not self.profile.next_page or "page" not in (self.profile.match_article(response.url) or {}):
            return None
        href = response.xpath(self.profile.next_page).get()
        if not href:
            return None
        url = response.urljoin(href)
        known = {p.url for p in pages}
        return url if url not in known and self.profile.match_article(url) else None

    def on_start_error(self, failure: Failure) -> None:
        """Count a failed robots.txt or sitemap fetch (the run report names the site)."""
        self.crawler.stats.inc_value("discovery/errors")
        self.crawler.stats.set_value("discovery/last_error", f"{failure.request.url}: {failure.getErrorMessage()}")
