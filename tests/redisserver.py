"""For the distributed tests and benchmark: a real ``redis-server`` (127.0.0.1, a free port, no persistence, stopped
by pid), and the count of response records over the workers' WARCs."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import free_port


class RedisServer:
    """Debian's redis-server in a child process (``.ci/run`` installs it)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        """Return the server's URL (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and return once it says it accepts connections."""
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install -y redis-server; .ci/run does it)")
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--protected-mode", "yes", "--loglevel", "notice"],
            stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "Ready to accept connections" in line:
                return self
        raise RuntimeError(f"redis-server exited with status {self.process.wait()}")

    def pause(self) -> None:
        """Stop the server (SIGSTOP): it neither answers nor refuses until ``resume``."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server go on."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the server by its pid."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Yield a started redis-server, stopped at the end."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


def responses(*outs: Path) -> Counter[str]:
    """Count the response records per URL (``PORT/PATH?QUERY``) in the closed WARCs of output folders."""
    counts: Counter[str] = Counter()
    for out in outs:
        for warc in (out / "warc").glob("*.warc.gz"):
            with warc.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        target = urlsplit(record.rec_headers.get_header("WARC-Target-URI"))
                        counts[f"{target.port}{target.path}?{target.query}"] += 1
    return counts
