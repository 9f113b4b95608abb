"""Connecting to Temporal: the same profiles and TEMPORAL_* variables as the `temporal` CLI, and
without an address there, the dev server `make run` starts (DISAGREEMENT_DEV_SERVER_IP and _PORT):
one setting moves the server and every client with it.

Every case opening and every update this client sends carries an actor assertion for the member of
staff it acts as (`infra.identity.acting_as`), in a header the codec encrypts like any payload:
the identity provider's token when they signed in with one (the CLI), else one signed with the
console's key, else (development) their unsigned word. The public site acts as the party answering
(`party:<id>`) and signs with its own key. The worker checks it (workflows/verification.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    StartWorkflowUpdateWithStartInput,
)
from temporalio.common import HeaderCodecBehavior
from temporalio.converter import default as default_converter
from temporalio.envconfig import ClientConfig

from domain.models import acting_party
from infra.converter import data_converter
from infra.identity import acting
from infra.settings import ENV_PREFIX, CommandSettings
from infra.tracing import tracing_interceptors

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from opentelemetry.trace import Tracer
    from temporalio.runtime import Runtime


def connection_config(settings: CommandSettings, profile: str | None = None) -> dict:
    """Address, namespace, API key and TLS from the profile file (`profile`, else TEMPORAL_PROFILE or
    the default one) and the environment."""
    config = dict(ClientConfig.load_client_connect_config(profile))
    config.setdefault("target_host", settings.dev_server_address)
    return config


def address_chosen_by() -> str:
    """Which settings chose the address, in words for a message that nothing answers there."""
    if ClientConfig.load_client_connect_config().get("target_host"):
        return "TEMPORAL_ADDRESS (or a temporal.toml profile) chooses the address"
    return (
        f"{ENV_PREFIX}DEV_SERVER_IP and {ENV_PREFIX}DEV_SERVER_PORT choose the address, as for `make run` "
        "(TEMPORAL_ADDRESS or a temporal.toml profile would override them)"
    )


async def connect(
    settings: CommandSettings, console_key: Ed25519PrivateKey | None = None,
    public_site_key: Ed25519PrivateKey | None = None, profile: str | None = None, *,
    tracer: Tracer | None = None, runtime: Runtime | None = None,
) -> Client:
    """A client whose updates say who sends them; the console passes its signing key, the public site its
    own (and its own profile of connection settings, a narrower service identity). With a tracer, its
    calls (and a worker built on it) are traced (infra/tracing.py); a worker's runtime serves its
    metrics (infra/telemetry.py)."""
    return await Client.connect(
        **connection_config(settings, profile),
        data_converter=data_converter(settings),
        interceptors=[*tracing_interceptors(tracer), ActorHeaders(console_key, public_site_key)],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
        runtime=runtime,
    )


class ActorHeaders(Interceptor):
    def __init__(self, console_key: Ed25519PrivateKey | None = None, public_site_key: Ed25519PrivateKey | None = None) -> None:
        self.console_key = console_key
        self.public_site_key = public_site_key

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Outbound(next, self.console_key, self.public_site_key)


def _assertion(
    console_key: Ed25519PrivateKey | None, case: str, action: str, public_site_key: Ed25519PrivateKey | None = None,
) -> str | None:
    from infra import vouching  # PyJWT: imported only when something is sent

    staff = acting()
    if staff is None:
        return None  # the worker refuses it unless in development
    if staff.token:
        return staff.token
    if public_site_key is not None and acting_party(staff.id) is not None:
        return vouching.public_site_assertion(public_site_key, staff.id, case, action, datetime.now(UTC))
    if console_key is not None:
        return vouching.console_assertion(console_key, staff, case, action, datetime.now(UTC))
    return vouching.development_assertion(staff)


class _Outbound(OutboundInterceptor):
    def __init__(
        self, next: OutboundInterceptor, console_key: Ed25519PrivateKey | None, public_site_key: Ed25519PrivateKey | None,
    ) -> None:
        super().__init__(next)
        self._key = console_key
        self._site_key = public_site_key

    def _with_actor(self, headers: Mapping[str, Payload], case: str, action: str | None = None) -> Mapping[str, Payload]:
        """`action`: the update's name; none for a case's opening."""
        from infra.vouching import HEADER, OPENING

        token = _assertion(self._key, case, action or OPENING, self._site_key)
        if token is None:
            return headers
        return {**headers, HEADER: default_converter().payload_converter.to_payloads([token])[0]}

    async def start_workflow(self, input: StartWorkflowInput) -> Any:
        input.headers = self._with_actor(input.headers, input.id)
        return await super().start_workflow(input)

    async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> Any:
        input.headers = self._with_actor(input.headers, input.id, input.update)
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(self, input: StartWorkflowUpdateWithStartInput) -> Any:
        start, update = input.start_workflow_input, input.update_workflow_input
        start.headers = self._with_actor(start.headers, start.id)
        update.headers = self._with_actor(update.headers, start.id, update.update)
        return await super().start_update_with_start_workflow(input)
