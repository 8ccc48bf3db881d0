"""Distributed crawling: N ``souverain crawl --redis URL`` workers sharing one run through Redis.

scrapy-redis's Scheduler, priority queue and dupefilter hold the frontier (``settings.py``); requests are stored
as JSON (``serializer.py``); a lease returns the requests of a dead worker to the queue (``leases.py``,
``scheduler.py``, ``worker.py``); ``runs.py`` lets workers started alike join one run.
"""
