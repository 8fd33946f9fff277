from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.cli.config import DOCS_BEGIN, DOCS_END
from oncodrop.errors import ConfigError
from oncodrop.settings import CONFIG_ENV, IntakeLimits, Settings, field_docs

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
    assert s.notify.slack_webhook_url is None and s.bundle is None


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
    assert shown["notify"]["slack_webhook_url"] == "*** (hooks.slack.com)"
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
    assert shown["notify"]["webhook_url"] == "*** (hooks.example.org)"
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


# --- every operator setting in Settings ---------------------------------------------------

SRC = Path(__file__).resolve().parents[1] / "src" / "oncodrop"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
_NAME = re.compile(r"ONCODROP_[A-Z0-9_]+")


def _every_env_name() -> set[str]:
    return {name for doc in field_docs() for name in doc.env}


def test_every_oncodrop_variable_named_in_src_is_a_settings_field():
    """A new ``ONCODROP_*`` variable cannot sneak in beside Settings: each name in the source
    is a field's env name (or a legacy alias of one), ``ONCODROP_CONFIG``, or the deployed
    Lambda's own environment (it runs without oncodrop's settings, see docs/settings.md)."""
    from oncodrop.events import lambda_handler as lam

    lambda_env = {lam.QUEUE_URL_ENV, lam.ST2_URL_ENV, lam.ST2_API_KEY_ENV, lam.ST2_WEBHOOK_ENV, lam.ST2_TRIGGER_ENV,
                  lam.ST2_API_KEY_SECRET_ENV}
    known = _every_env_name() | {CONFIG_ENV} | lambda_env
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for name in _NAME.findall(path.read_text()):
            found.setdefault(name, set()).add(str(path.relative_to(SRC)))
    unknown = {}
    for name, where in found.items():
        if name.endswith("_"):  # a prefix in prose ("ONCODROP_FLEET__<FIELD>")
            if not any(env.startswith(name) for env in known):
                unknown[name] = where
        elif name not in known:
            unknown[name] = where
    assert not unknown, f"ONCODROP_* names that are not settings: {unknown}"
    assert lam.QUEUE_URL_ENV in _every_env_name()  # the one the Lambda shares with the service


def test_no_cli_option_reads_an_oncodrop_variable_itself():
    """Options are overrides passed to Settings.load; only the settings model reads the env."""
    from oncodrop.cli import load_all

    def params(command):
        yield from command.params
        for sub in getattr(command, "commands", {}).values():
            yield from params(sub)

    envvars = [(p.name, p.envvar) for command in load_all().values() for p in params(command) if p.envvar]
    assert envvars == []


def test_config_show_lists_every_field_and_its_env_names():
    text = CliRunner().invoke(main, ["config", "show"])
    assert text.exit_code == 0, text.output
    for name in _every_env_name():
        assert name in text.output
    for area in ("notify", "celery", "aws", "intake", "batch", "refdata", "report"):
        assert f"[{area}]" in text.output
    shown = json.loads(CliRunner().invoke(main, ["config", "show", "--json"]).output)

    def leaves(data, prefix=""):
        for key, value in data.items():
            if isinstance(value, dict):
                yield from leaves(value, f"{prefix}{key}.")
            else:
                yield prefix + key

    assert sorted(leaves(shown)) == sorted(doc.path for doc in field_docs())


def test_docs_settings_md_is_the_generated_reference():
    expected = CliRunner().invoke(main, ["config", "docs"]).output.strip()
    text = DOCS.read_text()
    begin, end = text.index(DOCS_BEGIN), text.index(DOCS_END) + len(DOCS_END)
    assert text[begin:end] == expected, "regenerate with: oncodrop config docs"


@pytest.mark.parametrize(("legacy", "value", "path", "expected"), [
    ("ONCODROP_SLACK_WEBHOOK_URL", SLACK, "notify.slack_webhook_url", SLACK),
    ("ONCODROP_BROKER_URL", "amqp://mq/", "celery.broker_url", "amqp://mq/"),
    ("ONCODROP_S3_ENDPOINT_URL", "http://127.0.0.1:9000", "aws.s3_endpoint_url", "http://127.0.0.1:9000"),
    ("ONCODROP_NOTIFY_ATTEMPTS", "9", "notify.attempts", 9),
    ("ONCODROP_REDISPATCH_S", "12.5", "celery.redispatch_s", 12.5),
    ("ONCODROP_REFDATA_BUILDS", "grch37 grch38", "refdata.builds", ("grch37", "grch38")),
    ("ONCODROP_REPORT_CONFIG", "sample.toml", "report.sample_config", Path("sample.toml")),
])
def test_legacy_flat_env_names_still_set_their_field(monkeypatch, legacy, value, path, expected):
    monkeypatch.setenv(legacy, value)
    got = _at(Settings.load(), path)
    assert (got.get_secret_value() if hasattr(got, "get_secret_value") else got) == expected


def _at(settings, path):
    value = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value


def test_one_precedence_for_nested_and_legacy_names(tmp_path, monkeypatch):
    path = tmp_path / "s.toml"
    path.write_text('broker_url = "redis://legacy-file/0"\n[notify]\nattempts = 3\nbackoff_s = 5\n'
                    '[celery]\nqueue = "from-file"\n')
    s = Settings.load(path)
    assert (s.celery.broker_url, s.celery.queue, s.notify.attempts) == ("redis://legacy-file/0", "from-file", 3)
    monkeypatch.setenv("ONCODROP_NOTIFY_ATTEMPTS", "7")  # env (legacy name) beats the file
    monkeypatch.setenv("ONCODROP_CELERY_QUEUE", "legacy-env")
    monkeypatch.setenv("ONCODROP_CELERY__QUEUE", "nested-env")  # the nested name wins within the env
    s = Settings.load(path)
    assert (s.notify.attempts, s.notify.backoff_s, s.celery.queue) == (7, 5.0, "nested-env")
    s = Settings.load(path, notify__attempts=8, celery__queue=None)  # CLI beats env; None = not given
    assert (s.notify.attempts, s.celery.queue) == (8, "nested-env")


def test_oncodrop_config_names_the_file_when_no_config_option_is_given(config_file, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(config_file))
    assert Settings.load().workers == 5
    result = CliRunner().invoke(main, ["config", "show", "--json"])
    assert json.loads(result.output)["workers"] == 5


def test_nested_errors_name_the_nested_env_variable(monkeypatch):
    monkeypatch.setenv("ONCODROP_BATCH__VCPUS", "0")
    with pytest.raises(ConfigError, match="batch.vcpus \\(set in ONCODROP_BATCH__VCPUS"):
        Settings.load()


def test_the_worker_hand_over_keeps_secrets_and_reads_nothing_again(config_file, monkeypatch):
    s = Settings.load(config_file, notify__webhook_url="https://hooks.example.org/t0k3n")
    text = s.handover_json()
    assert SLACK in text and "t0k3n" in text  # the 0600 hand-over file carries the secrets
    assert SLACK not in s.model_dump_json()  # any other serialisation masks them
    monkeypatch.setenv("ONCODROP_WORKERS", "11")
    again = Settings.from_handover(text)
    assert again == s and again.workers == 5
    assert again.notify.slack_webhook_url.get_secret_value() == SLACK
    assert pickle.loads(pickle.dumps(s)) == s  # what spawn does for local workers


def test_refdata_and_report_cli_options_are_overrides_of_their_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("ONCODROP_REFDATA__OUT", str(tmp_path / "from-env"))
    result = CliRunner().invoke(main, ["refdata", "build", "--demo", "--out", str(tmp_path / "from-cli")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-cli" / "manifest.json").is_file() and not (tmp_path / "from-env").exists()
    missing = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r")])
    assert missing.exit_code == 1 and "report.vcf is not set: pass --vcf, set ONCODROP_REPORT__VCF" in missing.output


def test_systemd_credentials_set_secrets_below_env_and_above_the_file(tmp_path, monkeypatch):
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "notify.webhook_url").write_text("https://hooks.example.org/T/secret\n")
    (creds / "db").write_text("postgresql+psycopg://onco:pw@db.example.org/onco")
    (creds / "not-a-setting").write_text("ignored")
    config = tmp_path / "o.toml"
    config.write_text('db = "sqlite:///from-file.db"\nworkers = 3\n')
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    settings = Settings.load(config)
    assert settings.notify.webhook_url is not None
    assert settings.notify.webhook_url.get_secret_value() == "https://hooks.example.org/T/secret"
    assert settings.db == "postgresql+psycopg://onco:pw@db.example.org/onco"  # the credential beats the file
    assert settings.workers == 3
    monkeypatch.setenv("ONCODROP_DB", "sqlite:///from-env.db")
    assert Settings.load(config).db == "sqlite:///from-env.db"  # the environment beats the credential
