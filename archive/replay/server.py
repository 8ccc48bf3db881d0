"""Replay with pywb: an output folder or a .wacz snapshot served on 127.0.0.1, with a list of the articles."""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ArchiveError
from archive.fsutil import remove_orphans
from archive.replay.index import ListedArticle, articles_from_out, articles_from_wacz, write_article_list
from archive.replay.venv import ensure_pywb
from archive.wacz.reader import open_source
from archive.warc.records import out_warcs

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, TracebackType

COLLECTION = "souverain"
PYWB_CONFIG = "# written by souverain replay\nframed_replay: false\nenable_memento: true\n"
START_TIMEOUT = 60.0
REPLAY_PREFIX = "souverain-replay-"
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies
UNPACKED = "unpacked"  # where a snapshot's WARCs are checked before pywb takes them


class ReplayServer:
    """pywb's ``wayback`` serving one archive in a subprocess; a context manager."""

    def __init__(self, source: Path, host: str = "127.0.0.1", port: int = 8090, *,
                 venv: Path | None = None, announce: Callable[[str], None] = print) -> None:
        self.source, self.host, self.port = Path(source), host, port
        self.venv, self.announce = venv, announce
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir: Path | None = None
        self._temporary: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        """The root URL of the server."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"

    @property
    def index_url(self) -> str:
        """The URL of the article list."""
        return f"{self.url}static/_/{COLLECTION}/index.html"

    def start(self) -> ReplayServer:
        """Prepare pywb's working folder, start ``wayback`` and wait until it answers.

        Returns:
            The server itself.
        """
        _check_port_free(self.host, self.port)
        try:
            warcs, articles = self._read_source()  # checked before pywb is installed or started
            scripts = ensure_pywb(self.venv, announce=self.announce)
            assert self.workdir is not None
            try:
                self._prepare(scripts, warcs, articles)
            except OSError as exc:
                raise ArchiveError(f"cannot prepare pywb's working folder {self.workdir}: {exc}") from exc
            with open(self.workdir / "pywb.log", "wb") as log:
                self.process = subprocess.Popen(
                    [str(scripts / "wayback"), "-b", self.host, "-p", str(self.port)], cwd=self.workdir,
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            (self.workdir / "wayback.pid").write_text(f"{self.process.pid}\n")
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def _read_source(self) -> tuple[list[Path], list[ListedArticle]]:
        """Open the archive (checked as hostile input), pick the working folder, return its WARCs and articles."""
        with open_source(self.source) as wacz:
            if wacz is None:
                warcs = out_warcs(self.source)
                self.workdir = self.source / "replay"
                articles = articles_from_out(self.source) if warcs else []
            else:
                remove_orphans(Path(tempfile.gettempdir()), REPLAY_PREFIX)  # what a killed replay left
                self._temporary = tempfile.TemporaryDirectory(prefix=f"{REPLAY_PREFIX}{os.getpid()}-")
                self.workdir = Path(self._temporary.name)
                (self.workdir / UNPACKED).mkdir()
                warcs = wacz.extract_warcs(self.workdir / UNPACKED)
                articles = articles_from_wacz(wacz) if warcs else []
        if not warcs:
            raise ArchiveError(f"{self.source} is neither a .wacz snapshot nor an output folder with closed WARCs "
                               f"(warc/*.warc.gz)")
        return warcs, articles

    def stop(self) -> None:
        """Stop ``wayback`` (terminate, then kill) and remove a temporary working folder."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
            if self.workdir is not None:
                (self.workdir / "wayback.pid").unlink(missing_ok=True)
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def _prepare(self, scripts: Path, warcs: list[Path], articles: list[ListedArticle]) -> None:
        """Write pywb's configuration, the collection with the archive's WARCs indexed, and the article list."""
        assert self.workdir is not None
        self.workdir.mkdir(exist_ok=True)
        (self.workdir / "config.yaml").write_text(PYWB_CONFIG, encoding="utf-8")
        collection = self.workdir / "collections" / COLLECTION
        if not collection.is_dir():
            _pywb(scripts, self.workdir, "init", COLLECTION)
        if self._temporary is None:
            changed = _link_warcs(warcs, collection / "archive")
        else:
            for warc in warcs:  # unpacked from the snapshot into the same temporary folder
                os.replace(warc, collection / "archive" / warc.name)
            changed = True
        if changed or not (collection / "indexes" / "index.cdxj").is_file():
            _pywb(scripts, self.workdir, "reindex", COLLECTION)
        write_article_list(collection / "static", articles, collection=COLLECTION, heading=str(self.source))

    def _wait_until_answering(self) -> None:
        """Poll the article list until pywb serves it; fail with the end of pywb's log if it exits."""
        assert self.process is not None and self.workdir is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ArchiveError(f"pywb exited with status {self.process.returncode}: {_log_tail(self.workdir)}")
            try:
                with urllib.request.urlopen(self.index_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise ArchiveError(f"pywb did not answer on {self.url} within {START_TIMEOUT:.0f} s: {_log_tail(self.workdir)}")


def serve_replay(source: Path, *, host: str = "127.0.0.1", port: int = 8090,
                 announce: Callable[[str], None] = print) -> int:
    """Serve an archive with pywb until SIGINT or SIGTERM.

    Args:
        source: a .wacz snapshot or an output folder with closed WARCs.
        host: the address to bind (127.0.0.1 unless told otherwise).
        port: the port to serve on.
        announce: where the URL and progress lines go.

    Returns:
        The exit status: 0 when interrupted, 1 when pywb stopped by itself.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with ReplayServer(source, host, port, announce=announce) as server:
            assert server.process is not None
            announce(f"souverain: replaying {source} with pywb (pid {server.process.pid}) at {server.url}")
            announce(f"articles: {server.index_url}")
            announce("Ctrl-C to stop")
            status = server.process.wait()
            announce(f"souverain: pywb exited with status {status}, see {server.workdir}/pywb.log")
            return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into KeyboardInterrupt so the server stops the same way as on Ctrl-C."""
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """In the child before ``exec``: ask Linux to send it SIGTERM when souverain dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _check_port_free(host: str, port: int) -> None:
    """Raise ArchiveError when something already listens on the address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ArchiveError(f"cannot serve on {host}:{port} ({exc.strerror}): choose another --port") from exc


def _link_warcs(warcs: list[Path], archive: Path) -> bool:
    """Make ``archive`` hold exactly these WARCs as hard links (symbolic links across file systems).

    Returns:
        True when a WARC was added or removed, so the index must be rebuilt.
    """
    wanted = {warc.name: warc for warc in warcs}
    changed = False
    for stale in [path for path in archive.iterdir() if path.name not in wanted]:
        stale.unlink()
        changed = True
    for name, warc in wanted.items():
        target = archive / name
        if target.exists():
            continue
        target.unlink(missing_ok=True)  # a symbolic link whose WARC moved
        try:
            os.link(warc, target)
        except OSError:
            target.symlink_to(warc.resolve())
        changed = True
    return changed


def _pywb(scripts: Path, workdir: Path, *args: str) -> None:
    """Run ``wb-manager`` in pywb's working folder; raise ArchiveError with its output when it fails."""
    done = subprocess.run([str(scripts / "wb-manager"), *args], cwd=workdir, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise ArchiveError(f"wb-manager {' '.join(args)} failed: {lines[-1] if lines else done.returncode}")


def _log_tail(workdir: Path) -> str:
    """Return the last line of pywb's log, or a pointer to it."""
    lines = (workdir / "pywb.log").read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"see {workdir / 'pywb.log'}"


def main(argv: list[str] | None = None) -> int:
    """``python -m archive.replay.server --install``: create pywb's virtual environment ahead of first use.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m archive.replay.server", description=main.__doc__)
    parser.add_argument("--install", action="store_true", required=True, help="create pywb's virtual environment")
    parser.parse_args(argv)
    print(ensure_pywb() / "wayback")
    return 0


if __name__ == "__main__":
    sys.exit(main())
