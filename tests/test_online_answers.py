"""Families and organisations answer online (DESIGN section 14), through the real workflows on a dev
server whose worker requires every actor to be vouched for, with real keys: the console's for staff,
the public site's for a party answering through its link (`party:<id>`).

A party's answers are accepted and verified; the timeline says "answered online" and the officer
is told. The site's word is refused for anything else: another key, an expired or misdirected
assertion, an update a party may not send, a party other than the payload's, and a party actor
from the console's key. Every refusal leaves no trace in history.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import HeaderCodecBehavior
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.models import (
    CaseView,
    OfferResolution,
    ProposeSlots,
    RecordAvailability,
    RecordCallback,
    RecordChoice,
    RecordConsent,
    RequestCallback,
    Withdraw,
    party_actor,
)
from infra.client import ActorHeaders
from infra.converter import data_converter
from infra.identity import Role, Staff, acting_as
from infra.settings import Settings
from infra.vouching import public_site_assertion, read_private_key, verifier_for, write_key_pair
from tests.conftest import RecordedNotifications, isolated_settings, new_reference, open_case, opened_view
from tests.journeys import open_mediation
from tests.test_actor_verification import accepted_updates
from worker import build_worker
from workflows import names
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase

OFFICER = "jo.smith"
PARTIES = ("applicant", "org-1", "org-2")


@dataclass
class Site:
    env: WorkflowEnvironment
    settings: Settings
    console_key: Ed25519PrivateKey
    site_key: Ed25519PrivateKey
    notifications: RecordedNotifications

    async def client(self, *, as_site: bool = True) -> Client:
        """A client as the console and the public site connect (infra/client.py): each signs with its key
        (`as_site=False`: the console's alone, as the console connects)."""
        return await Client.connect(
            self.env.client.service_client.config.target_host,
            namespace=self.env.client.namespace,
            data_converter=data_converter(self.settings),
            interceptors=[ActorHeaders(self.console_key, self.site_key if as_site else None)],
            header_codec_behavior=HeaderCodecBehavior.CODEC,
        )

    async def offered(self, client: Client) -> WorkflowHandle:
        """A disagreement resolution case, opened and offered by the officer."""
        as_staff()
        handle = await client.start_workflow(
            DisagreementCase.run, open_case(), id=new_reference(), task_queue=self.settings.task_queue,
        )
        await opened_view(handle)
        await handle.execute_update(names.OFFER_RESOLUTION, OfferResolution(actor=OFFICER), result_type=CaseView)
        return handle


@pytest_asyncio.fixture(loop_scope="session")
async def site(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Site]:
    write_key_pair(tmp_path / "console-key.pem", tmp_path / "console-key.pub")
    write_key_pair(tmp_path / "site-key.pem", tmp_path / "site-key.pub")
    settings = isolated_settings(
        tmp_path, actor_verification="required", console_public_key_file=tmp_path / "console-key.pub",
        public_site_public_key_file=tmp_path / "site-key.pub",
    )
    notifications = RecordedNotifications()
    async with build_worker(dev_server.client, settings, notifications, verifier=await verifier_for(settings)):
        yield Site(
            dev_server, settings, read_private_key(tmp_path / "console-key.pem"), read_private_key(tmp_path / "site-key.pem"),
            notifications,
        )


def as_staff(staff_id: str = OFFICER) -> None:
    acting_as(Staff(staff_id, frozenset({Role.case_officer})))


def as_party(party: str, token: str | None = None) -> None:
    """The public site acting for a party: it signs with its key (or sends the token given)."""
    acting_as(Staff(party_actor(party), token=token))


async def answer(handle: WorkflowHandle, update: str, request) -> CaseView:
    return await handle.execute_update(update, request, result_type=CaseView)


async def refused(handle: WorkflowHandle, update: str, request) -> ApplicationError:
    before = await accepted_updates(handle)
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(update, request, result_type=CaseView)
    assert await accepted_updates(handle) == before, "a refused update must leave no trace in history"
    assert isinstance(failed.value.cause, ApplicationError)
    return failed.value.cause


async def delivered(site: Site, reference: str, template: str, count: int) -> list:
    for _ in range(200):
        sent = [n for n in site.notifications.notices if n.facts.reference == reference and n.template.value == template]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.05)
    raise AssertionError(f"{template} was not sent {count} times")


async def test_every_party_agrees_through_its_own_link_and_the_case_moves_on(site: Site) -> None:
    client = await site.client()
    handle = await site.offered(client)
    offers = await delivered(site, handle.id, "resolution_offered", 3)
    assert {(n.recipient.id, n.facts.asks, n.facts.answer_until is not None) for n in offers} == {
        (party, "consent", True) for party in PARTIES
    }

    for party in PARTIES:
        as_party(party)
        case = await answer(handle, names.RECORD_CONSENT, RecordConsent(actor=party_actor(party), party=party, agree=True))

    assert case.stage.value == "arranging_session"
    assert [(p.consent.value, p.answered_online) for p in case.parties] == [("agreed", True)] * 3
    answers = [e for e in case.timeline if e.event == "consent_recorded"]
    assert [(e.actor, e.verified, e.detail.endswith("; answered online")) for e in answers] == [
        (party_actor(party), True, True) for party in PARTIES
    ]
    told = await delivered(site, handle.id, "answered_online", 3)
    assert {n.recipient.id for n in told} == {"case_officer"}

    as_party("org-1")  # the same answer again (a form sent twice): accepted, nothing changes
    again = await answer(handle, names.RECORD_CONSENT, RecordConsent(actor=party_actor("org-1"), party="org-1", agree=True))
    assert again.timeline == case.timeline
    different = await refused(handle, names.RECORD_CONSENT, RecordConsent(actor=party_actor("org-1"), party="org-1", agree=False))
    assert different.message == (
        "org-1 has already agreed: a different answer cannot be given online; contact the case officer to change it"
    )


async def test_the_public_sites_word_is_refused_for_anything_but_a_partys_own_answer(site: Site) -> None:
    client = await site.client()
    handle = await site.offered(client)
    other = await site.offered(client)
    applicant = party_actor("applicant")
    agree = RecordConsent(actor=applicant, party="applicant", agree=True)
    now = datetime.now(UTC)
    said = {}
    tokens = {
        "forged": public_site_assertion(Ed25519PrivateKey.generate(), applicant, handle.id, names.RECORD_CONSENT, now),
        "expired": public_site_assertion(site.site_key, applicant, handle.id, names.RECORD_CONSENT, now - timedelta(minutes=10)),
        "other case": public_site_assertion(site.site_key, applicant, other.id, names.RECORD_CONSENT, now),
        "other party": public_site_assertion(site.site_key, party_actor("org-1"), handle.id, names.RECORD_CONSENT, now),
    }
    for name, token in tokens.items():
        as_party("applicant", token)
        said[name] = (await refused(handle, names.RECORD_CONSENT, agree)).message
    # The site's key on an update a party may not send: refused before its payload is even read.
    as_party("applicant", public_site_assertion(site.site_key, applicant, handle.id, names.WITHDRAW, now))
    withdraw = await refused(handle, names.WITHDRAW, Withdraw(actor=OFFICER, party="applicant", reason="no longer wanted"))
    # A member of staff cannot pose as a party: the console's key never vouches for `party:`.
    as_staff(applicant)
    console = await site.client(as_site=False)
    posing = await refused(console.get_workflow_handle(handle.id), names.RECORD_CONSENT, agree)
    # Nor does the site vouch for staff.
    as_party("applicant", public_site_assertion(site.site_key, OFFICER, handle.id, names.RECORD_CONSENT, now))
    site_for_staff = await refused(handle, names.RECORD_CONSENT, RecordConsent(actor=OFFICER, party="applicant", agree=True))

    assert said == {
        "forged": "not accepted: the actor assertion is not signed by the public site's key",
        "expired": "not accepted: the actor assertion has expired: sign in again, or send the action again",
        "other case": "not accepted: the actor assertion was made for another case or another action",
        "other party": "not accepted: the answer names a different party from the one whose link it came from",
    }
    assert (withdraw.type, withdraw.message) == (
        names.NOT_ALLOWED,
        "not allowed: through the public site a party may only give its consent, its choice about mediation, the "
        "session times it can make, or ask to be called back",
    )
    assert (posing.type, posing.message) == (
        names.ACTOR_NOT_VOUCHED,
        "not accepted: a party answers for itself only through the public site; staff record an answer as themselves",
    )
    assert site_for_staff.message == "not accepted: the public site vouches only for a party answering for itself"


async def test_times_proposed_are_answered_online_and_a_call_back_is_owed_and_met(site: Site) -> None:
    client = await site.client()
    handle = await site.offered(client)
    for party in PARTIES:
        await answer(handle, names.RECORD_CONSENT, RecordConsent(actor=OFFICER, party=party, agree=True))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    times = [start + timedelta(days=n) for n in range(3)]
    await answer(handle, names.PROPOSE_SLOTS, ProposeSlots(actor=OFFICER, slots=times, venue="Town Hall"))
    asked = await delivered(site, handle.id, "availability_requested", 3)
    assert {(n.facts.asks, len(n.facts.slots)) for n in asked} == {("availability", 3)}

    for party, slots in zip(PARTIES, ([1, 2], [2], [2, 3]), strict=True):
        as_party(party)
        case = await answer(
            handle, names.RECORD_AVAILABILITY, RecordAvailability(actor=party_actor(party), party=party, slots=slots),
        )
    assert [(s.number, s.suits_everyone) for s in case.slots] == [(1, False), (2, True), (3, False)]
    assert case.availability_asked and case.timeline[-1].verified

    as_party("org-2")
    case = await answer(handle, names.REQUEST_CALLBACK, RequestCallback(actor=party_actor("org-2"), party="org-2", note="parking?"))
    callback = next(d for d in case.deadlines if d.name == "callback-1")
    assert (callback.owed_by, callback.state.value) == ("case_officer", "open")
    as_staff()
    case = await answer(handle, names.RECORD_CALLBACK, RecordCallback(actor=OFFICER, number=1))
    assert next(d for d in case.deadlines if d.name == "callback-1").state.value == "met"
    assert (case.timeline[-1].actor, case.timeline[-1].event, case.timeline[-1].verified) == (OFFICER, "callback_made", True)


async def test_the_family_chooses_mediation_online(site: Site) -> None:
    client = await site.client()
    as_staff()
    decided = date.today() - timedelta(days=7)
    reference = "MD-2026-" + new_reference()[-6:]
    handle = await client.start_workflow(
        MediationCase.run, open_mediation(decided), id=reference, task_queue=site.settings.task_queue,
    )
    await opened_view(handle)
    opened = await delivered(site, reference, "mediation_opened", 1)
    asked = {n.recipient.id: n.facts.asks for n in opened}
    assert asked["applicant"] == "mediation_choice" and all(v is None for k, v in asked.items() if k != "applicant")

    as_party("org-1")  # an organisation's link cannot choose for the family
    not_theirs = await refused(handle, names.RECORD_CHOICE, RecordChoice(actor=party_actor("org-1"), mediate=True))
    as_party("applicant")
    case = await answer(handle, names.RECORD_CHOICE, RecordChoice(
        actor=party_actor("applicant"), mediate=True, health_provision_sought="weekly speech therapy",
        supporter_attending="Ali Adviser",
    ))
    assert not_theirs.message.startswith("only the family chooses whether to mediate")
    assert case.stage.value == "arranging_session" and case.supporter_attending == "Ali Adviser"
    chosen = next(e for e in case.timeline if e.event == "mediation_chosen")
    assert (chosen.actor, chosen.verified, chosen.detail.endswith("; answered online")) == ("party:applicant", True, True)
