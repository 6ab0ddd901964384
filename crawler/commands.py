"""``nianbao crawl``: crawl portals of the registry into the archive.

Thin: it reads the registry, picks the portals, builds Scrapy settings from
``crawler.settings`` and the options, and hands over to ``crawler.runner``; it shows progress
and a summary, and exits 1 when a monitor raised an alert (130 when interrupted).
"""
from __future__ import annotations

import json
import logging
import pathlib
import sys
from typing import Any

import click

from archive.cli import archive_options
from archive.errors import ArchiveError
from crawler.errors import CrawlerError
from crawler.registry import PLATFORMS


def scrapy_settings(overrides: dict[str, Any]) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        out[name.strip()] = value
    return out


def configure_logging(console: Any, verbose: int, quiet: bool, log_level: str | None = None) -> None:
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    if log_level and not (quiet or verbose):  # a service's environment file sets the level
        level = logging.getLevelName(log_level.upper())
    handler = RichHandler(console=console, show_path=False, markup=False, rich_tracebacks=False)
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("alembic", "scrapy.core.scraper", "scrapy.addons", "scrapy.middleware", "scrapy.extensions"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


@click.command()
@click.option("--portal", "portal_ids", multiple=True, metavar="ID", help="A portal of the registry (repeatable).")
@click.option("--region", metavar="NAME", help="Portals of a region: 河南, 河南省/郑州, or a code prefix such as 4101.")
@click.option("--platform", type=click.Choice(PLATFORMS), help="Portals of one platform family.")
@click.option("--all", "everything", is_flag=True, help="Every portal of the registry.")
@click.option("--registry", "registries", multiple=True, type=click.Path(exists=True),
              help="Registry file or directory (repeatable) [the shipped crawler/portals/].")
@archive_options
@click.option("--jobdir", type=click.Path(file_okay=False),
              help="Keep the crawl's state here: run the same command again to resume it after a stop or a kill.")
@click.option("--parallel", type=click.IntRange(1), help="Portals crawled at the same time [8].")
@click.option("--parse-workers", type=click.IntRange(0), help="Parser processes [one per CPU].")
@click.option("--redis", "redis_url", metavar="URL",
              help="Share the crawl through this Redis (redis://host:6379/0) with every process running the "
                   "same command, on any machine [env NIANBAO_REDIS_URL].")
@click.option("--report-dir", type=click.Path(file_okay=False),
              help="Write the run's report here: run-<id>.json and run-<id>.txt (the summary).")
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or NIANBAO_* setting, e.g. -s DOWNLOAD_DELAY=2 (repeatable).")
@click.option("--list", "list_only", is_flag=True, help="List the selected portals (all with no selection) and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line; only errors and the summary.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv: debug).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              envvar="NIANBAO_LOG_LEVEL", help="Log level when neither -v nor -q is given [env NIANBAO_LOG_LEVEL; WARNING].")
def crawl(portal_ids: tuple[str, ...], region: str | None, platform: str | None, everything: bool,
          registries: tuple[str, ...], database_url: str | None, data_dir: str | None, jobdir: str | None,
          parallel: int | None, parse_workers: int | None, redis_url: str | None, report_dir: str | None,
          sets: tuple[str, ...], list_only: bool, as_json: bool, quiet: bool, verbose: int,
          log_level: str | None) -> None:
    """Crawl portals for annual reports into the archive.

    \b
    Examples:
      nianbao crawl --portal henan-hct
      nianbao crawl --region 河南 --jobdir data/jobs/henan
      nianbao crawl --all --registry sandbox-out/medium/portals.toml -s DOWNLOAD_DELAY=0
      nianbao crawl --all --redis redis://10.0.0.5:6379/0 --db postgresql://nianbao@10.0.0.5/nianbao

    Each portal's summary (reports found / new / changed / failed, pages, documents, bytes,
    errors, alerts) is printed and stored in the archive's crawl runs. Exit status: 0, or 1
    when a portal raised an alert (fewer reports than its previous run, too many errors),
    130 when interrupted (run it again with the same --jobdir to resume). With --redis, the
    processes running the same command share the queues, and the last one closes the run.
    """
    from rich.console import Console

    from crawler import registry as registry_module

    err = Console(stderr=True)
    try:
        registry = registry_module.load(list(registries) or None)
        selection = registry.select(ids=portal_ids, region=region, platform=platform, everything=everything)
    except CrawlerError as exc:
        raise click.ClickException(str(exc)) from exc
    if list_only:
        shown = selection if (portal_ids or region or platform or everything) else list(registry.portals)
        for p in shown:
            where = "/".join(x for x in (p.region.province, p.region.city, p.region.county) if x)
            click.echo(f"{p.id}\t{p.platform}\t{p.level}\t{where}\t{p.name}")
        return
    if not (portal_ids or region or platform or everything):
        raise click.UsageError("choose portals: --portal ID, --region NAME, --platform NAME or --all")
    if not selection:
        raise click.ClickException("no portal of the registry matches that selection")

    overrides: dict[str, Any] = {"NIANBAO_DATABASE_URL": database_url, "NIANBAO_DATA_DIR": data_dir,
                                 "NIANBAO_PARSE_WORKERS": parse_workers, "NIANBAO_PARALLEL_PORTALS": parallel,
                                 "NIANBAO_REDIS_URL": redis_url, "LOG_INSTALL_ROOT_HANDLER": False}
    overrides.update(parse_overrides(sets))
    settings = scrapy_settings(overrides)
    if jobdir and settings.get("NIANBAO_REDIS_URL"):
        raise click.UsageError("--jobdir and --redis do not go together: a shared crawl keeps its state in Redis "
                               "(run the same command again to resume it)")
    configure_logging(err, verbose, quiet, log_level)

    from crawler import report
    from crawler.progress import Progress, summary_table
    from crawler.runner import Runner

    progress = Progress(err, len(selection), live=err.is_terminal and not quiet)
    try:
        runner = Runner(registry, selection, settings, jobdir=pathlib.Path(jobdir) if jobdir else None,
                        parallel=settings.getint("NIANBAO_PARALLEL_PORTALS", 8), on_progress=progress.update,
                        on_portal_done=progress.portal_done)
        outcome = runner.run()
    except (CrawlerError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.stop()
    if as_json:
        click.echo(json.dumps(report.as_json(outcome), ensure_ascii=False, indent=1))
    else:
        Console().print(summary_table(outcome))
    for portal_id, alert in outcome.alerts:
        err.print(f"[bold red]ALERT[/bold red] {portal_id}: {alert}", highlight=False)
    if report_dir:
        try:
            written = report.write(outcome, pathlib.Path(report_dir),
                                   process=runner.shared.worker.id if runner.shared else None)
        except OSError as exc:
            raise click.ClickException(f"{report_dir}: cannot write the run report: {exc}") from exc
        err.print(f"run report: {written} (and .txt)", highlight=False)
    if outcome.status == "interrupted":
        err.print(f"interrupted: run the same command{' with --jobdir ' + jobdir if jobdir else ''} to resume",
                  highlight=False)
    sys.exit(report.exit_status(outcome))
