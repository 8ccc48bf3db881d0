"""Article text: decoding, per-site cleanup, extraction, metadata, not-an-article checks, relevance."""
