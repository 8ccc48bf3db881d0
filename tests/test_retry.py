"""BackoffRetry built from a crawler and called directly: Retry-After, backoff, a failing site paused."""

from __future__ import annotations

import asyncio
import time

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.retry import BackoffRetry, attempt_failed, retry_after


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
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw["wait"]), signal=attempt_failed, weak=False)
    request = Request("http://site.test/a.html")
    response = HtmlResponse(request.url, status=429, headers={"Retry-After": "1"}, request=request)
    result, waited = timed(retry.process_response(request, response))
    assert isinstance(result, Request) and result.meta["retry_times"] == 1
    assert announced == [1.0]  # Retry-After, not the 0.01 s backoff
    assert waited >= 1.0  # and really slept (a loaded machine only makes it longer)


def test_backoff_doubles_and_success_passes_through():
    retry = middleware(RETRY_BACKOFF_BASE=0.1)
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw["wait"]), signal=attempt_failed, weak=False)
    request = Request("http://site.test/b.html")
    _, first = timed(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))
    again = request.replace(meta={"retry_times": 1})
    _, second = timed(retry.process_response(again, HtmlResponse(request.url, status=503, request=again)))
    assert announced == [0.1, 0.2]  # the wait doubles: 0.1 s, then 0.2 s
    assert first >= 0.1 and second >= 0.2  # and is really slept (a loaded machine only makes it longer)
    ok = HtmlResponse(request.url, status=200, request=request)
    assert asyncio.run(retry.process_response(request, ok)) is ok


def test_a_site_failing_again_and_again_is_paused():
    retry = middleware(SITE_PAUSE_AFTER=3, SITE_PAUSE_SECONDS=0.5, RETRY_TIMES=10)
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw["wait"]), signal=attempt_failed, weak=False)
    request = Request("http://down.test/x.html")
    waits = [timed(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))[1]
             for _ in range(3)]
    assert announced[:2] == [0.01, 0.01] and announced[2] >= 0.5  # the third failure in a row pauses the site
    assert waits[2] >= 0.5
    assert retry.crawler.stats.get_value("retry/site_paused") == 1

    async def one_step_of_two_requests() -> tuple[bool, bool]:
        """Start a request to another site and one to the paused site; tell which finished in one loop step."""
        retry.paused_until["down.test"] = time.monotonic() + 60
        other = asyncio.ensure_future(retry.process_request(Request("http://up.test/y.html")))
        paused = asyncio.ensure_future(retry.process_request(Request("http://down.test/y.html")))
        await asyncio.sleep(0)  # one step: a request that does not wait is done, a waiting one is asleep
        done = other.done(), paused.done()
        paused.cancel()
        return done

    assert asyncio.run(one_step_of_two_requests()) == (True, False)  # only the failing site waits
