"""One spider class per site profile, so ``scrapy crawl <site>`` works for every profile of the search path.

Scrapy's spider loader imports this module (``SPIDER_MODULES``) and finds the classes made here at import time,
for the bundled profiles and for those of ``SOUVERAIN_PROFILE_PATH`` and ``~/.config/souverain/profiles``; a
file given with ``souverain crawl --profile`` gets its class from ``spider_class`` (crawler/run.py).
"""

from __future__ import annotations

from crawler.profiles import load_profiles
from crawler.spiders.base import ProfileSpider


def spider_class(name: str) -> type[ProfileSpider]:
    """Return a ProfileSpider subclass named after a profile."""
    class_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Spider"
    return type(class_name, (ProfileSpider,), {"name": name, "__module__": __name__})


globals().update({cls.__name__: cls for cls in map(spider_class, load_profiles())})
