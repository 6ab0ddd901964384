"""The platform families a simulated site can run (research/portals.md §1–4)."""
from tests.sandbox.platforms.base import Site
from tests.sandbox.platforms.county import CountySite
from tests.sandbox.platforms.dirsite import DirSite
from tests.sandbox.platforms.gkmlpt import GkmlptSite
from tests.sandbox.platforms.hanweb import HanwebSite
from tests.sandbox.platforms.trs import TrsSite

__all__ = ["CountySite", "DirSite", "GkmlptSite", "HanwebSite", "Site", "TrsSite"]
