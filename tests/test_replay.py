"""``souverain replay``: real pywb (its own virtual environment) and a real headless Chromium on 127.0.0.1."""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.errors import ArchiveError
from archive.replay.server import ReplayServer
from archive.replay.venv import ensure_pywb
from tests.conftest import alive, free_port, souverain, until

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)"
)


def chromium(*args: str) -> str:
    """Run headless Chromium with a fresh profile and return its standard output."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=90,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def fetch(url: str, **headers: str) -> tuple[bytes, dict[str, str]]:
    """GET a URL without decoding anything; return the body and headers."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return response.read(), dict(response.headers)


def first_article(out: Path) -> dict:
    """Return the record of the first article (by path) of an output folder."""
    return json.loads(sorted((out / "articles").rglob("*.json"))[0].read_text(encoding="utf-8"))


def listening_addresses(port: int) -> set[str]:
    """Return the local IPv4 addresses with a socket listening on ``port``, read from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder made by ``souverain demo --articles 120``."""
    out = tmp_path_factory.mktemp("replay") / "out"
    done = souverain("demo", "--out", str(out), "--articles", "120")
    assert done.returncode == 0, done.stderr
    return out


def start_replay(out: Path) -> tuple[subprocess.Popen[str], list[str], int]:
    """Start ``souverain replay OUT --port P`` and wait until it prints its article list.

    Returns:
        The process, the lines it printed, and pywb's pid.
    """
    script = Path(sys.executable).with_name("souverain")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]
    process = subprocess.Popen([*command, "replay", str(out), "--port", str(free_port())],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()
    seen: list[str] = []
    while not any(line.startswith("articles: ") for line in seen):
        seen.append(lines.get(timeout=300))  # the first run installs pywb (about a minute)
    return process, seen, int((out / "replay" / "wayback.pid").read_text())


@pytest.fixture(scope="module")
def replay_cli(demo_out: Path) -> Iterator[str]:
    """``souverain replay OUT --port P`` in a subprocess; yields the printed URL of the article list."""
    process, seen, pywb_pid = start_replay(demo_out)
    try:
        yield seen[-1].split()[1]
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=30)
    assert status == 0, "".join(seen)
    assert not Path(f"/proc/{pywb_pid}").exists(), "pywb was left running"
    assert not (demo_out / "replay" / "wayback.pid").exists()


def test_a_killed_replay_takes_pywb_with_it(demo_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(demo_out, out, ignore=shutil.ignore_patterns("replay"))
    process, _, pywb_pid = start_replay(out)
    assert alive(pywb_pid), "pywb is not running under souverain replay"
    process.kill()  # SIGKILL: no handler of souverain's runs
    process.wait(timeout=30)
    until(lambda: not alive(pywb_pid), "pywb to stop after souverain replay was killed")
    assert not Path(f"/proc/{pywb_pid}").exists() or not alive(pywb_pid)


@needs_chromium
def test_chromium_shows_the_article_list_and_a_replayed_article(replay_cli: str, demo_out: Path,
                                                                tmp_path: Path) -> None:
    listing = chromium("--dump-dom", replay_cli)
    links = re.findall(r'<a class="replay" href="([^"]+)">([^<]+)</a>', listing)
    assert len(links) == len(list((demo_out / "articles").rglob("*.json")))
    href, title = links[0]
    article_url = replay_cli.split("/static/")[0] + html.unescape(href)

    dom = html.unescape(chromium("--dump-dom", article_url))
    assert html.unescape(title) in dom  # framed_replay is off: the article itself is the page
    for name, url in (("list.png", replay_cli), ("article.png", article_url)):
        chromium(f"--screenshot={tmp_path / name}", "--window-size=1280,2000", url)
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    text_href = re.findall(r'<a class="text" href="([^"]+)">', listing)[0]
    text_dom = chromium("--dump-dom", replay_cli.rsplit("/", 1)[0] + "/" + html.unescape(text_href))
    assert html.unescape(title) in html.unescape(text_dom)
    assert "Ã" not in text_dom  # UTF-8 read as UTF-8


def test_id_mode_returns_the_original_payload(replay_cli: str, demo_out: Path) -> None:
    record = first_article(demo_out)
    capture = record["capture"][0]
    with open(demo_out / "warc" / capture["warc_file"], "rb") as stream:
        stream.seek(capture["offset"])
        warc_record = next(iter(ArchiveIterator(stream)))
        stored = warc_record.raw_stream.read()
        digest = warc_record.rec_headers.get_header("WARC-Payload-Digest")
    assert warc_record.http_headers.get_header("Content-Encoding") == "gzip"

    stamp = re.sub(r"\D", "", capture["fetch_time"])[:14]
    id_url = replay_cli.split("/static/")[0] + f"/souverain/{stamp}id_/{capture['url']}"
    body, headers = fetch(id_url, **{"Accept-Encoding": "gzip"})  # the encoding the crawler asked for
    assert headers["Content-Encoding"] == "gzip"
    assert "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode() == digest
    assert body == stored

    decoded, headers = fetch(id_url)  # a client that takes no gzip gets the payload decoded by pywb
    assert headers["X-Archive-Orig-Content-Encoding"] == "gzip" and decoded == gzip.decompress(stored)


def test_in_process_server_binds_loopback_only_and_stops(demo_out: Path) -> None:
    port = free_port()
    with ReplayServer(demo_out, port=port, announce=lambda line: None) as server:
        assert server.process is not None
        pid = server.process.pid
        assert listening_addresses(port) == {"127.0.0.1"}
        assert fetch(server.index_url)[1]["Content-Type"].startswith("text/html")
    assert not Path(f"/proc/{pid}").exists()
    assert len(list((demo_out / "replay" / "collections" / "souverain" / "archive").iterdir())) == len(
        list((demo_out / "warc").glob("*.warc.gz"))
    )


def test_wacz_snapshot_is_replayed_from_a_temporary_folder(demo_out: Path, tmp_path: Path) -> None:
    wacz = tmp_path / "demo.wacz"
    done = souverain("snapshot", "--out", str(demo_out), "-o", str(wacz))
    assert done.returncode == 0, done.stderr
    with ReplayServer(wacz, port=free_port(), announce=lambda line: None) as server:
        assert server.workdir is not None
        workdir = server.workdir
        listing = fetch(server.index_url)[0].decode("utf-8")
        links = re.findall(r'<a class="replay" href="([^"]+)">([^<]+)</a>', listing)
        assert len(links) == len(list((demo_out / "articles").rglob("*.json")))
        page = fetch(server.url.rstrip("/") + html.unescape(links[-1][0]))[0].decode("utf-8")
        assert html.unescape(links[-1][1]) in html.unescape(page)
    assert not workdir.exists()


def test_user_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = souverain("replay", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip().startswith("souverain: error: ") and "neither a .wacz" in done.stderr
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "x.warc.gz").write_bytes(b"")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ArchiveError, match="choose another --port"):
            ReplayServer(tmp_path, port=busy.getsockname()[1]).start()

    (tmp_path / "file").write_text("")
    monkeypatch.setenv("SOUVERAIN_REPLAY_VENV", str(tmp_path / "file" / "venv"))
    with pytest.raises(ArchiveError, match=r"cannot install pywb into .*; run: python3 -m venv "):
        ensure_pywb(announce=lambda line: None)
