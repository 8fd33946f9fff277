"""What every command that reads settings shares: the ``--config FILE`` option, the load, the
defaults an option's help shows, and the one translation of our errors into click's.

Options that are settings carry no ``envvar``: the command passes them to ``Settings.load`` as
overrides (``None`` = not given; ``area__field=`` for a field of an area) and the settings model
alone reads ``ONCODROP_*`` and the TOML file, with one precedence (CLI > env > file > defaults).

CLI start-up: this module imports click and ``oncodrop.errors`` (standard library only), never
the settings (pydantic, pydantic-settings) at import time, so a command's ``--help`` costs
click and the command's module alone; the settings are imported when a command runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from oncodrop.errors import ConfigError, OncodropError

if TYPE_CHECKING:
    from oncodrop.settings import Settings

# Setting path -> the default its option's help shows (`default`); a test holds each equal to
# the settings model's own default.
SHOWN_DEFAULTS: dict[str, str] = {}


def config_option(*names: str) -> Any:
    """``--config FILE``: the TOML settings file (else the one ``ONCODROP_CONFIG`` names)."""
    return click.option(
        *(names or ("--config",)), "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="TOML settings file (default: the file ONCODROP_CONFIG names, if set).",
    )  # fmt: skip


def _message(exc: OncodropError) -> str:
    return exc.message


@contextmanager
def click_errors(*types: type[OncodropError], message: Callable[[Any], str] = _message) -> Iterator[None]:
    """Our errors (``OncodropError``, or only ``types``) as click's: ``Error: <message>`` on
    stderr and exit status 1, no traceback; the CLI's one place for that translation."""
    caught = types or (OncodropError,)
    try:
        yield
    except caught as exc:
        raise click.ClickException(message(exc)) from None


def load_settings(config_file: Path | None, *, configure_logs: bool = True, **overrides: Any) -> Settings:
    """Settings from every source, with the store URL made absolute, the bundle path resolved
    (workers run elsewhere) and the ``[aws] *_secret_id`` secrets read from Secrets Manager; a
    ``ClickException`` naming the problem when they are invalid."""
    from oncodrop.logs import configure_logging  # lazy, as the settings: CLI start-up
    from oncodrop.settings import Settings
    from oncodrop.store.urls import absolute_store_url

    with click_errors(ConfigError):
        settings = Settings.load(config_file, **overrides)
    update: dict[str, Any] = {"store": absolute_store_url(settings.store)}
    if settings.bundle is not None:
        update["bundle"] = settings.bundle.resolve()
    settings = settings.model_copy(update=update)
    if settings.aws.secret_ids:
        from oncodrop.store.secrets import with_secrets  # lazy: boto3 is the optional `cloud` extra

        with click_errors():
            settings = with_secrets(settings)
    if configure_logs:
        configure_logging(settings.log_level, settings.log_json, secrets=settings.secret_values())
    return settings


def default(path: str, shown: str) -> str:
    """`` [default: X]`` for the help of the option that sets ``path`` (``refdata.name``).

    The settings model owns the value, but importing it for ``--help`` would cost pydantic and
    pydantic-settings (most of a command's start-up), so the help carries this copy;
    ``tests/cli/test_startup.py`` holds every copy equal to the model's default."""
    SHOWN_DEFAULTS[path] = shown
    return f" [default: {shown}]"


def given(values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """A ``multiple=True`` option: its values, or None when it was not given (so the settings
    value from env or file stands)."""
    return values or None
