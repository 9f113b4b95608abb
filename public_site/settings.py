"""The public site's settings: the product's (its address `DISAGREEMENT_PUBLIC_URL` and port
`DISAGREEMENT_PUBLIC_PORT`, the links' secret, the service's contact details, the records database)
plus where it listens and how it reaches Temporal.

It is the part of the product a council puts on the internet, so it reaches Temporal as its own
service identity: `DISAGREEMENT_PUBLIC_TEMPORAL_PROFILE` names a profile in Temporal's
configuration file (temporal.toml: address, namespace, its own API key or client certificate), so
that production can give it credentials that may run the public updates and the `case` query only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from infra.settings import Settings, host_list, settings_of, site_hosts


class PublicSettings(Settings):
    # Where it listens; behind a council's reverse proxy, loopback still (the proxy reaches it there).
    public_host: str = "127.0.0.1"
    # The `Host` values answered besides the public URL's (host or host:port, comma-separated);
    # default: the bind host, localhost and 127.0.0.1 with the port.
    public_allowed_hosts: Annotated[list[str] | None, NoDecode] = None
    # The profile in Temporal's configuration file the site connects with; unset, the same connection
    # settings as the rest of the product (TEMPORAL_* and the default profile).
    public_temporal_profile: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$")
    # The reverse proxies in front of the site (IP addresses, comma-separated), whose X-Forwarded-For gives
    # the client's address for the rate limits; unset: the address that connects is the client's.
    public_trusted_proxies: str | None = Field(None, pattern=r"^[0-9A-Fa-f.:/, ]+$")
    # A request body larger than this is refused (413) before it is read.
    public_max_body_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024)
    # Its Prometheus metrics, on DISAGREEMENT_METRICS_IP (infra/settings.py: off in development unless
    # set, 9467 in production): requests by route template (`/{token}`), never the token.
    public_metrics_port: int | None = Field(None, ge=1, le=65535)

    @property
    def public_hosts(self) -> list[str]:
        """The `Host` values the site answers (infra/settings.py's `site_hosts`)."""
        return site_hosts(self.public_allowed_hosts, self.public_host, self.public_port, self.public_base_url)

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.lower().startswith("https://")

    @field_validator("public_allowed_hosts", mode="before")
    @classmethod
    def _host_ports(cls, value: object) -> object:
        return host_list(value, port_required=False, example="answer.council.gov.uk")


@lru_cache(maxsize=1)
def load_public_settings() -> PublicSettings:
    return settings_of(PublicSettings)
