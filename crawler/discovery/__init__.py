"""Discovery: how a site's article URLs are found, judged before fetching, and accounted for."""
