"""One spider per portal platform family, and ``reports``, which picks the right one.

``scrapy crawl reports -a portal=ID`` looks the portal up in the registry (``-a
registry=FILE[,FILE]``, the ``NIANBAO_REGISTRY`` setting, or the shipped ``crawler/portals/``)
and runs the spider of its platform. A new portal of a known platform is a registry entry,
never code.
"""
from __future__ import annotations

from typing import Any

from crawler.spiders.base import PortalSpider, resolve_portal
from crawler.spiders.county import CountySpider
from crawler.spiders.dirsite import DirSpider
from crawler.spiders.generic import GenericSpider
from crawler.spiders.gkmlpt import GkmlptSpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.trs import TrsSpider

FAMILIES: dict[str, type[PortalSpider]] = {
    "trs": TrsSpider, "hanweb": HanwebSpider, "gkmlpt": GkmlptSpider, "county": CountySpider,
    "dir": DirSpider, "generic": GenericSpider,
}


class ReportsSpider(PortalSpider):
    """Dispatches to the family spider of ``-a portal=ID``."""

    name = "reports"

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, portal: Any = None, registry: Any = None,
                     **kwargs: Any) -> PortalSpider:
        entry, reg = resolve_portal(crawler.settings, portal, registry)
        return FAMILIES[entry.platform].from_crawler(crawler, *args, portal=entry, registry=reg, **kwargs)


__all__ = ["FAMILIES", "CountySpider", "DirSpider", "GenericSpider", "GkmlptSpider", "HanwebSpider",
           "PortalSpider", "ReportsSpider", "TrsSpider"]
