"""Operator settings: typed, validated once, from CLI options, ``ONCODROP_*`` env and one TOML file.

Every setting any ``oncodrop`` command reads is a field of ``Settings`` (``oncodrop config show``
lists them all, ``docs/settings.md`` describes them). Precedence, highest first, for every field:
CLI overrides > environment > TOML file > defaults.

- The service's core fields are the top level, with the flat env names automation uses
  (``ONCODROP_STORE``, ``ONCODROP_DB``, ``ONCODROP_WORKERS``, …) and top-level TOML keys.
- Every other area is a sub-model: ``[notify]``, ``[celery]``, ``[aws]``, ``[intake]``,
  ``[batch]``, ``[refdata]``, ``[report]``, ``[web]`` in the TOML, ``ONCODROP_<AREA>__<FIELD>`` in the env
  (``ONCODROP_BATCH__VCPUS=4``), ``<area>__<field>=`` as a ``Settings.load`` override.
- Older flat names (``ONCODROP_SLACK_WEBHOOK_URL``, ``ONCODROP_BROKER_URL``,
  ``ONCODROP_REFDATA_OUT``, …; see ``LEGACY_NAMES``) are still read from the env, as top-level
  TOML keys and as ``Settings.load`` overrides, each at its source's precedence level; the nested
  name wins when both are set in the same source.
- ``ONCODROP_CONFIG`` names the TOML file when no ``--config`` is given (it is not a field).
- Under systemd, ``LoadCredential=<setting>:<file>`` passes a secret as a file; it ranks between
  the environment and the TOML file (see ``CredentialsSource``, deploy/onprem/README.md).

Secrets (webhook URLs) are ``SecretStr`` so they never print by accident; ``redacted_dict`` is
what ``oncodrop config show`` prints; ``handover_json`` is the one serialisation that reveals
them (for a worker process, in a 0600 file).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from oncodrop.settings.defaults import DEFAULT_COMPRESS_ROWS_OVER, PANELAPP_URL

if TYPE_CHECKING:
    from oncodrop.settings.areas import (
        AwsSettings,
        BatchSettings,
        CelerySettings,
        IntakeLimits,
        NotifySettings,
        PcgrSettings,
        RefdataSettings,
        ReinterpretSettings,
        ReportSettings,
        SlurmSettings,
    )
    from oncodrop.settings.console import OidcSettings, SlackSettings, WebSettings
    from oncodrop.settings.fields import ENV_PREFIX, LEGACY_NAMES, FieldDoc, env_names
    from oncodrop.settings.model import Settings, field_docs
    from oncodrop.settings.sources import CONFIG_ENV

# Every other name is imported on first use (PEP 562): the reporter reads only the defaults above,
# and ``Settings`` pulls in pydantic_settings, ~90 ms that a report run does not need.
_LAZY = {
    **dict.fromkeys(("AwsSettings", "BatchSettings", "CelerySettings", "IntakeLimits", "NotifySettings",
                     "PcgrSettings", "RefdataSettings", "ReinterpretSettings", "ReportSettings",
                     "SlurmSettings"), "areas"),
    **dict.fromkeys(("OidcSettings", "SlackSettings", "WebSettings"), "console"),
    **dict.fromkeys(("ENV_PREFIX", "LEGACY_NAMES", "FieldDoc", "env_names"), "fields"),
    **dict.fromkeys(("Settings", "field_docs"), "model"),
    "CONFIG_ENV": "sources",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """Import a lazily exported name from its submodule (once: it is then a module global)."""
    submodule = _LAZY.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CONFIG_ENV",
    "DEFAULT_COMPRESS_ROWS_OVER",
    "ENV_PREFIX",
    "LEGACY_NAMES",
    "PANELAPP_URL",
    "AwsSettings",
    "BatchSettings",
    "CelerySettings",
    "FieldDoc",
    "IntakeLimits",
    "NotifySettings",
    "OidcSettings",
    "PcgrSettings",
    "RefdataSettings",
    "ReinterpretSettings",
    "ReportSettings",
    "Settings",
    "SlackSettings",
    "SlurmSettings",
    "WebSettings",
    "env_names",
    "field_docs",
]  # fmt: skip
