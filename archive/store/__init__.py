"""The output folder's stores: dated article files, crawl state, diffs, export, re-extraction."""
