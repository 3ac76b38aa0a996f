"""Every setting is documented in .env.example and read from the environment."""

from __future__ import annotations

from rag.core.config import Settings
from tests.conftest import REPO


def test_every_setting_is_documented():
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or [f"REPORTQA_{name.upper()}"]
        assert f"\n{aliases[0]}=" in example, name


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REPORTQA_INDEX_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("REPORTQA_SEARCH_MODE", "bm25")
    settings = Settings()
    assert settings.index_dir == tmp_path / "x" and settings.search_mode == "bm25"
