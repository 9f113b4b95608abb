"""The web console's settings: the product's settings plus where it listens and how staff sign in.

Same prefix (`DISAGREEMENT_`), same start-up check naming the variable. Staff sign in through the
council's OpenID Connect provider; a development sign-in (no password) exists only while the console
listens on loopback, where nobody else can reach it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from pydantic import Field, SecretStr, field_validator, model_validator

from infra.settings import ENV_PREFIX, Settings, settings_of

SESSION_SECRET_MIN = 32


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
    # Signs the session cookie. Outside loopback it must be set (and the same on every instance).
    web_session_secret: SecretStr | None = None
    # OpenID Connect: the issuer's discovery document is <issuer>/.well-known/openid-configuration.
    oidc_issuer: str | None = Field(None, pattern=r"^https?://\S+$")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    # The id_token claim holding the staff id recorded on every action (a STAFF_ID_PATTERN value).
    oidc_staff_id_claim: str = "preferred_username"
    # Where the Temporal Web UI is, for the link on each case page.
    temporal_ui_url: str | None = Field(None, pattern=r"^https?://[^\s?#]+$")

    @field_validator("web_session_secret")
    @classmethod
    def _secret_long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value()) < SESSION_SECRET_MIN:
            raise ValueError(f"must be at least {SESSION_SECRET_MIN} characters")
        return secret

    @model_validator(mode="after")
    def _signed_in_safely(self) -> WebSettings:
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError(
                f"{ENV_PREFIX}OIDC_CLIENT_ID and {ENV_PREFIX}OIDC_CLIENT_SECRET must be set with {ENV_PREFIX}OIDC_ISSUER"
            )
        if not self.loopback:
            if not self.oidc_issuer:
                raise ValueError(
                    f"{ENV_PREFIX}OIDC_ISSUER must be set when {ENV_PREFIX}WEB_HOST={self.web_host}: "
                    "the development sign-in exists only on loopback (127.0.0.1)"
                )
            if self.web_session_secret is None:
                raise ValueError(
                    f"{ENV_PREFIX}WEB_SESSION_SECRET must be set when {ENV_PREFIX}WEB_HOST={self.web_host}"
                )
        return self

    @property
    def loopback(self) -> bool:
        return is_loopback(self.web_host)

    @property
    def dev_sign_in(self) -> bool:
        """The no-password sign-in: only where nobody but this machine can reach the console."""
        return self.loopback

    @property
    def temporal_ui(self) -> str:
        return (self.temporal_ui_url or f"http://localhost:{self.ui_port}").rstrip("/")


@lru_cache(maxsize=1)
def load_web_settings() -> WebSettings:
    return settings_of(WebSettings)
