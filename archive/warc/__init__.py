"""WARC files: writer, reader, naming, repair, run log, CDXJ index."""
