"""WARC file names: what the writer names is what the repair reads back, and other names are not taken for ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from archive.warc.naming import OPEN_SUFFIX, SAFE_NAME, WarcName, parse_warc_name, warc_name
from archive.warc.writer import HttpExchange, WarcWriter


def test_a_name_is_parsed_back_into_its_parts() -> None:
    moment = datetime(2026, 12, 1, 9, 5, 7, 123456, tzinfo=timezone(timedelta(hours=1)))
    name = warc_name("souverain-crawl", moment, 3, 4242, "vm~1/a")
    assert name == "souverain-crawl-20261201080507123-00003-4242~vm_1_a.warc.gz"
    parsed = parse_warc_name(name + OPEN_SUFFIX)
    assert parsed == WarcName("souverain-crawl", "20261201080507123", 3, 4242, "vm_1_a", open=True)
    assert str(parsed) == name + OPEN_SUFFIX and parse_warc_name(name) == WarcName(
        "souverain-crawl", "20261201080507123", 3, 4242, "vm_1_a")
    assert parsed.named_at == datetime(2026, 12, 1, 8, 5, 7, tzinfo=UTC)
    assert SAFE_NAME.fullmatch(name)


def test_names_souverain_did_not_give_are_not_parsed() -> None:
    for other in ("crawl.warc.gz", "x-2026-00001-1~h.warc.gz", "x-20261201080507123-00001-pid~h.warc.gz",
                  "x-20261201080507123-00001-1~h.warc", "x-20261201080507123-00001-1~h.warc.gz.tmp"):
        assert parse_warc_name(other) is None, other


def test_the_writer_names_its_files_with_naming(tmp_path: Path) -> None:
    clock = lambda: datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # noqa: E731
    with WarcWriter(tmp_path, prefix="p", hostname="h", clock=clock) as writer:
        writer.write_exchange(HttpExchange("http://127.0.0.1/", "GET", [], b"", 200, "OK", "HTTP/1.1",
                                           [("Content-Type", "text/plain")], b"x", None, clock()))
        opened = writer.current_file
        assert opened is not None
        while_written = parse_warc_name(opened.name)
        assert while_written is not None and while_written.open
    [closed] = tmp_path.glob("*.warc.gz")
    parsed = parse_warc_name(closed.name)
    assert parsed is not None and (parsed.prefix, parsed.serial, parsed.host, parsed.open) == ("p", 0, "h", False)
