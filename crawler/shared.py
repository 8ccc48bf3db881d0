"""Per-process resources shared by every crawler of a process (one WARC writer, one process pool)."""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

T = TypeVar("T")
R = TypeVar("R")
LOGGER = logging.getLogger(__name__)


class SharedResource(Generic[T]):
    """A resource built by its first user and closed when its last user lets it go."""

    def __init__(self, factory: Callable[[], T], close: Callable[[T], Any]) -> None:
        self._factory, self._close = factory, close
        self._value: T | None = None
        self._users = 0
        self._lock = threading.Lock()

    def acquire(self) -> T:
        """Return the resource, building it for the first user."""
        with self._lock:
            if self._value is None:
                self._value = self._factory()
            self._users += 1
            return self._value

    def current(self) -> T:
        """Return the resource of its users (one at least holds it)."""
        with self._lock:
            assert self._value is not None, "current() of a resource nobody acquired"
            return self._value

    def renew(self, broken: T) -> None:
        """Replace a resource that broke (its users then get a new one); a replaced one is renewed only once."""
        with self._lock:
            if self._value is not broken:
                return
            self._value = self._factory()
        self._close(broken)

    def release(self) -> None:
        """Let go of the resource; the last user closes it."""
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._value is not None:
                value, self._value = self._value, None
                self._close(value)


class SharedRegistry(Generic[T]):
    """Shared resources by key (e.g. one WARC writer per output folder)."""

    def __init__(self) -> None:
        self._resources: dict[Any, SharedResource[T]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: Any, factory: Callable[[], T], close: Callable[[T], Any]) -> T:
        """Return the resource for ``key``, building it with ``factory`` for its first user."""
        with self._lock:
            resource = self._resources.setdefault(key, SharedResource(factory, close))
        return resource.acquire()

    def get(self, key: Any) -> SharedResource[T]:
        """Return the shared resource of ``key`` (acquired by a user)."""
        with self._lock:
            return self._resources[key]

    def release(self, key: Any) -> None:
        """Let go of the resource for ``key``; the last user closes it."""
        self.get(key).release()


POOLS: SharedRegistry[ProcessPoolExecutor] = SharedRegistry()


def pool_size(settings: BaseSettings) -> int:
    """Return the size of the CPU pool: ``EXTRACT_WORKERS``, or one worker per core when 0."""
    return settings.getint("EXTRACT_WORKERS") or os.cpu_count() or 1


def acquire_pool(workers: int) -> ProcessPoolExecutor:
    """Return the process's CPU pool (extraction, scoring), starting it for its first user."""
    return POOLS.acquire(workers, lambda: ProcessPoolExecutor(workers, initializer=init_worker,
                                                              initargs=(os.getpid(),)),
                         lambda pool: pool.shutdown(wait=True))


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def init_worker(parent: int) -> None:
    """Start a pool worker: it dies with its parent; SIGTERM has its default action, SIGINT is ignored.

    A forked worker inherits Scrapy's SIGINT/SIGTERM handlers, which only ask a reactor it does not run to stop:
    SIGTERM gets its default action back. SIGINT is ignored: Ctrl-C reaches the whole process group, and the
    parent, stopping gracefully, still needs its workers to finish the articles in flight. Linux's parent-death
    signal kills the worker when the parent dies, even by SIGKILL; if it died before that was set, exit now.
    """
    from crawler.process import SITE

    SITE.set("-")  # the pool serves every site: its log lines name none (not the one that forked it)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def release_pool(workers: int) -> None:
    """Let go of the CPU pool; its last user shuts it down after the running tasks."""
    POOLS.release(workers)


class WorkerCrashed(RuntimeError):
    """A pool worker died (killed, out of memory, a crash in C) twice while running a task."""


async def run_in_pool(workers: int, function: Callable[..., R], *args: Any) -> R:
    """Run ``function(*args)`` in the process's CPU pool (acquired with ``acquire_pool(workers)``) without blocking.

    A worker that dies breaks the whole pool: every task in it fails. The pool is then started again and the task
    tried once more there, so that the tasks that only shared the pool with the one that killed its worker go
    through; a task whose second try dies too raises ``WorkerCrashed`` (a pipeline error for its article).

    Args:
        workers: the pool's size (its key).
        function: a top-level function (it is pickled).
        args: its arguments.

    Returns:
        What ``function`` returned.

    Raises:
        WorkerCrashed: the task's worker died on both tries.
    """
    resource = POOLS.get(workers)
    for attempt in (1, 2):
        pool = resource.current()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
        except BrokenProcessPool:
            LOGGER.error("a worker of the CPU pool died (try %d of %s): the pool is started again", attempt,
                         getattr(function, "__name__", function))
            resource.renew(pool)
    raise WorkerCrashed(f"the worker running {getattr(function, '__name__', function)} died twice")
