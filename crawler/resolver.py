"""Host names pinned to addresses: the registry's ``[resolve]`` table, for Scrapy and Chromium.

The simulated province serves every ``*.test`` host from one address; a deployment may pin a
portal whose DNS is broken or geo-split. Patterns are shell-style (``*.test``); the value is an
address, optionally with a port that is informational only (URLs carry their port). Scrapy
installs one resolver per process (``TWISTED_DNS_RESOLVER``), before any registry is read, so
spiders add their registry's pins with :func:`pin` to a process-wide table (DNS is
process-wide too) that every :class:`PinnedResolver` consults first.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

_PINS: dict[str, str] = {}  # pattern → address, for the whole process


def address(target: str) -> str:
    """``127.0.0.1:41234`` → ``127.0.0.1`` (an IPv6 address in brackets keeps its colons)."""
    if target.startswith("["):
        return target[1:].split("]", 1)[0]
    return target.rsplit(":", 1)[0] if target.count(":") == 1 else target


class PinnedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, answering pinned host patterns without asking DNS."""

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PinnedResolver:
        pin(crawler.settings.getdict("NIANBAO_RESOLVE"))
        return super().from_crawler(crawler, reactor)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        pinned = lookup(name)
        if pinned is not None:
            return defer.succeed(pinned)
        return super().getHostByName(name, timeout)


def pin(table: Mapping[str, str]) -> None:
    """Pin host patterns to addresses for every resolver of this process."""
    for pattern, target in table.items():
        _PINS[pattern.lower()] = address(target)


def pins() -> dict[str, str]:
    return dict(_PINS)


def lookup(name: str) -> str | None:
    host = name.lower()
    return next((ip for pattern, ip in _PINS.items() if fnmatch.fnmatchcase(host, pattern)), None)


def chromium_rules(table: Mapping[str, str]) -> str | None:
    """The ``--host-resolver-rules`` flag that makes Chromium resolve the same way."""
    rules = [f"MAP {pattern} {address(target)}" for pattern, target in table.items()]
    return f"--host-resolver-rules={', '.join(rules)}" if rules else None
