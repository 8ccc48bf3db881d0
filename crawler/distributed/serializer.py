"""JSON for scrapy-redis's queue (``SCHEDULER_SERIALIZER``): a request's ``to_dict()``, never a pickle.

A pickle read from Redis runs whatever code it names; JSON only builds data. What JSON lacks is tagged: bytes
(``{"$b": base64}``), dicts with non-text keys or keys starting with ``$`` (``{"$map": [[k, v], ...]}``), WARC
captures (``{"$capture": {...}}``, in ``meta["previous"]`` of a retried re-check) and the pages of a multi-page
article collected so far (``{"$page": {...}}``). Any other object is refused.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Any

from archive.warc.writer import Capture
from crawler.items import PageData

MAX_REQUEST_BYTES = 64 * 1024 * 1024  # a multi-page article's request carries its pages: bounded all the same


def encode(value: Any) -> Any:
    """Return ``value`` as JSON-ready data, tagging bytes, odd dicts and article pages.

    Raises:
        TypeError: for an object JSON cannot carry (it would need a pickle).
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Capture):
        return {"$capture": encode(value.to_dict())}
    if isinstance(value, PageData):
        return {"$page": encode({**asdict(value), "capture": value.capture})}
    raise TypeError(f"cannot store a {type(value).__name__} in the shared queue as JSON")


def decode(value: Any) -> Any:
    """Return the data ``encode`` tagged, rebuilt."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "$b" and isinstance(inner, str):
            return base64.b64decode(inner, validate=True)
        if tag == "$map" and isinstance(inner, list):
            return {decode(k): decode(v) for k, v in inner}
        if tag == "$capture" and isinstance(inner, dict):
            return Capture.from_dict(decode(inner))
        if tag == "$page" and isinstance(inner, dict):
            fields = decode(inner)
            capture = fields.get("capture")
            return PageData(url=str(fields["url"]), body=bytes(fields["body"]), content_type=fields.get("content_type"),
                            capture=capture if isinstance(capture, Capture) else None)
    return {k: decode(v) for k, v in value.items()}


def dumps(request: dict[str, Any]) -> str:
    """Return a request's dict (``Request.to_dict()``) as JSON text."""
    return json.dumps(encode(request), separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes) -> dict[str, Any]:
    """Return the request dict stored by ``dumps``.

    Raises:
        ValueError: for something that is not such a request.
    """
    if len(text) > MAX_REQUEST_BYTES:
        raise ValueError(f"a queued request of {len(text)} bytes is more than {MAX_REQUEST_BYTES}")
    request = decode(json.loads(text))
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise ValueError("a queued entry is no request")
    return request
