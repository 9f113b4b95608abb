"""Moving a case to another case officer (domain `CaseFile.reassign_officer`, DESIGN section 12): who
runs it, what the timeline says, what it refuses, and what operators see. No server."""

from __future__ import annotations

from datetime import date

import pytest

from domain.case import OFFICER_REASSIGNED, RuleViolation
from domain.resolution import Resolution
from domain.mediation import Mediation
from domain.models import CaseOutcome, CaseStage, ReassignOfficer, Withdraw
from tests.journeys import open_mediation
from tests.test_stage_rules import OFFICER, OPENED, case_in
from workflows.visibility import CASE_OFFICER, search_attribute_updates

MANAGER, NEW_OFFICER = "pat.lee", "amira.khan"


def reassign(case, to: str = NEW_OFFICER, reason: str = "jo.smith is on leave until March") -> None:
    request = ReassignOfficer(actor=MANAGER, case_officer=to, reason=reason)
    case.check_reassign_officer(request)
    case.reassign_officer(request, OPENED)


def officer_attribute(case) -> str:
    [update] = [update for update in search_attribute_updates(case) if update.key == CASE_OFFICER]
    return update.value


def test_the_new_officer_runs_the_case_the_timeline_says_who_moved_it_and_operators_see_it() -> None:
    case = case_in(CaseStage.awaiting_consent)
    assert case.case_officer == OFFICER

    reassign(case)

    assert case.case_officer == NEW_OFFICER and case.view().case_officer == NEW_OFFICER
    entry = case.timeline[-1]
    assert (entry.actor, entry.event, entry.detail) == (
        MANAGER, OFFICER_REASSIGNED, f"case officer changed from {OFFICER} to {NEW_OFFICER}: jo.smith is on leave until March",
    )
    assert officer_attribute(case) == NEW_OFFICER
    assert case.message_facts().case_officer == NEW_OFFICER  # staff messages go to them from now on
    assert case.recipient("case_officer").name == NEW_OFFICER


def test_moving_it_again_says_from_whom() -> None:
    case = case_in(CaseStage.informal_talks)
    reassign(case)
    reassign(case, to="sam.jones")
    assert case.timeline[-1].detail.startswith(f"case officer changed from {NEW_OFFICER} to sam.jones")


def test_the_officer_who_already_runs_it_is_refused() -> None:
    case = case_in(CaseStage.informal_talks)
    with pytest.raises(RuleViolation, match=f"{OFFICER} already runs case {case.reference}: choose another officer"):
        reassign(case, to=OFFICER)


def test_a_closed_case_keeps_its_officer() -> None:
    case = case_in(CaseStage.informal_talks)
    case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="moved away"), OPENED)
    assert case.outcome is CaseOutcome.withdrawn
    with pytest.raises(RuleViolation, match=f"case {case.reference} is closed \\(withdrawn\\)"):
        reassign(case)
    assert case.case_officer == OFFICER


def test_a_mediation_case_owing_its_certificate_can_move() -> None:
    case = Mediation.open("MD-2026-AAAAAA", open_mediation(date(2026, 11, 20)), OPENED)
    case.stage = CaseStage.certificate_due  # the process is over; the officer is still told while it is owed
    reassign(case)
    assert case.case_officer == NEW_OFFICER


def test_a_case_from_before_reassignment_reads_as_it_was() -> None:
    """A case carried over by continue-as-new before this release has no `officer`: the opening's stands."""
    case = case_in(CaseStage.informal_talks)
    old = case.model_dump(mode="json", exclude={"officer"})
    assert Resolution.model_validate(old).case_officer == OFFICER
