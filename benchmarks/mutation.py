"""Mutation testing of the core modules with mutmut: per module, mutants, killed, survived and the score.

Run from the repository root: ``.venv/bin/python -m benchmarks.mutation [--module NAME…] [--max-children 1]``
(``.ci/mutation`` installs the ``mutation`` extra first). Each module is mutated alone, in a scratch copy of the
repository (mutmut writes ``mutants/`` where it runs), with only its fast unit tests: one module at a time, since
mutmut is CPU-heavy. A mutant is killed when a test fails (or times out: counted apart) with it; a survivor is
listed with its diff. The score is killed / mutants; the exit status is 1 when a module scores under ``--min-score`` (90 %).
Equivalent mutants (no behaviour changes) are listed in ``EQUIVALENT`` with the reason and leave the count.
``--keep FOLDER`` keeps each scratch copy; ``--again FOLDER/mutation-…`` then runs only the mutants that copy left
alive against the tests as they are now (after new tests), and scores the module again.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")

# module -> its fast unit tests (in-process: a test that runs ``souverain`` in a subprocess cannot see a mutant).
MODULES: dict[str, list[str]] = {
    "archive/warc/writer.py": ["tests/test_warc.py", "tests/test_revisit_records.py"],
    "archive/warc/build.py": ["tests/test_revisit_records.py", "tests/test_warc.py"],
    "archive/wacz/verify.py": ["tests/test_verify_damage.py", "tests/test_snapshot_order.py"],
    "archive/wacz/snapshot.py": ["tests/test_snapshot_order.py", "tests/test_snapshot_inputs.py"],
    "archive/wacz/manifest.py": ["tests/test_manifest.py", "tests/test_snapshot_order.py",
                                 "tests/test_verify_damage.py"],
    "archive/store/textstore.py": ["tests/test_textstore_names.py", "tests/test_textstore.py"],
    "crawler/middlewares/scope.py": ["tests/test_scope.py"],
    "archive/text/relevance.py": ["tests/test_relevance_formula.py", "tests/test_relevance.py"],
    "crawler/middlewares/retry.py": ["tests/test_retry.py"],
    "archive/warc/repair.py": ["tests/test_warcrepair.py"],
    "archive/lock.py": ["tests/test_lock.py"],
    "archive/text/charset.py": ["tests/test_charset.py"],
    "crawler/discovery/parsers.py": ["tests/test_parsers_hostile.py", "tests/test_discovery.py",
                                     "tests/test_feed_fields.py"],
    "crawler/discovery/frontier.py": ["tests/test_frontier_offers.py", "tests/test_discovery.py", "tests/test_fallbacks.py",
                                      "tests/test_discovery_schedule.py"],
}

# Tests of the modules' files that read the module in a subprocess only, and take minutes under mutmut: mutmut
# tells which tests reach a mutant in its own process, so it never runs them against one; left out of its runs.
DESELECTED = ["tests/test_parsers_hostile.py::test_a_million_url_sitemap_in_bounded_memory"]

_REAL_ROOT = "real_root only spares resolving the output folder once a file: open_regular resolves it itself"

# Mutants that change no behaviour: (module, lines before, lines after, why), the lines as mutmut shows them
# (stripped, joined by newlines; None when mutmut deletes the line). They are left out of the score.
EQUIVALENT: list[tuple[str, str, str | None, str]] = [
    ("archive/text/charset.py", 'return chunk.decode("cp1252", errors="replace"), error.end',
     'return chunk.decode("CP1252", errors="replace"), error.end', "codec names are case-insensitive"),
    ("archive/text/charset.py", 'return body.decode("utf-8", errors=_FALLBACK)',
     'return body.decode("UTF-8", errors=_FALLBACK)', "codec names are case-insensitive"),
    ("archive/text/charset.py", 'return body.decode("utf-8", errors=_FALLBACK)',
     'return body.decode(errors=_FALLBACK)', "bytes.decode's default encoding is UTF-8"),
    ("archive/text/charset.py", 'return body.decode("utf-8")', 'return body.decode("UTF-8")',
     "codec names are case-insensitive"),
    ("crawler/middlewares/retry.py", 'text = value.decode("latin-1").strip()',
     'text = value.decode("LATIN-1").strip()', "codec names are case-insensitive"),
    *(("crawler/middlewares/retry.py", f"{test} request.meta.get(\"dont_retry\", False):",
       f"{test} request.meta.get(\"dont_retry\", {default}):",
       "meta.get returns None for an absent key: as falsy as False")
      for test in ("if response.status not in self.retry_http_codes or",
                   "if not isinstance(exception, self.exceptions_to_retry) or")
      for default in ("None", "")),
    *(("crawler/middlewares/retry.py", 'wait = retry_after(response.headers.get("Retry-After"), self.cap)',
       f'wait = retry_after(response.headers.get("{name}"), self.cap)', "Scrapy's headers are case-insensitive")
      for name in ("retry-after", "RETRY-AFTER")),
    ("crawler/middlewares/retry.py",
     "wait = self.paused_until.get(urlparse_cached(request).netloc, 0.0) - time.monotonic()",
     "wait = self.paused_until.get(urlparse_cached(request).netloc, 1.0) - time.monotonic()",
     "time.monotonic() counts from boot: above 1 s on any running machine, so an unpaused host still waits < 0"),
    ("crawler/middlewares/retry.py", "if wait > 0:", "if wait >= 0:",
     "a pause ending at the very float of time.monotonic() now: unobservable"),
    # warcio's create_warc_record(uri, record_type, ...) replaces the WARC-Type of warc_headers_dict by record_type
    # and keeps its WARC-Target-URI when uri is None; with no length it buffers the payload and measures it.
    *(("archive/warc/build.py", f'warc_headers_dict={before}_warc_headers("{kind}", exchange, date, record_id),',
       f'warc_headers_dict={before}_warc_headers({new}, exchange, date, record_id),',
       "create_warc_record sets WARC-Type to its record_type argument, in the same place")
      for kind, before in (("response", ""), ("revisit", "{**"))
      for new in ("None", f'"XX{kind}XX"', f'"{kind.upper()}"')),
    *(("archive/warc/build.py", '**_warc_headers("request", exchange, date, self._record_id_factory()),',
       f'**_warc_headers({new}, exchange, date, self._record_id_factory()),',
       "create_warc_record sets WARC-Type to its record_type argument, in the same place")
      for new in ("None", '"XXrequestXX"', '"REQUEST"')),
    *(("archive/warc/build.py", f"exchange.url, {rest}", f"None, {rest}",
       "create_warc_record keeps the WARC-Target-URI of warc_headers_dict (_warc_headers sets it) when uri is None")
      for rest in ('"response",', '"request",', "refers_to.payload_digest, refers_to.url, refers_to.fetch_time,")),
    *(("archive/warc/build.py", f"length=len(exchange.{body}),", after,
       "create_warc_record without a length buffers the payload and measures it: the same record")
      for body in ("response_body", "request_body") for after in ("length=None,", None)),
    *(("archive/warc/build.py", 'revisit.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILES[profile])',
       f'revisit.rec_headers.replace_header("{name}", REVISIT_PROFILES[profile])',
       "StatusAndHeaders.replace_header finds the header case-blind and keeps its spelling")
      for name in ("warc-profile", "WARC-PROFILE")),
    ("archive/warc/build.py", 'list(exchange.request_headers), protocol="",\n)', "list(exchange.request_headers), )",
     "StatusAndHeaders' protocol defaults to the empty string"),
    ("archive/warc/repair.py", "for head in warc_heads(stream, path.name, max_record=None):",
     "for head in warc_heads(stream, None, max_record=None):",
     "the name only goes into warc_heads' error messages, and the repair swallows that error"),
    ("archive/warc/build.py", "super().__init__(out, gzip=True, warc_version=WARC_VERSION)",
     "super().__init__(out, warc_version=WARC_VERSION)", "warcio's WARCWriter compresses by default (gzip=True)"),
    # crawler/discovery/parsers.py: lxml's iterparse defaults (load_dtd=False, no_network=True, huge_tree=False) and
    # None for a flag lxml reads as a truth value; a missing feed date.
    *(("crawler/discovery/parsers.py",
       "BytesIO(body), events=events, resolve_entities=False, load_dtd=False, no_network=True,",
       f"BytesIO(body), events=events, {after}", why)
      for after, why in (
          ("resolve_entities=False, no_network=True,", "iterparse's load_dtd defaults to False"),
          ("resolve_entities=False, load_dtd=None, no_network=True,", "lxml reads load_dtd as a truth value"),
          ("resolve_entities=None, load_dtd=False, no_network=True,",
           "lxml reads resolve_entities as a truth value unless it is 'internal': None is off, as False"),
          *((f"resolve_entities=False, load_dtd=False, no_network={value},",
             "with load_dtd and resolve_entities off libxml2 opens no external DTD or entity: nothing is left for "
             "no_network to refuse (test_external_entities_and_dtds_are_never_fetched sees no request either way)")
            for value in ("None", "False")))),
    ("crawler/discovery/parsers.py",
     "BytesIO(body), events=events, resolve_entities=False, load_dtd=False, no_network=True,\n"
     "huge_tree=False, recover=True, remove_comments=True, remove_pis=True,",
     "BytesIO(body), events=events, resolve_entities=False, load_dtd=False, huge_tree=False, recover=True, "
     "remove_comments=True, remove_pis=True,", "iterparse's no_network defaults to True"),
    *(("crawler/discovery/parsers.py", "huge_tree=False, recover=True, remove_comments=True, remove_pis=True,",
       after, why)
      for after, why in (("recover=True, remove_comments=True, remove_pis=True,", "iterparse's huge_tree defaults to False"),
                         ("huge_tree=None, recover=True, remove_comments=True, remove_pis=True,",
                          "lxml reads huge_tree as a truth value"))),
    ("crawler/discovery/parsers.py",
     "names: set[str] = set()  # the names of the elements inside the container being read",
     "names: set[str] = None  # the names of the elements inside the container being read",
     "the first value is never read: a container's start sets names together with fields, and names is read only "
     "while fields is set or from the container held back"),
    ("crawler/discovery/parsers.py", "del element.getparent()[0]", "del element.getparent()[1]",
     "the element just read (index 1, after the first child) is dropped instead of the sibling before it: the parent "
     "keeps its first child and the current one, memory stays bounded (a million-URL sitemap: 0 MB more, as now) "
     "and every field was read before"),
    *(("crawler/discovery/parsers.py",
       'published=_feed_date(f.get("pubDate") or f.get("published") or f.get("updated", "")))',
       f'published=_feed_date(f.get("pubDate") or f.get("published") or f.get("updated", {default})))', why)
      for default, why in (("None", "_feed_date gives None for a missing (None) date as for an empty one"),
                           ("", "_feed_date gives None for a missing (None) date as for an empty one"),
                           ('"XXXX"', "_feed_date gives None for a value that is no date and starts with no year"))),
    # crawler/discovery/frontier.py: the time given to the revisit policy for a sitemap of an index.
    ("crawler/discovery/frontier.py", "and not self.revisit.is_due(previous, self.now, entry.lastmod))",
     "and not self.revisit.is_due(previous, None, entry.lastmod))",
     "a sitemap's state is a discovery page with no publication date (only kept articles get one): is_due answers "
     "from its lastmod and kind before it reads the time"),
    # archive/warc/writer.py: state set before any read, case-blind header names, warcio measuring the payload.
    ("archive/warc/writer.py", 'return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")',
     'return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ASCII")',
     "codec names are case-insensitive"),
    *(("archive/warc/writer.py", "self._size = 0", f"self._size = {new}",
       "_open sets _size to 0 before anything reads it (only _commit and the rotation test read it, after _open)")
      for new in ("None", "1")),
    ("archive/warc/writer.py", "self._writer: RecordWriter | None = None", 'self._writer: RecordWriter | None = ""',
     "_writer is only read as `self._writer or self._open()`: the empty string is as falsy as None"),
    *(("archive/warc/writer.py", 'self._name = ""', f"self._name = {new}",
       "_name is read only while a file is open (current_file, _close_file return first otherwise), and _open "
       "sets it before opening one") for new in ("None", '"XXXX"')),
    ("archive/warc/writer.py", 'self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb", buffering=0)',
     'self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb", )',
     "the file is written only by os.write on its descriptor, never through the file object, so its buffer "
     "stays empty (buffering=1 is killed: it warns)"),
    *(("archive/warc/writer.py", 'payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),',
       f'payload_digest=response.rec_headers.get_header("{name}"),',
       "StatusAndHeaders.get_header finds the header case-blind") for name in ("warc-payload-digest",
                                                                              "WARC-PAYLOAD-DIGEST")),
    *(("archive/warc/writer.py",
       'uri, "metadata", payload=BytesIO(payload), length=len(payload), warc_content_type=content_type,',
       f'uri, "metadata", payload=BytesIO(payload), {length}warc_content_type=content_type,',
       "create_warc_record without a length buffers the payload and measures it: the same bytes (compared)")
      for length in ("length=None, ", "")),
    # archive/store/textstore.py: codec names, and a non-string URL read from a JSON file.
    ("archive/store/textstore.py", 'digest = hashlib.sha1(url.encode("utf-8")).hexdigest()',
     'digest = hashlib.sha1(url.encode("UTF-8")).hexdigest()', "codec names are case-insensitive"),
    ("archive/store/textstore.py", 'return hashlib.sha256(text.encode("utf-8")).hexdigest()',
     'return hashlib.sha256(text.encode("UTF-8")).hexdigest()', "codec names are case-insensitive"),
    ("archive/store/textstore.py", 'url = json.loads(json_path.read_text(encoding="utf-8")).get("url")',
     'url = json.loads(json_path.read_text(encoding="UTF-8")).get("url")', "codec names are case-insensitive"),
    ("archive/store/textstore.py", "return url if isinstance(url, str) else None",
     "return url if (isinstance(url, str)) or True else None",
     "_stored_url's one caller (_owner) only compares its value with the record's URL, a str (article_stem has "
     "encoded it): a non-string value holds the stem as the None it replaces (held by an unreadable file) does"),
    *(("archive/store/textstore.py", 'segment = url.rsplit("/", 1)[-1]', f'segment = url.rsplit("/", {new})[-1]',
       "the last piece of a split on / is the same whatever the number of splits (at least one)")
      for new in ("", "2")),
    ("archive/store/textstore.py", 'segment = url.rsplit("/", 1)[-1]', 'segment = url.rsplit("/", 1)[+1]',
     "urlsplit raises ValueError only for a netloc (after //): a URL there has a /, so the split has two pieces"),
    *(("archive/store/textstore.py",
       'folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()',
       f'folded = unicodedata.normalize("NFKD", text).encode({a}, "ignore").decode({b}).lower()',
       "codec names are case-insensitive") for a, b in (('"ASCII"', '"ascii"'), ('"ascii"', '"ASCII"'))),
    *(("archive/store/textstore.py", f"stem = {head}.strip(\"-_\")", f"stem = {head}.strip(\"XX-_XX\")",
       "the text is lower case by then: there is no X to strip")
      for head in ('_UNSAFE.sub("-", folded)', 're.sub(r"-{2,}", "-", stem)[:MAX_SLUG]')),
    ("archive/store/textstore.py", 'return safe_name(re.sub(r"\\.(html?|php|aspx?)$", "", segment, flags=re.I))',
     'return safe_name(re.sub(r"\\.(HTML?|PHP|ASPX?)$", "", segment, flags=re.I))',
     "the pattern is matched with re.I: its case does not matter"),
    ("archive/store/textstore.py", "return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + \"\\n\"",
     "return json.dumps(record, ensure_ascii=None, indent=2, sort_keys=True) + \"\\n\"",
     "JSONEncoder only tests ensure_ascii for truth: None is as false as False"),
    # archive/text/charset.py: read_bom's two values are both set or both None.
    ("archive/text/charset.py", "if bom_encoding and bom is not None:", "if bom_encoding or bom is not None:",
     "w3lib's read_bom returns (encoding, bom) with both non-empty, or (None, None): and/or give the same test"),
    # archive/wacz/verify.py: the pool's size, and names and defaults that only matter on a path no input reaches.
    *(("archive/wacz/verify.py",
       "with ProcessPoolExecutor(max(1, min(len(warcs), len(os.sched_getaffinity(0))))) as pool:",
       f"with ProcessPoolExecutor({size}) as pool:",
       "the pool's size only sets how many WARC members are read at once, not what is read or said")
      for size in ("None", "max(2, min(len(warcs), len(os.sched_getaffinity(0))))")),
    *(("archive/wacz/verify.py", f'checks += guarded("{name}", self.{method})', f"checks += guarded({new}, self.{method})",
       f"the name is shown only when {method} raises, and it raises on no input: every value it reads was "
       "type-checked by _manifest (or is the empty default of an unusable manifest)")
      for name, method in (("manifest hashes", "_manifest_hashes"), ("article texts", "_article_texts"))
      for new in ("None", f'"XX{name}XX"', f'"{name.upper()}"')),
    ("archive/wacz/verify.py", 'checks += guarded(f"WARC {name}", partial(self._warc, name))',
     "checks += guarded(None, partial(self._warc, name))",
     "the name is shown only when _warc raises, and it raises on no input: warc_files was type-checked by _manifest, "
     "entries that are not objects are skipped, and warc_check only compares and prints JSON values"),
    *(("archive/wacz/verify.py", f'{target} = self.manifest.get("{key}", []){rest}',
       f'{target} = self.manifest.get("{key}", {new}){rest}',
       f"the default is never used: this line runs only with a manifest that _manifest accepted, which has a {key} "
       "list (_article_texts returns first without one; _locate returns first without the manifest's chunk list)")
      for target, key, rest in (("wanted", "pages_lines", ""), ("articles, problems", "articles", ", []"))
      for new in ("None", "")),
    # archive/wacz/snapshot.py: header names, codec names, defaults that give the same value, a pool's size.
    # archive/wacz/snapshot.py: real_root is the output folder resolved once for every dated file; without it
    # open_regular resolves the folder itself (the same check, once a file).
    ("archive/wacz/snapshot.py", "real_root = out_dir.resolve()", "real_root = None", _REAL_ROOT),
    *(("archive/wacz/snapshot.py", f"{var} = read_file({path}, out_dir, MAX_JSON, real_root=real_root)",
       f"{var} = read_file({path}, out_dir, MAX_JSON, {after})", _REAL_ROOT)
      for var, path in (("data", "json_path"), ("text", "txt_path")) for after in ("real_root=None", "")),
    ("archive/wacz/snapshot.py", "return moment + timedelta(microseconds=-moment.microsecond % 1_000_000)",
     "return moment + timedelta(microseconds=-moment.microsecond % 1000001)",
     "the cut-off is printed to the second: one microsecond past the next whole second prints the same"),
    *(("archive/wacz/snapshot.py", f'{before}record.header("{name}"){after}',
       f'{before}record.header("{new}"){after}', "warcio's get_header finds a header case-blind")
      for before, name, after in (('"url": ', "WARC-Target-URI", ', "record_id": record.header("WARC-Record-ID"),'),
                                  ('"url": record.header("WARC-Target-URI"), "record_id": ', "WARC-Record-ID", ","),
                                  ('"date": ', "WARC-Date", ', "warc_file": f"archive/{path.name}",'))
      for new in (name.lower(), name.upper())),
    ("archive/wacz/snapshot.py",
     '"status": int(record.http.get_statuscode()), "text": record.content.decode("utf-8", "replace")})',
     '"status": int(record.http.get_statuscode()), "text": record.content.decode("UTF-8", "replace")})',
     "codec names are case-insensitive"),
    ("archive/wacz/snapshot.py", 'text_str = text.decode("utf-8")', 'text_str = text.decode("UTF-8")',
     "codec names are case-insensitive"),
    *(("archive/wacz/snapshot.py", 'version = article.get("version", 1)', f'version = article.get("version", {new})',
       "an absent version then is None, not an int: _key gives 1 all the same") for new in ("None", "")),
    ("archive/wacz/snapshot.py", "report = progress or (lambda step, done, total, unit: None)",
     "report = progress or (lambda step, done, total, unit: 0)", "what the progress callback returns is ignored"),
    ("archive/wacz/snapshot.py", "with ProcessPoolExecutor(min(len(paths), len(os.sched_getaffinity(0)))) as pool:",
     "with ProcessPoolExecutor(None) as pool:", "the pool's size changes how fast the files are indexed, not how"),
    *(("archive/wacz/snapshot.py",
       "for i, (entry, page) in enumerate(zip(found_entries, found_pages, strict=True))]",
       f"for i, (entry, page) in enumerate(zip(found_entries, found_pages, {new}))]",
       "_article_members appends one entry and one page for each article: the lists always have the same length")
      for new in ("strict=None", "", "strict=False")),
    ("archive/wacz/snapshot.py",
     """digest = write_wacz(dest, members, created=cutoff, software=f"souverain {package_version('souverain')}",""",
     """digest = write_wacz(dest, members, created=cutoff, software=f"souverain {package_version('SOUVERAIN')}",""",
     "importlib.metadata finds a distribution by its name case-blind"),
    # archive/text/relevance.py: defaults that give the same value, a codec name, ties that give the same start.
    *(("archive/text/relevance.py", 'strong=bool(spec.get("strong", False)),', f'strong=bool(spec.get("strong", {new})),',
       "bool(None) is False, as bool(False)") for new in ("None", "")),
    ("archive/text/relevance.py", 'return cls.loads(path.read_text(encoding="utf-8"), default_name=path.stem)',
     'return cls.loads(path.read_text(encoding="UTF-8"), default_name=path.stem)', "codec names are case-insensitive"),
    ("archive/text/relevance.py",
     'start = max(text.rfind(mark, 0, position) for mark in (". ", "! ", "? ", "\\n")) + 1',
     'start = max(text.rfind(mark, None, position) for mark in (". ", "! ", "? ", "\\n")) + 1',
     "str.rfind takes a start of None as 0"),
    ("archive/text/relevance.py", "if in_text and (first is None or in_text[0][0] < first):",
     "if in_text and (first is None or in_text[0][0] <= first):",
     "when a later term's first match starts where the earliest does, first is the same number either way"),
    # archive/lock.py: codec names, and a truncation the record written next covers.
    ("archive/lock.py", 'holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))',
     'holder = json.loads(os.pread(fd, 4096, 0).decode("UTF-8"))', "codec names are case-insensitive"),
    ("archive/lock.py", 'os.pwrite(fd, (json.dumps(holder) + "\\n").encode("utf-8"), 0)',
     'os.pwrite(fd, (json.dumps(holder) + "\\n").encode("UTF-8"), 0)', "codec names are case-insensitive"),
    ("archive/lock.py", "os.ftruncate(fd, 0)", "os.ftruncate(fd, 1)",
     "in acquire the holder record is written next at offset 0, and it is longer than the 1 byte kept"),
]

_STATUS = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+)$")


@dataclass
class Score:
    """The outcome of one module's mutation run."""

    module: str
    mutants: int
    killed: int
    timeouts: int
    survivors: list[str]
    equivalent: list[str]

    @property
    def score(self) -> float:
        """Killed over the mutants that are not equivalent."""
        counted = self.mutants - len(self.equivalent)
        return self.killed / counted if counted else 1.0


@functools.cache
def function_bodies(mutated: Path) -> dict[str, list[str]]:
    """Return the lines of each function of mutmut's copy of a module (its def line left out), by name."""
    source = mutated.read_text(encoding="utf-8")
    lines = source.splitlines()  # sliced by line numbers: ast.get_source_segment splits the whole file at each call
    return {node.name: lines[node.lineno:node.end_lineno]
            for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def changed_lines(mutated: Path, name: str) -> tuple[list[str], list[str]]:
    """Return the lines (stripped) a mutant removes from its function and those it adds, read from mutmut's copy of
    the module (where each mutant is a function beside the original: ``mutmut show`` is too slow to call for each)."""
    bodies = function_bodies(mutated)
    function = name.rpartition(".")[2]
    diff = list(difflib.ndiff(bodies[function.rpartition("__mutmut_")[0] + "__mutmut_orig"], bodies[function]))
    return ([line[2:].strip() for line in diff if line.startswith("- ")],
            [line[2:].strip() for line in diff if line.startswith("+ ")])


def equivalent_reason(module: str, before: list[str], after: list[str]) -> str | None:
    """Return why a mutant of ``module`` (its changed lines, stripped) is equivalent, or None if it is not listed."""
    return next((why for where, old, new, why in EQUIVALENT if where == module and before == old.split("\n")
                 and after == ([] if new is None else new.split("\n"))), None)


def scratch_copy(folder: Path, module: str, tests: list[str]) -> None:
    """Copy the sources and tests into ``folder`` with a mutmut configuration for ``module`` and ``tests``."""
    for name in ("archive", "crawler", "tests", "pyproject.toml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    if (REPO.parent / "shared").is_dir():  # tests find ../shared beside the repository
        (folder / "shared").symlink_to(REPO.parent / "shared")
    write_config(folder, module, tests)


def write_config(folder: Path, module: str, tests: list[str]) -> None:
    """Write a scratch copy's mutmut configuration: mutate ``module``, run ``tests``."""
    # One argument a line: mutmut reads a value on one line as a single argument.
    arguments = ["-p", "no:randomly", "-p", "no:cacheprovider", "-q", "-x",
                 *(part for test in DESELECTED for part in ("--deselect", test))]
    (folder / "setup.cfg").write_text(
        "[mutmut]\nsource_paths =\n    archive/\n    crawler/\n"
        f"only_mutate = {module}\n"
        f"pytest_add_cli_args =\n{_lines(arguments)}\n"
        f"pytest_add_cli_args_test_selection =\n{_lines(tests)}\n", encoding="utf-8")


def _lines(values: list[str]) -> str:
    """Return values as the indented lines of a setup.cfg value."""
    return "\n".join(f"    {value}" for value in values)


def mutate(module: str, tests: list[str], max_children: int, keep: Path | None) -> Score:
    """Run mutmut over one module with its tests; return its score (survivors' diffs printed)."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="mutation-", dir=keep))
    try:
        scratch_copy(folder, module, tests)
        run_mutmut(folder, module, ["--max-children", str(max_children)])
        return score(folder, module)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def again(folder: Path, max_children: int) -> Score:
    """Run the mutants a kept scratch copy did not kill against the repository's tests as they are now."""
    found = re.search(r"^only_mutate = (.+)$", (folder / "setup.cfg").read_text(encoding="utf-8"), re.M)
    if found is None:
        raise SystemExit(f"{folder}: not a scratch copy kept by --keep (no setup.cfg naming the module)")
    module = found[1]
    for copy in (folder / "tests", folder / "mutants" / "tests"):
        shutil.rmtree(copy)
        shutil.copytree(REPO / "tests", copy, ignore=shutil.ignore_patterns("__pycache__"))
    earlier = statuses(folder)
    # The module's tests as MODULES lists them now (a new test file included), each mapped afresh to the functions it
    # runs (a test whose fixtures changed runs others); the mutants killed before stay killed.
    write_config(folder, module, MODULES[module])
    (folder / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    left = [name for name, status in earlier.items() if status not in ("killed", "timeout")]
    if left:
        run_mutmut(folder, module, ["--max-children", str(max_children), *left])
    return score(folder, module, earlier)


def run_mutmut(folder: Path, module: str, arguments: list[str]) -> None:
    """Run ``mutmut run`` in a scratch copy; stop with its output if it fails."""
    run = subprocess.run([str(MUTMUT), "run", *arguments], cwd=folder, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"mutmut run failed for {module}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")


def statuses(folder: Path) -> dict[str, str]:
    """Return each mutant's status (killed, survived, timeout, no tests…) as ``mutmut results`` gives it."""
    listed = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=folder, capture_output=True,
                            text=True, check=True).stdout
    return {m["name"]: m["status"] for m in map(_STATUS.match, listed.splitlines()) if m}


def score(folder: Path, module: str, earlier: dict[str, str] | None = None) -> Score:
    """Count a scratch copy's mutants (those ``earlier`` says were killed count as killed); print each survivor's
    diff, or why it is equivalent."""
    was = earlier or {}
    status = {name: was[name] if was.get(name) in ("killed", "timeout") else found
              for name, found in statuses(folder).items()}
    killed = [name for name, found in status.items() if found in ("killed", "timeout")]
    equivalent, survivors = [], []
    for name in sorted(name for name in status if name not in killed):
        before, after = changed_lines(folder / "mutants" / module, name)
        why = equivalent_reason(module, before, after)
        if why:
            equivalent.append(name)
            print(f"  equivalent {name}: {why}", flush=True)
        else:
            survivors.append(name)
            print(f"  survived {name} ({status[name]}):\n    - " + "\n    - ".join(before)
                  + "\n    + " + "\n    + ".join(after), flush=True)
    timeouts = sum(1 for name in killed if status[name] == "timeout")
    return Score(module, len(status), len(killed), timeouts, survivors, equivalent)


def main() -> int:
    """Mutate each module in turn; print the table; exit 1 if one scores under the minimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="only this module (repeatable)")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested in parallel (default 1)")
    parser.add_argument("--min-score", type=float, default=0.9)
    parser.add_argument("--keep", type=Path, default=None, help="keep each scratch copy under this folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the table as JSON here")
    parser.add_argument("--again", type=Path, action="append", default=[], metavar="FOLDER",
                        help="a scratch copy kept by --keep: run the mutants it left alive against the tests as they "
                             "are now (repeatable; the other options are ignored)")
    args = parser.parse_args()
    scores = []
    for folder in args.again:
        print(f"{folder}: the mutants left alive, against the tests as they are now", flush=True)
        scores.append(again(folder, args.max_children))
    for module in [] if args.again else args.module or list(MODULES):
        print(f"{module}: mutmut over {', '.join(MODULES[module])}", flush=True)
        scores.append(mutate(module, MODULES[module], args.max_children, args.keep))
    for s in scores:
        print(f"{s.module}: {s.mutants} mutants, {s.killed} killed, {len(s.survivors)} survived, "
              f"{len(s.equivalent)} equivalent, score {s.score:.1%}", flush=True)
    print(f"\n{'module':<32} {'mutants':>7} {'killed':>7} {'(timeout)':>9} {'survived':>8} {'equivalent':>10} "
          f"{'score':>7}")
    for s in scores:
        print(f"{s.module:<32} {s.mutants:>7} {s.killed:>7} {s.timeouts:>9} {len(s.survivors):>8} "
              f"{len(s.equivalent):>10} {s.score:>7.1%}")
    if args.json:
        args.json.write_text(json.dumps([{**vars(s), "score": s.score} for s in scores], indent=1), encoding="utf-8")
    return 1 if any(s.score < args.min_score for s in scores) else 0


if __name__ == "__main__":
    raise SystemExit(main())
