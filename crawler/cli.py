"""The one command-line entry point, ``nianbao``.

Each package owns its commands (``parsers.cli``, ``archive.cli``, ``crawler.commands``); this
group only names them and imports a command's module when it is run, so ``nianbao parse``
never loads Scrapy or SQLAlchemy.
"""
from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module:attribute, one-line help shown by `nianbao --help`)
    "parse": ("parsers.cli:parse", "Parse report documents and print their facts as JSON."),
    "ingest": ("archive.cli:ingest", "Add local files to the archive and parse them."),
    "reparse": ("archive.cli:reparse", "Re-parse stored documents with the current parsers; print what changed."),
    "db": ("archive.cli:db", "Create, migrate (Alembic) and verify the archive database."),
    "browse": ("archive.cli:browse", "Browse the SQLite archive in Datasette."),
    "export": ("archive.cli:export", "Export the archive's views as CSV or Parquet."),
    "stats": ("archive.cli:stats", "Archive totals and report coverage by region and year."),
    "crawl": ("crawler.commands:crawl", "Crawl portals of the registry for annual reports into the archive."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def main() -> None:
    """nianbao: crawl, parse and archive 政府信息公开工作年度报告."""
