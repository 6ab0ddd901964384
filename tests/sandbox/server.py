"""The sandbox: one HTTP server on 127.0.0.1 serving every host of the province by Host header.

Order of a request: admin host → moved domain (301) → robots.txt → JavaScript challenge →
intermittent 5xx → the platform's route (or 404) → conditional request (304) → delay.

The change API works in-process (``Sandbox.change``/``publish``/``reset``) and over HTTP on
the reserved host ``admin.sandbox.test`` (see README.md).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from tests.sandbox.challenge import Jiasule, Ruishu
from tests.sandbox.content import SLOW_FORMATS, Content
from tests.sandbox.groundtruth import ground_truth, registry_toml
from tests.sandbox.messages import Request, Response, http_date, not_modified
from tests.sandbox.model import World
from tests.sandbox.plan import build
from tests.sandbox.platforms import Site
from tests.sandbox.platforms.base import STYLESHEET

ADMIN_HOST = "admin.sandbox.test"
SERVER_HEADER = {"trs": "nginx", "hanweb": "Apache-Coyote/1.1", "gkmlpt": "nginx/1.20.1",
                 "county": "nginx", "dir": "Apache"}
NOT_FOUND = (b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
             b"<hr><center>nginx</center></body></html>")
FAILURES = {503: b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
            502: b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            500: b"<html><body><h1>500 Internal Server Error</h1></body></html>"}


class SandboxError(Exception):
    """A misuse of the sandbox API (unknown report, bad size, …)."""


class Sandbox:
    """A simulated province: ``Sandbox(seed=7, size="small").start()`` serves it on a free port."""

    def __init__(self, seed: int = 7, size: str = "small", *, port: int = 0, slow_scale: float = 1.0,
                 challenge_ttl: float = 1200.0, content: Content | None = None) -> None:
        self.content = content or Content()
        try:
            self.world: World = build(seed, size, self.content)
        except ValueError as exc:
            raise SandboxError(str(exc)) from exc
        self.seed, self.size = seed, size
        self.slow_scale = slow_scale
        self.clock: Callable[[], float] = time.time
        self.hosts: dict[str, Site] = {s.host: s for s in self.world.sites}
        self.moved: dict[str, str] = {s.old_host: s.host for s in self.world.sites if s.old_host}
        secret = hashlib.sha256(f"sandbox-secret:{seed}".encode()).digest()
        self.guards = {s.host: (Ruishu if s.guard == "ruishu" else Jiasule)(secret, s.host, challenge_ttl)
                       for s in self.world.sites if s.guard}
        self.log: list[tuple[str, str, int]] = []  # (method, url, status) of every request
        self.user_agents: Counter[str] = Counter()  # User-Agent header → requests that sent it ("" none)
        self.errors: list[str] = []  # exceptions raised while answering (tests assert none)
        self._hits: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}  # host → most crawler requests answered at once
        self._lock = threading.Lock()
        self.registry_path: pathlib.Path | None = None  # set by write()
        self.truth_path: pathlib.Path | None = None
        self._requested_port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> Sandbox:
        self._server = _Server(("127.0.0.1", self._requested_port), _Handler)
        self._server.sandbox = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self) -> None:
        self._server = _Server(("127.0.0.1", self._requested_port), _Handler)
        self._server.sandbox = self
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise SandboxError("the sandbox is not serving")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.world.sites[0].host}:{self.port}/"

    def url(self, host_path: str) -> str:
        """``www.x.gov.cn.test/path`` → an absolute URL on this server."""
        host, _, path = host_path.removeprefix("http://").partition("/")
        return f"http://{host.split(':')[0]}:{self.port}/{path}"

    def requests(self, files: bool = True) -> list[tuple[str, str, bytes | None]]:
        """(method, url, body) of every request a complete crawl of the province makes:
        robots, home pages, list pages and API calls, detail pages and (with ``files``) files."""
        out: list[tuple[str, str, bytes | None]] = []
        for s in self.world.sites:
            out += [("GET", self.url(s.host + "/robots.txt"), None), ("GET", self.url(s.host + "/"), None)]
            out += [(m, self.url(s.host + t), b) for m, t, b in s.list_targets()]
            for path, (entry, f) in sorted(s.files.items()):
                if entry.visible and (files or f is None):
                    out.append(("GET", self.url(s.host + path), None))
                    if f is not None and f.download_path:
                        out.append(("GET", self.url(s.host + f.download_path), None))
        return out

    def prerender(self, everything: bool = False) -> int:
        """Render the LibreOffice documents now, in batches (one soffice run instead of one per
        file); with ``everything``, every other document too. Returns how many were rendered."""
        pairs = []
        for s in self.world.sites:
            for e in s.entries():
                if e.source is not None and e.body_fmt and everything:
                    pairs.append((e.source, e.body_fmt))
                pairs += [(f.source, f.fmt) for f in e.attachments
                          if f.fmt != "ofd" and (everything or f.fmt in SLOW_FORMATS)]
        return self.content.prerender(pairs)

    # -- truth and registry -----------------------------------------------------------------
    def ground_truth(self) -> dict[str, Any]:
        with self._lock:
            return ground_truth(self.world, self.content, self.port if self._server else None)

    def registry(self) -> str:
        return registry_toml(self.world, self.port)

    def write(self, out: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
        """Write ``portals.toml`` and ``ground_truth.json`` into ``out``."""
        out.mkdir(parents=True, exist_ok=True)
        reg, truth = out / "portals.toml", out / "ground_truth.json"
        indent = 1 if len(self.world.reports) < 5000 else None  # large: ~170 MB even compact
        for path, text in ((reg, self.registry()),
                           (truth, json.dumps(self.ground_truth(), ensure_ascii=False, indent=indent))):
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)  # readers never see half a file; the truth comes last
        self.registry_path, self.truth_path = reg, truth
        return reg, truth

    # -- change API -----------------------------------------------------------------------
    def change(self, report_id: str) -> dict[str, Any]:
        """Give a report new numbers: every file of it gets new bytes and new validators."""
        with self._lock:
            report = self._report(report_id)
            report.version += 1
            self.content.forget(report)
        # its LibreOffice files are made now, so no client waits seconds for the new bytes
        self.content.prerender([(f.source, f.fmt) for s in self.world.sites for e in s.entries()
                                if e.report is report for f in e.attachments if f.fmt in SLOW_FORMATS])
        return self.report_truth(report_id)

    def publish(self, report_id: str) -> dict[str, Any]:
        """Publish a held-back report: its rows appear at the top of its lists."""
        with self._lock:
            report = self._report(report_id)
            if not report.held_back:
                raise SandboxError(f"report {report_id} is already published")
            report.held_back = False
            for site in self.world.sites:  # the lists that now show it are regenerated
                for column in site.columns:
                    if any(e.report is report for e in column.entries):
                        column.ids["generation"] = column.ids.get("generation", 0) + 1
        return self.report_truth(report_id)

    def reset(self) -> None:
        """Forget request counts (intermittent failures fail again) and the request log."""
        with self._lock:
            self._hits.clear()
            self.log.clear()
            self.user_agents.clear()
            self.max_in_flight.clear()

    def report_truth(self, report_id: str) -> dict[str, Any]:
        return next(r for r in self.ground_truth()["reports"] if r["id"] == report_id)

    def _report(self, report_id: str) -> Any:
        try:
            return self.world.reports[report_id]
        except KeyError:
            raise SandboxError(f"no report {report_id!r} in this sandbox") from None

    # -- requests -----------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        resp = self._dispatch(req)
        if resp.status == 200 and not_modified(req, resp):
            resp = Response(status=304, body=b"", content_type=None, headers=[
                h for h in resp.headers if h[0].lower() != "content-disposition"],
                etag=resp.etag, last_modified=resp.last_modified, delay=resp.delay)
        with self._lock:
            self.log.append((req.method, req.url(), resp.status))
            self.user_agents[req.headers.get("user-agent", "")] += 1
        return resp

    def _dispatch(self, req: Request) -> Response:
        if req.host == ADMIN_HOST:
            return self._admin(req)
        if req.host in self.moved:
            return Response(status=301, content_type="text/html", body=b"<html><body>301 Moved Permanently</body></html>",
                            headers=[("Location", req.url(host=self.moved[req.host]))])
        site = self.hosts.get(req.host)
        if site is None:
            return Response(status=404, body=NOT_FOUND)
        if req.path == "/robots.txt":
            return Response(body=site.robots_txt().encode(), content_type="text/plain")
        if req.path == STYLESHEET:
            return Response(body=resources.files("tests.sandbox").joinpath("static/site.css").read_bytes(),
                            content_type="text/css")
        guard = self.guards.get(req.host)
        if guard is not None and (challenge := guard.check(req, self.clock())) is not None:
            return challenge
        key = req.key
        failure = self.world.flaky.get(key)
        if failure is not None:
            with self._lock:
                self._hits[key] = hits = self._hits.get(key, 0) + 1
            if hits <= failure[0]:
                return Response(status=failure[1], body=FAILURES[failure[1]])
        try:
            resp = site.route(req, self)
        except UnicodeDecodeError:  # a path percent-encoded in something other than UTF-8
            resp = None
        if resp is None:
            return Response(status=404, body=NOT_FOUND)
        resp.delay = self.world.slow.get(key, 0.0) * self.slow_scale
        return resp

    @contextlib.contextmanager
    def answering(self, req: Request) -> Iterator[None]:
        """Count ``req`` as in flight at its host until its answer is ready (``max_in_flight``).
        A page's own requests in Chromium (scripts, XHR: they carry ``Sec-Fetch-Mode``) are not
        counted; the navigation itself is the crawler's request and is."""
        if "sec-fetch-mode" in req.headers:
            yield
            return
        with self._lock:
            self._in_flight[req.host] = n = self._in_flight.get(req.host, 0) + 1
            self.max_in_flight[req.host] = max(n, self.max_in_flight.get(req.host, 0))
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[req.host] -= 1

    def _admin(self, req: Request) -> Response:
        def js(data: Any, status: int = 200) -> Response:
            return Response(status=status, body=json.dumps(data, ensure_ascii=False).encode(),
                            content_type="application/json; charset=utf-8")

        try:
            if req.path == "/ground_truth.json":
                return js(self.ground_truth())
            if req.path == "/portals.toml":
                return Response(body=self.registry().encode(), content_type="application/toml; charset=utf-8")
            if req.path == "/log":
                return js([{"method": m, "url": u, "status": s} for m, u, s in list(self.log)])
            if req.method != "POST":
                return js({"error": "use POST for /change, /publish and /reset"}, 405)
            if req.path == "/change":
                return js(self.change(req.arg("report") or ""))
            if req.path == "/publish":
                return js(self.publish(req.arg("report") or ""))
            if req.path == "/reset":
                self.reset()
                return js({"ok": True})
        except SandboxError as exc:
            return js({"error": str(exc)}, 400)
        return js({"error": f"no admin endpoint {req.path}"}, 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a size cap, a timeout, a stopped crawl) is normal
        for a web server; anything else is printed as before."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the sandbox keeps its own log
        pass

    def version_string(self) -> str:
        return self.server_version

    def _serve(self) -> None:
        box = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host_header = self.headers.get("Host", "")
        host, _, port = host_header.partition(":")
        target = self.path
        if target.startswith("http://"):  # absolute-form (a client configured with a proxy)
            parts = urllib.parse.urlsplit(target)
            host, port = parts.hostname or host, str(parts.port or "")
            target = parts.path + ("?" + parts.query if parts.query else "")
        req = Request(method=self.command, host=host.lower(), port_suffix=f":{port}" if port else "",
                      target=target or "/", headers={k.lower(): v for k, v in self.headers.items()}, body=body)
        with box.answering(req):  # until the answer is sent: the client cannot have it before
            try:
                resp = box.handle(req)
            except Exception as exc:  # a sandbox bug must not look like a dropped connection
                resp = Response(status=500, body=f"sandbox error: {exc!r}".encode(), content_type="text/plain")
                box.errors.append(f"{req.method} {req.url()}: {exc!r}")
            if resp.delay:
                time.sleep(resp.delay)
        site = box.hosts.get(req.host)
        self.server_version = SERVER_HEADER.get(site.platform, "nginx") if site else "nginx"
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        if resp.etag:
            self.send_header("ETag", resp.etag)
        if resp.last_modified:
            self.send_header("Last-Modified", http_date(resp.last_modified))
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.status != 304:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD" and resp.status not in (204, 304):
            self.wfile.write(resp.body)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _serve
