"""One spider class per site profile, so ``scrapy crawl <site>`` works for every ``profiles/<site>.toml``."""

from __future__ import annotations

from crawler.profiles import load_profiles
from crawler.spiders.base import ProfileSpider


def _spider_class(name: str) -> type[ProfileSpider]:
    """Return a ProfileSpider subclass named after a profile."""
    class_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Spider"
    return type(class_name, (ProfileSpider,), {"name": name, "__module__": __name__})


globals().update({cls.__name__: cls for cls in map(_spider_class, load_profiles())})
