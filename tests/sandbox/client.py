"""Talking to the sandbox from tests: plain HTTP pinned to 127.0.0.1, and Chromium flags.

``fetch(url)`` connects to 127.0.0.1 on the URL's port and sends the URL's host in the Host
header, so ``*.test`` names need no DNS. ``Client`` adds a cookie jar and a fixed
User-Agent (what a crawler reusing a browser's challenge cookies looks like).
"""
from __future__ import annotations

import email.message
import http.client
import urllib.parse
from dataclasses import dataclass, field

BROWSER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36")


@dataclass
class Fetched:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def header_list(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        msg = email.message.Message()
        msg["content-type"] = self.header("Content-Type") or ""
        charset = msg.get_content_charset()
        if charset is None and b"charset=gb2312" in self.body[:600]:
            charset = "gbk"
        return self.body.decode(charset or "utf-8")


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
          body: bytes | None = None, timeout: float = 60) -> Fetched:
    parts = urllib.parse.urlsplit(url)
    target = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        target += "?" + parts.query
    conn = http.client.HTTPConnection("127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers={"Host": parts.netloc, **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        return Fetched(url, resp.status, resp.getheaders(), data)
    finally:
        conn.close()


@dataclass
class Client:
    """A tiny stateful HTTP client: a cookie jar, a User-Agent, optional redirects."""

    user_agent: str = BROWSER_UA
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, url: str, *, follow: bool = False, **kwargs: object) -> Fetched:
        return self.request("GET", url, follow=follow, **kwargs)  # type: ignore[arg-type]

    def request(self, method: str, url: str, *, follow: bool = False, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Fetched:
        for _ in range(10):
            sent = {"User-Agent": self.user_agent, **(headers or {})}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            resp = fetch(url, method=method, headers=sent, body=body)
            for value in resp.header_list("Set-Cookie"):
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            location = resp.header("Location")
            if not (follow and location and resp.status in (301, 302, 303, 307, 308)):
                return resp
            url = urllib.parse.urljoin(url, location)
        raise RuntimeError(f"too many redirects from {url}")


def chromium_args() -> list[str]:
    """Flags for Debian's Chromium: no sandbox, no background traffic, *.test → 127.0.0.1."""
    return ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--host-resolver-rules=MAP *.test 127.0.0.1"]


CHROMIUM = "/usr/bin/chromium"
