"""Crawling 政务公开 portals for annual reports into the archive (docs/crawler.md).

A Scrapy project: ``crawler.settings`` (``scrapy.cfg``), one spider per portal platform family
(``crawler.spiders``), each portal an entry of the registry (``crawler.registry``,
``crawler/portals/*.toml``), components built ``from_crawler`` — downloader middlewares for
conditional requests, challenges, soft 404s, retries and scope; the archive pipeline; the
monitor — and ``nianbao crawl`` (``crawler.commands``, ``crawler.runner``). ``crawler`` imports
``archive``; nothing imports ``crawler``.
"""
