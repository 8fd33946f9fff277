from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.errors import ConfigError
from oncodrop.settings import IntakeLimits, Settings

SLACK = "https://hooks.slack.com/services/T0/B0/SECRETsecret"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Tests start from defaults whatever the developer's shell exports."""
    import os

    for name in list(os.environ):
        if name.startswith("ONCODROP_"):
            monkeypatch.delenv(name)


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "oncodrop.toml"
    path.write_text(
        'workers = 5\nstore = "s3://lab-bucket/drop"\n'
        f'slack_webhook_url = "{SLACK}"\n'
        "[intake]\nmax_members = 10\nmax_ratio = 50\n"
    )
    return path


def test_defaults_without_any_source():
    s = Settings.load()
    assert (s.store, s.db, s.workers, s.poll_interval, s.executor) == (
        "file://./bucket", "sqlite:///oncodrop.db", 2, 2.0, "local",
    )
    assert s.slack_webhook_url is None and s.bundle is None


def test_cli_beats_env_beats_file_beats_defaults(config_file, monkeypatch):
    monkeypatch.setenv("ONCODROP_WORKERS", "7")
    monkeypatch.setenv("ONCODROP_INTAKE__MAX_MEMBERS", "11")
    from_env = Settings.load(config_file, workers=None)  # None: the option was not given
    assert from_env.workers == 7
    assert from_env.store == "s3://lab-bucket/drop"  # only in the file
    assert (from_env.intake.max_members, from_env.intake.max_ratio) == (11, 50.0)  # env and file merge
    assert from_env.max_attempts == 3  # default
    assert Settings.load(config_file, workers=9).workers == 9


def test_redacted_dict_shows_secret_host_only_and_strips_url_passwords(config_file):
    s = Settings.load(config_file, db="postgresql://onco:pa55@db.internal/ledger")
    shown = s.redacted_dict()
    assert shown["slack_webhook_url"] == "*** (hooks.slack.com)"
    assert shown["db"] == "postgresql://***@db.internal/ledger"
    assert "SECRETsecret" not in json.dumps(shown) and "pa55" not in json.dumps(shown)
    assert set(s.secret_values()) == {SLACK, "pa55"}


def test_invalid_value_names_the_field_file_and_env_variable(config_file):
    config_file.write_text("workers = 0\n")
    with pytest.raises(ConfigError) as err:
        Settings.load(config_file)
    assert f"workers (set in {config_file}, ONCODROP_WORKERS or a CLI option)" in err.value.message
    assert "greater than or equal to 1" in err.value.message


def test_unknown_key_in_file_is_an_error_not_silently_ignored(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("wrokers = 4\n")
    with pytest.raises(ConfigError, match="wrokers"):
        Settings.load(path)


def test_broken_toml_and_missing_file_are_config_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("workers = = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.load(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load(tmp_path / "missing.toml")


def test_config_show_prints_effective_settings_without_secrets(config_file, monkeypatch):
    monkeypatch.setenv("ONCODROP_WEBHOOK_URL", "https://hooks.example.org/in?token=tok_ABC")
    result = CliRunner().invoke(main, ["config", "show", "--config", str(config_file), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["workers"] == 5 and shown["intake"]["max_members"] == 10
    assert shown["webhook_url"] == "*** (hooks.example.org)"
    assert "tok_ABC" not in result.output and "SECRETsecret" not in result.output

    text = CliRunner().invoke(main, ["config", "show", "--config", str(config_file)])
    assert text.exit_code == 0
    assert 'store = "s3://lab-bucket/drop"' in text.output and "[intake]" in text.output


def test_config_show_exits_nonzero_with_the_problem_on_bad_env(monkeypatch):
    monkeypatch.setenv("ONCODROP_WORKERS", "many")
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 1
    assert "workers (set in ONCODROP_WORKERS or a CLI option)" in result.output


def test_intake_limits_are_settings_from_any_source(monkeypatch):
    assert Settings.load().intake == IntakeLimits()
    limits = Settings.load(intake={"max_members": 3}).intake
    assert isinstance(limits, IntakeLimits) and limits.max_members == 3
    monkeypatch.setenv("ONCODROP_INTAKE__MAX_MEMBERS", "5")
    assert Settings.load().intake.max_members == 5
