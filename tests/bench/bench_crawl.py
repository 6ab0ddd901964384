"""Crawl throughput: ``nianbao crawl`` of a whole sandbox province against bare Scrapy.

In one run against one sandbox server (``large``; ``--quick``: ``small``): bare Scrapy fetches
every request a complete crawl makes (``Sandbox.requests()``: robots, home and list pages, API
calls, detail pages, files) with no processing at all; then ``nianbao crawl --all`` crawls the
province into a fresh SQLite archive (storing, parsing and filing everything); then bare Scrapy
again. Both use the same politeness (no delay, 2 requests per host, as many hosts at a time as
the crawl runs portals); the ratio compares the crawl with the second, warm bare run (the first
one also makes the sandbox render its documents). Bare Scrapy gets the crawl's downloader
(``crawler.downloader``: Scrapy's own starts every queued request of a host at once when there
is no delay) and its requests host after host in turn, so it keeps 2 per host and is never held
up by one host's queue. The crawl's pages/s counts the time until its
last response (parsing goes on in the pool meanwhile, at a lower priority); end to end it also
waits for the last parse. The browser rate is measured on its own: the portals that use Chromium
(gkmlpt shells, challenge passes) crawled alone.

``python -m tests.bench.bench_crawl bare REQUESTS.json OUT.json`` is the bare fetcher (a
subprocess, so each measurement has its own reactor).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time
import urllib.parse
from typing import Any

PARALLEL = 8  # portals at a time in the crawl; the bare fetcher gets 2 × as many slots


def interleaved(requests: list[Any]) -> list[Any]:
    """The requests one host after another in turn, so the 2-per-host limit never leaves a
    free slot waiting behind one host's queue."""
    by_host: dict[str, list[Any]] = {}
    for r in requests:
        by_host.setdefault(urllib.parse.urlsplit(r[1]).hostname or "", []).append(r)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def bare(requests_file: str, out_file: str) -> None:
    """Fetch every request of the file with plain Scrapy; write {responses, seconds}."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.resolver import pin

    data = json.loads(pathlib.Path(requests_file).read_text())
    pin(data["resolve"])
    counts = {"responses": 0, "bytes": 0}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            for method, url, body in interleaved(data["requests"]):
                yield scrapy.Request(url, method=method, body=body.encode() if body else None, dont_filter=True,
                                     callback=self.parse, errback=self.failed,
                                     headers={"Referer": url} if method == "POST" else None)

        def parse(self, response):  # type: ignore[no-untyped-def]
            counts["responses"] += 1
            counts["bytes"] += len(response.body)
            return []

        def failed(self, failure):  # type: ignore[no-untyped-def]
            counts["responses"] += 1

    process = CrawlerProcess({
        "TWISTED_DNS_RESOLVER": "crawler.resolver.PinnedResolver", "ROBOTSTXT_OBEY": False,
        "DOWNLOADER": "crawler.downloader.Downloader",  # Scrapy's own exceeds 2 per host with no delay
        "CONCURRENT_REQUESTS": 2 * PARALLEL, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 3, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "Mozilla/5.0 (compatible; nianbao-bench)", "DOWNLOAD_MAXSIZE": 128 * 1024 * 1024})
    process.crawl(Bare)
    started = time.perf_counter()
    process.start()
    seconds = time.perf_counter() - started
    pathlib.Path(out_file).write_text(json.dumps({**counts, "seconds": seconds}))


def _bare_run(box: Any, tmp: pathlib.Path) -> dict[str, float]:
    reqs = tmp / "requests.json"
    reqs.write_text(json.dumps({"resolve": {"*.test": "127.0.0.1"},
                                "requests": [(m, u, b.decode() if b else None) for m, u, b in box.requests()]}))
    out = tmp / "bare.json"
    subprocess.run([sys.executable, "-m", "tests.bench.bench_crawl", "bare", str(reqs), str(out)], check=True)
    return json.loads(out.read_text())


def _crawl(box: Any, tmp: pathlib.Path, *extra: str) -> tuple[dict[str, Any], float, float]:
    """(summary, seconds to the last response, seconds end to end) of one `nianbao crawl`."""
    nianbao = str(pathlib.Path(sys.executable).parent / "nianbao")
    data = tmp / f"data-{time.monotonic_ns()}"
    started, wall = time.perf_counter(), time.time()
    proc = subprocess.run([nianbao, "crawl", "--registry", str(box.registry_path), "--data-dir", str(data),
                           "--json", "-q", "--parallel", str(PARALLEL), "-s", "DOWNLOAD_DELAY=0",
                           "-s", "AUTOTHROTTLE_ENABLED=False", *extra], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if not proc.stdout.strip().startswith("{"):
        raise RuntimeError(f"nianbao crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    summary = json.loads(proc.stdout)
    fetched = max(p["stats"].get("nianbao/fetched_at", 0) for p in summary["portals"]) - wall
    return summary, min(seconds, fetched) if fetched > 0 else seconds, seconds


def _responses(summary: dict[str, Any]) -> int:
    return int(sum(p["stats"].get("downloader/response_count", 0) for p in summary["portals"]))


def run(quick: bool) -> str:
    from tests.sandbox import Sandbox

    size = "small" if quick else "large"
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as name, Sandbox(7, size, slow_scale=0) as box:
        tmp = pathlib.Path(name)
        box.prerender()
        box.write(tmp / "sandbox")
        cold = _bare_run(box, tmp)
        box.reset()
        summary, fetch_seconds, crawl_seconds = _crawl(box, tmp, "--all")
        box.reset()
        warm = _bare_run(box, tmp)
        browsing = [s["id"] for s in box.ground_truth()["sites"] if s["platform"] == "gkmlpt" or s["guard"]]
        box.reset()
        browser_summary, _, browser_seconds = _crawl(box, tmp, *[a for i in browsing for a in ("--portal", i)])
    crawl_pages = _responses(summary)
    crawl_rate = crawl_pages / fetch_seconds
    warm_rate = warm["responses"] / warm["seconds"]
    browser_pages = sum(p["stats"].get("nianbao/browser/requests", 0) for p in browser_summary["portals"])
    totals = summary["summary"]["totals"]
    ratio = crawl_rate / warm_rate
    parse_cpu = sum(p["stats"].get("nianbao/parse/parsed", 0) for p in summary["portals"])
    lines = [
        f"## Crawling ({size} sandbox province)", "",
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {dt.date.today().isoformat()}. "
        f"Same politeness for both: no delay, 2 requests per host (both with `crawler.downloader`, "
        f"which keeps that limit), {PARALLEL} portals (bare: {2 * PARALLEL} requests, hosts in turn) at a time; "
        "the sandbox's deliberate delays off. Wall time includes "
        "start-up and, for the crawl, waiting for the last parses.", "",
        "| what | responses | seconds | responses/s | notes |", "| --- | ---: | ---: | ---: | --- |",
        f"| bare Scrapy, cold (sandbox renders) | {cold['responses']} | {cold['seconds']:.1f} | "
        f"{cold['responses'] / cold['seconds']:.1f} | no processing |",
        f"| `nianbao crawl --all`, to the last response | {crawl_pages} | {fetch_seconds:.1f} | {crawl_rate:.1f} | "
        f"{totals['documents']} documents stored, {parse_cpu} parsed meanwhile |",
        f"| `nianbao crawl --all`, end to end | {crawl_pages} | {crawl_seconds:.1f} | "
        f"{crawl_pages / crawl_seconds:.1f} | until the last parse is filed; {totals['reports_found']} report "
        "sources found |",
        f"| bare Scrapy, warm | {warm['responses']} | {warm['seconds']:.1f} | {warm_rate:.1f} | no processing |",
        f"| **crawl / bare (warm)** | | | **{ratio:.2f}×** | target ≥ 0.85× {'✓' if ratio >= 0.85 else '✗'} |",
        f"| browser pages (gkmlpt shells, challenge passes) | {int(browser_pages)} | {browser_seconds:.1f} | "
        f"{browser_pages / browser_seconds:.2f} | the {len(browsing)} portals that use Chromium, alone, end to end |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "bare":
        bare(sys.argv[2], sys.argv[3])
    else:
        print(run(quick="--quick" in sys.argv))
