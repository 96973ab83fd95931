import re
from pathlib import Path

import pytest

from cairn.settings import SettingsError, ensure_instance, load_settings, option_names

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", text, flags=re.M))
    assert set(option_names()) == documented


def test_environment_beats_toml(tmp_path):
    (tmp_path / "cairn.toml").write_text('site_name = "From TOML"\nport = 6000\n')
    cfg = load_settings({"CAIRN_INSTANCE": str(tmp_path), "CAIRN_PORT": "7000"})
    assert cfg.site_name == "From TOML" and cfg.port == 7000
    assert cfg.base_url == "http://127.0.0.1:7000"


def test_bad_values_name_the_setting(tmp_path):
    with pytest.raises(SettingsError, match="CAIRN_PORT"):
        load_settings({"CAIRN_INSTANCE": str(tmp_path), "CAIRN_PORT": "nope"})
    (tmp_path / "cairn.toml").write_text("port = [")
    with pytest.raises(SettingsError, match=r"cairn\.toml"):
        load_settings({"CAIRN_INSTANCE": str(tmp_path)})


def test_secret_key_generated_once(tmp_path):
    cfg = ensure_instance(load_settings({"CAIRN_INSTANCE": str(tmp_path / "inst")}))
    again = ensure_instance(load_settings({"CAIRN_INSTANCE": str(tmp_path / "inst")}))
    assert len(cfg.secret_key) > 40 and cfg.secret_key == again.secret_key
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0
    assert cfg.effective_database_url.endswith("inst/cairn.db")
