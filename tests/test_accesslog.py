"""The mirror's access log and the busiest-window count the politeness figures are read from."""

from __future__ import annotations

from pathlib import Path

from crawler.mirror.accesslog import AccessLog, busiest_window, read_access_log


def test_busiest_window_counts_requests_less_than_the_window_apart() -> None:
    assert busiest_window([]) == 0
    assert busiest_window([0.0, 9.99, 10.0, 20.5], seconds=10) == 2
    assert busiest_window([5.0, 1.0, 3.0, 2.0, 40.0], seconds=10) == 4
    assert busiest_window([i / 4 for i in range(100)], seconds=10) == 40  # one request every 0.25 s


def test_the_log_keeps_every_request_in_order(tmp_path: Path) -> None:
    log = AccessLog(tmp_path / "access.jsonl")
    log.record("clubic", "GET", "/robots.txt")
    log.record("numerama", "HEAD", "/")
    log.close()
    assert [(r["site"], r["method"], r["path"]) for r in read_access_log(tmp_path / "access.jsonl")] == [
        ("clubic", "GET", "/robots.txt"), ("numerama", "HEAD", "/")]
