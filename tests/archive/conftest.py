"""Every archive test runs on SQLite and on PostgreSQL (one database per test module)."""
from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest

from archive import Archive
from tests.dbs import DIALECTS, clear, database

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module", params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def data_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "data"


@pytest.fixture
def archive(db_url: str, data_dir: pathlib.Path) -> Iterator[Archive]:
    """An empty archive: the module's database, cleared, and a fresh blob store."""
    clear(db_url)
    ar = Archive.open(db_url, data_dir)
    yield ar
    ar.close()


@pytest.fixture(scope="session")
def synth_pair():
    """A generated report (known facts) as its HTML detail page and its PDF attachment (LibreOffice)."""
    from tests.synth import make_report, render_many

    report = make_report(seed=11, agency="淮安市洪泽区教育局", year=2023, region="淮安市洪泽区")
    html, pdf = render_many([(report, "html"), (report, "pdf")])
    return report, html, pdf
