"""out_of_scope's exact reasons and the SiteScope middleware built from a crawler and called directly."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.test import get_crawler

from crawler.addon import ADDON
from crawler.middlewares.scope import SiteScope, out_of_scope
from crawler.profiles import get_profile
from crawler.signals import attempt_failed

HOSTS = frozenset({"www.numerama.com", "127.0.0.1:8000", "secure.test:8443"})


@pytest.mark.parametrize(("url", "reason"), [
    ("https://www.numerama.com/tech/1-a.html", None),
    ("http://www.numerama.com:80/tech/1-a.html", None),  # the scheme's default port is no port
    ("https://WWW.Numerama.COM:443/a", None),  # host names fold case
    ("http://127.0.0.1:8000/a", None),
    ("https://secure.test:8443/a", None),
    ("file:///etc/passwd", "scheme 'file' is not http(s)"),
    ("//www.numerama.com/a", "scheme 'none' is not http(s)"),
    ("HTTP://www.numerama.com/a", None),  # urlsplit folds the scheme
    ("http://user@www.numerama.com/a", "credentials in the URL"),
    ("http://www.numerama.com:99999/a", "bad port"),
    ("http://www.numerama.com:8080/a", "host 'www.numerama.com:8080' is not one of the site's hosts"),
    ("https://www.numerama.com:80/a", "host 'www.numerama.com:80' is not one of the site's hosts"),
    ("http://127.0.0.1/a", "host '127.0.0.1' is not one of the site's hosts"),
    ("http://127.0.0.1:8001/a", "host '127.0.0.1:8001' is not one of the site's hosts"),
    ("http:///a", "host 'none' is not one of the site's hosts"),
])
def test_out_of_scope_reasons(url, reason):
    assert out_of_scope(url, HOSTS) == reason


def test_a_url_with_its_default_port_matches_a_host_listed_with_it():
    assert out_of_scope("https://www.example.org:443/a", frozenset({"www.example.org:443"})) is None
    assert out_of_scope("https://www.example.org:443/a", frozenset({"www.example.org"})) is None
    assert out_of_scope("http://www.example.org:443/a", frozenset({"www.example.org:443"})) is None


def test_a_url_without_its_port_matches_a_host_listed_with_the_default_port():
    assert out_of_scope("https://www.example.org/a", frozenset({"www.example.org:443"})) is None
    assert out_of_scope("http://www.example.org/a", frozenset({"www.example.org:80"})) is None
    assert out_of_scope("http://www.example.org/a", frozenset({"www.example.org:443"})) is not None


class _Site(Spider):
    name = "numerama"
    profile = get_profile("numerama", {"numerama": "http://127.0.0.1:8000"})


def middleware(spider_class: type[Spider] = _Site, **settings) -> SiteScope:
    crawler = get_crawler(spider_class, settings_dict={"ADDONS": {ADDON: 0}, **settings})
    crawler.spider = spider_class.from_crawler(crawler)
    crawler.stats.open_spider()
    return SiteScope.from_crawler(crawler)


def test_in_scope_requests_pass_and_others_are_refused_with_the_reason():
    scope = middleware()
    failed = []
    scope.crawler.signals.connect(lambda **kw: failed.append({k: v for k, v in kw.items() if k != "sender"}),
                                  signal=attempt_failed, weak=False)
    assert scope.process_request(Request("http://127.0.0.1:8000/tech/1-a.html")) is None
    assert scope.crawler.stats.get_value("scope/refused") is None and failed == []
    request = Request("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(IgnoreRequest, match=r"^out of scope: host '169\.254\.169\.254' is not one of"):
        scope.process_request(request)
    assert scope.crawler.stats.get_value("scope/refused") == 1
    assert failed == [{"signal": attempt_failed, "request": request,
                       "reason": "out of scope: host '169.254.169.254' is not one of the site's hosts",
                       "attempt": 1, "retry": False, "wait": 0.0}]
    with pytest.raises(IgnoreRequest):
        scope.process_request(Request("http://127.0.0.1:8001/"))
    assert scope.crawler.stats.get_value("scope/refused") == 2


def test_a_spider_without_a_profile_is_not_scoped():
    class Bare(Spider):
        name = "bare"

    assert middleware(Bare).process_request(Request("http://169.254.169.254/")) is None


def test_scope_enabled_false_switches_it_off():
    crawler = get_crawler(_Site, settings_dict={"SCOPE_ENABLED": False})
    with pytest.raises(NotConfigured, match="^SCOPE_ENABLED is off$"):
        SiteScope.from_crawler(crawler)
    assert isinstance(middleware(SCOPE_ENABLED=True), SiteScope)


class _SiteWithCdn(Spider):
    name = "numerama"
    profile = get_profile("numerama", {"numerama": "http://127.0.0.1:8000"},
                          cdn_roots={"numerama": "http://127.0.0.1:8002"})


def test_requisites_and_robots_txt_may_also_go_to_the_cdn_hosts():
    scope = middleware(_SiteWithCdn)
    assert scope.process_request(Request("http://127.0.0.1:8002/img/a.png", meta={"kind": "requisite"})) is None
    assert scope.process_request(Request("http://127.0.0.1:8002/robots.txt")) is None
    assert scope.process_request(Request("http://127.0.0.1:8000/css/site.css", meta={"kind": "requisite"})) is None
    for request in (Request("http://127.0.0.1:8002/tech/1-a.html"),  # a page, not a requisite
                    Request("http://127.0.0.1:8002/img/a.png", meta={"kind": "page"}),
                    Request("http://127.0.0.1:8003/img/a.png", meta={"kind": "requisite"})):  # not the CDN's port
        with pytest.raises(IgnoreRequest, match=r"^out of scope: host '127\.0\.0\.1:800[23]' is not one of the site's "
                                                r"hosts$"):
            scope.process_request(request)
    assert scope.crawler.stats.get_value("scope/refused") == 3
