"""Request and response values passed between the server and the platform sites.

Kept free of ``http.server`` so that platform code can be exercised without sockets and the
server stays a thin adapter.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    host: str  # without the port
    port_suffix: str  # ":PORT" as the client sent it in Host (or "")
    target: str  # the request target as sent: path and query, percent-encoded
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        """The decoded path (UTF-8 percent-decoding, as browsers encode non-ASCII paths)."""
        return urllib.parse.unquote(self.target.split("?", 1)[0], errors="strict")

    @property
    def query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.target.partition("?")[2], keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    @property
    def cookies(self) -> dict[str, str]:
        """Cookie header pairs; lenient like servers are (a bad pair does not hide the rest)."""
        jar = {}
        for pair in self.headers.get("cookie", "").split(";"):
            name, sep, value = pair.strip().partition("=")
            if sep and name:
                jar[name] = value.strip().strip('"')
        return jar

    @property
    def key(self) -> str:
        """``host/path?query`` without the port, path decoded: how noise rules name a URL."""
        query = self.target.partition("?")[2]
        return self.host + self.path + ("?" + query if query else "")

    def url(self, target: str | None = None, host: str | None = None) -> str:
        return f"http://{host or self.host}{self.port_suffix}{target if target is not None else self.target}"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    etag: str | None = None  # validators: set by the site, checked by the server
    last_modified: dt.datetime | None = None
    delay: float = 0.0

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def nginx_etag(body: bytes, modified: dt.datetime) -> str:
    """The shape nginx gives static files: hex mtime - hex size."""
    return f'"{int(modified.timestamp()):x}-{len(body):x}"'


def tomcat_etag(body: bytes, modified: dt.datetime) -> str:
    return f'W/"{len(body)}-{int(modified.timestamp() * 1000)}"'


def content_etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def not_modified(req: Request, resp: Response) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; weak comparison."""
    inm = req.headers.get("if-none-match")
    if inm is not None and resp.etag:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or resp.etag.removeprefix("W/") in tags
    ims = req.headers.get("if-modified-since")
    if ims and resp.last_modified and inm is None:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        return resp.last_modified.replace(microsecond=0) <= since
    return False
