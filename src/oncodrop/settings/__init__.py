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

from oncodrop.settings.areas import (
    DEFAULT_COMPRESS_ROWS_OVER,
    PANELAPP_URL,
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
