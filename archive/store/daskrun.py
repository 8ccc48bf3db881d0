"""Re-extraction on a Dask cluster: ``souverain reextract … --dask tcp://SCHEDULER:8786`` (or ``--dask local``).

``reextract`` maps one job per article over an executor; here that executor is a Dask client's
(``Client.get_executor()``), whose ``map`` returns results in order like the local process pool, so the dated
files come out byte for byte the same. The jobs name WARC files by absolute path: every Dask worker must see
them at that path (shared storage).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from archive.errors import ArchiveError

LOCAL = "local"


@contextmanager
def dask_executor(address: str, workers: int | None = None) -> Iterator[Executor]:
    """Yield an executor on a Dask cluster, closed at the end.

    Args:
        address: ``local`` for a ``LocalCluster`` on this machine (``workers`` processes, one thread each), or a
            scheduler address such as ``tcp://10.0.0.2:8786``.
        workers: processes of a local cluster (default: one per core).

    Raises:
        ArchiveError: Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ArchiveError("--dask needs Dask: pip install 'souverain[dask]'") from None
    if address != LOCAL and not address.startswith(("tcp://", "tls://")):
        raise ArchiveError(f"--dask {address!r}: expected local or tcp://HOST:PORT (tls://HOST:PORT)")
    cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed is not fully typed
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1") if address == LOCAL else None
    try:
        client = Client(cluster if cluster is not None else address,  # type: ignore[no-untyped-call]
                        timeout="20s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise ArchiveError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client.get_executor()  # type: ignore[no-untyped-call]
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
