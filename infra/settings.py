"""Settings from the environment (prefix `DISAGREEMENT_`), checked once at start-up.

A bad value stops the program with a message naming the environment variable, never later in the
middle of a case. Connection to Temporal itself comes from `temporalio.envconfig` (TEMPORAL_*), or
without an address there from DISAGREEMENT_DEV_SERVER_IP and _PORT (infra/client.py).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import EmailStr, Field, HttpUrl, NameEmail, SecretStr, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from domain.models import Channel, Name, PhoneNumber
from domain.notifications import ServiceContact, Template
from infra.identity import Role
from infra.keys import KeyRing, parse_key_ring, read_key_file, write_dev_key_file, write_dev_secret_file
from infra.logs import LogFormat

if TYPE_CHECKING:
    from domain.deadlines import DeadlinePolicy

ENV_PREFIX = "DISAGREEMENT_"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


def host_list(value: object, *, port_required: bool, example: str) -> object:
    """A comma-separated list of `host:port` (or, where the port is optional, `host`) entries, as an
    allow-list setting takes them; anything else is refused in words."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        for host in value:
            name, colon, port = str(host).rpartition(":")
            with_port = bool(colon) and port.isdigit() and HOST_NAME.fullmatch(name) is not None
            if not (with_port or (not port_required and HOST_NAME.fullmatch(str(host)))):
                shape = "host:port" if port_required else "host or host:port"
                raise ValueError(f"must be {shape} entries separated by commas, e.g. {example}")
    return value


def site_hosts(allowed: list[str], bind_host: str, port: int, public_url: str | None) -> list[str]:
    """The `Host` values a site answers (lower case): the allowed hosts, or by default the bind host,
    localhost and 127.0.0.1 with the port; and the public URL's host, with or without its port."""
    hosts = allowed or [f"{bind_host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    if public_url:
        public = urlsplit(public_url)
        name = public.hostname or ""
        hosts += [public.netloc.lower()] if public.port else [name, f"{name}:{443 if public.scheme == 'https' else 80}"]
    return list(dict.fromkeys(host.lower() for host in hosts))

NOTIFY_API_KEY = re.compile(rf".+-{_UUID}-{_UUID}", re.IGNORECASE)  # key name, service id, secret


# Each process's metrics port in production when its setting is unset (Prometheus's exporter range).
METRICS_DEFAULT_PORTS = {
    "metrics_port": 9464, "web_metrics_port": 9465, "codec_metrics_port": 9466, "public_metrics_port": 9467,
}

# The settings every message's contact block is made of (their defaults are examples).
SERVICE_CONTACT_SETTINGS = ("service_name", "service_phone", "service_email", "service_postal_address", "service_web_page")


class SettingsError(Exception):
    """A setting is missing or wrong; the message names the environment variable."""


class CommandSettings(BaseSettings):
    """What every staff command needs: where cases run, their keys, and the records of closed cases.

    All that `show` or `list` reads, so they check nothing else at start-up and load nothing else
    (the worker's `Settings` add the rest: the e-mail address checks alone take longer to import
    than a command takes to run). Each setting and its rule is written once, here or there.
    """

    # hide_input_in_errors: a malformed key or password must not be echoed into a traceback.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", hide_input_in_errors=True)

    # Where cases run.
    task_queue: str = Field("disagreement-resolution", min_length=1)
    # How every process writes its log lines (infra/logs.py): structlog's key=value, or JSON lines.
    log_format: LogFormat = "keyvalue"
    # `make run`'s Temporal dev server. Every client (command line, console, worker) reaches it here
    # unless TEMPORAL_ADDRESS or a temporal.toml profile names a server (infra/client.py).
    dev_server_ip: str = "127.0.0.1"
    dev_server_port: int = Field(7233, ge=1, le=65535)
    # Where this host keeps its files: the dev server's, the key file, the sent-log and records.
    data_dir: Path = Path(".data")

    # Encryption (DESIGN section 5). Keys are `id:base64key` entries, the first one current (see
    # infra/keys.py); without DISAGREEMENT_ENCRYPTION_KEYS they are read from the key file.
    encryption_keys: SecretStr | None = None
    encryption_key_file: Path | None = None  # default: <data_dir>/encryption-keys

    # Records of closed cases (records/): the same family as the sent-log, a SQLite file by default
    # or a PostgreSQL URL. Without DISAGREEMENT_RECORDS_URL they share the sent-log's database.
    records_file: Path | None = None  # default: <data_dir>/records.sqlite3
    records_url: SecretStr | None = None  # postgresql://user:password@host:port/database
    # How long a closed case is kept (docs/records-retention.md): years after closure, or after
    # the child's date of birth where the service records it (the later date wins).
    records_years_after_closure: int = Field(6, ge=1, le=100)
    records_years_after_birth: int = Field(25, ge=1, le=100)
    # Several worker hosts: one PostgreSQL sent-log they all share, postgresql://user:password@host/db
    sent_log_url: SecretStr | None = None
    # The development outbox (also erased with a case: `disagreement erase`).
    outbox_dir: Path | None = None  # default: <data_dir>/outbox

    # Production: payloads that are not encrypted are refused, and keys never come from a default
    # development key file.
    production: bool = False

    # Roles (infra/identity.py, DESIGN section 12): the identity provider's tokens carry them in one
    # claim (a dotted path reaches inside: realm_access.roles); each of our roles is given by the claim
    # values listed in its DISAGREEMENT_ROLE_<ROLE> setting (comma-separated; by default its own name).
    oidc_roles_claim: str = Field("roles", pattern=r"^\S+$")
    role_case_officer: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [Role.case_officer.value])
    role_team_manager: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [Role.team_manager.value])
    role_records_officer: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [Role.records_officer.value])
    role_administrator: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [Role.administrator.value])

    # Staff sign in through the council's OpenID Connect provider: the console (web/settings.py) and the
    # command line (`disagreement login`, a public client using the device flow) alike. Its discovery
    # document is <issuer>/.well-known/openid-configuration. Unset: development, where the console has
    # its development sign-in and the command line takes --as, both unverified.
    oidc_issuer: str | None = Field(None, pattern=r"^https?://\S+$")
    oidc_cli_client_id: str | None = Field(None, pattern=r"^\S+$")  # checked by `login`: only it needs it
    # The id_token claim holding the staff id recorded on every action (a STAFF_ID_PATTERN value).
    oidc_staff_id_claim: str = Field("preferred_username", pattern=r"^\S+$")
    # Where `disagreement login` keeps this person's tokens: owner-only, like a key (cli/token_file.py).
    token_file: Path = Path("~/.config/disagreement/token.json")

    # Who sends each update (infra/vouching.py, workflows/verification.py). `required`: the worker
    # accepts an update only with an actor assertion from the console's key or the identity provider;
    # `development`: anyone's word, recorded as unverified. Production requires `required`.
    actor_verification: Literal["development", "required"] = "development"
    # The console's Ed25519 signing key (PEM, owner-only; `python -m infra.vouching` writes a pair).
    # The worker needs only the public half: DISAGREEMENT_CONSOLE_PUBLIC_KEY_FILE, else read from this.
    console_key_file: Path | None = None  # default: <data_dir>/console-key.pem
    console_public_key_file: Path | None = None
    # The public site's (DESIGN section 14), as the console's: it vouches for a party answering through
    # its link. The site signs with the private key; the workers need only the public half.
    public_site_key_file: Path | None = None  # default: <data_dir>/public-site-key.pem
    public_site_public_key_file: Path | None = None

    @field_validator("role_case_officer", "role_team_manager", "role_records_officer", "role_administrator", mode="before")
    @classmethod
    def _claim_values(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
            if not value or any(any(c.isspace() for c in part) for part in value):
                raise ValueError("must be the roles claim's values for this role (no spaces), separated by commas")
        return value

    # The worker's codec server address too: one rule for every IP address setting.
    @field_validator("dev_server_ip", "codec_server_ip", "metrics_ip", check_fields=False)
    @classmethod
    def _an_ip_address(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError("must be an IP address such as 127.0.0.1") from None
        return value

    @property
    def dev_server_address(self) -> str:
        """host:port where a client on this machine reaches the dev server."""
        ip = ipaddress.ip_address(self.dev_server_ip)
        if ip.is_unspecified:  # it listens on every address: this machine's own loopback is one
            ip = ipaddress.ip_address("::1" if ip.version == 6 else "127.0.0.1")
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        return f"{host}:{self.dev_server_port}"

    @property
    def role_mapping(self) -> dict[Role, list[str]]:
        """Each of our roles, and the roles claim's values that give it."""
        return {role: getattr(self, f"role_{role.value}") for role in Role}

    @property
    def token_path(self) -> Path:
        return self.token_file.expanduser()

    @property
    def outbox_path(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    # The worker's paths too (Settings): one rule for every path setting.
    @field_validator(
        "data_dir", "outbox_dir", "sent_log_file", "records_file", "encryption_key_file", "console_key_file",
        "console_public_key_file", "public_site_key_file", "public_site_public_key_file", "public_site_secret_file",
        "token_file", mode="before", check_fields=False,
    )
    @classmethod
    def _a_path(cls, value: object) -> object:
        if isinstance(value, str) and (not value.strip() or "\x00" in value):
            raise ValueError("must be a file or folder path")
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _keys_readable(cls, keys: SecretStr | None) -> SecretStr | None:
        if keys is not None:
            parse_key_ring(keys.get_secret_value())
        return keys

    @field_validator("sent_log_url", "records_url")
    @classmethod
    def _is_postgres_url(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None and not re.match(r"postgres(ql)?://", url.get_secret_value()):
            raise ValueError("must be a PostgreSQL URL, postgresql://user:password@host:port/database")
        return url

    @model_validator(mode="after")
    def _production_has_its_own_key(self) -> CommandSettings:
        if self.production and self.encryption_keys is None and self.encryption_key_file is None:
            raise ValueError(
                f"{ENV_PREFIX}PRODUCTION is set, so {ENV_PREFIX}ENCRYPTION_KEYS (or an explicit "
                f"{ENV_PREFIX}ENCRYPTION_KEY_FILE) must be set: production never uses a development key"
            )
        if self.production and self.actor_verification != "required":
            raise ValueError(
                f"{ENV_PREFIX}PRODUCTION is set, so {ENV_PREFIX}ACTOR_VERIFICATION must be required: in production "
                "every action is by a member of staff the identity provider or the console vouched for"
            )
        return self

    @property
    def console_key_path(self) -> Path:
        return self.console_key_file or self.data_dir / "console-key.pem"

    @property
    def public_site_key_path(self) -> Path:
        return self.public_site_key_file or self.data_dir / "public-site-key.pem"

    @property
    def encryption_key_path(self) -> Path:
        return self.encryption_key_file or self.data_dir / "encryption-keys"

    def ensure_dev_key_file(self) -> Path | None:
        """For `make run`: a development key file, written (once) when no key is configured anywhere."""
        return None if self.encryption_keys is not None else write_dev_key_file(self.encryption_key_path)

    def encryption_key_ring(self) -> KeyRing:
        """The keys from DISAGREEMENT_ENCRYPTION_KEYS, else from the key file."""
        if self.encryption_keys is not None:
            return parse_key_ring(self.encryption_keys.get_secret_value())
        path = self.encryption_key_path
        try:
            text = read_key_file(path)
        except PermissionError as error:
            raise SettingsError(f"{error} (key file, used because {ENV_PREFIX}ENCRYPTION_KEYS is unset)") from None
        except FileNotFoundError:
            raise SettingsError(
                f"no encryption key: set {ENV_PREFIX}ENCRYPTION_KEYS to id:base64key entries "
                f"(`python -m infra.keys` prints a new one), or put them in {path} "
                "(`make run` creates a development key there)"
            ) from None
        try:
            return parse_key_ring(text)
        except ValueError as error:
            raise SettingsError(
                f"{path} (key file, used because {ENV_PREFIX}ENCRYPTION_KEYS is unset): {error}"
            ) from None

    @property
    def records_path(self) -> Path:
        return self.records_file or self.data_dir / "records.sqlite3"

    @property
    def records_database_url(self) -> str | None:
        """The PostgreSQL database for records: their own, else the sent-log's, else none (SQLite)."""
        url = self.records_url or self.sent_log_url
        return url.get_secret_value() if url is not None else None


class Settings(CommandSettings):
    """Every setting: the worker's, the codec server's and `make run`'s."""

    # Built when first read, not at import: the command line imports this module but reads only
    # CommandSettings.
    model_config = SettingsConfigDict(defer_build=True)

    # How many cases a worker keeps in memory between their tasks (Temporal's sticky cache; a case
    # not kept is replayed from its history when it next wakes). A worker's memory is bounded by
    # this, not by the caseload: see "Sizing workers" in the README.
    workflow_cache_size: int = Field(1000, ge=0, le=100_000)
    # Run workflow code inside Temporal's sandbox, which stops a non-deterministic call as it
    # happens. On by default: a case runs for months and a slip must fail loudly, not corrupt its
    # history. Off saves about a third of worker CPU per case (BENCHMARKS.md), for an operator
    # who has measured the need; the replay tests run every recorded path in the sandbox either way.
    workflow_sandbox: bool = True

    # `make run`: the local Temporal dev server's Web UI and the codec server (the dev server's own
    # address is a CommandSettings one: the command line reaches it too).
    ui_port: int = Field(8233, ge=1, le=65535)
    codec_server_port: int = Field(8234, ge=1, le=65535)

    # Prometheus metrics (docs/operating.md, "Metrics, alerts and traces"): each process serves its
    # own on a port of its own, on this address. Unset, a port is off in development (`make run`)
    # and, with DISAGREEMENT_PRODUCTION=true, takes its default (`METRICS_DEFAULT_PORTS`): production
    # is always watched.
    metrics_ip: str = "127.0.0.1"
    metrics_port: int | None = Field(None, ge=1, le=65535)  # the worker's
    codec_metrics_port: int | None = Field(None, ge=1, le=65535)
    # How often the worker counts the overdue duties for its metrics (cases/overdue.py).
    overdue_count_seconds: float = Field(60, ge=1, le=3600)

    # Deadlines: working days skip weekends and England bank holidays (DOMAIN.md defaults).
    talks_review_working_days: int = Field(15, ge=1, le=120)
    consent_window_working_days: int = Field(10, ge=1, le=120)
    consent_reminder_working_days: int = Field(5, ge=1, le=120)
    session_arrangement_days: int = Field(30, ge=1, le=365)
    session_arrangement_reminder_days: int = Field(20, ge=1, le=365)
    mediation_arrangement_reminder_days: int = Field(20, ge=1, le=29)  # before the 30-day duty (reg 37)
    session_reminder_working_days: int = Field(2, ge=1, le=30)
    outcome_record_working_days: int = Field(2, ge=1, le=60)
    written_outcome_working_days: int = Field(5, ge=1, le=60)
    action_default_days: int = Field(14, ge=1, le=365)
    action_reminder_working_days: int = Field(2, ge=1, le=60)
    # [policy] a party who asks online to be called back is called within this (a service standard, not law).
    callback_working_days: int = Field(2, ge=1, le=20)
    # A list setting is written as people write lists: `20,5` (JSON `[20, 5]` works too).
    appeal_warning_working_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [20, 5])

    # How families and organisations reach the service: in every message (a letter's heading, an
    # email's foot, a text's last line). Defaults are examples (Ofcom's drama number, example.gov.uk):
    # a real service sets its own.
    service_name: Name = "SEND disagreement resolution service"
    # Our own example is not checked on every start: that would import the phone number library
    # for every staff command (tests/test_settings.py checks it once).
    service_phone: str = Field("01632 960000", validate_default=False)
    service_email: EmailStr = "send.disagreements@example.gov.uk"
    # Lines separated by |, postcode last, as staff type addresses on the command line.
    service_postal_address: Annotated[list[Name], NoDecode] = Field(
        default_factory=lambda: ["Town Hall", "Example Street", "Exampletown", "EX1 1AA"]
    )
    service_web_page: HttpUrl = HttpUrl("https://www.example.gov.uk/send-disagreements")

    # Notifications.
    notification_backend: str = Field("outbox", pattern="^(outbox|smtp|notify)$")
    staff_email_domain: str = Field("send-service.example.gov.uk", min_length=3)
    sent_log_file: Path | None = None  # default: <data_dir>/sent-log.sqlite3 (one per worker host)
    # Each send ends within this time, well under the activity's 2-minute start-to-close timeout,
    # so Temporal never starts a retry while an attempt is still sending (activities/sent_log.py).
    delivery_time_limit_seconds: float = Field(45, gt=0, le=55)

    # The public site (public_site/, DESIGN section 14): where families and organisations answer online.
    # Its address goes into the link in each message that asks something, so it must be the address
    # they reach from outside (https behind a reverse proxy); default: the site on this machine.
    public_url: str | None = Field(None, pattern=r"^https?://[^\s/?#@]+(/[^\s?#]*)?$")
    public_port: int = Field(8081, ge=1, le=65535)
    # The secret the keyed hashes of each link's identity check are made with (HMAC-SHA256): the
    # workers that mint links and the public site that checks them share it. A file, owner-only
    # (`make run` writes one in the data folder); outside development it must be given.
    public_site_secret_file: Path | None = None  # default: <data_dir>/public-site-secret

    # `make run`: how long Temporal itself keeps a closed workflow's history (days).
    namespace_retention_days: int = Field(30, ge=1, le=3650)
    # Backend `smtp`. The port defaults to 587 with STARTTLS, 465 with TLS and 25 without.
    smtp_host: str | None = None
    smtp_port: int | None = Field(None, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = Field(None, min_length=1)
    smtp_password: SecretStr | None = Field(None, min_length=1)
    smtp_timeout_seconds: float = Field(30, gt=0, le=100)  # well inside the activity's time limit
    mail_from: NameEmail | None = None  # e.g. "SEND disagreement resolution <send@council.gov.uk>"
    # Backend `notify` (GOV.UK Notify). A Notify template has one type, so ids are per message and
    # channel, as JSON: {"case_opened": {"email": "<uuid>", "sms": "<uuid>", "letter": "<uuid>"}, ...}
    # A message goes by a channel only if it has a template id for it.
    notify_api_key: SecretStr | None = None
    notify_base_url: str = Field("https://api.notifications.service.gov.uk", pattern=r"^https?://\S+$")
    notify_template_ids: dict[Template, dict[Channel, UUID]] = Field(default_factory=dict)

    # The codec server shows decrypted payloads in the Web UI; browsers may call it from its origin only.
    codec_server_ip: str = "127.0.0.1"
    codec_cors_origin: str | None = None  # default: the dev Web UI, http://localhost:<ui_port> or 127.0.0.1
    codec_token: SecretStr | None = None  # when set: `Authorization: Bearer <token>` on every call
    # Host names (host:port) callers may use for it; default: its own address, localhost, 127.0.0.1.
    codec_allowed_hosts: Annotated[list[str] | None, NoDecode] = None  # e.g. codec.council.gov.uk:443
    # A self-hosted Web UI forwards its users' access tokens: JWTs from this issuer, checked against
    # its JWKS (default <issuer>/.well-known/jwks.json), for this audience (required with an issuer:
    # a token for another API must not decode), living no longer than the cap, and carrying in the
    # roles claim one of the accepted values (DESIGN section 12's roles by default).
    codec_jwt_issuer: str | None = Field(None, pattern=r"^https?://\S+$")
    codec_jwks_url: str | None = Field(None, pattern=r"^https?://\S+$")
    codec_jwt_audience: str | None = Field(None, min_length=1)
    codec_jwt_max_lifetime_hours: float = Field(12, gt=0, le=24 * 7)
    # Which of our roles may decode (infra/identity.py; the roles claim is mapped as for every other act).
    codec_roles: Annotated[list[Role], NoDecode] = Field(default_factory=lambda: list(Role), min_length=1)

    @field_validator("appeal_warning_working_days", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().removeprefix("[").removesuffix("]")
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("codec_roles", mode="before")
    @classmethod
    def _role_names(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
            if not value:
                raise ValueError(f"must be some of {', '.join(Role)}, separated by commas")
        return value

    @field_validator("codec_allowed_hosts", mode="before")
    @classmethod
    def _host_ports(cls, value: object) -> object:
        return host_list(value, port_required=True, example="codec.council.gov.uk:443")

    @field_validator("service_postal_address", mode="before")
    @classmethod
    def _address_lines(cls, value: object) -> object:
        if isinstance(value, str):
            lines = [line.strip() for line in value.split("|")]
            if len(lines) < 2 or not all(lines):
                raise ValueError("must be the lines of a postal address separated by |, postcode last")
            return lines
        return value

    @field_validator("service_phone")
    @classmethod
    def _a_phone_number(cls, value: str) -> str:
        TypeAdapter(PhoneNumber).validate_python(value)  # a UK number; shown as the operator wrote it
        return value.strip()

    @field_validator("smtp_host")
    @classmethod
    def _a_host_name(cls, value: str | None) -> str | None:
        if value is not None and not HOST_NAME.fullmatch(value):
            raise ValueError("must be a host name or IP address, such as smtp.council.gov.uk")
        return value

    @field_validator("codec_cors_origin")
    @classmethod
    def _is_origin(cls, origin: str | None) -> str | None:
        # A browser sends exactly scheme://host[:port]; anything more would never match.
        if origin is not None and not re.fullmatch(r"https?://[^/\s?#]+", origin):
            raise ValueError("must be an origin such as http://localhost:8233 (no path, no slash)")
        return origin

    @field_validator("codec_token")
    @classmethod
    def _token_long_enough(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return token

    @property
    def codec_hosts(self) -> list[str]:
        port = self.codec_server_port
        return self.codec_allowed_hosts or [f"{self.codec_server_ip}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]

    def metrics_port_of(self, setting: str) -> int | None:
        """Where a process serves its metrics (`setting`: `metrics_port`, `codec_metrics_port`,
        `web_metrics_port`, `public_metrics_port`): as set, else its default in production, else nowhere."""
        port = getattr(self, setting)
        if port is None and self.production:
            return METRICS_DEFAULT_PORTS[setting]
        return port

    @model_validator(mode="after")
    def _metrics_ports_apart(self) -> Settings:
        """Two processes of one host cannot serve their metrics on one port: said at start-up."""
        ports = {setting: self.metrics_port_of(setting) for setting in METRICS_DEFAULT_PORTS if setting in type(self).model_fields}
        taken = [port for port in ports.values() if port is not None]
        clashes = sorted({setting for setting, port in ports.items() if port is not None and taken.count(port) > 1})
        if clashes:
            raise ValueError(
                f"{' and '.join(ENV_PREFIX + setting.upper() for setting in clashes)} name the same port: "
                "each process serves its metrics on a port of its own"
            )
        return self

    @property
    def codec_jwks_endpoint(self) -> str:
        assert self.codec_jwt_issuer
        return self.codec_jwks_url or self.codec_jwt_issuer.rstrip("/") + "/.well-known/jwks.json"

    @model_validator(mode="after")
    def _production_has_its_own_contact_details(self) -> Settings:
        """Every message tells families how to reach the service: never the example details."""
        if not self.production:
            return self
        examples = [
            f"{ENV_PREFIX}{name.upper()}"
            for name in SERVICE_CONTACT_SETTINGS
            if name not in self.model_fields_set
        ]
        if examples:
            raise ValueError(
                f"{ENV_PREFIX}PRODUCTION is set, so the service's own contact details must be set "
                f"(messages to families carry them): {', '.join(examples)}"
            )
        # The address in every link a message carries (public_site/): never this machine's loopback,
        # and over TLS, since the page asks for something only the recipient knows.
        if not (self.public_url or "").startswith("https://"):
            raise ValueError(
                f"{ENV_PREFIX}PRODUCTION is set, so {ENV_PREFIX}PUBLIC_URL must be the public site's https:// "
                "address as families reach it (the links in messages use it)"
            )
        return self

    @property
    def codec_allowed_origins(self) -> list[str]:
        """The set origin, else the dev Web UI by either loopback name (people open both)."""
        if self.codec_cors_origin:
            return [self.codec_cors_origin]
        return [f"http://localhost:{self.ui_port}", f"http://127.0.0.1:{self.ui_port}"]

    @model_validator(mode="after")
    def _reminders_before_deadlines(self) -> Settings:
        if self.consent_reminder_working_days >= self.consent_window_working_days:
            raise ValueError(
                "DISAGREEMENT_CONSENT_REMINDER_WORKING_DAYS must be less than "
                "DISAGREEMENT_CONSENT_WINDOW_WORKING_DAYS"
            )
        if self.session_arrangement_reminder_days >= self.session_arrangement_days:
            raise ValueError(
                "DISAGREEMENT_SESSION_ARRANGEMENT_REMINDER_DAYS must be less than "
                "DISAGREEMENT_SESSION_ARRANGEMENT_DAYS"
            )
        if any(days < 1 for days in self.appeal_warning_working_days):
            raise ValueError("DISAGREEMENT_APPEAL_WARNING_WORKING_DAYS must be positive numbers")
        return self

    @model_validator(mode="after")
    def _notification_backend_configured(self) -> Settings:
        """The chosen backend has what it needs, or the worker does not start."""
        backend = f"{ENV_PREFIX}NOTIFICATION_BACKEND={self.notification_backend}"
        if self.notification_backend == "smtp":
            needed = {"SMTP_HOST": self.smtp_host, "MAIL_FROM": self.mail_from}
            missing = [f"{ENV_PREFIX}{name}" for name, value in needed.items() if not value]
            if missing:
                raise ValueError(f"{' and '.join(missing)} must be set when {backend}")
            if (self.smtp_username is None) != (self.smtp_password is None):
                raise ValueError(
                    f"{ENV_PREFIX}SMTP_USERNAME and {ENV_PREFIX}SMTP_PASSWORD are set together or not at all"
                )
        if self.notification_backend == "notify":
            if self.notify_api_key is None:
                raise ValueError(f"{ENV_PREFIX}NOTIFY_API_KEY must be set when {backend}")
            if not NOTIFY_API_KEY.fullmatch(self.notify_api_key.get_secret_value()):
                raise ValueError(f"{ENV_PREFIX}NOTIFY_API_KEY is not a GOV.UK Notify API key (name-serviceid-secret)")
            missing = [template.value for template in Template if not self.notify_template_ids.get(template)]
            if missing:
                raise ValueError(f"{ENV_PREFIX}NOTIFY_TEMPLATE_IDS has no template id for {', '.join(missing)}")
        return self

    @property
    def service_contact(self) -> ServiceContact:
        return ServiceContact(
            name=self.service_name, phone=self.service_phone, email=str(self.service_email),
            postal_address=self.service_postal_address, web_page=str(self.service_web_page),
        )

    @property
    def public_base_url(self) -> str:
        """The public site's address as families reach it, without a trailing slash."""
        return (self.public_url or f"http://127.0.0.1:{self.public_port}").rstrip("/")

    @property
    def public_site_secret_path(self) -> Path:
        return self.public_site_secret_file or self.data_dir / "public-site-secret"

    def public_site_secret(self) -> bytes:
        """The link checks' HMAC secret. In development, written once (owner-only) when missing, so a
        worker and the public site on one machine share it; in production it must be there."""
        path = self.public_site_secret_path
        if self.production or self.public_site_secret_file is not None:
            try:
                secret = path.read_bytes().strip()
            except OSError as problem:
                raise SettingsError(
                    f"{ENV_PREFIX}PUBLIC_SITE_SECRET_FILE: cannot read the public site's secret ({type(problem).__name__})"
                ) from None
            if len(secret) < 32:
                raise SettingsError(f"{ENV_PREFIX}PUBLIC_SITE_SECRET_FILE: the secret must be at least 32 characters")
            return secret
        return write_dev_secret_file(path)

    @property
    def sent_log_path(self) -> Path:
        return self.sent_log_file or self.data_dir / "sent-log.sqlite3"

    @property
    def deadline_policy(self) -> DeadlinePolicy:
        """The deadline settings, which share their names with the policy's fields."""
        from domain.deadlines import DeadlinePolicy  # the worker's, not the command line's

        fields = self.model_dump(include=set(DeadlinePolicy.model_fields))
        fields["appeal_warning_working_days"] = tuple(sorted(self.appeal_warning_working_days, reverse=True))
        return DeadlinePolicy(**fields)


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if not item["loc"]:  # a check across settings: its message names the variables itself
            problems.append(message)
            continue
        # The top-level field names the variable; nested parts (a JSON key) say where in it.
        field, *inside = (str(part) for part in item["loc"])
        where = f" (at {'.'.join(inside)})" if inside else ""
        problems.append(f"{ENV_PREFIX}{field.upper()}{where}: {message}")
    return "invalid settings: " + "; ".join(problems)


def _describe_unparsable(error: SourceError) -> str:
    """pydantic-settings could not even decode a value (bad JSON): name the variable, not the field."""
    match = re.search(r'field "([a-z_]+)"', str(error))
    name = f"{ENV_PREFIX}{match.group(1).upper()}" if match else "a DISAGREEMENT_ setting"
    return f"invalid settings: {name}: is not valid JSON"


S = TypeVar("S", bound=CommandSettings)


def settings_of(kind: type[S]) -> S:
    """Settings of this kind (these or an extension, e.g. the web console's) from the environment."""
    try:
        return kind()
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    except SourceError as error:
        raise SettingsError(_describe_unparsable(error)) from None


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    """The settings of this process; raises SettingsError naming what is wrong."""
    return settings_of(Settings)
