"""Who sends an update is checked by the worker, not taken from the payload (DESIGN section 12).

Straight through the Temporal client against a real dev server, as any API caller could send them:
an update with no actor assertion, a forged one, an expired one, one made for another case, one for
another member of staff, and one without the role is refused before history, in words; the
console's signed word and the identity provider's token are accepted, and the timeline says the
actor was verified. A development worker accepts anyone's word and says it is unverified.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jwt as jose
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import HeaderCodecBehavior
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.models import AddNote, CaseView, OpenCase
from infra.client import ActorHeaders
from infra.converter import data_converter
from infra.identity import Role, Staff, acting_as
from infra.settings import Settings
from infra.vouching import console_assertion, read_private_key, verifier_for, write_key_pair
from tests.conftest import RecordedNotifications, isolated_settings, new_reference, open_case, opened_view
from tests.oidc_provider import Provider, openid_provider
from worker import build_worker
from workflows import names
from workflows.case import DisagreementCase

OFFICER = "jo.smith"
CLI_CLIENT = "send-cli"


@dataclass
class Stack:
    env: WorkflowEnvironment
    settings: Settings
    console_key: Ed25519PrivateKey
    provider: Provider

    async def client(self, console_key: Ed25519PrivateKey | None = None) -> Client:
        """A client as the console or the CLI connect (infra/client.py), with this key or none."""
        return await Client.connect(
            self.env.client.service_client.config.target_host,
            namespace=self.env.client.namespace,
            data_converter=data_converter(self.settings),
            interceptors=[ActorHeaders(console_key)],
            header_codec_behavior=HeaderCodecBehavior.CODEC,
        )

    async def open(self, client: Client) -> WorkflowHandle:
        handle = await client.start_workflow(
            DisagreementCase.run, open_case(opened_by=OFFICER, case_officer=OFFICER), id=new_reference(),
            task_queue=self.settings.task_queue,
        )
        await opened_view(handle)
        return handle

    def id_token(self, audience: str = CLI_CLIENT, **claims) -> str:
        now = int(time.time())
        body = {"iss": self.provider.issuer, "aud": audience, "sub": "user-1", "iat": now, "exp": now + 300,
                "preferred_username": OFFICER, "roles": ["case_officer"], **claims}
        return jose.encode({"alg": "RS256", "kid": "test-key"}, body, self.provider.key)


@pytest_asyncio.fixture(loop_scope="session")
async def stack(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Stack]:
    write_key_pair(tmp_path / "console-key.pem", tmp_path / "console-key.pub")
    async with openid_provider() as provider:
        settings = isolated_settings(
            tmp_path, actor_verification="required", console_public_key_file=tmp_path / "console-key.pub",
            oidc_issuer=provider.issuer, oidc_cli_client_id=CLI_CLIENT,
        )
        worker = build_worker(dev_server.client, settings, RecordedNotifications(), verifier=await verifier_for(settings))
        async with worker:
            yield Stack(dev_server, settings, read_private_key(tmp_path / "console-key.pem"), provider)


def note(actor: str = OFFICER) -> AddNote:
    return AddNote(actor=actor, text="rang the school")


async def refused(handle: WorkflowHandle, request: AddNote = note()) -> ApplicationError:
    """The refusal, after checking the update never reached the case's history."""
    before = await accepted_updates(handle)
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(names.ADD_NOTE, request, result_type=CaseView)
    assert await accepted_updates(handle) == before, "a refused update must leave no trace in history"
    assert isinstance(failed.value.cause, ApplicationError)
    return failed.value.cause


async def accepted_updates(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(1 for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)


def as_staff(staff_id: str = OFFICER, *roles: Role, token: str | None = None) -> None:
    acting_as(Staff(staff_id, frozenset(roles or (Role.case_officer,)), token=token))


async def test_an_update_without_an_assertion_is_refused(stack: Stack) -> None:
    as_staff()
    handle = await stack.open(await stack.client(stack.console_key))
    bare = (await stack.client()).get_workflow_handle(handle.id)
    acting_as(None)  # nobody: a plain API call
    refusal = await refused(bare)
    assert refusal.type == names.ACTOR_NOT_VOUCHED
    assert refusal.message == "not accepted: the update carries no actor assertion: send it through the console or the CLI"


async def test_a_forged_an_expired_and_a_misdirected_assertion_are_refused(stack: Stack) -> None:
    as_staff()
    client = await stack.client(stack.console_key)
    handle = await stack.open(client)
    other = new_reference()
    staff = Staff(OFFICER, frozenset({Role.case_officer}))
    now = datetime.now(UTC)
    tokens = {
        "forged": console_assertion(Ed25519PrivateKey.generate(), staff, handle.id, names.ADD_NOTE, now),
        "expired": console_assertion(stack.console_key, staff, handle.id, names.ADD_NOTE, now - timedelta(minutes=10)),
        "other case": console_assertion(stack.console_key, staff, other, names.ADD_NOTE, now),
        "other action": console_assertion(stack.console_key, staff, handle.id, names.WITHDRAW, now),
        "unsigned": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJqby5zbWl0aCJ9.",
        "provider forged": stack.id_token().rsplit(".", 1)[0] + ".c2lnbmF0dXJl",
        "provider, other audience": stack.id_token(audience="another-app"),
    }
    said = {}
    for name, token in tokens.items():
        as_staff(token=token)
        said[name] = (await refused(client.get_workflow_handle(handle.id))).message
    assert said == {
        "forged": "not accepted: the actor assertion is not signed by the console's key",
        "expired": "not accepted: the actor assertion has expired: sign in again, or send the action again",
        "other case": "not accepted: the actor assertion was made for another case or another action",
        "other action": "not accepted: the actor assertion was made for another case or another action",
        "unsigned": "not accepted: the actor assertion is from a signer this worker does not trust",
        "provider forged": "not accepted: the actor assertion's signature does not match",
        "provider, other audience": "not accepted: the actor assertion is for another audience",
    }


async def test_an_assertion_for_someone_else_or_without_the_role_is_refused(stack: Stack) -> None:
    as_staff()
    client = await stack.client(stack.console_key)
    handle = await stack.open(client)

    as_staff("sam.jones")  # signed in as one person, naming another in the payload
    impostor = await refused(client.get_workflow_handle(handle.id), note(OFFICER))
    as_staff(OFFICER, Role.records_officer)  # vouched for, but case work is not theirs
    records_only = await refused(client.get_workflow_handle(handle.id))

    assert impostor.message == "not accepted: the action names a different member of staff from the one signed in"
    assert (records_only.type, records_only.message) == (names.NOT_ALLOWED, "not allowed: needs the case_officer or team_manager role")


async def test_the_console_and_the_identity_provider_vouch_and_the_timeline_says_verified(stack: Stack) -> None:
    as_staff()
    client = await stack.client(stack.console_key)
    handle = await stack.open(client)
    signed = await client.get_workflow_handle(handle.id).execute_update(names.ADD_NOTE, note(), result_type=CaseView)
    as_staff(token=stack.id_token())  # the CLI after `disagreement login`
    by_token = await client.get_workflow_handle(handle.id).execute_update(
        names.ADD_NOTE, AddNote(actor=OFFICER, text="second"), result_type=CaseView
    )

    opened, first, second = by_token.timeline[0], by_token.timeline[-2], by_token.timeline[-1]
    assert (opened.event, opened.actor, opened.verified) == ("case_opened", OFFICER, True)
    assert [(e.event, e.actor, e.verified) for e in (first, second)] == [("note", OFFICER, True), ("note", OFFICER, True)]
    assert signed.timeline[-1].detail == "rang the school"


async def test_an_opening_no_one_vouched_for_is_recorded_unverified(stack: Stack) -> None:
    acting_as(None)
    handle = await stack.open(await stack.client())
    [opened] = (await opened_view(handle)).timeline[:1]
    assert (opened.event, opened.verified) == ("case_opened", False)


async def test_a_development_worker_takes_anyones_word_and_says_so(dev_server: WorkflowEnvironment, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)  # actor_verification=development
    stack = Stack(dev_server, settings, Ed25519PrivateKey.generate(), Provider())
    async with build_worker(dev_server.client, settings, RecordedNotifications()):
        acting_as(None)
        client = await stack.client()
        handle = await stack.open(client)
        bare = await client.get_workflow_handle(handle.id).execute_update(names.ADD_NOTE, note(), result_type=CaseView)
        as_staff("sam.jones")  # the development word still has to match the payload's actor
        mismatch = await refused(client.get_workflow_handle(handle.id), note(OFFICER))
        as_staff(OFFICER, Role.administrator)  # and its roles are still checked
        no_role = await refused(client.get_workflow_handle(handle.id))

    assert [(e.event, e.verified) for e in bare.timeline] == [("case_opened", False), ("note", False)]
    assert mismatch.message == "not accepted: the action names a different member of staff from the one signed in"
    assert no_role.message == "not allowed: needs the case_officer or team_manager role"


def test_the_worker_will_not_start_required_with_nobody_to_vouch(tmp_path: Path) -> None:
    import asyncio

    from infra.settings import SettingsError

    settings = isolated_settings(tmp_path, actor_verification="required")
    with pytest.raises(SettingsError) as failed:
        asyncio.run(verifier_for(settings))
    assert "DISAGREEMENT_CONSOLE_PUBLIC_KEY_FILE" in str(failed.value) and "DISAGREEMENT_OIDC_ISSUER" in str(failed.value)
