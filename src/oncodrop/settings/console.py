"""The operators' console settings: where it listens, who may log in (OIDC), who may talk to
it from Slack, and the roles those map to."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from oncodrop.settings.areas import Area, Secret


class WebSettings(Area):
    """The operators' console (dashboard, REST API, webhooks): where it listens and its secrets.
    ``oncodrop serve`` embeds it unless ``enabled`` is false; ``oncodrop web`` runs it alone."""

    enabled: bool = Field(default=True, description="oncodrop serve also serves the console.")
    bind: str = Field(default="127.0.0.1", description="Address the console listens on.")
    port: int = Field(default=8765, ge=0, le=65535, description="Console port (0: any free port).")
    tls_cert: Path | None = Field(default=None, description="TLS certificate (PEM) for a non-loopback bind.")
    tls_key: Path | None = Field(default=None, description="TLS private key (PEM), with tls_cert.")
    behind_proxy: bool = Field(default=False,
                               description="A TLS-terminating proxy is in front: allows a non-loopback bind "
                                           "without tls_cert.")  # fmt: skip
    session_secret: Secret | None = Field(default=None,
                                          description="Signs session cookies (unset: random per process; "
                                                      "set it when several console processes serve).")  # fmt: skip
    session_ttl_s: int = Field(default=12 * 3600, gt=0, description="A browser login lasts this long.")
    cookie_secure: bool = Field(default=True, description="Session cookies carry Secure (browsers keep "
                                                          "them on https and on loopback http).")  # fmt: skip
    webhook_secret: Secret | None = Field(default=None,
                                          description="HMAC-SHA256 key of inbound webhooks (unset: refused).")  # fmt: skip
    webhook_window_s: float = Field(default=300.0, gt=0, description="Inbound webhook timestamps older or newer "
                                                                    "than this are refused (replays).")  # fmt: skip
    live_interval_s: float = Field(default=0.5, gt=0, description="Seconds between two ledger looks for live "
                                                                 "dashboard updates.")  # fmt: skip
    metrics_public: bool = Field(default=False, description="Serve /metrics without a token.")
    presign_expires_s: int = Field(default=900, ge=60, le=7 * 24 * 3600,
                                   description="With an S3 store, a browser's presigned upload form is valid "
                                               "this long.")  # fmt: skip

    @model_validator(mode="after")
    def _check_tls(self) -> WebSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("set both tls_cert and tls_key, or neither")
        return self


RoleName = Literal["viewer", "submitter", "admin"]
_ROLE_NAMES: tuple[RoleName, ...] = ("viewer", "submitter", "admin")


def role_pairs(pairs: tuple[str, ...], what: str) -> dict[str, RoleName]:
    """``("name=role", …)`` -> ``{name: role}``; a malformed pair or unknown role is an error."""
    found: dict[str, RoleName] = {}
    for pair in pairs:
        name, _, role = pair.rpartition("=")
        if not name or role not in _ROLE_NAMES:
            raise ValueError(f"{pair!r} is not '{what}=role' with role one of {', '.join(_ROLE_NAMES)}")
        found[name] = role
    return found


class OidcSettings(Area):
    """Browser login through an OpenID Connect provider (authorization code + PKCE); local
    accounts stay available beside it. The provider's groups (or another claim) map to roles."""

    issuer: str | None = Field(default=None, description="The provider's issuer URL (unset: OIDC login is off); "
                                                         "its /.well-known/openid-configuration is read.")  # fmt: skip
    client_id: str | None = Field(default=None, description="The console's client id at the provider.")
    client_secret: Secret | None = Field(default=None, description="Client secret (unset: a public client, "
                                                                   "PKCE only).")  # fmt: skip
    scopes: str = Field(default="openid email profile groups", description="Scopes asked for at login.")
    username_claim: str = Field(default="email", description="ID-token claim that names the user (audit log).")
    roles_claim: str = Field(default="groups", description="ID-token claim listing the user's groups.")
    roles: tuple[str, ...] = Field(default=(), description="'group=role' pairs (role: viewer, submitter, admin); "
                                                           "the strongest of a user's groups wins.")  # fmt: skip
    default_role: RoleName | None = Field(default=None, description="Role of a user in none of those groups "
                                                                    "(unset: refused).")  # fmt: skip
    display_name: str = Field(default="single sign-on", description="The login button says 'Log in with …'.")
    public_url: str | None = Field(default=None, description="The console's external URL for the redirect URI "
                                                             "(unset: taken from the request).")  # fmt: skip

    @model_validator(mode="after")
    def _check_client(self) -> OidcSettings:
        if self.issuer and not self.client_id:
            raise ValueError("oidc.issuer is set but oidc.client_id is not")
        role_pairs(self.roles, "group")
        return self

    @property
    def role_map(self) -> dict[str, RoleName]:
        return role_pairs(self.roles, "group")


class SlackSettings(Area):
    """Slack ChatOps: the ``/oncodrop`` slash command and the buttons of failure notifications,
    answered by the console at ``/slack/events`` (Slack's HTTP mode, request signatures checked)."""

    signing_secret: Secret | None = Field(default=None, description="The Slack app's signing secret "
                                                                    "(unset: ChatOps is off).")  # fmt: skip
    users: tuple[str, ...] = Field(default=(), description="'slack_user_id=role' pairs (U…=submitter); "
                                                           "other users are refused.")  # fmt: skip

    @model_validator(mode="after")
    def _check_users(self) -> SlackSettings:
        role_pairs(self.users, "Slack user")
        return self

    @property
    def user_roles(self) -> dict[str, RoleName]:
        return role_pairs(self.users, "Slack user")
