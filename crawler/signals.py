"""souverain's own signals, sent through ``crawler.signals`` like Scrapy's (``scrapy.signals``)."""

from __future__ import annotations

# A download attempt failed (retried or given up), or a request was refused (scope, too large).
# Arguments: request, reason (str), attempt (1-based int), retry (bool), wait (seconds before the retry).
attempt_failed = object()

# The WARC extension archived a response. Arguments: request, response (raw, as downloaded) and capture (an
# ``archive.warc.writer.Capture``: where the record went; ``revisit`` set for a revisit record).
response_archived = object()
