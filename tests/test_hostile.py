"""Hostile input: one crawl of the mirror serving the corpus of ``tests/hostile/`` (pages, sitemaps, feeds and
headers meant to crash, exhaust or steer a crawler) completes, writes only inside OUT, stays under 500 MB RSS,
never reaches a forbidden target, and ends each case as ``cases.toml`` says. Real bytes on the wire."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.bodies import encode
from crawler.mirror.process import MirrorProcess

CORPUS = Path(__file__).with_name("hostile")
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
MAX_RSS_MB = 500  # the crawler and its 2 extraction workers together
MAX_SIZE = 2 * 1024 * 1024
MOJIBAKE = ("Ã©", "Ã¨", "Ã ", "Ã§", "Ã´", "Ã‰", "â€™", "â‚¬", "\ufffd")


class _Canary(BaseHTTPRequestHandler):
    """Records every request: the target no hostile input may make the crawler reach."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def _pss(pid: int) -> int:
    """Return a process's proportional set size in kB (shared pages counted once across the tree)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _tree_rss(root: int) -> dict[int, tuple[int, int, int]]:
    """Return pid -> (VmRSS, VmHWM, Pss) in kB of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
            found[pid] = (int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0]), _pss(pid))
        except (OSError, KeyError, ValueError):
            pass
        todo += children.get(pid, [])
    return found


def _run_measured(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> dict:
    """Run a command, polling the RSS of its process tree; return exit code, output, peak figures."""
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum, peak_pss, hwm, names = 0, 0, {}, {}
    reader = threading.Thread(target=lambda: setattr(proc, "output", proc.communicate(timeout=timeout)), daemon=True)
    reader.start()
    while reader.is_alive():
        tree = _tree_rss(proc.pid)
        peak_sum = max(peak_sum, sum(rss for rss, _, _ in tree.values()))
        peak_pss = max(peak_pss, sum(pss for _, _, pss in tree.values()))
        for pid, (_, high, _) in tree.items():
            hwm[pid] = max(hwm.get(pid, 0), high)
            if pid not in names:
                try:
                    names[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:80].decode()
                except OSError:
                    names[pid] = "?"
        reader.join(0.05)
    stdout, stderr = proc.output
    return {"returncode": proc.returncode, "stdout": stdout, "stderr": stderr, "seconds": time.monotonic() - started,
            "peak_rss_mb": peak_sum / 1024, "peak_hwm_sum_mb": sum(hwm.values()) / 1024,
            "peak_pss_mb": peak_pss / 1024,
            "peak_process_mb": max(hwm.values(), default=0) / 1024,
            "processes": {f"{pid} {names.get(pid, '?')}": round(high / 1024) for pid, high in hwm.items()}}


def _warc_records(out: Path) -> list[dict]:
    records = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                status = record.http_headers.get_statuscode() if record.http_headers else None
                records.append({"type": record.rec_type, "uri": record.rec_headers.get_header("WARC-Target-URI"),
                                "status": status, "truncated": record.rec_headers.get_header("WARC-Truncated"),
                                "raw": record.raw_stream.read() if record.rec_type == "response" else b""})
    return records


def _make_generated_bodies(mirror: MirrorProcess) -> None:
    """Ask the mirror for every generated body once (HEAD), so that it has made them all before the crawl starts.

    The mirror makes a generated body (a 1 GiB bomb, a 50 MB page) at its first request: on a loaded machine that
    takes longer than the crawl's download timeout, which would then measure the mirror's CPU, not the crawler.
    """
    generated = [case for case in CASES if case.get("generator")]
    assert generated
    for case in generated:
        parts = urlsplit(mirror.roots[case["site"]])
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        try:
            connection.request("HEAD", case["path"])
            connection.getresponse().read()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    home, cwd = base / "home", base / "cwd"
    home.mkdir()
    cwd.mkdir()
    out = cwd / "out"
    _Canary.hits = []
    canary = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    canary_url = f"http://127.0.0.1:{canary.server_address[1]}"
    script = Path(sys.executable).with_name("souverain")
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(base / "tmp")}
    (base / "tmp").mkdir()
    try:
        with MirrorProcess(articles=40, hostile=CORPUS, hostile_canary=canary_url) as mirror:
            _make_generated_bodies(mirror)
            run = _run_measured([str(script), "crawl", "--out", str(out), *mirror.root_args(), "--delay", "0", "--concurrency", "8",
                                 # A hang guard, not a race: no case waits for it, and on a loaded machine a 10 s
                                 # timeout fired before an oversized body without a length reached the size limit.
                                 "--timeout", "300", "-s", f"DOWNLOAD_MAXSIZE={MAX_SIZE}",
                                 "-s", f"DOWNLOAD_WARNSIZE={MAX_SIZE // 2}", "-s", "RETRY_TIMES=1",
                                 "-s", "RETRY_BACKOFF_BASE=0.1", "-s", "EXTRACT_WORKERS=2"], cwd, env, timeout=600)
            run["roots"], run["cdn"] = dict(mirror.roots), mirror.cdn
    finally:
        canary.shutdown()
        canary.server_close()
    print(f"\nhostile crawl: {run['seconds']:.1f} s, peak RSS of the process tree {run['peak_rss_mb']:.0f} MB "
          f"(sum of per-process peaks {run['peak_hwm_sum_mb']:.0f} MB, "
          f"largest process {run['peak_process_mb']:.0f} MB): "
          f"{run['processes']}")
    assert run["returncode"] == 0, run["stderr"][-3000:]
    report = json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    articles = {}
    for path in (out / "articles").rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        articles[record["url"]] = (record, path)
    not_kept = {e["url"]: e for site in report["sites"].values() for e in site["not_kept"]}
    failures = [f for site in report["sites"].values() for f in site["failures"]]
    return {"base": base, "home": home, "cwd": cwd, "out": out, "run": run, "report": report, "articles": articles,
            "not_kept": not_kept, "failures": failures, "warc": _warc_records(out), "canary": list(_Canary.hits),
            "canary_url": canary_url}


def _url(crawl: dict, case: dict) -> str:
    return crawl["run"]["roots"][case["site"]] + case["path"]


def _served(crawl: dict, case: dict) -> bytes:
    body = (CORPUS / case["file"]).read_bytes().replace(b"@ROOT@", crawl["run"]["roots"][case["site"]].encode())
    body = body.replace(b"@CANARY@", crawl["canary_url"].encode())
    return encode(body, case["encoding"]) if case.get("encoding") else body


def test_corpus_holds_at_least_40_cases():
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert case["expect"] in ("kept", "rejected", "failed", "refused", "settled", "completes"), case["id"]
        assert not case.get("file") or (CORPUS / case["file"]).is_file(), case["id"]


def test_crawl_completes_under_500_mb(hostile_crawl):
    run = hostile_crawl["run"]
    # The extraction workers are forked from the crawler and share its pages copy-on-write: summing their RSS
    # counts those pages two or three times. PSS splits each shared page between its sharers: the tree's sum of
    # PSS is the memory the crawl really holds. Both figures are printed; each process's own peak RSS is bounded.
    print(f"peak memory of the crawl: {run['peak_pss_mb']:.0f} MB PSS summed over the process tree (sampled every "
          f"50 ms); RSS summed {run['peak_rss_mb']:.0f} MB; per-process peak RSS summed {run['peak_hwm_sum_mb']:.0f} "
          f"MB; largest process {run['peak_process_mb']:.0f} MB")
    assert run["peak_pss_mb"] < MAX_RSS_MB
    assert run["peak_process_mb"] < MAX_RSS_MB
    report = hostile_crawl["report"]
    assert {s["finish_reason"] for s in report["sites"].values()} == {"finished"}
    assert [e for s in report["sites"].values() for e in s["errors"]] == []  # no callback or pipeline raised
    assert not [e for e in hostile_crawl["not_kept"].values() if e["reason"].startswith("not completed")]


def test_writes_only_inside_out(hostile_crawl):
    assert list(hostile_crawl["home"].iterdir()) == []
    assert [p.name for p in hostile_crawl["cwd"].iterdir()] == ["out"]
    assert [p.name for p in hostile_crawl["base"].iterdir() if p.name not in ("home", "cwd", "tmp")] == []
    assert not Path("/tmp/souverain-pwned.html").exists() and not Path("/tmp/souverain-pwned").exists()
    out = hostile_crawl["out"].resolve()
    written = list(out.rglob("*"))
    assert written
    for path in written:
        assert path.resolve().is_relative_to(out), path
        assert path.relative_to(out).parts[0] in ("warc", "articles", "runs", "state.sqlite", ".souverain.lock"), path


def test_no_forbidden_target_is_ever_requested(hostile_crawl):
    assert hostile_crawl["canary"] == []
    roots = (*hostile_crawl["run"]["roots"].values(), hostile_crawl["run"]["cdn"])  # the kept articles' requisites
    requested = [r["uri"] for r in hostile_crawl["warc"] if r["type"] == "request"]
    assert requested and all(uri.startswith(roots) for uri in requested), \
        [uri for uri in requested if not uri.startswith(roots)]


def test_off_site_requisites_are_refused_and_reported(hostile_crawl):
    """A kept page's style sheet on another port of 127.0.0.1, images on the metadata address and on disk, a script
    on a local port: none is requested (the canary saw nothing), each is in the report's failures with why."""
    refused = {f["url"]: f["reason"] for f in hostile_crawl["failures"] if f["reason"].startswith("requisite")}
    canary = hostile_crawl["canary_url"]
    expected = {f"{canary}/vol.css": "host", f"{canary}/petite.png": "host", "file:///etc/passwd": "scheme",
                "file:///etc/shadow": "scheme", "http://localhost:6379/": "host",
                "http://169.254.169.254/latest/meta-data/iam/": "host"}
    for url, word in expected.items():
        assert url in refused and refused[url].startswith(f"requisite out of scope: {word}"), (url, refused)
    stats = hostile_crawl["report"]["totals"]["requisites"]
    assert stats["skipped"]["out_of_scope"] >= len(expected) and stats["fetched"] > 0


def test_nothing_read_from_local_files(hostile_crawl):
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    texts = [path for path in hostile_crawl["out"].rglob("*")
             if path.is_file() and path.suffix in (".json", ".txt", ".log")]
    assert texts
    for path in texts:
        assert passwd not in path.read_text(encoding="utf-8", errors="replace"), path


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(hostile_crawl, case):
    url = _url(hostile_crawl, case)
    kept = hostile_crawl["articles"].get(url)
    entry = hostile_crawl["not_kept"].get(url)
    reason = entry["reason"] if entry else None
    expect = case["expect"]
    if expect == "kept":
        assert kept is not None, f"not kept: {reason}"
        record, path = kept
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        assert case["expect_text"] in record["text"] and case["expect_text"] in text
        assert not [m for m in MOJIBAKE if m in text], text[:400]
        assert path.resolve().is_relative_to((hostile_crawl["out"] / "articles").resolve())
    elif expect in ("rejected", "failed", "refused"):
        assert kept is None
        assert reason is not None and case["expect_reason"] in reason, reason
    elif expect == "settled":
        assert kept is not None or (reason and not reason.startswith("not completed")), reason
    if expect == "failed":
        assert any(f["url"] == url for f in hostile_crawl["failures"]), "no failure listed in the report"
        archived = [r for r in hostile_crawl["warc"] if r["type"] == "response" and r["uri"] == url]
        if "too large" in case["expect_reason"]:  # nothing kept past the limit: a bomb's compressed bytes at most
            assert all(len(r["raw"]) <= MAX_SIZE and not r["truncated"] for r in archived)
    if expect == "refused":
        responses = [r for r in hostile_crawl["warc"] if r["type"] == "response" and r["uri"] == url]
        assert responses, "the response that points off-site is not archived"
        if "out of scope" in case["expect_reason"]:
            assert any("out of scope" in f["reason"] for f in hostile_crawl["failures"] if f["url"] != url)
    if expect == "completes":
        assert any(r["uri"] == url for r in hostile_crawl["warc"] if r["type"] == "response"), "never fetched"
    if case.get("expect_raw"):
        raw = [r["raw"] for r in hostile_crawl["warc"] if r["type"] == "response" and r["uri"] == url]
        assert raw and raw[0] == _served(hostile_crawl, case)
