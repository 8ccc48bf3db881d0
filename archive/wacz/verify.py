"""``souverain verify``: re-check every hash and digest of a snapshot, and say where any damage is."""

from __future__ import annotations

import hashlib
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.source import MAX_JSON, load_json, split_lines
from archive.wacz.checks import PAGES, Check, WarcReading, check_pages, guarded, read_warc_member, warc_check
from archive.wacz.manifest import FORMAT, MANIFEST_PATH
from archive.wacz.package import (
    DATAPACKAGE,
    DATAPACKAGE_DIGEST,
    WACZ_VERSION,
    Digest,
    changed_ranges,
    digest_chunks,
    member_chunks,
    member_offset,
)
from archive.wacz.reader import Wacz


def verify_snapshot(path: Path) -> list[Check]:
    """Check a WACZ snapshot: zip structure, datapackage hashes, manifest hashes, WARC records, article texts.

    Each check gives its verdict on its own, even when another input is malformed: a check that meets a
    malformed or oversized input fails with the member named, it does not stop the others.

    Args:
        path: the ``.wacz`` file.

    Returns:
        One ``Check`` per verification, in order; damage is reported with its file and byte range.

    Raises:
        ArchiveError: the file does not exist or is not a regular file.
    """
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder: verify checks a .wacz snapshot against the hashes it records; "
                           f"make one with `souverain snapshot --out {path} -o NAME.wacz`, then verify NAME.wacz")
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file")
    try:
        wacz = Wacz(path)
    except ArchiveError as exc:
        return [Check("zip", False, str(exc))]
    with wacz:
        return _Snapshot(wacz).checks()


class _Snapshot:
    """An open snapshot and what has been read of it."""

    def __init__(self, wacz: Wacz) -> None:
        self.wacz = wacz
        self.handle = wacz.handle
        self.infos = wacz.infos
        self.digests: dict[str, Digest] = {}
        self.offsets: dict[str, int] = {}
        self.manifest: dict[str, Any] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.readings: dict[str, WarcReading] = {}

    def checks(self) -> list[Check]:
        """Run every check."""
        checks = guarded("zip", self._zip)
        checks += guarded(DATAPACKAGE, self._datapackage)
        checks += guarded(MANIFEST_PATH, self._manifest)
        checks += guarded("hashes", self._hashes)
        checks += guarded("manifest hashes", self._manifest_hashes)
        for name in sorted(self.infos):
            if name.startswith("archive/"):
                checks += guarded(f"WARC {name}", partial(self._warc, name))
        checks += guarded("article texts", self._article_texts)
        checks += guarded(PAGES, self._pages)
        return checks

    def _read(self, name: str, limit: int = MAX_JSON) -> bytes | None:
        """Return a member's bytes, or None when it is missing or unreadable; an oversized one is an error."""
        if name not in self.digests:
            return None
        if self.infos[name].file_size > limit:
            raise ArchiveError(f"{name}: {self.infos[name].file_size:,} bytes, over the limit of {limit:,}")
        return b"".join(member_chunks(self.handle, self.infos[name]))

    def _json(self, name: str) -> Any:
        """Return a JSON member checked for depth and type (an object), or None when it is missing."""
        data = self._read(name)
        return None if data is None else load_json(data, name)

    def _loaded(self, name: str) -> tuple[Any, str]:
        """Return a JSON member (None when missing) and "", or None and why it cannot be read (too large, not JSON)."""
        try:
            return self._json(name), ""
        except ArchiveError as exc:
            return None, str(exc)

    def _zip(self) -> Check:
        """Check every member's name and size, read its local header and hash its data (stored members only)."""
        problems = [f"member {problem}" for problem in self.wacz.problems]
        warcs = {name for name, info in self.infos.items()
                 if name.startswith("archive/") and info.compress_type == zipfile.ZIP_STORED}
        with ProcessPoolExecutor(max(1, min(len(warcs), len(os.sched_getaffinity(0))))) as pool:
            readings = {}
            for name, info in sorted(self.infos.items()):
                try:
                    self.offsets[name] = member_offset(self.handle, info)
                    if name in warcs:  # hashed in the worker's read that checks its records
                        readings[name] = pool.submit(read_warc_member, str(self.wacz.path), self.offsets[name],
                                                     info.compress_size, name)
                    else:
                        self.digests[name] = digest_chunks(member_chunks(self.handle, info))
                except (zipfile.BadZipFile, OSError) as exc:
                    problems.append(f"{name}: {exc}")
            for name, future in readings.items():
                try:
                    self.readings[name] = future.result()
                except OSError as exc:
                    problems.append(f"{name}: {exc}")
                    continue
                self.digests[name] = self.readings[name].digest
        for name, digest in sorted(self.digests.items()):
            if digest.size != self.infos[name].file_size:
                problems.append(f"{name}: {digest.size} bytes, the zip directory says {self.infos[name].file_size}")
        count = len(self.infos) + len(self.wacz.problems)
        return Check(f"zip ({count} files)", not problems, "; ".join(problems))

    def _datapackage(self) -> list[Check]:
        """Check datapackage.json against datapackage-digest.json, and its resources against the zip's files."""
        checks = []
        digest_doc, unreadable = self._loaded(DATAPACKAGE_DIGEST)
        package_digest = self.digests.get(DATAPACKAGE)
        if not isinstance(digest_doc, dict) or package_digest is None:
            checks.append(Check(DATAPACKAGE_DIGEST, False, unreadable or "datapackage-digest.json or "
                                                                         "datapackage.json is missing or not JSON"))
        else:  # by the bytes' hash: a datapackage.json that is no JSON still has one
            ok = digest_doc.get("hash") == package_digest.hash and digest_doc.get("path") == DATAPACKAGE
            checks.append(Check(DATAPACKAGE_DIGEST, ok, f"datapackage.json has {package_digest.hash}, "
                                                        f"datapackage-digest.json says {digest_doc.get('hash')}"))
        package, unreadable = self._loaded(DATAPACKAGE)
        if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
            return [*checks, Check(DATAPACKAGE, False, unreadable or "datapackage.json is missing or not a data "
                                                                     "package")]
        problems = [f"wacz_version is {str(package.get('wacz_version'))[:40]!r}, expected {WACZ_VERSION}"] \
            if package.get("wacz_version") != WACZ_VERSION else []
        for number, res in enumerate(package["resources"], 1):
            if not isinstance(res, dict) or not isinstance(res.get("path"), str) or not isinstance(
                    res.get("hash"), str) or type(res.get("bytes")) is not int:
                problems.append(f"resource {number}: not an object with a path, a hash and bytes")
            elif res["path"] in self.resources:
                problems.append(f"{res['path'][:200]}: listed twice")
            else:
                self.resources[res["path"]] = res
        files = set(self.infos) - {DATAPACKAGE, DATAPACKAGE_DIGEST}
        problems += [f"{path}: listed but not in the zip" for path in sorted(set(self.resources) - files)]
        problems += [f"{path}: in the zip but not listed" for path in sorted(files - set(self.resources))]
        return [*checks, Check(f"{DATAPACKAGE} ({len(self.resources)} resources)", not problems, "; ".join(problems))]

    def _manifest(self) -> Check:
        """Load the manifest (chunk hashes, article hashes) and check the types of what verify reads from it."""
        document = self._json(MANIFEST_PATH)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return Check(MANIFEST_PATH, False, f"{MANIFEST_PATH} is missing or not a {FORMAT} document")
        chunks, articles = document.get("chunks"), document.get("articles")
        problems = []
        if not isinstance(chunks, dict) or not all(isinstance(v, list) and all(isinstance(h, str) for h in v)
                                                   for v in chunks.values()):
            problems.append("chunks is not an object of lists of hashes")
        if not isinstance(articles, list) or not all(
                isinstance(a, dict) and all(isinstance(a.get(k), str) for k in ("url", "txt", "json", "text_sha256"))
                for a in articles):
            problems.append("articles is not a list of objects with url, txt, json and text_sha256")
        if not isinstance(document.get("pages_lines"), list) or not isinstance(document.get("warc_files"), list):
            problems.append("pages_lines or warc_files is not a list")
        if problems:
            return Check(MANIFEST_PATH, False, "; ".join(problems))
        self.manifest = document
        return Check(MANIFEST_PATH, True)

    def _manifest_hashes(self) -> Check:
        """Check every file against the manifest's own chunk hashes (independent of datapackage.json)."""
        expected = self.manifest.get("chunks", {})
        files = set(self.infos) - {DATAPACKAGE, DATAPACKAGE_DIGEST, MANIFEST_PATH}
        problems = [f"{path[:200]}: not in the manifest" for path in sorted(files - set(expected))] if expected else \
            ["the manifest is missing or lists no file"]
        for path in sorted(set(expected) & set(self.digests)):
            if expected[path] != self.digests[path].chunks:
                ranges = changed_ranges(expected[path], self.digests[path].chunks, self.digests[path].size)
                problems.append(f"{path}: " + ", ".join(f"bytes {first}–{last}" for first, last in ranges[:5])
                                + " differ from the manifest")
        problems += [f"{path[:200]}: in the manifest but not in the zip" for path in sorted(set(expected) - files)]
        return Check(f"manifest hashes ({len(expected)} files)", not problems, "; ".join(problems[:20]))

    def _hashes(self) -> list[Check]:
        """Re-hash every resource against datapackage.json; article files are one check."""
        checks, article_problems, articles = [], [], 0
        for path, resource in sorted(self.resources.items()):
            digest = self.digests.get(path)
            if digest is None:
                problem = "missing or unreadable"
            elif digest.hash != resource.get("hash") or digest.size != resource.get("bytes"):
                problem = self._locate(path, digest, resource)
            else:
                problem = ""
            if path.startswith("articles/"):
                articles += 1
                article_problems += [f"{path}: {problem}"] if problem else []
            else:
                checks.append(Check(f"hash {path}", not problem, problem))
        checks.append(Check(f"hash articles/* ({articles} files)", not article_problems, "; ".join(article_problems)))
        return checks

    def _locate(self, path: str, digest: Digest, resource: dict[str, Any]) -> str:
        """Say which bytes of a damaged file differ, from the manifest's chunk hashes."""
        expected = self.manifest.get("chunks", {}).get(path)
        if path == MANIFEST_PATH or not isinstance(expected, list):
            return f"SHA-256 {digest.sha256} does not match datapackage.json ({resource.get('hash')})"
        start = self.offsets[path]
        ranges = ", ".join(f"bytes {first}–{last} (WACZ offset {start + first}–{start + last})"
                           for first, last in changed_ranges(expected, digest.chunks, digest.size))
        detail = f"{ranges or 'content'} differ"
        if digest.size != resource.get("bytes"):
            detail += f" (size {digest.size}, expected {resource.get('bytes')})"
        if path == PAGES:
            try:
                actual = [hashlib.sha256(line + b"\n").hexdigest()
                          for line in split_lines(member_chunks(self.handle, self.infos[PAGES]), MAX_JSON, PAGES)]
            except ArchiveError as exc:  # a line over the limit: said here, and the other files' hashes still checked
                return f"{detail}, {exc}"
            wanted = self.manifest.get("pages_lines", [])
            lines = [str(n + 1) for n in range(max(len(actual), len(wanted)))
                     if n >= len(actual) or n >= len(wanted) or actual[n] != wanted[n]]
            detail += f", line {', '.join(lines[:10])}" if lines else ""
        return detail

    def _warc(self, name: str) -> Check:
        """Check a WARC file's records and digests (read with its hash), and its record count against the manifest's."""
        reading = self.readings.get(name)
        if reading is None:
            return Check(f"WARC digests {name}", False, "unreadable")
        listed = [entry.get("records") for entry in self.manifest.get("warc_files", []) if isinstance(entry, dict)
                  and entry.get("path") == name]
        return warc_check(reading, name, listed)

    def _article_texts(self) -> Check:
        """Check each article's text file against the manifest's SHA-256."""
        if not self.manifest:
            return Check("article texts", False, f"no usable {MANIFEST_PATH} to check them against")
        articles, problems = self.manifest.get("articles", []), []
        for article in articles:
            for key in ("txt", "json"):
                if article.get(key) not in self.digests:
                    problems.append(f"{article.get(key)}: missing")
            digest = self.digests.get(article.get("txt"))
            if digest is not None and digest.sha256 != article.get("text_sha256"):
                problems.append(f"{article['txt']}: text SHA-256 differs from the manifest ({article.get('url')})")
        return Check(f"article texts ({len(articles)})", not problems, "; ".join(problems))

    def _pages(self) -> Check:
        """Check pages.jsonl against the manifest's article versions."""
        if PAGES not in self.digests:
            return Check(PAGES, False, f"{PAGES}: missing")
        lines = split_lines(member_chunks(self.handle, self.infos[PAGES]), MAX_JSON, PAGES)
        return check_pages(lines, self.manifest.get("articles", []))
