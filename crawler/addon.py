"""The souverain Scrapy add-on: the defaults of every component setting (``crawler/defaults.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

ADDON = "crawler.addon.Souverain"  # its name in ADDONS


class Souverain:
    """Sets ``crawler/defaults.py`` at add-on priority: the project, the spider and ``-s`` override them."""

    @staticmethod
    def set_defaults(settings: BaseSettings) -> None:
        """Give every souverain setting its default."""
        settings.setmodule("crawler.defaults", priority="addon")

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        """Set the defaults on the runner's settings, so that spiders are built with them."""
        cls.set_defaults(settings)

    def update_settings(self, settings: BaseSettings) -> None:
        """Set the defaults on a crawler's settings (also when only a spider names the add-on)."""
        self.set_defaults(settings)
