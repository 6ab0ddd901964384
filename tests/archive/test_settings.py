"""Where the archive lives: URLs, environment, defaults."""
from __future__ import annotations

import pytest

from archive import ArchiveSettings, ConfigurationError, Region


def test_defaults_live_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.delenv("NIANBAO_BLOB_STORE", raising=False)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "d"))
    s = ArchiveSettings.resolve()
    assert s.database_url == f"sqlite:///{tmp_path / 'd' / 'nianbao.sqlite'}" and s.is_sqlite
    assert s.blob_store == str(tmp_path / "d" / "blobs") and s.max_document_bytes == 256 * 1024 * 1024


def test_postgresql_urls_use_psycopg_and_hide_passwords(monkeypatch, tmp_path):
    monkeypatch.setenv("NIANBAO_DATABASE_URL", "postgresql://nianbao:secret@db.example/nianbao")
    s = ArchiveSettings.resolve(data_dir=tmp_path)
    assert s.database_url == "postgresql+psycopg://nianbao:secret@db.example/nianbao" and not s.is_sqlite
    assert "secret" not in s.redacted_url
    assert ArchiveSettings.resolve("postgres://u@h/d", tmp_path).database_url == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize("url", ["mysql://u@h/d", "not a url"])
def test_unusable_urls_are_refused_by_name(url, tmp_path):
    with pytest.raises(ConfigurationError, match="mysql|not a database URL"):
        ArchiveSettings.resolve(url, tmp_path)


def test_region_from_the_command_line_form():
    assert Region.parse("江苏省/淮安市/洪泽区") == Region("江苏省", "淮安市", "洪泽区")
    assert Region.parse("江苏省//") == Region("江苏省", None, None)
    assert Region.parse(None).is_empty
