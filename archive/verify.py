"""``souverain verify``: re-check every hash and digest of a snapshot, and say where any damage is."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from archive.errors import ArchiveError
from archive.manifest import FORMAT, MANIFEST_PATH, line_hashes
from archive.wacz import (
    DATAPACKAGE,
    DATAPACKAGE_DIGEST,
    PAGES_HEADER,
    WACZ_VERSION,
    Digest,
    changed_ranges,
    digest_chunks,
    member_chunks,
    member_offset,
)

PAGES = "pages/pages.jsonl"


@dataclass(frozen=True)
class Check:
    """One verification: its name, whether it passed, and what is wrong when it did not."""

    name: str
    ok: bool
    detail: str = ""


def verify_snapshot(path: Path) -> list[Check]:
    """Check a WACZ snapshot: zip structure, datapackage hashes, WARC record digests, article texts.

    Args:
        path: the ``.wacz`` file.

    Returns:
        One ``Check`` per verification, in order; damage is reported with its file and byte range.

    Raises:
        ArchiveError: the file does not exist.
    """
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder: verify checks a .wacz snapshot against the hashes it records; "
                           f"make one with `souverain snapshot --out {path} -o NAME.wacz`, then verify NAME.wacz")
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [Check("zip", False, f"{path} is not a readable zip file ({exc})")]
    with archive, path.open("rb") as handle:
        return _Snapshot(archive, handle).checks()


class _Snapshot:
    """An open snapshot and what has been read of it."""

    def __init__(self, archive: zipfile.ZipFile, handle: BinaryIO) -> None:
        self.handle = handle
        self.infos = {info.filename: info for info in archive.infolist()}
        self.digests: dict[str, Digest] = {}
        self.offsets: dict[str, int] = {}
        self.manifest: dict[str, Any] = {}
        self.resources: dict[str, dict[str, Any]] = {}

    def checks(self) -> list[Check]:
        """Run every check."""
        checks = [self._zip()]
        checks += self._datapackage()
        checks.append(self._manifest())
        checks += self._hashes()
        checks += [self._warc(name) for name in sorted(self.infos) if name.startswith("archive/")]
        checks.append(self._article_texts())
        checks.append(self._pages())
        return checks

    def _read(self, name: str) -> bytes | None:
        """Return a member's bytes, or None when it is missing or unreadable."""
        if name not in self.digests:
            return None
        return b"".join(member_chunks(self.handle, self.infos[name]))

    def _zip(self) -> Check:
        """Read every member's local header and hash its data (stored members only)."""
        problems = []
        for name, info in sorted(self.infos.items()):
            try:
                self.offsets[name] = member_offset(self.handle, info)
                self.digests[name] = digest_chunks(member_chunks(self.handle, info))
            except (zipfile.BadZipFile, OSError) as exc:
                problems.append(f"{name}: {exc}")
                continue
            if self.digests[name].size != info.file_size:
                problems.append(f"{name}: {self.digests[name].size} bytes, the zip directory says {info.file_size}")
        return Check(f"zip ({len(self.infos)} files)", not problems, "; ".join(problems))

    def _datapackage(self) -> list[Check]:
        """Check datapackage.json against datapackage-digest.json, and its resources against the zip's files."""
        checks = []
        digest_doc = _json(self._read(DATAPACKAGE_DIGEST))
        package_digest = self.digests.get(DATAPACKAGE)
        if not isinstance(digest_doc, dict) or package_digest is None:
            checks.append(Check(DATAPACKAGE_DIGEST, False, "datapackage-digest.json or datapackage.json is "
                                                           "missing or not JSON"))
        else:
            ok = digest_doc.get("hash") == package_digest.hash and digest_doc.get("path") == DATAPACKAGE
            checks.append(Check(DATAPACKAGE_DIGEST, ok, f"datapackage.json has {package_digest.hash}, "
                                                        f"datapackage-digest.json says {digest_doc.get('hash')}"))
        package = _json(self._read(DATAPACKAGE))
        if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
            return [*checks, Check(DATAPACKAGE, False, "datapackage.json is missing or not a data package")]
        self.resources = {res.get("path"): res for res in package["resources"] if isinstance(res, dict)}
        files = set(self.infos) - {DATAPACKAGE, DATAPACKAGE_DIGEST}
        problems = [f"wacz_version is {package.get('wacz_version')!r}, expected {WACZ_VERSION}"] \
            if package.get("wacz_version") != WACZ_VERSION else []
        problems += [f"{path}: listed but not in the zip" for path in sorted(set(self.resources) - files)]
        problems += [f"{path}: in the zip but not listed" for path in sorted(files - set(self.resources))]
        return [*checks, Check(f"{DATAPACKAGE} ({len(self.resources)} resources)", not problems, "; ".join(problems))]

    def _manifest(self) -> Check:
        """Load the manifest (chunk hashes, article hashes)."""
        document = _json(self._read(MANIFEST_PATH))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return Check(MANIFEST_PATH, False, f"{MANIFEST_PATH} is missing or not a {FORMAT} document")
        self.manifest = document
        return Check(MANIFEST_PATH, True)

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
            actual = line_hashes(self._read(PAGES) or b"")
            wanted = self.manifest.get("pages_lines", [])
            lines = [str(n + 1) for n in range(max(len(actual), len(wanted)))
                     if n >= len(actual) or n >= len(wanted) or actual[n] != wanted[n]]
            detail += f", line {', '.join(lines[:10])}" if lines else ""
        return detail

    def _warc(self, name: str) -> Check:
        """Check a WARC file's gzip members (CRC, length) and each record's block and payload digests."""
        info = self.infos[name]
        if name not in self.digests:
            return Check(f"WARC digests {name}", False, "unreadable")
        problems, members = _gzip_problems(member_chunks(self.handle, info))
        count, at = 0, 0
        if problems:  # warcio cannot say more about a file with a broken gzip member
            return Check(f"WARC digests {name}", False, "; ".join(problems))
        try:
            self.handle.seek(self.offsets[name])
            records = ArchiveIterator(LimitReader(self.handle, info.compress_size), check_digests=True)
            for record in records:
                at = records.get_record_offset()
                records.read_to_end(record)
                count += 1
                if record.digest_checker.passed is False:
                    problems.append(f"record at offset {at} {record.rec_headers.get_header('WARC-Record-ID')}: "
                                    + "; ".join(record.digest_checker.problems))
                at += records.get_record_length()
        except Exception as exc:  # warcio raises many kinds on a malformed record
            problems.append(f"record at offset {at} unreadable ({_short(exc)})")
        if not problems and count != members:
            problems.append(f"{members} gzip members but {count} records read")
        return Check(f"WARC digests {name} ({count} records)", not problems, "; ".join(problems))

    def _article_texts(self) -> Check:
        """Check each article's text file against the manifest's SHA-256."""
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
        """Check pages.jsonl: its header, one entry per article version (URL and capture time), each text's SHA-256."""
        data = self._read(PAGES)
        if data is None:
            return Check(PAGES, False, f"{PAGES}: missing")
        expected = {(article.get("url"), article.get("captured")): article.get("text_sha256")
                    for article in self.manifest.get("articles", [])}
        problems, seen = [], set()
        for number, line in enumerate(data.splitlines(), 1):
            entry = _json(line)
            if number == 1:
                if entry != PAGES_HEADER:
                    problems.append(f"{PAGES} line 1: not the json-pages-1.0 header")
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                problems.append(f"{PAGES} line {number}: not a JSON page entry")
                continue
            key = (entry.get("url"), entry.get("ts"))
            seen.add(key)
            text_hash = hashlib.sha256(entry["text"].encode("utf-8")).hexdigest()
            if expected.get(key) != text_hash:
                problems.append(f"{PAGES} line {number}: text SHA-256 differs from the manifest ({entry.get('url')})")
        problems += [f"{PAGES}: no entry for {url} captured {ts}" for url, ts in sorted(set(expected) - seen, key=str)]
        return Check(f"{PAGES} ({len(seen)} pages)", not problems, "; ".join(problems))


def _gzip_problems(pieces: Iterator[bytes]) -> tuple[list[str], int]:
    """Decompress a file's gzip members one by one (zlib checks each CRC and length); stop at the first bad one.

    Args:
        pieces: the file's bytes, in order.

    Returns:
        The problem found (at most one, with the member's offset) and the number of good members.
    """
    offset = start = members = 0
    member = None
    for piece in pieces:
        while piece:
            if member is None:
                member, start = zlib.decompressobj(31), offset
            try:
                member.decompress(piece)
            except zlib.error as exc:
                return [f"gzip member at offset {start}: {exc}"], members
            if not member.eof:
                offset += len(piece)
                break
            offset += len(piece) - len(member.unused_data)
            piece, member, members = member.unused_data, None, members + 1
    return ([f"gzip member at offset {start} is truncated"] if member is not None else []), members


def _json(data: bytes | None) -> Any:
    """Parse JSON, or return None."""
    try:
        return json.loads(data) if data is not None else None
    except ValueError:
        return None


def _short(exc: Exception) -> str:
    """Return an exception as one short printable line (warcio quotes the raw bytes it could not parse)."""
    text = repr(" ".join(str(exc).split(", first line:")[0].split()))[1:-1]
    return f"{type(exc).__name__}: {text[:120]}{'…' if len(text) > 120 else ''}"
