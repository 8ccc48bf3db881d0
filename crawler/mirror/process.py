"""Run the mirror in a subprocess: ``with MirrorProcess() as mirror: mirror.roots["clubic"]``."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from crawler.mirror.corpus import build_corpus

_PROJECT = Path(__file__).resolve().parents[2]


class MirrorProcess:
    """The mirror of both sites in a child process, started and stopped by its pid."""

    def __init__(self, articles: int = 360, seed: int = 0, exclusive_share: float = 0.0,
                 startup_timeout: float = 30.0) -> None:
        """Remember the corpus parameters.

        Args:
            articles: number of articles over both sites.
            seed: seed of the corpus.
            exclusive_share: share of on-topic articles reachable through one non-sitemap channel only.
            startup_timeout: seconds to wait for both root lines.
        """
        self.articles = articles
        self.seed = seed
        self.exclusive_share = exclusive_share
        self.startup_timeout = startup_timeout
        self.roots: dict[str, str] = {}
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """Process id of the running mirror."""
        if self._proc is None:
            raise RuntimeError("mirror not started")
        return self._proc.pid

    def start(self) -> MirrorProcess:
        """Start the child and wait until both sites listen.

        Returns:
            The started process, with ``roots`` filled.

        Raises:
            RuntimeError: the child exited or did not print its roots within ``startup_timeout``.
        """
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT), env.get("PYTHONPATH", "")]))
        cmd = [sys.executable, "-m", "crawler.mirror", "--port", "0", "--articles", str(self.articles),
               "--seed", str(self.seed), "--exclusive-share", str(self.exclusive_share)]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
        deadline = time.monotonic() + self.startup_timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while len(self.roots) < 2:
                left = deadline - time.monotonic()
                if left <= 0 or self._proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"mirror did not start within {self.startup_timeout:.0f} s "
                                       f"(exit code {self._proc.returncode}, output {buffer!r})")
                if selector.select(timeout=min(left, 0.2)):
                    chunk = os.read(self._proc.stdout.fileno(), 4096)
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        site, sep, root = line.decode().strip().partition("=")
                        if sep:
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

    def truth(self) -> list[dict]:
        """Ground truth of the served corpus (same parameters, built in this process).

        Returns:
            ``build_corpus(seed, articles, exclusive_share).truth()``.
        """
        return build_corpus(self.seed, self.articles, self.exclusive_share).truth()

    def __enter__(self) -> MirrorProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
