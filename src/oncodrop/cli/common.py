"""What every command that reads settings shares: the ``--config FILE`` option and the load.

Options that are settings carry no ``envvar``: the command passes them to ``Settings.load`` as
overrides (``None`` = not given; ``area__field=`` for a field of an area) and the settings model
alone reads ``ONCODROP_*`` and the TOML file, with one precedence (CLI > env > file > defaults).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from oncodrop.errors import ConfigError, OncodropError
from oncodrop.logs import configure_logging
from oncodrop.settings import Settings
from oncodrop.store.urls import absolute_store_url


def config_option(*names: str) -> Any:
    """``--config FILE``: the TOML settings file (else the one ``ONCODROP_CONFIG`` names)."""
    return click.option(
        *(names or ("--config",)), "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="TOML settings file (default: the file ONCODROP_CONFIG names, if set).",
    )  # fmt: skip


def load_settings(config_file: Path | None, *, configure_logs: bool = True, **overrides: Any) -> Settings:
    """Settings from every source, with the store URL made absolute, the bundle path resolved
    (workers run elsewhere) and the ``[aws] *_secret_id`` secrets read from Secrets Manager; a
    ``ClickException`` naming the problem when they are invalid."""
    try:
        settings = Settings.load(config_file, **overrides)
    except ConfigError as exc:
        raise click.ClickException(exc.message) from None
    update: dict[str, Any] = {"store": absolute_store_url(settings.store)}
    if settings.bundle is not None:
        update["bundle"] = settings.bundle.resolve()
    settings = settings.model_copy(update=update)
    if settings.aws.secret_ids:
        from oncodrop.store.secrets import with_secrets  # lazy: boto3 is the optional `cloud` extra

        try:
            settings = with_secrets(settings)
        except OncodropError as exc:
            raise click.ClickException(exc.message) from None
    if configure_logs:
        configure_logging(settings.log_level, settings.log_json, secrets=settings.secret_values())
    return settings


def default(model: type[BaseModel], field: str) -> str:
    """`` [default: X]`` for an option's help, from the settings model (never a second copy)."""
    value = model.model_fields[field].get_default(call_default_factory=True)
    return f" [default: {' '.join(value) if isinstance(value, tuple) else value}]"


def given(values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """A ``multiple=True`` option: its values, or None when it was not given (so the settings
    value from env or file stands)."""
    return values or None
