"""Benchmark: does a replayed article look like the live page? Headless Chromium renders each kept article twice,
live from the mirror and replayed from the archive through pywb, and the two are compared.

Run from the repository root: ``.venv/bin/python -m benchmarks.replay_fidelity [--articles 120] [--skin NAME]…``.
For each skin it crawls the mirror three times (``--requisites all``, the default; the same without scripts; and
``--requisites none``, the baseline measured in the same run), replays each output folder with pywb, and prints per article and as a mean:

- ``similarity``: the share of equal pixels of the two screenshots (same viewport, same fonts, same browser);
- ``text``: whether the visible text (the DOM after scripts, without scripts and styles) is the same;
- ``failing``: requests of the replayed page answered with an error (404: not in the archive);
- ``leaving``: requests of the replayed page to anything but the replay server (every one must be answered from
  the archive).

Every request Chromium makes goes through a recording proxy (``RecordingProxy``), loopback included, so no request
escapes the count; the proxy forwards only to the hosts it is told (the mirror, or pywb) and answers 502 to any
other, so a request leaving the archive never reaches the live site either. browsertrix-crawler's ``qa`` scores
replay the same way (screenshot match, text match, resources that failed to load).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import mean
from types import TracebackType
from urllib.parse import urlsplit

from lxml import html as lxml_html

from archive.replay.server import COLLECTION, ReplayServer
from crawler.mirror.process import MirrorProcess

SOUVERAIN = Path(sys.executable).with_name("souverain")
CHROMIUM = shutil.which("chromium")
VIEWPORT = (1280, 2200)
HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}
INVISIBLE = ("script", "style", "noscript", "template", "head")
# Chromium's own traffic (time, component updates, sign-in, autofill, safe browsing) is no request of the page.
QUIET_BROWSER = (
    "--disable-features=HttpsUpgrades,MediaRouter,DialMediaRouteProvider,OptimizationHints,Translate,"
    "AutofillServerCommunication,NetworkTimeServiceQuerying,CertificateTransparencyComponentUpdater,"
    "InterestFeedContentSuggestions,SafeBrowsing,PrivacySandboxSettings4",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-default-apps",
    "--disable-extensions", "--disable-component-extensions-with-background-pages", "--no-default-browser-check",
    "--no-pings", "--no-service-autorun", "--safebrowsing-disable-auto-update", "--metrics-recording-only",
    "--disable-breakpad", "--password-store=basic", "--use-mock-keychain",
)
BROWSER_SERVICES = (".google.com", ".googleapis.com", ".gvt1.com")
ACCEPTANCE = {"similarity": 0.98, "failing": 0, "leaving": 0}


@dataclass
class Exchange:
    """One request the browser made through the proxy: its URL, the status it got (0: refused), its Referer."""

    url: str
    status: int
    referer: str = ""

    @property
    def browser_own(self) -> bool:
        """Whether Chromium made it for itself (component updates, sign-in: no Referer, to Google's services)
        rather than for the page; the flags of ``QUIET_BROWSER`` silence most, not all."""
        host = (urlsplit(self.url).hostname or self.url.split(":")[0].removeprefix("https://")).lower()
        return not self.referer and host.endswith(BROWSER_SERVICES)


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that records every request and forwards those to allowed hosts only."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = allowed
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                proxy.forward(self)

            def do_HEAD(self) -> None:  # noqa: N802
                proxy.forward(self)

            def do_POST(self) -> None:  # noqa: N802
                proxy.forward(self)

            def do_CONNECT(self) -> None:  # noqa: N802 - TLS to anywhere: nothing of ours, refused
                proxy.record(f"https://{self.path}", 0, self.headers.get("Referer") or "")
                self.send_error(502)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()

    def record(self, url: str, status: int, referer: str) -> None:
        """Keep one exchange."""
        with self.lock:
            self.exchanges.append(Exchange(url, status, referer))

    def take(self) -> list[Exchange]:
        """Return the exchanges recorded since the last call, and forget them."""
        with self.lock:
            taken, self.exchanges = self.exchanges, []
        return taken

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        """Forward a request to an allowed host and relay the answer as it is; answer 502 to any other."""
        parts = urlsplit(handler.path)
        if parts.scheme != "http" or parts.netloc not in self.allowed:
            self.record(handler.path, 0, handler.headers.get("Referer") or "")
            handler.send_error(502, "not an allowed host")
            return
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_HEADERS}
        connection = http.client.HTTPConnection(parts.netloc, timeout=60)
        try:
            connection.request(handler.command, parts.path + (f"?{parts.query}" if parts.query else "") or "/",
                               body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        finally:
            connection.close()
        self.record(handler.path, answer.status, handler.headers.get("Referer") or "")
        handler.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_HEADERS and name.lower() != "content-length":
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)


class _QuietServer(ThreadingHTTPServer):
    """The proxy's server: a browser closing a kept-alive connection is no error."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet on client disconnects."""


def chromium(proxy: str, *args: str) -> str:
    """Run headless Chromium through a proxy (loopback too), with a fresh profile; return its standard output."""
    if CHROMIUM is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             *QUIET_BROWSER, "--hide-scrollbars",
             "--force-device-scale-factor=1", "--font-render-hinting=none", "--virtual-time-budget=15000",
             f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", f"--proxy-server={proxy}", "--proxy-bypass-list=<-loopback>",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=180,
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed: {done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Rendering:
    """What the browser made of one URL: the screenshot (PNG), the visible text, the requests it made."""

    png: bytes
    text: str
    exchanges: list[Exchange] = field(default_factory=list)


def render(url: str, proxy: RecordingProxy, work: Path) -> Rendering:
    """Render a URL: a screenshot run (whose requests are recorded), then a DOM run for the visible text."""
    proxy.take()
    shot = work / "shot.png"
    shot.unlink(missing_ok=True)
    chromium(proxy.url, f"--screenshot={shot}", url)
    exchanges = [exchange for exchange in proxy.take() if not exchange.browser_own]
    dom = chromium(proxy.url, "--dump-dom", url)
    proxy.take()
    return Rendering(shot.read_bytes(), visible_text(dom), exchanges)


def visible_text(dom: str) -> str:
    """Return the text a reader sees in a DOM: body text without scripts, styles and templates, spaces folded."""
    if not dom.strip():
        return ""
    root = lxml_html.fromstring(dom)
    for element in root.iter(*INVISIBLE):
        element.drop_tree() if element.getparent() is not None else None
    body = root.find("body")
    return " ".join((body if body is not None else root).text_content().split())


def similarity(first: bytes, second: bytes) -> float:
    """Return the share of equal pixels of two screenshots (pixels outside the smaller one count as unequal).

    Args:
        first: a PNG.
        second: another PNG.

    Returns:
        From 0 (nothing alike) to 1 (the same image).
    """
    from PIL import Image, ImageChops

    one, two = Image.open(io.BytesIO(first)).convert("RGB"), Image.open(io.BytesIO(second)).convert("RGB")
    width, height = max(one.width, two.width), max(one.height, two.height)
    canvas = [Image.new("RGB", (width, height), (255, 0, 255)) for _ in range(2)]
    canvas[0].paste(one)
    canvas[1].paste(two)
    diff = ImageChops.difference(canvas[0], canvas[1]).convert("L").point(lambda value: 255 if value else 0)
    return 1 - diff.histogram()[255] / (width * height)


@dataclass
class Score:
    """The comparison of one article's live and replayed renderings."""

    url: str
    similarity: float
    same_text: bool
    failing: list[str]
    leaving: list[str]

    @property
    def passes(self) -> bool:
        """Whether the replay meets the acceptance: similar enough, same text, nothing failing or leaving."""
        return (self.similarity >= ACCEPTANCE["similarity"] and self.same_text and not self.failing
                and not self.leaving)


def compare(live: Rendering, replayed: Rendering, url: str, replay_netloc: str) -> Score:
    """Score a replayed rendering against the live one."""
    leaving = [e.url for e in replayed.exchanges if urlsplit(e.url).netloc != replay_netloc]
    failing = [e.url for e in replayed.exchanges if urlsplit(e.url).netloc == replay_netloc and e.status >= 400]
    return Score(url, round(similarity(live.png, replayed.png), 4), live.text == replayed.text, failing, leaving)


def kept_articles(out: Path) -> list[tuple[str, str]]:
    """Return (URL of each page, 14-digit capture time) of every kept article's latest version."""
    pages = {}
    for path in sorted((out / "articles").rglob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for capture in record.get("capture") or []:
            pages[capture["url"]] = re.sub(r"\D", "", capture["fetch_time"])[:14]
    return sorted(pages.items())


def crawl(mirror: MirrorProcess, out: Path, requisites: str, *extra: str) -> dict:
    """Crawl the mirror into ``out`` with ``--requisites`` (and ``extra`` options); return the run report."""
    subprocess.run([str(SOUVERAIN), "crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", "-q",
                    "--requisites", requisites, *extra, *mirror.root_args()], check=True, capture_output=True)
    return json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))


def measure(mirror: MirrorProcess, out: Path, work: Path, limit: int = 0) -> list[Score]:
    """Render every kept article of ``out`` live and through pywb; return the scores (``limit``: first N only)."""
    pages = kept_articles(out)[: limit or None]
    live_hosts = {urlsplit(root).netloc for root in [*mirror.roots.values(), mirror.cdn]}
    scores = []
    with ReplayServer(out, port=_free_port(), announce=lambda line: None) as server:
        replay_netloc = urlsplit(server.url).netloc
        with RecordingProxy(live_hosts) as live_proxy, RecordingProxy({replay_netloc}) as replay_proxy:
            for url, stamp in pages:
                live = render(url, live_proxy, work)
                replayed = render(f"{server.url}{COLLECTION}/{stamp}/{url}", replay_proxy, work)
                scores.append(compare(live, replayed, url, replay_netloc))
    return scores


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def summary(scores: list[Score]) -> dict[str, float]:
    """Return the mean similarity, the share of same texts, the failing and leaving requests in all."""
    return {"articles": len(scores), "similarity": round(mean(s.similarity for s in scores), 4) if scores else 0.0,
            "same_text": round(mean(s.same_text for s in scores), 4) if scores else 0.0,
            "failing": sum(len(s.failing) for s in scores), "leaving": sum(len(s.leaving) for s in scores)}


# What is measured, in this order: the default, the default without scripts, and the baseline without requisites.
PASSES = (("all", "all"), ("all-but-scripts", "all", "-s", "REQUISITES_SCRIPTS=false"), ("none", "none"))


def main(argv: list[str] | None = None) -> int:
    """Measure every skin asked for, with and without requisites; print per article and the means."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replay_fidelity")
    parser.add_argument("--articles", type=int, default=120, help="size of the mirror (default 120)")
    parser.add_argument("--skin", action="append", dest="skins", help="skin to measure (default: every skin)")
    parser.add_argument("--limit", type=int, default=0, help="measure only the first N kept articles per skin")
    args = parser.parse_args(argv)
    from crawler.mirror.skins import SKIN_NAMES

    failed = False
    for skin in args.skins or SKIN_NAMES:
        with tempfile.TemporaryDirectory(prefix="fidelity-") as tmp, \
                MirrorProcess(articles=args.articles, skin=skin) as mirror:
            work = Path(tmp)
            for label, level, *extra in PASSES:
                report = crawl(mirror, work / label, level, *extra)
                scores = measure(mirror, work / label, work, args.limit)
                figures = summary(scores)
                requisites = report["totals"].get("requisites", {})
                kept = report["totals"].get("articles_kept", 0)
                print(f"skin {skin}, --requisites {label}: {kept} articles kept, "
                      f"{requisites.get('responses', 0)} requisite requests "
                      f"({requisites.get('responses', 0) / kept if kept else 0:.2f} per kept article, "
                      f"{requisites.get('bytes', 0):,} bytes)")
                for score in scores:
                    print(f"  {score.similarity:.4f}  text {'same' if score.same_text else 'DIFFERS'}  "
                          f"failing {len(score.failing)}  leaving {len(score.leaving)}  {score.url}")
                    for url in [*score.failing, *score.leaving][:5]:
                        print(f"      {url}")
                print(f"  mean similarity {figures['similarity']:.4f}, same text {figures['same_text']:.0%}, "
                      f"failing {figures['failing']}, leaving {figures['leaving']}")
                if label == "all":
                    failed |= not all(score.passes for score in scores)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
