"""BackoffRetry built from a crawler and called directly: Retry-After, backoff, a failing site paused."""

from __future__ import annotations

import asyncio
import time

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.retry import BackoffRetry, retry_after


def middleware(**settings) -> BackoffRetry:
    crawler = get_crawler(Spider, settings_dict={"RETRY_BACKOFF_BASE": 0.01, "RETRY_TIMES": 3, **settings})
    crawler.spider = Spider.from_crawler(crawler, name="test")
    crawler.stats.open_spider()
    return BackoffRetry.from_crawler(crawler)


def timed(coroutine) -> tuple[object, float]:
    started = time.monotonic()
    result = asyncio.run(coroutine)
    return result, time.monotonic() - started


def test_retry_after_header():
    assert retry_after(b"2", cap=60) == 2.0
    assert retry_after(b"3600", cap=60) == 60.0
    assert retry_after(None, cap=60) is None
    assert retry_after(b"soon", cap=60) is None


def test_a_429_waits_what_retry_after_asks():
    retry = middleware()
    request = Request("http://site.test/a.html")
    response = HtmlResponse(request.url, status=429, headers={"Retry-After": "1"}, request=request)
    result, waited = timed(retry.process_response(request, response))
    assert isinstance(result, Request) and result.meta["retry_times"] == 1
    assert 0.9 <= waited < 2


def test_backoff_doubles_and_success_passes_through():
    retry = middleware(RETRY_BACKOFF_BASE=0.1)
    request = Request("http://site.test/b.html")
    _, first = timed(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))
    again = request.replace(meta={"retry_times": 1})
    _, second = timed(retry.process_response(again, HtmlResponse(request.url, status=503, request=again)))
    assert 0.09 <= first < 0.3 and 0.19 <= second < 0.5 and second > 1.5 * first  # 0.1 s, then 0.2 s
    ok = HtmlResponse(request.url, status=200, request=request)
    assert asyncio.run(retry.process_response(request, ok)) is ok


def test_a_site_failing_again_and_again_is_paused():
    retry = middleware(SITE_PAUSE_AFTER=3, SITE_PAUSE_SECONDS=0.5, RETRY_TIMES=10)
    request = Request("http://down.test/x.html")
    waits = [timed(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))[1]
             for _ in range(3)]
    assert waits[2] >= 0.45 > waits[0]  # the third failure in a row pauses the site
    assert retry.crawler.stats.get_value("retry/site_paused") == 1

    async def two_requests_during_a_pause() -> tuple[float, float]:
        retry.paused_until["down.test"] = time.monotonic() + 0.3
        started = time.monotonic()
        await retry.process_request(Request("http://up.test/y.html"))
        other = time.monotonic() - started
        await retry.process_request(Request("http://down.test/y.html"))
        return other, time.monotonic() - started

    other, paused = asyncio.run(two_requests_during_a_pause())
    assert other < 0.05 and paused >= 0.25  # only the failing site waits
