"""Units of the distributed mode: JSON requests, the Redis URL check, leases on a real redis-server."""

from __future__ import annotations

from pathlib import Path

import pytest
import scrapy
from redis import Redis
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from archive.warc.writer import Capture
from crawler.distributed import serializer
from crawler.distributed.leases import Leases
from crawler.distributed.runs import RedisUrlError, check_redis_url, joined_run, worker_settings
from crawler.items import PageData
from crawler.spiders.sites import spider_class
from tests.conftest import free_port, souverain
from tests.redisserver import RedisServer, redis_server


@pytest.fixture(scope="module")
def redis() -> RedisServer:
    with redis_server() as server:
        yield server


def article_request(spider: scrapy.Spider) -> scrapy.Request:
    return scrapy.Request("http://127.0.0.1:8000/actualite-1-x.html", callback=spider.parse_article,
                          errback=spider.on_article_error, priority=40, headers={"If-None-Match": b'"\xff1"'},
                          meta={"kind": "article", "lastmod": None, "$weird": 1, "previous": CAPTURE},
                          cb_kwargs={"first_url": "http://127.0.0.1:8000/actualite-1-x.html",
                                     "pages": [PageData("http://127.0.0.1:8000/a", b"\x00\xffbody", "text/html",
                                                        CAPTURE)]})


CAPTURE = Capture(warc_file="souverain-1.warc.gz", offset=120, length=None, record_id="<urn:uuid:1>",
                  payload_digest="sha1:AAAA", fetch_time="2026-12-01T10:00:00Z", status=200,
                  url="http://127.0.0.1:8000/a", revisit="server-not-modified")


def test_a_request_goes_through_json_whole(tmp_path: Path) -> None:
    crawler = get_crawler(spider_class("clubic"), {"SOUVERAIN_OUT_DIR": str(tmp_path), "STATE_ENABLED": False})
    spider = crawler._create_spider()
    request = article_request(spider)
    text = serializer.dumps(request.to_dict(spider=spider))
    assert "pickle" not in text and text.startswith("{")
    back = request_from_dict(serializer.loads(text), spider=spider)
    assert back.to_dict(spider=spider) == request.to_dict(spider=spider)
    assert back.cb_kwargs["pages"][0].body == b"\x00\xffbody"
    assert back.callback.__name__ == "parse_article"
    assert back.meta["previous"] == CAPTURE and back.cb_kwargs["pages"][0].capture == CAPTURE


def test_what_json_cannot_carry_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot store a object"):
        serializer.dumps({"url": "http://a/", "meta": {"x": object()}})
    with pytest.raises(ValueError):
        serializer.loads('["no request"]')
    with pytest.raises(ValueError):
        serializer.loads(b"\x80\x04\x95pickle")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "redis://localhost/1", "redis://[::1]:6379",
                                 "redis://:secret@10.0.0.5:6379/0", "rediss://user:pw@redis.example.org:6380",
                                 "redis://10.0.0.5/0?password=pw", "unix:///run/redis.sock"])
def test_safe_redis_urls_pass(url: str) -> None:
    check_redis_url(url)


@pytest.mark.parametrize(("url", "message"), [
    ("redis://10.0.0.5:6379/0", "needs a password"),
    ("redis://redis.example.org", "needs a password"),
    ("redis://user@0.0.0.0:6379", "needs a password"),
    ("http://127.0.0.1:6379", "expected redis://"),
    ("redis://127.0.0.1:notaport", "Port"),
    ("redis:///0", "no host"),
])
def test_unsafe_redis_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(RedisUrlError, match=message):
        check_redis_url(url)


def test_worker_settings_scope_keys_by_run_and_never_pickle() -> None:
    settings = worker_settings("redis://127.0.0.1:6379/0", "RUN", 0.5)
    assert settings["SCHEDULER_QUEUE_KEY"] == "souverain:RUN:%(spider)s:requests"
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == "souverain:RUN:%(spider)s:dupefilter"
    assert settings["SCHEDULER_SERIALIZER"] == "crawler.distributed.serializer"
    assert settings["SCHEDULER_PERSIST"] is True
    assert settings["SCHEDULER_QUEUE_CLASS"] == "scrapy_redis.queue.PriorityQueue"
    assert (settings["DISTRIBUTED_DELAY"], settings["DOWNLOAD_DELAY"]) == (0.5, 0.0)  # the shared schedule spaces


def test_a_lease_holds_a_popped_request_until_released(redis: RedisServer) -> None:
    server = Redis.from_url(redis.url)
    server.zadd("q1", {"{\"url\": \"http://a/1\"}": -10, "{\"url\": \"http://a/2\"}": -5})
    alive = Leases(server, "q1", "w-alive", ttl=60)
    lease, data = alive.take()
    assert data == '{"url": "http://a/1"}'  # the highest priority first, as scrapy-redis's PriorityQueue
    assert server.zcard("q1") == 1 and alive.pending() == 1
    assert alive.renew([lease]) == 1
    assert Leases(server, "q1", "w-other", ttl=60).release([lease]) == 0  # only its worker drops a lease
    assert alive.return_expired() == 0  # renewed: not expired
    assert alive.release([lease]) == 1 and alive.pending() == 0
    assert server.zcard("q1") == 1 and alive.takeovers() == []


def test_an_expired_lease_returns_its_request_with_a_takeover_record(redis: RedisServer) -> None:
    server = Redis.from_url(redis.url)
    server.zadd("q2", {'{"url": "http://a/3"}': -7})
    dead = Leases(server, "q2", "w-dead", ttl=0)  # its deadline is already past: a worker that never renews
    lease, _ = dead.take()
    other = Leases(server, "q2", "w-other", ttl=60)
    assert other.return_expired() == 1
    assert server.zrange("q2", 0, -1, withscores=True) == [(b'{"url": "http://a/3"}', -7.0)]
    assert [(t.url, t.worker, t.by) for t in other.takeovers()] == [("http://a/3", "w-dead", "w-other")]
    assert dead.renew([lease]) == 0  # too late: the lease is gone


def test_a_stopping_worker_returns_what_it_holds(redis: RedisServer) -> None:
    server = Redis.from_url(redis.url)
    server.zadd("q3", {'{"url": "http://a/4"}': 0, '{"url": "http://a/5"}': 1})
    leaving = Leases(server, "q3", "w-leaving", ttl=60)
    leaving.take()
    leaving.take()
    assert server.zcard("q3") == 0
    assert leaving.return_own() == 2
    assert server.zcard("q3") == 2 and leaving.takeovers() == [] and leaving.pending() == 0


def test_workers_started_alike_join_one_run_and_the_last_closes_it(redis: RedisServer) -> None:
    with joined_run(redis.url, ttl=60) as first, joined_run(redis.url, ttl=60) as second:
        assert first == second
    with joined_run(redis.url, ttl=60) as third:
        assert third != first


def test_the_redis_state_store_keeps_what_sqlite_keeps(redis: RedisServer, tmp_path: Path) -> None:
    from archive.store.redisstate import RedisState
    from archive.store.state import SqliteState, UrlState

    states = [UrlState(url="http://a/b.html", site="clubic", kind="article", first_seen="2026-12-01T00:00:00+00:00",
                       etag='"e1"', payload_digest="sha1:X", record_id="<urn:uuid:1>", warc_file="f.warc.gz",
                       warc_offset=12, record_date="2026-12-01T00:00:01Z", record_status=200, text_sha256="ab",
                       version=2, sources=["sitemap", "feed", "sitemap"]),
              UrlState(url="http://a/sitemap.xml", site="clubic", kind="discovery", first_seen="2026-12-01",
                       outcome="read"),
              UrlState(url="http://n/a.html", site="numerama", kind="article", first_seen="2026-12-01")]
    sqlite, shared = SqliteState(tmp_path / "state.sqlite"), RedisState(Redis.from_url(redis.url), "test:state")
    for store in (sqlite, shared):
        for state in states:
            store.put(state)
        store.commit()
    assert shared.get("http://a/b.html") == sqlite.get("http://a/b.html")
    capture = shared.get("http://a/b.html").capture()  # what a re-check refers to: the typed Capture, from either
    assert capture == sqlite.get("http://a/b.html").capture() and capture.warc_file == "f.warc.gz"
    assert shared.get("http://nowhere/") is None
    for site in ("clubic", "numerama"):
        assert shared.articles(site) == sqlite.articles(site)
        assert shared.discovery_pages(site) == sqlite.discovery_pages(site)
    sqlite.close()


def test_a_hostile_stored_state_is_refused(redis: RedisServer) -> None:
    from archive.store.redisstate import RedisState

    server = Redis.from_url(redis.url)
    store = RedisState(server, "hostile:state")
    server.hset("hostile:state:urls", mapping={"http://x/1": '{"url": "http://x/1", "__class__": "os.system"}',
                                               "http://x/2": "[1, 2]", "http://x/3": "x" * (2 * 1024 * 1024)})
    for url in ("http://x/1", "http://x/2", "http://x/3"):
        with pytest.raises(ValueError):
            store.get(url)


@pytest.mark.parametrize(("url", "says"), [
    ("redis://10.0.0.5:6379/0", "a Redis off this machine needs a password"),
    ("redis://127.0.0.1:{port}/0", "cannot reach Redis at"),
])
def test_crawl_refuses_an_unsafe_or_absent_redis_in_one_line(url: str, says: str, tmp_path: Path) -> None:
    done = souverain("crawl", "--out", str(tmp_path / "out"), "--redis", url.format(port=free_port()), "-q")
    assert done.returncode == 1 and says in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("souverain: error: ")
    assert not (tmp_path / "out" / "warc").exists()


def test_the_environment_variable_gives_the_redis_url(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "SOUVERAIN_REDIS_URL": "redis://192.168.1.9/0"}
    done = souverain("crawl", "--out", str(tmp_path / "out"), "-q", env=env)
    assert done.returncode == 1 and "needs a password" in done.stderr, done.stderr


def test_two_workers_never_take_one_dated_file_name(redis: RedisServer, tmp_path: Path) -> None:
    from archive.store.textstore import article_stem
    from crawler.distributed.stems import RedisStems

    reserve = RedisStems.from_url(redis.url)
    first = {"url": "http://127.0.0.1:8000/a/le-cloud.html", "published": "2026-11-30"}
    second = {"url": "http://127.0.0.1:8000/b/le-cloud.html", "published": "2026-11-30"}  # the same slug
    stem_a = article_stem(tmp_path / "w0", "clubic", first, {}, reserve)  # two workers, two output folders
    stem_b = article_stem(tmp_path / "w1", "clubic", second, {}, reserve)
    assert stem_a.relative_to(tmp_path / "w0") != stem_b.relative_to(tmp_path / "w1")
    assert stem_a.name == "le-cloud" and stem_b.name.startswith("le-cloud-")
    assert article_stem(tmp_path / "w1", "clubic", first, {}, reserve) == tmp_path / "w1" / stem_a.relative_to(
        tmp_path / "w0")  # a URL keeps the name it holds, whichever worker asks


def test_the_run_report_merges_the_workers_parts_in_any_order() -> None:
    from crawler.distributed.reports import merge

    def part(worker: str, kept: int, pages: int, not_kept: list[dict]) -> dict:
        site = {"summary": {"articles_kept": kept, "pages_fetched": pages, "harvest_rate": kept / pages,
                            "elapsed_seconds": pages / 10},
                "not_kept": not_kept, "distributed": {"worker": worker, "taken_over": [{"url": "http://a/9"}]}}
        return {"worker": worker, "run_id": "R", "out": f"/o/{worker}", "started": f"2026-12-01T10:0{kept}:00",
                "finished": f"2026-12-01T11:0{kept}:00", "sites": {"clubic": site},
                "totals": {"articles_kept": kept, "pages_fetched": pages}}

    parts = [part("w1", 3, 10, [{"url": "http://a/1", "reason": "known: requested by another worker"},
                                {"url": "http://a/2", "reason": "off-topic: score 1"}]),
             part("w2", 1, 30, [{"url": "http://a/2", "reason": "off-topic: score 1"}])]
    merged = merge(parts)
    assert merged == merge(parts[::-1])  # deterministic
    site = merged["sites"]["clubic"]
    assert site["summary"] == {"articles_kept": 4, "pages_fetched": 40, "harvest_rate": 0.1, "elapsed_seconds": 3.0}
    assert site["not_kept"] == [{"url": "http://a/2", "reason": "off-topic: score 1"}]
    assert site["distributed"]["taken_over"] == [{"url": "http://a/9"}]
    assert (merged["started"], merged["finished"]) == ("2026-12-01T10:01:00", "2026-12-01T11:03:00")
    assert [(line["worker"], line["totals"]["articles_kept"]) for line in merged["workers"]] == [("w1", 3), ("w2", 1)]


def test_a_requisite_request_goes_through_the_shared_queue_with_its_extension_callbacks(
        redis: RedisServer, tmp_path: Path) -> None:
    from crawler.distributed.scheduler import LeasingScheduler
    from crawler.extensions.requisites import PageRequisites

    settings = {"SOUVERAIN_OUT_DIR": str(tmp_path), "STATE_ENABLED": False,
                "EXTENSIONS": {"crawler.extensions.requisites.PageRequisites": 250},
                **worker_settings(redis.url, "20261201T120000Z-abcd", 0.2)}
    crawler = get_crawler(spider_class("clubic"), settings)
    crawler.spider = spider = crawler._create_spider()
    requisites = crawler.get_extension(PageRequisites)
    scheduler = LeasingScheduler.from_crawler(crawler)
    scheduler.open(spider)
    try:
        request = scrapy.Request("http://127.0.0.1:8000/assets/site.css", callback=requisites.fetched,
                                 errback=requisites.failed, meta={"kind": "requisite", "requisite": "stylesheet"})
        assert scheduler.enqueue_request(request)
        back = scheduler.next_request()
        assert back.url == request.url and back.meta == request.meta
        assert back.callback == requisites.fetched and back.errback == requisites.failed
        stray = scrapy.Request("http://127.0.0.1:8000/x", callback=object().__str__)
        with pytest.raises(ValueError, match="neither the spider nor an extension"):
            scheduler.enqueue_request(stray)
        hostile = serializer.dumps({"url": request.url, "meta": {"extension_callback": ["os.system", "__call__", ""]}})
        assert scheduler.decode(hostile) is None  # only an extension this crawler runs, by a public name
    finally:
        scheduler.close("finished")


def test_a_hosts_start_is_taken_only_a_delay_after_the_last(redis: RedisServer) -> None:
    from crawler.distributed.politeness import _HOLD, _TAKE

    server = Redis.from_url(redis.url)
    take, hold = server.register_script(_TAKE), server.register_script(_HOLD)
    assert float(take(keys=["host:a"], args=[5])) == 0  # free: taken now
    wait = float(take(keys=["host:a"], args=[5]))  # a second worker, at once: told to wait, nothing taken
    assert 4 < wait <= 5 and float(take(keys=["host:a"], args=[5])) <= wait
    assert float(take(keys=["host:b"], args=[5])) == 0  # another host is spaced on its own
    hold(keys=["host:b"], args=[30])  # a Retry-After met by one worker holds the host for all
    assert 29 < float(take(keys=["host:b"], args=[5])) <= 30
