"""A corpus of hostile archives (WACZ files and output folders), built at test time from one small real crawl.

Each case is a mutation of a real snapshot or output folder, made the way a forger or a broken tool would make
it (re-hashing what it changed, or not), with what every offline command that reads it must do: ``ok``,
``fail:TEXT`` (verify prints FAIL naming TEXT, exits 1) or ``error:TEXT`` (one line ``souverain: error: …TEXT…``,
exit 1). ``build(base_out, base_wacz, folder)`` writes the case into ``folder`` and returns its input path;
``folder/outside`` holds the files that no command may read or change.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import brotli

from archive.wacz.manifest import MANIFEST_PATH
from archive.wacz.package import DATAPACKAGE, DATAPACKAGE_DIGEST, Member, datapackage, digest_chunks, json_bytes

OUTSIDE = "outside"
CANARY = "canary.json"
CATASTROPHIC = r"(?:[a-z]+\s?)+QQQ"


@dataclass(frozen=True)
class Case:
    """One hostile archive: how to build it and what each command must do with it."""

    name: str
    kind: str  # "wacz" or "out"
    build: Callable[[Path, Path, Path], Path]
    expect: dict[str, str] = field(default_factory=dict)


# -- WARC records (one per gzip member, as souverain and warcio write them) -----------------------------------

def split_members(data: bytes) -> list[bytes]:
    """Return the decompressed content of each gzip member of a ``.warc.gz``."""
    records = []
    while data:
        member = zlib.decompressobj(31)
        records.append(member.decompress(data))
        data = member.unused_data
    return records


def join_members(records: list[bytes]) -> bytes:
    """Gzip each record on its own (fixed mtime) and concatenate."""
    return b"".join(gzip.compress(record, mtime=0) for record in records)


def parse_record(raw: bytes) -> tuple[list[list[str]], bytes]:
    """Return a record's WARC headers (name, value pairs) and block."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    headers = [line.split(": ", 1) for line in head.decode("utf-8").split("\r\n")[1:]]
    length = int(next(value for name, value in headers if name == "Content-Length"))
    return headers, rest[:length]


def make_record(headers: list[list[str]], block: bytes, *, fix_length: bool = True) -> bytes:
    """Return a record with its block, Content-Length and WARC-Block-Digest made to fit (as a forger would)."""
    digest = "sha1:" + base64.b32encode(hashlib.sha1(block).digest()).decode("ascii")
    fixed = []
    http = (header(headers, "Content-Type") or "").startswith("application/http")
    for name, value in headers:
        if name == "Content-Length" and fix_length:
            value = str(len(block))
        elif name == "WARC-Block-Digest" or (name == "WARC-Payload-Digest" and not http):
            value = digest
        fixed.append([name, value])
    head = "WARC/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fixed)
    return head.encode("utf-8") + b"\r\n" + block + b"\r\n\r\n"


def header(headers: list[list[str]], name: str) -> str | None:
    """Return a WARC header's value."""
    return next((value for key, value in headers if key == name), None)


def edit_runlog(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """Return a WARC whose run-log record of one kind (``config`` or ``articles``), first found, is edited."""
    records = split_members(data)
    for index, raw in enumerate(records):
        headers, block = parse_record(raw)
        if (header(headers, "WARC-Target-URI") or "").endswith(f":{part}"):
            records[index] = make_record(headers, edit(block))
            return join_members(records)
    raise AssertionError(f"no run-log {part} record")


def edit_articles(data: bytes, change: Callable[[dict], dict]) -> bytes:
    """Return a WARC whose first run-log article line is changed."""
    def edit(block: bytes) -> bytes:
        lines = block.decode("utf-8").splitlines()
        lines[0] = json.dumps(change(json.loads(lines[0])))
        return "\n".join(lines).encode("utf-8") + b"\n"
    return edit_runlog(data, "articles", edit)


def edit_config(data: bytes, change: Callable[[dict], dict]) -> bytes:
    """Return a WARC whose first run-log config record is changed."""
    return edit_runlog(data, "config", lambda block: json.dumps(change(json.loads(block))).encode("utf-8"))


def edit_first_page(data: bytes, body: bytes, encoding: str) -> bytes:
    """Return a WARC whose first kept article's first page has another body and Content-Encoding."""
    records = split_members(data)
    articles = next(parse_record(raw)[1] for raw in records
                    if (header(parse_record(raw)[0], "WARC-Target-URI") or "").endswith(":articles"))
    wanted = json.loads(articles.splitlines()[0])["pages"][0]
    for index, raw in enumerate(records):
        headers, block = parse_record(raw)
        if header(headers, "WARC-Record-ID") == wanted:
            http_head = block.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
            kept = [line for line in http_head if not line.lower().startswith(("content-encoding:", "content-length:"))]
            kept += [f"Content-Encoding: {encoding}", f"Content-Length: {len(body)}"]
            payload = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
            headers = [[name, payload if name == "WARC-Payload-Digest" else value] for name, value in headers]
            records[index] = make_record(headers, "\r\n".join(kept).encode("latin-1") + b"\r\n\r\n" + body)
            return join_members(records)
    raise AssertionError("first page not found")


def edit_record(data: bytes, index: int, change: Callable[[bytes], bytes]) -> bytes:
    """Return a WARC whose record number ``index`` (raw bytes) is changed."""
    records = split_members(data)
    records[index] = change(records[index])
    return join_members(records)


def drop_header(name: str) -> Callable[[bytes], bytes]:
    """A record change that removes one WARC header."""
    def change(raw: bytes) -> bytes:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        lines = [line for line in head.split(b"\r\n") if not line.startswith(name.encode() + b":")]
        return b"\r\n".join(lines) + sep + rest
    return change


def set_header(name: str, value: str) -> Callable[[bytes], bytes]:
    """A record change that sets one WARC header to a value, leaving the block alone."""
    def change(raw: bytes) -> bytes:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        lines = [f"{name}: {value}".encode() if line.startswith(name.encode() + b":") else line
                 for line in head.split(b"\r\n")]
        return b"\r\n".join(lines) + sep + rest
    return change


def bomb(size: int) -> bytes:
    """Return gzip bytes that inflate to ``size`` zero bytes (compressed in pieces: bounded memory)."""
    packer, piece, out = zlib.compressobj(9, zlib.DEFLATED, 31), bytes(1 << 20), []
    for _ in range(size >> 20):
        out.append(packer.compress(piece))
    return b"".join(out) + packer.flush()


# -- WACZ files ---------------------------------------------------------------------------------------------

def wacz_members(wacz: Path) -> list[tuple[str, bytes]]:
    """Return a WACZ's members, in order."""
    with zipfile.ZipFile(wacz) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_zip(dest: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    """Write members (stored unless a ZipInfo says otherwise) in the given order, duplicates allowed."""
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        warnings.simplefilter("ignore")
        for name, data in members:
            archive.writestr(name, data)
    return dest


def rehash(members: list[tuple[str, bytes]], *, manifest: bool) -> list[tuple[str, bytes]]:
    """Recompute datapackage.json (and the manifest's chunk hashes when asked) for changed members."""
    by_name = dict(members)
    if manifest and MANIFEST_PATH in by_name:
        document = json.loads(by_name[MANIFEST_PATH])
        document["chunks"] = {name: digest_chunks(iter([data])).chunks for name, data in members
                              if name not in (DATAPACKAGE, DATAPACKAGE_DIGEST, MANIFEST_PATH)}
        by_name[MANIFEST_PATH] = json_bytes(document)
    listed = [Member.from_bytes(name, data) for name, data in by_name.items()
              if name not in (DATAPACKAGE, DATAPACKAGE_DIGEST)]
    old = json.loads(by_name[DATAPACKAGE])
    package = datapackage(listed, created=old["created"], software=old["software"], title=old["title"])
    by_name[DATAPACKAGE] = package
    by_name[DATAPACKAGE_DIGEST] = json_bytes({"path": DATAPACKAGE, "hash": digest_chunks(iter([package])).hash})
    return sorted(by_name.items())


def wacz_case(change: Callable[[list[tuple[str, bytes]], Path], list[tuple[str | zipfile.ZipInfo, bytes]]],
              *, forged: str = "datapackage") -> Callable[[Path, Path, Path], Path]:
    """A WACZ case: the base snapshot's members changed, then re-hashed as a forger would (``none``,
    ``datapackage`` or ``all``: datapackage and the manifest's chunk hashes)."""
    def build(base_out: Path, base_wacz: Path, folder: Path) -> Path:
        members = change(wacz_members(base_wacz), folder)
        if forged != "none":
            members = rehash(members, manifest=forged == "all")  # type: ignore[arg-type]
        return write_zip(folder / "case.wacz", members)
    return build


def warc_change(edit: Callable[[bytes], bytes]) -> Callable[[list[tuple[str, bytes]], Path],
                                                              list[tuple[str, bytes]]]:
    """A WACZ change that edits its first WARC member."""
    def change(members: list[tuple[str, bytes]], folder: Path) -> list[tuple[str, bytes]]:
        first = next(name for name, _ in members if name.startswith("archive/"))
        return [(name, edit(data) if name == first else data) for name, data in members]
    return change


def add_member(name: str | zipfile.ZipInfo, data: bytes, *, replace: bool = False) -> Callable[..., list]:
    """A WACZ change that adds a member (after the others), or replaces the one of that name."""
    def change(members: list[tuple[str, bytes]], folder: Path) -> list:
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        kept = [(n, d) for n, d in members if not (replace and n == key)]
        return [*kept, (name, data)]
    return change


def symlink_info(name: str) -> zipfile.ZipInfo:
    """Return a zip entry that unzip would create as a symbolic link."""
    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def deflated_info(name: str) -> zipfile.ZipInfo:
    """Return a zip entry stored deflated."""
    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def zip_bomb(name: str, size: int) -> Callable[[Path, Path, Path], Path]:
    """A WACZ whose member ``name`` is ``size`` zero bytes deflated (written in pieces: bounded memory)."""
    def build(base_out: Path, base_wacz: Path, folder: Path) -> Path:
        dest = folder / "case.wacz"
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for member, data in wacz_members(base_wacz):
                if member != name:
                    archive.writestr(member, data)
            with archive.open(deflated_info(name), "w", force_zip64=True) as out:
                for _ in range(size >> 20):
                    out.write(bytes(1 << 20))
        return dest
    return build


def lying_size(base_out: Path, base_wacz: Path, folder: Path) -> Path:
    """A WACZ whose central directory says the manifest is 10 bytes (its local header says otherwise)."""
    data = bytearray(base_wacz.read_bytes())
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:  # the central directory entry of the manifest: sizes at +20 and +24, name at +46
        name_length = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + name_length] == MANIFEST_PATH.encode():
            data[entry + 20:entry + 28] = (10).to_bytes(4, "little") * 2
            break
        entry = data.find(b"PK\x01\x02", entry + 4)
    (folder / "case.wacz").write_bytes(bytes(data))
    return folder / "case.wacz"


def raw_file(content: bytes) -> Callable[[Path, Path, Path], Path]:
    """A "WACZ" that is just these bytes."""
    def build(base_out: Path, base_wacz: Path, folder: Path) -> Path:
        (folder / "case.wacz").write_bytes(content)
        return folder / "case.wacz"
    return build


def deep(levels: int) -> bytes:
    """Return JSON nested ``levels`` deep."""
    return b"[" * levels + b"]" * levels


# -- output folders -----------------------------------------------------------------------------------------

def out_case(change: Callable[[Path, Path], None]) -> Callable[[Path, Path, Path], Path]:
    """An output-folder case: a copy of the base crawl's folder, changed in place (``change(out, outside)``)."""
    def build(base_out: Path, base_wacz: Path, folder: Path) -> Path:
        out = folder / "out"
        shutil.copytree(base_out, out, symlinks=True, ignore=shutil.ignore_patterns(".souverain.lock"))
        change(out, folder / OUTSIDE)
        return out
    return build


def first_warc(out: Path) -> Path:
    """The first WARC file of an output folder."""
    return sorted((out / "warc").glob("*.warc.gz"))[0]


def first_json(out: Path) -> Path:
    """The first dated JSON file of an output folder."""
    return sorted((out / "articles").rglob("*.json"))[0]


def out_warc_edit(edit: Callable[[bytes], bytes]) -> Callable[[Path, Path], None]:
    """An output-folder change that edits its first WARC file."""
    def change(out: Path, outside: Path) -> None:
        path = first_warc(out)
        path.write_bytes(edit(path.read_bytes()))
    return change


def out_json_edit(content: bytes) -> Callable[[Path, Path], None]:
    """An output-folder change that replaces its first dated JSON file."""
    def change(out: Path, outside: Path) -> None:
        first_json(out).write_bytes(content)
    return change


def fifo_warc(out: Path, outside: Path) -> None:
    """Add a WARC that is a FIFO (opening it for reading blocks until a writer comes)."""
    os.mkfifo(out / "warc" / "souverain-20990101000000000-00000-1~fifo.warc.gz")


def link_warc(target: str) -> Callable[[Path, Path], None]:
    """Add a WARC that is a symbolic link to ``target`` (``{outside}`` is the forbidden folder)."""
    def change(out: Path, outside: Path) -> None:
        (out / "warc" / "souverain-20990101000000000-00000-1~link.warc.gz").symlink_to(
            target.format(outside=outside))
    return change


def link_json(out: Path, outside: Path) -> None:
    """Replace the first dated JSON file by a link to a JSON file outside OUT."""
    path = first_json(out)
    path.unlink()
    path.symlink_to(outside / CANARY)


def link_articles(out: Path, outside: Path) -> None:
    """Make OUT/articles a link to a folder outside OUT."""
    shutil.rmtree(out / "articles")
    (out / "articles").symlink_to(outside)


def formula_title(out: Path, outside: Path) -> None:
    """Give the first article a title that a spreadsheet would run as a formula."""
    path = first_json(out)
    record = json.loads(path.read_text(encoding="utf-8"))
    record["title"] = '=HYPERLINK("http://127.0.0.9/x","clic")'
    record["authors"] = ["@evil", "+33 1 23"]
    path.write_text(json.dumps(record), encoding="utf-8")


def huge_json(out: Path, outside: Path) -> None:
    """Replace the first dated JSON file by 80 MB of JSON (a string)."""
    with first_json(out).open("wb") as handle:
        handle.write(b'{"url": "http://x/", "text": "')
        for _ in range(80):
            handle.write(b"a" * (1 << 20))
        handle.write(b'"}')


RUNLOG_STEM_DOTDOT = "articles/../../outside/evil"

# What each command does with each kind of damage. Commands: verify, reextract, replay (WACZ); snapshot,
# reextract, export, diff, replay (output folders). Replay cases never reach pywb: a case that replay accepts
# stops at installing pywb (the tests point it at an impossible folder), which says the checks passed.
ACCEPTED_BY_REPLAY = "error:cannot install pywb"


def cases() -> list[Case]:
    """Return the whole corpus."""
    wacz = [
        Case("duplicate-warc-member", "wacz", wacz_case(lambda m, f: [*m, next((n, d[:-10] + bytes(10)) for n, d in m
                                                                             if n.startswith("archive/"))],
                                                 forged="none"),
             {"verify": "fail:duplicate member", "reextract": "error:duplicate", "replay": "error:duplicate"}),
        Case("dotdot-member", "wacz", wacz_case(add_member("../outside/evil.txt", b"evil")),
             {"verify": "fail:'../outside/evil.txt'", "reextract": "error:'../outside/evil.txt'",
              "replay": "error:'../outside/evil.txt'"}),
        Case("dotdot-warc-member", "wacz", wacz_case(add_member("archive/../../outside/x.warc.gz", b"x")),
             {"verify": "fail:'archive/../../outside/x.warc.gz'",
              "reextract": "error:'archive/../../outside/x.warc.gz'",
              "replay": "error:'archive/../../outside/x.warc.gz'"}),
        Case("absolute-member", "wacz", wacz_case(add_member("/tmp/souverain-evil.warc.gz", b"x")),
             {"verify": "fail:'/tmp/souverain-evil.warc.gz'", "reextract": "error:absolute",
              "replay": "error:absolute"}),
        Case("backslash-member", "wacz", wacz_case(add_member("archive\\..\\..\\evil.warc.gz", b"x")),
             {"verify": "fail:non-POSIX", "reextract": "error:non-POSIX", "replay": "error:non-POSIX"}),
        Case("symlink-member", "wacz", wacz_case(add_member(symlink_info("archive/link.warc.gz"), b"/etc/passwd"),
                                               forged="none"),
             {"verify": "fail:'archive/link.warc.gz': not a regular file", "reextract": "error:not a regular file",
              "replay": "error:not a regular file"}),
        Case("deflated-manifest-bomb", "wacz", zip_bomb(MANIFEST_PATH, 300 << 20),
             {"verify": f"fail:'{MANIFEST_PATH}': inflates", "reextract": "error:inflates",
              "replay": "error:inflates"}),
        Case("deflated-warc-bomb", "wacz", zip_bomb("archive/bomb.warc.gz", 512 << 20),
             {"verify": "fail:'archive/bomb.warc.gz': inflates", "reextract": "error:inflates",
              "replay": "error:inflates"}),
        Case("lying-central-directory", "wacz", lying_size,
             {"verify": f"fail:{MANIFEST_PATH}", "reextract": "ok", "replay": f"error:{MANIFEST_PATH}"}),
        Case("bzip2-member", "wacz", wacz_case(add_member(_bzip2_info("extra.txt"), b"x" * 100), forged="none"),
             {"verify": "fail:'extra.txt': compression method", "reextract": "error:compression method",
              "replay": "error:compression method"}),
        Case("deep-manifest", "wacz", wacz_case(add_member(MANIFEST_PATH, deep(100_000), replace=True)),
             {"verify": f"fail:{MANIFEST_PATH}: JSON nested deeper", "reextract": "ok",
              "replay": "error:nested deeper"}),
        Case("manifest-wrong-types", "wacz", wacz_case(add_member(
            MANIFEST_PATH, json.dumps({"format": "souverain-manifest-1", "articles": "x", "chunks": 5}).encode(),
            replace=True)),
             {"verify": f"fail:{MANIFEST_PATH}: chunks is not", "reextract": "ok", "replay": "error:'articles'"}),
        Case("manifest-is-a-list", "wacz", wacz_case(add_member(MANIFEST_PATH, b"[1, 2]", replace=True)),
             {"verify": f"fail:{MANIFEST_PATH}: a JSON list", "reextract": "ok", "replay": "error:a JSON list"}),
        Case("datapackage-wrong-types", "wacz", wacz_case(add_member(
            DATAPACKAGE, json.dumps({"wacz_version": "1.1.1", "resources": [1, {"path": 5}]}).encode(),
            replace=True), forged="none"),
             {"verify": "fail:resource 1: not an object", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("deep-datapackage", "wacz", wacz_case(add_member(DATAPACKAGE, deep(50_000), replace=True), forged="none"),
             {"verify": f"fail:{DATAPACKAGE}: JSON nested deeper", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("pages-wrong-types", "wacz", wacz_case(add_member("pages/pages.jsonl", b'{"format": 1}\n[1]\n"x"\n',
                                                               replace=True)),
             {"verify": "fail:pages/pages.jsonl line 1", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("header-line-2mb", "wacz", wacz_case(warc_change(lambda d: edit_record(
            d, 1, set_header("WARC-Target-URI", "http://x/" + "a" * (2 << 20))))),
             {"verify": "fail:header line longer", "reextract": "error:header line longer",
              "replay": "error:header line longer"}),
        Case("content-length-1tb", "wacz", wacz_case(warc_change(lambda d: edit_record(
            d, 1, set_header("Content-Length", str(10 ** 12)))), forged="all"),
             {"verify": "fail:Content-Length says 1000000000000", "reextract": "error:Content-Length says",
              "replay": "error:Content-Length says"}),
        Case("no-warc-date", "wacz", wacz_case(warc_change(lambda d: edit_record(d, 2, drop_header("WARC-Date"))),
                                              forged="all"),
             {"verify": "fail:no WARC-Date", "reextract": "error:no WARC-Date", "replay": "error:no WARC-Date"}),
        Case("no-record-id", "wacz", wacz_case(warc_change(lambda d: edit_record(d, 2, drop_header("WARC-Record-ID"))),
                                              forged="all"),
             {"verify": "fail:no WARC-Record-ID", "reextract": "error:no WARC-Record-ID",
              "replay": "error:no WARC-Record-ID"}),
        Case("bad-warc-date", "wacz", wacz_case(warc_change(lambda d: edit_record(
            d, 2, set_header("WARC-Date", "yesterday"))), forged="all"),
             {"verify": "fail:is not an ISO 8601 date", "reextract": "error:not an ISO 8601 date",
              "replay": "error:not an ISO 8601 date"}),
        Case("truncated-last-member", "wacz", wacz_case(warc_change(lambda d: d[:-40]), forged="all"),
             {"verify": "fail:is truncated", "reextract": "error:is truncated", "replay": "error:is truncated"}),
        Case("record-inflates-100mb", "wacz", wacz_case(warc_change(lambda d: d + bomb(100 << 20)), forged="all"),
             {"verify": "fail:inflates past the limit", "reextract": "error:inflates past the limit",
              "replay": "error:inflates past the limit"}),
        Case("warc-body-rehashed-by-datapackage-only", "wacz", wacz_case(warc_change(lambda d: edit_articles(
            d, lambda a: {**a, "discovered_via": ["forged"]}))),
             {"verify": "fail:differ from the manifest", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("gzip-body-bomb", "wacz", wacz_case(warc_change(lambda d: edit_first_page(d, bomb(200 << 20), "gzip")),
                                                forged="all"),
             {"verify": "ok", "reextract": "error:gzip body inflates past the limit of 10,485,760 bytes",
              "replay": ACCEPTED_BY_REPLAY}),
        Case("brotli-body-bomb", "wacz", wacz_case(warc_change(lambda d: edit_first_page(
            d, brotli.compress(bytes(200 << 20), quality=1), "br")), forged="all"),
             {"verify": "ok", "reextract": "error:br body inflates past the limit", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-stem-dotdot", "wacz", wacz_case(warc_change(lambda d: edit_articles(
            d, lambda a: {**a, "stem": RUNLOG_STEM_DOTDOT})), forged="all"),
             {"verify": "ok", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-stem-absolute", "wacz", wacz_case(warc_change(lambda d: edit_articles(
            d, lambda a: {**a, "stem": "/tmp/souverain-evil"})), forged="all"),
             {"verify": "ok", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-wrong-types", "wacz", wacz_case(warc_change(lambda d: edit_articles(
            d, lambda a: {**a, "url": 5, "pages": "x"})), forged="all"),
             {"verify": "ok", "reextract": "error:field 'url' is int", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-deep-config", "wacz", wacz_case(warc_change(lambda d: edit_runlog(
            d, "config", lambda b: deep(100_000))), forged="all"),
             {"verify": "ok", "reextract": "error:nested deeper", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-not-json", "wacz", wacz_case(warc_change(lambda d: edit_runlog(
            d, "articles", lambda b: b"{not json\n")), forged="all"),
             {"verify": "ok", "reextract": "error:not JSON", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-catastrophic-cleanup", "wacz", wacz_case(warc_change(lambda d: edit_config(
            d, lambda c: {**c, "cleanup": {**c["cleanup"], "cut_markers": [CATASTROPHIC] * 50,
                                           "drop_lines": [CATASTROPHIC]}})), forged="all"),
             {"verify": "ok", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-catastrophic-topic", "wacz", wacz_case(warc_change(lambda d: edit_config(
            d, lambda c: {**c, "topic": {**c["topic"], "toml": 'threshold = 1.0\n[[terms]]\nregex = "'
                                         + CATASTROPHIC.replace("\\", "\\\\") + '"\n'}})), forged="all"),
             {"verify": "ok", "reextract": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-bad-regex", "wacz", wacz_case(warc_change(lambda d: edit_config(
            d, lambda c: {**c, "cleanup": {**c["cleanup"], "drop_lines": ["(unclosed"]}})), forged="all"),
             {"verify": "ok", "reextract": "error:does not compile", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-bad-xpath", "wacz", wacz_case(warc_change(lambda d: edit_config(
            d, lambda c: {**c, "cleanup": {**c["cleanup"], "drop_xpaths": ["//div[(("]}})), forged="all"),
             {"verify": "ok", "reextract": "error:cleanup rules recorded in the run log are not valid",
              "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-cleanup-wrong-types", "wacz", wacz_case(warc_change(lambda d: edit_config(
            d, lambda c: {**c, "cleanup": {**c["cleanup"], "cut_markers": "x"}})), forged="all"),
             {"verify": "ok", "reextract": "error:not a list of strings", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-topic-not-toml", "wacz", wacz_case(warc_change(lambda d: edit_config(
            d, lambda c: {**c, "topic": {"toml": "[[[ not toml"}})), forged="all"),
             {"verify": "ok", "reextract": "error:is not a topic", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-huge-version", "wacz", wacz_case(warc_change(lambda d: edit_articles(
            d, lambda a: {**a, "version": 10 ** 30})), forged="all"),
             {"verify": "ok", "reextract": "error:is not a whole number", "replay": ACCEPTED_BY_REPLAY}),
        Case("runlog-bad-uri", "wacz", wacz_case(warc_change(lambda d: edit_record(
            d, [i for i, r in enumerate(split_members(d)) if b":articles\r\n" in r.split(b"\r\n\r\n")[0]][0],
            set_header("WARC-Target-URI", "urn:x-souverain:run:../../x"))), forged="all"),
             {"verify": "ok", "reextract": "error:run-log URI", "replay": ACCEPTED_BY_REPLAY}),
        Case("not-a-zip", "wacz", raw_file(os.urandom(4096)),
             {"verify": "fail:zip", "reextract": "error:neither a .wacz", "replay": "error:neither a .wacz"}),
        Case("empty-zip", "wacz", lambda o, w, f: write_zip(f / "case.wacz", []),
             {"verify": f"fail:{DATAPACKAGE}", "reextract": "error:no run log", "replay": "error:neither a .wacz"}),
    ]
    out = [
        Case("fifo-warc", "out", out_case(fifo_warc),
             {"snapshot": "error:not a regular file", "reextract": "error:not a regular file", "export": "ok",
              "diff": "ok", "replay": "error:not a regular file"}),
        Case("warc-link-to-dev-zero", "out", out_case(link_warc("/dev/zero")),
             {"snapshot": "error:leads outside", "reextract": "error:leads outside", "export": "ok", "diff": "ok",
              "replay": "error:leads outside"}),
        Case("warc-link-outside", "out", out_case(link_warc("{outside}/canary.warc.gz")),
             {"snapshot": "error:leads outside", "reextract": "error:leads outside", "export": "ok", "diff": "ok",
              "replay": "error:leads outside"}),
        Case("article-json-link-outside", "out", out_case(link_json),
             {"snapshot": "error:leads outside", "reextract": "ok", "export": "error:leads outside",
              "diff": "error:leads outside", "replay": "error:leads outside"}),
        Case("articles-folder-link-outside", "out", out_case(link_articles),
             {"snapshot": "error:leads outside", "reextract": "ok", "export": "error:leads outside",
              "diff": "error:leads outside", "replay": "error:leads outside"}),
        Case("article-json-deep", "out", out_case(out_json_edit(deep(100_000))),
             {"snapshot": "error:nested deeper", "reextract": "ok", "export": "error:nested deeper",
              "diff": "error:nested deeper", "replay": "error:nested deeper"}),
        Case("article-json-list", "out", out_case(out_json_edit(b"[]")),
             {"snapshot": "error:a JSON list", "reextract": "ok", "export": "error:a JSON list",
              "diff": "error:a JSON list", "replay": "error:a JSON list"}),
        Case("article-json-wrong-types", "out", out_case(out_json_edit(
            json.dumps({"url": "http://x/", "text": "t", "capture": 5, "tags": "x", "title": ["t"]}).encode())),
             {"snapshot": "error:field 'title' is list", "reextract": "ok", "export": "error:field 'capture'",
              "diff": "ok", "replay": "error:field 'title' is list"}),
        Case("article-json-bad-numbers", "out", out_case(out_json_edit(json.dumps({
            "url": "http://x/", "text": "t", "version": "2", "word_count": "many", "relevance": {"score": "x"},
            "capture": [{"fetch_time": "2015-12-01T00:00:00Z", "offset": "0"}]}).encode())),
             {"snapshot": "ok", "reextract": "ok", "export": "error:field 'version' is str", "diff": "ok",
              "replay": ACCEPTED_BY_REPLAY}),
        Case("article-json-80mb", "out", out_case(huge_json),
             {"snapshot": "error:larger than the limit", "reextract": "ok", "export": "error:larger than the limit",
              "diff": "error:larger than the limit", "replay": "error:larger than the limit"}),
        Case("csv-formula-title", "out", out_case(formula_title),
             {"snapshot": "ok", "reextract": "ok", "export": "ok", "diff": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("out-runlog-stem-dotdot", "out", out_case(out_warc_edit(lambda d: edit_articles(
            d, lambda a: {**a, "stem": RUNLOG_STEM_DOTDOT}))),
             {"snapshot": "ok", "reextract": "ok", "export": "ok", "diff": "ok", "replay": ACCEPTED_BY_REPLAY}),
        Case("out-truncated-warc", "out", out_case(out_warc_edit(lambda d: d[:-40])),
             {"snapshot": "error:is truncated", "reextract": "error:is truncated", "export": "ok", "diff": "ok",
              "replay": "error:is truncated"}),
        Case("out-gzip-body-bomb", "out", out_case(out_warc_edit(lambda d: edit_first_page(d, bomb(200 << 20),
                                                                                           "gzip"))),
             {"snapshot": "ok", "reextract": "error:gzip body inflates past", "export": "ok", "diff": "ok",
              "replay": ACCEPTED_BY_REPLAY}),
    ]
    return wacz + out


def _bzip2_info(name: str) -> zipfile.ZipInfo:
    """Return a zip entry compressed with bzip2 (not a WACZ method)."""
    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_BZIP2
    return info


def make_outside(folder: Path) -> Path:
    """Create the forbidden folder of a case: a canary JSON article and a canary WARC, with an old atime."""
    outside = folder / OUTSIDE
    outside.mkdir(parents=True)
    (outside / CANARY).write_text(json.dumps({"url": "http://canary/", "text": "canary"}), encoding="utf-8")
    (outside / "canary.warc.gz").write_bytes(gzip.compress(b"WARC/1.1\r\n\r\n"))
    for path in outside.iterdir():
        old = path.stat().st_mtime - 3 * 86400
        os.utime(path, (old, path.stat().st_mtime))  # atime 3 days before mtime: any read updates it (relatime)
    return outside
