"""Crawl throughput: ``nianbao crawl`` of a whole sandbox province against bare Scrapy.

In one run against one sandbox server (``large``; ``--quick``: ``small``), every document
rendered beforehand, bare Scrapy fetches every request a complete crawl makes
(``Sandbox.requests()``: robots, home and list pages, API calls, detail pages, files) with no
processing at all, and ``nianbao crawl --all`` crawls the province into a fresh SQLite archive
(storing, parsing and filing everything). Two regimes:

- **Polite** — the target. Both at the politeness nianbao ships with (``crawler.settings``:
  ``DOWNLOAD_DELAY`` 0.5 s as a floor under AutoThrottle, 2 requests per host), both on
  ``POLITE_PARALLEL`` hosts at a time (the crawl: ``--parallel`` portals; bare Scrapy: the hosts
  one batch after another, longest first, a new one as soon as one is done). This is how the
  crawler runs on real portals, whose pace is set by politeness (research/portals.md §9.8:
  1–2 s spacing, 429 above 2 requests/s), so the ratio says how much of that pace nianbao's
  own work (discovery page by page, Chromium for the portals that need it, storing, parsing)
  costs.
- **No delay** — capacity. No delay, 2 requests per host, 8 portals (bare: 16 requests, hosts in
  turn) at a time: the 2-core machine is saturated, so this measures CPU per response, the
  figure docs/scaling.md uses.

Bare Scrapy gets the crawl's downloader (``crawler.downloader``: Scrapy's own starts every
queued request of a host at once when there is no delay). The crawl's pages/s counts the time
until its last response (parsing goes on in the pool meanwhile, at a lower priority); end to
end it also waits for the last parse. The browser rate is measured on its own: the portals that
use Chromium (gkmlpt shells, challenge passes) crawled alone with no delay.

``python -m tests.bench.bench_crawl bare PLAN.json OUT.json`` is the bare fetcher (a
subprocess, so each measurement has its own reactor).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from typing import Any

PARALLEL = 8  # no-delay regime: portals at a time in the crawl; the bare fetcher gets 2 × as many slots
POLITE_PARALLEL = 16  # polite regime: portals (crawl) and hosts (bare) at a time


def by_host(requests: list[Any]) -> dict[str, list[Any]]:
    hosts: dict[str, list[Any]] = {}
    for r in requests:
        hosts.setdefault(urllib.parse.urlsplit(r[1]).hostname or "", []).append(r)
    return hosts


def interleaved(requests: list[Any]) -> list[Any]:
    """The requests one host after another in turn, so the 2-per-host limit never leaves a
    free slot waiting behind one host's queue."""
    queues = list(by_host(requests).values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def bare(plan_file: str, out_file: str) -> None:
    """Fetch every request of the plan with plain Scrapy; write {responses, bytes, seconds}.
    ``hosts_at_a_time`` 0: all hosts interleaved; N: N hosts at a time, longest first."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    import crawler.settings as shipped
    from crawler.resolver import pin

    plan = json.loads(pathlib.Path(plan_file).read_text())
    pin(plan["resolve"])
    counts = {"responses": 0, "bytes": 0}
    hosts = by_host(plan["requests"])
    waiting = sorted(hosts, key=lambda h: -len(hosts[h]))
    left = {h: len(q) for h, q in hosts.items()}
    at_a_time = plan["hosts_at_a_time"]

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            first = self.activate(at_a_time) if at_a_time else [self.request(*r) for r in interleaved(plan["requests"])]
            for r in first:
                yield r

        def request(self, method: str, url: str, body: str | None) -> scrapy.Request:
            return scrapy.Request(url, method=method, body=body.encode() if body else None, dont_filter=True,
                                  callback=self.parse, errback=self.failed,
                                  meta={"host": urllib.parse.urlsplit(url).hostname},
                                  headers={"Referer": url} if method == "POST" else None)

        def activate(self, n: int) -> list[scrapy.Request]:
            """The requests of the next ``n`` hosts waiting."""
            out = []
            while n > 0 and waiting:
                out += [self.request(*r) for r in hosts[waiting.pop(0)]]
                n -= 1
            return out

        def done(self, host: str) -> list[scrapy.Request]:
            left[host] -= 1
            return self.activate(1) if at_a_time and left[host] == 0 else []

        def parse(self, response):  # type: ignore[no-untyped-def]
            counts["responses"] += 1
            counts["bytes"] += len(response.body)
            return self.done(response.meta["host"])

        def failed(self, failure):  # type: ignore[no-untyped-def]
            counts["responses"] += 1
            return self.done(failure.request.meta["host"])

    politeness = ({"DOWNLOAD_DELAY": shipped.DOWNLOAD_DELAY, "AUTOTHROTTLE_ENABLED": shipped.AUTOTHROTTLE_ENABLED,
                   "AUTOTHROTTLE_START_DELAY": shipped.AUTOTHROTTLE_START_DELAY,
                   "AUTOTHROTTLE_MAX_DELAY": shipped.AUTOTHROTTLE_MAX_DELAY,
                   "AUTOTHROTTLE_TARGET_CONCURRENCY": shipped.AUTOTHROTTLE_TARGET_CONCURRENCY}
                  if plan["polite"] else {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False})
    process = CrawlerProcess({
        "TWISTED_DNS_RESOLVER": "crawler.resolver.PinnedResolver", "ROBOTSTXT_OBEY": False,
        "DOWNLOADER": "crawler.downloader.Downloader",  # Scrapy's own exceeds 2 per host with no delay
        "CONCURRENT_REQUESTS": plan["concurrent"], "CONCURRENT_REQUESTS_PER_DOMAIN": 2, **politeness,
        "RETRY_TIMES": 3, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "Mozilla/5.0 (compatible; nianbao-bench)", "DOWNLOAD_MAXSIZE": 128 * 1024 * 1024})
    process.crawl(Bare)
    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    process.start()
    seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    pathlib.Path(out_file).write_text(json.dumps({**counts, "seconds": seconds, "cpu": used}))


def _bare_run(box: Any, tmp: pathlib.Path, *, polite: bool, hosts_at_a_time: int, concurrent: int) -> dict[str, float]:
    plan = tmp / "plan.json"
    plan.write_text(json.dumps({"resolve": {"*.test": "127.0.0.1"}, "polite": polite, "hosts_at_a_time": hosts_at_a_time,
                                "concurrent": concurrent,
                                "requests": [(m, u, b.decode() if b else None) for m, u, b in box.requests()]}))
    out = tmp / "bare.json"
    box.reset()
    subprocess.run([sys.executable, "-m", "tests.bench.bench_crawl", "bare", str(plan), str(out)], check=True)
    return json.loads(out.read_text())


def _progress(phase: str, result: dict[str, Any]) -> dict[str, Any]:
    """Each measurement on stderr as it ends: a full run takes over an hour."""
    shown = {k: v for k, v in result.items() if k != "summary"}
    print(f"bench crawl: {phase}: {json.dumps(shown)}", file=sys.stderr, flush=True)
    return result


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _crawl(box: Any, tmp: pathlib.Path, *, polite: bool, parallel: int, extra: tuple[str, ...] = ("--all",)
           ) -> dict[str, Any]:
    """One `nianbao crawl`: its summary, seconds to the last response and end to end, CPU seconds
    of the crawl and its parsers and browsers."""
    nianbao = str(pathlib.Path(sys.executable).parent / "nianbao")
    data = tmp / f"data-{time.monotonic_ns()}"
    box.reset()
    politeness = () if polite else ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
    started, wall, cpu = time.perf_counter(), time.time(), _children_cpu()
    proc = subprocess.run([nianbao, "crawl", "--registry", str(box.registry_path), "--data-dir", str(data),
                           "--json", "-q", "--parallel", str(parallel), *politeness, *extra],
                          capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if not proc.stdout.strip().startswith("{"):
        raise RuntimeError(f"nianbao crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    summary = json.loads(proc.stdout)
    fetched = max(p["stats"].get("nianbao/fetched_at", 0) for p in summary["portals"]) - wall
    return {"summary": summary, "fetch_seconds": min(seconds, fetched) if fetched > 0 else seconds,
            "seconds": seconds, "cpu": cpu, "responses": _responses(summary)}


def _responses(summary: dict[str, Any]) -> int:
    return int(sum(p["stats"].get("downloader/response_count", 0) for p in summary["portals"]))


def _rows(label: str, crawl: dict[str, Any], base: dict[str, Any]) -> tuple[list[str], float]:
    totals = crawl["summary"]["summary"]["totals"]
    parsed = sum(p["stats"].get("nianbao/parse/parsed", 0) for p in crawl["summary"]["portals"])
    rate, base_rate = crawl["responses"] / crawl["fetch_seconds"], base["responses"] / base["seconds"]
    ratio = rate / base_rate
    return [
        f"| {label}: bare Scrapy | {base['responses']} | {base['seconds']:.1f} | {base_rate:.1f} | "
        f"{1000 * base['cpu'] / base['responses']:.1f} | no processing |",
        f"| {label}: `nianbao crawl --all`, to the last response | {crawl['responses']} | {crawl['fetch_seconds']:.1f} | "
        f"{rate:.1f} | {1000 * crawl['cpu'] / crawl['responses']:.1f} | {totals['documents']} documents stored, "
        f"{parsed} parsed meanwhile; CPU: crawl, parsers and Chromium |",
        f"| {label}: `nianbao crawl --all`, end to end | {crawl['responses']} | {crawl['seconds']:.1f} | "
        f"{crawl['responses'] / crawl['seconds']:.1f} | | until the last parse is filed; "
        f"{totals['reports_found']} report sources found |",
    ], ratio


def run(quick: bool) -> str:
    from tests.sandbox import Sandbox

    size = "small" if quick else "large"
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as name, Sandbox(7, size, slow_scale=0) as box:
        tmp = pathlib.Path(name)
        box.prerender(everything=True)
        box.write(tmp / "sandbox")
        polite_bare = _progress("polite bare", _bare_run(box, tmp, polite=True, hosts_at_a_time=POLITE_PARALLEL,
                                                         concurrent=2 * POLITE_PARALLEL))
        polite = _progress("polite crawl", _crawl(box, tmp, polite=True, parallel=POLITE_PARALLEL))
        fast_bare = _progress("no-delay bare", _bare_run(box, tmp, polite=False, hosts_at_a_time=0,
                                                         concurrent=2 * PARALLEL))
        fast = _progress("no-delay crawl", _crawl(box, tmp, polite=False, parallel=PARALLEL))
        browsing = [s["id"] for s in box.ground_truth()["sites"] if s["platform"] == "gkmlpt" or s["guard"]]
        browser = _crawl(box, tmp, polite=False, parallel=PARALLEL,
                         extra=tuple(a for i in browsing for a in ("--portal", i)))
    polite_rows, polite_ratio = _rows("polite", polite, polite_bare)
    fast_rows, fast_ratio = _rows("no delay", fast, fast_bare)
    browser_pages = sum(p["stats"].get("nianbao/browser/requests", 0) for p in browser["summary"]["portals"])
    mark = "✓" if polite_ratio >= 0.85 else "✗"
    lines = [
        f"## Crawling ({size} sandbox province)", "",
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {dt.date.today().isoformat()}, load average "
        f"{load:.1f} at the start; every document rendered beforehand, the sandbox's deliberate delays off. "
        f"**Polite** (the target): both at the shipped politeness (delay 0.5 s as AutoThrottle's floor, "
        f"2 requests per host), {POLITE_PARALLEL} portals (bare: hosts, longest first) at a time. "
        f"**No delay** (capacity): no delay, 2 requests per host, {PARALLEL} portals (bare: {2 * PARALLEL} "
        "requests, hosts in turn) at a time, the machine saturated. CPU per response: user + system "
        "time of the process and its children (parsers, Chromium), not of the sandbox.", "",
        "| what | responses | seconds | responses/s | CPU ms per response | notes |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *polite_rows,
        f"| **polite: crawl / bare** | | | **{polite_ratio:.2f}×** | | target ≥ 0.85× {mark} |",
        *fast_rows,
        f"| no delay: crawl / bare | | | {fast_ratio:.2f}× | | CPU-bound: parsing every document and Chromium "
        "compete with fetching for 2 cores |",
        f"| browser pages (gkmlpt shells, challenge passes) | {int(browser_pages)} | {browser['seconds']:.1f} | "
        f"{browser_pages / browser['seconds']:.2f} | | the {len(browsing)} portals that use Chromium, alone, "
        "no delay, end to end |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "bare":
        bare(sys.argv[2], sys.argv[3])
    else:
        print(run(quick="--quick" in sys.argv))
