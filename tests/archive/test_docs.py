"""docs/archive.md documents every archive command, option, view and setting."""
from __future__ import annotations

import pathlib
import re

import click
import pytest

from archive import cli
from archive.browse import QUERIES, VIEWS
from archive.export import DATASETS
from crawler.cli import COMMANDS

DOC = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "archive.md").read_text(encoding="utf-8")
COMMON = DOC[DOC.index("## Commands"):DOC.index("### ", DOC.index("## Commands"))]  # options of every command
ARCHIVE_COMMANDS = {name: target for name, (target, _) in COMMANDS.items() if target.startswith("archive.cli:")}


def commands():
    for name, target in sorted(ARCHIVE_COMMANDS.items()):
        command = getattr(cli, target.split(":")[1])
        if isinstance(command, click.Group):
            for sub, subcommand in sorted(command.commands.items()):
                yield f"{name} {sub}", subcommand
        else:
            yield name, command


def test_all_six_commands_are_registered():
    assert set(ARCHIVE_COMMANDS) == {"ingest", "reparse", "db", "browse", "export", "stats"}


@pytest.mark.parametrize(("name", "command"), list(commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_option_is_documented(name, command):
    assert command.help, name
    section = re.search(rf"^### `nianbao {name}`.*?(?=^### |\Z)", DOC, re.M | re.S)
    assert section, f"no '### `nianbao {name}`' section in docs/archive.md"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            documented = section.group(0) + COMMON
            assert any(opt in documented for opt in param.opts), f"{name}: {param.opts} undocumented"


@pytest.mark.parametrize("name", [*VIEWS, *QUERIES, *DATASETS, "NIANBAO_DATABASE_URL", "NIANBAO_DATA_DIR",
                                  "NIANBAO_BLOB_STORE", "NIANBAO_MAX_DOCUMENT_BYTES"])
def test_every_view_query_dataset_and_setting_is_documented(name):
    assert f"`{name}`" in DOC
