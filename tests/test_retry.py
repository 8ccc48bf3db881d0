"""BackoffRetry built from a crawler and called directly: Retry-After, backoff, a failing site paused."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DownloadConnectionRefusedError, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.addon import ADDON
from crawler.middlewares.retry import BackoffRetry, retry_after
from crawler.signals import attempt_failed


def middleware(**settings) -> BackoffRetry:
    crawler = get_crawler(Spider, settings_dict={"ADDONS": {ADDON: 0}, "RETRY_BACKOFF_BASE": 0.01, "RETRY_TIMES": 3, **settings})
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
    retry = middleware(RETRY_SITE_PAUSE_AFTER=3, RETRY_SITE_PAUSE_SECONDS=0.5, RETRY_TIMES=10)
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw["wait"]), signal=attempt_failed, weak=False)
    request = Request("http://down.test/x.html")
    waits = [timed(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))[1]
             for _ in range(2)]
    before = time.monotonic()
    waits.append(timed(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))[1])
    assert announced == [0.01, 0.01, 0.5]  # the third failure in a row pauses the site: the pause is the wait
    assert waits[2] >= 0.5
    assert retry.crawler.stats.get_value("retry/site_paused") == 1
    assert retry.failures["down.test"] == 0  # counted again from the pause on
    assert retry.paused_until["down.test"] >= before + 0.5  # set to the pause's end: when it began + 0.5 s
    assert retry.crawler.stats.get_value("retry/reason_count/503 Service Unavailable") == 3

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


def test_retry_after_as_an_http_date_counts_from_now_both_ways():
    soon = email.utils.formatdate(time.time() + 3600, usegmt=True).encode()
    past = email.utils.formatdate(time.time() - 3600, usegmt=True).encode()
    assert 3590 <= retry_after(soon, cap=7200) <= 3600  # a future date: wait until then
    assert retry_after(soon, cap=60) == 60.0  # capped
    assert retry_after(past, cap=60) == 0.0  # a date already gone: no wait, never a negative one
    assert retry_after(b"Wed, 99 Foo 2026 25:61:00 GMT", cap=60) is None
    assert retry_after(b" 7 ", cap=60) == 7.0 and retry_after(b"", cap=60) is None
    assert retry_after(b"-5", cap=60) is None  # not delta-seconds, not a date


def test_a_retry_after_date_is_the_wait_announced():
    retry = middleware(RETRY_BACKOFF_MAX=0.5)
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw), signal=attempt_failed, weak=False)
    request = Request("http://site.test/d.html")
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    response = HtmlResponse(request.url, status=503, headers={"Retry-After": when}, request=request)
    result = asyncio.run(retry.process_response(request, response))
    assert isinstance(result, Request) and [a["wait"] for a in announced] == [0.5]  # the cap, not the backoff
    assert announced[0]["reason"] == "503 Service Unavailable" and announced[0]["attempt"] == 1
    assert announced[0]["retry"] is True and retry.crawler.stats.get_value("retry/attempt_failures") == 1


def test_the_last_attempt_is_announced_without_a_wait():
    retry = middleware(RETRY_TIMES=1)
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw), signal=attempt_failed, weak=False)
    request = Request("http://site.test/e.html", meta={"retry_times": 1})
    response = HtmlResponse(request.url, status=503, request=request)
    assert asyncio.run(retry.process_response(request, response)) is response  # retries used up
    assert [(a["attempt"], a["retry"], a["wait"]) for a in announced] == [(2, False, 0.0)]


def test_a_status_not_retried_or_dont_retry_passes_and_resets_the_failures():
    retry = middleware()
    request = Request("http://site.test/f.html")
    asyncio.run(retry.process_response(request, HtmlResponse(request.url, status=503, request=request)))
    assert retry.failures["site.test"] == 1
    not_found = HtmlResponse(request.url, status=404, request=request)
    assert asyncio.run(retry.process_response(request, not_found)) is not_found
    assert retry.failures["site.test"] == 0 and "site.test" in retry.answered
    held = Request("http://site.test/g.html", meta={"dont_retry": True})
    unavailable = HtmlResponse(held.url, status=503, request=held)
    assert asyncio.run(retry.process_response(held, unavailable)) is unavailable


def test_a_host_that_never_answered_is_given_up_at_once_one_that_did_is_retried():
    retry = middleware()
    announced = []
    retry.crawler.signals.connect(lambda **kw: announced.append(kw), signal=attempt_failed, weak=False)
    refused = DownloadConnectionRefusedError("Connection was refused by other side: 111")
    request = Request("http://down.test/a.html")
    assert asyncio.run(retry.process_exception(request, refused)) is None
    assert [(a["attempt"], a["retry"], a["wait"]) for a in announced] == [(1, False, 0.0)]
    assert announced[0]["reason"].startswith("DownloadConnectionRefusedError: ")
    assert retry.crawler.stats.get_value("retry/attempt_failures") is None
    retry.answered.add("down.test")
    again = asyncio.run(retry.process_exception(request, refused))
    assert isinstance(again, Request) and again.meta["retry_times"] == 1 and announced[-1]["retry"] is True
    assert announced[0]["request"] is request and announced[-1]["request"] is request
    assert announced[-1]["reason"] == announced[0]["reason"] == f"DownloadConnectionRefusedError: {refused}"
    assert asyncio.run(retry.process_exception(request, ValueError("not a download error"))) is None
    timeout = TimeoutError("took too long")
    held = Request("http://down.test/b.html", meta={"dont_retry": True})
    assert asyncio.run(retry.process_exception(held, timeout)) is None


def test_a_paused_site_holds_its_requests_and_counts_them():
    retry = middleware()
    # Paused for an hour: the request is held however slow the machine is (a 50 ms pause could end before the
    # request arrives on a loaded machine, and the request then passes uncounted).
    retry.paused_until["down.test"] = time.monotonic() + 3600

    async def two_requests() -> bool:
        """Send a request to the paused site, then one to another site; tell whether the first is still held."""
        held = asyncio.ensure_future(retry.process_request(Request("http://down.test/z.html")))
        await asyncio.sleep(0)  # one loop step: the held request is asleep in its pause
        await retry.process_request(Request("http://up.test/z.html"))  # another site is not held
        still_held = not held.done()
        held.cancel()
        return still_held

    assert asyncio.run(two_requests())
    assert retry.crawler.stats.get_value("retry/paused_requests") == 1  # the held one only


def test_a_pause_with_less_than_a_second_left_still_holds_the_request():
    retry = middleware()

    async def held_in_one_step() -> tuple[bool, float]:
        """Pause the site for 1 s from now, send it a request; tell whether it is held, and the time it took."""
        set_at = time.monotonic()
        retry.paused_until["down.test"] = set_at + 1.0
        request = asyncio.ensure_future(retry.process_request(Request("http://down.test/w.html")))
        await asyncio.sleep(0)  # one loop step: the request has read the pause (under 1 s left) and sleeps, or passed
        held = not request.done()
        request.cancel()
        return held, time.monotonic() - set_at

    # An attempt counts only if the step took under the second (a loaded machine may stall longer; 5 tries): then the
    # request read a pause of less than 1 s but more than 0, and must be held.
    attempts = [asyncio.run(held_in_one_step()) for _ in range(5)]
    timely = [held for held, took in attempts if took < 1.0]
    assert timely and all(timely)
    assert retry.crawler.stats.get_value("retry/paused_requests") == sum(held for held, _ in attempts)


def test_retry_enabled_false_switches_it_off():
    crawler = get_crawler(Spider, settings_dict={"RETRY_ENABLED": False})
    with pytest.raises(NotConfigured):
        BackoffRetry.from_crawler(crawler)


def test_the_defaults_of_the_settings():
    crawler = get_crawler(Spider, settings_dict={"ADDONS": {ADDON: 0}})
    retry = BackoffRetry.from_crawler(crawler)
    assert (retry.base, retry.cap, retry.pause_after, retry.pause_seconds) == (0.5, 60.0, 10, 30.0)
    assert retry.failures == {} and retry.paused_until == {} and retry.answered == set()
