"""Where settings come from besides CLI options and ``ONCODROP_<AREA>__<FIELD>``: the TOML file,
the older flat env names, and systemd credentials (files named after a setting)."""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from oncodrop.errors import ConfigError
from oncodrop.settings.fields import ENV_PREFIX, LEGACY_NAMES, apply_legacy, docs_of, field_at, is_sequence, set_path

CONFIG_ENV = "ONCODROP_CONFIG"  # the TOML file when no --config is given; not a field
CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"  # systemd's, set with LoadCredential=; not ours

# The TOML file of the Settings.load call in progress (a context variable, not a global, so
# concurrent loads in threads do not see each other's file).
config_file: ContextVar[Path | None] = ContextVar("oncodrop_config_file", default=None)


class TomlFileSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by the current ``Settings.load`` call (if any)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = config_file.get()
        data = read_toml(path) if path is not None else {}
        legacy = {name: data.pop(name) for name in list(data) if name in LEGACY_NAMES}
        self._data: dict[str, Any] = apply_legacy(data, legacy)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class LegacyEnvSource(PydanticBaseSettingsSource):
    """The flat env names of ``LEGACY_NAMES``; multi-valued ones space-separated, as before."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        env = {name.upper(): value for name, value in os.environ.items()}
        legacy: dict[str, Any] = {}
        for name, path in LEGACY_NAMES.items():
            value = env.get(ENV_PREFIX + name.upper())
            if value is None:
                continue
            if is_sequence(field_at(self.settings_cls, path).annotation) and not value.lstrip().startswith("["):
                legacy[name] = value.split()
            else:
                legacy[name] = value
        return apply_legacy({}, legacy)


class CredentialsSource(PydanticBaseSettingsSource):
    """systemd credentials (``LoadCredential=notify.slack_webhook_url:/etc/…``): each file in
    ``$CREDENTIALS_DIRECTORY`` named after a setting (``db``, ``notify.webhook_url``, …) sets it
    from the file's content, so secrets are never in a unit file or the environment. Files with
    other names are left alone (systemd may pass credentials meant for others)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        folder = os.environ.get(CREDENTIALS_ENV)
        if not folder or not Path(folder).is_dir():
            return {}
        known = {doc.path for doc in docs_of(self.settings_cls)}
        data: dict[str, Any] = {}
        for path in sorted(Path(folder).iterdir()):
            if path.name in known and path.is_file():
                set_path(data, path.name, path.read_text(encoding="utf-8").strip())
        return data


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"settings file {path} does not exist; pass an existing --config FILE") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}; fix the syntax") from None
    oncodrop_table = data.get("oncodrop")
    return dict(oncodrop_table) if isinstance(oncodrop_table, dict) else data
