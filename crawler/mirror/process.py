"""Run the mirror in a subprocess: ``with MirrorProcess() as mirror: mirror.roots["clubic"]``.

``MirrorProcess(edition=1, faults="all=0.2", fault_seed=3, fault_log=path, crawl_delay=2, hostile=DIR, skin="cards")``
passes the options of ``python -m crawler.mirror`` on; ``truth()`` and ``edition_changes()`` describe what it serves
(URL paths as the skin serves them).
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from crawler.mirror.corpus import Corpus, build_corpus
from crawler.mirror.skins import get_skin

_PROJECT = Path(__file__).resolve().parents[2]


def pair_is_free(port: int) -> bool:
    """Tell whether nobody listens on 127.0.0.1 at ``port``, ``port + 1`` and ``port + 2`` (clubic's, numerama's
    and the CDN's) right now."""
    with socket.socket() as first, socket.socket() as second, socket.socket() as third:
        try:
            first.bind(("127.0.0.1", port))
            second.bind(("127.0.0.1", port + 1))
            third.bind(("127.0.0.1", port + 2))
        except OSError:
            return False
    return True


def free_port_pair() -> int:
    """Return a port P of 127.0.0.1 such that P, P + 1 and P + 2 are free right now."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port < 65534 and pair_is_free(port):
            return port


class MirrorProcess:
    """The mirror of both sites in a child process, started and stopped by its pid."""

    def __init__(self, articles: int = 360, seed: int = 0, exclusive_share: float = 0.0,
                 startup_timeout: float = 30.0, *, edition: int = 0, faults: str = "", fault_seed: int = 0,
                 fault_timeout: float = 20.0, fault_log: str | Path | None = None,
                 crawl_delay: float | None = None, port: int = 0, hostile: str | Path | None = None,
                 hostile_canary: str = "", skin: str = "default", extra_sitemap_urls: int = 0,
                 procedural: bool = False, access_log: str | Path | None = None) -> None:
        """Remember the corpus and fault parameters.

        Args:
            articles: number of articles over both sites.
            seed: seed of the corpus.
            exclusive_share: share of on-topic articles reachable through one non-sitemap channel only.
            startup_timeout: seconds to wait for both root lines.
            edition: state of the sites (0, 1 or 2, see ``crawler.mirror.editions``).
            faults: fault spec (see ``crawler.mirror.faults``), empty for none.
            fault_seed: seed of the fault draws.
            fault_timeout: seconds a timeout fault keeps the connection silent.
            fault_log: JSON-lines file the child appends every injected fault to.
            crawl_delay: seconds of a ``Crawl-delay`` line in robots.txt (None: no such line).
            port: clubic's port, numerama's the next one (0: two free ports); a fixed port keeps the sites' URLs
                when the mirror is restarted (another edition) between two crawls.
            hostile: folder of a hostile corpus to serve as well (see ``crawler.mirror.hostile``).
            hostile_canary: URL the hostile inputs point at, which no crawler request may reach.
            skin: one of ``crawler.mirror.skins.SKIN_NAMES``: the markup, sitemap names and slugs served.
            extra_sitemap_urls: off-topic post URLs added to Numerama's sitemaps (see ``crawler.mirror.extras``).
            procedural: serve the procedural mirror (``crawler.mirror.procedural``), for benchmarks.
            access_log: JSON-lines file the child appends every request to (``crawler.mirror.accesslog``).

        Raises:
            ValueError: unknown skin.
        """
        get_skin(skin)
        self.skin = skin
        self.access_log = access_log
        self.hostile = hostile
        self.hostile_canary = hostile_canary
        self.articles = articles
        self.port = port
        self.seed = seed
        self.exclusive_share = exclusive_share
        self.edition = edition
        self.faults = faults
        self.fault_seed = fault_seed
        self.fault_timeout = fault_timeout
        self.fault_log = fault_log
        self.crawl_delay = crawl_delay
        self.extra_sitemap_urls = extra_sitemap_urls
        self.procedural = procedural
        self.startup_timeout = startup_timeout
        self.roots: dict[str, str] = {}
        self.cdn = ""  # root of the CDN host the pages' images and font come from
        self._proc: subprocess.Popen[bytes] | None = None

    def root_args(self) -> list[str]:
        """Return ``--root NAME=URL`` and ``--cdn-root NAME=URL`` options for ``souverain crawl`` pointing every
        site, and its requisite hosts, at this mirror."""
        return [arg for name, root in self.roots.items()
                for arg in ("--root", f"{name}={root}", "--cdn-root", f"{name}={self.cdn}")]

    @property
    def pid(self) -> int:
        """Process id of the running mirror."""
        if self._proc is None:
            raise RuntimeError("mirror not started")
        return self._proc.pid

    def start(self) -> MirrorProcess:
        """Start the child and wait until both sites and the CDN listen.

        Returns:
            The started process, with ``roots`` filled.

        Raises:
            RuntimeError: the child exited or did not print its roots within ``startup_timeout``.
        """
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT), env.get("PYTHONPATH", "")]))
        cmd = [sys.executable, "-m", "crawler.mirror", "--port", str(self.port), "--articles", str(self.articles),
               "--seed", str(self.seed), "--exclusive-share", str(self.exclusive_share),
               "--edition", str(self.edition), "--skin", self.skin]
        if self.faults:
            cmd += ["--faults", self.faults, "--fault-seed", str(self.fault_seed),
                    "--fault-timeout", str(self.fault_timeout)]
            if self.fault_log is not None:
                cmd += ["--fault-log", str(self.fault_log)]
        if self.crawl_delay is not None:
            cmd += ["--crawl-delay", str(self.crawl_delay)]
        if self.procedural:
            cmd.append("--procedural")
        if self.extra_sitemap_urls:
            cmd += ["--extra-sitemap-urls", str(self.extra_sitemap_urls)]
        if self.access_log is not None:
            cmd += ["--access-log", str(self.access_log)]
        if self.hostile is not None:
            cmd += ["--hostile", str(self.hostile)]
            if self.hostile_canary:
                cmd += ["--hostile-canary", self.hostile_canary]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
        stdout = self._proc.stdout
        assert stdout is not None  # stdout=PIPE
        deadline = time.monotonic() + self.startup_timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while len(self.roots) < 2 or not self.cdn:
                left = deadline - time.monotonic()
                if left <= 0 or self._proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"mirror did not start within {self.startup_timeout:.0f} s "
                                       f"(exit code {self._proc.returncode}, output {buffer!r})")
                if selector.select(timeout=min(left, 0.2)):
                    chunk = os.read(stdout.fileno(), 4096)
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        site, sep, root = line.decode().strip().partition("=")
                        if sep and site == "cdn":
                            self.cdn = root
                        elif sep:
                            self.roots[site] = root
        return self

    def stop(self) -> None:
        """Stop the child: SIGTERM, wait, then SIGKILL if it lingers."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()

    def truth(self) -> list[dict[str, Any]]:
        """Ground truth of the served corpus (same parameters, built in this process).

        Returns:
            ``build_corpus(seed, articles, exclusive_share, edition, skin).truth()``.
        """
        return self._corpus().truth()

    def edition_changes(self) -> dict[str, list[str]]:
        """What the served edition changed (same parameters, built in this process).

        Returns:
            ``build_corpus(seed, articles, exclusive_share, edition, skin).edition_changes()``.
        """
        return self._corpus().edition_changes()

    def _corpus(self) -> Corpus:
        return build_corpus(self.seed, self.articles, self.exclusive_share, self.edition, self.skin)

    def __enter__(self) -> MirrorProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
