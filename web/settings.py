"""The web console's settings: the product's settings plus where it listens and how staff sign in.

Same prefix (`DISAGREEMENT_`), same start-up check naming the variable. Staff sign in through the
council's OpenID Connect provider. The development sign-in (no password) exists only when switched
on (`DISAGREEMENT_DEV_SIGN_IN=true`, as `make run` does), never beside OIDC, and start-up refuses it
off loopback or with a public URL: behind a reverse proxy the console sits on loopback too, and
anyone reaching the proxy could sign in as anyone.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from infra.settings import ENV_PREFIX, Settings, host_list, settings_of, site_hosts

PUBLIC_URL = r"^https?://[^\s/?#@]+(/[^\s?#]*)?$"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


class WebSettings(Settings):
    web_host: str = "127.0.0.1"
    web_port: int = Field(8080, ge=1, le=65535)
    # Its Prometheus metrics, on DISAGREEMENT_METRICS_IP (infra/settings.py: off in development unless set).
    web_metrics_port: int | None = Field(None, ge=1, le=65535)
    # Where staff reach the console, e.g. https://cases.council.gov.uk behind a reverse proxy. Its
    # host is allowed in `Host`, and an https URL makes the session cookie Secure.
    web_public_url: str | None = Field(None, pattern=PUBLIC_URL)
    # The `Host` values answered (host:port or host, comma-separated), besides the public URL's host;
    # anything else gets a 400, which closes DNS rebinding. Default: the bind host, localhost and
    # 127.0.0.1 with the port.
    web_allowed_hosts: Annotated[list[str] | None, NoDecode] = None
    # The no-password sign-in, for development only (`make run` switches it on).
    dev_sign_in: bool = False
    # Sessions are kept in the records database: signed out after this long idle, and this long at most.
    web_session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    web_session_hours: int = Field(8, ge=1, le=24)
    # A request body larger than this is refused (413) before it is read.
    web_max_body_bytes: int = Field(64 * 1024, ge=1024, le=64 * 1024 * 1024)
    # OpenID Connect: the console's own (confidential) client at DISAGREEMENT_OIDC_ISSUER, whose
    # id_token claim DISAGREEMENT_OIDC_STAFF_ID_CLAIM gives the staff id (both in infra/settings.py,
    # shared with the command line).
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    # Where the Temporal Web UI is, for the link on each case page.
    temporal_ui_url: str | None = Field(None, pattern=r"^https?://[^\s?#]+$")

    @field_validator("web_allowed_hosts", mode="before")
    @classmethod
    def _host_ports(cls, value: object) -> object:
        return host_list(value, port_required=False, example="cases.council.gov.uk")

    @model_validator(mode="after")
    def _signed_in_safely(self) -> WebSettings:
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError(
                f"{ENV_PREFIX}OIDC_CLIENT_ID and {ENV_PREFIX}OIDC_CLIENT_SECRET must be set with {ENV_PREFIX}OIDC_ISSUER"
            )
        if self.dev_sign_in:
            if self.oidc_issuer:
                raise ValueError(
                    f"{ENV_PREFIX}DEV_SIGN_IN=true cannot be used with {ENV_PREFIX}OIDC_ISSUER: "
                    "staff sign in through the council's identity provider only"
                )
            if not self.loopback:
                raise ValueError(
                    f"{ENV_PREFIX}DEV_SIGN_IN=true cannot be used with {ENV_PREFIX}WEB_HOST={self.web_host}: "
                    "the development sign-in exists only on loopback (127.0.0.1)"
                )
            if self.web_public_url:
                raise ValueError(
                    f"{ENV_PREFIX}DEV_SIGN_IN=true cannot be used with {ENV_PREFIX}WEB_PUBLIC_URL: a console "
                    f"others reach (through a proxy) needs {ENV_PREFIX}OIDC_ISSUER"
                )
        if not self.loopback and not self.oidc_issuer:
            raise ValueError(
                f"{ENV_PREFIX}OIDC_ISSUER must be set when {ENV_PREFIX}WEB_HOST={self.web_host}: "
                "the development sign-in exists only on loopback (127.0.0.1)"
            )
        return self

    @property
    def loopback(self) -> bool:
        return is_loopback(self.web_host)

    @property
    def secure_cookies(self) -> bool:
        """The session cookie is sent over https only when staff reach the console over https."""
        return bool(self.web_public_url and self.web_public_url.lower().startswith("https://"))

    @property
    def web_hosts(self) -> list[str]:
        """The `Host` values the console answers (infra/settings.py's `site_hosts`)."""
        return site_hosts(self.web_allowed_hosts, self.web_host, self.web_port, self.web_public_url)

    @property
    def temporal_ui(self) -> str:
        return (self.temporal_ui_url or f"http://localhost:{self.ui_port}").rstrip("/")


@lru_cache(maxsize=1)
def load_web_settings() -> WebSettings:
    return settings_of(WebSettings)
